/** The answer of one health URL. */
export interface EndpointHealth {
  readonly url: string;
  readonly healthy: boolean;
  /** e.g. `HTTP 200`, `HTTP 503`, `timeout after 5 s`. */
  readonly detail: string;
}

/** What readiness looks at in the Region that would take over. */
export interface HealthPort {
  /** GETs each URL; healthy means a 2xx answer in time. */
  checkEndpoints(urls: readonly string[]): Promise<readonly EndpointHealth[]>;
  /**
   * The highest Aurora global replication lag of a secondary cluster over the last `windowMinutes`, in seconds;
   * undefined when there is no data point (itself a warning sign).
   */
  replicationLagSeconds(region: string, clusterIdentifier: string, windowMinutes: number): Promise<number | undefined>;
  /** Running task count of each service of an ECS cluster (undefined when unknown). */
  runningTasks(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number | undefined>>>;
  /** Whether each secret exists (and is not scheduled for deletion) in `region`. */
  secretsPresent(region: string, secretIds: readonly string[]): Promise<Readonly<Record<string, boolean>>>;
}
