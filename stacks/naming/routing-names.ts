import { resourcePrefix } from './resource-prefix';

/** Deterministic names of the global routing resources, so runbooks can list them by name. */
export interface RoutingNames {
  /** The ARC cluster. */
  readonly cluster: string;
  /** The ARC control panel holding the routing controls. */
  readonly controlPanel: string;
  /** The routing control that lets traffic into `region`. */
  routingControl(region: string): string;
  /** The assertion safety rule that keeps at least one Region on. */
  readonly safetyRule: string;
  /** The ARC Region switch plan (routing mode `region-switch`). */
  readonly regionSwitchPlan: string;
  /**
   * The SSM parameter, in each workload Region, that holds the ARC cluster endpoints and routing-control ARNs: the
   * runbooks read it there at failover time instead of calling the ARC control plane.
   */
  readonly routingParameter: string;
  /**
   * The SSM parameter, in each workload Region, that holds the Region switch plan's ARN (routing mode `region-switch`):
   * the runbooks read it there, the plan's ARN ending in a suffix AWS assigns at creation.
   */
  readonly regionSwitchPlanParameter: string;
}

/**
 * Names the routing resources of an environment.
 *
 * @example routingNames('shop', 'dev').routingControl(region) // 'shop-dev-<region>'
 */
export function routingNames(appName: string, envName: string): RoutingNames {
  const prefix = resourcePrefix(appName, envName);
  return {
    cluster: `${prefix}-cluster`,
    controlPanel: `${prefix}-control-panel`,
    routingControl: (region) => `${prefix}-${region}`,
    safetyRule: `${prefix}-at-least-one-region`,
    regionSwitchPlan: `${prefix}-region-switch`,
    routingParameter: `/${appName}/${envName}/arc-routing`,
    regionSwitchPlanParameter: `/${appName}/${envName}/region-switch-plan`,
  };
}
