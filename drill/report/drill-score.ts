import { TRAFFIC_STEP_NAMES } from '../../runbooks/orchestrations/region-switch-steps';
import { ACK_FORMAT, type AcknowledgedWrite } from '../../runbooks/scoring/acknowledged-write';
import { firstCheckoutOnNewPrimary } from '../../runbooks/scoring/recovery-times';
import type { DatabaseReport, OrderOnNewPrimary, RunTimeline, ScoreTargets } from '../../runbooks/scoring/score-input';
import { type RunScore, scoreRun } from '../../runbooks/scoring/score-run';
import type { AcknowledgedOrder } from '../traffic/shopper-journey';
import type { DrillReport } from './drill-report';

/** The drill's acknowledged orders as ledger lines: the shoppers go through the front door (`via: global`). */
export function drillLedger(orders: readonly AcknowledgedOrder[]): AcknowledgedWrite[] {
  return orders.map((o) => ({
    format: ACK_FORMAT,
    kind: 'order_placed',
    order_id: o.orderId,
    region: o.region,
    via: 'global',
    acknowledged_at: new Date(o.ackAt).toISOString(),
    request_id: o.requestId,
    shopper: o.customerId,
  }));
}

/** When the failover's step `step` finished successfully (from drill.json's runbook steps), or null. */
function failoverStepDone(report: DrillReport, steps: readonly string[]): string | null {
  const span = report.runbook_steps.find(
    (s) => steps.some((step) => s.label === `failover · ${step}`) && s.status === 'ok',
  );
  return span ? new Date(Date.parse(report.started_at) + span.finished_ms).toISOString() : null;
}

/**
 * The drill's timeline in the scoring's phases: the fault, the first failed shopper request, the health checks'
 * detection, the failover runbook's start (the drill decides at once), its traffic step (`shift-traffic`, or the
 * Region switch plan's run) and `verify-writers`
 * steps, the first checkout after the fault.
 */
export function drillTimeline(report: DrillReport): RunTimeline {
  return {
    faultInjectedAt: report.rto.fault_at,
    firstFailureAt: report.rto.first_failed_request_at,
    detectedAt: report.rto.detected_at,
    decidedAt: report.rto.failover_started_at,
    trafficMovedAt: failoverStepDone(report, TRAFFIC_STEP_NAMES),
    writersMovedAt: failoverStepDone(report, ['verify-writers']),
    firstCheckoutAt: report.rto.first_checkout_after_fault_at,
  };
}

/**
 * The drill's timeline as the score judges it: the end of RTO is the standby's first checkout on the new primary
 * after the writers moved (the game day's rule, review 16c S4), not the first order acknowledged after the fault.
 */
export function drillScoredTimeline(report: DrillReport, sources: DrillScoreSources): RunTimeline {
  const timeline = drillTimeline(report);
  return {
    ...timeline,
    firstCheckoutAt: firstCheckoutOnNewPrimary(sources.ledger, sources.newPrimary, report.regions.standby, timeline),
  };
}

/** What the drill knows when it scores itself. */
export interface DrillScoreSources {
  /** The writes the shoppers were told succeeded, up to the moment the new primary was read. */
  readonly ledger: readonly AcknowledgedWrite[];
  /** The new primary's side of every ledger order, read after the failover. */
  readonly newPrimary: Readonly<Record<string, OrderOnNewPrimary>>;
  /** The primary after `--apply`, when it ran. */
  readonly afterRecovery: Readonly<Record<string, OrderOnNewPrimary>> | null;
  /** The reconcile reports recover made. */
  readonly reports: readonly DatabaseReport[];
  readonly targets: ScoreTargets;
}

/**
 * Scores the drill with the scoring the game day uses (runbooks/scoring): only the drill's shoppers write, and the
 * drill has no `AuroraGlobalDBRPOLag` (its replication is Postgres streaming; the drill waits for it to catch up
 * before the cut).
 */
export function scoreDrill(report: DrillReport, sources: DrillScoreSources): RunScore {
  return scoreRun({
    acks: sources.ledger,
    newPrimary: sources.newPrimary,
    afterRecovery: sources.afterRecovery,
    reports: sources.reports,
    timeline: drillScoredTimeline(report, sources),
    rpoLagBeforeFaultMs: null,
    targets: sources.targets,
    onlySyntheticTraffic: true,
    unacknowledgedWrites: report.orders.unacknowledged_submits,
  });
}
