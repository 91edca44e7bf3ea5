import {
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  GlobalClusterNotFoundFault,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidGlobalClusterStateFault,
} from '@aws-sdk/client-rds';
import { serviceError } from './aws-errors';
import type { AwsModelBehaviours, AwsModelTimings } from './model-options';
import type { Timeline } from './model-timeline';

/** A Regional Aurora DB cluster (a global database member, or a temporary restored cluster). */
export interface RdsCluster {
  readonly identifier: string;
  readonly region: string;
  readonly arn: string;
  status: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly port: number;
  readonly endpoint: string;
  readonly readerEndpoint: string;
  /** Days; also the lifetime of the unplanned-failover system snapshot of this cluster. */
  backupRetentionPeriod: number;
  readonly kmsKeyId?: string;
  readonly createdAt: Date;
  readonly tags: Readonly<Record<string, string>>;
}

/** A DB instance. */
export interface RdsInstance {
  readonly identifier: string;
  readonly region: string;
  readonly clusterIdentifier: string;
  status: string;
  readonly engine: string;
  readonly instanceClass: string;
}

/** A DB cluster snapshot. */
export interface RdsSnapshot {
  readonly identifier: string;
  readonly region: string;
  readonly arn: string;
  readonly clusterIdentifier: string;
  status: string;
  readonly type: 'automated' | 'manual';
  readonly createdAt: Date;
  readonly engine: string;
  readonly engineVersion: string;
  readonly kmsKeyId?: string;
  percentProgress: number;
  /** When a system snapshot expires with its cluster's backup retention. */
  readonly expiresAt?: Date;
  /** For copies: the ARN of the source. */
  readonly sourceArn?: string;
}

/** A member of a global cluster. */
export interface GlobalMember {
  readonly clusterArn: string;
  isWriter: boolean;
  /** Secondaries only: `connected`, or `pending-resync` while a demoted old primary is rebuilt. */
  synchronization?: 'connected' | 'pending-resync';
  /** Not listed by DescribeGlobalClusters (an unreachable old primary, see `oldPrimaryListedWhileDown`). */
  hidden?: boolean;
}

/** A move of the writer in progress (Aurora's `FailoverState`). */
export interface GlobalMove {
  status: 'pending' | 'failing-over' | 'switching-over' | 'cancelling';
  readonly fromArn: string;
  readonly toArn: string;
  readonly dataLossAllowed: boolean;
  /** Increments on every move, so that the transitions of a cancelled move do nothing. */
  readonly token: number;
}

/** An Aurora global database. */
export interface GlobalClusterRecord {
  readonly identifier: string;
  readonly arn: string;
  readonly engine: string;
  readonly engineVersion: string;
  status: string;
  readonly members: GlobalMember[];
  move?: GlobalMove;
  /** After an unplanned failover: the old primary that Aurora rebuilds as a secondary once its Region is back. */
  awaitingRejoin?: { readonly clusterArn: string; readonly region: string };
  /** The global writer endpoint (follows the writer across Regions). */
  readonly endpoint: string;
}

/** Where a request came from and how the rest of the model answers questions about reachability. */
export interface RdsContext {
  readonly region: string;
  readonly reachable: (region: string) => boolean;
}

type Input = Readonly<Record<string, unknown>>;

const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';
const lastOfArn = (arn: string) => arn.split(':').pop() ?? arn;
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Aurora global databases, Regional clusters, instances and cluster snapshots, as the RDS API describes them. Each
 * behaviour cites the documentation it rests on; where the documentation is silent it is an option of
 * {@link AwsModelBehaviours} marked UNVERIFIED.
 *
 * Long operations (failover, switchover, copies, restores, deletes) change state at request time and finish through
 * the {@link Timeline}, so they progress with simulated time.
 */
