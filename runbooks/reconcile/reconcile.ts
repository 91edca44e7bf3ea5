import { performance } from 'node:perf_hooks';
import { verifyTable } from './bucket-verify';
import { type WindowResult, windowPass } from './candidate-pass';
import { clockEvidence, correctForClockSkew } from './clock-skew';
import { checkOldNotCopyOfNew, determineCut, newHoldsPromotion } from './cut';
import {
  beginSnapshot,
  closeSide,
  connectSide,
  type DatabaseSide,
  limitsOf,
  openSnapshotWorkers,
  readServerVersionNum,
  type SideName,
  sessionLimitProblems,
} from './database-side';
import { postgresUrlProblem, redactUrl } from './database-url';
import { markHeldWithOrder } from './held-with-order';
import { flagPossibleDuplicates, type MutableTableRows } from './possible-duplicates';
import { explainStepError } from './postgres-error';
import { ReconcileError } from './reconcile-error';
import { ReferencedOrders } from './referenced-order';
import { readReplayColumns, withReplayFlags } from './replay-columns';
import { APPLY_PREAMBLE } from './replay-sql';
import { readReplicationStop } from './replication-stop';
import {
  type ClassCounts,
  emptyCounts,
  type ReconcileReport,
  type ReportRow,
  ROW_CLASSES,
  type TableReport,
  type TableVerify,
} from './report';
import { outDirProblem, writeReportFiles } from './report-files';
import { checkDistinctSides, readServerIdentity } from './server-identity';
import { hasControlCharacter } from './table-list';
import { resolveTables, type TableSpec } from './table-spec';
import { dateToMicros, type Micros, microsToIso } from './timestamp';
import { compareOtherTables } from './whole-table-compare';

/** The gap a report made with `verify: false` (`--no-verify`) names. */
const VERIFY_SKIPPED =
  'verify was skipped (--no-verify): rows outside the window were not compared, so hard deletes and writes that bypassed updated_at are not looked for';

/** The margin before the cut that is re-checked, for transactions that started before the cut and committed after. */
export const DEFAULT_MARGIN_SECONDS = 300;

/** Connections per database for the verify pass. */
export const DEFAULT_JOBS = 2;

/** One progress event: a step started, finished or failed. */
export interface ReconcileProgress {
  readonly step: string;
  readonly phase: 'start' | 'done' | 'failed';
  /** Milliseconds since reconcile started. */
  readonly elapsedMs: number;
  /** Duration of the step, on `done` and `failed`. */
  readonly ms?: number;
  readonly detail?: string;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /** The restored snapshot of the failed primary (has the writes that never replicated). */
  readonly oldUrl: string;
  /** The promoted new primary. */
  readonly newUrl: string;
  /** When the new primary was promoted. */
  readonly failoverAt: Date;
  /** Seconds before the cut that are re-checked. @default 300 */
  readonly marginSeconds?: number;
  /** Tables to compare. @default - every table in schema public with uuid `id` primary key, `updated_at` and `version` */
  readonly tables?: readonly string[];
  /** Whether to compare the rest of every table by bucketed hashes. @default true */
  readonly verify?: boolean;
  /**
   * The last replicated moment, when the heartbeat on the new primary can no longer tell it (the new writer has
   * overwritten it). @default - read from `replication_heartbeat` on the new primary
   */
  readonly cut?: Date;
  /**
   * Connections per database, all reading one exported snapshot: that many tables are classified at once (the
   * primary-key lookups wait on random reads more than on CPU). Verify runs one parallel query per table and
   * side instead (Postgres' own workers, `max_parallel_workers_per_gather`). @default 2
   */
  readonly jobs?: number;
  /** Where report.json, report.html, report.json.sha256 and one CSV per table are written (created if missing). */
  readonly outDir: string;
  /** Receives a start and an end event per step. @default - no progress */
  readonly onProgress?: (event: ReconcileProgress) => void;
  /**
   * `lock_timeout` of every connection, in seconds (`--lock-timeout`): a lock not granted in this time fails the
   * step, naming the table. @default 10
   */
  readonly lockTimeoutSeconds?: number;
  /**
   * `statement_timeout` of every connection, in seconds (`--statement-timeout`); sessions idle in their
   * transaction for twice this are ended by the server. @default 1800
   */
  readonly statementTimeoutSeconds?: number;
}

/** Test seams: replace how facts are read from the servers. Not for production use. */
export interface ReconcileSeams {
  /** Reads `server_version_num` of a side. @default - `current_setting('server_version_num')` */
  readonly serverVersionNum?: (side: SideName, read: () => Promise<number>) => Promise<number>;
}

