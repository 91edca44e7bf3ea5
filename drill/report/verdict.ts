import type { DrillOptions } from '../drill-options';
import type { DrillReport } from './drill-report';

const NOT_SERVING = /the shop is not serving checkouts/i;

/**
 * The acknowledged lost orders apply should bring back: all but those their shopper placed again after the
 * failover (possible duplicates: apply leaves them for a person, or the shopper would have two orders).
 */
export function replayableLostOrders(report: DrillReport): number {
  const replaced = new Set((report.order_changes?.replaced ?? []).map((r) => r.original));
  return report.acknowledged_lost_ids.filter((id) => !replaced.has(id)).length;
}

/**
 * The drill's verdict on its own figures. First the score (runbooks/scoring, the same definition a game day is
 * judged by: every acknowledged write the new primary lacks is in the missing-transaction report in its class,
 * nothing else of the shoppers' is, no duplicate, nothing unexplained, RTO and RPO within their targets, and the
 * report complete): every reason of a score that is not PASSED is a failure. Then what only the drill checks:
 * acknowledged_lost equals the writes it stranded, checkouts served after the failover, the canary, apply (every
 * lost order back but those placed again by their shopper). Each
 * failure is one sentence; none when it passed. A drill that stopped before the fault has its reason listed already
 * and gets nothing more here.
 */
export function verdictFailures(report: DrillReport, options: Pick<DrillOptions, 'lostWrites'>): string[] {
  const f: string[] = [];
  if (report.rto.fault_at === null) return f;
  if (report.acknowledged_lost !== options.lostWrites) {
    f.push(
      `acknowledged_lost is ${report.acknowledged_lost}, but ${options.lostWrites} acknowledged write(s) were stranded (--lost-writes)`,
    );
  }
  const notServing = () => [...report.failures, ...f].some((m) => NOT_SERVING.test(m));
  if (report.score === null) {
    f.push('the drill was not scored');
  } else if (report.score.verdict !== 'PASSED') {
    for (const reason of report.score.reasons) {
      if (NOT_SERVING.test(reason) && notServing()) continue;
      f.push(`score ${report.score.verdict}: ${reason}`);
    }
  }
  if (report.checkouts_after_failover === 0 && !notServing()) {
    f.push(
      'the shop is not serving checkouts after failover: no checkout was acknowledged after the failover finished',
    );
  }
  if (report.canary.status === 'failed') f.push(`the canary failed: ${report.canary.reason}`);
  if (report.apply && report.apply.status !== 'applied') f.push(`apply failed: ${report.apply.error}`);
  const replayable = replayableLostOrders(report);
  if (report.apply && report.apply.recovered_orders !== replayable) {
    f.push(`apply recovered ${report.apply.recovered_orders} of ${replayable} lost orders`);
  }
  f.push(...capacityFailures(report));
  return f;
}

/**
 * Issue 17: a failover and a failback raise the target Region's task counts before the traffic moves (the drill's
 * peak, 2 tasks per service, is above the 1 each service runs: there is always something to raise), and the failback
 * puts the counts back to their baseline after it. Judged only for a move whose traffic moved.
 */
function capacityFailures(report: DrillReport): string[] {
  const f: string[] = [];
  for (const move of report.readiness.moves) {
    if (move.traffic_moved_ms === null) continue;
    if (!move.raised_before_traffic) {
      f.push(
        move.raised.length === 0
          ? `the ${move.orchestration} moved traffic without raising any task count; expected: the target Region raised to its share of the other Region's peak first`
          : `the ${move.orchestration} raised task counts after the traffic moved (${move.raised
              .filter((c) => c.at_ms > move.traffic_moved_ms!)
              .map((c) => `${c.region} ${c.service} ${c.kind} at ${c.at_ms} ms`)
              .join(', ')}; traffic moved at ${move.traffic_moved_ms} ms)`,
      );
    }
    if (move.orchestration === 'failback' && move.restored.length === 0) {
      f.push('the failback did not put the task counts back to their baseline after the traffic moved');
    }
  }
  return f;
}
