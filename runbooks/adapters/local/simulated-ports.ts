import { NonRetriableError, RetriableError } from '../../core/errors';
import type {
  ClusterSnapshot,
  CopySnapshotRequest,
  CreateInstanceRequest,
  CredentialsPort,
  DatabaseCredentials,
  DatabaseEndpoint,
  EndpointHealth,
  GlobalClusterState,
  GlobalDatabasePort,
  HealthPort,
  RestoreClusterRequest,
  RestoredCluster,
  RestoredInstance,
  RoutingConfiguration,
  RoutingControlChange,
  RoutingControlPort,
  RoutingControlState,
  ServiceCapacityPort,
  ServiceCount,
  SnapshotPort,
} from '../../ports';
import { inMs, type SimSnapshot, type SimulatedWorld, type WorldState } from './simulated-world';

function requireUp(state: WorldState, region: string, api: string): void {
  if (state.regionsDown.includes(region)) {
    throw new RetriableError(`simulated outage: the ${api} API of ${region} does not answer`);
  }
}

/** Routing controls of the simulated world; the ARC data plane stays up when a Region fails, as on AWS. */
export class SimulatedRoutingControl implements RoutingControlPort {
  constructor(private readonly world: SimulatedWorld) {}

  async getStates(controls: readonly string[]): Promise<Readonly<Record<string, RoutingControlState>>> {
    return this.world.transact((state) => {
      const result: Record<string, RoutingControlState> = {};
      for (const arn of controls) {
        const value = state.routing[arn];
        if (!value) throw new NonRetriableError(`routing control ${arn} does not exist`);
        result[arn] = value;
      }
      return result;
    });
  }

  async setStates(changes: readonly RoutingControlChange[]): Promise<void> {
    this.world.transact((state) => {
      const next = { ...state.routing };
      for (const change of changes) {
        if (!next[change.control]) throw new NonRetriableError(`routing control ${change.control} does not exist`);
        next[change.control] = change.state;
      }
      // The assertion safety rule of the ARC control panel: at least one Region on.
      if (!Object.values(next).includes('On')) {
        throw new NonRetriableError(
          'the safety rule "at least one Region on" rejects this change (every control would be Off)',
        );
      }
      state.routing = next;
    });
  }

  /** Every simulated endpoint (`WorldState.facts.arcEndpoints`) answers on its own, or not. */
  async describeConfiguration(controls: readonly string[]): Promise<RoutingConfiguration> {
    return this.world.transact((state) => {
      const names = new Map(Object.keys(state.routing).map((arn) => [arn.split('/').pop()!, arn] as const));
      return {
        held: Object.fromEntries(controls.map((c) => [c, c.startsWith('arn:') ? c : names.get(c)])),
        endpoints: state.facts.arcEndpoints.map((e) =>
          e.answers
            ? { region: e.region, endpoint: e.endpoint, controls: e.controls.map((c) => ({ ...c })) }
            : { region: e.region, endpoint: e.endpoint, error: 'connect timeout after 3 s (simulated)' },
        ),
      };
    });
  }
}

const clusterIdOf = (arn: string) => arn.split(':').pop()!;

/** Aurora global databases of the simulated world. */
export class SimulatedGlobalDatabase implements GlobalDatabasePort {
  constructor(private readonly world: SimulatedWorld) {}

  async describe(globalClusterId: string, region: string): Promise<GlobalClusterState> {
    return this.world.transact((state) => {
      requireUp(state, region, 'RDS');
      const cluster = state.globalClusters[globalClusterId];
      if (!cluster) throw new NonRetriableError(`global cluster "${globalClusterId}" does not exist`);
      return {
        identifier: globalClusterId,
        status: cluster.status,
        ...(cluster.failover
          ? {
              failover: {
                status: cluster.failover.status,
                fromClusterArn: cluster.failover.fromArn,
                toClusterArn: cluster.failover.toArn,
                dataLossAllowed: cluster.failover.dataLossAllowed,
              },
            }
          : {}),
        members: cluster.members.map((m) => ({
          clusterArn: m.arn,
          clusterIdentifier: clusterIdOf(m.arn),
          region: m.region,
          isWriter: m.isWriter,
          ...(m.isWriter ? {} : { synchronization: m.sync }),
          ...(m.region === region ? { clusterStatus: m.status } : {}),
        })),
      };
    });
  }

