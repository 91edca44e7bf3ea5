import type { AcknowledgedWrite } from './acknowledged-write';
import type { OrderOnNewPrimary, RunTimeline, ScoreTargets } from './score-input';

/** RTO split into its phases, each in milliseconds, null when a moment it needs is not known. */
export interface RtoScore {
  /** From the first failure seen (or the fault, when no failure was seen) to the first checkout after the fault. */
  readonly totalMs: number | null;
  readonly targetMs: number;
  /** null when {@link totalMs} is null. */
  readonly withinTarget: boolean | null;
  readonly phases: {
    /** First failure (or the fault) → detected. */
    readonly detectionMs: number | null;
    /** Detected → the failover started. */
    readonly decisionMs: number | null;
    /** Failover started → routing sends shoppers to the surviving Region. */
    readonly trafficMovedMs: number | null;
    /** Traffic moved → every writer in the surviving Region. */
    readonly writersMovedMs: number | null;
    /** Writers moved → the first checkout acknowledged after the fault. */
    readonly firstCheckoutMs: number | null;
  };
}

/** RPO measured from the data, against the replication-lag metric and the target. */
export interface RpoScore {
  /**
   * The last acknowledged-and-lost write's acknowledgment minus the last replicated moment (0 when nothing
   * acknowledged was lost); null when something was lost and the last replicated moment is not known. When a lost
   * write was acknowledged before the cut (the cut contradicts the ledger), from that write to the later of the cut
   * and the last lost write.
   */
  readonly fromDataMs: number | null;
  readonly lastLostAckAt: string | null;
  readonly lastReplicatedAt: string | null;
  /** `AuroraGlobalDBRPOLag` before the fault, ms; null when not known. */
  readonly lagBeforeFaultMs: number | null;
  /** Whether {@link fromDataMs} ≤ the lag metric (the FIS hypothesis); null when either is not known. */
  readonly withinLag: boolean | null;
  readonly targetMs: number;
  readonly withinTarget: boolean | null;
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const between = (from: string | null, to: string | null) => {
  const a = ms(from);
  const b = ms(to);
  return a === null || b === null ? null : b - a;
};

/**
 * The end of RTO (review 16c S4): the first checkout (`order_placed` or `order_replaced`) that shows the shop
 * serving from the surviving Region again, which is the earliest acknowledgment
 * - by `survivingRegion` (the failed Region may still acknowledge after the fault: FIS cuts only cross-Region
 *   traffic, and ECS replaces the tasks the experiment targeted),
 * - after the fault and at or after `writersMovedAt` (every writer in the surviving Region: before that an order
 *   is written to the old writer and may be lost),
 * - of an order present on the new primary (a lost order does not show the shop serving).
 *
 * null when no such checkout was acknowledged, or when the writers' move or the fault is not known (RTO then
 * cannot be measured: the score says so).
 */
export function firstCheckoutOnNewPrimary(
  acks: readonly AcknowledgedWrite[],
  newPrimary: Readonly<Record<string, OrderOnNewPrimary>>,
  survivingRegion: string,
  moments: { readonly faultInjectedAt: string | null; readonly writersMovedAt: string | null },
): string | null {
  const fault = ms(moments.faultInjectedAt);
  const writers = ms(moments.writersMovedAt);
  if (fault === null || writers === null) return null;
  const times = acks
    .filter(
      (a) =>
        (a.kind === 'order_placed' || a.kind === 'order_replaced') &&
        a.region === survivingRegion &&
        Date.parse(a.acknowledged_at) > fault &&
        Date.parse(a.acknowledged_at) >= writers &&
        newPrimary[a.order_id]?.present === true,
    )
    .map((a) => Date.parse(a.acknowledged_at));
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : null;
}

/** Splits the timeline into the RTO phases (a negative span, moments out of order, is kept: a deviation shows it). */
export function rtoScore(timeline: RunTimeline, targets: ScoreTargets): RtoScore {
  const start = timeline.firstFailureAt ?? timeline.faultInjectedAt;
  const totalMs = between(start, timeline.firstCheckoutAt);
  const targetMs = targets.rtoSeconds * 1000;
  return {
    totalMs,
    targetMs,
    withinTarget: totalMs === null ? null : totalMs <= targetMs,
    phases: {
      detectionMs: between(start, timeline.detectedAt),
      decisionMs: between(timeline.detectedAt, timeline.decidedAt),
      trafficMovedMs: between(timeline.decidedAt, timeline.trafficMovedAt),
      writersMovedMs: between(timeline.trafficMovedAt, timeline.writersMovedAt),
      firstCheckoutMs: between(timeline.writersMovedAt, timeline.firstCheckoutAt),
    },
  };
}

/**
 * RPO from the data: how much acknowledged work was lost, measured as the time from the last replicated moment to
 * the last acknowledged write the new primary lacks.
 */
export function rpoScore(
  lostAckTimes: readonly string[],
  lastReplicatedAt: string | null,
  lagBeforeFaultMs: number | null,
  targets: ScoreTargets,
): RpoScore {
  const sorted = [...lostAckTimes].sort((a, b) => Date.parse(a) - Date.parse(b));
  const last = sorted.at(-1) ?? null;
  const cut = ms(lastReplicatedAt);
  // A lost write acknowledged before the cut contradicts it (review 16c S6: the score says so); the figure then spans
  // from that write to the cut or the last lost write, never a clamped 0.
  const from = cut === null || sorted[0] === undefined ? cut : Math.min(cut, Date.parse(sorted[0]));
  const fromDataMs = last === null ? 0 : cut === null || from === null ? null : Math.max(Date.parse(last), cut) - from;
  const targetMs = targets.rpoSeconds * 1000;
  return {
    fromDataMs,
    lastLostAckAt: last,
    lastReplicatedAt,
    lagBeforeFaultMs,
    withinLag: fromDataMs === null || lagBeforeFaultMs === null ? null : fromDataMs <= lagBeforeFaultMs,
    targetMs,
    withinTarget: fromDataMs === null ? null : fromDataMs <= targetMs,
  };
}