/** Problems with the options themselves (not the data), each naming the option, the value and what is accepted. */
export function optionProblems(options: ReconcileOptions): string[] {
  const problems: string[] = [];
  const oldUrl = postgresUrlProblem('oldUrl', options.oldUrl);
  if (oldUrl) problems.push(oldUrl);
  const newUrl = postgresUrlProblem('newUrl', options.newUrl);
  if (newUrl) problems.push(newUrl);
  if (!(options.failoverAt instanceof Date) || Number.isNaN(options.failoverAt.getTime())) {
    problems.push(`failoverAt: ${String(options.failoverAt)} is not a valid Date`);
  }
  if (options.cut !== undefined && (!(options.cut instanceof Date) || Number.isNaN(options.cut.getTime()))) {
    problems.push(`cut: ${String(options.cut)} is not a valid Date`);
  }
  const margin = options.marginSeconds;
  if (margin !== undefined && (!Number.isInteger(margin) || margin < 0)) {
    problems.push(`marginSeconds: ${margin} is not accepted; accepted: a whole number of seconds ≥ 0`);
  }
  if (options.jobs !== undefined && (!Number.isInteger(options.jobs) || options.jobs < 1 || options.jobs > 32)) {
    problems.push(`jobs: ${options.jobs} is not accepted; accepted: a whole number from 1 to 32`);
  }
  problems.push(
    ...sessionLimitProblems({
      lockTimeoutSeconds: options.lockTimeoutSeconds,
      statementTimeoutSeconds: options.statementTimeoutSeconds,
    }),
  );
  const out = outDirProblem('outDir', options.outDir);
  if (out) problems.push(out);
  for (const table of options.tables ?? []) {
    if (typeof table !== 'string' || table.length === 0 || hasControlCharacter(table)) {
      problems.push(
        `tables: ${JSON.stringify(table)} is not a table name; accepted: table names as the report names them (orders, or "audit.log" quoted when the name holds a dot or a quote)`,
      );
    }
  }
  return problems;
}

function databaseInfo(url: string) {
  let database: string | null = null;
  try {
    database = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || null;
  } catch {
    database = null;
  }
  return {
    url: redactUrl(url),
    database,
    serverVersion: null as string | null,
    heartbeat: null as { ts: string; region: string } | null,
    identity: null,
  };
}

function classOrder(row: ReportRow): number {
  return ROW_CLASSES.indexOf(row.class);
}

/**
 * Builds the missing-transaction report of a failover: cut from the heartbeat, candidates from the
 * `updated_at` window hashed in Postgres, batched primary-key classification, possible duplicates, then a
 * bucketed hash verify of everything else. Never throws for a data or connection problem: any failed step makes
 * the report `failed` with the step and a message saying what to do. The files are written in both cases.
 */
