import { CheckFailedError, messageOf } from '../core/errors';
import type { Step } from '../core/step';
import type { ReadinessCheck, ReadinessInput } from '../readiness/readiness-check';
import { otherRegion } from '../topology';
import { memberIn } from './global-database-state';

export type { Assessment, ReadinessCheck, ReadinessInput } from '../readiness/readiness-check';

/** Minutes of replication-lag metrics looked at. */
const LAG_WINDOW_MINUTES = 5;

const servicesHealthy: ReadinessCheck = {
  name: 'services-healthy',
  title: "The target Region's health URLs answer 2xx",
  scope: 'takeover',
  whenRed:
    "A health URL of the Region that would take over does not answer 2xx: its services would fail the shoppers it receives. Look at the service's tasks and logs in that Region before moving traffic.",
  uses: ['health.checkEndpoints'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const urls = ctx.topology.regions[region]?.healthUrls ?? [];
    if (urls.length === 0) return { failures: [], notes: [`no health URLs configured for ${region}`] };
    const results = await ctx.ports.health.checkEndpoints(urls);
    return {
      failures: results.filter((r) => !r.healthy).map((r) => `${r.url} is unhealthy (${r.detail})`),
      notes: results.filter((r) => r.healthy).map((r) => `${r.url} ${r.detail}`),
    };
  },
};

const capacity: ReadinessCheck = {
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
    const notes: string[] = [];
    for (const service of settings.services) {
      const count = running[service];
      if (count === undefined) failures.push(`service ${service}: no RunningTaskCount data in ${region}`);
      else if (count < settings.minimumRunningTasks) {
        failures.push(
          `service ${service}: ${count} running tasks in ${region}; needs at least ${settings.minimumRunningTasks}`,
        );
      } else notes.push(`${service} ${count} tasks`);
    }
    return { failures, notes };
  },
};

const replication: ReadinessCheck = {
  name: 'replication',
  title: 'Every global database has a connected, available member in the target Region with low replication lag',
  scope: 'takeover',
  whenRed:
    "A global database has no healthy, caught-up member in the Region that would take over: a move now would lose writes or fail. Wait for replication, or look at the cluster's events.",
  uses: ['globalDatabase.describe', 'health.replicationLagSeconds'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const failures: string[] = [];
    const notes: string[] = [];
    for (const db of ctx.topology.databases) {
      const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, region);
      const member = memberIn(state, region);
      if (!member) {
        failures.push(`${db.globalClusterIdentifier}: no member in ${region}`);
        continue;
      }
      if (member.isWriter) {
        notes.push(`${db.name}: ${member.clusterIdentifier} in ${region} is already the writer`);
        continue;
      }
      if (member.synchronization === 'pending-resync') {
        failures.push(`${db.globalClusterIdentifier}: member ${member.clusterIdentifier} is pending-resync`);
      }
      if (member.clusterStatus !== undefined && member.clusterStatus !== 'available') {
        failures.push(`${db.globalClusterIdentifier}: member ${member.clusterIdentifier} is ${member.clusterStatus}`);
      }
      const lag = await ctx.ports.health.replicationLagSeconds(region, member.clusterIdentifier, LAG_WINDOW_MINUTES);
      if (lag === undefined) {
        failures.push(
          `${db.name}: no AuroraGlobalDBRPOLag data for ${member.clusterIdentifier} in the last ${LAG_WINDOW_MINUTES} min`,
        );
      } else if (lag > ctx.input.maxLagSeconds) {
        failures.push(`${db.name}: replication lag ${lag} s exceeds ${ctx.input.maxLagSeconds} s`);
      } else notes.push(`${db.name} lag ${lag} s`);
    }
    return { failures, notes };
  },
};

const routingControls: ReadinessCheck = {
  name: 'routing-controls',
  title: 'Both routing controls can be read from the ARC cluster',
  scope: 'takeover',
  whenRed:
    'The ARC routing controls cannot be read: a failover could not move traffic. Check the cluster endpoints and the routing parameter.',
  uses: ['routing.getStates'],
  assess: async (ctx) => {
    const regions = [ctx.input.targetRegion, otherRegion(ctx.topology, ctx.input.targetRegion)];
    try {
      const states = await ctx.ports.routing.getStates(regions.map((r) => ctx.topology.routing.controls[r]!));
      return { failures: [], notes: regions.map((r) => `${r} ${states[ctx.topology.routing.controls[r]!]}`) };
    } catch (error) {
      return { failures: [`routing controls cannot be read: ${messageOf(error)}`], notes: [] };
    }
  },
};

const secretsPresent: ReadinessCheck = {
  name: 'secrets-present',
  title: 'The secrets the services and the runbook need exist in the target Region',
  scope: 'takeover',
  whenRed:
    "A secret the services or the runbooks need is missing in the Region that would take over: its services or the recovery would fail there. Check the secret's replication.",
  uses: ['health.secretsPresent'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const ids = [
      ...new Set([
        ...(ctx.topology.regions[region]?.secretIds ?? []),
        ...ctx.topology.databases.map((d) => d.secretId),
      ]),
    ];
    const present = await ctx.ports.health.secretsPresent(region, ids);
    return {
      failures: ids.filter((id) => !present[id]).map((id) => `secret ${id} is missing in ${region}`),
      notes: [`${ids.filter((id) => present[id]).length}/${ids.length} secrets present`],
    };
  },
};

/** Every readiness check, in the order they run. */
export const READINESS_CHECKS: readonly ReadinessCheck[] = [
  servicesHealthy,
  capacity,
  replication,
  routingControls,
  secretsPresent,
];

/** A step that runs one readiness check and fails (non-retriably) when it finds a failure. */
export function readinessStep<I extends ReadinessInput>(check: ReadinessCheck): Step<I> {
  return {
    name: check.name,
    kind: 'check',
    title: check.title,
    uses: check.uses,
    describe: () => check.title,
    run: async (ctx) => {
      const { failures, notes } = await check.assess(ctx);
      if (failures.length > 0)
        throw new CheckFailedError(failures, `${check.name} failed in ${ctx.input.targetRegion}`);
      return { detail: notes.join('; ') || 'ok' };
    },
  };
}

/**
 * A step that runs every readiness check and fails with all their failures. Its check skips it once every writer is
 * already in the target Region (the move it guards has happened).
 */
export function readinessGate<I extends ReadinessInput>(): Step<I> {
  return {
    name: 'check-readiness',
    kind: 'check',
    title: 'The target Region passes every readiness check',
    uses: [...new Set(READINESS_CHECKS.flatMap((c) => c.uses))],
    describe: (ctx) => `run ${READINESS_CHECKS.map((c) => c.name).join(', ')} for ${ctx.input.targetRegion}`,
    check: async (ctx) => {
      for (const db of ctx.topology.databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, ctx.input.targetRegion);
        if (state.failover || !state.members.some((m) => m.isWriter && m.region === ctx.input.targetRegion)) {
          return { state: 'pending', detail: 'a writer is still outside the target Region' };
        }
      }
      return { state: 'done', detail: `every writer is already in ${ctx.input.targetRegion}` };
    },
    run: async (ctx) => {
      const failures: string[] = [];
      const notes: string[] = [];
      for (const check of READINESS_CHECKS) {
        const found = await check.assess(ctx);
        failures.push(...found.failures.map((f) => `${check.name}: ${f}`));
        notes.push(...found.notes);
      }
      if (failures.length > 0)
        throw new CheckFailedError(failures, `${ctx.input.targetRegion} is not ready to take over`);
      return { detail: notes.join('; ') || 'ready' };
    },
  };
}
