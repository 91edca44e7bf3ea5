import { listIds, type ScoreFindings } from './score-findings';
import type { ScoreInput } from './score-input';

/**
 * What must hold for a score to mean anything; each unmet condition makes it INCONCLUSIVE: the fault fired, writes
 * were acknowledged before it, every report is there and complete, an orders table was compared, every order of
 * the ledger could be judged. Returns the time of the fault (ms), null when it never fired.
 */
export function failClosedChecks(
  input: ScoreInput,
  unjudged: readonly { orderId: string; why: string }[],
  findings: ScoreFindings,
): number | null {
  const { acks, timeline } = input;
  const inconclusive = findings.inconclusive;
  const faultMs = timeline.faultInjectedAt === null ? null : Date.parse(timeline.faultInjectedAt);
  if (faultMs === null) inconclusive.push('The fault never fired: no time of injection was recorded.');
  if (acks.length === 0) {
    inconclusive.push('Traffic never flowed: no write was acknowledged to a shopper.');
  } else if (faultMs !== null && !acks.some((a) => Date.parse(a.acknowledged_at) < faultMs)) {
    inconclusive.push('No write was acknowledged before the fault, so the run could not lose one.');
  }
  if (input.reports.length === 0) {
    inconclusive.push('There is no missing-transaction report: the snapshot never appeared or recover did not run.');
  }
  for (const { database, report } of input.reports) {
    if (report.status === 'complete') continue;
    const why = [
      ...(report.gaps ?? []).map((g) => `${g.table ?? 'the report'}: ${g.reason}`),
      ...(report.error ? [`${report.error.step}: ${report.error.message}`] : []),
    ];
    inconclusive.push(
      `The ${database} report is ${report.status}${why.length > 0 ? ` (${why.join('; ')})` : ''}, so it does not show that nothing else was lost.`,
    );
  }
  const comparedOrders = input.reports.some((r) => 'orders' in r.report.tables || 'public.orders' in r.report.tables);
  if (input.reports.length > 0 && !comparedOrders) {
    inconclusive.push('Nothing was compared: no report has an orders table.');
  }
  if (unjudged.length > 0) {
    inconclusive.push(
      `${unjudged.length} order(s) of the ledger could not be judged: ${listIds(
        unjudged.map((u) => `${u.orderId} (${u.why})`),
        3,
      )}.`,
    );
  }
  return faultMs;
}
