import { CheckFailedError, messageOf, NonRetriableError, RetriableError } from '../core/errors';
import type { CheckResult, Orchestration, Step, StepContext } from '../core/step';
import { waitUntil } from '../core/wait-until';
import type { ClusterSnapshot, ResourceTags } from '../ports';
import { otherRegion, type RecoverySettings, type Topology, type TopologyDatabase } from '../topology';
import type { TargetInput } from './database-steps';
import { listField, regionField, rejectUnknownFields, requireDifferentRegions, timestampField } from './input-fields';
import {
  latestPreservedCopyKey,
  oldClusterIdentifier,
  type PreservedCopy,
  recoverySettings,
  recoveryTags,
  snapshotCopyIdentifier,
  snapshotStamp,
  UNPLANNED_FAILOVER_SNAPSHOT_PREFIX,
} from './snapshot-copy';
import { storeSummary } from './summary-step';

export { UNPLANNED_FAILOVER_SNAPSHOT_PREFIX } from './snapshot-copy';

/** Input of {@link recover}. */
export interface RecoverInput extends TargetInput {
  /** The Region that failed (where Aurora left the `rds:unplanned-global-failover-…` snapshot). */
  readonly failedRegion: string;
  /** When the failover happened. @default - `failoverAt` recorded by the latest failover execution */
  readonly failoverAt?: string;
  /** Databases to reconcile. @default - every database of the topology */
  readonly databases: readonly string[];
}

type Ctx = StepContext<RecoverInput>;

/** How far before the recorded failover time a snapshot may be dated and still count (clock skew). */
const SNAPSHOT_SKEW_MS = 5 * 60_000;

/** Longest wait for a cross-Region snapshot copy, in seconds (large clusters copy for hours). */
const COPY_TIMEOUT_SECONDS = 6 * 3600;

/** Longest wait for a restored cluster and its instance, in seconds. */
const RESTORE_TIMEOUT_SECONDS = 3 * 3600;

/** Longest wait for the temporary instance and cluster to be deleted, in seconds. */
const DELETE_TIMEOUT_SECONDS = 3600;

const selected = (ctx: Ctx, db: TopologyDatabase) => ctx.input.databases.includes(db.name);

const recovery = (ctx: Ctx): RecoverySettings => recoverySettings(ctx.topology, ctx.input.targetRegion);

/** Where the reports of one failover's recovery go: the same for every execution that recovers it. */
export function recoveryReportPrefix(failoverAt: string): string {
  return `runs/recover/failover-${failoverAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}/`;
}

/** What the reconcile step records per database once its report is stored. */
interface RecoveryOutcome {
  readonly snapshot: string;
  readonly status: 'complete' | 'failed';
  readonly summary: string;
  readonly report: string;
}

const outcomeKey = (ctx: Ctx, db: TopologyDatabase) =>
  `${recoveryReportPrefix(String(ctx.output('validate-input', 'failoverAt')))}${db.name}/outcome.json`;

/**
 * The stored outcome when this snapshot of `db` has already been reconciled completely: then the restore, the
 * instance, the wait and the reconcile are all done, even for a new execution or one that lost its journal.
 */
async function reconciled(ctx: Ctx, db: TopologyDatabase): Promise<RecoveryOutcome | undefined> {
  const stored = (await ctx.ports.reports.getJson(outcomeKey(ctx, db))) as RecoveryOutcome | undefined;
  const snapshot = String(ctx.output(`find-${db.name}-snapshot`, 'sourceIdentifier'));
  return stored?.status === 'complete' && stored.snapshot === snapshot ? stored : undefined;
}

const alreadyReconciled = (outcome: RecoveryOutcome): CheckResult => ({
  state: 'done',
  detail: `this snapshot was already reconciled (${outcome.summary}; report ${outcome.report})`,
});

/** The copy, temporary cluster and instance of the snapshot `find-<db>-snapshot` chose, named after its time. */
function identifiers(ctx: Ctx, db: TopologyDatabase) {
  const stamp = String(ctx.output(`find-${db.name}-snapshot`, 'stamp'));
  const cluster = snapshotCopyIdentifier(ctx.topology, db, stamp);
  return { snapshotCopy: cluster, cluster, instance: `${cluster}-1` };
}

const tags = (ctx: Ctx, db: TopologyDatabase): ResourceTags => recoveryTags(ctx.topology, db, ctx.executionId);

