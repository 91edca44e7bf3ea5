import type { ReportedClass } from '../reconcile/report';
import { ACK_KINDS, type AckKind } from './acknowledged-write';
import { classFindings, type OrderOwner } from './class-findings';
import { duplicateFindings } from './duplicate-findings';
import { type ExpectedOrder, expectedClasses, SCORED_CLASSES, type ScoredClass } from './expected-classes';
import { failClosedChecks } from './fail-closed-checks';
import { checkRepeatedRequests, checkReportCuts, lastReplicatedMoment, unjudgedReplacedOrders } from './ledger-checks';
import { recoveryFindings } from './recovery-findings';
import type { RpoScore, RtoScore } from './recovery-times';
import { type ReportedOrder, type RowRef, reportedOrders } from './reported-orders';
import { noFindings, seconds } from './score-findings';
import type { ScoreInput } from './score-input';

export { listIds } from './score-findings';

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
  const findings = noFindings();
  const { acks } = input;
  checkReportCuts(input, findings);
  const cut = lastReplicatedMoment(input);
  const { orders: expected, unjudged } = expectedClasses(acks, input.newPrimary, cut === null ? null : Date.parse(cut));
  const ledgerIds = new Set(acks.map((a) => a.order_id));
  checkRepeatedRequests(acks, findings);
  unjudgedReplacedOrders(acks, ledgerIds, unjudged);
  const unjudgedIds = new Set(unjudged.map((u) => u.orderId));
  const shoppers = new Set(acks.map((a) => a.shopper));
  const reported = reportedOrders(input.reports);
  const whose = (orderId: string): OrderOwner => {
    if (unjudgedIds.has(orderId)) return 'unjudged';
    if (ledgerIds.has(orderId)) return 'ledger';
    const order = reported.orders.get(orderId);
    if (order && (order.synthetic || order.customers.some((c) => shoppers.has(c)))) return 'shoppers';
    return 'outside';
  };
  const classes = classScores(expected, reported.orders, whose, input.onlySyntheticTraffic);

  const faultMs = failClosedChecks(input, unjudged, findings);
  const { unacknowledged, outsideOrders } = classFindings({ input, expected, classes, reported, whose }, findings);
  const duplicates = duplicateFindings(input, findings);
  const { rto, rpo } = recoveryFindings(input, expected, cut, faultMs, findings);
  const { inconclusive, failed, deviations } = findings;

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
