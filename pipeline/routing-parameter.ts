import type { ShopConfig } from '../config';
import { routingNames } from '../stacks/naming/routing-names';

/**
 * The SSM parameter the routing stack writes in both workload Regions for the configured routing mode: the ARC
 * cluster's endpoints and routing-control ARNs (`arc-cluster`), or the Region switch plan's ARN (`region-switch`).
 * Until it exists the routing stage has never deployed: the primary's first bake defers its readiness dry run on it,
 * and the deploy role may read it for that.
 */
export function routingParameterOf(config: Pick<ShopConfig, 'appName' | 'envName' | 'routingMode'>): string {
  const names = routingNames(config.appName, config.envName);
  return config.routingMode === 'region-switch' ? names.regionSwitchPlanParameter : names.routingParameter;
}
