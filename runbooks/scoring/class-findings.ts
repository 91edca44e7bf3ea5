import { CLASS_WORDS, CUT_MARGIN_MS, type ExpectedOrder, SCORED_CLASSES, type ScoredClass } from './expected-classes';
import type { reportedOrders } from './reported-orders';
import { listIds, type ScoreFindings, seconds } from './score-findings';
import type { ScoreInput } from './score-input';
import type { ClassScore } from './score-run';

/** Whose an order the report lists is: unjudged, named by the ledger, the shoppers' without an ack, or not theirs. */
export type OrderOwner = 'unjudged' | 'ledger' | 'shoppers' | 'outside';

/** What {@link classFindings} reads. */
export interface ClassFindingsInput {
  readonly input: ScoreInput;
  readonly expected: readonly ExpectedOrder[];
  readonly classes: Readonly<Record<ScoredClass, ClassScore>>;
  readonly reported: ReturnType<typeof reportedOrders>;
  readonly whose: (orderId: string) => OrderOwner;
}

/**
 * What the report got right and wrong, class by class: misses and false positives fail the run; changes at the cut,
 * classes nothing exercised, lost updates held back as conflicts, the shoppers' writes without an acknowledgment
 * (up to the writes sent without an answer) and other traffic are deviations; unexplained differences fail it.
 * Returns the reported orders of the shoppers no acknowledgment names, and the reported orders of nobody's.
 */
export function classFindings(
  { input, expected, classes, reported, whose }: ClassFindingsInput,
  findings: ScoreFindings,
): { readonly unacknowledged: string[]; readonly outsideOrders: string[] } {
  const { failed, deviations } = findings;
  const atCut = expected.filter((e) => e.ambiguousAtCut).map((e) => e.orderId);
  if (atCut.length > 0) {
    deviations.push(
      `${atCut.length} change(s) were acknowledged within ${seconds(CUT_MARGIN_MS)} of the last replicated moment, so whether they replicated cannot be told: a conflict, a lost update or nothing is accepted for ${listIds(atCut)}.`,
    );
  }

  // A class no acknowledged write could have produced is not shown either way: say so, so that a PASSED is never
  // read as covering it (review 16d G13: the game day's shoppers place orders only).
  for (const scored of SCORED_CLASSES) {
    if (classes[scored].expected === 0) {
      deviations.push(
        `No ${CLASS_WORDS[scored]} was expected from the shoppers' writes: this run does not show that the report finds ${CLASS_WORDS[scored]}s.`,
      );
    }
  }

  // Recall and precision, per class.
  for (const scored of SCORED_CLASSES) {
    const { missed } = classes[scored];
    if (missed.length > 0) {
      const notListed = missed.filter((m) => m.reportedAs === null).map((m) => m.orderId);
      const otherClass = missed.filter((m) => m.reportedAs !== null).map((m) => `${m.orderId} as ${m.reportedAs}`);
      failed.push(
        `${missed.length} ${CLASS_WORDS[scored]}(s) the shoppers were told succeeded are not in the report as such: ${listIds([...notListed.map((id) => `${id} not listed`), ...otherClass])}.`,
      );
    }
  }
  for (const scored of SCORED_CLASSES) {
    const { falsePositives } = classes[scored];
    if (falsePositives.length > 0) {
      failed.push(
        `The report lists ${falsePositives.length} order(s) as ${CLASS_WORDS[scored]} that the shoppers' writes do not explain: ${listIds(falsePositives.map((f) => `${f.orderId} (${f.expected === null ? 'nothing of it was lost' : f.expected === "not-the-shoppers'" ? 'no shopper wrote it' : `expected ${f.expected}`})`))}.`,
      );
    }
  }
  for (const e of expected) {
    const order = reported.orders.get(e.orderId);
    if (e.expected === 'lost_update' && order?.class === 'conflict') {
      deviations.push(`Lost update ${e.orderId} is reported as a conflict (held back for a person to decide).`);
    }
    if (e.expected === 'possible_duplicate' && order?.duplicateOf && order.duplicateOf !== e.replacedBy) {
      deviations.push(
        `Possible duplicate ${e.orderId} names ${order.duplicateOf} as its re-placed order; the shopper re-placed it as ${e.replacedBy}.`,
      );
    }
  }
  if (reported.unexplained.length > 0) {
    failed.push(
      `The report has ${reported.unexplained.length} unexplained difference(s): ${listIds(reported.unexplained.map((r) => `${r.database}.${r.table} ${r.id}`))}.`,
    );
  }
  const unacknowledged = [...reported.orders.keys()].filter((id) => whose(id) === 'shoppers').sort();
  if (unacknowledged.length > 0) {
    const limit = input.unacknowledgedWrites;
    if (limit !== null && unacknowledged.length > limit) {
      failed.push(
        `The report lists ${unacknowledged.length} order(s) of the shoppers that no acknowledgment names, more than the ${limit} write(s) sent without an answer: ${listIds(unacknowledged)}.`,
      );
    } else {
      deviations.push(
        `The report lists ${unacknowledged.length} order(s) of the shoppers sent without an acknowledgment${limit === null ? ' (how many were sent so is not known)' : ''}: ${listIds(unacknowledged)}.`,
      );
    }
  }
  const outsideOrders = [...reported.orders.keys()].filter((id) => whose(id) === 'outside').sort();
  if (!input.onlySyntheticTraffic && (outsideOrders.length > 0 || reported.otherRows.length > 0)) {
    deviations.push(
      `${outsideOrders.length} reported order(s) and ${reported.otherRows.length} other row(s) are not the shoppers' writes (other traffic): listed in the report, not scored.`,
    );
  } else if (reported.otherRows.length > 0) {
    deviations.push(
      `${reported.otherRows.length} reported row(s) belong to no order: listed in the report, not scored.`,
    );
  }
  return { unacknowledged, outsideOrders };
}