/** The check of a per-database step: `done` for databases the input leaves out, else `run`. */
function forSelected(ctx: Ctx, db: TopologyDatabase, run: () => Promise<CheckResult>): Promise<CheckResult> {
  return selected(ctx, db) ? run() : Promise.resolve(notSelected);
}

const notSelected: CheckResult = { state: 'done', detail: 'database not selected' };

function validate(): Step<RecoverInput> {
  return {
    name: 'validate-input',
    kind: 'check',
    title: 'Validate the input, the recovery settings of the target Region, and find the failover time',
    uses: ['journal.latest'],
    describe: (ctx) =>
      `restore in ${ctx.input.targetRegion} the snapshots ${ctx.input.failedRegion} left; failover time ${ctx.input.failoverAt ?? 'from the latest failover execution'}`,
    run: async (ctx) => {
      recovery(ctx);
      let failoverAt = ctx.input.failoverAt;
      let source = 'input';
      if (!failoverAt) {
        const latest = await ctx.ports.journal.latest('failover');
        const recorded = latest?.steps['store-summary']?.outputs?.failoverAt;
        if (typeof recorded !== 'string') {
          throw new NonRetriableError(
            'failoverAt: not given and no failover execution has recorded one; accepted: the failover time as ISO 8601, e.g. 2026-01-27T10:15:00Z',
          );
        }
        failoverAt = recorded;
        source = `failover execution ${latest!.executionId}`;
      }
      return { detail: `failover at ${failoverAt} (from ${source})`, outputs: { failoverAt } };
    },
  };
}

/**
 * The copy `preserve-snapshots` made of the newest snapshot taken after the failover, when it is still in the target
 * Region: recover restores it when the system snapshot has expired with the old cluster's backup retention, or when
 * the failed Region does not answer. Undefined when there is none.
 */
async function preservedCopy(
  ctx: Ctx,
  db: TopologyDatabase,
  failoverAt: Date,
): Promise<{ record: PreservedCopy; copy: ClusterSnapshot } | undefined> {
  const record = (await ctx.ports.reports.getJson(latestPreservedCopyKey(db.name))) as PreservedCopy | undefined;
  if (!record || Date.parse(record.snapshotTime) < failoverAt.getTime() - SNAPSHOT_SKEW_MS) return undefined;
  // The copy's name must be the one this recover would give it, or the restore would not find what it copied.
  if (record.copy !== snapshotCopyIdentifier(ctx.topology, db, snapshotStamp(new Date(record.snapshotTime)))) {
    return undefined;
  }
  const copy = await ctx.ports.snapshots.describeSnapshot(ctx.input.targetRegion, record.copy);
  return copy && copy.status !== 'failed' ? { record, copy } : undefined;
}

