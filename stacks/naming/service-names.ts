import { resourcePrefix } from './resource-prefix';

/**
 * Name of the Region's ECS cluster: `${appName}-${envName}`, the same in both Regions, so the runbook of one
 * Region can address the other Region's services (fencing a failed Region) without a cross-Region reference.
 */
export function ecsClusterName(appName: string, envName: string): string {
  return resourcePrefix(appName, envName);
}

/** The services that hold a database connection and write to it: fenced in a failed Region during a failover. */
export const DATABASE_WRITER_SERVICES = ['catalog', 'orders'] as const;
