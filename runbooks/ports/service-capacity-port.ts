/** Desired and running task counts of one ECS service. */
export interface ServiceCount {
  readonly desired: number;
  readonly running: number;
}

/**
 * The task counts of a Region's ECS services: fencing a failed Region (its database writers scaled to 0, so clients
 * still connected there stop writing to the old primary) and restoring a Region before a planned move back to it.
 * Every method is one request; callers bound them with short timeouts because the Region may be the failed one.
 */
export interface ServiceCapacityPort {
  /** Desired and running counts of each service; a service that does not exist is left out. */
  describe(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceCount>>>;
  /** Sets a service's desired count. */
  setDesiredCount(region: string, ecsClusterName: string, service: string, count: number): Promise<void>;
  /**
   * Sets a service's autoscaling minimum (Application Auto Scaling `RegisterScalableTarget` `MinCapacity`), so that
   * a scale-in policy does not undo a scale-up before the traffic arrives; the maximum is left as it is.
   */
  setScalingMinimum(region: string, ecsClusterName: string, service: string, minimum: number): Promise<void>;
  /** The autoscaling minimum of each service (its scalable target); a service without one is left out. */
  scalingMinimums(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number>>>;
}
