/**
 * What readiness and parity checks read about a Region, beyond health: the services' task definitions and running
 * images, the database clusters' settings, alarms, peak load, scaling limits and quotas, replication of tables and
 * secrets. Every method only reads. A method that cannot read something leaves it out of its answer (or answers
 * `undefined`) rather than guessing: the check that asked says it could not decide.
 */
export interface ReadinessFactsPort {
  /** The running task definition of each service and its running tasks' image digests; a missing service is left out. */
  services(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceFacts>>>;
  /** Settings of each Regional database cluster; a cluster that does not exist is left out. */
  clusters(region: string, clusterIdentifiers: readonly string[]): Promise<Readonly<Record<string, ClusterFacts>>>;
  /** State of each CloudWatch alarm; an alarm that does not exist is left out. */
  alarms(region: string, alarmNames: readonly string[]): Promise<Readonly<Record<string, AlarmFacts>>>;
  /**
   * The highest running task count of each service over the last `hours` (Container Insights `RunningTaskCount`,
   * Maximum); undefined for a service with no data point.
   */
  peakRunningTasks(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
    hours: number,
  ): Promise<Readonly<Record<string, number | undefined>>>;
  /** Each service's Application Auto Scaling range; a service without a scalable target is left out. */
  scalingLimits(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ScalingLimits>>>;
  /** The Region's Fargate On-Demand vCPU quota and how much of it is in use (undefined when unknown). */
  fargateVcpuQuota(region: string): Promise<VcpuQuota>;
  /**
   * The highest DynamoDB global table `ReplicationLatency` from `region` to `receivingRegion` over the last
   * `windowMinutes`, in seconds; undefined when there is no data point.
   */
  tableReplicationLatencySeconds(
    region: string,
    tableName: string,
    receivingRegion: string,
    windowMinutes: number,
  ): Promise<number | undefined>;
  /** Where each secret's primary is and the state of its replicas; a secret that does not exist is left out. */
  secretReplication(region: string, secretIds: readonly string[]): Promise<Readonly<Record<string, SecretReplication>>>;
  /**
   * The commit an application stack of `region` last deployed: the SSM parameter `parameterName` (the services
   * stack's `/<stack name>/deployed-commit`, written by every deploy) and when it last changed; undefined when the
   * parameter does not exist.
   */
  deployedCommit(region: string, parameterName: string): Promise<DeployedCommitFacts | undefined>;
}

/** The commit a Region's stack runs, and since when. */
export interface DeployedCommitFacts {
  /** The parameter's value: a commit (40 hex digits), or `unversioned` for a deploy outside the pipeline. */
  readonly commit: string;
  /** When the parameter last changed (SSM `LastModifiedDate`): when this commit was deployed. */
  readonly since: Date;
}

/** One ECS service as readiness sees it. */
export interface ServiceFacts {
  readonly service: string;
  /** The task definition the service runs (its primary deployment). */
  readonly taskDefinitionArn: string;
  /** Task-level vCPU (the task definition's `cpu` units / 1024). */
  readonly vcpu: number;
  /** Task-level memory, MiB. */
  readonly memoryMiB: number;
  /**
   * The task definition's settings that must be equal in both Regions, with Region names and the account id
   * replaced by `<region>` and `<account>` (ARNs, image URIs and host names differ only in them), and the image
   * reference left out (see {@link runningDigests}).
   */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Image digests (`sha256:…`) the service's running tasks run, per container name; empty when no task runs. */
  readonly runningDigests: Readonly<Record<string, readonly string[]>>;
  /** Desired and running task counts. */
  readonly desired: number;
  readonly running: number;
}

/** One Regional database cluster as readiness sees it. */
export interface ClusterFacts {
  readonly clusterIdentifier: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly backupRetentionDays: number;
  readonly status: string;
}

/** A CloudWatch alarm's state and since when it holds. */
export interface AlarmFacts {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** When the state last changed (`StateTransitionedTimestamp`, else `StateUpdatedTimestamp`, else when read). */
  readonly since: Date;
}

/** An Application Auto Scaling range. */
export interface ScalingLimits {
  readonly min: number;
  readonly max: number;
}

/** A Region's Fargate On-Demand vCPU quota (Service Quotas `fargate` / `L-3032A538`) and its use. */
export interface VcpuQuota {
  /** The quota value, vCPU; undefined when Service Quotas has neither an applied nor a default value. */
  readonly limit: number | undefined;
  /** Where the limit came from: the applied value, or the AWS default when no applied value is available. */
  readonly source?: 'applied' | 'default';
  /** vCPU in use (CloudWatch `AWS/Usage` `ResourceCount`, Maximum over the last hour); undefined without data. */
  readonly used: number | undefined;
}

/** A secret's primary Region and the status of each replica. */
export interface SecretReplication {
  readonly secretId: string;
  readonly primaryRegion: string;
  /** `InSync`, `InProgress` or `Failed`, per replica Region (the primary itself is not listed). */
  readonly replicas: readonly { readonly region: string; readonly status: string; readonly message?: string }[];
}
