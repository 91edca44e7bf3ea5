import { failover } from '../../../runbooks/orchestrations';
import { SUCCEEDING_SCENARIOS, switchedToWest } from './aws-scenarios';
import {
  type AwsWorld,
  type AwsWorldOptions,
  callLines,
  EAST,
  effectiveMutations,
  figureAt,
  folded,
  awsWorld as newWorld,
  type TimerDriver,
  WEST,
} from './aws-world';
import { fakeTimers } from './jest-timers';

let world: AwsWorld | undefined;
let timers: TimerDriver;
// The adapters back off in real time on throttling: fake timers make the same retries instant.
beforeEach(() => {
  timers = fakeTimers();
});
afterEach(() => {
  world?.dispose();
  jest.useRealTimers();
});
const awsWorld = (options: AwsWorldOptions = {}) => newWorld({ ...options, timers });

const GLOBALS = ['shop-dev-catalog-global', 'shop-dev-orders-global'];
const failoverTo = (region: string) =>
  GLOBALS.map(
    (g) =>
      `FailoverGlobalCluster ${region} ${JSON.stringify({ GlobalClusterIdentifier: g, TargetDbClusterIdentifier: `arn:aws:rds:${region}:111122223333:cluster:${g.replace('-global', '')}`, AllowDataLoss: true })}`,
  );

