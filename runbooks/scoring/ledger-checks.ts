import { type AcknowledgedWrite, ISO_INSTANT } from './acknowledged-write';
import { listIds, type ScoreFindings } from './score-findings';
import type { ScoreInput } from './score-input';

/** Whether a report's cut can be read as one instant everywhere (review 16c S9). */
export const isInstant = (cut: string) => ISO_INSTANT.test(cut) && !Number.isNaN(Date.parse(cut));

/** A report's cut that is not one instant (no zone, not a time) leaves the last replicated moment unknown. */
export function checkReportCuts(input: ScoreInput, findings: ScoreFindings): void {
  for (const { database, report } of input.reports) {
    if (report.cut !== null && !isInstant(report.cut)) {
      findings.inconclusive.push(
        `The ${database} report's cut ${JSON.stringify(report.cut)} is not an ISO 8601 time with a zone (such as "2026-12-07T05:00:30Z"): the last replicated moment is not known.`,
      );
    }
  }
}

/** The last replicated moment: the orders report's cut, else the earliest readable cut; null when none is known. */
export function lastReplicatedMoment(input: ScoreInput): string | null {
  const orders = input.reports.find((r) => r.database === 'orders');
  if (orders) return orders.report.cut !== null && isInstant(orders.report.cut) ? orders.report.cut : null;
  const cuts = input.reports.map((r) => r.report.cut).filter((c): c is string => c !== null && isInstant(c));
  return cuts.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
}

/**
 * Review 16c S10: one request is acknowledged once. A (kind, request id) seen again is a replayed or forged line, or
 * a ledger object stored twice: the ledger cannot be trusted as it is.
 */
export function checkRepeatedRequests(acks: readonly AcknowledgedWrite[], findings: ScoreFindings): void {
  const byRequest = new Map<string, AcknowledgedWrite[]>();
  for (const ack of acks) {
    const key = `${ack.kind}\u0000${ack.request_id}`;
    byRequest.set(key, [...(byRequest.get(key) ?? []), ack]);
  }
  const repeated = [...byRequest.values()].filter((same) => same.length > 1);
  for (const kind of new Set(repeated.map((same) => (same[0] as AcknowledgedWrite).kind))) {
    const ofKind = repeated.filter((same) => (same[0] as AcknowledgedWrite).kind === kind);
    findings.inconclusive.push(
      `${ofKind.length} request id(s) appear in more than one ${kind} acknowledgment (a replayed or forged ledger line, or a duplicate ledger object): ${listIds(
        ofKind.map(
          (same) =>
            `${(same[0] as AcknowledgedWrite).request_id} (${same.length} times: ${same.map((a) => a.order_id).join(', ')})`,
        ),
      )}.`,
    );
  }
}

/**
 * An order re-placed (`order_replaced`) whose own acknowledgment is not in the ledger cannot be judged: it joins
 * `unjudged` and the ledger's ids (so the report's listing of it is not a false positive).
 */
export function unjudgedReplacedOrders(
  acks: readonly AcknowledgedWrite[],
  ledgerIds: Set<string>,
  unjudged: { orderId: string; why: string }[],
): void {
  for (const ack of acks) {
    if (ack.replaces && !ledgerIds.has(ack.replaces)) {
      unjudged.push({
        orderId: ack.replaces,
        why: `re-placed as ${ack.order_id}, but its own acknowledgment is not in the ledger`,
      });
      ledgerIds.add(ack.replaces);
    }
  }
}
