import { surveySnapshotCopies } from '../../orchestrations/preserve-snapshots';
import { UNPLANNED_FAILOVER_SNAPSHOT_PREFIX } from '../../orchestrations/snapshot-copy';
import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';

/**
 * `snapshot-copy-current`: every unplanned-failover snapshot Aurora left of the other Region's old clusters has an
 * available manual copy in the target Region, made by `preserve-snapshots` (the same survey it acts on). The system
 * snapshot expires with the old cluster's backup retention; the copy is what keeps the writes it holds for `recover`.
 * No such snapshot: green, with a note. A copy in progress, or a snapshot Aurora is still taking: INCONCLUSIVE until
 * the copy is available. A copy deleted after it was preserved was deleted on purpose: noted, not judged.
 */
export const snapshotCopyCurrentCheck: ReadinessCheck = {
  name: 'snapshot-copy-current',
  title: "Every unplanned-failover snapshot of the other Region's old clusters has an available copy here",
  scope: 'standing',
  whenRed:
    'An unplanned-failover snapshot (the writes an old primary held when it failed) has no available copy in this Region: when the snapshot expires with its backup retention, `recover` can no longer report the missing transactions. Run preserve-snapshots in this Region and look at why its schedule did not copy it.',
  uses: [
    'globalDatabase.describe',
    'snapshots.findUnplannedFailoverSnapshots',
    'snapshots.describeSnapshot',
    'reports.getJson',
  ],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const surveyCtx = {
      ports: ctx.ports,
      topology: ctx.topology,
      input: { sourceRegion: other, targetRegion: target },
    };
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    for (const db of ctx.topology.databases) {
      const survey = await surveySnapshotCopies(surveyCtx, db);
      evidence[db.name] = {
        oldCluster: survey.oldCluster,
        snapshots: survey.findings.map((f) => ({
          snapshot: f.source.identifier,
          takenAt: f.source.createdAt.toISOString(),
          copy: f.copy,
          verdict: f.verdict,
        })),
      };
      if (survey.findings.length === 0) {
        notes.push(
          `${db.name}: no ${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}${survey.oldCluster}-* in ${other}: nothing to copy`,
        );
      }
      for (const f of survey.findings) {
        const what = `${db.name}: ${f.source.identifier} in ${other}`;
        switch (f.verdict) {
          case 'preserved':
            notes.push(`${what}: copy ${f.copy} available in ${target}`);
            break;
          case 'record':
            notes.push(
              `${what}: copy ${f.copy} available in ${target} (preserve-snapshots records it on its next run)`,
            );
            break;
          case 'deleted':
            notes.push(`${what}: copy ${f.copy} was deleted after it was preserved (on purpose): not judged`);
            break;
          case 'copy':
            failures.push(
              `${what} has no copy in ${target}; expected: an available copy ${f.copy} (made by preserve-snapshots)`,
            );
            break;
          case 'failed':
            failures.push(
              `${what}: copy ${f.copy} in ${target} failed; expected: available (delete it and preserve-snapshots copies the snapshot again)`,
            );
            break;
          case 'copying':
          case 'waiting':
            unknowns.push(`${what}: ${f.detail}; the check decides once copy ${f.copy} is available in ${target}`);
            break;
        }
      }
    }
    return { failures, unknowns, notes, evidence };
  },
};
