import { classifyCandidate, classifyNewWindowRow } from './classify';
import type { DatabaseSide } from './database-side';
import type { CutBounds } from './replication-stop';
import type { ClassCounts, ReportedClass, ReportRow } from './report';
import { emptyCounts } from './report';
import { buildReportRow } from './report-row';
import {
  commitTimestampsOn,
  contentsById,
  type RowState,
  statesById,
  statesOutsideWindow,
  windowStates,
} from './row-fetch';
import type { TableSpec } from './table-spec';
import { type Micros, microsToIso } from './timestamp';

/** A row to leave out of one side's verify aggregates, because the window pass already accounted for it. */
export interface HashEntry {
  readonly id: string;
  readonly hash: string;
}

/** What the window passes found for one table. */
export interface WindowResult {
  readonly counts: ClassCounts;
  readonly rows: ReportRow[];
  readonly candidates: number;
  readonly newWindowRows: number;
  readonly newSideWrites: number;
  /** Old copies (outside the window, or without updated_at) of rows the new side changed inside it. */
  readonly oldExclusions: HashEntry[];
  /** New copies (outside the window, or without updated_at) of old candidates. */
  readonly newExclusions: HashEntry[];
}

interface Pending {
  readonly class: ReportedClass;
  readonly id: string;
  readonly reason: string;
  readonly oldState?: RowState;
  readonly newState?: RowState;
}

async function materialise(
  old: DatabaseSide,
  current: DatabaseSide,
  spec: TableSpec,
  pending: Pending[],
): Promise<ReportRow[]> {
  if (pending.length === 0) return [];
  const ids = pending.map((p) => p.id);
  const [oldContents, newContents] = await Promise.all([
    contentsById(old, spec, ids),
    contentsById(current, spec, ids),
  ]);
  return pending.map((p) =>
    buildReportRow(spec, { ...p, oldContent: oldContents.get(p.id), newContent: newContents.get(p.id) }),
  );
}

/**
 * The lost-write pass over one table:
 * 1. every old row with `updated_at >= windowStart` (a candidate) is looked up by id on new, in batches, and
 *    classified by {@link classifyCandidate};
 * 2. every new row with `updated_at >= windowStart` that is not a candidate is looked up on old and classified by
 *    {@link classifyNewWindowRow}: a legitimate new write (counted, not listed) only when old's copy cannot hide
 *    a change of old (absent because the row was born on new, or a copy new built on); otherwise `conflict`, or
 *    `unexplained` when new's change predates the cut.
 * Old's rows carry their commit time where `track_commit_timestamp` is on. Both passes stream through cursors;
 * only non-identical rows and the verify exclusions are kept.
 */
export async function windowPass(
  old: DatabaseSide,
  current: DatabaseSide,
  spec: TableSpec,
  windowStart: Micros,
  bounds: CutBounds,
): Promise<WindowResult> {
  const counts = emptyCounts();
  const rows: ReportRow[] = [];
  const oldExclusions: HashEntry[] = [];
  const newExclusions: HashEntry[] = [];
  const since = microsToIso(windowStart);
  // Whether a row version of old is outside its window: verify compares those (NULL updated_at included).
  const outside = (state: RowState) => state.updatedAt === null || state.updatedAt < windowStart;
  const oldOptions = { commitTimestamps: await commitTimestampsOn(old) };
  let candidates = 0;
  for await (const batch of windowStates(old, spec, since, 'reconcile_old_window', oldOptions)) {
    candidates += batch.length;
    const found = await statesById(
      current,
      spec,
      batch.map((r) => r.id),
    );
    const pending: Pending[] = [];
    for (const oldState of batch) {
      const newState = found.get(oldState.id);
      if (newState && outside(newState)) newExclusions.push({ id: newState.id, hash: newState.hash });
      const result = classifyCandidate(oldState, newState, bounds);
      counts[result.class]++;
      if (result.class !== 'identical') {
        pending.push({ class: result.class, id: oldState.id, reason: result.reason, oldState, newState });
      }
    }
    rows.push(...(await materialise(old, current, spec, pending)));
  }
  let newWindowRows = 0;
  let newSideWrites = 0;
  for await (const batch of windowStates(current, spec, since, 'reconcile_new_window')) {
    newWindowRows += batch.length;
    // Old's copies inside its window are candidates, classified above: only their ids come back.
    const found = await statesOutsideWindow(
      old,
      spec,
      batch.map((r) => r.id),
      since,
      oldOptions,
    );
    const pending: Pending[] = [];
    for (const newState of batch) {
      if (found.inWindow.has(newState.id)) continue; // a candidate, classified above
      const oldState = found.states.get(newState.id);
      if (oldState) oldExclusions.push({ id: oldState.id, hash: oldState.hash });
      // In new's window, so updated_at is set.
      const result = classifyNewWindowRow({ ...newState, updatedAt: newState.updatedAt! }, oldState, bounds);
      if (result.class === 'new_write') {
        newSideWrites++;
        continue;
      }
      counts[result.class]++;
      pending.push({ class: result.class, id: newState.id, oldState, newState, reason: result.reason });
    }
    rows.push(...(await materialise(old, current, spec, pending)));
  }
  return { counts, rows, candidates, newWindowRows, newSideWrites, oldExclusions, newExclusions };
}
