import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeFolder } from '../../core/make-folder';
import type { ClockPort, RoutingControlState, SynchronizationStatus } from '../../ports';
import type { Topology } from '../../topology';

/** How long each simulated AWS operation takes, in ms of the world's clock. */
export interface SimulationTimings {
  readonly failoverMs: number;
  readonly switchoverMs: number;
  readonly copyMs: number;
  readonly restoreMs: number;
  readonly instanceMs: number;
  readonly deleteMs: number;
  readonly resyncMs: number;
}

/** Defaults of {@link SimulationTimings}: a few seconds each, so a CLI demo on the system clock is quick. */
export const DEFAULT_TIMINGS: SimulationTimings = {
  failoverMs: 3000,
  switchoverMs: 3000,
  copyMs: 2000,
  restoreMs: 2000,
  instanceMs: 2000,
  deleteMs: 1000,
  resyncMs: 2000,
};

/** A member of a simulated global cluster. */
export interface SimMember {
  arn: string;
  region: string;
  isWriter: boolean;
  sync: SynchronizationStatus;
  status: string;
  /** When a rejoining member becomes connected. */
  resyncAt?: string;
}

/** A simulated global cluster. */
export interface SimGlobalCluster {
  status: string;
  members: SimMember[];
  failover?: { status: string; fromArn: string; toArn: string; dataLossAllowed: boolean; completesAt: string };
}

/** A simulated snapshot. */
export interface SimSnapshot {
  region: string;
  identifier: string;
  arn: string;
  clusterIdentifier: string;
  status: string;
  createdAt: string;
  readyAt: string;
  engine: string;
  engineVersion: string;
  kmsKeyId?: string;
}

/** A simulated (restored) cluster or instance. */
export interface SimResource {
  region: string;
  identifier: string;
  status: string;
  readyAt: string;
  goneAt?: string;
  clusterIdentifier?: string;
}

/** A simulated ECS service's task definition and image, as readiness reads them. */
export interface SimServiceFacts {
  taskDefinitionArn: string;
  vcpu: number;
  memoryMiB: number;
  /** The task definition's settings as ECS returns them (with the Region's name and account id in them). */
  settings: Record<string, unknown>;
  /**
   * The image digest of each container; running tasks run these (several while a rolling deployment replaces the
   * tasks of the previous image).
   */
  digests: Record<string, string | string[]>;
}

/** A simulated Regional database cluster's settings. */
export interface SimClusterFacts {
  engine: string;
  engineVersion: string;
  backupRetentionDays: number;
}

/** A simulated CloudWatch alarm. */
export interface SimAlarm {
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  since: string;
}

/** One simulated ARC cluster endpoint: whether it answers and the routing controls it lists. */
export interface SimArcEndpoint {
  region: string;
  endpoint: string;
  answers: boolean;
  controls: { arn: string; name: string }[];
}

/** A simulated secret's primary Region and the status of each replica (by Region). */
export interface SimSecretReplication {
  primaryRegion: string;
  replicas: Record<string, string>;
}

/**
 * What readiness and parity checks read about a simulated Region (see `SimulatedReadinessFacts`). A thing left out
 * is one AWS would not answer for: the check that needs it says it could not decide.
 */
export interface SimRegionFacts {
  /** By service name. */
  services: Record<string, SimServiceFacts>;
  /** By cluster identifier. */
  clusters: Record<string, SimClusterFacts>;
  /** By alarm name. */
  alarms: Record<string, SimAlarm>;
  /** The highest running task count of each service over the readiness window. */
  peakTasks: Record<string, number>;
  /** Each service's autoscaling range (its scalable target). */
  scaling: Record<string, { min: number; max: number }>;
  /** The Fargate On-Demand vCPU quota; `used` left out is computed from the running tasks. */
  fargateVcpu: { limit?: number; used?: number };
  /** DynamoDB `ReplicationLatency` from this Region, by table then receiving Region, in seconds. */
  tableLatencySeconds: Record<string, Record<string, number>>;
  /**
   * The SSM parameters holding the commit a stack deployed, by parameter name: the value and when it last changed.
   * Left out in a world written before release awareness (no parameter then).
   */
  deployedCommits?: Record<string, { commit: string; since: string }>;
}

/** Readiness facts of the simulated world: per Region, plus what ARC and Secrets Manager hold across Regions. */
export interface SimFacts {
  regions: Record<string, SimRegionFacts>;
  arcEndpoints: SimArcEndpoint[];
  secretReplication: Record<string, SimSecretReplication>;
}

