import { CheckFailedError } from '../core/errors';
import type { CheckResult, Orchestration, Step, StepContext } from '../core/step';
import type { ClusterSnapshot } from '../ports';
import { otherRegion, type Topology, type TopologyDatabase } from '../topology';
import type { TargetInput } from './database-steps';
import { listField, regionField, rejectUnknownFields, requireDifferentRegions } from './input-fields';
import {
  latestPreservedCopyKey,
  oldClusterIdentifier,
  type PreservedCopy,
  preservedCopyKey,
  recoverySettings,
  recoveryTags,
  snapshotCopyIdentifier,
  snapshotStamp,
  UNPLANNED_FAILOVER_SNAPSHOT_PREFIX,
} from './snapshot-copy';

/** Input of {@link preserveSnapshots}. */
export interface PreserveSnapshotsInput extends TargetInput {
  /** The Region whose unplanned-failover snapshots are copied into the target Region (where the run happens). */
  readonly sourceRegion: string;
  /** Databases whose snapshots are copied. @default - every database of the topology */
  readonly databases: readonly string[];
}

type Ctx = StepContext<PreserveSnapshotsInput>;

/*
 * A copy is recorded (preservedCopyKey) once it is seen available: a copy that is gone while its record is there was
 * deleted on purpose, and is not made again every 15 minutes for as long as the system snapshot lasts. The newest
 * recorded copy of each database is also recorded under latestPreservedCopyKey, where recover finds it once the
 * system snapshot has expired.
 */

/**
 * What to do about one unplanned-failover snapshot:
 * - `copy`: no copy, never preserved, the snapshot is available: start the copy;
 * - `record`: the copy is available but not recorded yet: record it;
 * - `preserved`: available and recorded: nothing;
 * - `copying`: the copy is in progress: nothing (a later run records it);
 * - `failed`: the copy failed: reported, the run fails at the end;
 * - `deleted`: recorded as preserved, but the copy is gone: deleted on purpose, not copied again;
 * - `waiting`: the snapshot itself is not available yet (Aurora is taking it): the next run copies it.
 */
export type SnapshotCopyVerdict = 'copy' | 'record' | 'preserved' | 'copying' | 'failed' | 'deleted' | 'waiting';

/** One unplanned-failover snapshot, its copy's identifier, and what to do about it. */
export interface SnapshotCopyFinding {
  readonly source: ClusterSnapshot;
  readonly copy: string;
  readonly verdict: SnapshotCopyVerdict;
  readonly detail: string;
}

/** What {@link surveySnapshotCopies} found for one database. */
export interface SnapshotCopySurvey {
  readonly oldCluster: string;
  readonly findings: readonly SnapshotCopyFinding[];
}

const selected = (ctx: Ctx, db: TopologyDatabase) => ctx.input.databases.includes(db.name);

const notSelected: CheckResult = { state: 'done', detail: 'database not selected' };

/** What {@link surveySnapshotCopies} reads: the ports, the topology, and where the snapshots are and go. */
export type SnapshotSurveyContext = Pick<
  StepContext<Pick<PreserveSnapshotsInput, 'sourceRegion' | 'targetRegion'>>,
  'input' | 'ports' | 'topology'
>;

/**
 * Looks at every unplanned-failover snapshot of `db`'s old cluster in `sourceRegion` and at its copy in
 * `targetRegion`, oldest snapshot first. Read-only; `preserve-snapshots` acts on it and the `snapshot-copy-current`
 * readiness check judges it.
 */
export async function surveySnapshotCopies(
  ctx: SnapshotSurveyContext,
  db: TopologyDatabase,
): Promise<SnapshotCopySurvey> {
  const { sourceRegion, targetRegion } = ctx.input;
  const oldCluster = await oldClusterIdentifier(ctx.ports, db, sourceRegion, targetRegion);
  const sources = await ctx.ports.snapshots.findUnplannedFailoverSnapshots(sourceRegion, oldCluster);
  // Oldest first: it is the closest to expiring with the old cluster's backup retention. No snapshot is too old to
  // copy: as long as it exists, the copy is what keeps it.
  const oldestFirst = [...sources].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const findings: SnapshotCopyFinding[] = [];
  for (const source of oldestFirst) {
    const copy = snapshotCopyIdentifier(ctx.topology, db, snapshotStamp(source.createdAt));
    const found = await ctx.ports.snapshots.describeSnapshot(targetRegion, copy);
    const judge = (verdict: SnapshotCopyVerdict, detail: string) => findings.push({ source, copy, verdict, detail });
    if (found?.status === 'failed') judge('failed', 'copy failed');
    else if (found && found.status !== 'available') judge('copying', `copy ${found.status}`);
    else if (found) {
      const recorded = await ctx.ports.reports.getJson(preservedCopyKey(copy));
      judge(recorded ? 'preserved' : 'record', recorded ? 'preserved' : 'copy available, to record');
    } else if (await ctx.ports.reports.getJson(preservedCopyKey(copy))) {
      judge('deleted', 'deleted after it was preserved; not copied again (run recover to copy it anyway)');
    } else if (source.status !== 'available') {
      judge('waiting', `source is ${source.status}; the next run copies it`);
    } else {
      judge('copy', 'to copy');
    }
  }
  return { oldCluster, findings };
}