describe('failover on the AWS model, real adapters', () => {
  test('GIVEN us-east-1 down WHEN failover to us-west-2 runs in us-west-2 THEN exactly these calls, none to the control plane or to a dead Region except the best-effort fence', async () => {
    world = awsWorld();
    const scenario = SUCCEEDING_SCENARIOS[0]!;
    await scenario.setup(world);
    const run = await world.run(failover, WEST, scenario.input);
    expect(run.result.status).toBe('succeeded');
    const A = ['rds:DescribeGlobalClusters us-west-2', 'rds:DescribeDBClusters us-west-2'];
    const journal = 's3:PutObject us-west-2 ×2';
    expect(folded(callLines(run.calls))).toEqual([
      's3:GetObject us-west-2 !NoSuchKey ×2',
      ...A,
      ...A,
      journal,
      // The target's writer services are at their minimum already (never fenced here): read, nothing changed.
      'ecs:DescribeServices us-west-2',
      'application-autoscaling:DescribeScalableTargets us-west-2',
      journal,
      // Issue 17, scale-to-peak: the failed Region's peak (its CloudWatch: a read, retried within the peak budget)
      // while the target's ranges and counts are read; then the readiness record in the runbook's own bucket (none
      // here): the peak is unknown, nothing is raised, the failover goes on. The run reuses its check's plan.
      'cloudwatch:GetMetricData us-east-1 !ETIMEDOUT',
      'application-autoscaling:DescribeScalableTargets us-west-2',
      'ecs:DescribeServices us-west-2',
      'cloudwatch:GetMetricData us-east-1 !ETIMEDOUT ×4',
      's3:GetObject us-west-2 !NoSuchKey',
      // the journal of scale-to-peak and of wait-for-peak-capacity (nothing raised: nothing to wait for)
      's3:PutObject us-west-2 ×4',
      // B1: endpoints and ARNs from the SSM parameter in the runbook's own Region; data plane only.
      'ssm:GetParameter us-west-2',
      'route53-recovery-cluster:GetRoutingControlState arc',
      // The random start endpoint is in us-east-1 (down): the adapter moves on to the next endpoint.
      'route53-recovery-cluster:GetRoutingControlState arc !ETIMEDOUT',
      'route53-recovery-cluster:GetRoutingControlState arc',
      'route53-recovery-cluster:UpdateRoutingControlStates arc',
      // (the retries' jitter above drew from the seeded Math.random: this read starts at us-east-1's endpoint too)
      'route53-recovery-cluster:GetRoutingControlState arc !ETIMEDOUT',
      'route53-recovery-cluster:GetRoutingControlState arc ×2',
      journal,
      // M6: the fence tries the failed Region once per writer service and goes on.
      'ecs:UpdateService us-east-1 !ETIMEDOUT ×2',
      journal,
      ...A,
      ...A,
      'rds:FailoverGlobalCluster us-west-2',
      journal,
      ...A,
      ...A,
      'rds:FailoverGlobalCluster us-west-2',
      journal,
      ...[1, 2, 3, 4, 5, 6].flatMap(() => A),
      journal,
      ...A,
      journal,
      ...A,
      ...A,
      's3:PutObject us-west-2 ×7',
    ]);
    expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
    expect(effectiveMutations(run.calls).filter((m) => !m.startsWith('Update'))).toEqual(failoverTo(WEST));
    expect(world.state()).toEqual({
      writers: { 'shop-dev-catalog-global': WEST, 'shop-dev-orders-global': WEST },
      routing: { [EAST]: 'Off', [WEST]: 'On' },
      writerServices: { 'us-east-1/catalog': 2, 'us-east-1/orders': 2, 'us-west-2/catalog': 2, 'us-west-2/orders': 2 },
      temporary: [],
      copies: [],
    });
    // Traffic moves before any writer: the first successful UpdateRoutingControlStates precedes FailoverGlobalCluster.
    expect(figureAt(run, 'UpdateRoutingControlStates')!.calls).toBeLessThan(
      figureAt(run, 'FailoverGlobalCluster')!.calls,
    );
  });

  test.each(SUCCEEDING_SCENARIOS.filter((s) => s.orchestration === failover).map((s) => [s.name, s] as const))(
    '%s: succeeds, no control-plane call, writers and traffic in the target',
    async (_name, scenario) => {
      world = awsWorld(scenario.world);
      await scenario.setup(world);
      const run = await world.run(scenario.orchestration, scenario.runIn, scenario.input);
      expect(run.result.error?.message).toBeUndefined();
      expect(run.result.status).toBe('succeeded');
      expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
      const target = scenario.input.targetRegion as string;
      const failed = scenario.input.failedRegion as string;
      expect(world.state()).toMatchObject({
        writers: { 'shop-dev-catalog-global': target, 'shop-dev-orders-global': target },
        routing: { [failed]: 'Off', [target]: 'On' },
      });
      // Every call that reached the failed Region is the best-effort fence, or the read of its peak (issue 17:
      // CloudWatch GetMetricData, retried within the peak budget, reads only).
      expect(
        run.calls
          .filter(
            (c) => c.region === failed && c.service !== 'route53-recovery-cluster' && c.operation !== 'GetMetricData',
          )
          .map((c) => c.operation),
      ).toEqual(['UpdateService', 'UpdateService']);
      expect(run.calls.filter((c) => c.region === failed && c.operation === 'GetMetricData').length).toBeGreaterThan(0);
      expect(effectiveMutations(run.calls).filter((m) => m.startsWith('Failover'))).toEqual(failoverTo(target));
    },
  );

  test('GIVEN us-east-1 half alive WHEN failover THEN its writer services are fenced to 0 and the others keep running', async () => {
    world = awsWorld();
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.status).toBe('succeeded');
    expect(world.state().writerServices).toEqual({
      'us-east-1/catalog': 0,
      'us-east-1/orders': 0,
      'us-west-2/catalog': 2,
      'us-west-2/orders': 2,
    });
    expect(world.model.ecs.service(EAST, world.shop.ecsCluster, 'ui')?.desiredCount).toBe(2);
  });

  test('GIVEN the writer in us-west-2 and us-west-2 down (ARC control plane with it) WHEN failover back to us-east-1 runs in us-east-1 THEN it succeeds without us-west-2', async () => {
    world = awsWorld();
    await switchedToWest(world);
    world.model.regionDown(WEST);
    const run = await world.run(failover, EAST, { targetRegion: EAST, failedRegion: WEST });
    expect(run.result.status).toBe('succeeded');
    expect(run.calls.filter((c) => c.region === WEST && c.outcome === 'ok')).toEqual([]);
    expect(world.state().writers).toEqual({ 'shop-dev-catalog-global': EAST, 'shop-dev-orders-global': EAST });
  });

  test('GIVEN throttling on the calls of the critical path WHEN failover THEN the adapters retry and it succeeds with the same changes', async () => {
    world = awsWorld();
    world.model.regionDown(EAST);
    world.model.faults
      .throttle({ operation: 'GetParameter' }, 1)
      .throttle({ operation: 'DescribeGlobalClusters' }, 2)
      .throttle({ operation: 'UpdateRoutingControlStates' }, 1)
      .throttle({ operation: 'FailoverGlobalCluster' }, 1)
      .throttle({ operation: 'PutObject' }, 1);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.status).toBe('succeeded');
    expect(world.model.faults.pending()).toBe(0);
    expect(
      run.calls.filter((c) => c.outcome === 'ThrottlingException' || c.outcome === 'SlowDown').map((c) => c.operation),
    ).toEqual([
      'DescribeGlobalClusters',
      'DescribeGlobalClusters',
      'PutObject',
      'GetParameter',
      'UpdateRoutingControlStates',
      'FailoverGlobalCluster',
    ]);
    expect(effectiveMutations(run.calls).filter((m) => m.startsWith('Failover'))).toEqual(failoverTo(WEST));
    expect(world.state().routing).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('GIVEN the ARC parameter missing in the runbook Region WHEN failover THEN it stops at shift-traffic without touching a writer or the control plane', async () => {
    world = awsWorld({ seed: { writeArcParameter: false } });
    world.model.regionDown(EAST);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result).toMatchObject({ status: 'failed', error: { step: 'shift-traffic', retriable: false } });
    expect(run.result.error?.message).toContain('the parameter does not exist');
    expect(effectiveMutations(run.calls)).toEqual([]);
    expect(world.model.calls.controlPlaneCalls(run.calls)).toEqual([]);
  });

  test('m4: GIVEN the old primary unlisted and the global status not available while us-east-1 is down (both unverified) WHEN failover THEN verify-writers still succeeds on the writer itself', async () => {
    world = awsWorld({ behaviours: { oldPrimaryListedWhileDown: false, globalStatusUntilRejoined: 'modifying' } });
    world.model.regionDown(EAST);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    expect(run.result.steps.find((s) => s.step === 'verify-writers')?.status).toBe('succeeded');
    expect(world.state().writers).toEqual({ 'shop-dev-catalog-global': WEST, 'shop-dev-orders-global': WEST });
  });

  /** Aurora cancels the orders move right after accepting it (the model's stand-in for whatever makes it cancel). */
  function cancelOrdersMove(w: AwsWorld): void {
    let done = false;
    const original = w.model.rds.failoverGlobalCluster.bind(w.model.rds);
    w.model.rds.failoverGlobalCluster = (input, ctx) => {
      const answer = original(input, ctx);
      if (input.GlobalClusterIdentifier === 'shop-dev-orders-global' && !done) {
        done = true;
        w.model.rds.cancelMove('shop-dev-orders-global');
      }
      return answer;
    };
  }

  test('m3: GIVEN Aurora cancelling the orders failover (FailoverState cancelling) WHEN the run waits THEN it fails for good at once', async () => {
    world = awsWorld({ timings: { cancelSeconds: 600 } });
    world.model.regionDown(EAST);
    cancelOrdersMove(world);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result).toMatchObject({
      status: 'failed',
      error: { step: 'wait-for-orders-failover', retriable: false },
    });
    expect(run.result.error?.message).toContain('FailoverState cancelling');
    expect(run.elapsedMs / 1000).toBeLessThan(120);
  });

  // Once Aurora has FINISHED cancelling (FailoverState gone, the writer still in us-east-1) before the wait looks, the
  // wait must not take it for a move still to come: it fails for good after a grace period, so a new run asks again.
  test('GIVEN the orders failover already cancelled when the wait first looks WHEN the run waits THEN it stops at once (not after 30 min)', async () => {
    world = awsWorld({ timings: { cancelSeconds: 20 } });
    world.model.regionDown(EAST);
    cancelOrdersMove(world);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.status).toBe('failed');
    expect(run.result.error).toMatchObject({ step: 'wait-for-orders-failover', retriable: false });
    expect(run.result.error?.message).toContain('Aurora cancelled or refused it');
    expect(run.elapsedMs / 1000).toBeLessThan(300);
  });
});