export class RdsModel {
  readonly globalClusters = new Map<string, GlobalClusterRecord>();
  /** Keyed `<region>/<identifier>`. */
  readonly clusters = new Map<string, RdsCluster>();
  /** Keyed `<region>/<identifier>`. */
  readonly instances = new Map<string, RdsInstance>();
  /** Keyed `<region>/<identifier>`. */
  readonly snapshots = new Map<string, RdsSnapshot>();
  private moves = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly timings: AwsModelTimings,
    private readonly behaviours: AwsModelBehaviours,
    private readonly accountId: string,
  ) {}

  // ---------------------------------------------------------------------------------------------------------------
  // Seeding and inspection (tests)

  /** Adds a Regional cluster (status `available`) and returns it. */
  addCluster(region: string, identifier: string, options: Partial<RdsCluster> = {}): RdsCluster {
    const cluster: RdsCluster = {
      identifier,
      region,
      arn: `arn:aws:rds:${region}:${this.accountId}:cluster:${identifier}`,
      status: 'available',
      engine: 'aurora-postgresql',
      engineVersion: '16.6',
      port: 5432,
      endpoint: `${identifier}.cluster-c0ffee.${region}.rds.amazonaws.com`,
      readerEndpoint: `${identifier}.cluster-ro-c0ffee.${region}.rds.amazonaws.com`,
      backupRetentionPeriod: 7,
      createdAt: this.timeline.date(),
      tags: {},
      ...options,
    };
    this.clusters.set(`${region}/${identifier}`, cluster);
    return cluster;
  }

  /** Adds an `available` instance to a cluster. */
  addInstance(region: string, identifier: string, clusterIdentifier: string, instanceClass = 'db.r6g.large'): void {
    this.instances.set(`${region}/${identifier}`, {
      identifier,
      region,
      clusterIdentifier,
      status: 'available',
      engine: 'aurora-postgresql',
      instanceClass,
    });
  }

  /** Adds a global cluster whose writer is `writerArn` and whose other members are connected secondaries. */
  addGlobalCluster(identifier: string, writerArn: string, secondaryArns: readonly string[]): GlobalClusterRecord {
    const record: GlobalClusterRecord = {
      identifier,
      arn: `arn:aws:rds::${this.accountId}:global-cluster:${identifier}`,
      engine: 'aurora-postgresql',
      engineVersion: '16.6',
      status: 'available',
      members: [
        { clusterArn: writerArn, isWriter: true },
        ...secondaryArns.map((clusterArn) => ({ clusterArn, isWriter: false, synchronization: 'connected' as const })),
      ],
      endpoint: `${identifier}.global-c0ffee.global.rds.amazonaws.com`,
    };
    this.globalClusters.set(identifier, record);
    return record;
  }

  /** Adds a snapshot (e.g. an older unplanned-failover snapshot). */
  addSnapshot(snapshot: Omit<RdsSnapshot, 'arn' | 'percentProgress'> & { percentProgress?: number }): RdsSnapshot {
    const full: RdsSnapshot = {
      ...snapshot,
      arn: `arn:aws:rds:${snapshot.region}:${this.accountId}:cluster-snapshot:${snapshot.identifier}`,
      percentProgress: snapshot.percentProgress ?? 100,
    };
    this.snapshots.set(`${snapshot.region}/${snapshot.identifier}`, full);
    return full;
  }

  /** The Region of each global database's writer. */
  writerRegions(): Record<string, string | undefined> {
    return Object.fromEntries(
      [...this.globalClusters.values()].map((g) => {
        const writer = g.members.find((m) => m.isWriter);
        return [g.identifier, writer ? regionOfArn(writer.clusterArn) : undefined];
      }),
    );
  }

  /**
   * Aurora cancels the move in progress (the model's stand-in for whatever makes Aurora cancel: FailoverState becomes
   * `cancelling`, "the primary Aurora DB cluster and the selected secondary Aurora DB cluster are returning to their
   * previous states" — https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html).
   */
  cancelMove(globalClusterId: string): void {
    const g = this.global(globalClusterId);
    if (!g.move) throw new Error(`model: ${globalClusterId} has no move to cancel`);
    const token = ++this.moves;
    g.move = { ...g.move, status: 'cancelling', token };
    this.timeline.after(this.timings.cancelSeconds, () => {
      if (g.move?.token !== token) return;
      g.move = undefined;
      g.status = 'available';
    });
  }

  /** Called by the model when a Region becomes reachable: Aurora rebuilds old primaries there. */
  regionReturned(region: string, reachable: (region: string) => boolean): void {
    for (const g of this.globalClusters.values()) {
      if (g.awaitingRejoin?.region === region && !g.move) this.rebuildOldPrimary(g, reachable);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Global databases

  /**
   * DescribeGlobalClusters. Any reachable Region answers for a global cluster (the model's choice: the runbook asks
   * the surviving Region). `FailoverState`: "This data type is empty unless a switchover or failover operation is
   * scheduled or is in progress" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html).
   */
  describeGlobalClusters(input: Input): unknown {
    const id = str(input.GlobalClusterIdentifier);
    const list = id ? [this.global(id)] : [...this.globalClusters.values()];
    return {
      GlobalClusters: list.map((g) => ({
        GlobalClusterIdentifier: g.identifier,
        GlobalClusterArn: g.arn,
        Engine: g.engine,
        EngineVersion: g.engineVersion,
        Status: g.status,
        Endpoint: g.endpoint,
        GlobalClusterMembers: g.members
          .filter((m) => !m.hidden)
          .map((m) => ({
            DBClusterArn: m.clusterArn,
            IsWriter: m.isWriter,
            Readers: m.isWriter ? g.members.filter((o) => !o.isWriter && !o.hidden).map((o) => o.clusterArn) : [],
            ...(m.synchronization ? { SynchronizationStatus: m.synchronization } : {}),
          })),
        ...(g.move
          ? {
              FailoverState: {
                Status: g.move.status,
                FromDbClusterArn: g.move.fromArn,
                ToDbClusterArn: g.move.toArn,
                IsDataLossAllowed: g.move.dataLossAllowed,
              },
            }
          : {}),
      })),
    };
  }

  /**
   * FailoverGlobalCluster. "Failing over - Specify the AllowDataLoss parameter and don't specify the Switchover
   * parameter"; without AllowDataLoss it is a switchover
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html). The target is
   * named by ARN ("Use the Amazon Resource Name (ARN) for the identifier so that Aurora can locate the cluster"); an
   * identifier is looked up in the request's Region only. A failover needs nothing from the old primary's Region.
   */
  failoverGlobalCluster(input: Input, ctx: RdsContext): unknown {
    const g = this.global(str(input.GlobalClusterIdentifier) ?? '');
    const target = this.targetMember(g, str(input.TargetDbClusterIdentifier) ?? '', ctx.region);
    if (input.AllowDataLoss !== true) return this.switchover(g, target, ctx, 'FailoverGlobalCluster');
    const targetRegion = regionOfArn(target.clusterArn);
    if (this.behaviours.failoverRequestRegion === 'target' && ctx.region !== targetRegion) {
      throw serviceError(
        InvalidGlobalClusterStateFault,
        `FailoverGlobalCluster for ${g.identifier} was sent to ${ctx.region}; the target ${target.clusterArn} is in ${targetRegion} (model: the CLI documents the target's Region; the refusal is unverified)`,
      );
    }
    this.refuseWhileMoving(g);
    const from = g.members.find((m) => m.isWriter);
    if (!from || from === target) {
      throw serviceError(
        InvalidGlobalClusterStateFault,
        `${target.clusterArn} is already the writer of ${g.identifier}`,
      );
    }
    const token = ++this.moves;
    g.move = { status: 'pending', fromArn: from.clusterArn, toArn: target.clusterArn, dataLossAllowed: true, token };
    g.status = 'failing-over';
    this.timeline.after(this.timings.movePendingSeconds, () => {
      if (g.move?.token === token) g.move.status = 'failing-over';
    });
    this.timeline.after(this.timings.failoverSeconds, () => {
      if (g.move?.token !== token) return;
      g.move = undefined;
      from.isWriter = false;
      from.synchronization = undefined;
      target.isWriter = true;
      target.synchronization = undefined;
      g.awaitingRejoin = { clusterArn: from.clusterArn, region: regionOfArn(from.clusterArn) };
      g.status = this.behaviours.globalStatusUntilRejoined;
      if (ctx.reachable(regionOfArn(from.clusterArn))) this.rebuildOldPrimary(g, ctx.reachable);
      else from.hidden = !this.behaviours.oldPrimaryListedWhileDown;
    });
    return { GlobalCluster: this.summary(g) };
  }

  /**
   * SwitchoverGlobalCluster: "All secondary clusters are synchronized with the primary at the beginning of the
   * process so the new primary continues operations for the Aurora global database without losing any data"
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html), so every member
   * must be reachable and every secondary connected; otherwise InvalidGlobalClusterStateFault ("The global cluster
   * is in an invalid state and can't perform the requested operation", one of the documented errors). Sent to the
   * primary's Region (see {@link AwsModelBehaviours.switchoverRequestRegion}).
   */
  switchoverGlobalCluster(input: Input, ctx: RdsContext): unknown {
    const g = this.global(str(input.GlobalClusterIdentifier) ?? '');
    const target = this.targetMember(g, str(input.TargetDbClusterIdentifier) ?? '', ctx.region);
    return this.switchover(g, target, ctx, 'SwitchoverGlobalCluster');
  }

  private switchover(g: GlobalClusterRecord, target: GlobalMember, ctx: RdsContext, operation: string): unknown {
    const from = g.members.find((m) => m.isWriter);
    const primaryRegion = from ? regionOfArn(from.clusterArn) : undefined;
    if (this.behaviours.switchoverRequestRegion === 'primary' && ctx.region !== primaryRegion) {
      throw serviceError(
        InvalidGlobalClusterStateFault,
        `${operation} for ${g.identifier} was sent to ${ctx.region}; its primary is in ${primaryRegion ?? 'no Region'} (model: the CLI documents the primary's Region; the refusal is unverified)`,
      );
    }
    this.refuseWhileMoving(g);
    if (!from || from === target) {
      throw serviceError(
        InvalidGlobalClusterStateFault,
        `${target.clusterArn} is already the writer of ${g.identifier}`,
      );
    }
    const problems = g.members.flatMap((m) => {
      const region = regionOfArn(m.clusterArn);
      if (m.hidden || !ctx.reachable(region)) return [`${m.clusterArn} is unreachable`];
      if (!m.isWriter && m.synchronization !== 'connected')
        return [`${m.clusterArn} is ${m.synchronization ?? 'not connected'}`];
      return [];
    });
    if (problems.length > 0) {
      throw serviceError(InvalidGlobalClusterStateFault, `cannot switch over ${g.identifier}: ${problems.join('; ')}`);
    }
    const token = ++this.moves;
    g.move = { status: 'pending', fromArn: from.clusterArn, toArn: target.clusterArn, dataLossAllowed: false, token };
    g.status = 'switching-over';
    this.timeline.after(this.timings.movePendingSeconds, () => {
      // "switching-over – This status covers the range of Aurora internal operations that take place during the
      // switchover process" (API_FailoverState).
      if (g.move?.token === token) g.move.status = 'switching-over';
    });
    this.timeline.after(this.timings.switchoverSeconds, () => {
      if (g.move?.token !== token) return;
      g.move = undefined;
      from.isWriter = false;
      from.synchronization = 'connected';
      target.isWriter = true;
      target.synchronization = undefined;
      g.status = 'available';
    });
    return { GlobalCluster: this.summary(g) };
  }

  /**
   * The old primary's return after an unplanned failover. Aurora User Guide
   * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html):
   * "As soon as that Region is healthy and available again … Before creating the new storage volume … Aurora tries to
   * take a snapshot" named `rds:unplanned-global-failover-<old cluster>-<timestamp>`, and "The snapshot of the old
   * storage volume is a system snapshot that's subject to the backup retention period configured on the old primary
   * cluster". The member is `pending-resync` until the rebuild is done, then `connected`.
   */
  private rebuildOldPrimary(g: GlobalClusterRecord, reachable: (region: string) => boolean): void {
    const rejoin = g.awaitingRejoin;
    if (!rejoin || !reachable(rejoin.region)) return;
    g.awaitingRejoin = undefined;
    const member = g.members.find((m) => m.clusterArn === rejoin.clusterArn);
    const cluster = this.clusters.get(`${rejoin.region}/${lastOfArn(rejoin.clusterArn)}`);
    if (!member || !cluster) return;
    member.hidden = false;
    member.isWriter = false;
    member.synchronization = 'pending-resync';
    const at = this.timeline.date();
    const snapshot = this.addSnapshot({
      identifier: `rds:unplanned-global-failover-${cluster.identifier}-${this.behaviours.failoverSnapshotStamp(at)}`,
      region: rejoin.region,
      clusterIdentifier: cluster.identifier,
      status: 'creating',
      type: this.behaviours.failoverSnapshotType,
      createdAt: at,
      engine: cluster.engine,
      engineVersion: cluster.engineVersion,
      ...(cluster.kmsKeyId ? { kmsKeyId: cluster.kmsKeyId } : {}),
      percentProgress: 0,
      expiresAt: new Date(at.getTime() + cluster.backupRetentionPeriod * 86_400_000),
    });
    this.timeline.after(this.timings.failoverSnapshotSeconds, () => {
      snapshot.status = 'available';
      snapshot.percentProgress = 100;
    });
    this.timeline.after(this.timings.failoverSnapshotSeconds + this.timings.resyncSeconds, () => {
      if (member.synchronization !== 'pending-resync') return;
      member.synchronization = 'connected';
      if (!g.move && !g.awaitingRejoin) g.status = 'available';
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Clusters and instances

  /** DescribeDBClusters in the request's Region, by identifier or ARN; DBClusterNotFoundFault when absent. */
  describeDBClusters(input: Input, ctx: RdsContext): unknown {
    const id = str(input.DBClusterIdentifier);
    this.expire();
    const list = id
      ? [this.cluster(ctx.region, id)]
      : [...this.clusters.values()].filter((c) => c.region === ctx.region);
    return {
      DBClusters: list.map((c) => ({
        DBClusterIdentifier: c.identifier,
        DBClusterArn: c.arn,
        Status: c.status,
        Engine: c.engine,
        EngineVersion: c.engineVersion,
        Port: c.port,
        ...(c.status === 'creating' ? {} : { Endpoint: c.endpoint, ReaderEndpoint: c.readerEndpoint }),
        BackupRetentionPeriod: c.backupRetentionPeriod,
        DBClusterMembers: this.instancesOf(c).map((i, index) => ({
          DBInstanceIdentifier: i.identifier,
          IsClusterWriter: index === 0,
        })),
      })),
    };
  }

  /**
   * RestoreDBClusterFromSnapshot: the snapshot must exist in the Region (DBClusterSnapshotNotFoundFault) and be
   * `available` (InvalidDBClusterSnapshotStateFault); an existing identifier is DBClusterAlreadyExistsFault
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterFromSnapshot.html, Errors).
   * The cluster is `creating`, then `available`.
   */
  restoreDBClusterFromSnapshot(input: Input, ctx: RdsContext): unknown {
    const id = str(input.DBClusterIdentifier) ?? '';
    const snapshot = this.snapshot(ctx.region, str(input.SnapshotIdentifier) ?? '');
    if (snapshot.status !== 'available') {
      throw serviceError(InvalidDBClusterSnapshotStateFault, `snapshot ${snapshot.identifier} is ${snapshot.status}`);
    }
    if (this.clusters.has(`${ctx.region}/${id}`)) {
      throw serviceError(DBClusterAlreadyExistsFault, `DB cluster already exists: ${id}`);
    }
    const cluster = this.addCluster(ctx.region, id, {
      status: 'creating',
      engine: str(input.Engine) ?? snapshot.engine,
      engineVersion: str(input.EngineVersion) ?? snapshot.engineVersion,
      backupRetentionPeriod: 1,
      ...(str(input.KmsKeyId) ? { kmsKeyId: str(input.KmsKeyId) } : {}),
      tags: tagsOf(input.Tags),
    });
    this.timeline.after(this.timings.restoreSeconds, () => {
      if (cluster.status === 'creating') cluster.status = 'available';
    });
    return { DBCluster: { DBClusterIdentifier: id, DBClusterArn: cluster.arn, Status: cluster.status } };
  }

  /**
   * CreateDBInstance in an existing cluster (DBClusterNotFoundFault otherwise); an existing identifier is
   * DBInstanceAlreadyExistsFault (API_CreateDBInstance, Errors). `creating`, then `available`.
   */
  createDBInstance(input: Input, ctx: RdsContext): unknown {
    const id = str(input.DBInstanceIdentifier) ?? '';
    const clusterId = str(input.DBClusterIdentifier) ?? '';
    if (this.instances.has(`${ctx.region}/${id}`)) {
      throw serviceError(DBInstanceAlreadyExistsFault, `DB instance already exists: ${id}`);
    }
    this.cluster(ctx.region, clusterId);
    const instance: RdsInstance = {
      identifier: id,
      region: ctx.region,
      clusterIdentifier: clusterId,
      status: 'creating',
      engine: str(input.Engine) ?? 'aurora-postgresql',
      instanceClass: str(input.DBInstanceClass) ?? 'db.r6g.large',
    };
    this.instances.set(`${ctx.region}/${id}`, instance);
    this.timeline.after(this.timings.instanceSeconds, () => {
      if (instance.status === 'creating') instance.status = 'available';
    });
    return { DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: instance.status } };
  }

  /** DescribeDBInstances by identifier (DBInstanceNotFoundFault when absent), or every instance of the Region. */
  describeDBInstances(input: Input, ctx: RdsContext): unknown {
    const id = str(input.DBInstanceIdentifier);
    const list = id
      ? [this.instance(ctx.region, id)]
      : [...this.instances.values()].filter((i) => i.region === ctx.region);
    return {
      DBInstances: list.map((i) => ({
        DBInstanceIdentifier: i.identifier,
        DBClusterIdentifier: i.clusterIdentifier,
        DBInstanceStatus: i.status,
        Engine: i.engine,
        DBInstanceClass: i.instanceClass,
      })),
    };
  }

  /**
   * DeleteDBInstance: `deleting`, then gone. Deleting an instance already being deleted is refused with
   * InvalidDBInstanceStateFault (model choice, unverified).
   */
  deleteDBInstance(input: Input, ctx: RdsContext): unknown {
    const instance = this.instance(ctx.region, str(input.DBInstanceIdentifier) ?? '');
    if (instance.status === 'deleting') {
      throw serviceError(InvalidDBInstanceStateFault, `instance ${instance.identifier} is already being deleted`);
    }
    instance.status = 'deleting';
    this.timeline.after(this.timings.deleteSeconds, () => {
      this.instances.delete(`${ctx.region}/${instance.identifier}`);
    });
    return { DBInstance: { DBInstanceIdentifier: instance.identifier, DBInstanceStatus: 'deleting' } };
  }

  /**
   * DeleteDBCluster: refused while the cluster has instances not being deleted — "(InvalidDBClusterStateFault):
   * Cluster cannot be deleted, it still contains DB instances in non-deleting state"
   * (https://repost.aws/knowledge-center/rds-error-delete-aurora-cluster) — else `deleting`, then gone.
   */
  deleteDBCluster(input: Input, ctx: RdsContext): unknown {
    const cluster = this.cluster(ctx.region, str(input.DBClusterIdentifier) ?? '');
    if (this.instancesOf(cluster).some((i) => i.status !== 'deleting')) {
      throw serviceError(
        InvalidDBClusterStateFault,
        'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
      );
    }
    if (cluster.status === 'deleting') {
      throw serviceError(InvalidDBClusterStateFault, `DB cluster ${cluster.identifier} is already being deleted`);
    }
    cluster.status = 'deleting';
    this.timeline.after(this.timings.deleteSeconds, () => {
      this.clusters.delete(`${ctx.region}/${cluster.identifier}`);
    });
    return { DBCluster: { DBClusterIdentifier: cluster.identifier, Status: 'deleting' } };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Snapshots

  /**
   * DescribeDBClusterSnapshots. By DBClusterSnapshotIdentifier (identifier or ARN; DBClusterSnapshotNotFoundFault
   * when absent), or the snapshots of a DBClusterIdentifier. "If you don't specify a SnapshotType value, then both
   * automated and manual DB cluster snapshots are returned"; paged by MaxRecords ("Default: 100") and Marker
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html). System
   * snapshots past their retention are gone.
   */
  describeDBClusterSnapshots(input: Input, ctx: RdsContext): unknown {
    this.expire();
    const byId = str(input.DBClusterSnapshotIdentifier);
    let list: RdsSnapshot[];
    if (byId) list = [this.snapshot(ctx.region, byId)];
    else {
      const cluster = str(input.DBClusterIdentifier);
      const type = str(input.SnapshotType);
      list = [...this.snapshots.values()].filter(
        (s) =>
          s.region === ctx.region &&
          (cluster === undefined || s.clusterIdentifier === cluster) &&
          (type === undefined || s.type === type),
      );
    }
    const size = typeof input.MaxRecords === 'number' ? input.MaxRecords : this.behaviours.snapshotPageSize;
    const start = Number(str(input.Marker) ?? '0');
    const page = list.slice(start, start + size);
    return {
      DBClusterSnapshots: page.map((s) => ({
        DBClusterSnapshotIdentifier: s.identifier,
        DBClusterSnapshotArn: s.arn,
        DBClusterIdentifier: s.clusterIdentifier,
        SnapshotType: s.type,
        Status: s.status,
        SnapshotCreateTime: s.createdAt,
        Engine: s.engine,
        EngineVersion: s.engineVersion,
        PercentProgress: s.percentProgress,
        StorageEncrypted: s.kmsKeyId !== undefined,
        ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
        ...(s.sourceArn ? { SourceDBClusterSnapshotArn: s.sourceArn } : {}),
      })),
      ...(start + size < list.length ? { Marker: String(start + size) } : {}),
    };
  }

  /**
   * CopyDBClusterSnapshot, sent to the Region of the copy; a source in another Region is named by ARN ("This
   * identifier must be in the ARN format for the source AWS Region"). An existing target is
   * DBClusterSnapshotAlreadyExistsFault; a missing source DBClusterSnapshotNotFoundFault; a source not `available`
   * InvalidDBClusterSnapshotStateFault (API_CopyDBClusterSnapshot, Errors). The copy is a manual snapshot, `copying`
   * then `available`. It keeps the source's creation time (model choice, unverified).
   */
  copyDBClusterSnapshot(input: Input, ctx: RdsContext): unknown {
    const sourceId = str(input.SourceDBClusterSnapshotIdentifier) ?? '';
    const sourceRegion = sourceId.startsWith('arn:') ? regionOfArn(sourceId) : ctx.region;
    const source = this.snapshot(sourceRegion, sourceId);
    if (source.status !== 'available') {
      throw serviceError(InvalidDBClusterSnapshotStateFault, `snapshot ${source.identifier} is ${source.status}`);
    }
    const targetId = str(input.TargetDBClusterSnapshotIdentifier) ?? '';
    if (this.snapshots.has(`${ctx.region}/${targetId}`)) {
      throw serviceError(
        DBClusterSnapshotAlreadyExistsFault,
        `Cannot create the snapshot because a snapshot with the identifier ${targetId} already exists.`,
      );
    }
    const copy = this.addSnapshot({
      identifier: targetId,
      region: ctx.region,
      clusterIdentifier: source.clusterIdentifier,
      status: 'copying',
      type: 'manual',
      createdAt: source.createdAt,
      engine: source.engine,
      engineVersion: source.engineVersion,
      ...(str(input.KmsKeyId) ? { kmsKeyId: str(input.KmsKeyId) } : {}),
      percentProgress: 0,
      sourceArn: source.arn,
    });
    const started = this.timeline.now();
    const total = this.timings.copySeconds;
    for (const percent of [50]) {
      this.timeline.after((total * percent) / 100, () => {
        if (copy.status === 'copying') copy.percentProgress = percent;
      });
    }
    this.timeline.after(total, () => {
      copy.status = 'available';
      copy.percentProgress = 100;
    });
    return {
      DBClusterSnapshot: {
        DBClusterSnapshotIdentifier: targetId,
        DBClusterSnapshotArn: copy.arn,
        Status: copy.status,
        SnapshotCreateTime: new Date(started),
      },
    };
  }

  // ---------------------------------------------------------------------------------------------------------------

  private global(id: string): GlobalClusterRecord {
    const g = this.globalClusters.get(id);
    if (!g) throw serviceError(GlobalClusterNotFoundFault, `Global cluster ${id} not found.`, 404);
    return g;
  }

  private targetMember(g: GlobalClusterRecord, identifier: string, region: string): GlobalMember {
    const arn = identifier.startsWith('arn:')
      ? identifier
      : `arn:aws:rds:${region}:${this.accountId}:cluster:${identifier}`;
    const member = g.members.find((m) => m.clusterArn === arn);
    if (!member)
      throw serviceError(DBClusterNotFoundFault, `DBCluster ${identifier} not found in ${g.identifier}.`, 404);
    return member;
  }

  private refuseWhileMoving(g: GlobalClusterRecord): void {
    if (g.move) {
      throw serviceError(
        InvalidGlobalClusterStateFault,
        `global cluster ${g.identifier} is ${g.status} (FailoverState ${g.move.status})`,
      );
    }
  }

  private cluster(region: string, identifier: string): RdsCluster {
    const id = identifier.startsWith('arn:') ? lastOfArn(identifier) : identifier;
    const found =
      identifier.startsWith('arn:') && regionOfArn(identifier) !== region
        ? undefined
        : this.clusters.get(`${region}/${id}`);
    if (!found) throw serviceError(DBClusterNotFoundFault, `DBCluster ${identifier} not found.`, 404);
    return found;
  }

  private instance(region: string, identifier: string): RdsInstance {
    const found = this.instances.get(`${region}/${identifier}`);
    if (!found) throw serviceError(DBInstanceNotFoundFault, `DBInstance ${identifier} not found.`, 404);
    return found;
  }

  private snapshot(region: string, identifier: string): RdsSnapshot {
    this.expire();
    const id = identifier.startsWith('arn:') ? (identifier.split(':cluster-snapshot:')[1] ?? '') : identifier;
    const found = this.snapshots.get(`${region}/${id}`);
    if (!found) throw serviceError(DBClusterSnapshotNotFoundFault, `DBClusterSnapshot ${identifier} not found.`, 404);
    return found;
  }

  private instancesOf(cluster: RdsCluster): RdsInstance[] {
    return [...this.instances.values()].filter(
      (i) => i.region === cluster.region && i.clusterIdentifier === cluster.identifier,
    );
  }

  /** System snapshots past their retention are deleted. */
  private expire(): void {
    const now = this.timeline.now();
    for (const [key, s] of this.snapshots) if (s.expiresAt && s.expiresAt.getTime() <= now) this.snapshots.delete(key);
  }

  private summary(g: GlobalClusterRecord): unknown {
    return { GlobalClusterIdentifier: g.identifier, GlobalClusterArn: g.arn, Status: g.status };
  }
}

function tagsOf(tags: unknown): Record<string, string> {
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries(tags.map((t: { Key?: string; Value?: string }) => [t.Key ?? '', t.Value ?? '']));
}
