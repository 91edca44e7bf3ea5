import type { Step, StepContext } from '../core/step';
import { otherRegion, regionsOf } from '../topology';
import type { TargetInput } from './database-steps';

/** One count to bring back to its baseline. */
interface BaselineChange {
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  readonly what: 'minimum' | 'desired';
  readonly from: number;
  readonly to: number;
}

/** The baseline minimum of `region`: `baselineMinimumTasks`, else `minimumRunningTasks`. */
export function baselineOf(ctx: Pick<StepContext<unknown>, 'topology'>, region: string): number {
  const settings = ctx.topology.regions[region];
  return settings?.baselineMinimumTasks ?? settings?.minimumRunningTasks ?? 1;
}

/**
 * The ECS cluster and services of `region`. The runbook of one Region may list only its own services (both Regions
 * run the same ones): the other Region's list and cluster name stand in when `region` names none.
 */
function servicesOf(
  ctx: StepContext<TargetInput>,
  region: string,
): { cluster: string; services: string[] } | undefined {
  const own = ctx.topology.regions[region];
  const peer = ctx.topology.regions[otherRegion(ctx.topology, region)];
  const cluster = own?.ecsClusterName ?? peer?.ecsClusterName;
  const services = own?.services.length ? own.services : (peer?.services ?? []);
  return cluster && services.length > 0 ? { cluster, services: [...services] } : undefined;
}

async function pendingChanges(ctx: StepContext<TargetInput>): Promise<BaselineChange[]> {
  const left = otherRegion(ctx.topology, ctx.input.targetRegion);
  const changes: BaselineChange[] = [];
  await Promise.all(
    regionsOf(ctx.topology).map(async (region) => {
      const found = servicesOf(ctx, region);
      if (!found) return;
      const baseline = baselineOf(ctx, region);
      const [minimums, counts] = await Promise.all([
        ctx.ports.capacity.scalingMinimums(region, found.cluster, found.services),
        region === left ? ctx.ports.capacity.describe(region, found.cluster, found.services) : Promise.resolve({}),
      ]);
      for (const service of found.services) {
        const minimum = minimums[service];
        if (minimum !== undefined && minimum !== baseline) {
          changes.push({ region, cluster: found.cluster, service, what: 'minimum', from: minimum, to: baseline });
        }
        const desired = (counts as Record<string, { desired: number }>)[service]?.desired;
        if (desired !== undefined && desired !== baseline) {
          changes.push({ region, cluster: found.cluster, service, what: 'desired', from: desired, to: baseline });
        }
      }
    }),
  );
  return changes.sort((a, b) =>
    `${a.region}/${a.service}/${a.what}`.localeCompare(`${b.region}/${b.service}/${b.what}`),
  );
}

const show = (c: BaselineChange) => `${c.region} ${c.service} ${c.what} ${c.from} → ${c.to}`;

/**
 * After a failback moved traffic back, the counts a scale-up raised come back down: both Regions' autoscaling
 * minimums to the baseline (`baselineMinimumTasks`, else `minimumRunningTasks`), and the desired count of the Region
 * left (it no longer takes traffic) to that baseline. The Region that took the traffic back keeps its desired counts:
 * its scaling policies scale it in as its load allows, no lower than the restored minimum. AWS: "To update a scalable
 * target, specify the parameters that you want to change ... Any parameters that you don't specify are not changed
 * by this update request" (API_RegisterScalableTarget): only MinCapacity is sent, the maximum stays.
 */
export function restoreScalingBaseline<I extends TargetInput>(): Step<I> {
  return {
    name: 'restore-scaling-baseline',
    kind: 'action',
    title:
      "Bring both Regions' autoscaling minimums, and the desired counts of the Region left, back to their baseline",
    uses: ['capacity.scalingMinimums', 'capacity.describe', 'capacity.setScalingMinimum', 'capacity.setDesiredCount'],
    describe: (ctx) => {
      const left = otherRegion(ctx.topology, ctx.input.targetRegion);
      return `RegisterScalableTarget MinCapacity back to the baseline in both Regions (${regionsOf(ctx.topology)
        .map((r) => `${r} ${baselineOf(ctx, r)}`)
        .join(', ')}), UpdateService desiredCount ${baselineOf(ctx, left)} in ${left}`;
    },
    check: async (ctx) => {
      const changes = await pendingChanges(ctx);
      return changes.length === 0
        ? { state: 'done', detail: 'every minimum, and every desired count of the Region left, is at its baseline' }
        : { state: 'pending', detail: changes.map(show).join('; ') };
    },
    run: async (ctx) => {
      const changes = await pendingChanges(ctx);
      // Minimums first: a desired count below a still-raised minimum would be raised again by the next scaling.
      await Promise.all(
        changes
          .filter((c) => c.what === 'minimum')
          .map((c) => ctx.ports.capacity.setScalingMinimum(c.region, c.cluster, c.service, c.to)),
      );
      await Promise.all(
        changes
          .filter((c) => c.what === 'desired')
          .map((c) => ctx.ports.capacity.setDesiredCount(c.region, c.cluster, c.service, c.to)),
      );
      return { detail: `restored: ${changes.map(show).join('; ') || 'nothing to do'}` };
    },
  };
}
