import { rm } from 'node:fs/promises';
import { NonRetriableError } from '../../runbooks/core/errors';
import { UNPLANNED_FAILOVER_SNAPSHOT_PREFIX } from '../../runbooks/orchestrations/recover';
import type {
  ClusterSnapshot,
  CopySnapshotRequest,
  CreateInstanceRequest,
  RestoreClusterRequest,
  RestoredCluster,
  RestoredInstance,
  SnapshotPort,
} from '../../runbooks/ports';
import type { PostgresServer } from '../stand-ins/postgres-server';
import { DRILL_ACCOUNT, type LocalGlobalCluster } from './local-global-database';
import type { RegionOutages } from './region-outages';

/** Engine and version the drill's snapshots claim (the embedded binaries' major version). */
const ENGINE = { engine: 'aurora-postgresql', engineVersion: '16' } as const;

interface Snapshot extends ClusterSnapshot {
  /** The global cluster whose old primary the snapshot holds. */
  readonly source: LocalGlobalCluster;
}

interface Restore {
  readonly region: string;
  readonly source: LocalGlobalCluster;
  status: 'creating' | 'available' | 'failed';
  server?: PostgresServer;
  error?: string;
  readonly started: Promise<void>;
}

/** `2026-01-27-10-15`: the timestamp part of Aurora's unplanned-failover snapshot names. */
function snapshotStamp(date: Date): string {
  return date.toISOString().slice(0, 16).replace(/[T:]/g, '-');
}

/**
 * The drill's SnapshotPort. When a failed Region comes back ({@link regionReturned}), each old primary that
 * crashed there gets an `rds:unplanned-global-failover-<cluster>-<time>` snapshot, as Aurora takes one. Copies are
 * records (the crashed data directory does not change until the member is rebuilt); restoring a cluster starts a
 * Postgres server on a copy of the crashed primary's data directory (`restoreOldPrimarySnapshot()`), and deleting
 * it stops that server and removes the copy. Instances are records: a restored server is its own instance.
 */
export class LocalSnapshots implements SnapshotPort {
  private readonly snapshots: Snapshot[] = [];
  private readonly restores = new Map<string, Restore>();
  private readonly instances = new Map<string, { region: string; clusterIdentifier: string }>();

  /**
   * @param clusters the global databases
   * @param track registers a restored server so that it is stopped if the drill is interrupted
   */
  constructor(
    private readonly clusters: readonly LocalGlobalCluster[],
    private readonly outages: RegionOutages,
    private readonly track: (name: string, server: PostgresServer) => void,
  ) {}

  /** Aurora's snapshot of every old primary of `region` that lost its writer role in an unplanned failover. */
  regionReturned(region: string, at: Date): void {
    for (const cluster of this.clusters) {
      const state = cluster.describe(cluster.writerRegion);
      const member = state.members.find((m) => m.region === region);
      if (!member || member.isWriter || member.synchronization !== 'pending-resync') continue;
      const identifier = `${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}${member.clusterIdentifier}-${snapshotStamp(at)}`;
      if (this.snapshots.some((s) => s.region === region && s.identifier === identifier)) continue;
      this.snapshots.push({
        identifier,
        arn: `arn:aws:rds:${region}:${DRILL_ACCOUNT}:cluster-snapshot:${identifier}`,
        region,
        clusterIdentifier: member.clusterIdentifier,
        status: 'available',
        createdAt: at,
        ...ENGINE,
        source: cluster,
      });
    }
  }

