import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';
import { readRegionalClusterFacts } from '../regional-cluster-facts';

/**
 * `backup-retention`: every database cluster of both Regions keeps automated backups at least
 * `readiness.minimumBackupRetentionDays` days. The unplanned-failover snapshot of an old primary is kept only that
 * long too (see `snapshot-copy-current`).
 */
export const backupRetentionCheck: ReadinessCheck = {
  name: 'backup-retention',
  title: 'Every database cluster keeps backups at least the configured number of days',
  scope: 'standing',
  whenRed:
    'A database cluster keeps fewer days of backups than configured: a point-in-time restore, and the snapshot Aurora leaves after an unplanned failover, would not reach back as far as promised. Set the backup retention of the cluster named.',
  uses: ['globalDatabase.describe', 'facts.clusters'],
  assess: async (ctx) => {
    const regions = checkRegions(ctx);
    const minimum = ctx.topology.readiness.minimumBackupRetentionDays;
    const clusters = await readRegionalClusterFacts(ctx, regions);
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    for (const c of clusters) {
      const what = `${c.database.name}: cluster ${c.clusterIdentifier ?? '(unknown)'} in ${c.region}`;
      if (!c.facts) {
        unknowns.push(
          c.clusterIdentifier
            ? `${what}: its backup retention could not be read (not found)`
            : `${c.database.name}: no cluster of ${c.database.globalClusterIdentifier} known in ${c.region}, so its backup retention could not be read`,
        );
      } else if (!Number.isFinite(c.facts.backupRetentionDays)) {
        // NaN compares false with the minimum: it would pass as enough.
        unknowns.push(
          `${what}: its backup retention was read as ${c.facts.backupRetentionDays} days, not a number of days`,
        );
      } else if (c.facts.backupRetentionDays < minimum) {
        failures.push(
          `${what} keeps backups ${c.facts.backupRetentionDays} day${c.facts.backupRetentionDays === 1 ? '' : 's'}; expected: at least ${minimum} (readiness.minimumBackupRetentionDays)`,
        );
      } else notes.push(`${c.clusterIdentifier} ${c.facts.backupRetentionDays} days`);
    }
    return {
      failures,
      unknowns,
      notes,
      evidence: {
        minimumDays: minimum,
        clusters: clusters.map((c) => ({
          database: c.database.name,
          region: c.region,
          cluster: c.clusterIdentifier ?? null,
          backupRetentionDays: c.facts?.backupRetentionDays ?? null,
        })),
      },
    };
  },
};