export async function reconcile(options: ReconcileOptions, seams: ReconcileSeams = {}): Promise<ReconcileReport> {
  const started = performance.now();
  const marginSeconds = options.marginSeconds ?? DEFAULT_MARGIN_SECONDS;
  const verify = options.verify ?? true;
  const failoverValid = options.failoverAt instanceof Date && !Number.isNaN(options.failoverAt.getTime());
  const report: ReconcileReport = {
    format: 'multi-region-shop/reconcile-report@2',
    status: 'failed',
    generatedAt: new Date().toISOString(),
    cut: null,
    cutSource: null,
    replicationStop: null,
    windowStart: null,
    failoverAt: failoverValid ? microsToIso(dateToMicros(options.failoverAt)) : String(options.failoverAt),
    marginSeconds,
    verify,
    databases: { old: databaseInfo(options.oldUrl), new: databaseInfo(options.newUrl) },
    clock: null,
    tables: {},
    otherTables: {},
    gaps: [],
    totals: emptyCounts(),
    applyPreamble: APPLY_PREAMBLE,
    timings: [],
    lostWriteReportMs: null,
    totalMs: null,
    error: null,
  };
  const elapsed = () => Math.round(performance.now() - started);
  const limits = limitsOf(options);
  const step = async <T>(name: string, run: () => Promise<T>, detail?: (result: T) => string): Promise<T> => {
    const t0 = performance.now();
    options.onProgress?.({ step: name, phase: 'start', elapsedMs: elapsed() });
    try {
      const result = await run();
      const ms = Math.round(performance.now() - t0);
      report.timings.push({ step: name, ms });
      options.onProgress?.({ step: name, phase: 'done', elapsedMs: elapsed(), ms, detail: detail?.(result) });
      return result;
    } catch (error) {
      const ms = Math.round(performance.now() - t0);
      report.timings.push({ step: name, ms });
      const wrapped =
        error instanceof ReconcileError ? error : new ReconcileError(name, explainStepError(name, error, limits));
      options.onProgress?.({ step: name, phase: 'failed', elapsedMs: elapsed(), ms, detail: wrapped.message });
      throw wrapped;
    }
  };

  let old: DatabaseSide | undefined;
  let current: DatabaseSide | undefined;
  const workers: DatabaseSide[] = [];
  // Worker connections being opened, until step 'workers' takes them.
  let opening: Promise<PromiseSettledResult<DatabaseSide[]>[]> | undefined;
  let closing: Promise<unknown> = Promise.resolve();
  try {
    await step('options', async () => {
      const problems = optionProblems(options);
      if (problems.length > 0) throw new ReconcileError('options', problems.join('; '));
    });
    [old, current] = await step('connect', async () => {
      const settled = await Promise.allSettled([
        connectSide('old', options.oldUrl, undefined, limits),
        connectSide('new', options.newUrl, undefined, limits),
      ]);
      const failed = settled.filter((s) => s.status === 'rejected');
      if (failed.length > 0) {
        await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? closeSide(s.value) : undefined)));
        throw new ReconcileError('connect', failed.map((f) => (f.reason as Error).message).join(' '));
      }
      return settled.map((s) => (s as PromiseFulfilledResult<DatabaseSide>).value) as [DatabaseSide, DatabaseSide];
    });
    const sides = { old, new: current } as const;
    await step('versions', async () => {
      const versions = await Promise.all(
        (['old', 'new'] as const).map((name) => {
          const read = () => readServerVersionNum(sides[name]);
          return seams.serverVersionNum ? seams.serverVersionNum(name, read) : read();
        }),
      );
      const [oldVersion, newVersion] = versions as [number, number];
      report.databases.old.serverVersion = String(oldVersion);
      report.databases.new.serverVersion = String(newVersion);
      const major = (v: number) => Math.floor(v / 10000);
      if (major(oldVersion) !== major(newVersion)) {
        throw new ReconcileError(
          'versions',
          `Postgres major versions differ: old is ${major(oldVersion)} (server_version_num ${oldVersion}), new is ${major(newVersion)} (${newVersion}). Row hashes (hash_record_extended) are only comparable within one major version: restore the snapshot into a cluster of the new primary's version (${major(newVersion)}), or upgrade it, then run reconcile again.`,
        );
      }
      if (major(oldVersion) < 14) {
        throw new ReconcileError(
          'versions',
          `Postgres ${major(oldVersion)} has no hash_record_extended (needs 14 or later): upgrade both sides, then run reconcile again.`,
        );
      }
    });
    // Which databases these are, from what they say about themselves (never from the URLs): the same database
    // twice, or the two sides swapped, is refused before anything is compared.
    await step('sides', async () => {
      const [oldIdentity, newIdentity] = await Promise.all([readServerIdentity(old!), readServerIdentity(current!)]);
      report.databases.old.identity = oldIdentity;
      report.databases.new.identity = newIdentity;
      await checkDistinctSides(
        current!,
        { old: oldIdentity, new: newIdentity },
        await newHoldsPromotion(old!, current!),
      );
      await checkOldNotCopyOfNew(old!, current!, dateToMicros(options.failoverAt));
    });
    // One REPEATABLE READ transaction per side: every query sees one snapshot, even while new keeps taking writes.
    // With more than one job, each side's snapshot is exported for the workers below.
    const jobs = options.jobs ?? DEFAULT_JOBS;
    const [oldSnapshot, newSnapshot] = await step('snapshot', () =>
      Promise.all([old!, current!].map((s) => beginSnapshot(s, jobs > 1))),
    );
    // More connections per side, in the same snapshots, only where both sides exported theirs: they connect while
    // the schema and the cut are read, and are taken (or their failure reported) in step 'workers'.
    if (jobs > 1 && oldSnapshot && newSnapshot) {
      const snapshots = { old: oldSnapshot, new: newSnapshot };
      opening = Promise.allSettled(
        [old!, current!].map((side) => openSnapshotWorkers(side, snapshots[side.name], jobs - 1)),
      );
    }
    const { specs, others } = await step(
      'schema',
      () => resolveTables(old!, current!, options.tables),
      (s) => s.specs.map((t) => t.name).join(', '),
    );
    // Generated and identity columns (new's catalog), so every proposedSql replays them as apply does.
    for (const [i, spec] of specs.entries()) {
      specs[i] = { ...spec, columns: withReplayFlags(spec.columns, await readReplayColumns(current!, spec.name)) };
    }
    const failoverAt = dateToMicros(options.failoverAt);
    const cutInfo = await step(
      'cut',
      () => determineCut(old!, current!, failoverAt, options.cut ? dateToMicros(options.cut) : undefined),
      (c) => `cut ${microsToIso(c.cut)} (${c.source})`,
    );
    const clock = clockEvidence(cutInfo);
    const cut: Micros = cutInfo.cut;
    const windowStart: Micros = cut - BigInt(marginSeconds) * 1_000_000n;
    report.cut = microsToIso(cut);
    report.cutSource = cutInfo.source;
    report.windowStart = microsToIso(windowStart);
    const stop = await step(
      'replication-stop',
      () => readReplicationStop(old!, current!, cut, cutInfo.oldHeartbeat.region),
      (s) =>
        s.mayHaveReplicatedUntil === null
          ? 'unbounded: no heartbeat shows when replication stopped'
          : `writes committed after ${microsToIso(s.mayHaveReplicatedUntil)} never replicated`,
    );
    report.replicationStop = {
      mayHaveReplicatedUntil: stop.mayHaveReplicatedUntil === null ? null : microsToIso(stop.mayHaveReplicatedUntil),
      evidence: stop.evidence,
    };
    report.databases.old.heartbeat = { ts: microsToIso(cutInfo.oldHeartbeat.ts), region: cutInfo.oldHeartbeat.region };
    report.databases.new.heartbeat = cutInfo.newHeartbeat
      ? { ts: microsToIso(cutInfo.newHeartbeat.ts), region: cutInfo.newHeartbeat.region }
      : null;

    // Tables are classified side by side, one connection per side each (the lookups wait on random reads far more
    // than on CPU).
    const connections = { old: [old], new: [current] };
    if (jobs > 1) {
      await step(
        'workers',
        async () => {
          if (!opening) return 0;
          const opened = await opening;
          opening = undefined;
          // Every connection opened is closed at the end, even when the other side's could not be opened.
          for (const result of opened) if (result.status === 'fulfilled') workers.push(...result.value);
          for (const result of opened) if (result.status === 'rejected') throw result.reason;
          for (const [i, side] of [old!, current!].entries()) {
            connections[side.name].push(...(opened[i] as PromiseFulfilledResult<DatabaseSide[]>).value);
          }
          return jobs - 1;
        },
        (n) => `${n} more connection${n === 1 ? '' : 's'} per side`,
      );
    }
    const windows = new Map<string, WindowResult>();
    const mutable = new Map<string, MutableTableRows>();
    const queue = [...specs];
    const pairs = Math.min(connections.old.length, connections.new.length);
    await Promise.all(
      Array.from({ length: pairs }, async (_, i) => {
        for (let spec = queue.shift(); spec; spec = queue.shift()) {
          const table = spec;
          const result = await step(
            `classify:${table.name}`,
            () => windowPass(connections.old[i]!, connections.new[i]!, table, windowStart, stop),
            (r) => `${r.candidates} candidates, ${r.rows.length} not identical`,
          );
          windows.set(table.name, result);
          mutable.set(table.name, { spec: table, rows: result.rows, counts: result.counts });
        }
      }),
    );
    // The workers are done: closed now, they hold no snapshot or locks during the rest of the run (the goodbye is
    // not waited for here: closeSide never throws, and the run awaits it at the end).
    closing = Promise.all(workers.splice(0).map(closeSide));
    // A lost update over a copy of new that may be new's own write (its clock behind old's) is a conflict.
    const heldBack = correctForClockSkew(mutable, clock);
    // Re-placed orders are searched from the earliest moment new can have written, not from --failover-at.
    let duplicatesSince = failoverAt;
    for (const at of [cut, clock.newWritesFrom]) if (at < duplicatesSince) duplicatesSince = at;
    report.clock = {
      source: clock.source,
      firstNewHeartbeat: clock.firstNewHeartbeat === null ? null : microsToIso(clock.firstNewHeartbeat),
      gapSeconds: clock.gapSeconds,
      newWritesFrom: microsToIso(clock.newWritesFrom),
      duplicatesSince: microsToIso(duplicatesSince),
      lostUpdatesHeldBack: heldBack,
    };
    await step(
      'duplicates',
      () => flagPossibleDuplicates(old!, current!, mutable, duplicatesSince),
      (n) => `${n} possible duplicate order(s)`,
    );
    report.lostWriteReportMs = elapsed();
    options.onProgress?.({ step: 'lost-write report', phase: 'done', elapsedMs: elapsed() });

    // Tables that cannot be reconciled row by row are compared whole, or named: none is left out silently.
    const otherTables = await step(
      'other-tables',
      () => compareOtherTables(old!, current!, others),
      (r) => `${Object.keys(r.tables).length} compared whole, ${r.gaps.length} not compared or differing`,
    );
    Object.assign(report.otherTables, otherTables.tables);
    report.gaps.push(...otherTables.gaps);
    if (!verify) report.gaps.push({ table: null, reason: VERIFY_SKIPPED });

    const verified = new Map<string, TableVerify>();
    if (verify) {
      for (const spec of specs) {
        const window = windows.get(spec.name)!;
        const result = await step(
          `verify:${spec.name}`,
          () =>
            verifyTable(old!, current!, spec, windowStart, { old: window.oldExclusions, new: window.newExclusions }),
          (r) => `${r.verify.buckets} buckets, ${r.verify.mismatchedBuckets} differing, ${r.rows.length} unexplained`,
        );
        const table = mutable.get(spec.name)!;
        const known = new Set(table.rows.map((r) => r.id));
        for (const row of result.rows) {
          if (known.has(row.id)) continue;
          table.rows.push(row);
          table.counts.unexplained++;
        }
        verified.set(spec.name, result.verify);
      }
    }
    // After verify: an unexplained row of an order holds its lost rows back too; the order of a row without
    // order_id is found through the rows it references on new, as apply finds it.
    await step(
      'holds',
      () => markHeldWithOrder(mutable, new ReferencedOrders(current!)),
      (n) => `${n} lost row(s) apply will hold back with their order`,
    );
    for (const spec of specs)
      report.tables[spec.name] = tableReport(
        spec,
        windows.get(spec.name)!,
        mutable.get(spec.name)!,
        verified.get(spec.name) ?? null,
      );
    report.totals = sumCounts(Object.values(report.tables).map((t) => t.counts));
    await Promise.all([old, current].map((s) => s.client.query('COMMIT')));
    report.status = report.gaps.length > 0 ? 'incomplete' : 'complete';
  } catch (error) {
    const failure =
      error instanceof ReconcileError
        ? error
        : new ReconcileError('reconcile', explainStepError('reconcile', error, limits));
    report.status = 'failed';
    report.error = { step: failure.step, message: failure.message };
  } finally {
    // Workers still being opened when a step before 'workers' failed are closed too.
    for (const result of opening ? await opening : []) if (result.status === 'fulfilled') workers.push(...result.value);
    await Promise.all([closeSide(old), closeSide(current), ...workers.map(closeSide), closing]);
  }
  report.totalMs = elapsed();
  try {
    await writeReportFiles(report, options.outDir);
  } catch (error) {
    // Not everything could be written: the caller gets a failed report, never a silent success, and the folder
    // holds at most this failed report.json (writeReportFiles removed the previous one and writes it last).
    report.status = 'failed';
    const message = `cannot write the report to ${options.outDir}: ${(error as Error).message}. Check that the folder is writable and has space (a table's CSV file name encodes the table name), then run again.`;
    report.error = report.error ?? { step: 'write', message };
    await writeFailedReport(report, options.outDir).catch(() => undefined);
  }
  return report;
}

/** Best effort after a failed write: report.json (and its checksum) saying `failed`, without the CSVs. */
async function writeFailedReport(report: ReconcileReport, outDir: string): Promise<void> {
  await writeReportFiles({ ...report, tables: {} }, outDir);
}

function sumCounts(all: readonly ClassCounts[]): ClassCounts {
  const totals = emptyCounts();
  for (const counts of all) for (const c of ROW_CLASSES) totals[c] += counts[c];
  return totals;
}

function tableReport(
  spec: TableSpec,
  window: WindowResult,
  table: MutableTableRows,
  verify: TableVerify | null,
): TableReport {
  const rows = [...table.rows].sort(
    (a, b) => classOrder(a) - classOrder(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return {
    columns: spec.columns,
    rowHash: spec.rowHash,
    counts: table.counts,
    candidates: window.candidates,
    newWindowRows: window.newWindowRows,
    newSideWrites: window.newSideWrites,
    verify,
    rows,
  };
}