  async failover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void> {
    this.move(globalClusterId, targetClusterArn, region, true);
  }

  async switchover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void> {
    this.move(globalClusterId, targetClusterArn, region, false);
  }

  async writerEndpoint(globalClusterId: string, region: string): Promise<DatabaseEndpoint> {
    const state = await this.describe(globalClusterId, region);
    const writer = state.members.find((m) => m.isWriter);
    if (!writer) throw new RetriableError(`global cluster "${globalClusterId}" has no writer`);
    return { host: `${writer.clusterIdentifier}.cluster-sim.${writer.region}.rds.local`, port: 5432 };
  }

  private move(globalClusterId: string, targetArn: string, region: string, dataLossAllowed: boolean): void {
    this.world.transact((state, now) => {
      requireUp(state, region, 'RDS');
      const cluster = state.globalClusters[globalClusterId];
      if (!cluster) throw new NonRetriableError(`global cluster "${globalClusterId}" does not exist`);
      if (cluster.failover) {
        throw new NonRetriableError(
          `InvalidGlobalClusterStateFault: global cluster "${globalClusterId}" is already ${cluster.status}`,
        );
      }
      const target = cluster.members.find((m) => m.arn === targetArn);
      const writer = cluster.members.find((m) => m.isWriter);
      if (!target || target.isWriter || !writer) {
        throw new NonRetriableError(
          `InvalidGlobalClusterStateFault: ${targetArn} is not a secondary of "${globalClusterId}"`,
        );
      }
      if (!dataLossAllowed && (state.regionsDown.includes(writer.region) || target.sync !== 'connected')) {
        throw new NonRetriableError(
          `InvalidGlobalClusterStateFault: a switchover of "${globalClusterId}" needs every member available and connected`,
        );
      }
      cluster.status = dataLossAllowed ? 'failing-over' : 'switching-over';
      cluster.failover = {
        status: 'failing-over',
        fromArn: writer.arn,
        toArn: targetArn,
        dataLossAllowed,
        completesAt: inMs(now, dataLossAllowed ? state.timings.failoverMs : state.timings.switchoverMs),
      };
    });
  }
}

function toSnapshot(s: SimSnapshot): ClusterSnapshot {
  return {
    identifier: s.identifier,
    arn: s.arn,
    region: s.region,
    clusterIdentifier: s.clusterIdentifier,
    status: s.status,
    createdAt: new Date(s.createdAt),
    engine: s.engine,
    engineVersion: s.engineVersion,
  };
}

/** Snapshots, restored clusters and instances of the simulated world. */
export class SimulatedSnapshots implements SnapshotPort {
  constructor(private readonly world: SimulatedWorld) {}

  async findUnplannedFailoverSnapshots(region: string, clusterIdentifier: string): Promise<readonly ClusterSnapshot[]> {
    return this.world.transact((state) => {
      requireUp(state, region, 'RDS');
      return state.snapshots
        .filter(
          (s) => s.region === region && s.identifier.startsWith(`rds:unplanned-global-failover-${clusterIdentifier}-`),
        )
        .map(toSnapshot)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    });
  }

  async describeSnapshot(region: string, identifier: string): Promise<ClusterSnapshot | undefined> {
    return this.world.transact((state) => {
      requireUp(state, region, 'RDS');
      const found = state.snapshots.find((s) => s.region === region && s.identifier === identifier);
      return found ? toSnapshot(found) : undefined;
    });
  }

