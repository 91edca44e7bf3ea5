import { failback, failover, initializeRouting, switchover } from '../../../runbooks/orchestrations';
import type { Topology } from '../../../runbooks/topology';
import { addShopPlan, inRegionSwitchMode, SHOP_PLAN_ARN, type ShopPlan } from '../aws-model/shop-plan';
import { type AwsWorld, EAST, awsWorld as newWorld, type TimerDriver, WEST } from './aws-world';
import { fakeTimers } from './jest-timers';

// Issue 18: routing mode region-switch. The runbooks run the ARC Region switch plan through the data plane of the
// Region being activated; the plan (modelled with the blocks stacks/routing/region-switch-plan.ts synthesizes) moves
// the writers on the same RDS model and the DNS. Nothing calls ARC routing controls or any control plane.

let world: AwsWorld | undefined;
let timers: TimerDriver;
let plan: ShopPlan;
beforeEach(() => {
  timers = fakeTimers();
});
afterEach(() => {
  world?.dispose();
  world = undefined;
  jest.useRealTimers();
});

const regionSwitchWorld = (): AwsWorld => {
  const w = newWorld({ timers, topology: (seeded: Topology) => inRegionSwitchMode(seeded) });
  plan = addShopPlan(w.model, w.shop, w.shop.topology(EAST));
  return w;
};
const BOTH = ['shop-dev-catalog-global', 'shop-dev-orders-global'];
const writersIn = (region: string) => Object.fromEntries(BOTH.map((g) => [g, region]));
/** Every call to an ARC service other than Region switch's data plane: routing controls, clusters, control planes. */
const arcCalls = (calls: Awaited<ReturnType<AwsWorld['run']>>['calls']) =>
  calls.filter((c) => c.service.startsWith('route53-recovery')).map((c) => `${c.service} ${c.operation}`);
const starts = (calls: Awaited<ReturnType<AwsWorld['run']>>['calls']) =>
  calls
    .filter((c) => c.operation === 'StartPlanExecution')
    .map((c) => `${c.region} ${String(c.input.targetRegion)} ${String(c.input.mode)} ${c.outcome}`);
const planDetail = (run: Awaited<ReturnType<AwsWorld['run']>>) =>
  run.result.steps.find((s) => s.step === 'run-region-switch-plan')?.detail ?? '';

