import { checkRegions, listed, regionServices } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';

const round = (n: number) => Math.round(n * 100) / 100;

/** Tasks the target Region needs for a service: `peakSharePercent` % of the other Region's peak, rounded up. */
export function tasksNeeded(peak: number, peakSharePercent: number): number {
  return Math.ceil((peakSharePercent * peak) / 100);
}

/**
 * `capacity-headroom`: the target Region's services can grow to `readiness.peakSharePercent` % of the other
 * Region's `readiness.peakWindowHours` peak task count, each within its autoscaling maximum, and the vCPU those
 * extra tasks need (task vCPU × tasks added above what runs now, plus what is in use) fits the Region's Fargate
 * On-Demand vCPU quota. The shortfall is named per service (tasks) and for the quota (vCPU). A peak, scaling range or
 * quota that cannot be read is INCONCLUSIVE.
 */
export const capacityHeadroomCheck: ReadinessCheck = {
  name: 'capacity-headroom',
  title: "The target Region can scale to the other Region's peak within its scaling maximums and Fargate vCPU quota",
  scope: 'standing',
  whenRed:
    "The Region could not grow to the other Region's recent peak: a service's autoscaling maximum is too low, or the Fargate vCPU quota would run out. A failover would leave shoppers without capacity. Raise the maximum named, or request an increase of the Region's \"Fargate On-Demand vCPU resource count\" quota (Service Quotas) by the vCPU short.",
  uses: ['facts.peakRunningTasks', 'facts.scalingLimits', 'facts.services', 'facts.fargateVcpuQuota'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const { peakSharePercent: share, peakWindowHours: hours } = ctx.topology.readiness;
    const here = regionServices(ctx.topology, target);
    const there = regionServices(ctx.topology, other);
    const missingCluster = [here.ecsClusterName ? [] : [target], there.ecsClusterName ? [] : [other]].flat();
    if (here.services.length === 0 || missingCluster.length > 0) {
      return {
        failures: [],
        notes: [
          here.services.length === 0
            ? `no ECS services configured for ${target}: capacity headroom not checked`
            : `no ECS cluster configured for ${listed(missingCluster)}: capacity headroom not checked`,
        ],
      };
    }
    const services = here.services;
    const peaks = await ctx.ports.facts.peakRunningTasks(other, there.ecsClusterName!, services, hours);
    const limits = await ctx.ports.facts.scalingLimits(target, here.ecsClusterName!, services);
    const facts = await ctx.ports.facts.services(target, here.ecsClusterName!, services);
    const quota = await ctx.ports.facts.fargateVcpuQuota(target);
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const perService: Record<string, unknown> = {};
    let addedVcpu = 0;
    let vcpuPartial = false;
    for (const service of services) {
      const peak = peaks[service];
      const range = limits[service];
      const running = facts[service];
      perService[service] = {
        otherRegionPeak: peak ?? null,
        needed: peak === undefined ? null : tasksNeeded(peak, share),
        scalingMax: range?.max ?? null,
        running: running?.running ?? null,
        vcpu: running?.vcpu ?? null,
      };
      if (peak === undefined || !Number.isFinite(peak)) {
        // A peak that is not a number (NaN compares false with every maximum and quota) is as unknown as none.
        unknowns.push(
          peak === undefined
            ? `service ${service}: no RunningTaskCount data in ${other} over the last ${hours} h, so the tasks it needs could not be computed`
            : `service ${service}: its RunningTaskCount peak in ${other} over the last ${hours} h is ${peak}, not a task count, so the tasks it needs could not be computed`,
        );
        vcpuPartial = true;
        continue;
      }
      const needed = tasksNeeded(peak, share);
      if (!range || !Number.isFinite(range.max)) {
        unknowns.push(
          range
            ? `service ${service}: its scaling maximum in ${target} was read as ${range.max}, not a task count`
            : `service ${service}: no scalable target read in ${target}, so its scaling maximum is unknown`,
        );
      } else if (needed > range.max) {
        failures.push(
          `service ${service}: needs ${needed} tasks in ${target} (${share} % of ${other}'s ${hours}-hour peak of ${peak}); its scaling maximum is ${range.max}: short by ${needed - range.max} tasks; expected: a maximum of at least ${needed}`,
        );
      } else notes.push(`${service}: needs ${needed}, maximum ${range.max}`);
      if (!running) {
        unknowns.push(`service ${service}: not described in ${target}, so the vCPU it would add is unknown`);
        vcpuPartial = true;
      } else if (!Number.isFinite(running.vcpu) || !Number.isFinite(running.running)) {
        unknowns.push(
          `service ${service}: its task size or running count in ${target} is not a number (vCPU ${running.vcpu}, running ${running.running}), so the vCPU it would add is unknown`,
        );
        vcpuPartial = true;
      } else addedVcpu += running.vcpu * Math.max(0, needed - running.running);
    }
    const evidence = {
      peakSharePercent: share,
      peakWindowHours: hours,
      services: perService,
      vcpu: {
        limit: quota.limit ?? null,
        ...(quota.source ? { limitSource: quota.source } : {}),
        used: quota.used ?? null,
        toAdd: round(addedVcpu),
        partial: vcpuPartial,
      },
    };
    if (
      quota.limit === undefined ||
      quota.used === undefined ||
      !Number.isFinite(quota.limit) ||
      !Number.isFinite(quota.used)
    ) {
      // A quota or a use that is not a number (NaN, Infinity) compares false with the sum: it would pass as room.
      const what =
        quota.limit === undefined
          ? 'the quota could not be read'
          : !Number.isFinite(quota.limit)
            ? `the quota was read as ${quota.limit}, not a number of vCPU`
            : quota.used === undefined
              ? 'the vCPU in use could not be read'
              : `the vCPU in use was read as ${quota.used}, not a number of vCPU`;
      unknowns.push(
        `Fargate On-Demand vCPU quota of ${target}: ${what}, so the headroom for ${round(addedVcpu)} more vCPU is unknown`,
      );
      return { failures, unknowns, notes, evidence };
    }
    const total = quota.used + addedVcpu;
    const fromDefault = quota.source === 'default' ? ' (the AWS default: Service Quotas has no applied value)' : '';
    if (total > quota.limit) {
      failures.push(
        `Fargate On-Demand vCPU quota of ${target} is ${quota.limit} vCPU${fromDefault}; ${round(quota.used)} in use + ${vcpuPartial ? 'at least ' : ''}${round(addedVcpu)} to add for the peak = ${round(total)}: short by ${round(total - quota.limit)} vCPU; expected: a quota of at least ${Math.ceil(total)} vCPU`,
      );
    } else if (!vcpuPartial) {
      notes.push(`vCPU: ${round(quota.used)} in use + ${round(addedVcpu)} to add ≤ quota ${quota.limit}${fromDefault}`);
    }
    return { failures, unknowns, notes, evidence };
  },
};