  async copySnapshot(request: CopySnapshotRequest): Promise<void> {
    this.world.transact((state, now) => {
      requireUp(state, request.targetRegion, 'RDS');
      requireUp(state, request.sourceRegion, 'RDS');
      const source = state.snapshots.find((s) => s.arn === request.sourceArn);
      if (!source) throw new NonRetriableError(`DBClusterSnapshotNotFoundFault: ${request.sourceArn}`);
      if (state.snapshots.some((s) => s.region === request.targetRegion && s.identifier === request.targetIdentifier))
        return;
      state.snapshots.push({
        ...source,
        region: request.targetRegion,
        identifier: request.targetIdentifier,
        arn: `arn:aws:rds:${request.targetRegion}:${state.account}:cluster-snapshot:${request.targetIdentifier}`,
        status: 'copying',
        readyAt: inMs(now, state.timings.copyMs),
        kmsKeyId: request.kmsKeyId,
      });
    });
  }

  async describeCluster(region: string, identifier: string): Promise<RestoredCluster | undefined> {
    return this.world.transact((state) => {
      requireUp(state, region, 'RDS');
      const found = state.clusters.find((c) => c.region === region && c.identifier === identifier);
      if (!found) return undefined;
      return {
        identifier,
        status: found.status,
        ...(found.status === 'available'
          ? { endpoint: { host: `${identifier}.cluster-sim.${region}.rds.local`, port: 5432 } }
          : {}),
      };
    });
  }

  async restoreCluster(request: RestoreClusterRequest): Promise<void> {
    this.world.transact((state, now) => {
      requireUp(state, request.region, 'RDS');
      if (
        !state.snapshots.some(
          (s) => s.region === request.region && s.identifier === request.snapshotIdentifier && s.status === 'available',
        )
      ) {
        throw new NonRetriableError(
          `DBClusterSnapshotNotFoundFault: ${request.snapshotIdentifier} is not available in ${request.region}`,
        );
      }
      if (state.clusters.some((c) => c.region === request.region && c.identifier === request.clusterIdentifier)) return;
      state.clusters.push({
        region: request.region,
        identifier: request.clusterIdentifier,
        status: 'creating',
        readyAt: inMs(now, state.timings.restoreMs),
      });
    });
  }

  async describeInstance(region: string, identifier: string): Promise<RestoredInstance | undefined> {
    return this.world.transact((state) => {
      requireUp(state, region, 'RDS');
      const found = state.instances.find((i) => i.region === region && i.identifier === identifier);
      return found ? { identifier, status: found.status } : undefined;
    });
  }

  async createInstance(request: CreateInstanceRequest): Promise<void> {
    this.world.transact((state, now) => {
      requireUp(state, request.region, 'RDS');
      if (!state.clusters.some((c) => c.region === request.region && c.identifier === request.clusterIdentifier)) {
        throw new NonRetriableError(`DBClusterNotFoundFault: ${request.clusterIdentifier}`);
      }
      if (state.instances.some((i) => i.region === request.region && i.identifier === request.instanceIdentifier))
        return;
      state.instances.push({
        region: request.region,
        identifier: request.instanceIdentifier,
        clusterIdentifier: request.clusterIdentifier,
        status: 'creating',
        readyAt: inMs(now, state.timings.instanceMs),
      });
    });
  }

  async deleteInstance(region: string, identifier: string): Promise<void> {
    this.world.transact((state, now) => {
      requireUp(state, region, 'RDS');
      const found = state.instances.find((i) => i.region === region && i.identifier === identifier);
      if (found && found.status !== 'deleting') {
        found.status = 'deleting';
        found.goneAt = inMs(now, state.timings.deleteMs);
      }
    });
  }

  async deleteCluster(region: string, identifier: string): Promise<void> {
    this.world.transact((state, now) => {
      requireUp(state, region, 'RDS');
      const found = state.clusters.find((c) => c.region === region && c.identifier === identifier);
      if (!found || found.status === 'deleting') return;
      if (state.instances.some((i) => i.region === region && i.clusterIdentifier === identifier)) {
        throw new NonRetriableError(`InvalidDBClusterStateFault: cluster ${identifier} still contains DB instances`);
      }
      found.status = 'deleting';
      found.goneAt = inMs(now, state.timings.deleteMs);
    });
  }
}

