import { recover } from '../runbooks/orchestrations';
import { ordersOnPrimary } from './adapters/orders-on-primary';
import type { DrillContext } from './drill-context';
import { replayLostRows } from './replay-lost-rows';
import { collectReconcile } from './report/collect-reconcile';

/**
 * Decides what the report says was lost and, with `--apply`, what comes back: the failed Region returns (its
 * unplanned-failover snapshots appear), the runbooks' recover restores them and reconciles each database against
 * the new writer, the reports are copied next to drill.json; `--apply` replays the lost rows and the ledger's
 * orders are looked up again (for the duplicates the scoring looks for).
 */
export async function recoverLostWrites(ctx: DrillContext): Promise<void> {
  const { report, shop, timeline } = ctx;
  const { primary, standby } = report.regions;
  const phase = ctx.console.phase.bind(ctx.console);

  // Recovery: the failed Region is back; Aurora would take its unplanned-failover snapshots now.
  shop.outages.restore(primary);
  ctx.ports.snapshots.regionReturned(primary, new Date());
  timeline.mark('recovery', `${primary} back: snapshots of the old primaries`);
  const recoverResult = await phase(
    'recover',
    'runbook recover: restore the old primaries’ snapshots, reconcile against the new writers, store the reports',
    () =>
      ctx.runbooks.run(
        recover,
        { targetRegion: standby, failedRegion: primary },
        `drill: report what ${primary} did not replicate`,
      ),
    (r) => `${r.status} in ${(r.elapsedMs / 1000).toFixed(1)} s`,
  );
  if (recoverResult.status !== 'succeeded') {
    report.failures.push(
      `the recover orchestration failed: ${recoverResult.error?.step}: ${recoverResult.error?.message}`,
    );
  }
  await collectReconcile(report, ctx.ports, recoverResult, ctx.reconcileDir);

  if (!ctx.options.apply) return;
  await phase(
    'apply',
    'replay the lost rows on the new primaries (runbooks/reconcile applyReport)',
    async () => {
      const replay = await replayLostRows(report, (database) => shop.clusters[database].writerUrl());
      const recovered = await ordersOnPrimary(
        shop.clusters.orders.writerUrl(),
        ctx.scoring.ledger.map((a) => a.order_id),
      );
      ctx.scoring.afterRecovery = recovered;
      report.apply = {
        status: replay.errors.length === 0 ? 'applied' : 'failed',
        recovered_orders: report.acknowledged_lost_ids.filter((id) => recovered[id]?.present).length,
        inserted: replay.inserted,
        updated: replay.updated,
        events_written: replay.eventsWritten,
        held_back: replay.heldBack,
        error: replay.errors.length > 0 ? replay.errors.join('; ') : null,
      };
      timeline.mark('recovery', `apply: ${report.apply.recovered_orders} orders recovered`);
    },
    () =>
      `${report.apply!.status}: ${report.apply!.recovered_orders}/${report.acknowledged_lost} lost orders recovered (${report.apply!.inserted} rows inserted, ${report.apply!.events_written} order.recovered events)`,
  );
}