/** Everything the simulation knows; plain JSON, so it can live in a file between CLI runs. */
export interface WorldState {
  version: 1;
  account: string;
  timings: SimulationTimings;
  regionsDown: string[];
  routing: Record<string, RoutingControlState>;
  globalClusters: Record<string, SimGlobalCluster>;
  lagSeconds: Record<string, number>;
  snapshots: SimSnapshot[];
  clusters: SimResource[];
  instances: SimResource[];
  runningTasks: Record<string, Record<string, number>>;
  secrets: Record<string, string[]>;
  unhealthyUrls: string[];
  /** Readiness facts; a world file written before them gets the defaults when opened. */
  facts: SimFacts;
}

/** Where a {@link WorldState} is kept. */
export interface WorldStore {
  read(): WorldState | undefined;
  write(state: WorldState): void;
}

/** Keeps the world in memory (tests). */
export class MemoryWorldStore implements WorldStore {
  private state?: string;

  read(): WorldState | undefined {
    return this.state ? (JSON.parse(this.state) as WorldState) : undefined;
  }

  write(state: WorldState): void {
    this.state = JSON.stringify(state);
  }
}

/** Keeps the world in a JSON file (CLI demos: state survives between commands). */
export class FileWorldStore implements WorldStore {
  constructor(readonly file: string) {}

