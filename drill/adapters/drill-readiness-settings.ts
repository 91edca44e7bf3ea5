/**
 * What the readiness facts of the drill answer for things the drill has no real counterpart of (no backups, no
 * Application Auto Scaling, no Service Quotas, no CloudWatch history, no Secrets Manager). Each value is chosen so
 * that the drill's two Regions are ready; tests change them to make a check red.
 */
export interface DrillReadinessSettings {
  /**
   * Backup retention of every cluster, days (Postgres here keeps no automated backups): the stacks' Aurora default
   * (`stacks/data/global-aurora-database.ts`, 35 days).
   */
  readonly backupRetentionDays: number;
  /** Engine version a cluster reports instead of its server's `server_version`, by cluster identifier (tests). */
  readonly engineVersionOverrides: Readonly<Record<string, string>>;
  /** Each service's autoscaling maximum. */
  readonly scalingMaximum: number;
  /** Task-level vCPU and memory of every service (its task definition's `cpu` / 1024 and `memory`). */
  readonly taskVcpu: number;
  readonly taskMemoryMiB: number;
  /** The Region's Fargate On-Demand vCPU quota. */
  readonly fargateVcpuQuota: number;
  /**
   * Each service's highest running task count over the peak window, in either Region: more than the one task the
   * drill starts with, so that a failover's scale-up to the failed Region's peak is visible.
   */
  readonly peakTasks: number;
  /** DynamoDB `ReplicationLatency` of each table both ways, seconds: the drill's table copier runs every 250 ms. */
  readonly tableReplicationLatencySeconds: number;
  /** The status of each secret's replica in the standby Region. */
  readonly secretReplicaStatus: 'InSync' | 'InProgress' | 'Failed';
  /**
   * The commit each Region's services report as deployed (the `deployed-commit` parameter on AWS), by Region; a
   * Region not listed reports `unversioned` (the drill runs the working tree). Tests give a Region another commit to
   * stand for a release between the Regions.
   */
  readonly deployedCommits: Readonly<Record<string, string>>;
}

/** The drill's values: both Regions ready. */
export const DRILL_READINESS_SETTINGS: DrillReadinessSettings = {
  backupRetentionDays: 35,
  engineVersionOverrides: {},
  scalingMaximum: 4,
  taskVcpu: 0.25,
  taskMemoryMiB: 512,
  fargateVcpuQuota: 16,
  peakTasks: 2,
  tableReplicationLatencySeconds: 0.25,
  secretReplicaStatus: 'InSync',
  deployedCommits: {},
};
