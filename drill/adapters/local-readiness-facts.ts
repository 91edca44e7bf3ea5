import type {
  AlarmFacts,
  ClusterFacts,
  DeployedCommitFacts,
  ReadinessFactsPort,
  ScalingLimits,
  SecretReplication,
  ServiceFacts,
  VcpuQuota,
} from '../../runbooks/ports';
import { withClient } from '../../services/db/with-client';
import { SHOP_TABLES } from '../stand-ins/dynamodb-server';
import type { CanaryAlarms } from './canary-alarms';
import { DRILL_READINESS_SETTINGS, type DrillReadinessSettings } from './drill-readiness-settings';
import { DRILL_ACCOUNT, type LocalGlobalCluster } from './local-global-database';
import type { LocalServiceCapacity } from './local-service-capacity';
import type { RegionOutages } from './region-outages';
import { comparableSettings, type ServiceBuild } from './service-build';

/** What the drill's readiness facts read from the running two-Region shop. */
export interface LocalReadinessSources {
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  readonly outages: RegionOutages;
  readonly clusters: readonly LocalGlobalCluster[];
  readonly alarms: CanaryAlarms;
  /** What each service of `region` was last started with (kept while it is stopped: its task definition). */
  serviceBuilds(region: string): Readonly<Record<string, ServiceBuild>>;
}

/**
 * What readiness and parity checks read about the drill's two simulated Regions. Real where the drill has it:
 * each cluster's engine version is its Postgres server's `server_version`; a service's running image digest is the
 * SHA-256 of the code its process was started from and its settings are the environment it was built with
 * (normalised: see {@link comparableSettings}); desired, running and minimum task counts and the vCPU in use come
 * from the drill's capacity stand-in ({@link LocalServiceCapacity}); the canary alarms from the canary's runs
 * ({@link CanaryAlarms}). Drill-configured ({@link DrillReadinessSettings}, changeable with {@link configure}):
 * backup retention, engine-version overrides, scaling maximums, task vCPU and memory, the Fargate vCPU quota, the
 * peak task counts, table replication latency, the secrets' replica status and the deployed commit of each Region (since
 * when: when the Region's services were last started, real). A Region that is down answers
 * nothing (every method throws the Region-down error, as the other local adapters).
 */
export class LocalReadinessFacts implements ReadinessFactsPort {
  private current: DrillReadinessSettings;

  constructor(
    private readonly sources: LocalReadinessSources,
    private readonly capacity: LocalServiceCapacity,
    settings: DrillReadinessSettings = DRILL_READINESS_SETTINGS,
  ) {
    this.current = settings;
  }

  /** The drill-configured values in use. */
  get settings(): DrillReadinessSettings {
    return this.current;
  }

  /** Changes drill-configured values (tests make a check red with it); returns the values before. */
  configure(changes: Partial<DrillReadinessSettings>): DrillReadinessSettings {
    const before = this.current;
    this.current = { ...before, ...changes };
    return before;
  }