function findSnapshot(db: TopologyDatabase): Step<RecoverInput> {
  return {
    name: `find-${db.name}-snapshot`,
    kind: 'check',
    title: `Find the unplanned-failover snapshot of the old ${db.name} primary in the failed Region`,
    uses: [
      'globalDatabase.describe',
      'snapshots.findUnplannedFailoverSnapshots',
      'reports.getJson',
      'snapshots.describeSnapshot',
    ],
    describe: (ctx) =>
      `look for ${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}<old ${db.name} cluster>-* in ${ctx.input.failedRegion}, else for its copy preserved in ${ctx.input.targetRegion}`,
    check: async (ctx) => (selected(ctx, db) ? { state: 'pending', detail: 'search' } : notSelected),
    run: async (ctx) => {
      const failed = ctx.input.failedRegion;
      const oldCluster = await oldClusterIdentifier(ctx.ports, db, failed, ctx.input.targetRegion);
      const failoverAt = new Date(String(ctx.output('validate-input', 'failoverAt')));
      const fromCopy = (found: { record: PreservedCopy; copy: ClusterSnapshot }, why: string) => ({
        detail: `${found.record.sourceIdentifier} (${found.record.snapshotTime}) of ${oldCluster} ${why}; its copy ${found.record.copy}, preserved in ${ctx.input.targetRegion}, is restored`,
        outputs: {
          sourceArn: found.record.source,
          sourceIdentifier: found.record.sourceIdentifier,
          engine: found.copy.engine,
          engineVersion: found.copy.engineVersion,
          stamp: snapshotStamp(new Date(found.record.snapshotTime)),
        },
      });
      let all: readonly ClusterSnapshot[];
      try {
        all = await ctx.ports.snapshots.findUnplannedFailoverSnapshots(failed, oldCluster);
      } catch (error) {
        const found = await preservedCopy(ctx, db, failoverAt);
        if (found) return fromCopy(found, `cannot be listed (${messageOf(error)})`);
        throw error;
      }
      const eligible = all.filter((s) => s.createdAt.getTime() >= failoverAt.getTime() - SNAPSHOT_SKEW_MS);
      const snapshot: ClusterSnapshot | undefined = eligible[0];
      if (!snapshot) {
        // The system snapshot expires with the old cluster's backup retention; the scheduled copy outlives it.
        const found = await preservedCopy(ctx, db, failoverAt);
        if (found) return fromCopy(found, `has expired in ${failed}`);
        const others = all.map((s) => `${s.identifier} (${s.createdAt.toISOString()})`).join(', ');
        throw new NonRetriableError(
          `no snapshot ${UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}${oldCluster}-* taken after the failover at ${failoverAt.toISOString()} in ${failed}` +
            `${others ? `; older ones: ${others}` : ''}. Aurora takes it when ${failed} is back and ${oldCluster} has been rebuilt as a secondary; it expires with the cluster's backup retention.`,
        );
      }
      if (snapshot.status !== 'available') {
        throw new RetriableError(
          `snapshot ${snapshot.identifier} in ${failed} is ${snapshot.status}; run recover again once it is available`,
        );
      }
      return {
        detail: `${snapshot.identifier} (${snapshot.createdAt.toISOString()}) of ${oldCluster}`,
        outputs: {
          sourceArn: snapshot.arn,
          sourceIdentifier: snapshot.identifier,
          engine: snapshot.engine,
          engineVersion: snapshot.engineVersion,
          // From the snapshot, not the failover time: preserve-snapshots names its copy the same way.
          stamp: snapshotStamp(snapshot.createdAt),
        },
      };
    },
  };
}

function copySnapshot(db: TopologyDatabase): Step<RecoverInput> {
  return {
    name: `copy-${db.name}-snapshot`,
    kind: 'action',
    title: `Copy the ${db.name} snapshot to a manual snapshot in the target Region, encrypted with its KMS key`,
    uses: ['snapshots.describeSnapshot', 'snapshots.copySnapshot'],
    describe: (ctx) =>
      selected(ctx, db)
        ? `CopyDBClusterSnapshot ${String(ctx.output(`find-${db.name}-snapshot`, 'sourceIdentifier'))} → ${identifiers(ctx, db).snapshotCopy} in ${ctx.input.targetRegion}`
        : 'nothing (database not selected)',
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const id = identifiers(ctx, db).snapshotCopy;
        const copy = await ctx.ports.snapshots.describeSnapshot(ctx.input.targetRegion, id);
        return copy
          ? { state: 'done', detail: `copy ${id} exists (${copy.status})` }
          : { state: 'pending', detail: `no copy ${id} yet` };
      }),
    run: async (ctx) => {
      const id = identifiers(ctx, db).snapshotCopy;
      await ctx.ports.snapshots.copySnapshot({
        sourceArn: String(ctx.output(`find-${db.name}-snapshot`, 'sourceArn')),
        sourceRegion: ctx.input.failedRegion,
        targetRegion: ctx.input.targetRegion,
        targetIdentifier: id,
        kmsKeyId: recovery(ctx).kmsKeyId,
        tags: tags(ctx, db),
      });
      return { detail: `copy ${id} started` };
    },
  };
}