describe('GIVEN routing mode region-switch on the AWS model', () => {
  test('WHEN us-east-1 is down and failover runs in us-west-2 THEN the plan runs ungraceful in us-west-2, fails the writers over and moves DNS; the runbook calls no ARC routing control nor control plane', async () => {
    world = regionSwitchWorld();
    world.model.regionDown(EAST);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.error?.message).toBeUndefined();
    expect(starts(run.calls)).toEqual([`${WEST} ${WEST} ungraceful ok`]);
    expect(arcCalls(run.calls)).toEqual([]);
    // The plan moved the writers: the runbook's own failover steps found them moved and sent no FailoverGlobalCluster.
    expect(run.calls.filter((c) => c.operation === 'FailoverGlobalCluster')).toEqual([]);
    expect(world.state().writers).toEqual(writersIn(WEST));
    expect(plan.dnsActive()).toBe(WEST);
    // The summary holds the execution, step by step; the recover block is skipped when ungraceful (AWS requires it).
    expect(planDetail(run)).toMatch(
      /^Region switch execution exec-\d+: activate us-west-2, ungraceful, completed; called in us-west-2/,
    );
    expect(planDetail(run)).toMatch(/switch-orders: completed/);
    expect(planDetail(run)).toMatch(/start-recover: skipped/);
    // Scale-up happened before the plan (traffic moves last).
    const names = run.result.steps.map((s) => s.step);
    expect(names.indexOf('wait-for-peak-capacity')).toBeLessThan(names.indexOf('run-region-switch-plan'));
    expect(names).not.toContain('shift-traffic');
  });

  test('WHEN switchover to us-west-2 runs THEN the plan runs graceful (Aurora switchover, no data loss) and the writers and DNS move', async () => {
    world = regionSwitchWorld();
    const run = await world.run(switchover, WEST, { targetRegion: WEST });
    expect(run.result.error?.message).toBeUndefined();
    expect(starts(run.calls)).toEqual([`${WEST} ${WEST} graceful ok`]);
    expect(arcCalls(run.calls)).toEqual([]);
    expect(run.calls.filter((c) => c.operation === 'SwitchoverGlobalCluster')).toEqual([]);
    expect(world.state().writers).toEqual(writersIn(WEST));
    expect(plan.dnsActive()).toBe(WEST);
    expect(planDetail(run)).toMatch(/activate us-west-2, graceful, completed/);
  });

  test('WHEN failback runs after an unplanned failover and the rejoin THEN the plan activates us-east-1 graceful and everything is back', async () => {
    world = regionSwitchWorld();
    world.model.regionDown(EAST);
    const down = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(down.result.error?.message).toBeUndefined();
    world.advance(1800);
    world.model.regionUp(EAST);
    world.advance(world.model.timings.failoverSnapshotSeconds + world.model.timings.resyncSeconds);
    const back = await world.run(failback, EAST, {
      targetRegion: EAST,
      overrides: ['healthy-long-enough', 'canaries-green'],
    });
    expect(back.result.error?.message).toBeUndefined();
    expect(starts(back.calls)).toEqual([`${EAST} ${EAST} graceful ok`]);
    expect(world.state().writers).toEqual(writersIn(EAST));
    expect(plan.dnsActive()).toBe(EAST);
  });

  test('WHEN an Aurora block of the plan fails THEN the failover fails naming the block and its error, and does not go on as if traffic had moved', async () => {
    world = regionSwitchWorld();
    world.model.regionSwitch.failStep('switch-orders', 'FailoverGlobalCluster: InvalidGlobalClusterStateFault');
    world.model.regionDown(EAST);
    const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
    expect(run.result.status).toBe('failed');
    expect(run.result.error?.step).toBe('run-region-switch-plan');
    expect(run.result.error?.message).toMatch(/switch-orders/);
    expect(run.result.error?.message).toMatch(/InvalidGlobalClusterStateFault/);
    expect(run.result.steps.filter((s) => s.status !== 'not-run').map((s) => s.step)).not.toContain('verify-writers');
    expect(plan.dnsActive()).toBe(EAST);
  });

  test('WHEN an execution for the same move is already running THEN the runbook follows it instead of starting another', async () => {
    world = regionSwitchWorld();
    await world.model
      .regionSwitchApi(WEST)
      .startPlanExecution({ planArn: SHOP_PLAN_ARN, targetRegion: WEST, action: 'activate', mode: 'graceful' });
    const run = await world.run(switchover, WEST, { targetRegion: WEST });
    expect(run.result.error?.message).toBeUndefined();
    expect(starts(run.calls)).toEqual([]);
    expect(planDetail(run)).toMatch(/already running: followed, not started again/);
    expect(world.state().writers).toEqual(writersIn(WEST));
  });

  test('WHEN an execution towards the other Region is running THEN the move is refused naming it, and nothing is started', async () => {
    world = regionSwitchWorld();
    world.model.regionSwitch.failStep('switch-catalog', 'held for the test');
    await world.model
      .regionSwitchApi(EAST)
      .startPlanExecution({ planArn: SHOP_PLAN_ARN, targetRegion: EAST, action: 'activate', mode: 'graceful' });
    world.advance(30);
    const run = await world.run(switchover, WEST, { targetRegion: WEST });
    expect(run.result.status).toBe('failed');
    expect(run.result.error?.message).toMatch(/exec-\d+/);
    expect(starts(run.calls)).toEqual([]);
    expect(world.state().writers).toEqual(writersIn(EAST));
  });

  test('WHEN initialize-routing runs THEN it says there are no routing controls and changes nothing', async () => {
    world = regionSwitchWorld();
    const run = await world.run(initializeRouting, EAST, {});
    expect(run.result.error?.message).toBeUndefined();
    expect(run.result.steps.at(-1)?.detail).toMatch(/routing mode region-switch: no ARC routing controls/);
    expect(arcCalls(run.calls)).toEqual([]);
  });
});
