import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReconcileOutcome, ReconcileRequest, ReconcilerPort } from '../../ports';

/**
 * A stand-in for the reconciler when there are no real databases (the simulated world): writes a report that says
 * it is simulated. Drills with real Postgres use the real reconciler instead.
 */
export class SimulatedReconciler implements ReconcilerPort {
  constructor(private readonly outcome: 'complete' | 'failed' = 'complete') {}

  async reconcile(request: ReconcileRequest): Promise<ReconcileOutcome> {
    const reportDir = await mkdtemp(path.join(tmpdir(), 'simulated-reconcile-'));
    const summary =
      this.outcome === 'complete'
        ? 'simulated: no real databases, so no rows compared'
        : 'simulated failure: the comparison did not finish';
    await writeFile(
      path.join(reportDir, 'report.json'),
      `${JSON.stringify(
        {
          simulated: true,
          status: this.outcome,
          summary,
          old: `${request.old.host}:${request.old.port}/${request.old.database}`,
          current: `${request.current.host}:${request.current.port}/${request.current.database}`,
          failoverAt: request.failoverAt.toISOString(),
        },
        null,
        2,
      )}\n`,
    );
    return { status: this.outcome, summary, reportDir, dispose: () => rm(reportDir, { recursive: true, force: true }) };
  }
}
