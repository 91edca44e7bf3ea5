import { CUT_MARGIN_MS, type ExpectedOrder } from './expected-classes';
import { type RpoScore, type RtoScore, rpoScore, rtoScore } from './recovery-times';
import { type ScoreFindings, seconds } from './score-findings';
import type { ScoreInput } from './score-input';

const PHASE_NAMES: Record<keyof RtoScore['phases'], string> = {
  detectionMs: 'detection',
  decisionMs: 'decision',
  trafficMovedMs: 'traffic moved',
  writersMovedMs: 'writers moved',
  firstCheckoutMs: 'first checkout',
};

/**
 * RTO (fault → first checkout on the new primary after the writers moved, in phases) and RPO (from the data: the
 * last replicated moment → the last lost acknowledgment) against their targets and `AuroraGlobalDBRPOLag`: an
 * unmeasurable RTO or RPO, or a cut the ledger contradicts, makes the run INCONCLUSIVE; a missed target or no
 * checkout served fails it; unmeasured or disordered phases and the lag metric are deviations.
 */
export function recoveryFindings(
  input: ScoreInput,
  expected: readonly ExpectedOrder[],
  cut: string | null,
  faultMs: number | null,
  findings: ScoreFindings,
): { readonly rto: RtoScore; readonly rpo: RpoScore } {
  const { timeline } = input;
  const { inconclusive, failed, deviations } = findings;
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
  for (const [key, value] of Object.entries(rto.phases) as [keyof RtoScore['phases'], number | null][]) {
    if (value === null)
      deviations.push(`RTO phase "${PHASE_NAMES[key]}" is not measured: a moment it needs was not recorded.`);
    else if (value < 0)
      deviations.push(
        `RTO phase "${PHASE_NAMES[key]}" is negative (${seconds(value)}): its moments were recorded out of order.`,
      );
  }
  const lostAckTimes = expected.flatMap((e) => e.lostWrites.map((w) => w.acknowledged_at));
  const rpo = rpoScore(lostAckTimes, cut, input.rpoLagBeforeFaultMs, input.targets);
  // Review 16c S6: replication runs in commit order, so a write acknowledged before the last replicated moment
  // reached the replica; one that is lost says the cut or the clocks are wrong (beyond CUT_MARGIN_MS of skew).
  const cutMs = cut === null ? null : Date.parse(cut);
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
  return { rto, rpo };
}
