import type { ReadinessCheck } from '../readiness-check';

/** `capacity`: every service of the target Region runs at least its minimum number of tasks. */
export const capacityCheck: ReadinessCheck = {
  name: 'capacity',
  title: 'Every service of the target Region runs at least the minimum number of tasks',
  scope: 'takeover',
  whenRed:
    "A service of the Region that would take over runs fewer tasks than its minimum: it cannot serve the traffic it would receive. Look at the ECS service's events (failed task starts, quota) in that Region.",
  uses: ['health.runningTasks'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const settings = ctx.topology.regions[region];
    if (!settings?.ecsClusterName || settings.services.length === 0) {
      return { failures: [], notes: [`no ECS cluster/services configured for ${region}: capacity not checked`] };
    }
    const running = await ctx.ports.health.runningTasks(region, settings.ecsClusterName, settings.services);
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    for (const service of settings.services) {
      const count = running[service];
      if (count === undefined) unknowns.push(`service ${service}: no RunningTaskCount data in ${region}`);
      // NaN compares false with the minimum: it would pass as enough.
      else if (!Number.isFinite(count)) {
        unknowns.push(`service ${service}: RunningTaskCount in ${region} read as ${count}, not a count`);
      } else if (count < settings.minimumRunningTasks) {
        failures.push(
          `service ${service}: ${count} running tasks in ${region}; needs at least ${settings.minimumRunningTasks}`,
        );
      } else notes.push(`${service} ${count} tasks`);
    }
    return {
      failures,
      unknowns,
      notes,
      evidence: { region, minimumRunningTasks: settings.minimumRunningTasks, runningTasks: { ...running } },
    };
  },
};
