import type { RegionSwitchExecutionSummary, RegionSwitchPlanStatus } from '../../ports';
import { onlyInRoutingModes, type ReadinessCheck } from '../readiness-check';
import { JOURNAL_CLOCK_SKEW_MINUTES, readTrafficMoves } from '../traffic-moves';

/**
 * Minutes between two evaluations of a Region switch plan, at most. User Guide, "Plan evaluation for Region switch
 * plans": "Region switch automatically evaluates your plan multiple times per hour" (and About Region switch: "Region
 * switch runs these evaluations regularly"); more than once an hour is at most 30 minutes apart. The exact interval is
 * not documented (UNVERIFIED).
 */
export const PLAN_EVALUATION_INTERVAL_MINUTES = 30;

/**
 * Age in minutes beyond which a passed evaluation says nothing about the plan now: two intervals (one evaluation
 * late or lost) and the clock skew allowed between AWS and this run.
 */
export const PLAN_EVALUATION_MAX_AGE_MINUTES = 2 * PLAN_EVALUATION_INTERVAL_MINUTES + JOURNAL_CLOCK_SKEW_MINUTES;

/** What an execution that has not ended waits for, by ExecutionState (API_AbbreviatedExecution lists the states). */
const WAITS_FOR: Readonly<Record<string, string>> = {
  pausedByFailedStep:
    'it waits for an operator: retry or skip the failed step, or cancel the execution, in the Region switch console',
  pausedByOperator: 'an operator paused it: resume or cancel it in the Region switch console',
  pendingManualApproval: 'it waits for a manual approval in the Region switch console',
};

const iso = (date: Date | undefined) => date?.toISOString() ?? 'an unknown time';

function describeExecution(e: RegionSwitchExecutionSummary): string {
  const failed = e.steps.filter((s) => s.status === 'failed').map((s) => `step ${s.name} failed`);
  return (
    `execution ${e.executionId} (${e.action} ${e.targetRegion}, ${e.mode}) is ${e.state} since ${iso(e.startedAt)}` +
    (failed.length > 0 ? `, ${failed.join(', ')}` : '')
  );
}

function executionEvidence(e: RegionSwitchExecutionSummary) {
  return {
    executionId: e.executionId,
    action: e.action,
    targetRegion: e.targetRegion,
    mode: e.mode,
    state: e.state,
    ...(e.startedAt ? { startedAt: e.startedAt.toISOString() } : {}),
    ...(e.endedAt ? { endedAt: e.endedAt.toISOString() } : {}),
    failedSteps: e.steps.filter((s) => s.status === 'failed').map((s) => s.name),
  };
}

/** Judges the evaluation: a failure, an unknown or a note. */
function judgeEvaluation(status: RegionSwitchPlanStatus, plan: string, now: Date) {
  const failures: string[] = [];
  const unknowns: string[] = [];
  const notes: string[] = [];
  const region = status.apiRegion;
  const evaluation = status.evaluation;
  if (!evaluation) {
    unknowns.push(`${plan}: its evaluation could not be read in ${region}: ${status.error ?? 'no answer'}`);
    return { failures, unknowns, notes };
  }
  const at = evaluation.lastEvaluatedAt;
  if (evaluation.state === 'actionRequired') {
    const lines = evaluation.warnings.length > 0 ? evaluation.warnings : ['it lists no active warning'];
    failures.push(
      ...lines.map(
        (w) =>
          `${plan}: the evaluation asked in ${region} (${iso(at)}) is actionRequired: ${w}; expected: an evaluation that passed`,
      ),
    );
  } else if (evaluation.state === 'pendingEvaluation') {
    unknowns.push(
      `${plan}: not evaluated yet (pendingEvaluation in ${region}): whether it would run cannot be told until Region switch evaluates it`,
    );
  } else if (evaluation.state !== 'passed') {
    unknowns.push(
      `${plan}: the evaluation asked in ${region} is ${evaluation.state}; expected: passed (passed, actionRequired, pendingEvaluation or unknown)`,
    );
  } else if (!at || !Number.isFinite(at.getTime())) {
    unknowns.push(
      `${plan}: the evaluation asked in ${region} passed but gives no lastEvaluationTime, so how recent it is cannot be told`,
    );
  } else if (evaluation.warnings.length > 0) {
    // A warning says "what needs to be corrected" (API_ResourceWarning); with `passed` beside it, which one holds is
    // not documented: neither green nor red.
    unknowns.push(
      ...evaluation.warnings.map(
        (w) =>
          `${plan}: the evaluation asked in ${region} passed at ${iso(at)} yet lists an active warning: ${w}; whether the plan would run cannot be told`,
      ),
    );
  } else {
    const ageMinutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
    if (at.getTime() - now.getTime() > JOURNAL_CLOCK_SKEW_MINUTES * 60_000) {
      unknowns.push(
        `${plan}: the evaluation asked in ${region} passed at ${iso(at)}, which is not a time up to now (clock ${now.toISOString()})`,
      );
    } else if (ageMinutes > PLAN_EVALUATION_MAX_AGE_MINUTES) {
      unknowns.push(
        `${plan}: the last evaluation asked in ${region} passed at ${iso(at)}, ${ageMinutes} min ago: older than ${PLAN_EVALUATION_MAX_AGE_MINUTES} min (Region switch evaluates a plan several times an hour), so it says nothing about the plan now`,
      );
    } else {
      notes.push(
        `${plan}: the evaluation asked in ${region} passed at ${iso(at)} (${Math.max(0, ageMinutes)} min ago)`,
      );
    }
  }
  // The evaluation was read; something else (the executions) was not: whether one runs cannot be told.
  if (status.error) unknowns.push(`${plan}: not everything could be read in ${region}: ${status.error}`);
  return { failures, unknowns, notes };
}