const line = (f: SnapshotCopyFinding, detail = f.detail) => `${f.source.identifier} → ${f.copy}: ${detail}`;

function summary(
  ctx: Ctx,
  found: SnapshotCopySurvey,
  detailOf: (f: SnapshotCopyFinding) => string = (f) => f.detail,
): string {
  if (found.findings.length === 0) {
    return `no ${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}${found.oldCluster}-* in ${ctx.input.sourceRegion}: nothing to copy`;
  }
  return found.findings.map((f) => line(f, detailOf(f))).join('; ');
}

/** The failed copies, for `assert-no-failed-copy`: `<copy> in <region> (copy of <source> in <region>)`, by `|`. */
function failedCopies(ctx: Ctx, found: SnapshotCopySurvey): string {
  return found.findings
    .filter((f) => f.verdict === 'failed')
    .map((f) => `${f.copy} in ${ctx.input.targetRegion} (copy of ${f.source.identifier} in ${ctx.input.sourceRegion})`)
    .join('|');
}

const hasWork = (found: SnapshotCopySurvey) =>
  found.findings.some((f) => f.verdict === 'copy' || f.verdict === 'record');

function validate(): Step<PreserveSnapshotsInput> {
  return {
    name: 'validate-input',
    kind: 'check',
    title: 'Check that the target Region has a KMS key for snapshot copies',
    uses: [],
    describe: (ctx) =>
      `copy the unplanned-failover snapshots of ${ctx.input.sourceRegion} into ${ctx.input.targetRegion}`,
    run: async (ctx) => {
      const { kmsKeyId } = recoverySettings(ctx.topology, ctx.input.targetRegion);
      return {
        detail: `copies from ${ctx.input.sourceRegion} into ${ctx.input.targetRegion}, encrypted with ${kmsKeyId}`,
      };
    },
  };
}

function preserve(db: TopologyDatabase): Step<PreserveSnapshotsInput> {
  return {
    name: `preserve-${db.name}-snapshots`,
    kind: 'action',
    title: `Copy each unplanned-failover snapshot of the old ${db.name} primary to a manual snapshot in the target Region`,
    uses: [
      'globalDatabase.describe',
      'snapshots.findUnplannedFailoverSnapshots',
      'snapshots.describeSnapshot',
      'reports.getJson',
      'snapshots.copySnapshot',
      'reports.putJson',
    ],
    describe: (ctx) =>
      selected(ctx, db)
        ? `CopyDBClusterSnapshot of each ${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}<old ${db.name} cluster>-* in ${ctx.input.sourceRegion} not copied yet → ${snapshotCopyIdentifier(ctx.topology, db, '<snapshot time>')} in ${ctx.input.targetRegion}`
        : 'nothing (database not selected)',
    check: async (ctx) => {
      if (!selected(ctx, db)) return notSelected;
      const found = await surveySnapshotCopies(ctx, db);
      return hasWork(found)
        ? { state: 'pending', detail: summary(ctx, found) }
        : { state: 'done', detail: summary(ctx, found), outputs: { failedCopies: failedCopies(ctx, found) } };
    },
    run: async (ctx) => {
      const { sourceRegion, targetRegion } = ctx.input;
      const found = await surveySnapshotCopies(ctx, db);
      const kmsKeyId = recoverySettings(ctx.topology, targetRegion).kmsKeyId;
      const done = new Map<SnapshotCopyFinding, string>();
      let latest = found.findings.some((f) => f.verdict === 'record')
        ? ((await ctx.ports.reports.getJson(latestPreservedCopyKey(db.name))) as PreservedCopy | undefined)
        : undefined;
      for (const f of found.findings) {
        if (f.verdict === 'copy') {
          // The same request recover's copy step sends: target Region's key, a manual snapshot named after the
          // snapshot's time. A copy that already exists (a lost answer, a concurrent run) counts as made.
          await ctx.ports.snapshots.copySnapshot({
            sourceArn: f.source.arn,
            sourceRegion,
            targetRegion,
            targetIdentifier: f.copy,
            kmsKeyId,
            tags: recoveryTags(ctx.topology, db, ctx.executionId),
          });
          done.set(f, 'copy started');
        } else if (f.verdict === 'record') {
          const record: PreservedCopy = {
            source: f.source.arn,
            sourceIdentifier: f.source.identifier,
            snapshotTime: f.source.createdAt.toISOString(),
            copy: f.copy,
            region: targetRegion,
            preservedAt: ctx.ports.clock.now().toISOString(),
            execution: ctx.executionId,
          };
          // The latest record first: a crash before the copy's own record leaves the copy to record again next run.
          if (!latest || Date.parse(latest.snapshotTime) <= f.source.createdAt.getTime()) {
            await ctx.ports.reports.putJson(latestPreservedCopyKey(db.name), record);
            latest = record;
          }
          await ctx.ports.reports.putJson(preservedCopyKey(f.copy), record);
          done.set(f, 'preserved (recorded now)');
        }
      }
      return {
        detail: summary(ctx, found, (f) => done.get(f) ?? f.detail),
        outputs: { failedCopies: failedCopies(ctx, found) },
      };
    },
  };
}