  async findUnplannedFailoverSnapshots(region: string, clusterIdentifier: string): Promise<readonly ClusterSnapshot[]> {
    this.outages.requireUp(region, 'RDS');
    return this.snapshots
      .filter(
        (s) =>
          s.region === region &&
          s.identifier.startsWith(`${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}${clusterIdentifier}-`) &&
          s.clusterIdentifier === clusterIdentifier,
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(publicSnapshot);
  }

  async describeSnapshot(region: string, identifier: string): Promise<ClusterSnapshot | undefined> {
    this.outages.requireUp(region, 'RDS');
    const found = this.snapshots.find((s) => s.region === region && s.identifier === identifier);
    return found ? publicSnapshot(found) : undefined;
  }

  async copySnapshot(request: CopySnapshotRequest): Promise<void> {
    this.outages.requireUp(request.targetRegion, 'RDS');
    this.outages.requireUp(request.sourceRegion, 'RDS');
    const source = this.snapshots.find((s) => s.arn === request.sourceArn);
    if (!source) throw new NonRetriableError(`DBClusterSnapshotNotFoundFault: ${request.sourceArn}`);
    if (this.snapshots.some((s) => s.region === request.targetRegion && s.identifier === request.targetIdentifier))
      return;
    this.snapshots.push({
      ...source,
      region: request.targetRegion,
      identifier: request.targetIdentifier,
      arn: `arn:aws:rds:${request.targetRegion}:${DRILL_ACCOUNT}:cluster-snapshot:${request.targetIdentifier}`,
    });
  }

  async describeCluster(region: string, identifier: string): Promise<RestoredCluster | undefined> {
    this.outages.requireUp(region, 'RDS');
    const restore = this.restores.get(identifier);
    if (!restore || restore.region !== region) return undefined;
    if (restore.status === 'failed') {
      throw new NonRetriableError(`restore of ${identifier} failed: ${restore.error}`);
    }
    return {
      identifier,
      status: restore.status,
      ...(restore.server ? { endpoint: { host: '127.0.0.1', port: restore.server.port } } : {}),
    };
  }

  async restoreCluster(request: RestoreClusterRequest): Promise<void> {
    this.outages.requireUp(request.region, 'RDS');
    const snapshot = this.snapshots.find(
      (s) => s.region === request.region && s.identifier === request.snapshotIdentifier,
    );
    if (!snapshot) {
      throw new NonRetriableError(
        `DBClusterSnapshotNotFoundFault: ${request.snapshotIdentifier} is not available in ${request.region}`,
      );
    }
    if (this.restores.has(request.clusterIdentifier)) return;
    const restore: Restore = {
      region: request.region,
      source: snapshot.source,
      status: 'creating',
      // A short directory name: Postgres puts its Unix socket there, and socket paths end at 107 bytes.
      started: snapshot.source.restoreOldPrimarySnapshot(`restore-${this.restores.size + 1}`).then(
        (server) => {
          restore.server = server;
          restore.status = 'available';
          this.track(`restored ${request.clusterIdentifier}`, server);
        },
        (error: unknown) => {
          restore.status = 'failed';
          restore.error = error instanceof Error ? error.message : String(error);
        },
      ),
    };
    this.restores.set(request.clusterIdentifier, restore);
  }

  async describeInstance(region: string, identifier: string): Promise<RestoredInstance | undefined> {
    this.outages.requireUp(region, 'RDS');
    const instance = this.instances.get(identifier);
    if (!instance || instance.region !== region) return undefined;
    return { identifier, status: 'available' };
  }

  async createInstance(request: CreateInstanceRequest): Promise<void> {
    this.outages.requireUp(request.region, 'RDS');
    if (!this.restores.has(request.clusterIdentifier)) {
      throw new NonRetriableError(`DBClusterNotFoundFault: ${request.clusterIdentifier}`);
    }
    this.instances.set(request.instanceIdentifier, {
      region: request.region,
      clusterIdentifier: request.clusterIdentifier,
    });
  }

  async deleteInstance(region: string, identifier: string): Promise<void> {
    this.outages.requireUp(region, 'RDS');
    if (this.instances.get(identifier)?.region === region) this.instances.delete(identifier);
  }

  async deleteCluster(region: string, identifier: string): Promise<void> {
    this.outages.requireUp(region, 'RDS');
    const restore = this.restores.get(identifier);
    if (!restore || restore.region !== region) return;
    if ([...this.instances.values()].some((i) => i.clusterIdentifier === identifier)) {
      throw new NonRetriableError(`InvalidDBClusterStateFault: cluster ${identifier} still contains DB instances`);
    }
    await restore.started;
    if (restore.server) {
      await restore.server.stop();
      await rm(restore.server.dataDir, { recursive: true, force: true });
    }
    this.restores.delete(identifier);
  }

  /** Restored servers still running (none once every recovery has deleted its temporary cluster). */
  runningRestores(): readonly string[] {
    return [...this.restores.entries()].filter(([, r]) => r.server?.running).map(([id]) => id);
  }
}

function publicSnapshot(s: Snapshot): ClusterSnapshot {
  const { source: _source, ...rest } = s;
  return rest;
}