/**
 * `region-switch-plan` (routing mode `region-switch` only): the ARC Region switch plan would run now. Read in the data
 * plane of the Region that would be activated (the one a move calls), never the control plane:
 *
 * - the plan's latest evaluation (GetPlanEvaluationStatus, "information about the last time the plan was evaluated
 *   and any warnings or issues detected"): `passed` with no active warning and no older than
 *   {@link PLAN_EVALUATION_MAX_AGE_MINUTES} is GREEN; `actionRequired` is RED naming each active warning; `pendingEvaluation`, `unknown`, an old or undated
 *   evaluation, or one that cannot be read is INCONCLUSIVE (fail closed);
 * - its executions (ListPlanExecutions, "both current and historical executions"): one that has not ended (running,
 *   `pausedByFailedStep`, `pausedByOperator`, `pendingManualApproval` …) is RED, named with its state and failed
 *   steps, unless a switchover, failback or failover is running (its latest journal, as `routing-states` counts it:
 *   the move's own execution); a new move would be refused while it runs. The execution that ended last is noted.
 */
export const regionSwitchPlanCheck: ReadinessCheck = onlyInRoutingModes(['region-switch'], {
  name: 'region-switch-plan',
  title:
    "The Region switch plan's latest evaluation passed and is recent, and no execution of the plan is running or paused (unless a traffic move is running)",
  scope: 'takeover',
  whenRed:
    'The Region switch plan would not run cleanly: its evaluation reports warnings (a resource missing, a permission the execution role lacks, capacity), or an execution of the plan is running or paused while no switchover, failback or failover is running. Fix what each warning names (the Region switch console shows them) and wait for the next evaluation, or let the execution end or cancel it.',
  uses: ['regionSwitch.describePlan', 'journal.latest'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const status = await ctx.ports.regionSwitch.describePlan(region);
    const now = ctx.ports.clock.now();
    const plan = status.planArn ? `plan ${status.planArn}` : 'the Region switch plan';
    const { failures, unknowns, notes } = judgeEvaluation(status, plan, now);
    const evidence: Record<string, unknown> = {
      routingMode: ctx.topology.routing.mode,
      planArn: status.planArn,
      apiRegion: status.apiRegion,
      evaluation: status.evaluation
        ? {
            state: status.evaluation.state,
            ...(status.evaluation.lastEvaluatedAt
              ? { lastEvaluatedAt: status.evaluation.lastEvaluatedAt.toISOString() }
              : {}),
            warnings: [...status.evaluation.warnings],
          }
        : null,
      running: status.running.map(executionEvidence),
      lastEnded: status.lastEnded ? executionEvidence(status.lastEnded) : null,
      ...(status.error ? { error: status.error } : {}),
    };
    if (status.running.length === 0) {
      if (!status.error) notes.push('no execution of the plan is running or paused');
    } else {
      const moves = await readTrafficMoves(ctx);
      evidence.moves = moves.evidence;
      for (const execution of status.running) {
        if (moves.running.length > 0) {
          notes.push(`${plan}: ${describeExecution(execution)}: allowed while ${moves.runningText} is running`);
        } else {
          const waits =
            WAITS_FOR[execution.state] ?? 'let it end or cancel it: a move of the plan is refused while it runs';
          failures.push(
            `${plan}: ${describeExecution(execution)} and no switchover, failback or failover is running (latest: ${moves.latestText}); ${waits} (${execution.apiRegion}); expected: no execution of the plan running or paused`,
          );
        }
      }
    }
    if (status.lastEnded) {
      const e = status.lastEnded;
      notes.push(
        `${plan}: the last execution that ended, ${e.executionId} (${e.action} ${e.targetRegion}, ${e.mode}), ended ${e.state} at ${iso(e.endedAt)}`,
      );
    }
    return { failures, notes, unknowns, evidence };
  },
});
