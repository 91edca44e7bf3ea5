import { messageOf, RetriableError } from '../core/errors';
import type { Step, StepContext } from '../core/step';
import { waitUntil } from '../core/wait-until';
import { within } from '../core/within';
import type { TargetInput } from './database-steps';

export { within };

/** Longest the best-effort fence may take: it must never hold the failover. */
export const FENCE_BUDGET_MS = 8000;

/** Longest a Region's writer services may take to start again before a planned move to it. */
const RESTORE_TIMEOUT_SECONDS = 15 * 60;

/** The ECS cluster and writer services of `region`, or undefined when the topology names none. */
function writersOf(ctx: StepContext<unknown>, region: string): { cluster: string; services: string[] } | undefined {
  const settings = ctx.topology.regions[region];
  if (!settings?.ecsClusterName || settings.writerServices.length === 0) return undefined;
  return { cluster: settings.ecsClusterName, services: [...settings.writerServices] };
}

/**
 * Fences the failed Region, best effort: its database writer services (catalog, orders) are scaled to 0 when its ECS
 * API answers, so clients still connected there stop writing to the old primary. AWS: "To prevent writes from being
 * sent to the primary cluster of Aurora Global Database, take applications offline", and Aurora's own fencing "is a
 * best-effort attempt" (aurora-global-database-disaster-recovery.html). The step never fails and never waits longer
 * than {@link FENCE_BUDGET_MS}: a Region that does not answer is the usual case of an unplanned failover.
 */
export function fenceFailedRegion<I extends TargetInput & { readonly failedRegion: string }>(): Step<I> {
  return {
    name: 'fence-failed-region',
    kind: 'action',
    title: "Best effort: scale the failed Region's database writer services to 0 (never blocks the failover)",
    uses: ['capacity.setDesiredCount'],
    describe: (ctx) => {
      const writers = writersOf(ctx, ctx.input.failedRegion);
      return writers
        ? `UpdateService desiredCount 0 for ${writers.services.join(', ')} in ${ctx.input.failedRegion} (at most ${FENCE_BUDGET_MS / 1000} s; a Region that does not answer is skipped)`
        : `nothing to fence: the topology names no writer services in ${ctx.input.failedRegion}`;
    },
    run: async (ctx) => {
      const region = ctx.input.failedRegion;
      const writers = writersOf(ctx, region);
      if (!writers) return { detail: `nothing to fence in ${region}: no writer services in the topology` };
      const outcomes = await within(
        FENCE_BUDGET_MS,
        Promise.all(
          writers.services.map((service) =>
            ctx.ports.capacity.setDesiredCount(region, writers.cluster, service, 0).then(
              () => `${service} fenced`,
              (error: unknown) => `${service} not fenced (${messageOf(error)})`,
            ),
          ),
        ),
      );
      const fenced = outcomes.done ? outcomes.value : [`no answer from ${region} within ${FENCE_BUDGET_MS / 1000} s`];
      const complete = outcomes.done && fenced.every((o) => o.endsWith(' fenced'));
      return {
        detail: `${complete ? 'fenced' : 'best effort, continuing'}: ${fenced.join('; ')} in ${region}`,
        outputs: { fenced: complete },
      };
    },
  };
}

/**
 * The target Region's writer services back to at least their autoscaling minimum (an earlier failover fenced them to
 * 0 there). Nothing else raises them: Application Auto Scaling corrects a count outside its range only "anytime a
 * scaling policy is invoked or the RegisterScalableTarget API is called", and a service with no task publishes no
 * metric to invoke its policy. The check finds nothing to do in a Region that was never fenced.
 *
 * A planned move restores, then waits ({@link waitForTargetCapacity}). An unplanned failover restores with
 * `bestEffort` before it moves traffic and does not wait: an error there is noted and the failover goes on (traffic
 * to a Region whose writers are still starting beats no failover).
 */
