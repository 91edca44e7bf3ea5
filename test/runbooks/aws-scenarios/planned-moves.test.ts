import {
  failback,
  failover,
  initializeRouting,
  preserveSnapshots,
  readiness,
  recover,
  switchover,
} from '../../../runbooks/orchestrations';
import { failedOverToWest, rejoinedEast, SUCCEEDING_SCENARIOS } from './aws-scenarios';
import { type AwsWorld, EAST, effectiveMutations, awsWorld as newWorld, type TimerDriver, WEST } from './aws-world';
import { fakeTimers } from './jest-timers';

const awsWorld = () => newWorld({ timers });

let world: AwsWorld | undefined;
let timers: TimerDriver;
// The adapters back off in real time when a Region does not answer: fake timers make the same retries instant.
beforeEach(() => {
  timers = fakeTimers();
});
afterEach(() => {
  world?.dispose();
  jest.useRealTimers();
});

const BOTH = ['shop-dev-catalog-global', 'shop-dev-orders-global'];
const writersIn = (region: string) => Object.fromEntries(BOTH.map((g) => [g, region]));
const scenario = (name: string) => SUCCEEDING_SCENARIOS.find((s) => s.name.startsWith(name))!;

describe('switchover on the AWS model', () => {
  test.each([
    ['healthy', () => {}],
    ['with the ARC control plane down', (w: AwsWorld) => w.model.controlPlaneDown()],
  ])(
    '%s: SwitchoverGlobalCluster goes to the writer Region us-east-1 (M3), then traffic moves',
    async (_name, setup) => {
      world = awsWorld();
      setup(world);
      const run = await world.run(switchover, WEST, { targetRegion: WEST });
      expect(run.result.error?.message).toBeUndefined();
      expect(
        run.calls.filter((c) => c.operation === 'SwitchoverGlobalCluster').map((c) => `${c.region} ${c.outcome}`),
      ).toEqual([`${EAST} ok`, `${EAST} ok`]);
      expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
      expect(world.state()).toMatchObject({ writers: writersIn(WEST), routing: { [EAST]: 'Off', [WEST]: 'On' } });
      // Writers before traffic: the routing change comes after the last switchover.
      const lastSwitch = run.calls.findLastIndex((c) => c.operation === 'SwitchoverGlobalCluster');
      const update = run.calls.findIndex((c) => c.operation === 'UpdateRoutingControlStates' && c.outcome === 'ok');
      expect(update).toBeGreaterThan(lastSwitch);
    },
  );

  test('with throttling on the calls of a switchover: the adapters retry and it makes the same changes once', async () => {
    world = awsWorld();
    world.model.faults
      .throttle({ operation: 'DescribeGlobalClusters' }, 2)
      .throttle({ operation: 'SwitchoverGlobalCluster' }, 1)
      .throttle({ operation: 'DescribeServices' }, 1)
      .throttle({ operation: 'UpdateRoutingControlStates' }, 1)
      .throttle({ operation: 'PutObject' }, 1);
    const run = await world.run(switchover, WEST, { targetRegion: WEST });
    expect(run.result.error?.message).toBeUndefined();
    expect(world.model.faults.pending()).toBe(0);
    expect(effectiveMutations(run.calls).filter((m) => m.startsWith('Switchover'))).toHaveLength(2);
    expect(world.state()).toMatchObject({ writers: writersIn(WEST), routing: { [EAST]: 'Off', [WEST]: 'On' } });
  });

  test('GIVEN the writer Region us-east-1 unreachable WHEN switchover THEN it stops before changing anything (a failover is the tool then)', async () => {
    world = awsWorld();
    world.model.regionDown(EAST);
    const run = await world.run(switchover, WEST, { targetRegion: WEST });
    expect(run.result.status).toBe('failed');
    expect(effectiveMutations(run.calls)).toEqual([]);
    expect(world.state()).toMatchObject({ writers: writersIn(EAST), routing: { [EAST]: 'On', [WEST]: 'Off' } });
  });
});