/** Health of the simulated Regions: a Region that is down fails every check. */
export class SimulatedHealth implements HealthPort {
  constructor(private readonly world: SimulatedWorld) {}

  async checkEndpoints(urls: readonly string[]): Promise<readonly EndpointHealth[]> {
    return this.world.transact((state) =>
      urls.map((url) => {
        const down = state.regionsDown.some((r) => url.includes(r)) || state.unhealthyUrls.includes(url);
        return { url, healthy: !down, detail: down ? 'HTTP 503 (simulated)' : 'HTTP 200 (simulated)' };
      }),
    );
  }

  async replicationLagSeconds(region: string, clusterIdentifier: string): Promise<number | undefined> {
    return this.world.transact((state) => {
      requireUp(state, region, 'CloudWatch');
      const entry = Object.entries(state.lagSeconds).find(([arn]) => arn.endsWith(`:cluster:${clusterIdentifier}`));
      return entry?.[1];
    });
  }

  async runningTasks(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number | undefined>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'CloudWatch');
      return Object.fromEntries(services.map((s) => [s, state.runningTasks[region]?.[s]]));
    });
  }

  async secretsPresent(region: string, secretIds: readonly string[]): Promise<Readonly<Record<string, boolean>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'Secrets Manager');
      return Object.fromEntries(secretIds.map((id) => [id, state.secrets[region]?.includes(id) ?? false]));
    });
  }
}

/** ECS services of the simulated Regions: a new desired count is running at once; a Region that is down answers nothing. */
export class SimulatedServiceCapacity implements ServiceCapacityPort {
  constructor(private readonly world: SimulatedWorld) {}

  async describe(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceCount>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'ECS');
      const counts: Record<string, ServiceCount> = {};
      for (const s of services) {
        const n = state.runningTasks[region]?.[s];
        if (n !== undefined) counts[s] = { desired: n, running: n };
      }
      return counts;
    });
  }

  async setDesiredCount(region: string, _ecsClusterName: string, service: string, count: number): Promise<void> {
    this.world.transact((state) => {
      requireUp(state, region, 'ECS');
      state.runningTasks[region] = { ...state.runningTasks[region], [service]: count };
    });
  }

  /**
   * Raises or lowers the service's scalable target minimum; the maximum stays. The simulation does not start tasks
   * for a higher minimum: the caller sets the desired count too.
   */
  async setScalingMinimum(region: string, _ecsClusterName: string, service: string, minimum: number): Promise<void> {
    this.world.transact((state) => {
      requireUp(state, region, 'Application Auto Scaling');
      const limits = state.facts.regions[region]?.scaling[service];
      if (!limits) {
        throw new NonRetriableError(`ObjectNotFoundException: service ${service} has no scalable target in ${region}`);
      }
      // Unverified: the RegisterScalableTarget reference does not say what a MinCapacity above the registered
      // MaxCapacity does. The simulation refuses it, so a caller that forgets to cap at the maximum is found out.
      if (minimum > limits.max) {
        throw new NonRetriableError(
          `ValidationException: MinCapacity ${minimum} of ${service} in ${region} is above its MaxCapacity ${limits.max}`,
        );
      }
      limits.min = minimum;
    });
  }

  async scalingMinimums(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number>>> {
    return this.world.transact((state) => {
      requireUp(state, region, 'Application Auto Scaling');
      const result: Record<string, number> = {};
      for (const s of services) {
        const limits = state.facts.regions[region]?.scaling[s];
        if (limits) result[s] = limits.min;
      }
      return result;
    });
  }
}

/** Fixed credentials: the simulated databases accept anything. */
export class SimulatedCredentials implements CredentialsPort {
  async databaseCredentials(): Promise<DatabaseCredentials> {
    return { username: 'shop', password: 'simulated' };
  }
}