export function restoreTargetCapacity<I extends TargetInput>(options: { readonly bestEffort?: boolean } = {}): Step<I> {
  const below = async (ctx: StepContext<I>) => {
    const region = ctx.input.targetRegion;
    const writers = writersOf(ctx, region);
    if (!writers) return { writers, short: [] as { service: string; desired: number; minimum: number }[] };
    const [counts, minimums] = await Promise.all([
      ctx.ports.capacity.describe(region, writers.cluster, writers.services),
      ctx.ports.capacity.scalingMinimums(region, writers.cluster, writers.services),
    ]);
    const short = writers.services.flatMap((service) => {
      const minimum = Math.max(1, minimums[service] ?? ctx.topology.regions[region]?.minimumRunningTasks ?? 1);
      const desired = counts[service]?.desired ?? 0;
      return desired < minimum ? [{ service, desired, minimum }] : [];
    });
    return { writers, short };
  };
  return {
    name: 'restore-target-capacity',
    kind: 'action',
    title: "Scale the target Region's database writer services back to their autoscaling minimum (after a fence)",
    uses: ['capacity.describe', 'capacity.scalingMinimums', 'capacity.setDesiredCount'],
    describe: (ctx) =>
      `raise the writer services of ${ctx.input.targetRegion} to their minimum where a fence left them lower`,
    check: async (ctx) => {
      const found = await below(ctx).catch((error: unknown) => {
        if (!options.bestEffort) throw error;
        return { writers: undefined, short: [], error: messageOf(error) };
      });
      if ('error' in found) return { state: 'pending', detail: `could not read the writer services: ${found.error}` };
      const { writers, short } = found;
      if (!writers) return { state: 'done', detail: `no writer services in ${ctx.input.targetRegion}` };
      return short.length === 0
        ? {
            state: 'done',
            detail: `${writers.services.join(', ')} at or above their minimum in ${ctx.input.targetRegion}`,
          }
        : {
            state: 'pending',
            detail: short.map((s) => `${s.service} desired ${s.desired} < minimum ${s.minimum}`).join('; '),
          };
    },
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      try {
        const { writers, short } = await below(ctx);
        for (const s of short) await ctx.ports.capacity.setDesiredCount(region, writers!.cluster, s.service, s.minimum);
        return {
          detail: `restored in ${region}: ${short.map((s) => `${s.service} ${s.desired} → ${s.minimum}`).join(', ') || 'nothing to do'}`,
        };
      } catch (error) {
        if (!options.bestEffort) throw error;
        return {
          detail: `best effort, continuing: could not restore the writer services of ${region} (${messageOf(error)})`,
        };
      }
    },
  };
}

/** Waits until the target Region's writer services run as many tasks as they want. */
export function waitForTargetCapacity<I extends TargetInput>(): Step<I> {
  return {
    name: 'wait-for-target-capacity',
    kind: 'wait',
    title: "Wait until the target Region's database writer services run their desired tasks",
    uses: ['capacity.describe'],
    timeoutSeconds: RESTORE_TIMEOUT_SECONDS,
    describe: (ctx) => `poll DescribeServices in ${ctx.input.targetRegion} until running equals desired`,
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      const writers = writersOf(ctx, region);
      if (!writers) return { detail: `no writer services in ${region}` };
      const seen = await waitUntil(ctx, {
        what: `the writer services of ${region}`,
        timeoutSeconds: RESTORE_TIMEOUT_SECONDS,
        probe: async () => {
          const counts = await ctx.ports.capacity.describe(region, writers.cluster, writers.services);
          const missing = writers.services.filter((s) => !counts[s]);
          if (missing.length > 0) throw new RetriableError(`services not found in ${region}: ${missing.join(', ')}`);
          const lines = writers.services.map((s) => `${s} ${counts[s]!.running}/${counts[s]!.desired}`);
          return {
            done: writers.services.every((s) => counts[s]!.desired > 0 && counts[s]!.running >= counts[s]!.desired),
            detail: `running/desired: ${lines.join(', ')}`,
          };
        },
      });
      return { detail: seen.detail };
    },
  };
}
