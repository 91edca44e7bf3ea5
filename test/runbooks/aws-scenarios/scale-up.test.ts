import { failback, failover, switchover } from '../../../runbooks/orchestrations';
import { READINESS_LATEST_KEY } from '../../../runbooks/readiness/readiness-record';
import type { ModelCall } from '../aws-model/call-log';
import { recordWithPeak } from '../support/readiness-record-fixture';
import { rejoinedEast } from './aws-scenarios';
import {
  type AwsWorld,
  type AwsWorldOptions,
  EAST,
  effectiveMutations,
  figureAt,
  awsWorld as newWorld,
  type TimerDriver,
  WEST,
  type WorldRun,
} from './aws-world';
import { fakeTimers } from './jest-timers';

// Issue 17 on the AWS model, with the real adapters: "failover and switchover raise the target Region's service
// counts to a configured share (default 100 %) of the failed Region's 24-hour peak, in parallel, with a timeout,
// before traffic shifts (unplanned: without waiting longer than the configured budget); failback restores the
// counts", and the failback readiness refuses "with each unmet condition named … unless explicitly overridden".
// RegisterScalableTarget: "To update a scalable target, specify the parameters that you want to change" and
// "scaling policies will not scale capacity to values that are outside of the minimum and maximum range"
// (Application Auto Scaling API Reference, RegisterScalableTarget).

let world: AwsWorld | undefined;
let timers: TimerDriver;
beforeEach(() => {
  timers = fakeTimers();
});
afterEach(() => {
  world?.dispose();
  jest.useRealTimers();
});
const awsWorld = (options: AwsWorldOptions = {}) => newWorld({ ...options, timers });

const SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'] as const;

/** Container Insights `RunningTaskCount` of each service of `region`, as recorded `hoursAgo` (the day's peak). */
function recordPeak(w: AwsWorld, region: string, tasks: Partial<Record<(typeof SERVICES)[number], number>>) {
  const at = new Date(w.clock.now().getTime() - 3 * 3_600_000);
  for (const [service, value] of Object.entries(tasks)) {
    w.model.cloudWatch.record(
      region,
      'ECS/ContainerInsights',
      'RunningTaskCount',
      { ClusterName: w.shop.ecsCluster, ServiceName: service },
      at,
      value,
    );
  }
}

/** The effective RegisterScalableTarget and UpdateService calls, as `Operation Region service value`. */
function capacityChanges(calls: readonly ModelCall[]): string[] {
  return effectiveMutations(calls)
    .filter((m) => m.startsWith('RegisterScalableTarget') || m.startsWith('UpdateService'))
    .map((m) => {
      const [operation, region, ...json] = m.split(' ');
      const input = JSON.parse(json.join(' ')) as Record<string, unknown>;
      return operation === 'RegisterScalableTarget'
        ? `${operation} ${region} ${String(input.ResourceId).split('/')[2]} MinCapacity ${input.MinCapacity}`
        : `${operation} ${region} ${input.service} desiredCount ${input.desiredCount}`;
    });
}

/** Index of the first successful call of `operation`. */
const firstOk = (run: WorldRun, operation: string) =>
  run.calls.findIndex((c) => c.operation === operation && c.outcome === 'ok');

const detailOf = (run: WorldRun, step: string) => run.result.steps.find((s) => s.step === step)?.detail;

/** A readiness-record@1 as us-west-2's scheduled readiness wrote it, with us-east-1's peak. */
function peakRecord(measuredAt: Date, tasks: Record<string, number>): string {
  return JSON.stringify(
    recordWithPeak({ region: WEST, otherRegion: EAST, measuredAt: measuredAt.toISOString(), tasks }),
  );
}

