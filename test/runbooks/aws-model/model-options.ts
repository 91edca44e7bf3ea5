/** How long the model's long-running operations take, in simulated seconds. */
export interface AwsModelTimings {
  /** FailoverState `pending` before `failing-over` / `switching-over`. */
  readonly movePendingSeconds: number;
  /** From the FailoverGlobalCluster request until the target is the writer and FailoverState is gone. */
  readonly failoverSeconds: number;
  /** From the SwitchoverGlobalCluster request until the roles are swapped and FailoverState is gone. */
  readonly switchoverSeconds: number;
  /** From a (test-injected) cancellation until FailoverState is gone and the roles are as before. */
  readonly cancelSeconds: number;
  /** From the old primary Region's return until the unplanned-failover snapshot is `available`. */
  readonly failoverSnapshotSeconds: number;
  /** From the snapshot until the rebuilt old primary is `connected` (it is `pending-resync` meanwhile). */
  readonly resyncSeconds: number;
  /** A cross-Region snapshot copy, `copying` → `available`. */
  readonly copySeconds: number;
  /** RestoreDBClusterFromSnapshot, `creating` → `available`. */
  readonly restoreSeconds: number;
  /** CreateDBInstance, `creating` → `available`. */
  readonly instanceSeconds: number;
  /** DeleteDBInstance / DeleteDBCluster, `deleting` → gone. */
  readonly deleteSeconds: number;
  /** ECS running count follows a changed desired count after this long. */
  readonly ecsScaleSeconds: number;
}

/**
 * AWS behaviours the documentation does not settle. Each is an option so tests can run both ways; every default is
 * marked in its comment as documented or as the model's unverified choice.
 */
export interface AwsModelBehaviours {
  /**
   * After an unplanned failover, while the old primary's Region is still unreachable, whether the old primary stays
   * listed as a (non-writer) member. UNVERIFIED (review §4 item 2). @default true
   */
  readonly oldPrimaryListedWhileDown: boolean;
  /**
   * The global cluster's `Status` from the end of an unplanned failover until the old primary is rebuilt and
   * `connected` again. UNVERIFIED (review m4: "the global status may stay non-available until the old primary is
   * rebuilt, which is not documented"). @default 'available'
   */
  readonly globalStatusUntilRejoined: string;
  /**
   * Where SwitchoverGlobalCluster must be sent. `primary`: the Region of the current primary, as the Aurora User Guide
   * documents (CLI "--region – Specify the AWS Region where the primary DB cluster of the Aurora global database is
   * running"); a request elsewhere is refused with InvalidGlobalClusterStateFault (the refusal itself is UNVERIFIED:
   * the docs only say where to send it). `any`: accepted anywhere (also unverified). @default 'primary'
   */
  readonly switchoverRequestRegion: 'primary' | 'any';
  /**
   * Where FailoverGlobalCluster must be sent. `target`: the Region of the secondary that becomes primary (CLI
   * "--region – Specify the AWS Region where the secondary DB cluster that you want to be the new primary … is
   * running"); elsewhere refused as for switchover (UNVERIFIED). @default 'target'
   */
  readonly failoverRequestRegion: 'target' | 'any';
  /**
   * The error UpdateRoutingControlStates returns when a safety rule blocks it. The ARC guide says only "When a safety
   * rule blocks a routing control state update, the error message includes the ARN of the rule that blocked the
   * update": the error code is UNVERIFIED. @default 'ValidationException'
   */
  readonly safetyRuleError: 'ValidationException' | 'ConflictException';
  /** `SnapshotType` of the unplanned-failover snapshot. UNVERIFIED (review §4 item 4). @default 'automated' */
  readonly failoverSnapshotType: 'automated' | 'manual';
  /**
   * The timestamp suffix of `rds:unplanned-global-failover-<cluster>-<timestamp>`. UNVERIFIED (review §4 item 4);
   * the default follows automated snapshots' `yyyy-mm-dd-hh-mm`. @default - `2026-01-27-10-15`
   */
  readonly failoverSnapshotStamp: (at: Date) => string;
  /** Records per DescribeDBClusterSnapshots page when the request sets no MaxRecords ("Default: 100"). @default 100 */
  readonly snapshotPageSize: number;
  /** Replication lag CloudWatch reports for a connected secondary, in milliseconds (model choice). @default 150 */
  readonly replicationLagMs: number;
}

/** Defaults of {@link AwsModelTimings}: the order of magnitude AWS documents or users report, scaled down. */
export const DEFAULT_TIMINGS: AwsModelTimings = {
  movePendingSeconds: 5,
  failoverSeconds: 60,
  switchoverSeconds: 90,
  cancelSeconds: 20,
  failoverSnapshotSeconds: 120,
  resyncSeconds: 600,
  copySeconds: 900,
  restoreSeconds: 600,
  instanceSeconds: 480,
  deleteSeconds: 300,
  ecsScaleSeconds: 60,
};

/** Defaults of {@link AwsModelBehaviours}. */
export const DEFAULT_BEHAVIOURS: AwsModelBehaviours = {
  oldPrimaryListedWhileDown: true,
  globalStatusUntilRejoined: 'available',
  switchoverRequestRegion: 'primary',
  failoverRequestRegion: 'target',
  safetyRuleError: 'ValidationException',
  failoverSnapshotType: 'automated',
  failoverSnapshotStamp: (at) => at.toISOString().slice(0, 16).replace(/[T:]/g, '-'),
  snapshotPageSize: 100,
  replicationLagMs: 150,
};
