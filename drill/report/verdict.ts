import type { DrillOptions } from '../drill-options';
import type { DrillReport } from './drill-report';

/**
 * The drill's verdict on its own figures: the consistency rules of the issue (acknowledged_lost equals the writes
 * stranded, reconcile's lost order inserts equal acknowledged_lost and name the same orders, nothing unexplained,
 * checkouts served after the failover), the canary, and apply. Each failure is one sentence; none when it passed.
 * A drill that stopped before the fault has its reason listed already and gets nothing more here.
 */
export function verdictFailures(report: DrillReport, options: Pick<DrillOptions, 'lostWrites'>): string[] {
  const f: string[] = [];
  if (report.rto.fault_at === null) return f;
  if (report.acknowledged_lost !== options.lostWrites) {
    f.push(
      `acknowledged_lost is ${report.acknowledged_lost}, but ${options.lostWrites} acknowledged write(s) were stranded (--lost-writes)`,
    );
  }
  if (report.reconcile.status !== 'complete') {
    f.push(`the reconcile reports are ${report.reconcile.status}`);
  } else {
    if (report.reconcile.lost_inserts !== report.acknowledged_lost) {
      f.push(
        `reconcile found ${report.reconcile.lost_inserts} lost order insert(s), the traffic generator counted ${report.acknowledged_lost} acknowledged orders lost`,
      );
    }
    const reconciled = report.reconcile.databases['orders']?.lost_order_ids ?? [];
    const counted = [...report.acknowledged_lost_ids].sort();
    if (reconciled.length === counted.length && reconciled.some((id, i) => id !== counted[i])) {
      f.push(
        `reconcile's lost orders are not the orders the shoppers lost: ${reconciled.join(', ')} vs ${counted.join(', ')}`,
      );
    }
    if (report.reconcile.unexplained > 0) {
      f.push(`reconcile reports ${report.reconcile.unexplained} unexplained difference(s)`);
    }
  }
  if (
    report.checkouts_after_failover === 0 &&
    ![...report.failures, ...f].some((m) => m.startsWith('the shop is not serving checkouts'))
  ) {
    f.push(
      'the shop is not serving checkouts after failover: no checkout was acknowledged after the failover finished',
    );
  }
  if (report.canary.status === 'failed') f.push(`the canary failed: ${report.canary.reason}`);
  if (report.apply && report.apply.status !== 'applied') f.push(`apply failed: ${report.apply.error}`);
  if (report.apply && report.apply.recovered_orders !== report.acknowledged_lost) {
    f.push(`apply recovered ${report.apply.recovered_orders} of ${report.acknowledged_lost} lost orders`);
  }
  return f;
}
