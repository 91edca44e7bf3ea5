import { RetriableError } from '../../core/errors';
import type {
  AlarmFacts,
  ClusterFacts,
  DeployedCommitFacts,
  ReadinessFactsPort,
  ScalingLimits,
  SecretReplication,
  ServiceFacts,
  VcpuQuota,
} from '../../ports';
import type { SimulatedWorld, WorldState } from './simulated-world';

function requireUp(state: WorldState, region: string, api: string): void {
  if (state.regionsDown.includes(region)) {
    throw new RetriableError(`simulated outage: the ${api} API of ${region} does not answer`);
  }
}

/** Replaces the Region's name and the account id in every string of `value`, as the port promises. */
function normalised(value: unknown, region: string, account: string): unknown {
  if (typeof value === 'string') return value.split(region).join('<region>').split(account).join('<account>');
  if (Array.isArray(value)) return value.map((v) => normalised(v, region, account));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v, region, account)]));
  }
  return value;
}

/**
 * What readiness and parity checks read about the simulated world (the CLI's `--adapter local` and the tests): the
 * facts kept in `WorldState.facts` (healthy by default, see `initialFacts`), with running tasks and their images
 * taken from the world's task counts. A Region that is down answers nothing, as on AWS; a thing the world does not
 * hold is left out.
 */
export class SimulatedReadinessFacts implements ReadinessFactsPort {
  constructor(private readonly world: SimulatedWorld) {}

  async services(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceFacts>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'ECS');
      const result: Record<string, ServiceFacts> = {};
      for (const service of services) {
        const facts = state.facts.regions[region]?.services[service];
        if (!facts) continue;
        const running = state.runningTasks[region]?.[service] ?? 0;
        result[service] = {
          service,
          taskDefinitionArn: facts.taskDefinitionArn,
          vcpu: facts.vcpu,
          memoryMiB: facts.memoryMiB,
          settings: normalised(facts.settings, region, state.account) as Record<string, unknown>,
          runningDigests:
            running > 0
              ? Object.fromEntries(Object.entries(facts.digests).map(([c, d]) => [c, Array.isArray(d) ? d : [d]]))
              : {},
          desired: running,
          running,
        };
      }
      return result;
    });
  }

  async clusters(
    region: string,
    clusterIdentifiers: readonly string[],
  ): Promise<Readonly<Record<string, ClusterFacts>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'RDS');
      const result: Record<string, ClusterFacts> = {};
      for (const id of clusterIdentifiers) {
        const facts = state.facts.regions[region]?.clusters[id];
        const member = Object.values(state.globalClusters)
          .flatMap((g) => g.members)
          .find((m) => m.region === region && m.arn.endsWith(`:cluster:${id}`));
        if (facts) result[id] = { clusterIdentifier: id, ...facts, status: member?.status ?? 'available' };
      }
      return result;
    });
  }

  async alarms(region: string, alarmNames: readonly string[]): Promise<Readonly<Record<string, AlarmFacts>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'CloudWatch');
      const result: Record<string, AlarmFacts> = {};
      for (const name of alarmNames) {
        const alarm = state.facts.regions[region]?.alarms[name];
        if (alarm) result[name] = { name, state: alarm.state, since: new Date(alarm.since) };
      }
      return result;
    });
  }

  async peakRunningTasks(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number | undefined>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'CloudWatch');
      return Object.fromEntries(services.map((s) => [s, state.facts.regions[region]?.peakTasks[s]]));
    });
  }

  async scalingLimits(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ScalingLimits>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'Application Auto Scaling');
      const result: Record<string, ScalingLimits> = {};
      for (const service of services) {
        const limits = state.facts.regions[region]?.scaling[service];
        if (limits) result[service] = { min: limits.min, max: limits.max };
      }
      return result;
    });
  }

  async fargateVcpuQuota(region: string): Promise<VcpuQuota> {
    return this.world.transact((state) => {
      requireUp(state, region, 'Service Quotas');
      const facts = state.facts.regions[region];
      const fromTasks = Object.entries(state.runningTasks[region] ?? {}).reduce(
        (sum, [service, running]) => sum + running * (facts?.services[service]?.vcpu ?? 0),
        0,
      );
      return { limit: facts?.fargateVcpu.limit, used: facts?.fargateVcpu.used ?? fromTasks };
    });
  }

  async tableReplicationLatencySeconds(
    region: string,
    tableName: string,
    receivingRegion: string,
  ): Promise<number | undefined> {
    return this.world.transact((state) => {
      requireUp(state, region, 'CloudWatch');
      return state.facts.regions[region]?.tableLatencySeconds[tableName]?.[receivingRegion];
    });
  }

  async secretReplication(
    region: string,
    secretIds: readonly string[],
  ): Promise<Readonly<Record<string, SecretReplication>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'Secrets Manager');
      const result: Record<string, SecretReplication> = {};
      for (const id of secretIds) {
        const replication = state.facts.secretReplication[id];
        if (!replication || !state.secrets[region]?.includes(id)) continue;
        result[id] = {
          secretId: id,
          primaryRegion: replication.primaryRegion,
          replicas: Object.entries(replication.replicas).map(([r, status]) => ({ region: r, status })),
        };
      }
      return result;
    });
  }

  async deployedCommit(region: string, parameterName: string): Promise<DeployedCommitFacts | undefined> {
    return this.world.transact((state) => {
      requireUp(state, region, 'SSM');
      const parameter = state.facts.regions[region]?.deployedCommits?.[parameterName];
      return parameter ? { commit: parameter.commit, since: new Date(parameter.since) } : undefined;
    });
  }
}