function waitForCopy(db: TopologyDatabase): Step<RecoverInput> {
  const probe = async (ctx: Ctx) => {
    const id = identifiers(ctx, db).snapshotCopy;
    const copy = await ctx.ports.snapshots.describeSnapshot(ctx.input.targetRegion, id);
    if (!copy) throw new NonRetriableError(`snapshot copy ${id} disappeared from ${ctx.input.targetRegion}`);
    if (copy.status === 'failed')
      throw new NonRetriableError(`snapshot copy ${id} failed; delete it and run recover again`);
    const progress = copy.percentProgress !== undefined ? ` ${copy.percentProgress}%` : '';
    return { done: copy.status === 'available', detail: `copy ${id} ${copy.status}${progress}` };
  };
  return {
    name: `wait-for-${db.name}-snapshot-copy`,
    kind: 'wait',
    title: `Wait until the ${db.name} snapshot copy is available`,
    uses: ['snapshots.describeSnapshot'],
    timeoutSeconds: COPY_TIMEOUT_SECONDS,
    describe: (ctx) => `poll DescribeDBClusterSnapshots until the copy in ${ctx.input.targetRegion} is available`,
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const seen = await probe(ctx);
        return seen.done ? { state: 'done', detail: seen.detail } : { state: 'pending', detail: seen.detail };
      }),
    run: async (ctx) => {
      const seen = await waitUntil(ctx, {
        what: `the copy of the ${db.name} snapshot`,
        timeoutSeconds: COPY_TIMEOUT_SECONDS,
        probe: () => probe(ctx),
      });
      return { detail: seen.detail };
    },
  };
}

function restoreCluster(db: TopologyDatabase): Step<RecoverInput> {
  return {
    name: `restore-${db.name}-cluster`,
    kind: 'action',
    title: `Restore the ${db.name} snapshot copy as a temporary cluster`,
    uses: ['reports.getJson', 'snapshots.describeCluster', 'snapshots.restoreCluster'],
    describe: (ctx) =>
      selected(ctx, db)
        ? `RestoreDBClusterFromSnapshot ${identifiers(ctx, db).snapshotCopy} → temporary cluster ${identifiers(ctx, db).cluster}`
        : 'nothing (database not selected)',
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const done = await reconciled(ctx, db);
        if (done) return alreadyReconciled(done);
        const id = identifiers(ctx, db).cluster;
        const cluster = await ctx.ports.snapshots.describeCluster(ctx.input.targetRegion, id);
        return cluster
          ? { state: 'done', detail: `cluster ${id} exists (${cluster.status})` }
          : { state: 'pending', detail: `no cluster ${id}` };
      }),
    run: async (ctx) => {
      const ids = identifiers(ctx, db);
      const settings = recovery(ctx);
      const find = `find-${db.name}-snapshot`;
      await ctx.ports.snapshots.restoreCluster({
        region: ctx.input.targetRegion,
        clusterIdentifier: ids.cluster,
        snapshotIdentifier: ids.snapshotCopy,
        engine: String(ctx.output(find, 'engine')),
        engineVersion: String(ctx.output(find, 'engineVersion')),
        subnetGroupName: settings.subnetGroupName,
        securityGroupIds: settings.securityGroupIds,
        kmsKeyId: settings.kmsKeyId,
        tags: tags(ctx, db),
      });
      return { detail: `restore of ${ids.cluster} started` };
    },
  };
}

function createInstance(db: TopologyDatabase): Step<RecoverInput> {
  return {
    name: `create-${db.name}-instance`,
    kind: 'action',
    title: `Create the instance of the temporary ${db.name} cluster`,
    uses: ['reports.getJson', 'snapshots.describeInstance', 'snapshots.createInstance'],
    describe: (ctx) =>
      selected(ctx, db)
        ? `CreateDBInstance ${identifiers(ctx, db).instance} (${recovery(ctx).instanceClass}) in ${identifiers(ctx, db).cluster}`
        : 'nothing (database not selected)',
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const done = await reconciled(ctx, db);
        if (done) return alreadyReconciled(done);
        const id = identifiers(ctx, db).instance;
        const instance = await ctx.ports.snapshots.describeInstance(ctx.input.targetRegion, id);
        return instance
          ? { state: 'done', detail: `instance ${id} exists (${instance.status})` }
          : { state: 'pending', detail: `no instance ${id}` };
      }),
    run: async (ctx) => {
      const ids = identifiers(ctx, db);
      await ctx.ports.snapshots.createInstance({
        region: ctx.input.targetRegion,
        instanceIdentifier: ids.instance,
        clusterIdentifier: ids.cluster,
        engine: String(ctx.output(`find-${db.name}-snapshot`, 'engine')),
        instanceClass: recovery(ctx).instanceClass,
        tags: tags(ctx, db),
      });
      return { detail: `instance ${ids.instance} being created` };
    },
  };
}

