/** Replication state Aurora reports for a secondary member; a rejoining old primary is `pending-resync` first. */
export type SynchronizationStatus = 'connected' | 'pending-resync';

/** One Regional cluster of a global database. */
export interface GlobalClusterMember {
  /** ARN of the Regional cluster. */
  readonly clusterArn: string;
  /** The cluster identifier (last part of the ARN). */
  readonly clusterIdentifier: string;
  /** The Region the cluster is in (from the ARN). */
  readonly region: string;
  /** Whether this member is the writer. */
  readonly isWriter: boolean;
  /** Replication state of a secondary; undefined when the service does not report it. */
  readonly synchronization?: SynchronizationStatus;
  /**
   * The cluster's own status (`available`, `modifying`, …), known only for members in the Region the description
   * was requested from; undefined elsewhere (that Region may be the one that failed).
   */
  readonly clusterStatus?: string;
}

/** A failover or switchover in progress (Aurora's `FailoverState`). */
export interface GlobalClusterFailover {
  /** `pending`, `failing-over` or `cancelling`. */
  readonly status: string;
  /** The member that was the writer. */
  readonly fromClusterArn?: string;
  /** The member becoming the writer. */
  readonly toClusterArn?: string;
  /** True for an unplanned failover (`FailoverGlobalCluster` with `AllowDataLoss`), false for a switchover. */
  readonly dataLossAllowed: boolean;
}

/** What {@link GlobalDatabasePort.describe} returns. */
export interface GlobalClusterState {
  /** The global cluster identifier. */
  readonly identifier: string;
  /** The global cluster's status (`available`, `failing-over`, …). */
  readonly status: string;
  /** Present while a failover or switchover is in progress. */
  readonly failover?: GlobalClusterFailover;
  /** The Regional clusters. */
  readonly members: readonly GlobalClusterMember[];
}

/** Host and port of a Postgres endpoint. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * An Aurora Global Database. Every method is one request and returns at once: `failover` and `switchover` only
 * start the operation, and the orchestration's wait steps poll {@link describe} through the clock port, so a
 * timeout fails a step with a clear message and tests run instantly. A drill implements it over two local Postgres
 * servers (`pg_promote()` for a failover).
 *
 * `region` is where the request is sent: the surviving/target Region, because the other one may be down.
 */
export interface GlobalDatabasePort {
  /** Members, writer and any failover in progress. */
  describe(globalClusterId: string, region: string): Promise<GlobalClusterState>;
  /** Starts an unplanned failover to `targetClusterArn` that allows data loss (`FailoverGlobalCluster`). */
  failover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void>;
  /** Starts a planned switchover to `targetClusterArn` with no data loss (`SwitchoverGlobalCluster`). */
  switchover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void>;
  /** Where the current writer accepts connections (read at run time: CloudFormation does not expose it). */
  writerEndpoint(globalClusterId: string, region: string): Promise<DatabaseEndpoint>;
}
