import type { DrillReport } from './drill-report';

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** The terminal summary at the end of a drill: one row per figure, then the verdict and where the reports are. */
export function summaryTable(report: DrillReport): string[] {
  const c = report.reconcile.counts;
  const rows: [string, string, string][] = [
    [
      'RTO',
      seconds(report.rto_ms),
      `target ≤ ${seconds(report.rto.target_ms)} (first failed request → first checkout)`,
    ],
    ['RPO', seconds(report.rpo_ms), 'last replicated heartbeat → last lost acknowledgment'],
    [
      'orders acknowledged',
      String(report.orders.acknowledged),
      `${report.requests.total} requests, ${report.requests.failed} failed`,
    ],
    ['stranded (--lost-writes)', String(report.stranded_requested), ''],
    ['acknowledged_lost', String(report.acknowledged_lost), 'acknowledged orders absent from the new primary'],
    [
      'reconcile lost inserts',
      String(report.reconcile.lost_inserts ?? '–'),
      `orders table, ${report.reconcile.possibly_lost ?? 0} of them possibly lost (written as replication stopped); report ${report.reconcile.status}`,
    ],
    [
      'reconcile all classes',
      c
        ? `${c.lost_insert}/${c.lost_update}/${c.possibly_lost}/${c.conflict}/${c.possible_duplicate}/${c.unexplained}`
        : '–',
      'lost_insert/lost_update/possibly_lost/conflict/possible_duplicate/unexplained, all tables',
    ],
    ['checkouts after failover', String(report.checkouts_after_failover), ''],
    [
      'canary',
      report.canary.status,
      report.canary.reason ?? report.canary.runs.map((r) => `${r.when} ${r.status}`).join(', '),
    ],
  ];
  if (report.apply) rows.push(['apply', report.apply.status, `${report.apply.recovered_orders} lost orders recovered`]);
  if (report.failback) {
    rows.push([
      'failback',
      report.failback.status,
      `checkouts served by ${report.failback.checkout_after_failback_region ?? 'nobody'}; ${report.failback.acknowledged_missing_after_failback} missing`,
    ]);
  }
  rows.push([
    'duration',
    seconds(report.duration_ms),
    `target ≤ 120 s on 2 cores; load ${report.machine.load_average_1m}`,
  ]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const rule = '─'.repeat(w0 + w1 + 40);
  return [
    '',
    rule,
    ...rows.map(([name, value, note]) => `${name.padEnd(w0)}  ${value.padStart(w1)}  ${note}`.trimEnd()),
    rule,
    `drill ${report.status.toUpperCase()}${report.failures.length ? ':' : ''}`,
    ...report.failures.map((f) => `  - ${f}`),
    `report: ${report.paths.html} · ${report.paths.json}`,
    ...(report.reconcile.report ? [`reconcile report: ${report.reconcile.report}`] : []),
  ];
}
