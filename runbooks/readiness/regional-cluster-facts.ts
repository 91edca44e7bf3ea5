import type { ClusterFacts } from '../ports';
import type { CheckRegions } from './check-regions';
import type { ReadinessContext } from './readiness-check';
import { type RegionalCluster, regionalClusters } from './regional-clusters';

/** A database's Regional cluster with what RDS answered about it (undefined: not found). */
export interface RegionalClusterFacts extends RegionalCluster {
  readonly facts: ClusterFacts | undefined;
}

/** Each database's cluster in both Regions and its settings, read with one request per Region. */
export async function readRegionalClusterFacts(
  ctx: ReadinessContext,
  regions: CheckRegions,
): Promise<RegionalClusterFacts[]> {
  const clusters = await regionalClusters(ctx, regions);
  const answers: Record<string, Readonly<Record<string, ClusterFacts>>> = {};
  for (const region of [regions.target, regions.other]) {
    const ids = clusters.filter((c) => c.region === region && c.clusterIdentifier).map((c) => c.clusterIdentifier!);
    answers[region] = ids.length > 0 ? await ctx.ports.facts.clusters(region, ids) : {};
  }
  return clusters.map((c) => ({
    ...c,
    facts: c.clusterIdentifier ? answers[c.region]?.[c.clusterIdentifier] : undefined,
  }));
}
