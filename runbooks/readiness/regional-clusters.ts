import { memberIn } from '../orchestrations/global-database-state';
import type { TopologyDatabase } from '../topology';
import type { CheckRegions } from './check-regions';
import type { ReadinessContext } from './readiness-check';

/** One database's Regional cluster in one Region, as a check looks it up. */
export interface RegionalCluster {
  readonly database: TopologyDatabase;
  readonly region: string;
  /** Undefined when neither the topology nor the global cluster names one in the Region. */
  readonly clusterIdentifier: string | undefined;
}

/**
 * Each database's cluster in both Regions: the topology's `clusterIdentifiers`, else the global cluster's member in
 * the Region (asked of the target Region, which answers for both).
 */
export async function regionalClusters(ctx: ReadinessContext, regions: CheckRegions): Promise<RegionalCluster[]> {
  const found: RegionalCluster[] = [];
  for (const database of ctx.topology.databases) {
    const missing = [regions.target, regions.other].filter((r) => !database.clusterIdentifiers[r]);
    const state =
      missing.length > 0
        ? await ctx.ports.globalDatabase.describe(database.globalClusterIdentifier, regions.target)
        : undefined;
    for (const region of [regions.target, regions.other]) {
      const clusterIdentifier =
        database.clusterIdentifiers[region] ?? (state ? memberIn(state, region)?.clusterIdentifier : undefined);
      found.push({ database, region, clusterIdentifier });
    }
  }
  return found;
}
