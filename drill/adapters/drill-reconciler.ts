import { ModuleReconciler } from '../../runbooks/adapters/reconcile-module';
import type { ReconcileOutcome, ReconcileRequest, ReconcilerPort } from '../../runbooks/ports';
import { type ReconcileOptions, type ReconcileReport, reconcile } from '../../runbooks/reconcile';

/**
 * The reconciler of `runbooks/reconcile` (through the same {@link ModuleReconciler} adapter the CLI and Lambda
 * use), given the cut recorded when the standby was promoted: within a second of the failover the new Region's
 * services write their own heartbeat over the replicated one, and reconcile then (rightly) refuses to guess the
 * cut. Without a recorded cut, reconcile reads it from the heartbeat as usual.
 */
export class DrillReconciler implements ReconcilerPort {
  /** Every report, by database, in the order they were made (the drill reads the counts from them). */
  readonly reports = new Map<string, ReconcileReport>();

  /**
   * @param cutOf the last replicated moment of a database (by Postgres database name), if it was recorded
   * @param workDir parent of the report folders
   */
  constructor(
    private readonly cutOf: (database: string) => Date | undefined,
    private readonly workDir: string,
  ) {}

  reconcile(request: ReconcileRequest): Promise<ReconcileOutcome> {
    const database = request.current.database;
    const cut = this.cutOf(database);
    const run = async (options: ReconcileOptions) => {
      const report = await reconcile(cut ? { ...options, cut } : options);
      this.reports.set(database, report);
      return report;
    };
    return new ModuleReconciler({ tls: { mode: 'disable' }, workDir: this.workDir, reconcile: run }).reconcile(request);
  }
}