describe('failback on the AWS model', () => {
  test('after an unplanned failover and the rejoin, with the ARC control plane down: writers and traffic back to us-east-1, its writer services restored', async () => {
    const s = scenario('failback');
    world = awsWorld();
    await s.setup(world);
    const run = await world.run(s.orchestration, s.runIn, s.input);
    expect(run.result.error?.message).toBeUndefined();
    expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
    expect(run.calls.filter((c) => c.operation === 'SwitchoverGlobalCluster').map((c) => c.region)).toEqual([
      WEST,
      WEST,
    ]);
    expect(world.state()).toMatchObject({ writers: writersIn(EAST), routing: { [EAST]: 'On', [WEST]: 'Off' } });
  });

  test('GIVEN a fenced us-east-1 WHEN failback THEN its writer services are raised to their autoscaling minimum and running before the switchover', async () => {
    world = awsWorld();
    // us-east-1 half alive during the failover: the fence scaled its writers to 0.
    await world.run(failover, WEST, {
      targetRegion: WEST,
      failedRegion: EAST,
    });
    expect(world.state().writerServices).toMatchObject({ 'us-east-1/catalog': 0, 'us-east-1/orders': 0 });
    world.advance(world.model.timings.failoverSnapshotSeconds + world.model.timings.resyncSeconds);
    const run = await world.run(failback, EAST, { targetRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    const firstSwitch = run.calls.findIndex((c) => c.operation === 'SwitchoverGlobalCluster');
    // Before the switchover: only the two writer services restored (us-west-2's peak, 2 per service, needs no more).
    // After the traffic moved back, restore-scaling-baseline (issue 17) sets us-west-2's desired counts to its baseline.
    const updates = run.calls.filter((c, i) => c.operation === 'UpdateService' && i < firstSwitch);
    expect(updates.map((c) => `${c.region} ${JSON.stringify(c.input)}`)).toEqual([
      `${EAST} {"cluster":"shop-dev","service":"catalog","desiredCount":2}`,
      `${EAST} {"cluster":"shop-dev","service":"orders","desiredCount":2}`,
    ]);
    expect(
      run.calls.filter((c, i) => c.operation === 'UpdateService' && i > firstSwitch).every((c) => c.region === WEST),
    ).toBe(true);
    expect(world.state().writerServices).toMatchObject({ 'us-east-1/catalog': 2, 'us-east-1/orders': 2 });
  });

  test('GIVEN us-east-1 back but still pending-resync WHEN failback THEN check-rejoined fails and nothing moves', async () => {
    world = awsWorld();
    await failedOverToWest(world);
    world.model.regionUp(EAST);
    const run = await world.run(failback, EAST, { targetRegion: EAST });
    expect(run.result).toMatchObject({ status: 'failed', error: { step: 'check-rejoined' } });
    expect(run.result.error?.message).toContain('pending-resync');
    expect(effectiveMutations(run.calls)).toEqual([]);
    expect(world.state().writers).toEqual(writersIn(WEST));
  });

  test('GIVEN us-east-1 still down WHEN failback is run from us-west-2 THEN it refuses without a change', async () => {
    world = awsWorld();
    await failedOverToWest(world);
    const run = await world.run(failback, WEST, { targetRegion: EAST });
    expect(run.result.status).toBe('failed');
    expect(effectiveMutations(run.calls)).toEqual([]);
    expect(world.state()).toMatchObject({ writers: writersIn(WEST), routing: { [EAST]: 'Off', [WEST]: 'On' } });
  });
});

describe('recover on the AWS model (stub reconciler; reconciliation itself is tested on real Postgres)', () => {
  test('finds the snapshot Aurora took when us-east-1 returned, copies, restores, reconciles against the us-west-2 writer, deletes the temporary clusters', async () => {
    const s = scenario('recover');
    world = awsWorld();
    await s.setup(world);
    const run = await world.run(s.orchestration, s.runIn, s.input);
    expect(run.result.error?.message).toBeUndefined();
    expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
    expect(effectiveMutations(run.calls).map((m) => m.split(' {')[0])).toEqual([
      'CopyDBClusterSnapshot us-west-2',
      'CopyDBClusterSnapshot us-west-2',
      'RestoreDBClusterFromSnapshot us-west-2',
      'RestoreDBClusterFromSnapshot us-west-2',
      'CreateDBInstance us-west-2',
      'CreateDBInstance us-west-2',
      'DeleteDBInstance us-west-2',
      'DeleteDBCluster us-west-2',
      'DeleteDBInstance us-west-2',
      'DeleteDBCluster us-west-2',
    ]);
    const copy = run.calls.find((c) => c.operation === 'CopyDBClusterSnapshot')!;
    expect(String(copy.input.SourceDBClusterSnapshotIdentifier)).toMatch(
      /^arn:aws:rds:us-east-1:111122223333:cluster-snapshot:rds:unplanned-global-failover-shop-dev-catalog-\d{4}-\d\d-\d\d-\d\d-\d\d$/,
    );
    expect(world.reconciler.requests.map((r) => [r.old.host.split('.')[0], r.current.host, r.old.database])).toEqual([
      [
        'shop-dev-rcv-catalog-202601271031',
        'shop-dev-catalog-global.global-c0ffee.global.rds.amazonaws.com',
        'catalog',
      ],
      ['shop-dev-rcv-orders-202601271031', 'shop-dev-orders-global.global-c0ffee.global.rds.amazonaws.com', 'orders'],
    ]);
    expect(world.state()).toMatchObject({
      temporary: [],
      copies: [
        'us-west-2/shop-dev-rcv-catalog-202601271031 available',
        'us-west-2/shop-dev-rcv-orders-202601271031 available',
      ],
    });
  });

  test('GIVEN us-east-1 not back yet WHEN recover THEN it fails on the missing snapshot and creates nothing', async () => {
    world = awsWorld();
    await failedOverToWest(world);
    const run = await world.run(recover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result).toMatchObject({ status: 'failed', error: { step: 'find-catalog-snapshot' } });
    expect(effectiveMutations(run.calls)).toEqual([]);
  });

  test('with throttling on every snapshot and cluster call type once: the same changes', async () => {
    world = awsWorld();
    await rejoinedEast(world);
    for (const operation of [
      'DescribeDBClusterSnapshots',
      'CopyDBClusterSnapshot',
      'RestoreDBClusterFromSnapshot',
      'CreateDBInstance',
      'DescribeDBClusters',
      'DeleteDBCluster',
    ]) {
      world.model.faults.throttle({ operation }, 1);
    }
    const run = await world.run(recover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    expect(world.model.faults.pending()).toBe(0);
    expect(effectiveMutations(run.calls)).toHaveLength(10);
    expect(world.state().temporary).toEqual([]);
  });
});

describe('readiness on the AWS model', () => {
  test('of us-west-2, with the ARC control plane down: every check passes through the data plane and us-west-2 only', async () => {
    const s = scenario('readiness');
    world = awsWorld();
    await s.setup(world);
    const run = await world.run(s.orchestration, s.runIn, s.input);
    expect(run.result.error?.message).toBeUndefined();
    expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
    expect(new Set(run.calls.filter((c) => c.service !== 'route53-recovery-cluster').map((c) => c.region))).toEqual(
      new Set([WEST]),
    );
    expect(effectiveMutations(run.calls)).toEqual([]);
  });

  test('GIVEN us-west-2 resyncing after a failback-less rejoin WHEN readiness of us-east-1 THEN replication fails, naming pending-resync and the missing lag data', async () => {
    world = awsWorld();
    await failedOverToWest(world);
    world.model.regionUp(EAST);
    const run = await world.run(readiness, EAST, { targetRegion: EAST });
    expect(run.result.status).toBe('failed');
    expect(run.result.error?.message).toContain('pending-resync');
    expect(run.result.error?.message).toContain('no AuroraGlobalDBRPOLag data');
  });
});

describe('preserve-snapshots and initialize-routing on the AWS model', () => {
  test('M2: preserve-snapshots in us-west-2 copies the snapshot Aurora left in us-east-1 once; recover then finds the copy and does not copy again', async () => {
    world = awsWorld();
    await rejoinedEast(world);
    const preserve = await world.run(preserveSnapshots, WEST, { sourceRegion: EAST, targetRegion: WEST });
    expect(preserve.result.error?.message).toBeUndefined();
    expect(effectiveMutations(preserve.calls).map((m) => m.split(' {')[0])).toEqual([
      'CopyDBClusterSnapshot us-west-2',
      'CopyDBClusterSnapshot us-west-2',
    ]);
    world.advance(world.model.timings.copySeconds);
    const again = await world.run(preserveSnapshots, WEST, { sourceRegion: EAST, targetRegion: WEST });
    expect(again.result.error?.message).toBeUndefined();
    expect(effectiveMutations(again.calls)).toEqual([]);
    const run = await world.run(recover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    expect(effectiveMutations(run.calls).filter((m) => m.startsWith('Copy'))).toEqual([]);
    expect(world.state().copies).toEqual([
      'us-west-2/shop-dev-rcv-catalog-202601271031 available',
      'us-west-2/shop-dev-rcv-orders-202601271031 available',
    ]);
  });

  test('m1: GIVEN both routing controls Off after the first deploy WHEN initialize-routing THEN the primary is On, through the data plane only', async () => {
    world = newWorld({ timers, seed: { routing: 'all-off' } });
    world.model.controlPlaneDown();
    const run = await world.run(initializeRouting, EAST, {});
    expect(run.result.error?.message).toBeUndefined();
    expect(world.state().routing).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
  });
});
