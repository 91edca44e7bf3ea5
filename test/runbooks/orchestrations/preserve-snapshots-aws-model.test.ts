import { createAwsPorts } from '../../../runbooks/adapters/aws/aws-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { SimulatedReconciler } from '../../../runbooks/adapters/local/simulated-reconciler';
import { type RunResult, runOrchestration } from '../../../runbooks/core/engine';
import type { AnyOrchestration } from '../../../runbooks/core/step';
import { failover, preserveSnapshots, recover } from '../../../runbooks/orchestrations';
import { AwsModel } from '../aws-model/aws-model';
import { type ShopFixture, seedShop } from '../aws-model/shop-seed';
import { withFakeTimers } from '../aws-scenarios/jest-timers';

// The review's M2 end to end, with the real AWS adapters (SDK v3 clients) against the stateful AWS model, which
// expires the unplanned-failover system snapshot with the old cluster's backup retention:
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html: "The
// snapshot of the old storage volume is a system snapshot that's subject to the backup retention period configured
// on the old primary cluster. To preserve this snapshot outside of the retention period, you can copy it to save it
// as a manual snapshot."

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const RETENTION_DAYS = 35;
const DAY_MS = 86_400_000;

describe('preserve-snapshots on the AWS model, with the real AWS adapters', () => {
  let clock: ManualClock;
  let model: AwsModel;
  let shop: ShopFixture;

  beforeEach(() => {
    clock = new ManualClock('2026-01-27T10:00:00.000Z');
    model = new AwsModel({ clock });
    shop = seedShop(model, { backupRetentionDays: RETENTION_DAYS });
    model.install();
  });
  afterEach(() => model.restore());

  /** Runs an orchestration in `region` on createAwsPorts, as the Lambda there would. */
  function run(orchestration: AnyOrchestration, region: string, raw: Record<string, unknown>): Promise<RunResult> {
    const topology = shop.topology(region);
    const ports = createAwsPorts({
      topology,
      clock,
      region,
      bucket: shop.buckets[region]!,
      reconciler: new SimulatedReconciler(),
    });
    return withFakeTimers(() =>
      runOrchestration({
        orchestration,
        input: orchestration.parseInput(raw, topology),
        topology,
        ports,
        reason: 'test',
        settings: { pollIntervalSeconds: 15 },
        retryDelayMs: 1,
      }),
    );
  }

  /** us-east-1 fails, the writers move to us-west-2, us-east-1 returns and Aurora snapshots the old primaries. */
  async function unplannedFailoverAndReturn(): Promise<void> {
    model.regionDown(EAST);
    expect((await run(failover, WEST, { targetRegion: WEST })).status).toBe('succeeded');
    clock.advance(3600_000);
    model.regionUp(EAST);
    clock.advance((model.timings.failoverSnapshotSeconds + 1) * 1000);
    model.settle();
  }

  const systemSnapshots = () =>
    [...model.rds.snapshots.values()].filter((s) => s.identifier.startsWith('rds:')).map((s) => s.identifier);

  test('both Regions run it: us-west-2 copies the snapshots of us-east-1 under recover’s names; after the retention recover restores the copies', async () => {
    await unplannedFailoverAndReturn();
    const snapshots = systemSnapshots().sort();
    expect(snapshots).toHaveLength(2);

    // WHEN the scheduled runs happen in both Regions
    const marker = model.calls.mark();
    const west = await run(preserveSnapshots, WEST, { targetRegion: WEST });
    const east = await run(preserveSnapshots, EAST, { targetRegion: EAST });
    expect([west.status, east.status]).toEqual(['succeeded', 'succeeded']);

    // THEN only us-west-2 copied, each copy sent to us-west-2, the source named by its us-east-1 ARN, with the key
    // of us-west-2 (the SDK's RDS middleware presigns the cross-Region request)
    const copies = model.calls.since(marker).filter((c) => c.operation === 'CopyDBClusterSnapshot');
    expect(copies.map((c) => [c.region, c.outcome])).toEqual([
      [WEST, 'ok'],
      [WEST, 'ok'],
    ]);
    expect(copies.map((c) => c.input.SourceDBClusterSnapshotIdentifier)).toEqual(
      snapshots.map((id) => `arn:aws:rds:${EAST}:${model.accountId}:cluster-snapshot:${id}`),
    );
    expect(copies.map((c) => c.input.KmsKeyId)).toEqual([
      `arn:aws:kms:${WEST}:${model.accountId}:key/data-${WEST}`,
      `arn:aws:kms:${WEST}:${model.accountId}:key/data-${WEST}`,
    ]);
    const copyIds = copies.map((c) => String(c.input.TargetDBClusterSnapshotIdentifier));
    expect(copyIds).toEqual([
      expect.stringMatching(/^shop-dev-rcv-catalog-20260127\d{4}$/),
      expect.stringMatching(/^shop-dev-rcv-orders-20260127\d{4}$/),
    ]);

    // WHEN the copies have finished and the next run records them
    clock.advance((model.timings.copySeconds + 1) * 1000);
    expect((await run(preserveSnapshots, WEST, { targetRegion: WEST })).status).toBe('succeeded');
    // AND the retention passes: Aurora deletes the system snapshots
    clock.advance((RETENTION_DAYS + 1) * DAY_MS);
    model.settle();
    const later = model.calls.mark();
    const result = await run(recover, WEST, { targetRegion: WEST });

    // THEN recover finds them expired, restores the preserved copies in us-west-2 and copies nothing
    expect(systemSnapshots()).toEqual([]);
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'find-orders-snapshot')?.detail).toMatch(
      new RegExp(`has expired in ${EAST}; its copy ${copyIds[1]}, preserved in ${WEST}, is restored$`),
    );
    const calls = model.calls.since(later);
    expect(calls.filter((c) => c.operation === 'CopyDBClusterSnapshot')).toEqual([]);
    expect(
      calls
        .filter((c) => c.operation === 'RestoreDBClusterFromSnapshot' && c.outcome === 'ok')
        .map((c) => [c.region, c.input.SnapshotIdentifier]),
    ).toEqual([
      [WEST, copyIds[0]],
      [WEST, copyIds[1]],
    ]);
  });

  test('without the scheduled copy, recover after the retention finds nothing to restore (the defect M2 names)', async () => {
    await unplannedFailoverAndReturn();
    clock.advance((RETENTION_DAYS + 1) * DAY_MS);
    model.settle();
    const result = await run(recover, WEST, { targetRegion: WEST });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ step: 'find-catalog-snapshot', retriable: false });
    expect(result.error?.message).toMatch(/^no snapshot rds:unplanned-global-failover-shop-dev-catalog-\*/);
  });

  test('while Aurora is still taking the snapshot the run copies nothing, and the next run copies it', async () => {
    model.regionDown(EAST);
    expect((await run(failover, WEST, { targetRegion: WEST })).status).toBe('succeeded');
    clock.advance(3600_000);
    model.regionUp(EAST);
    const during = await run(preserveSnapshots, WEST, { targetRegion: WEST });
    expect(during.status).toBe('succeeded');
    expect(during.steps.find((s) => s.step === 'preserve-orders-snapshots')?.detail).toMatch(
      /: source is creating; the next run copies it$/,
    );
    clock.advance((model.timings.failoverSnapshotSeconds + 1) * 1000);
    const marker = model.calls.mark();
    expect((await run(preserveSnapshots, WEST, { targetRegion: WEST })).status).toBe('succeeded');
    expect(
      model.calls
        .since(marker)
        .filter((c) => c.operation === 'CopyDBClusterSnapshot')
        .map((c) => c.outcome),
    ).toEqual(['ok', 'ok']);
  });
});
