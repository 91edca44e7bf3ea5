import { NonRetriableError } from '../core/errors';
import type { Step } from '../core/step';
import type { RegionSwitchExecutionSummary, RegionSwitchMoveKind } from '../ports';
import { otherRegion, type Topology } from '../topology';
import type { TargetInput } from './database-steps';
import { describeState, writerSettledIn } from './global-database-state';
import { shiftTraffic } from './routing-steps';

/** The step that runs the plan, by name (its outputs are read by the summaries). */
export const REGION_SWITCH_STEP = 'run-region-switch-plan';

/**
 * The execution blocks of the shop's plan, by the step names stacks/routing/region-switch-plan.ts gives them: the
 * plan's own definition and the runbooks' reading of its executions share these.
 */
export const PLAN_BLOCKS = {
  scale: 'scale-services',
  database: (databaseName: string) => `switch-${databaseName}`,
  dns: 'move-dns',
  recover: 'start-recover',
} as const;

/**
 * The blocks that move the writers (`switch-<database>`) or the traffic (`move-dns`) and did not complete: an
 * execution can end `completedWithExceptions` with a block skipped by an operator (API_ListPlanExecutions lists that
 * state; the User Guide lets an operator skip a failed step), and then the move it was for did not happen.
 */
export function unfinishedMoves(summary: RegionSwitchExecutionSummary): string[] {
  const moves = summary.steps.filter((s) => s.name === PLAN_BLOCKS.dns || s.name.startsWith(PLAN_BLOCKS.database('')));
  if (!moves.some((s) => s.name === PLAN_BLOCKS.dns)) return [`${PLAN_BLOCKS.dns}: not in the execution`];
  return moves.filter((s) => s.status !== 'completed').map((s) => `${s.name}: ${s.status}`);
}

/** How long the plan step follows an execution when the topology says nothing (`routing.regionSwitch.timeoutMinutes`). */
const DEFAULT_PLAN_TIMEOUT_MINUTES = 60;

/**
 * The names of the step that moves the traffic, in either routing mode: `shift-traffic` (arc-cluster) and
 * {@link REGION_SWITCH_STEP} (region-switch, whose DNS block is its last change). Timelines and scores find "traffic
 * moved" by these.
 */
export const TRAFFIC_STEP_NAMES: readonly string[] = ['shift-traffic', REGION_SWITCH_STEP];

/** `1. scale-services: completed (10:00:05 → 10:01:05)` lines, and the error of a failed step. */
export function describeExecution(summary: RegionSwitchExecutionSummary): string[] {
  const time = (d?: Date) => (d ? d.toISOString().slice(11, 19) : '…');
  return [
    `Region switch execution ${summary.executionId}: ${summary.action} ${summary.targetRegion}, ${summary.mode}, ` +
      `${summary.state}${summary.adopted ? ' (already running: followed, not started again)' : ''}; ` +
      `called in ${summary.apiRegion}`,
    ...summary.steps.map(
      (s, i) =>
        `  ${i + 1}. ${s.name}: ${s.status}` +
        (s.startedAt ? ` (${time(s.startedAt)} → ${time(s.endedAt)})` : '') +
        (s.error ? ` — ${s.error}` : ''),
    ),
  ];
}

/**
 * When the plan asked Aurora to move the writers: the start of its first Aurora block (`switch-<database>`), else the
 * start of the execution. The failover summary's `failoverAt`, as the `requestedAt` of a failover step is in mode
 * `arc-cluster`.
 */
function writersRequestedAt(summary: RegionSwitchExecutionSummary): Date | undefined {
  const aurora = summary.steps
    .filter((s) => s.name.startsWith('switch-') && s.startedAt)
    .map((s) => s.startedAt!.getTime())
    .sort((a, b) => a - b);
  return aurora.length ? new Date(aurora[0]!) : summary.startedAt;
}

/**
 * Routing mode `region-switch`: runs the ARC Region switch plan's `activate` workflow for the target Region —
 * `graceful` for a planned move (Aurora switchover, no data loss), `ungraceful` for an unplanned one (Aurora failover
 * with data loss) — and follows the execution to its end, through the data plane of the Region being activated
 * only. The plan scales the target's services, moves every writer and moves DNS; the steps after this one (the
 * writer moves, the verification) find the writers moved and only confirm it. The execution's client token is the
 * runbook's execution id, so a retried or resumed step follows the execution the first attempt started instead of
 * starting another.
 */