function waitForCluster(db: TopologyDatabase): Step<RecoverInput> {
  const probe = async (ctx: Ctx) => {
    const ids = identifiers(ctx, db);
    const region = ctx.input.targetRegion;
    const cluster = await ctx.ports.snapshots.describeCluster(region, ids.cluster);
    const instance = await ctx.ports.snapshots.describeInstance(region, ids.instance);
    if (!cluster || !instance) {
      throw new NonRetriableError(
        `temporary ${!cluster ? `cluster ${ids.cluster}` : `instance ${ids.instance}`} is missing in ${region}; run recover again to recreate it`,
      );
    }
    const done = cluster.status === 'available' && instance.status === 'available' && cluster.endpoint !== undefined;
    return {
      done,
      detail: `cluster ${ids.cluster} ${cluster.status}, instance ${ids.instance} ${instance.status}`,
      value: cluster.endpoint,
    };
  };
  const outputs = (endpoint: { host: string; port: number } | undefined) =>
    endpoint ? { host: endpoint.host, port: endpoint.port } : undefined;
  return {
    name: `wait-for-${db.name}-cluster`,
    kind: 'wait',
    title: `Wait until the temporary ${db.name} cluster and its instance are available`,
    uses: ['reports.getJson', 'snapshots.describeCluster', 'snapshots.describeInstance'],
    timeoutSeconds: RESTORE_TIMEOUT_SECONDS,
    describe: () => 'poll DescribeDBClusters and DescribeDBInstances until both are available',
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const done = await reconciled(ctx, db);
        if (done) return alreadyReconciled(done);
        const seen = await probe(ctx);
        const found = outputs(seen.value);
        return seen.done && found
          ? { state: 'done', detail: seen.detail, outputs: found }
          : { state: 'pending', detail: seen.detail };
      }),
    run: async (ctx) => {
      const seen = await waitUntil(ctx, {
        what: `the restore of the temporary ${db.name} cluster`,
        timeoutSeconds: RESTORE_TIMEOUT_SECONDS,
        probe: () => probe(ctx),
      });
      return { detail: seen.detail, ...(outputs(seen.value) ? { outputs: outputs(seen.value)! } : {}) };
    },
  };
}

function locateWriter(db: TopologyDatabase): Step<RecoverInput> {
  return {
    name: `locate-${db.name}-writer`,
    kind: 'check',
    title: `Find where the current ${db.name} writer accepts connections`,
    uses: ['globalDatabase.writerEndpoint'],
    describe: () => `read the writer endpoint of ${db.globalClusterIdentifier}`,
    check: async (ctx) => (selected(ctx, db) ? { state: 'pending', detail: 'look it up' } : notSelected),
    run: async (ctx) => {
      const endpoint = await ctx.ports.globalDatabase.writerEndpoint(
        db.globalClusterIdentifier,
        ctx.input.targetRegion,
      );
      return { detail: `${endpoint.host}:${endpoint.port}`, outputs: { host: endpoint.host, port: endpoint.port } };
    },
  };
}

function reconcile(db: TopologyDatabase): Step<RecoverInput> {
  return {
    name: `reconcile-${db.name}`,
    kind: 'action',
    title: `Compare the restored old ${db.name} primary with the current writer and store the report`,
    uses: [
      'reports.getJson',
      'credentials.databaseCredentials',
      'reconciler.reconcile',
      'reports.putFolder',
      'reports.putJson',
    ],
    describe: (ctx) =>
      selected(ctx, db)
        ? `reconcile ${identifiers(ctx, db).cluster} (old) against the writer of ${db.globalClusterIdentifier} (new); store the report`
        : 'nothing (database not selected)',
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const done = await reconciled(ctx, db);
        if (!done) return { state: 'pending', detail: 'no complete report for this snapshot yet' };
        return {
          ...alreadyReconciled(done),
          outputs: { status: done.status, summary: done.summary, report: done.report },
        };
      }),
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      const key = `${recoveryReportPrefix(String(ctx.output('validate-input', 'failoverAt')))}${db.name}/`;
      const credentials = await ctx.ports.credentials.databaseCredentials(region, db.secretId);
      const writer = `locate-${db.name}-writer`;
      const current = { host: String(ctx.output(writer, 'host')), port: Number(ctx.output(writer, 'port')) };
      const wait = `wait-for-${db.name}-cluster`;
      const old = { host: String(ctx.output(wait, 'host')), port: Number(ctx.output(wait, 'port')) };
      let status: 'complete' | 'failed';
      let summary: string;
      let location: string;
      try {
        const outcome = await ctx.ports.reconciler.reconcile({
          old: { ...old, database: db.databaseName, ...credentials },
          current: { ...current, database: db.databaseName, ...credentials },
          failoverAt: new Date(String(ctx.output('validate-input', 'failoverAt'))),
          onProgress: (line) => ctx.progress(line),
        });
        status = outcome.status;
        summary = outcome.summary;
        try {
          location = outcome.reportDir
            ? await ctx.ports.reports.putFolder(outcome.reportDir, key)
            : await ctx.ports.reports.putJson(`${key}report.json`, {
                status: outcome.status,
                summary: outcome.summary,
              });
        } finally {
          await outcome.dispose?.();
        }
      } catch (error) {
        // Retriable errors (a connection that dropped) fail the step and keep the temporary cluster for the re-run.
        // A non-retriable one is a failed report: the cluster is deleted and assert-reconciled fails the execution.
        if (!(error instanceof NonRetriableError)) throw error;
        status = 'failed';
        summary = `reconcile failed: ${messageOf(error)}`;
        location = await ctx.ports.reports.putJson(`${key}error.json`, { status, error: messageOf(error) });
      }
      const outcome: RecoveryOutcome = {
        snapshot: String(ctx.output(`find-${db.name}-snapshot`, 'sourceIdentifier')),
        status,
        summary,
        report: location,
      };
      await ctx.ports.reports.putJson(outcomeKey(ctx, db), outcome);
      return { detail: `${status}: ${summary} (report ${location})`, outputs: { status, summary, report: location } };
    },
  };
}

