import {
  DescribeDBClusterSnapshotsCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { advance, type ModelUnderTest, modelUnderTest } from './model-test-setup';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ORDERS = 'shop-dev-orders-global';
const arnIn = (region: string) => `arn:aws:rds:${region}:111122223333:cluster:shop-dev-orders`;
const rds = (region: string) => new RDSClient({ region, maxAttempts: 1 });

async function look(region: string) {
  const answer = await rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: ORDERS }));
  const g = answer.GlobalClusters![0]!;
  return {
    status: g.Status,
    failover: g.FailoverState?.Status,
    dataLoss: g.FailoverState?.IsDataLossAllowed,
    members: (g.GlobalClusterMembers ?? []).map((m) => ({
      region: m.DBClusterArn!.split(':')[3],
      writer: m.IsWriter,
      sync: m.SynchronizationStatus,
    })),
  };
}

const failover = (region: string, target = arnIn(WEST)) =>
  rds(region).send(
    new FailoverGlobalClusterCommand({
      GlobalClusterIdentifier: ORDERS,
      TargetDbClusterIdentifier: target,
      AllowDataLoss: true,
    }),
  );
const switchover = (region: string, target: string) =>
  rds(region).send(
    new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: ORDERS, TargetDbClusterIdentifier: target }),
  );

async function failoverSnapshots(region: string) {
  const answer = await rds(region).send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'shop-dev-orders' }),
  );
  return (answer.DBClusterSnapshots ?? []).map((s) => `${s.DBClusterSnapshotIdentifier} ${s.Status} ${s.SnapshotType}`);
}

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

describe('Aurora global database model: unplanned failover', () => {
  test('GIVEN the writer in us-east-1 WHEN FailoverGlobalCluster is sent to us-west-2 THEN FailoverState goes pending → failing-over → gone, and us-west-2 is the writer', async () => {
    t = modelUnderTest();
    expect(await look(WEST)).toEqual({
      status: 'available',
      failover: undefined,
      dataLoss: undefined,
      members: [
        { region: EAST, writer: true, sync: undefined },
        { region: WEST, writer: false, sync: 'connected' },
      ],
    });
    await failover(WEST);
    expect(await look(WEST)).toMatchObject({ status: 'failing-over', failover: 'pending', dataLoss: true });
    advance(t.clock, t.model.timings.movePendingSeconds);
    expect((await look(WEST)).failover).toBe('failing-over');
    advance(t.clock, t.model.timings.failoverSeconds);
    const after = await look(WEST);
    expect(after.failover).toBeUndefined();
    expect(after.members.find((m) => m.writer)?.region).toBe(WEST);
  });

  test('a failover needs nothing from the failed Region: sent to us-west-2 while us-east-1 is unreachable', async () => {
    t = modelUnderTest();
    t.model.regionDown(EAST);
    await expect(look(EAST)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await failover(WEST);
    advance(t.clock, t.model.timings.failoverSeconds);
    expect(await look(WEST)).toEqual({
      status: 'available',
      failover: undefined,
      dataLoss: undefined,
      members: [
        { region: EAST, writer: false, sync: undefined },
        { region: WEST, writer: true, sync: undefined },
      ],
    });
  });

  test.each([
    [{ oldPrimaryListedWhileDown: false, globalStatusUntilRejoined: 'modifying' }, 'modifying', [WEST]],
    [{ oldPrimaryListedWhileDown: true, globalStatusUntilRejoined: 'available' }, 'available', [EAST, WEST]],
  ])(
    'the unverified state while the old Region is down follows the options %j',
    async (behaviours, status, regions) => {
      t = modelUnderTest({ behaviours });
      t.model.regionDown(EAST);
      await failover(WEST);
      advance(t.clock, t.model.timings.failoverSeconds);
      const seen = await look(WEST);
      expect(seen.status).toBe(status);
      expect(seen.members.map((m) => m.region)).toEqual(regions);
    },
  );

  test('WHEN the old Region returns THEN Aurora snapshots the old primary, rebuilds it pending-resync, then connected', async () => {
    t = modelUnderTest({ behaviours: { globalStatusUntilRejoined: 'modifying' } });
    t.model.regionDown(EAST);
    await failover(WEST);
    advance(t.clock, t.model.timings.failoverSeconds + 3600);
    expect(await failoverSnapshots(EAST).catch((e: Error) => e.message)).toMatch(/ETIMEDOUT/);

    t.model.regionUp(EAST);
    const returnedAt = t.clock.now();
    expect(await failoverSnapshots(EAST)).toEqual([
      `rds:unplanned-global-failover-shop-dev-orders-${returnedAt.toISOString().slice(0, 16).replace(/[T:]/g, '-')} creating automated`,
    ]);
    expect((await look(WEST)).members).toEqual([
      { region: EAST, writer: false, sync: 'pending-resync' },
      { region: WEST, writer: true, sync: undefined },
    ]);
    advance(t.clock, t.model.timings.failoverSnapshotSeconds);
    expect((await failoverSnapshots(EAST))[0]).toMatch(/ available automated$/);
    advance(t.clock, t.model.timings.resyncSeconds);
    expect(await look(WEST)).toMatchObject({
      status: 'available',
      members: [
        { region: EAST, writer: false, sync: 'connected' },
        { region: WEST, writer: true },
      ],
    });
  });

  test("the unplanned-failover snapshot expires with the old cluster's backup retention (a system snapshot)", async () => {
    t = modelUnderTest({ seed: { backupRetentionDays: 7 } });
    t.model.regionDown(EAST);
    await failover(WEST);
    advance(t.clock, 600);
    t.model.regionUp(EAST);
    advance(t.clock, 7 * 86_400 - 1);
    expect(await failoverSnapshots(EAST)).toHaveLength(1);
    advance(t.clock, 1);
    expect(await failoverSnapshots(EAST)).toEqual([]);
  });

  test('a failover sent to a Region other than the target is refused (documented Region; refusal unverified), or accepted with failoverRequestRegion any', async () => {
    t = modelUnderTest();
    await expect(failover(EAST)).rejects.toMatchObject({ name: 'InvalidGlobalClusterStateFault' });
    t.model.restore();
    t = modelUnderTest({ behaviours: { failoverRequestRegion: 'any' } });
    await failover(EAST);
    expect((await look(WEST)).failover).toBe('pending');
  });

  test('a second move while one is in progress is InvalidGlobalClusterStateFault; an unknown global cluster GlobalClusterNotFoundFault', async () => {
    t = modelUnderTest();
    await failover(WEST);
    await expect(failover(WEST)).rejects.toMatchObject({ name: 'InvalidGlobalClusterStateFault' });
    await expect(
      rds(WEST).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'nope' })),
    ).rejects.toMatchObject({ name: 'GlobalClusterNotFoundFault', $metadata: { httpStatusCode: 404 } });
  });

  test('a cancelled move shows FailoverState cancelling, then the roles as before', async () => {
    t = modelUnderTest();
    await failover(WEST);
    t.model.rds.cancelMove(ORDERS);
    expect((await look(WEST)).failover).toBe('cancelling');
    advance(t.clock, t.model.timings.failoverSeconds + t.model.timings.cancelSeconds);
    expect(await look(WEST)).toMatchObject({
      failover: undefined,
      members: [{ region: EAST, writer: true }, { region: WEST }],
    });
  });
});

