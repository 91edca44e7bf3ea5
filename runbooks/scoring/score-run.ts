import type { ReportedClass } from '../reconcile/report';
import { ACK_KINDS, type AckKind, type AcknowledgedWrite, ISO_INSTANT } from './acknowledged-write';
import {
  CLASS_WORDS,
  CUT_MARGIN_MS,
  type ExpectedOrder,
  expectedClasses,
  SCORED_CLASSES,
  type ScoredClass,
} from './expected-classes';
import { type RpoScore, type RtoScore, rpoScore, rtoScore } from './recovery-times';
import { type ReportedOrder, type RowRef, reportedOrders } from './reported-orders';
import type { ScoreInput } from './score-input';

/** Format tag of a {@link RunScore}. */
export const RUN_SCORE_FORMAT = 'multi-region-shop/run-score@1';

/** The three verdicts of a drill or a game day. */
export type RunVerdict = 'PASSED' | 'FAILED' | 'INCONCLUSIVE';

/**
 * The report classes that count as finding an order of each scored class. A lost update listed as `conflict` is
 * found: reconcile holds a lost update back as a conflict when the new primary's clock may be slow (a person
 * decides; nothing is dropped silently); it is named in the deviations.
 */
export const ACCEPTED_REPORT_CLASSES: Readonly<Record<ScoredClass, readonly ReportedClass[]>> = {
  lost_insert: ['lost_insert', 'possibly_lost'],
  lost_update: ['lost_update', 'conflict'],
  possible_duplicate: ['possible_duplicate'],
  conflict: ['conflict'],
};

/** Which scored class a report class is counted in for precision. */
const SCORED_CLASS_OF: Partial<Record<ReportedClass, ScoredClass>> = {
  lost_insert: 'lost_insert',
  possibly_lost: 'lost_insert',
  lost_update: 'lost_update',
  possible_duplicate: 'possible_duplicate',
  conflict: 'conflict',
};

/** An order the report should list in a class and does not. */
export interface ClassMiss {
  readonly orderId: string;
  /** The class the report gives it, or null when it does not list it. */
  readonly reportedAs: ReportedClass | null;
}

/** An order the report lists in a class that the shoppers' writes do not explain. */
export interface FalsePositive {
  readonly orderId: string;
  readonly reportedAs: ReportedClass;
  /** The class the ledger expects (null: nothing of it was lost), or `not-the-shoppers'` for an order no shopper wrote. */
  readonly expected: ScoredClass | null | "not-the-shoppers'";
}

/** Recall and precision of one class. */
export interface ClassScore {
  /** Orders the ledger says the report must list in this class. */
  readonly expected: number;
  readonly found: number;
  /** found / expected; null when nothing was expected. */
  readonly recall: number | null;
  readonly missed: readonly ClassMiss[];
  /** Orders the report lists in this class and the scoring can judge. */
  readonly reported: number;
  readonly correct: number;
  /** correct / reported; null when the report lists none. */
  readonly precision: number | null;
  readonly falsePositives: readonly FalsePositive[];
}

/** A re-placed order whose original is on the primary too: the shopper has two orders. */
export interface Duplicate {
  readonly original: string;
  readonly replacement: string;
  /** `after recovery` when a replay brought the original back; `on the new primary` when it never left. */
  readonly seen: 'after recovery' | 'on the new primary';
}