  async services(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceFacts>>> {
    this.sources.outages.requireUp(region, 'ECS');
    const builds = this.sources.serviceBuilds(region);
    const counts = await this.capacity.describe(region, ecsClusterName, services);
    const regions = [this.sources.primaryRegion, this.sources.standbyRegion];
    const found: Record<string, ServiceFacts> = {};
    for (const service of services) {
      const build = builds[service];
      const count = counts[service];
      if (!build || !count) continue;
      found[service] = {
        service,
        taskDefinitionArn: `arn:aws:ecs:${region}:${DRILL_ACCOUNT}:task-definition/${ecsClusterName}-${service}:1`,
        vcpu: this.current.taskVcpu,
        memoryMiB: this.current.taskMemoryMiB,
        settings: comparableSettings(build, regions),
        runningDigests: count.running > 0 ? { [service]: [build.digest] } : {},
        desired: count.desired,
        running: count.running,
      };
    }
    return found;
  }

  async clusters(
    region: string,
    clusterIdentifiers: readonly string[],
  ): Promise<Readonly<Record<string, ClusterFacts>>> {
    this.sources.outages.requireUp(region, 'RDS');
    const versions = await Promise.all(
      clusterIdentifiers.map(async (id) => {
        const cluster = this.sources.clusters.find((c) => c.memberIdentifier(region) === id);
        return cluster?.serverIn(region) ? serverVersion(cluster.urlIn(region)) : undefined;
      }),
    );
    const found: Record<string, ClusterFacts> = {};
    clusterIdentifiers.forEach((id, i) => {
      const version = versions[i];
      if (version === undefined) return;
      found[id] = {
        clusterIdentifier: id,
        engine: 'postgres',
        engineVersion: this.current.engineVersionOverrides[id] ?? version,
        backupRetentionDays: this.current.backupRetentionDays,
        status: 'available',
      };
    });
    return found;
  }

  async alarms(region: string, alarmNames: readonly string[]): Promise<Readonly<Record<string, AlarmFacts>>> {
    this.sources.outages.requireUp(region, 'CloudWatch');
    return this.sources.alarms.alarmsOf(region, alarmNames);
  }

  async peakRunningTasks(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
    _hours: number,
  ): Promise<Readonly<Record<string, number | undefined>>> {
    this.sources.outages.requireUp(region, 'CloudWatch');
    const known = Object.keys(this.sources.serviceBuilds(region));
    return Object.fromEntries(services.map((s) => [s, known.includes(s) ? this.current.peakTasks : undefined]));
  }

  async scalingLimits(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ScalingLimits>>> {
    return this.capacity.scalingLimits(region, services);
  }

  async fargateVcpuQuota(region: string): Promise<VcpuQuota> {
    this.sources.outages.requireUp(region, 'Service Quotas');
    const running = this.capacity.runningTasks(region, Object.keys(this.sources.serviceBuilds(region)));
    const tasks = Object.values(running).reduce((sum, n) => sum + n, 0);
    return { limit: this.current.fargateVcpuQuota, used: tasks * this.current.taskVcpu };
  }

  async tableReplicationLatencySeconds(
    region: string,
    tableName: string,
    receivingRegion: string,
    _windowMinutes: number,
  ): Promise<number | undefined> {
    this.sources.outages.requireUp(region, 'CloudWatch');
    const regions = [this.sources.primaryRegion, this.sources.standbyRegion];
    if (!(SHOP_TABLES as readonly string[]).includes(tableName) || !regions.includes(receivingRegion)) return undefined;
    return this.current.tableReplicationLatencySeconds;
  }

  async secretReplication(
    region: string,
    secretIds: readonly string[],
  ): Promise<Readonly<Record<string, SecretReplication>>> {
    this.sources.outages.requireUp(region, 'Secrets Manager');
    const { primaryRegion, standbyRegion } = this.sources;
    return Object.fromEntries(
      secretIds.map((secretId) => [
        secretId,
        { secretId, primaryRegion, replicas: [{ region: standbyRegion, status: this.current.secretReplicaStatus }] },
      ]),
    );
  }

  /**
   * The commit `region`'s services run: drill-configured (`deployedCommits`, `unversioned` by default), since the
   * earliest start of the Region's running services; undefined when none was started (no parameter written yet).
   */
  async deployedCommit(region: string, _parameterName: string): Promise<DeployedCommitFacts | undefined> {
    this.sources.outages.requireUp(region, 'SSM');
    const started = Object.values(this.sources.serviceBuilds(region)).map((b) => b.startedAt.getTime());
    if (started.length === 0) return undefined;
    return { commit: this.current.deployedCommits[region] ?? 'unversioned', since: new Date(Math.min(...started)) };
  }
}

/** The server's `server_version` (e.g. `17.5`), or undefined when it does not answer. */
async function serverVersion(url: string): Promise<string | undefined> {
  try {
    return await withClient({ connectionString: url, connectionTimeoutMillis: 2000 }, async (client) => {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0]?.server_version.split(' ')[0];
    });
  } catch {
    return undefined;
  }
}