  read(): WorldState | undefined {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as WorldState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  write(state: WorldState): void {
    makeFolder(path.dirname(this.file));
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}

/** The ARN a simulated Regional cluster of `database` has in `region`. */
export function simulatedClusterArn(topology: Topology, account: string, database: string, region: string): string {
  return `arn:aws:rds:${region}:${account}:cluster:${topology.appName}-${topology.envName}-${database}-${region}`;
}

/** The autoscaling minimum of every simulated service of `region` (what a healthy Region runs). */
export function simulatedMinimumTasks(topology: Topology, region: string): number {
  return Math.max(2, topology.regions[region]?.minimumRunningTasks ?? 1);
}

/** The Aurora engine version every simulated cluster runs (and its unplanned-failover snapshots record). */
export const SIMULATED_ENGINE_VERSION = '16.6';

/** A deterministic `sha256:…` image digest of `image`. */
export function simulatedDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** The services of `region` in the topology: its `services` and `writerServices`. */
function servicesOf(topology: Topology, region: string): string[] {
  const settings = topology.regions[region];
  return [...new Set([...(settings?.services ?? []), ...(settings?.writerServices ?? [])])];
}

/** A task definition of `service` as ECS would describe it in `region` of `account` (Region and account inside). */
function taskSettings(topology: Topology, service: string, region: string, account: string): Record<string, unknown> {
  const prefix = `${topology.appName}-${topology.envName}`;
  return {
    family: `${prefix}-${service}`,
    cpu: '512',
    memory: '1024',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    taskRoleArn: `arn:aws:iam::${account}:role/${prefix}-${service}-task-${region}`,
    executionRoleArn: `arn:aws:iam::${account}:role/${prefix}-${service}-execution-${region}`,
    containerDefinitions: [
      {
        name: service,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: [
          { name: 'AWS_REGION', value: region },
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'PORT', value: '8080' },
        ],
        secrets: topology.databases.map((d) => ({
          name: `${d.name.toUpperCase()}_DB_SECRET`,
          valueFrom: `arn:aws:secretsmanager:${region}:${account}:secret:${d.secretId}`,
        })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': `/${prefix}/${service}`, 'awslogs-region': region },
        },
      },
    ],
  };
}

/** The commit both simulated Regions run at first (their services stacks' `deployed-commit` parameter). */
export const SIMULATED_COMMIT = '0123456789abcdef0123456789abcdef01234567';

/**
 * Readiness facts of a healthy pair of Regions: the same task definitions and images in both, equal engine versions,
 * a week of backups, the same commit deployed a day before `now`, canary and readiness alarms `OK` since then, a peak of twice the minimum with room
 * to scale to it, tables and secrets replicated, every ARC endpoint listing both routing controls.
 */
export function initialFacts(topology: Topology, account: string, now: Date): SimFacts {
  const regions = [topology.primaryRegion, topology.standbyRegion];
  const minimum = (region: string) => simulatedMinimumTasks(topology, region);
  const facts: SimFacts = { regions: {}, arcEndpoints: [], secretReplication: {} };
  for (const region of regions) {
    const settings = topology.regions[region];
    const services = servicesOf(topology, region);
    const alarmNames = [
      ...(settings?.canaryAlarmNames ?? []),
      ...(settings?.readinessAlarmName ? [settings.readinessAlarmName] : []),
    ];
    facts.regions[region] = {
      services: Object.fromEntries(
        services.map((service) => [
          service,
          {
            taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${topology.appName}-${topology.envName}-${service}:1`,
            vcpu: 0.5,
            memoryMiB: 1024,
            settings: taskSettings(topology, service, region, account),
            digests: { [service]: simulatedDigest(`${topology.appName}/${service}:1`) },
          },
        ]),
      ),
      clusters: Object.fromEntries(
        topology.databases.map((db) => [
          clusterIdOfArn(simulatedClusterArn(topology, account, db.name, region)),
          { engine: 'aurora-postgresql', engineVersion: SIMULATED_ENGINE_VERSION, backupRetentionDays: 7 },
        ]),
      ),
      alarms: Object.fromEntries(
        alarmNames.map((name) => [
          name,
          { state: 'OK' as const, since: new Date(now.getTime() - 86_400_000).toISOString() },
        ]),
      ),
      peakTasks: Object.fromEntries(services.map((s) => [s, 2 * minimum(region)])),
      scaling: Object.fromEntries(services.map((s) => [s, { min: minimum(region), max: 10 * minimum(region) }])),
      fargateVcpu: { limit: 400 },
      tableLatencySeconds: Object.fromEntries(
        topology.readiness.tables.map((table) => [
          table,
          Object.fromEntries(regions.filter((r) => r !== region).map((r) => [r, 1.2])),
        ]),
      ),
      deployedCommits: settings?.deployedCommitParameterName
        ? {
            [settings.deployedCommitParameterName]: {
              commit: SIMULATED_COMMIT,
              since: new Date(now.getTime() - 86_400_000).toISOString(),
            },
          }
        : {},
    };
    facts.arcEndpoints.push({
      region,
      endpoint: `https://arc-cluster.${region}.simulated.invalid/v1`,
      answers: true,
      controls: regions.map((r) => {
        const arn = topology.routing.controls[r]!;
        return { arn, name: arn.split('/').pop()! };
      }),
    });
  }
  const secretIds = new Set([
    ...regions.flatMap((r) => topology.regions[r]?.secretIds ?? []),
    ...topology.databases.map((d) => d.secretId),
  ]);
  for (const id of secretIds) {
    facts.secretReplication[id] = {
      primaryRegion: topology.primaryRegion,
      replicas: { [topology.standbyRegion]: 'InSync' },
    };
  }
  return facts;
}

const clusterIdOfArn = (arn: string) => arn.split(':').pop()!;

/** A healthy world for `topology`: writers and traffic in the primary Region, everything replicated. */
export function initialWorld(
  topology: Topology,
  timings: Partial<SimulationTimings> = {},
  now: Date = new Date(),
): WorldState {
  const account = '000000000000';
  const regions = [topology.primaryRegion, topology.standbyRegion];
  const state: WorldState = {
    version: 1,
    account,
    timings: { ...DEFAULT_TIMINGS, ...timings },
    regionsDown: [],
    routing: {
      [topology.routing.controls[topology.primaryRegion]!]: 'On',
      [topology.routing.controls[topology.standbyRegion]!]: 'Off',
    },
    globalClusters: {},
    lagSeconds: {},
    snapshots: [],
    clusters: [],
    instances: [],
    runningTasks: {},
    secrets: {},
    unhealthyUrls: [],
    facts: initialFacts(topology, account, now),
  };
  for (const db of topology.databases) {
    state.globalClusters[db.globalClusterIdentifier] = {
      status: 'available',
      members: regions.map((region) => ({
        arn: simulatedClusterArn(topology, account, db.name, region),
        region,
        isWriter: region === topology.primaryRegion,
        sync: 'connected',
        status: 'available',
      })),
    };
    // Aurora reports the lag of whichever member is a secondary; keep a value for both so either can be judged.
    for (const region of regions) state.lagSeconds[simulatedClusterArn(topology, account, db.name, region)] = 0.4;
  }
  for (const region of regions) {
    const settings = topology.regions[region];
    state.runningTasks[region] = Object.fromEntries(
      [...new Set([...(settings?.services ?? []), ...(settings?.writerServices ?? [])])].map((s) => [
        s,
        simulatedMinimumTasks(topology, region),
      ]),
    );
    state.secrets[region] = [
      ...new Set([...(settings?.secretIds ?? []), ...topology.databases.map((d) => d.secretId)]),
    ];
  }
  return state;
}

const later = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();
const reached = (at: string | undefined, now: Date) => at !== undefined && Date.parse(at) <= now.getTime();

/** `2026-01-27-10-15`: the timestamp format of RDS snapshot names. */
function snapshotStamp(now: Date): string {
  return now.toISOString().slice(0, 16).replace(/[T:]/g, '-');
}

/**
 * A simulated pair of AWS Regions for demos and tests: routing controls, Aurora global clusters (failover,
 * switchover, an old primary that rejoins and leaves an unplanned-failover snapshot), snapshot copies, restored
 * clusters, service health. Time-based transitions are applied lazily against the clock whenever the world is read.
 */
export class SimulatedWorld {
  constructor(
    private readonly store: WorldStore,
    readonly clock: ClockPort,
  ) {}

  /** Creates the world in `store` when it holds none yet. */
  static open(
    store: WorldStore,
    clock: ClockPort,
    topology: Topology,
    timings?: Partial<SimulationTimings>,
  ): SimulatedWorld {
    const existing = store.read();
    if (!existing) store.write(initialWorld(topology, timings, clock.now()));
    // A world written before readiness facts existed keeps its state and gets healthy facts.
    else if (!existing.facts)
      store.write({ ...existing, facts: initialFacts(topology, existing.account, clock.now()) });
    return new SimulatedWorld(store, clock);
  }

  /** Reads the world, applies due transitions, lets `change` read or modify it, and writes it back. */
  transact<T>(change: (state: WorldState, now: Date) => T): T {
    const state = this.store.read();
    if (!state) throw new Error('the simulated world has not been created');
    const now = this.clock.now();
    settle(state, now);
    const result = change(state, now);
    this.store.write(state);
    return result;
  }

  /** The world after due transitions (a copy). */
  snapshot(): WorldState {
    return this.transact((state) => structuredClone(state));
  }

  /** Takes a Region down: its APIs stop answering, its services fail. */
  regionDown(region: string): void {
    this.transact((state) => {
      if (!state.regionsDown.includes(region)) state.regionsDown.push(region);
    });
  }

  /**
   * Brings a Region back. A former writer that lost its role to an unplanned failover while the Region was down is
   * snapshotted (`rds:unplanned-global-failover-…`) and rejoins as a secondary after a resync.
   */
  regionUp(region: string): void {
    this.transact((state, now) => {
      state.regionsDown = state.regionsDown.filter((r) => r !== region);
      for (const member of Object.values(state.globalClusters).flatMap((g) => g.members)) {
        if (member.region === region && member.status === 'inaccessible') rejoin(state, member, now);
      }
    });
  }
}

function rejoin(state: WorldState, member: SimMember, now: Date): void {
  const clusterIdentifier = member.arn.split(':').pop()!;
  const identifier = `rds:unplanned-global-failover-${clusterIdentifier}-${snapshotStamp(now)}`;
  state.snapshots.push({
    region: member.region,
    identifier,
    arn: `arn:aws:rds:${member.region}:${state.account}:cluster-snapshot:${identifier}`,
    clusterIdentifier,
    status: 'available',
    createdAt: now.toISOString(),
    readyAt: now.toISOString(),
    engine: 'aurora-postgresql',
    engineVersion: SIMULATED_ENGINE_VERSION,
  });
  member.status = 'available';
  member.sync = 'pending-resync';
  member.resyncAt = later(now, state.timings.resyncMs);
}

function settle(state: WorldState, now: Date): void {
  for (const cluster of Object.values(state.globalClusters)) {
    const move = cluster.failover;
    if (move && reached(move.completesAt, now)) {
      for (const member of cluster.members) {
        if (member.arn === move.toArn) {
          member.isWriter = true;
          member.sync = 'connected';
        } else if (member.arn === move.fromArn) {
          member.isWriter = false;
          if (!move.dataLossAllowed) member.sync = 'connected';
          else if (state.regionsDown.includes(member.region)) {
            member.sync = 'pending-resync';
            member.status = 'inaccessible';
          } else rejoin(state, member, now);
        }
      }
      delete cluster.failover;
      cluster.status = 'available';
    }
    for (const member of cluster.members) {
      if (reached(member.resyncAt, now)) {
        member.sync = 'connected';
        delete member.resyncAt;
      }
    }
  }
  for (const snapshot of state.snapshots) {
    if (snapshot.status === 'copying' && reached(snapshot.readyAt, now)) snapshot.status = 'available';
  }
  for (const list of [state.clusters, state.instances]) {
    for (const resource of list) {
      if (resource.status === 'creating' && reached(resource.readyAt, now)) resource.status = 'available';
    }
  }
  state.clusters = state.clusters.filter((c) => !reached(c.goneAt, now));
  state.instances = state.instances.filter((i) => !reached(i.goneAt, now));
}

/** `later` for the ports. */
export const inMs = later;
