import type { TrafficGenerator } from '../traffic/traffic-generator';
import type { DrillReport } from './drill-report';

const iso = (ms: number | undefined | null) => (ms === undefined || ms === null ? null : new Date(ms).toISOString());

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** Fills the traffic figures of drill.json (orders, requests, RTO, RPO, traffic per second) from the generator's records. */
export function fillTrafficFigures(
  report: DrillReport,
  traffic: TrafficGenerator,
  t: {
    cutAt?: number | undefined;
    faultAt?: number | undefined;
    failoverEndAt?: number | undefined;
    strandedIds: readonly string[];
    startedAt: number;
  },
): void {
  const { orders, requests } = traffic;
  const lost = new Set(report.acknowledged_lost_ids);
  const lostOrders = orders.filter((o) => lost.has(o.orderId)).sort((a, b) => a.ackAt - b.ackAt);
  report.orders = {
    acknowledged: orders.length,
    acknowledged_before_cut: t.cutAt === undefined ? orders.length : orders.filter((o) => o.ackAt <= t.cutAt!).length,
    acknowledged_stranded: t.strandedIds.length,
    acknowledged_after_fault: t.faultAt === undefined ? 0 : orders.filter((o) => o.ackAt > t.faultAt!).length,
    regions_after_fault: countBy(
      t.faultAt === undefined ? [] : orders.filter((o) => o.ackAt > t.faultAt!).map((o) => o.region),
    ),
    unacknowledged_submits: traffic.unacknowledgedSubmits,
    unacknowledged_submits_before_fault: traffic.journeys.filter(
      (j) =>
        j.unacknowledgedSubmit &&
        (t.faultAt === undefined || j.requests.some((r) => r.step === 'submit' && r.at < t.faultAt!)),
    ).length,
  };
  report.requests = {
    total: requests.length,
    failed: requests.filter((r) => !r.ok).length,
    failed_after_fault: t.faultAt === undefined ? 0 : requests.filter((r) => !r.ok && r.at >= t.faultAt!).length,
  };
  report.checkouts_after_failover =
    t.failoverEndAt === undefined ? 0 : orders.filter((o) => o.ackAt > t.failoverEndAt!).length;
  report.rto.fault_at = iso(t.faultAt);
  report.rpo.replication_cut_at = iso(t.cutAt);
  if (t.faultAt !== undefined) {
    const firstFailed = requests.filter((r) => !r.ok && r.at >= t.faultAt!).sort((a, b) => a.at - b.at)[0];
    report.rto.first_failed_request_at = iso(firstFailed?.at);
    const checkout = report.rto.first_checkout_after_fault_at;
    if (firstFailed && checkout) report.rto_ms = Date.parse(checkout) - firstFailed.at;
  }
  if (lostOrders.length > 0) {
    const first = lostOrders[0]!.ackAt;
    const last = lostOrders[lostOrders.length - 1]!.ackAt;
    report.rpo.first_lost_ack_at = iso(first);
    report.rpo.last_lost_ack_at = iso(last);
    report.rpo.lost_acks_span_ms = last - first;
    const cut = report.rpo.last_replicated_heartbeat ? Date.parse(report.rpo.last_replicated_heartbeat) : t.cutAt;
    report.rpo_ms = cut === undefined ? 0 : Math.max(0, last - cut);
  }
  const seconds = new Map<number, { ok: number; failed: number; orders: number; lost: number }>();
  const bucket = (ms: number) => {
    const s = Math.floor((ms - t.startedAt) / 1000);
    let b = seconds.get(s);
    if (!b) {
      b = { ok: 0, failed: 0, orders: 0, lost: 0 };
      seconds.set(s, b);
    }
    return b;
  };
  for (const r of requests) {
    const b = bucket(r.at);
    if (r.ok) b.ok++;
    else b.failed++;
  }
  for (const o of orders) {
    const b = bucket(o.ackAt);
    b.orders++;
    if (lost.has(o.orderId)) b.lost++;
  }
  report.traffic_per_second.push(
    ...[...seconds.entries()].sort((a, b) => a[0] - b[0]).map(([second, b]) => ({ t: second, ...b })),
  );
}
