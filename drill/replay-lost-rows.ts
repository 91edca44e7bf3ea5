import { applyReport, emptyCounts } from '../runbooks/reconcile';
import { DRILL_DATABASES, type DrillDatabase } from './drill-topology';
import type { DrillReport } from './report/drill-report';

/** What replaying every database's lost rows did. */
export interface ReplayOutcome {
  readonly inserted: number;
  readonly updated: number;
  readonly eventsWritten: number;
  /** Rows held back with an order a person decides (a conflict, a possible duplicate): not an error. */
  readonly heldBack: number;
  /** One sentence per database whose replay left out rows for another reason, or failed. */
  readonly errors: readonly string[];
}

/** The reason apply gives a row it holds back with an order or a row a person decides (apply-report.ts). */
const LEFT_FOR_A_PERSON = /left for a person/;

/**
 * `--apply`: replays the lost rows of every complete reconcile report on the new writers (runbooks/reconcile
 * applyReport). Rows held back with an order a person decides (its conflict, its possible duplicate) are counted,
 * not errors: apply is right to leave them.
 */
export async function replayLostRows(
  report: DrillReport,
  writerUrl: (database: DrillDatabase) => string,
): Promise<ReplayOutcome> {
  let inserted = 0;
  let updated = 0;
  let eventsWritten = 0;
  let heldBack = 0;
  const errors: string[] = [];
  for (const database of DRILL_DATABASES) {
    const db = report.reconcile.databases[database];
    const { lost_insert, lost_update, possibly_lost } = db?.totals ?? emptyCounts();
    if (db?.status !== 'complete' || lost_insert + lost_update + possibly_lost === 0) continue;
    const result = await applyReport({
      reportDir: db.report_dir,
      newUrl: writerUrl(database),
      // Nothing on the drill's new primary deletes rows (no purge; a cancel is a soft delete), so a row it lacks
      // never reached it: the possibly lost rows are lost and replayed.
      replayPossiblyLost: true,
    });
    for (const t of Object.values(result.tables)) {
      inserted += t.inserted;
      updated += t.updated;
    }
    eventsWritten += result.eventsWritten;
    const forAPerson = result.notApplied.filter((r) => LEFT_FOR_A_PERSON.test(r.reason));
    heldBack += forAPerson.length;
    const others = result.notApplied.filter((r) => !LEFT_FOR_A_PERSON.test(r.reason));
    // partial: some orders were rolled back (each listed with its reason); failed: nothing was written.
    if (result.status === 'failed' || others.length > 0) {
      errors.push(
        `${database}: ${result.status}: ${[result.error, ...others.map((r) => `${r.table} ${r.id}: ${r.reason}`)].filter(Boolean).join('; ')}`,
      );
    }
  }
  return { inserted, updated, eventsWritten, heldBack, errors };
}