describe('failover on the AWS model: us-west-2 scaled to the peak of us-east-1 before the traffic moves', () => {
  test('GIVEN us-east-1 half alive with a 24-hour peak of 6 tasks per service (14 for carts, above its maximum 10) WHEN failover runs in us-west-2 THEN every service is raised (MinCapacity, then desiredCount) to 6, carts to 10, and runs it before UpdateRoutingControlStates', async () => {
    world = awsWorld();
    recordPeak(world, EAST, { ui: 6, catalog: 6, carts: 14, orders: 6, checkout: 6 });
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    const target = (s: string) => (s === 'carts' ? 10 : 6);
    const changes = capacityChanges(run.calls);
    expect(changes.slice(0, 10)).toEqual([
      ...SERVICES.map((s) => `RegisterScalableTarget ${WEST} ${s} MinCapacity ${target(s)}`),
      ...SERVICES.map((s) => `UpdateService ${WEST} ${s} desiredCount ${target(s)}`),
    ]);
    // every change of us-west-2's capacity, and the wait until it runs, precede the traffic shift
    const traffic = firstOk(run, 'UpdateRoutingControlStates');
    const lastScale = run.calls.findLastIndex((c) => c.region === WEST && c.operation === 'UpdateService');
    expect(lastScale).toBeLessThan(traffic);
    expect(run.steps['wait-for-peak-capacity']!.calls).toBeLessThan(traffic + 1);
    expect(detailOf(run, 'wait-for-peak-capacity')).toBe(
      'running/target: ui 6/6, catalog 6/6, carts 10/10, orders 6/6, checkout 6/6',
    );
    expect(detailOf(run, 'scale-to-peak')).toContain(
      'carts 10 (capped at its maximum; 14 wanted): minimum 2 → 10, desired 2 → 10',
    );
    for (const s of SERVICES) {
      expect(world.model.ecs.service(WEST, world.shop.ecsCluster, s)).toMatchObject({
        minCapacity: target(s),
        maxCapacity: 10,
        desiredCount: target(s),
        runningCount: target(s),
      });
    }
  });

  test("GIVEN us-east-1 down and us-west-2's readiness record holding its peak WHEN failover THEN us-west-2 is raised to the recorded peak, its source and age said", async () => {
    world = awsWorld();
    world.model.s3.putObject(
      {
        Bucket: world.shop.buckets[WEST],
        Key: READINESS_LATEST_KEY,
        Body: peakRecord(new Date(world.clock.now().getTime() - 20 * 60_000), {
          ui: 5,
          catalog: 4,
          carts: 5,
          orders: 4,
          checkout: 3,
        }),
      },
      WEST,
    );
    world.model.regionDown(EAST);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    expect(detailOf(run, 'scale-to-peak')).toMatch(
      new RegExp(
        `^peak of ${EAST} over 24 h taken from the readiness record \\(measured 2026-01-27T09:40:00.000Z, 20 min old\\) for ui, catalog, carts, orders, checkout; `,
      ),
    );
    expect(run.calls.filter((c) => c.operation === 'GetMetricData' && c.region === EAST).length).toBeGreaterThan(0);
    expect(capacityChanges(run.calls).filter((c) => c.includes(WEST))).toEqual([
      `RegisterScalableTarget ${WEST} ui MinCapacity 5`,
      `RegisterScalableTarget ${WEST} catalog MinCapacity 4`,
      `RegisterScalableTarget ${WEST} carts MinCapacity 5`,
      `RegisterScalableTarget ${WEST} orders MinCapacity 4`,
      `RegisterScalableTarget ${WEST} checkout MinCapacity 3`,
      `UpdateService ${WEST} ui desiredCount 5`,
      `UpdateService ${WEST} catalog desiredCount 4`,
      `UpdateService ${WEST} carts desiredCount 5`,
      `UpdateService ${WEST} orders desiredCount 4`,
      `UpdateService ${WEST} checkout desiredCount 3`,
    ]);
    expect(firstOk(run, 'RegisterScalableTarget')).toBeLessThan(firstOk(run, 'UpdateRoutingControlStates'));
    expect(world.state().routing).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('GIVEN us-west-2 tasks slower to start than scaleUpBudgetSeconds (10 min) WHEN failover THEN the traffic moves once the 120 s budget is spent, the shortfall named', async () => {
    world = awsWorld({ timings: { ecsScaleSeconds: 600 } });
    recordPeak(world, EAST, { ui: 6, catalog: 6, carts: 6, orders: 6, checkout: 6 });
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    expect(detailOf(run, 'wait-for-peak-capacity')).toMatch(
      new RegExp(
        `^best effort, moving traffic anyway: the scale-up of ${WEST} not reached within 1[12]\\d s; short: ui 2/6, catalog 2/6, carts 2/6, orders 2/6, checkout 2/6$`,
      ),
    );
    const scaled = figureAt(run, 'RegisterScalableTarget')!.seconds;
    const traffic = figureAt(run, 'UpdateRoutingControlStates')!.seconds;
    expect(traffic - scaled).toBeGreaterThanOrEqual(110);
    expect(traffic - scaled).toBeLessThanOrEqual(125);
    expect(world.state().writers).toEqual({ 'shop-dev-catalog-global': WEST, 'shop-dev-orders-global': WEST });
  });
});

describe('switchover on the AWS model: nothing moves until us-west-2 runs the peak', () => {
  test('GIVEN us-west-2 tasks slower to start than scaleUpTimeoutSeconds (15 min) WHEN switchover THEN it fails at wait-for-peak-capacity after 15 min: no SwitchoverGlobalCluster, no routing change', async () => {
    world = awsWorld({ timings: { ecsScaleSeconds: 1200 } });
    recordPeak(world, EAST, { ui: 6, catalog: 6, carts: 6, orders: 6, checkout: 6 });
    const run = await world.run(switchover, WEST, { targetRegion: WEST });
    expect(run.result.status).toBe('failed');
    expect(run.result.error?.step).toBe('wait-for-peak-capacity');
    expect(run.result.error?.message).toMatch(
      new RegExp(
        `^the scale-up of ${WEST} did not finish within 15 min \\(waited 15 min\\); last seen: running/target: ui 2/6, catalog 2/6, carts 2/6, orders 2/6, checkout 2/6\\.`,
      ),
    );
    expect(
      effectiveMutations(run.calls).filter(
        (m) => !m.startsWith('RegisterScalableTarget') && !m.startsWith('UpdateService'),
      ),
    ).toEqual([]);
    expect(world.state()).toMatchObject({
      writers: { 'shop-dev-catalog-global': EAST, 'shop-dev-orders-global': EAST },
      routing: { [EAST]: 'On', [WEST]: 'Off' },
    });
  });
});

describe('failback on the AWS model: readiness, overrides, and the counts restored', () => {
  test('GIVEN us-east-1 rejoined but its local canary in ALARM WHEN failback THEN it refuses naming healthy-long-enough and canaries-green, and nothing changed; WHEN run again with both overridden THEN it goes back and the summary records the overrides', async () => {
    world = awsWorld();
    await rejoinedEast(world);
    const canary = world.shop.canaryAlarms[EAST]![0]!;
    world.model.setAlarm(EAST, canary, 'ALARM');
    const refused = await world.run(failback, EAST, { targetRegion: EAST });
    expect(refused.result.error?.step).toBe('check-failback-readiness');
    expect(refused.result.error?.message).toBe(
      [
        `${EAST} is not ready for a failback; unmet: healthy-long-enough, canaries-green (to go on anyway once judged safe: overrides=healthy-long-enough,canaries-green):`,
        `  - healthy-long-enough: alarm ${canary} is ALARM since ${world.clock.now().toISOString()}`,
        `  - canaries-green: canary alarm ${canary} is ALARM`,
      ].join('\n'),
    );
    expect(effectiveMutations(refused.calls)).toEqual([]);

    const back = await world.run(failback, EAST, {
      targetRegion: EAST,
      overrides: 'healthy-long-enough,canaries-green',
    });
    expect(back.result.error?.message).toBeUndefined();
    expect(world.state().writers).toEqual({ 'shop-dev-catalog-global': EAST, 'shop-dev-orders-global': EAST });
    const summary = JSON.parse(
      world.model.s3.text(world.shop.buckets[EAST]!, `runs/failback/${back.result.executionId}/summary.json`)!,
    );
    expect(summary).toMatchObject({
      overrides: 'healthy-long-enough,canaries-green',
      overridden: 'healthy-long-enough,canaries-green',
    });
    expect(summary.steps['check-failback-readiness'].detail).toContain(
      `OVERRIDDEN canaries-green: canary alarm ${canary} is ALARM`,
    );
  });

  test("GIVEN a failover that scaled us-west-2 to 6 WHEN failback THEN us-east-1 is raised to its share of us-west-2's peak before the switchover, and after the traffic moved both Regions' MinCapacity and us-west-2's desired counts return to the baseline", async () => {
    // The regional stage gives the runbooks the services' deployed minimum as baselineMinimumTasks (2 in the seed).
    // A share of 300 %: us-west-2 to 3 × 2 (us-east-1 runs 2), then us-east-1 to 3 × 6 = 18, capped at its maximum 10.
    // (A peak recorded in the past would hide us-east-1's current count from the readiness gate's capacity check.)
    world = awsWorld({
      topology: (t) => ({
        ...t,
        regions: withBaseline(t.regions, 2),
        readiness: { ...t.readiness, peakSharePercent: 300 },
      }),
    });
    const out = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(out.result.error?.message).toBeUndefined();
    expect(world.model.ecs.service(WEST, world.shop.ecsCluster, 'ui')).toMatchObject({ minCapacity: 6 });
    world.advance(world.model.timings.failoverSnapshotSeconds + world.model.timings.resyncSeconds);
    const run = await world.run(failback, EAST, { targetRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    const switchAt = firstOk(run, 'SwitchoverGlobalCluster');
    const trafficAt = firstOk(run, 'UpdateRoutingControlStates');
    const before = capacityChanges(run.calls.slice(0, switchAt));
    const after = capacityChanges(run.calls.slice(trafficAt));
    // before the switchover: the fenced writers restored, then every service of us-east-1 raised
    expect(before).toEqual([
      `UpdateService ${EAST} catalog desiredCount 2`,
      `UpdateService ${EAST} orders desiredCount 2`,
      ...SERVICES.map((s) => `RegisterScalableTarget ${EAST} ${s} MinCapacity 10`),
      ...SERVICES.map((s) => `UpdateService ${EAST} ${s} desiredCount 10`),
    ]);
    expect(detailOf(run, 'check-failback-capacity')).toBe(
      'capacity-in-place: ui 10/10, catalog 10/10, carts 10/10, orders 10/10, checkout 10/10',
    );
    // after the traffic: the minimums (both Regions), then the desired counts of the Region left
    expect(after.slice(0, 10).sort()).toEqual(
      [EAST, WEST].flatMap((r) => SERVICES.map((s) => `RegisterScalableTarget ${r} ${s} MinCapacity 2`)).sort(),
    );
    expect(after.slice(10).sort()).toEqual(SERVICES.map((s) => `UpdateService ${WEST} ${s} desiredCount 2`).sort());
    for (const s of SERVICES) {
      expect(world.model.ecs.service(EAST, world.shop.ecsCluster, s)).toMatchObject({
        minCapacity: 2,
        desiredCount: 10,
      });
      expect(world.model.ecs.service(WEST, world.shop.ecsCluster, s)).toMatchObject({
        minCapacity: 2,
        desiredCount: 2,
      });
    }
  });
});

/** Every Region of `regions` with `baselineMinimumTasks`. */
function withBaseline<T extends object>(regions: Readonly<Record<string, T>>, baseline: number): Record<string, T> {
  return Object.fromEntries(Object.entries(regions).map(([r, s]) => [r, { ...s, baselineMinimumTasks: baseline }]));
}