export function runRegionSwitchPlan<I extends TargetInput>(
  kind: RegionSwitchMoveKind,
  timeoutMinutes = DEFAULT_PLAN_TIMEOUT_MINUTES,
): Step<I> {
  const mode = kind === 'planned' ? 'graceful' : 'ungraceful';
  return {
    name: REGION_SWITCH_STEP,
    kind: 'action',
    // The step follows the execution up to the plan's timeout: its SSM loop gets invocations for all of it.
    timeoutSeconds: timeoutMinutes * 60,
    title: `Run the ARC Region switch plan: activate the target Region (${mode})`,
    uses: ['regionSwitch.describePlan', 'globalDatabase.describe', 'regionSwitch.activate'],
    describe: (ctx) =>
      `StartPlanExecution activate ${ctx.input.targetRegion} (${mode}) in ${ctx.input.targetRegion}'s Region switch data plane, then follow it until it ends (at most ${timeoutMinutes} min): the plan scales ${ctx.input.targetRegion}, moves the writers ${kind === 'planned' ? 'by switchover' : 'by failover with data loss'} and moves DNS away from ${otherRegion(ctx.topology, ctx.input.targetRegion)}`,
    check: async (ctx) => {
      const target = ctx.input.targetRegion;
      const plan = await ctx.ports.regionSwitch.describePlan(target);
      const last = plan.lastEnded;
      const activated =
        plan.running.length === 0 &&
        last?.action === 'activate' &&
        last.targetRegion === target &&
        (last.state === 'completed' || last.state === 'completedWithExceptions');
      const unfinished = last ? unfinishedMoves(last) : [];
      if (!activated || unfinished.length > 0) {
        return {
          state: 'pending',
          detail: plan.running.length
            ? `an execution of the plan is running: ${plan.running.map((e) => `${e.executionId} ${e.action} ${e.targetRegion} ${e.state}`).join(', ')}`
            : `the plan's last ended execution: ${last ? `${last.executionId} ${last.action} ${last.targetRegion} ${last.state}${unfinished.length ? `, not done: ${unfinished.join(', ')}` : ''}` : 'none'}${plan.error ? ` (${plan.error})` : ''}`,
        };
      }
      // The newest execution activated the target: done, if every writer is there too (a move made outside the plan
      // since then would leave a writer elsewhere: run the plan again).
      for (const db of ctx.topology.databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, target);
        if (!writerSettledIn(state, target)) {
          return { state: 'pending', detail: `${db.globalClusterIdentifier}: ${describeState(state)}` };
        }
      }
      return {
        state: 'done',
        detail: `the plan's last execution ${last.executionId} already activated ${target} (${last.mode}, ${last.state}) and every writer is there`,
        outputs: {
          executionId: last.executionId,
          executionState: last.state,
          apiRegion: last.apiRegion,
          requestedAt: (writersRequestedAt(last) ?? ctx.ports.clock.now()).toISOString(),
        },
      };
    },
    run: async (ctx) => {
      const summary = await ctx.ports.regionSwitch.activate({
        targetRegion: ctx.input.targetRegion,
        kind,
        clientToken: `${ctx.executionId}-activate-${ctx.input.targetRegion}`.slice(0, 64),
        comment: `${ctx.executionId}: ${kind === 'planned' ? 'planned move' : 'unplanned failover'} to ${ctx.input.targetRegion}${ctx.reason ? ` — ${ctx.reason}` : ''}`,
        timeoutSeconds: timeoutMinutes * 60,
        ...(ctx.deadline ? { deadline: ctx.deadline } : {}),
        progress: (line) => ctx.progress(line),
      });
      const unfinished = unfinishedMoves(summary);
      if (unfinished.length > 0) {
        throw new NonRetriableError(
          `${describeExecution(summary).join('\n')}\nThe execution ended ${summary.state}, but not every block that moves the writers or the traffic completed (${unfinished.join(', ')}): the move may not have happened. Look at the execution in the Region switch console of ${summary.apiRegion}, finish the move (a new execution, or by hand), then run again.`,
        );
      }
      const requestedAt = writersRequestedAt(summary) ?? ctx.ports.clock.now();
      return {
        detail: describeExecution(summary).join('\n'),
        outputs: {
          executionId: summary.executionId,
          executionState: summary.state,
          apiRegion: summary.apiRegion,
          requestedAt: requestedAt.toISOString(),
        },
      };
    },
  };
}

/**
 * The step that moves the traffic in the topology's routing mode: `shift-traffic` (the ARC routing controls) in mode
 * `arc-cluster`, {@link runRegionSwitchPlan} in mode `region-switch`.
 */
export function moveTraffic<I extends TargetInput>(topology: Topology, kind: RegionSwitchMoveKind): Step<I> {
  return topology.routing.mode === 'region-switch'
    ? runRegionSwitchPlan<I>(kind, topology.routing.regionSwitch?.timeoutMinutes)
    : shiftTraffic<I>();
}