function deleteTemporary(db: TopologyDatabase): Step<RecoverInput> {
  const state = async (ctx: Ctx) => {
    const ids = identifiers(ctx, db);
    const region = ctx.input.targetRegion;
    return {
      ids,
      instance: await ctx.ports.snapshots.describeInstance(region, ids.instance),
      cluster: await ctx.ports.snapshots.describeCluster(region, ids.cluster),
    };
  };
  return {
    name: `delete-${db.name}-temporary-cluster`,
    kind: 'action',
    title: `Delete the temporary ${db.name} instance and cluster (the snapshot copy is kept)`,
    // It waits twice (instance, then cluster): SSM must give it invocations for both.
    timeoutSeconds: 2 * DELETE_TIMEOUT_SECONDS,
    uses: [
      'snapshots.describeInstance',
      'snapshots.deleteInstance',
      'snapshots.describeCluster',
      'snapshots.deleteCluster',
    ],
    describe: (ctx) =>
      selected(ctx, db)
        ? `DeleteDBInstance ${identifiers(ctx, db).instance}, wait, DeleteDBCluster ${identifiers(ctx, db).cluster} (no final snapshot), wait`
        : 'nothing (database not selected)',
    check: (ctx) =>
      forSelected(ctx, db, async () => {
        const found = await state(ctx);
        return !found.instance && !found.cluster
          ? { state: 'done', detail: `no temporary ${found.ids.cluster} left` }
          : {
              state: 'pending',
              detail: `instance ${found.instance?.status ?? 'gone'}, cluster ${found.cluster?.status ?? 'gone'}`,
            };
      }),
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      let found = await state(ctx);
      if (found.instance && found.instance.status !== 'deleting') {
        await ctx.ports.snapshots.deleteInstance(region, found.ids.instance);
      }
      // Aurora refuses to delete a cluster that still has instances, so the instance must be gone first.
      await waitUntil(ctx, {
        what: `the deletion of instance ${found.ids.instance}`,
        timeoutSeconds: DELETE_TIMEOUT_SECONDS,
        probe: async () => {
          const instance = await ctx.ports.snapshots.describeInstance(region, found.ids.instance);
          return { done: !instance, detail: `instance ${instance?.status ?? 'gone'}` };
        },
      });
      found = await state(ctx);
      if (found.cluster && found.cluster.status !== 'deleting') {
        await ctx.ports.snapshots.deleteCluster(region, found.ids.cluster);
      }
      await waitUntil(ctx, {
        what: `the deletion of cluster ${found.ids.cluster}`,
        timeoutSeconds: DELETE_TIMEOUT_SECONDS,
        probe: async () => {
          const cluster = await ctx.ports.snapshots.describeCluster(region, found.ids.cluster);
          return { done: !cluster, detail: `cluster ${cluster?.status ?? 'gone'}` };
        },
      });
      return { detail: `deleted ${found.ids.instance} and ${found.ids.cluster}` };
    },
  };
}

