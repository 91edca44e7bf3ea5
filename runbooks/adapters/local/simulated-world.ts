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

/** A healthy world for `topology`: writers and traffic in the primary Region, everything replicated. */
export function initialWorld(topology: Topology, timings: Partial<SimulationTimings> = {}): WorldState {
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
    if (!store.read()) store.write(initialWorld(topology, timings));
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
    engineVersion: '16.6',
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