function assertNoFailedCopy(topology: Topology): Step<PreserveSnapshotsInput> {
  return {
    name: 'assert-no-failed-copy',
    kind: 'verify',
    title: 'Fail the execution if a copy failed, after every database was handled',
    uses: [],
    describe: () => 'no snapshot copy has the status failed',
    run: async (ctx) => {
      const failures = topology.databases
        .filter((db) => selected(ctx, db))
        .flatMap((db) => String(ctx.optionalOutput(`preserve-${db.name}-snapshots`, 'failedCopies') ?? '').split('|'))
        .filter(Boolean)
        .map((copy) => `${copy}: delete it and the next run copies the snapshot again`);
      if (failures.length > 0) throw new CheckFailedError(failures, 'snapshot copies failed');
      return { detail: 'no failed copy' };
    },
  };
}

/**
 * `preserve-snapshots`: copies each unplanned-failover snapshot the other Region holds
 * (`rds:unplanned-global-failover-<old cluster>-<time>`, a system snapshot that expires with the old cluster's backup
 * retention) to a manual snapshot in this Region, encrypted with this Region's key — exactly the copy `recover`
 * makes, under the same identifier, so a later `recover` finds it and goes on to restore. It restores nothing and
 * reconciles nothing: that stays a person's decision. Runs on a schedule in both Regions; each copies from the other.
 *
 * The direction does not depend on which Region holds the writer: Aurora leaves the snapshot in the Region whose
 * cluster was demoted, and the copy goes to the other one, as `recover --target-region <other>` would make it. That
 * also holds when the writers moved back before the first run.
 */
export const preserveSnapshots: Orchestration<PreserveSnapshotsInput> = {
  name: 'preserve-snapshots',
  title: 'Copy the unplanned-failover snapshots of the other Region to manual snapshots here, before they expire',
  mutates: true,
  inputs: [
    {
      name: 'targetRegion',
      type: 'region',
      required: true,
      description: 'The Region the copies go to (where this runs).',
    },
    {
      name: 'sourceRegion',
      type: 'region',
      required: false,
      defaultText: 'the other Region of the topology',
      description: 'The Region whose unplanned-failover snapshots are copied.',
    },
    {
      name: 'databases',
      type: 'list',
      required: false,
      defaultText: 'all',
      description: 'Databases whose snapshots are copied (comma-separated).',
    },
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion', 'sourceRegion', 'databases']);
    const targetRegion = regionField(raw, 'targetRegion', topology);
    const sourceRegion = regionField(raw, 'sourceRegion', topology, otherRegion(topology, targetRegion));
    requireDifferentRegions('sourceRegion', sourceRegion, 'targetRegion', targetRegion);
    const databases = listField(
      raw,
      'databases',
      topology.databases.map((d) => d.name),
    );
    return { targetRegion, sourceRegion, databases };
  },
  steps: (topology) => [validate(), ...topology.databases.map(preserve), assertNoFailedCopy(topology)],
};
