import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';
import { readRegionalClusterFacts } from '../regional-cluster-facts';

/**
 * `engine-version-parity`: the members of each global database run the same engine version. A member whose
 * version cannot be read makes the check INCONCLUSIVE for that database.
 */
export const engineVersionParityCheck: ReadinessCheck = {
  name: 'engine-version-parity',
  title: "Each global database's clusters run the same engine version in both Regions",
  scope: 'standing',
  whenRed:
    'The clusters of a global database run different Aurora engine versions: a switchover is refused and a failover lands on a version nobody tested. Upgrade the lagging cluster (a minor version upgrade of the global database).',
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