/** What {@link scoreRun} finds. Plain data: written into drill.json and evidence.json as it is. */
export interface RunScore {
  readonly format: typeof RUN_SCORE_FORMAT;
  readonly verdict: RunVerdict;
  /** One sentence per reason for the verdict (for PASSED: what was shown). */
  readonly reasons: readonly string[];
  /** What did not decide the verdict but an auditor should see, one sentence each. */
  readonly deviations: readonly string[];
  readonly acknowledged: { readonly writes: number; readonly orders: number; readonly byKind: Record<AckKind, number> };
  readonly reports: readonly {
    readonly database: string;
    readonly status: string;
    readonly cut: string | null;
    readonly tables: number;
  }[];
  readonly classes: Readonly<Record<ScoredClass, ClassScore>>;
  /** Over every class: found / expected; null when nothing was expected. */
  readonly recall: number | null;
  /** Over every class: correct / reported; null when the report lists nothing judged. */
  readonly precision: number | null;
  /** The orders the ledger says were lost in some way, with the class expected, sorted by id. */
  readonly expected: readonly { readonly orderId: string; readonly class: ScoredClass; readonly why: string }[];
  readonly duplicates: readonly Duplicate[];
  readonly unexplained: readonly RowRef[];
  /** Orders of the shoppers the report lists that the ledger does not name (writes without an acknowledgment). */
  readonly unacknowledged: readonly string[];
  /** Reported orders and other rows that are not the shoppers' (real traffic, other tables). */
  readonly outside: { readonly orders: readonly string[]; readonly rows: number };
  /** Orders the ledger names that could not be judged, and why. */
  readonly unjudged: readonly { readonly orderId: string; readonly why: string }[];
  readonly rto: RtoScore;
  readonly rpo: RpoScore;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "a, b, c and 4 more". */
export function listIds(ids: readonly string[], max = 5): string {
  if (ids.length <= max) return ids.join(', ');
  return `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

/** Whether a report's cut can be read as one instant everywhere (review 16c S9). */
const isInstant = (cut: string) => ISO_INSTANT.test(cut) && !Number.isNaN(Date.parse(cut));

function lastReplicatedMoment(input: ScoreInput): string | null {
  const orders = input.reports.find((r) => r.database === 'orders');
  if (orders) return orders.report.cut !== null && isInstant(orders.report.cut) ? orders.report.cut : null;
  const cuts = input.reports.map((r) => r.report.cut).filter((c): c is string => c !== null && isInstant(c));
  return cuts.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
}

function classScores(
  expected: readonly ExpectedOrder[],
  reported: ReadonlyMap<string, ReportedOrder>,
  judged: (orderId: string) => 'ledger' | 'unjudged' | 'shoppers' | 'outside',
  onlySyntheticTraffic: boolean,
): Record<ScoredClass, ClassScore> {
  const expectedById = new Map(expected.map((e) => [e.orderId, e]));
  const result = {} as Record<ScoredClass, ClassScore>;
  for (const scored of SCORED_CLASSES) {
    const wanted = expected.filter((e) => e.expected === scored);
    const missed: ClassMiss[] = [];
    for (const e of wanted) {
      const order = reported.get(e.orderId);
      if (!order || !ACCEPTED_REPORT_CLASSES[scored].includes(order.class)) {
        missed.push({ orderId: e.orderId, reportedAs: order?.class ?? null });
      }
    }
    const falsePositives: FalsePositive[] = [];
    let reportedCount = 0;
    for (const order of [...reported.values()].sort((a, b) => a.orderId.localeCompare(b.orderId))) {
      if (SCORED_CLASS_OF[order.class] !== scored) continue;
      const whose = judged(order.orderId);
      if (whose === 'unjudged' || whose === 'shoppers' || (whose === 'outside' && !onlySyntheticTraffic)) continue;
      reportedCount++;
      if (whose === 'outside') {
        falsePositives.push({ orderId: order.orderId, reportedAs: order.class, expected: "not-the-shoppers'" });
        continue;
      }
      const truth = expectedById.get(order.orderId)?.expected ?? null;
      // A change acknowledged at the cut (review 16c S5): a conflict or a lost update is no false positive.
      const atCut =
        expectedById.get(order.orderId)?.ambiguousAtCut === true &&
        (order.class === 'conflict' || SCORED_CLASS_OF[order.class] === 'lost_update');
      if (!atCut && (truth === null || !ACCEPTED_REPORT_CLASSES[truth].includes(order.class))) {
        falsePositives.push({ orderId: order.orderId, reportedAs: order.class, expected: truth });
      }
    }
    result[scored] = {
      expected: wanted.length,
      found: wanted.length - missed.length,
      recall: ratio(wanted.length - missed.length, wanted.length),
      missed,
      reported: reportedCount,
      correct: reportedCount - falsePositives.length,
      precision: ratio(reportedCount - falsePositives.length, reportedCount),
      falsePositives,
    };
  }
  return result;
}

/**
 * Scores a failover run (the local drill or a game day on AWS) against what its synthetic shoppers were told. Pure:
 * no I/O, the same input gives the same score.
 *
 * - Recall: every order the ledger says was lost (an acknowledged order absent from the new primary, an
 *   acknowledged cancel or address change the new primary lacks, a change on both sides, an order the shopper
 *   placed again) is in the missing-transaction report in its class ({@link ACCEPTED_REPORT_CLASSES}).
 * - Precision: nothing the shoppers never wrote is reported lost. A reported order the ledger names must be
 *   expected in that class. A reported order of the shoppers the ledger does not name (a write sent without an
 *   acknowledgment) is counted apart and fails the run only beyond {@link ScoreInput.unacknowledgedWrites}. An
 *   order no shopper wrote (real traffic) is not scored, unless {@link ScoreInput.onlySyntheticTraffic} says
 *   nothing else wrote: then it is a false positive. Rows that belong to no order are counted, not scored.
 * - Duplicates: a re-placed order whose original is on the primary after recovery.
 * - RTO in phases, RPO from the data against `AuroraGlobalDBRPOLag` before the fault and the target.
 *
 * Fails closed: the fault never fired, no acknowledged write (traffic never flowed) or none before the fault, no
 * report, a report that is not complete, no `orders` table compared, an order not looked up → INCONCLUSIVE, never
 * PASSED.
 */
export function scoreRun(input: ScoreInput): RunScore {
  const inconclusive: string[] = [];
  const failed: string[] = [];
  const deviations: string[] = [];
  const { acks, timeline } = input;
  for (const { database, report } of input.reports) {
    if (report.cut !== null && !isInstant(report.cut)) {
      inconclusive.push(
        `The ${database} report's cut ${JSON.stringify(report.cut)} is not an ISO 8601 time with a zone (such as "2026-12-07T05:00:30Z"): the last replicated moment is not known.`,
      );
    }
  }
  const cut = lastReplicatedMoment(input);
  const cutMs = cut === null ? null : Date.parse(cut);
  const { orders: expected, unjudged } = expectedClasses(acks, input.newPrimary, cutMs);
  const ledgerIds = new Set(acks.map((a) => a.order_id));
  // Review 16c S10: one request is acknowledged once. A (kind, request id) seen again is a replayed or forged line,
  // or a ledger object stored twice: the ledger cannot be trusted as it is.
  const byRequest = new Map<string, AcknowledgedWrite[]>();
  for (const ack of acks) {
    const key = `${ack.kind}\u0000${ack.request_id}`;
    byRequest.set(key, [...(byRequest.get(key) ?? []), ack]);
  }
  const repeated = [...byRequest.values()].filter((same) => same.length > 1);
  for (const kind of new Set(repeated.map((same) => (same[0] as AcknowledgedWrite).kind))) {
    const ofKind = repeated.filter((same) => (same[0] as AcknowledgedWrite).kind === kind);
    inconclusive.push(
      `${ofKind.length} request id(s) appear in more than one ${kind} acknowledgment (a replayed or forged ledger line, or a duplicate ledger object): ${listIds(
        ofKind.map(
          (same) =>
            `${(same[0] as AcknowledgedWrite).request_id} (${same.length} times: ${same.map((a) => a.order_id).join(', ')})`,
        ),
      )}.`,
    );
  }
  for (const ack of acks) {
    if (ack.replaces && !ledgerIds.has(ack.replaces)) {
      unjudged.push({
        orderId: ack.replaces,
        why: `re-placed as ${ack.order_id}, but its own acknowledgment is not in the ledger`,
      });
      ledgerIds.add(ack.replaces);
    }
  }
  const unjudgedIds = new Set(unjudged.map((u) => u.orderId));
  const shoppers = new Set(acks.map((a) => a.shopper));
  const reported = reportedOrders(input.reports);
  const whose = (orderId: string) => {
    if (unjudgedIds.has(orderId)) return 'unjudged' as const;
    if (ledgerIds.has(orderId)) return 'ledger' as const;
    const order = reported.orders.get(orderId);
    if (order && (order.synthetic || order.customers.some((c) => shoppers.has(c)))) return 'shoppers' as const;
    return 'outside' as const;
  };
  const classes = classScores(expected, reported.orders, whose, input.onlySyntheticTraffic);

  // Fail closed: what must hold for the score to mean anything.
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

  // Duplicates: the shopper has the re-placed order and the original.
  const duplicates: Duplicate[] = [];
  for (const ack of acks) {
    if (ack.kind !== 'order_replaced' || !ack.replaces) continue;
    const after = input.afterRecovery ?? input.newPrimary;
    if (after[ack.replaces]?.present && after[ack.order_id]?.present) {
      duplicates.push({
        original: ack.replaces,
        replacement: ack.order_id,
        seen: input.newPrimary[ack.replaces]?.present ? 'on the new primary' : 'after recovery',
      });
    }
  }
  for (const d of duplicates) {
    failed.push(
      `Order ${d.original} is on the primary ${d.seen === 'after recovery' ? 'again after recovery' : 'although its shopper could not see it'} beside ${d.replacement}, which the shopper placed instead: a duplicate.`,
    );
  }

  // RTO and RPO.
  const rto = rtoScore(timeline, input.targets);
  if (faultMs !== null && timeline.firstCheckoutAt === null && timeline.writersMovedAt === null) {
    inconclusive.push(
      'RTO cannot be measured: the moment every writer was in the surviving Region is not recorded, and the end of RTO is the first checkout on the new primary after it.',
    );
  } else if (faultMs !== null && timeline.firstCheckoutAt === null) {
    failed.push(
      'The shop is not serving checkouts after the fault: the surviving Region acknowledged no checkout of an order on the new primary after the writers moved.',
    );
  } else if (rto.withinTarget === false) {
    failed.push(`RTO ${seconds(rto.totalMs!)} exceeds the target of ${seconds(rto.targetMs)}.`);
  }
  const phaseNames: Record<keyof RtoScore['phases'], string> = {
    detectionMs: 'detection',
    decisionMs: 'decision',
    trafficMovedMs: 'traffic moved',
    writersMovedMs: 'writers moved',
    firstCheckoutMs: 'first checkout',
  };
  for (const [key, value] of Object.entries(rto.phases) as [keyof RtoScore['phases'], number | null][]) {
    if (value === null)
      deviations.push(`RTO phase "${phaseNames[key]}" is not measured: a moment it needs was not recorded.`);
    else if (value < 0)
      deviations.push(
        `RTO phase "${phaseNames[key]}" is negative (${seconds(value)}): its moments were recorded out of order.`,
      );
  }
  const lostAckTimes = expected.flatMap((e) => e.lostWrites.map((w) => w.acknowledged_at));
  const rpo = rpoScore(lostAckTimes, cut, input.rpoLagBeforeFaultMs, input.targets);
  // Review 16c S6: replication runs in commit order, so a write acknowledged before the last replicated moment
  // reached the replica; one that is lost says the cut or the clocks are wrong (beyond CUT_MARGIN_MS of skew).
  if (cutMs !== null) {
    const early = expected
      .flatMap((e) => e.lostWrites.map((w) => ({ orderId: e.orderId, at: w.acknowledged_at })))
      .filter((w) => Date.parse(w.at) < cutMs - CUT_MARGIN_MS)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const first = early[0];
    if (first) {
      inconclusive.push(
        `The last replicated moment ${cut} contradicts the ledger: ${first.orderId}, acknowledged at ${first.at} (${seconds(cutMs - Date.parse(first.at))} before it), is lost although replication runs in commit order; the cut or the clocks are wrong.`,
      );
    }
  }
  if (rpo.fromDataMs === null) {
    inconclusive.push('RPO cannot be measured from the data: the last replicated moment is not known.');
  } else if (rpo.withinTarget === false) {
    failed.push(`RPO from the data ${seconds(rpo.fromDataMs)} exceeds the target of ${seconds(rpo.targetMs)}.`);
  }
  if (rpo.lagBeforeFaultMs === null) {
    deviations.push('AuroraGlobalDBRPOLag before the fault is not known: RPO is set against the target only.');
  } else if (rpo.withinLag === false) {
    deviations.push(
      `RPO from the data (${seconds(rpo.fromDataMs!)}) exceeds AuroraGlobalDBRPOLag before the fault (${seconds(rpo.lagBeforeFaultMs)}): the writes lost span more than the lag metric showed.`,
    );
  }

  const recallFound = SCORED_CLASSES.reduce((n, c) => n + classes[c].found, 0);
  const recallExpected = SCORED_CLASSES.reduce((n, c) => n + classes[c].expected, 0);
  const precisionCorrect = SCORED_CLASSES.reduce((n, c) => n + classes[c].correct, 0);
  const precisionReported = SCORED_CLASSES.reduce((n, c) => n + classes[c].reported, 0);
  const verdict: RunVerdict = inconclusive.length > 0 ? 'INCONCLUSIVE' : failed.length > 0 ? 'FAILED' : 'PASSED';
  const reasons =
    verdict === 'INCONCLUSIVE'
      ? [...inconclusive, ...failed]
      : verdict === 'FAILED'
        ? failed
        : [
            recallExpected === 0
              ? `None of the ${acks.length} acknowledged write(s) was lost, and the report lists nothing of the shoppers as lost.`
              : `All ${recallExpected} order(s) the shoppers lost are in the report in their class, and it lists nothing else of theirs as lost.`,
            `RTO ${seconds(rto.totalMs!)} is within the target of ${seconds(rto.targetMs)}.`,
            `RPO from the data ${seconds(rpo.fromDataMs!)} is within the target of ${seconds(rpo.targetMs)}.`,
          ];
  const byKind = Object.fromEntries(ACK_KINDS.map((k) => [k, acks.filter((a) => a.kind === k).length])) as Record<
    AckKind,
    number
  >;
  return {
    format: RUN_SCORE_FORMAT,
    verdict,
    reasons,
    deviations,
    acknowledged: { writes: acks.length, orders: new Set(acks.map((a) => a.order_id)).size, byKind },
    reports: input.reports.map(({ database, report }) => ({
      database,
      status: report.status,
      cut: report.cut,
      tables: Object.keys(report.tables).length,
    })),
    classes,
    recall: ratio(recallFound, recallExpected),
    precision: ratio(precisionCorrect, precisionReported),
    expected: expected
      .filter((e): e is ExpectedOrder & { expected: ScoredClass } => e.expected !== null)
      .map((e) => ({ orderId: e.orderId, class: e.expected, why: e.why })),
    duplicates,
    unexplained: reported.unexplained,
    unacknowledged,
    outside: { orders: outsideOrders, rows: reported.otherRows.length },
    unjudged,
    rto,
    rpo,
  };
}
