import { ModuleReconciler } from '../../runbooks/adapters/reconcile-module';
import type { ReconcileOutcome, ReconcileRequest, ReconcilerPort } from '../../runbooks/ports';
import { type ReconcileOptions, type ReconcileReport, reconcile } from '../../runbooks/reconcile';

/**
 * The reconciler of `runbooks/reconcile` through the same {@link ModuleReconciler} adapter the CLI and Lambda use,
 * with nothing added: reconcile finds the cut itself, from the heartbeat handover the new writer's first heartbeat
 * recorded on the promoted database (migration 0003). It keeps every report for the drill's summary.
 */
export class DrillReconciler implements ReconcilerPort {
  /** Every report, by database, in the order they were made (the drill reads the counts from them). */
  readonly reports = new Map<string, ReconcileReport>();

  /** @param workDir parent of the report folders */
  constructor(private readonly workDir: string) {}

  reconcile(request: ReconcileRequest): Promise<ReconcileOutcome> {
    const database = request.current.database;
    const run = async (options: ReconcileOptions) => {
      const report = await reconcile(options);
      this.reports.set(database, report);
      return report;
    };
    return new ModuleReconciler({ tls: { mode: 'disable' }, workDir: this.workDir, reconcile: run }).reconcile(request);
  }
}
