import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { createLocalPorts } from '../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { createStepHandler } from '../../../runbooks/lambda/step-handler';
import { failover } from '../../../runbooks/orchestrations';

function setup(region = 'us-west-2', timings = {}) {
  const topology = demoTopology();
  const clock = new ManualClock();
  const local = createLocalPorts({ topology, clock, timings });
  const log: string[] = [];
  const handler = createStepHandler({
    environment: { RUNBOOK_TOPOLOGY: JSON.stringify(topology), RUNBOOK_BUCKET: 'bucket', AWS_REGION: region },
    clock,
    portsFor: () => local.ports,
    log: (line) => log.push(line),
  });
  return { handler, local, clock, log, topology };
}

/** The event an SSM step sends (every parameter a string, unused optional ones empty). */
const event = (step: string | undefined, extra: Record<string, unknown> = {}) => ({
  orchestration: 'failover',
  ...(step ? { step } : {}),
  executionId: 'a1b2c3d4-0000-4000-8000-000000000001',
  resumeExecutionId: '',
  dryRun: 'false',
  reason: 'us-east-1 is down',
  targetRegion: 'us-west-2',
  failedRegion: '',
  ...extra,
});

describe('step handler', () => {
  test('running the steps one invocation each (as SSM does) completes the failover and returns the report link', async () => {
    const { handler, local, topology } = setup();
    local.world.regionDown('us-east-1');
    const results = [];
    for (const step of failover.steps(topology)) {
      results.push(await handler(event(step.name), { getRemainingTimeInMillis: () => 280_000 }));
    }
    expect(results.map((r) => [r.step, r.status])).toEqual([
      ['validate-input', 'succeeded'],
      ['shift-traffic', 'succeeded'],
      ['failover-catalog-database', 'succeeded'],
      ['failover-orders-database', 'succeeded'],
      ['wait-for-catalog-failover', 'succeeded'],
      ['wait-for-orders-failover', 'already-done'],
      ['verify-writers', 'succeeded'],
      ['store-summary', 'succeeded'],
    ]);
    expect(results[7]).toMatchObject({
      executionId: 'a1b2c3d4-0000-4000-8000-000000000001',
      reportUrl: 'memory://runs/failover/a1b2c3d4-0000-4000-8000-000000000001/',
    });
    expect((await local.journal.load('failover', 'a1b2c3d4-0000-4000-8000-000000000001'))?.status).toBe('succeeded');
  });

  test('a dry run plans the whole orchestration in one invocation and changes nothing', async () => {
    const { handler, local } = setup();
    const before = local.world.snapshot();
    const result = await handler(event(undefined, { dryRun: 'true', reason: '' }));
    expect(result).toMatchObject({ step: 'plan', status: 'planned' });
    expect(result.detail.split('\n')[1]).toBe(
      'shift-traffic: UpdateRoutingControlStates: us-west-2 On, us-east-1 Off (one request, so the safety rule never sees both Regions off) | pending: routing controls are us-west-2 Off, us-east-1 On',
    );
    expect(local.world.snapshot()).toEqual(before);
  });

  test('a failed step throws (so the SSM step fails) with the step error', async () => {
    const { handler } = setup();
    await expect(handler(event('shift-traffic'))).rejects.toThrow(
      'step shift-traffic cannot run: the earlier step validate-input has not run in execution a1b2c3d4-0000-4000-8000-000000000001; steps run in order',
    );
  });

  test('a change must run in the Region that takes over', async () => {
    const { handler } = setup('us-east-1');
    await expect(handler(event('validate-input'))).rejects.toThrow(
      'targetRegion: us-west-2, but this runbook runs in us-east-1; start the automation in us-west-2 (the runbook runs from the Region that takes over)',
    );
  });

  test('a wait stops before the invocation ends and says so (SSM then retries the step)', async () => {
    const { handler, topology } = setup('us-west-2', { failoverMs: 3600_000 });
    for (const step of failover.steps(topology).slice(0, 4)) await handler(event(step.name));
    await expect(
      handler(event('wait-for-catalog-failover'), { getRemainingTimeInMillis: () => 290_000 }),
    ).rejects.toThrow(
      /^the failover of global cluster "shop-dev-catalog" to us-west-2 did not finish before the end of this invocation \(waited 4 min 30 s\)/,
    );
  });

  test.each([
    [
      { orchestration: 'panic' },
      /^invalid event: orchestration: Invalid option: expected one of "readiness"\|"failover"\|"switchover"\|"failback"\|"recover"/,
    ],
    [{ dryRun: 'maybe' }, /^invalid event: dryRun: /],
    [
      { targetRegion: 'eu-west-1' },
      /^targetRegion: "eu-west-1" is not a Region of this topology; accepted: us-east-1 or us-west-2$/,
    ],
    [{ step: undefined }, /^step: required unless dryRun is true$/],
  ])('rejects the event %j', async (override, message) => {
    const { handler } = setup();
    const e: Record<string, unknown> = { ...event('validate-input'), ...override };
    if ('step' in override && override.step === undefined) delete e.step;
    await expect(handler(e)).rejects.toThrow(message);
  });

  test('a missing environment variable says the stack sets it', async () => {
    const handler = createStepHandler({ environment: { AWS_REGION: 'us-west-2' }, clock: new ManualClock() });
    await expect(handler(event('validate-input'))).rejects.toThrow(
      'environment variable RUNBOOK_TOPOLOGY is not set; the runbook stack sets it',
    );
  });
});