describe('Aurora global database model: switchover', () => {
  test('GIVEN every member reachable and connected WHEN SwitchoverGlobalCluster is sent to the primary Region THEN the roles swap without data loss', async () => {
    t = modelUnderTest();
    await switchover(EAST, arnIn(WEST));
    expect(await look(EAST)).toMatchObject({ failover: 'pending', dataLoss: false, status: 'switching-over' });
    advance(t.clock, t.model.timings.movePendingSeconds);
    expect((await look(EAST)).failover).toBe('switching-over');
    advance(t.clock, t.model.timings.switchoverSeconds);
    expect(await look(WEST)).toEqual({
      status: 'available',
      failover: undefined,
      dataLoss: undefined,
      members: [
        { region: EAST, writer: false, sync: 'connected' },
        { region: WEST, writer: true, sync: undefined },
      ],
    });
  });

  test('a switchover sent to the secondary Region is refused by default (M3; the refusal is unverified)', async () => {
    t = modelUnderTest();
    await expect(switchover(WEST, arnIn(WEST))).rejects.toMatchObject({
      name: 'InvalidGlobalClusterStateFault',
      message: expect.stringContaining('its primary is in us-east-1'),
    });
  });

  test('a switchover is refused while a member is unreachable or pending-resync', async () => {
    t = modelUnderTest({ behaviours: { switchoverRequestRegion: 'any' } });
    t.model.regionDown(EAST);
    await expect(switchover(WEST, arnIn(WEST))).rejects.toMatchObject({
      name: 'InvalidGlobalClusterStateFault',
      message: expect.stringContaining(`${arnIn(EAST)} is unreachable`),
    });
    await failover(WEST);
    advance(t.clock, t.model.timings.failoverSeconds);
    t.model.regionUp(EAST);
    await expect(switchover(WEST, arnIn(EAST))).rejects.toMatchObject({
      message: expect.stringContaining(`${arnIn(EAST)} is pending-resync`),
    });
    advance(t.clock, t.model.timings.failoverSnapshotSeconds + t.model.timings.resyncSeconds);
    await switchover(WEST, arnIn(EAST));
    expect((await look(WEST)).failover).toBe('pending');
  });
});
