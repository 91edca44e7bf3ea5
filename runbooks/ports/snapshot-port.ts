import type { DatabaseEndpoint } from './global-database-port';

/** A DB cluster snapshot. */
export interface ClusterSnapshot {
  /** The snapshot identifier, e.g. `rds:unplanned-global-failover-orders-2026-01-27-10-15`. */
  readonly identifier: string;
  /** The snapshot ARN (cross-Region copies name their source by ARN). */
  readonly arn: string;
  /** The Region the snapshot is in. */
  readonly region: string;
  /** The cluster the snapshot was taken of. */
  readonly clusterIdentifier: string;
  /** `creating`, `copying`, `available`, `failed`, … */
  readonly status: string;
  /** When the snapshot was taken. */
  readonly createdAt: Date;
  /** Engine of the snapshotted cluster, e.g. `aurora-postgresql`. */
  readonly engine: string;
  /** Engine version of the snapshotted cluster. */
  readonly engineVersion: string;
  /** Copy progress in percent, when the service reports it. */
  readonly percentProgress?: number;
}

/** A temporary cluster restored from a snapshot. */
export interface RestoredCluster {
  readonly identifier: string;
  /** `creating`, `available`, `deleting`, … */
  readonly status: string;
  /** The writer endpoint, once the cluster has one. */
  readonly endpoint?: DatabaseEndpoint;
}

/** A DB instance of a restored cluster. */
export interface RestoredInstance {
  readonly identifier: string;
  /** `creating`, `available`, `deleting`, … */
  readonly status: string;
}

/** Tags put on everything the recovery creates, so a leftover is easy to find. */
export type ResourceTags = Readonly<Record<string, string>>;

/** Input of {@link SnapshotPort.copySnapshot}. */
export interface CopySnapshotRequest {
  /** ARN of the snapshot to copy; a snapshot of another Region makes the copy cross-Region. */
  readonly sourceArn: string;
  /** The Region of the snapshot to copy. */
  readonly sourceRegion: string;
  /** Region of the copy. */
  readonly targetRegion: string;
  /** Identifier of the copy (a manual snapshot, so it does not expire with the old cluster's backups). */
  readonly targetIdentifier: string;
  /** KMS key of the target Region that encrypts the copy. */
  readonly kmsKeyId: string;
  readonly tags: ResourceTags;
}

/** Input of {@link SnapshotPort.restoreCluster}. */
export interface RestoreClusterRequest {
  readonly region: string;
  /** Identifier of the new temporary cluster. */
  readonly clusterIdentifier: string;
  /** The (copied) snapshot to restore. */
  readonly snapshotIdentifier: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly subnetGroupName: string;
  readonly securityGroupIds: readonly string[];
  readonly kmsKeyId: string;
  readonly tags: ResourceTags;
}

/** Input of {@link SnapshotPort.createInstance}. */
export interface CreateInstanceRequest {
  readonly region: string;
  readonly instanceIdentifier: string;
  readonly clusterIdentifier: string;
  readonly engine: string;
  /** e.g. `db.r6g.large`. */
  readonly instanceClass: string;
  readonly tags: ResourceTags;
}

/**
 * Snapshots and the temporary cluster used to read the writes an unplanned failover stranded in the old Region.
 * Every method is one request; waits are steps polling the describe methods. Creating something that already
 * exists and deleting something already gone both succeed, so a repeated request after a lost response is harmless.
 */
export interface SnapshotPort {
  /** The `rds:unplanned-global-failover-<clusterIdentifier>-<timestamp>` snapshots in `region`, newest first. */
  findUnplannedFailoverSnapshots(region: string, clusterIdentifier: string): Promise<readonly ClusterSnapshot[]>;
  /** One snapshot by identifier, or undefined when there is none. */
  describeSnapshot(region: string, identifier: string): Promise<ClusterSnapshot | undefined>;
  /** Starts a (cross-Region) copy. */
  copySnapshot(request: CopySnapshotRequest): Promise<void>;
  /** One cluster by identifier, or undefined. */
  describeCluster(region: string, identifier: string): Promise<RestoredCluster | undefined>;
  /** Starts restoring a snapshot as a new cluster (without instances). */
  restoreCluster(request: RestoreClusterRequest): Promise<void>;
  /** One instance by identifier, or undefined. */
  describeInstance(region: string, identifier: string): Promise<RestoredInstance | undefined>;
  /** Starts creating an instance in a restored cluster. */
  createInstance(request: CreateInstanceRequest): Promise<void>;
  /** Starts deleting an instance. */
  deleteInstance(region: string, identifier: string): Promise<void>;
  /** Starts deleting a cluster without a final snapshot. */
  deleteCluster(region: string, identifier: string): Promise<void>;
}
