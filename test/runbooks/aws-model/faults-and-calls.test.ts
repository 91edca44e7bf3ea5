import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isThrottling, isTransient, isUnavailable } from '../../../runbooks/adapters/aws/aws-call';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { unmodelledError } from './aws-errors';
import { AwsModel, ProcessCrash } from './aws-model';
import { advance, type ModelUnderTest, modelUnderTest } from './model-test-setup';
import { seedShop } from './shop-seed';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const describeOrders = (region: string) =>
  new RDSClient({ region, maxAttempts: 1 }).send(
    new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'shop-dev-orders-global' }),
  );
const failover = () =>
  new RDSClient({ region: WEST, maxAttempts: 1 }).send(
    new FailoverGlobalClusterCommand({
      GlobalClusterIdentifier: 'shop-dev-orders-global',
      TargetDbClusterIdentifier: 'arn:aws:rds:us-west-2:111122223333:cluster:shop-dev-orders',
      AllowDataLoss: true,
    }),
  );

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

describe('injected faults', () => {
  test('an unreachable Region fails every request with an error the adapters classify as transient (unavailable)', async () => {
    t = modelUnderTest();
    t.model.regionDown(EAST);
    const error = await describeOrders(EAST).catch((e: unknown) => e);
    expect([isUnavailable(error), isThrottling(error), isTransient(error)]).toEqual([true, false, true]);
    await describeOrders(WEST);
    t.model.regionUp(EAST);
    await describeOrders(EAST);
  });

  test('throttling: the next N calls of an operation fail with a throttling error, then it answers', async () => {
    t = modelUnderTest();
    t.model.faults.throttle({ service: 'rds', operation: 'DescribeGlobalClusters' }, 2);
    const first = await describeOrders(WEST).catch((e: unknown) => e);
    expect([isThrottling(first), (first as Error).name]).toEqual([true, 'ThrottlingException']);
    await expect(describeOrders(EAST)).rejects.toMatchObject({ name: 'ThrottlingException' });
    await describeOrders(WEST);
    expect(t.model.faults.pending()).toBe(0);
    expect(t.model.calls.lines()).toEqual([
      'rds:DescribeGlobalClusters us-west-2 !ThrottlingException',
      'rds:DescribeGlobalClusters us-east-1 !ThrottlingException',
      'rds:DescribeGlobalClusters us-west-2',
    ]);
  });

  test("a fault 'after' the effect: the failover happened, the caller saw an error", async () => {
    t = modelUnderTest();
    t.model.faults.fail(
      { operation: 'FailoverGlobalCluster' },
      unmodelledError('InternalFailure', 'boom', { fault: 'server', httpStatusCode: 500 }),
      1,
      'after',
    );
    await expect(failover()).rejects.toMatchObject({ name: 'InternalFailure' });
    advance(t.clock, t.model.timings.failoverSeconds);
    expect(t.shop.writers()['shop-dev-orders-global']).toBe(WEST);
    expect(t.model.calls.lines()).toEqual(['rds:FailoverGlobalCluster us-west-2 !InternalFailure (after effect)']);
  });

  test.each([
    ['before', 'us-east-1'],
    ['after', 'us-west-2'],
  ] as const)('a process crash %s the n-th request: every request fails until restart', async (when, writer) => {
    t = modelUnderTest();
    await describeOrders(WEST);
    t.model.crashAt({ at: 1, when });
    await describeOrders(WEST);
    await expect(failover()).rejects.toBeInstanceOf(ProcessCrash);
    await expect(
      new SSMClient({ region: WEST }).send(new GetParameterCommand({ Name: t.shop.arcParameterName })),
    ).rejects.toBeInstanceOf(ProcessCrash);
    expect(t.model.crashed()).toBe(true);
    t.model.restart();
    await describeOrders(WEST);
    advance(t.clock, t.model.timings.failoverSeconds);
    expect(t.shop.writers()['shop-dev-orders-global']).toBe(writer);
  });
});

describe('call log', () => {
  test('records service, operation, Region, input and simulated time; filters by time and counts by Region', async () => {
    t = modelUnderTest();
    const start = t.clock.now();
    await describeOrders(WEST);
    advance(t.clock, 30);
    const middle = t.clock.now();
    await failover();
    advance(t.clock, 30);
    t.model.regionDown(EAST);
    await describeOrders(EAST).catch(() => undefined);
    const [first, second, third] = t.model.calls.all();
    expect(first).toMatchObject({
      service: 'rds',
      operation: 'DescribeGlobalClusters',
      region: WEST,
      at: start,
      outcome: 'ok',
    });
    expect(second).toMatchObject({ operation: 'FailoverGlobalCluster', input: { AllowDataLoss: true }, at: middle });
    expect(third?.outcome).toBe('ETIMEDOUT');
    expect(t.model.calls.between(middle, middle).map((c) => c.operation)).toEqual(['FailoverGlobalCluster']);
    expect(t.model.calls.countsByRegion()).toEqual({ [WEST]: 2, [EAST]: 1 });
    expect(t.model.calls.controlPlaneCalls()).toEqual([]);
  });
});

describe('install and restore', () => {
  test('installing a second model takes over the mocks; restore removes them', async () => {
    t = modelUnderTest();
    const other = new AwsModel({ clock: new ManualClock() });
    seedShop(other, { primaryRegion: WEST, standbyRegion: EAST });
    other.install();
    try {
      const writer = (await describeOrders(EAST)).GlobalClusters![0]!.GlobalClusterMembers!.find((m) => m.IsWriter);
      expect(writer?.DBClusterArn).toContain(`:${WEST}:`);
      expect(t.model.calls.all()).toEqual([]);
    } finally {
      other.restore();
    }
    const send = RDSClient.prototype.send as unknown as { restore?: unknown };
    expect(send.restore).toBeUndefined();
  });
});

describe('request time', () => {
  test('requestSeconds advances the manual clock by the time each request takes, reachable or not', async () => {
    t = modelUnderTest({ requestSeconds: (r) => (r.reachable ? 0.1 : 3) });
    const start = t.clock.now().getTime();
    await describeOrders(WEST);
    t.model.regionDown(EAST);
    await describeOrders(EAST).catch(() => undefined);
    expect(t.clock.now().getTime() - start).toBe(3100);
    expect(t.model.calls.all().map((c) => c.at.getTime() - start)).toEqual([0, 100]);
  });
});
