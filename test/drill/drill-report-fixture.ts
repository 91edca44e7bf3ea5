import { type DrillReport, newDrillReport } from '../../drill/report/drill-report';
import { READINESS_CHECKS } from '../../runbooks/readiness/readiness-checks';
import { emptyCounts } from '../../runbooks/reconcile';

/** The lost orders of the fixture: 5 acknowledged orders, each 4 rows (order, item, address, event). */
export const LOST_ORDER_IDS = [1, 2, 3, 4, 5].map((n) => `01a24e5f-4a18-748a-843e-8cb2f568705${n}`);

const START = Date.parse('2026-12-07T02:39:00.000Z');

/**
 * A drill.json as a 60-second `--failback` drill of 5 orders/s writes it (shaped after a real run): 5 acknowledged
 * orders stranded and lost (20 rows, 2 orders possibly lost), failed requests in the unplanned failover (12–13 s)
 * and in the planned failback (46–51 s), 15 markers of which 7 fall within 0.3 s. `apply` replays them unless
 * `apply: false`.
 */
export function fixtureDrillReport(options: { apply?: boolean; failback?: boolean; out?: string } = {}): DrillReport {
  const apply = options.apply ?? true;
  const failback = options.failback ?? true;
  const out = options.out ?? '/tmp/drill-out';
  const report = newDrillReport(
    { ci: true, out, orderRate: 5, lostWrites: 5, apply, failback, seed: 7, routingMode: 'arc-cluster' as const },
    START,
    'us-east-1',
    'us-west-2',
    {
      json: `${out}/drill.json`,
      html: `${out}/drill.html`,
      reconcile: `${out}/reconcile`,
      runbook: `${out}/runbook`,
    },
  );
  const duration = failback ? 60_400 : 40_200;
  report.status = 'passed';
  report.finished_at = new Date(START + duration).toISOString();
  report.duration_ms = duration;
  report.front_door = 'http://127.0.0.1:44285';
  report.rto_ms = 900;
  report.rto.fault_at = new Date(START + 12_377).toISOString();
  report.rto.first_failed_request_at = new Date(START + 12_390).toISOString();
  report.rto.first_checkout_after_fault_at = new Date(START + 13_290).toISOString();
  report.rto.detected_at = new Date(START + 12_917).toISOString();
  report.rto.failover_started_at = new Date(START + 12_918).toISOString();
  report.rto.failover_finished_at = new Date(START + 13_231).toISOString();
  report.rpo_ms = 1500;
  report.acknowledged_lost = 5;
  report.acknowledged_lost_ids = [...LOST_ORDER_IDS];
  report.lost_orders = LOST_ORDER_IDS.map((id, i) => ({
    id,
    class: i < 3 ? 'lost_insert' : 'possibly_lost',
    acknowledged: true,
    customer_id: `286a6653-9c7d-4e10-ba39-a459cb5e85f${i}`,
    customer_name: ['Annie Jackson', 'Bo Li', 'Carmen Díaz', 'Dev Patel', 'Eve Okafor'][i]!.concat(
      ` <customer${i}@example.com>`,
    ),
    amount: `${(42.8 + i * 10).toFixed(2)} USD`,
    placed_at: new Date(START + 11_900 + i * 100).toISOString(),
    items: [`${i + 1} × Merino Wool Socks`],
  }));
  report.orders = {
    acknowledged: 180,
    acknowledged_before_cut: 40,
    acknowledged_stranded: 5,
    acknowledged_after_fault: 135,
    regions_after_fault: failback ? { 'us-west-2': 60, 'us-east-1': 75 } : { 'us-west-2': 135 },
    unacknowledged_submits: 3,
    unacknowledged_submits_before_fault: 0,
  };
  report.checkouts_after_failover = 130;
  const counts = { ...emptyCounts(), identical: 400, lost_insert: 12, possibly_lost: 8 };
  report.reconcile = {
    status: 'complete',
    report: `${out}/reconcile/orders/report.html`,
    lost_inserts: 5,
    possibly_lost: 2,
    unexplained: 0,
    counts,
    databases: {
      orders: {
        status: 'complete',
        summary: 'identical 355, lost_insert 12, possibly_lost 8',
        cut: new Date(START + 11_797).toISOString(),
        cut_source: 'handover',
        window_start: new Date(START + 11_797 - 300_000).toISOString(),
        totals: { ...counts, identical: 355 },
        tables: {
          orders: { ...emptyCounts(), identical: 175, lost_insert: 3, possibly_lost: 2 },
          order_items: { ...emptyCounts(), identical: 60, lost_insert: 3, possibly_lost: 2 },
          shipping_addresses: { ...emptyCounts(), identical: 60, lost_insert: 3, possibly_lost: 2 },
          order_events: { ...emptyCounts(), identical: 60, lost_insert: 3, possibly_lost: 2 },
        },
        report_dir: `${out}/reconcile/orders`,
        report_html: `${out}/reconcile/orders/report.html`,
        lost_order_ids: [...LOST_ORDER_IDS],
        lost_write_report_ms: 84,
        total_ms: 96,
        error: null,
      },
      catalog: {
        status: 'complete',
        summary: 'identical 45',
        cut: new Date(START + 11_797).toISOString(),
        cut_source: 'handover',
        window_start: new Date(START + 11_797 - 300_000).toISOString(),
        totals: { ...emptyCounts(), identical: 45 },
        tables: { products: { ...emptyCounts(), identical: 45 } },
        report_dir: `${out}/reconcile/catalog`,
        report_html: `${out}/reconcile/catalog/report.html`,
        lost_order_ids: [],
        lost_write_report_ms: 10,
        total_ms: 20,
        error: null,
      },
    },
  };
  if (apply) {
    report.apply = {
      status: 'applied',
      recovered_orders: 5,
      inserted: 20,
      updated: 0,
      events_written: 5,
      error: null,
    };
  }
  if (failback) {
    report.failback = {
      status: 'succeeded',
      description: 'us-east-1 was rebuilt as a standby Region, then the failback orchestration ran.',
      rejoin: { orders: 'followed-new-timeline', catalog: 'followed-new-timeline' },
      checkout_after_failback_region: 'us-east-1',
      acknowledged_missing_after_failback: 0,
      // As a drill without Chromium fails back (the canary below is skipped): no canary alarm to judge.
      readiness_overrides: {
        conditions: ['healthy-long-enough', 'canaries-green'],
        reason: 'canary skipped (no Chromium: CHROMIUM_PATH=/opt/chromium does not exist)',
      },
    };
  }
  report.canary = { status: 'skipped', reason: 'CHROMIUM_PATH=/opt/chromium does not exist', runs: [] };
  // Issue 17: the preflight GREEN in both Regions; the failover raised us-west-2 before the traffic moved, the
  // failback raised us-east-1 first and put the counts back after.
  const green = READINESS_CHECKS.map((c) => ({ name: c.name, verdict: 'GREEN' as const, failures: [], unknowns: [] }));
  report.readiness.preflight = {
    verdict: 'GREEN',
    record: `${out}/runbook/reports/readiness/latest.json`,
    failures: [],
    regions: { 'us-east-1': { verdict: 'GREEN', checks: green }, 'us-west-2': { verdict: 'GREEN', checks: green } },
  };
  const change = (
    at_ms: number,
    region: string,
    service: string,
    kind: 'desired' | 'minimum',
    from: number,
    to: number,
  ) => ({
    at_ms,
    region,
    service,
    kind,
    from,
    to,
  });
  const services = ['ui', 'catalog', 'carts', 'orders', 'checkout'];
  const failoverRaise = services.flatMap((s) => [
    change(12_921, 'us-west-2', s, 'minimum', 1, 2),
    change(12_921, 'us-west-2', s, 'desired', 1, 2),
  ]);
  report.readiness.moves.push({
    orchestration: 'failover',
    traffic_moved_ms: 13_180,
    raised: failoverRaise,
    raised_before_traffic: true,
    restored: [],
  });
  if (failback) {
    report.readiness.moves.push({
      orchestration: 'failback',
      traffic_moved_ms: 52_030,
      raised: services.flatMap((s) => [
        change(45_600, 'us-east-1', s, 'minimum', 1, 2),
        change(45_600, 'us-east-1', s, 'desired', 1, 2),
      ]),
      raised_before_traffic: true,
      restored: services.flatMap((s) => [
        change(52_040, 'us-east-1', s, 'minimum', 2, 1),
        change(52_040, 'us-west-2', s, 'minimum', 2, 1),
        change(52_040, 'us-west-2', s, 'desired', 2, 1),
      ]),
    });
  }
  report.readiness.capacity_changes.push(...report.readiness.moves.flatMap((m) => [...m.raised, ...m.restored]));
  const phase = (name: string, started_ms: number, finished_ms: number, detail = '') => ({
    name,
    started_ms,
    finished_ms,
    status: 'ok',
    detail,
  });
  report.phases.push(
    phase('start', 15, 7236),
    phase('warm-up', 7237, 11532),
    phase('cut', 11532, 11797),
    phase('strand', 11797, 12377),
    phase('fault', 12377, 12502),
    phase('detect', 12502, 12917),
    phase('failover', 12918, 13231),
    phase('serve', 13231, 14815),
    phase('count', 14815, 14958),
    phase('recover', 14995, 20765),
    ...(apply ? [phase('apply', 20775, 21830)] : []),
    ...(failback
      ? [phase('failback', 28_000, 53_000), phase('settle', 53_000, 60_300)]
      : [phase('settle', 22_000, 40_000)]),
  );
  const mark = (kind: string, label: string, at_ms: number) => report.markers.push({ kind, label, at_ms });
  mark('fault', 'replication cut', 11797);
  mark('fault', 'us-east-1 fails', 12377);
  mark('detect', 'us-east-1 detected down', 12917);
  mark('routing', 'routing controls: us-east-1 Off, us-west-2 On', 12924);
  mark('database', 'shop-drill-orders: us-west-2 promoted (unplanned); us-east-1 is pending-resync', 13056);
  mark('database', 'shop-drill-catalog: us-west-2 promoted (unplanned); us-east-1 is pending-resync', 13073);
  mark('rto', 'first checkout after the fault', 13210);
  mark('recovery', 'us-east-1 back: snapshots of the old primaries', 14995);
  if (apply) mark('recovery', 'apply: 5 orders recovered', 21830);
  if (failback) {
    mark('database', 'shop-drill-catalog: us-east-1 rebuilt as a standby of us-west-2', 45_441);
    mark('database', 'shop-drill-orders: us-east-1 rebuilt as a standby of us-west-2', 45_464);
    mark('database', 'us-east-1 rebuilt: Postgres standbys of the writers, dynalite copied, services started', 45_470);
    mark(
      'database',
      'shop-drill-catalog: switched over to us-east-1; us-west-2 is a standby (followed-new-timeline)',
      51_845,
    );
    mark(
      'database',
      'shop-drill-orders: switched over to us-east-1; us-west-2 is a standby (followed-new-timeline)',
      51_949,
    );
    mark('routing', 'routing controls: us-east-1 On, us-west-2 Off', 52_032);
  }
  report.runbook_steps.push(
    { label: 'failover · validate-input', started_ms: 12920, finished_ms: 12922, status: 'ok', detail: 'members' },
    { label: 'failover · promote', started_ms: 12924, finished_ms: 13200, status: 'ok', detail: 'promoted' },
    { label: 'recover · reconcile-orders', started_ms: 15000, finished_ms: 20700, status: 'ok', detail: 'complete' },
    ...(failback
      ? [{ label: 'failback · switchover', started_ms: 45_500, finished_ms: 52_000, status: 'ok', detail: 'done' }]
      : []),
  );
  // Traffic: 5 orders/s, ~7 requests per order; none from the count to the failback (paused).
  for (let t = 7; t < duration / 1000 - 1; t++) {
    const paused = t >= 15 && t < 28 && failback;
    if (paused || (!failback && t >= 15 && t < 22)) continue;
    const failover = t === 12 ? 8 : t === 13 ? 4 : 0;
    const failbackErrors = failback && t >= 46 && t <= 51 ? 15 : 0;
    const failed = failover + failbackErrors;
    const orders = failed > 10 ? 0 : t === 11 || t === 12 ? 3 : 5;
    report.traffic_per_second.push({ t, ok: 35 - failed, failed, orders, lost: t === 11 ? 2 : t === 12 ? 3 : 0 });
  }
  report.requests = {
    total: report.traffic_per_second.reduce((n, s) => n + s.ok + s.failed, 0),
    failed: report.traffic_per_second.reduce((n, s) => n + s.failed, 0),
    failed_after_fault: report.traffic_per_second.filter((s) => s.t >= 12).reduce((n, s) => n + s.failed, 0),
  };
  return report;
}
