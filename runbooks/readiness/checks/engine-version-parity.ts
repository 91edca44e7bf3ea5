import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';
import { readRegionalClusterFacts } from '../regional-cluster-facts';

/**
 * `engine-version-parity`: the members of each global database run the same engine version. A member whose
 * version cannot be read makes the check INCONCLUSIVE for that database.
 *
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html: "You can only
 * perform a managed cross-Region database failover on an Aurora global database if the primary and secondary DB
 * clusters have the same major, minor, and patch level engine versions. However, the patch levels can be different,
 * depending on the minor engine version." The check compares `EngineVersion` as DescribeDBClusters reports it
 * (major.minor): a difference in patch level alone is not seen (unverified whether RDS reports it there).
 */
export const engineVersionParityCheck: ReadinessCheck = {
  name: 'engine-version-parity',
  title: "Each global database's clusters run the same engine version in both Regions",
  scope: 'standing',
  whenRed:
    'The clusters of a global database run different Aurora engine versions: Aurora performs a managed switchover or failover only between clusters of the same version, so the runbooks could not move the writer to the other Region. Upgrade the lagging cluster (for a minor version, the secondaries before the primary).',
  uses: ['globalDatabase.describe', 'facts.clusters'],
  assess: async (ctx) => {
    const regions = checkRegions(ctx);
    const clusters = await readRegionalClusterFacts(ctx, regions);
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    for (const db of ctx.topology.databases) {
      const members = clusters.filter((c) => c.database === db);
      evidence[db.name] = Object.fromEntries(
        members.map((m) => [
          m.region,
          {
            cluster: m.clusterIdentifier ?? null,
            engine: m.facts?.engine ?? null,
            version: m.facts?.engineVersion ?? null,
          },
        ]),
      );
      const unread = members.filter((m) => !m.facts);
      if (unread.length > 0) {
        unknowns.push(
          ...unread.map(
            (m) =>
              `${db.name}: the engine version of ${m.clusterIdentifier ? `cluster ${m.clusterIdentifier}` : 'its cluster'} in ${m.region} could not be read (${m.clusterIdentifier ? 'not found' : `no member of ${db.globalClusterIdentifier} there`})`,
          ),
        );
        continue;
      }
      const versions = members.map((m) => `${m.facts!.engine} ${m.facts!.engineVersion}`);
      if (new Set(versions).size > 1) {
        failures.push(
          `${db.name}: ${members.map((m, i) => `${m.clusterIdentifier} in ${m.region} runs ${versions[i]}`).join(', ')}; expected: the same engine version in both Regions`,
        );
      } else notes.push(`${db.name}: ${versions[0]} in both Regions`);
    }
    return { failures, unknowns, notes, evidence };
  },
};
