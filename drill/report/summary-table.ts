import path from 'node:path';
import { CLASS_WORDS, percent, SCORED_CLASSES } from '../../runbooks/scoring/expected-classes';
import { utcTime } from './drill-html';
import type { DrillReport } from './drill-report';
import { describeErrors, drillHeadline, errorsByPhase, nextSteps } from './headline';
import { canarySkippedNote, describeCapacityMove } from './readiness-figures';

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** Lost orders listed in the terminal; drill.html lists them all. */
const LOST_ORDERS_SHOWN = 10;

/**
 * The terminal summary at the end of a drill: one row per figure, the lost orders (customer, amount, time), the
 * verdict, the headline sentence (what happened, whether anything was lost), the next steps with their commands,
 * and where the reports are.
 */
export function summaryTable(report: DrillReport): string[] {
  const c = report.reconcile.counts;
  const errors = errorsByPhase(report);
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
    ...scoreRow(report),
    ...readinessRows(report),
    ['checkouts after failover', String(report.checkouts_after_failover), ''],
    [
      'canary',
      report.canary.status,
      report.canary.reason ?? report.canary.runs.map((r) => `${r.when} ${r.status}`).join(', '),
    ],
  ];
  if (report.apply) rows.push(['apply', report.apply.status, `${report.apply.recovered_orders} lost orders recovered`]);
  if (errors.failover)
    rows.push(['failed requests, failover', String(errors.failover.failed), describeErrors(errors.failover)]);
  if (report.failback) {
    rows.push([
      'failback',
      report.failback.status,
      `checkouts served by ${report.failback.checkout_after_failback_region ?? 'nobody'}; ${report.failback.acknowledged_missing_after_failback} missing`,
    ]);
  }
  if (report.failback?.readiness_overrides) {
    const o = report.failback.readiness_overrides;
    rows.push(['failback readiness', 'overridden', `${o.reason}: ${o.conditions.join(', ')} overridden`]);
  }
  if (errors.failback) {
    rows.push([
      'failed requests, failback',
      String(errors.failback.failed),
      `${describeErrors(errors.failback)}; planned, RPO 0`,
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
    ...report.lost_orders
      .slice(0, LOST_ORDERS_SHOWN)
      .map(
        (o) =>
          `lost order ${o.id}: ${utcTime(o.placed_at)}, ${o.customer_name ?? o.customer_id ?? 'customer unknown'}, ${o.amount ?? 'amount unknown'}${o.class === 'possibly_lost' ? ' (possibly lost)' : o.class === null ? ' (not in the reconcile report)' : ''}`,
      ),
    ...(report.lost_orders.length > LOST_ORDERS_SHOWN
      ? [`… and ${report.lost_orders.length - LOST_ORDERS_SHOWN} more lost orders in drill.html`]
      : []),
    rule,
    `drill ${report.status.toUpperCase()}${report.failures.length ? ':' : ''}`,
    ...report.failures.map((f) => `  - ${f}`),
    drillHeadline(report).text,
    ...nextSteps(report).map((step) => `next: ${step}`),
    `report: ${report.paths.html} · ${report.paths.json}`,
    ...(report.reconcile.report ? [`reconcile report: ${report.reconcile.report}`] : []),
    ...(report.evidence
      ? [
          `evidence: ${report.evidence.html} (check it: cd ${path.dirname(report.evidence.sha256)} && sha256sum -c ${path.basename(report.evidence.sha256)})`,
        ]
      : []),
  ];
}

/**
 * Issue 17: the readiness preflight (each Region's verdict; each check that is not GREEN is among the failures) and
 * what each traffic move did to the task counts.
 */
function readinessRows(report: DrillReport): [string, string, string][] {
  const preflight = report.readiness.preflight;
  const rows: [string, string, string][] = [];
  if (preflight) {
    rows.push([
      'readiness preflight',
      preflight.verdict,
      Object.entries(preflight.regions)
        .map(
          ([region, r]) =>
            `${region} ${r.verdict} (${r.checks.filter((c) => c.verdict === 'GREEN').length}/${r.checks.length} checks green)`,
        )
        .join(', ')
        .concat(canarySkippedNote(report)),
    ]);
  }
  for (const move of report.readiness.moves)
    rows.push([
      `task counts, ${move.orchestration}`,
      move.raised_before_traffic ? 'raised first' : 'NOT raised first',
      describeCapacityMove(move),
    ]);
  return rows;
}

/** The score of the drill by runbooks/scoring (the game day's): verdict, recall, precision, found/expected by class. */
function scoreRow(report: DrillReport): [string, string, string][] {
  const score = report.score;
  if (!score) return [];
  const classes = SCORED_CLASSES.map((c) => `${CLASS_WORDS[c]} ${score.classes[c].found}/${score.classes[c].expected}`);
  return [
    [
      'score',
      score.verdict,
      `recall ${percent(score.recall)}, precision ${percent(score.precision)}: ${classes.join(', ')} (runbooks/scoring, as on a game day)`,
    ],
  ];
}