function assertReconciled(topology: Topology): Step<RecoverInput> {
  return {
    name: 'assert-reconciled',
    kind: 'verify',
    title: 'Fail the execution unless every report is complete',
    uses: [],
    describe: () => 'every selected database reconciled with status complete',
    run: async (ctx) => {
      const failures: string[] = [];
      const done: string[] = [];
      for (const db of topology.databases.filter((d) => selected(ctx, d))) {
        const step = `reconcile-${db.name}`;
        const status = ctx.output(step, 'status');
        const line = `${db.name}: ${String(ctx.output(step, 'summary'))} (report ${String(ctx.output(step, 'report'))})`;
        if (status === 'complete') done.push(line);
        else failures.push(line);
      }
      if (failures.length > 0) throw new CheckFailedError(failures, 'reconciliation failed');
      return { detail: done.join('; ') };
    },
  };
}

/**
 * `recover` (the reconcile orchestration): after an unplanned failover, once the failed Region is back, find the
 * snapshot Aurora took of each old primary, copy it to the target Region (manual snapshot, target KMS key), restore
 * it as a temporary cluster + instance, reconcile it against the current writer, store the report, and delete the
 * temporary cluster — also when the reconciliation failed (the execution then fails at `assert-reconciled`).
 *
 * Steps run phase by phase across databases, so the copies and restores of all databases proceed in parallel.
 * Every identifier is derived from the snapshot's time, so a re-run finds what an earlier run created.
 */
export const recover: Orchestration<RecoverInput> = {
  name: 'recover',
  title: 'Reconcile after an unplanned failover: restore the old primary snapshots and report the missing writes',
  mutates: true,
  inputs: [
    {
      name: 'targetRegion',
      type: 'region',
      required: true,
      description: 'The Region that holds the writers now; the restore happens there.',
    },
    {
      name: 'failedRegion',
      type: 'region',
      required: false,
      defaultText: 'the other Region of the topology',
      description: 'The Region that failed and holds the unplanned-failover snapshots.',
    },
    {
      name: 'failoverAt',
      type: 'timestamp',
      required: false,
      defaultText: 'the time recorded by the latest failover execution',
      description: 'When the failover happened (ISO 8601).',
    },
    {
      name: 'databases',
      type: 'list',
      required: false,
      defaultText: 'all',
      description: 'Databases to reconcile (comma-separated).',
    },
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion', 'failedRegion', 'failoverAt', 'databases']);
    const targetRegion = regionField(raw, 'targetRegion', topology);
    const failedRegion = regionField(raw, 'failedRegion', topology, otherRegion(topology, targetRegion));
    requireDifferentRegions('failedRegion', failedRegion, 'targetRegion', targetRegion);
    const failoverAt = timestampField(raw, 'failoverAt');
    const databases = listField(
      raw,
      'databases',
      topology.databases.map((d) => d.name),
    );
    return { targetRegion, failedRegion, ...(failoverAt ? { failoverAt } : {}), databases };
  },
  steps: (topology) => {
    const each = (make: (db: TopologyDatabase) => Step<RecoverInput>) => topology.databases.map(make);
    return [
      validate(),
      ...each(findSnapshot),
      ...each(copySnapshot),
      ...each(waitForCopy),
      ...each(restoreCluster),
      ...each(createInstance),
      ...each(waitForCluster),
      ...each(locateWriter),
      ...each(reconcile),
      ...each(deleteTemporary),
      storeSummary<RecoverInput>(
        'recover',
        (ctx) => {
          const fields: Record<string, string> = {};
          for (const db of topology.databases.filter((d) => selected(ctx, d))) {
            fields[`${db.name}Status`] = String(ctx.optionalOutput(`reconcile-${db.name}`, 'status') ?? 'unknown');
            fields[`${db.name}Report`] = String(ctx.optionalOutput(`reconcile-${db.name}`, 'report') ?? 'none');
          }
          return fields;
        },
        // Next to the reports it summarises, so the execution's report link shows both.
        (ctx) =>
          `${recoveryReportPrefix(String(ctx.output('validate-input', 'failoverAt')))}summary-${ctx.executionId}.json`,
      ),
      assertReconciled(topology),
    ];
  },
};
