import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { createLocalPorts } from '../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { RetriableError } from '../../../runbooks/core/errors';
import { createStepHandler } from '../../../runbooks/lambda/step-handler';
import { failover } from '../../../runbooks/orchestrations';
import type { RunbookPorts } from '../../../runbooks/ports';
import type { Topology } from '../../../runbooks/topology';
import { overridePort } from '../ssm/port-override';

function setup(region = 'us-west-2', timings = {}, wrap: (ports: RunbookPorts) => RunbookPorts = (p) => p) {
  const topology = demoTopology();
  const clock = new ManualClock();
  const local = createLocalPorts({ topology, clock, timings });
  const log: string[] = [];
  const handler = createStepHandler({
    environment: { RUNBOOK_TOPOLOGY: JSON.stringify(topology), RUNBOOK_BUCKET: 'bucket', AWS_REGION: region },
    clock,
    portsFor: () => wrap(local.ports),
    log: (line) => log.push(line),
    stepRetryDelayMs: 1,
  });
  return { handler, local, clock, log, topology };
}

/** The event an SSM invoke step sends (every parameter a string, unused optional ones empty). */
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

/** The failover steps before `step`. */
const stepsBefore = (topology: Topology, step: string) => {
  const steps = failover.steps(topology);
  return steps.slice(
    0,
    steps.findIndex((s) => s.name === step),
  );
};

/** A Lambda context with this much time left. */
const context = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

/** Every describe of a global database fails as an API that does not answer. */
const describeDown = (ports: RunbookPorts): RunbookPorts => ({
  ...ports,
  globalDatabase: overridePort(ports.globalDatabase, {
    describe: async () => {
      throw new RetriableError('RDS DescribeGlobalClusters in us-west-2: socket hang up');
    },
  }),
});

describe('step handler', () => {
  test('running the steps one invocation each (as the SSM loops do) completes the failover and returns the report link', async () => {
    // GIVEN the primary Region is down
    const { handler, local, topology } = setup();
    local.world.regionDown('us-east-1');
    // WHEN every step is invoked once, in order
    const results = [];
    for (const step of failover.steps(topology)) {
      results.push(await handler(event(step.name, { attempt: 1, maxAttempts: '3' }), context(280_000)));
    }
    // THEN each succeeded, none asks to be invoked again, and the last carries the report folder
    expect(results.map((r) => [r.Step, r.Status, r.Retry])).toEqual(
      failover.steps(topology).map((s) => [s.name, 'succeeded', false]),
    );
    // (the orders failover finished while the catalog wait polled)
    expect(results.find((r) => r.Step === 'wait-for-orders-failover')!.Detail).toMatch(/^already done: /);
    expect(results.at(-1)).toMatchObject({
      Step: 'store-summary',
      ExecutionId: 'a1b2c3d4-0000-4000-8000-000000000001',
      ReportUrl: 'memory://runs/failover/a1b2c3d4-0000-4000-8000-000000000001/',
    });
    expect((await local.journal.load('failover', 'a1b2c3d4-0000-4000-8000-000000000001'))?.status).toBe('succeeded');
  });

  test('a dry run plans the whole orchestration in one invocation, changes nothing and succeeds', async () => {
    const { handler, local } = setup();
    const before = local.world.snapshot();
    const result = await handler(event(undefined, { dryRun: 'true', reason: '' }));
    expect(result).toMatchObject({ Step: 'plan', Status: 'succeeded', Retry: false });
    // The plan lists the scale-up (issue 17) before the traffic shift.
    const lines = result.Detail.split('\n');
    const scaleUp = lines.findIndex((l) => l.startsWith('scale-to-peak: '));
    expect(scaleUp).toBeGreaterThan(0);
    expect(scaleUp).toBeLessThan(lines.findIndex((l) => l.startsWith('shift-traffic: ')));
    expect(lines.find((l) => l.startsWith('shift-traffic: '))).toBe(
      'shift-traffic: UpdateRoutingControlStates: us-west-2 On, us-east-1 Off (one request, so the safety rule never sees both Regions off) | pending: routing controls are us-west-2 Off, us-east-1 On',
    );
    expect(local.world.snapshot()).toEqual(before);
  });

  test('a step that fails for good returns Status failed and Retry false with the step error; it does not throw', async () => {
    const { handler } = setup();
    await expect(handler(event('shift-traffic', { attempt: 1, maxAttempts: '3' }))).resolves.toMatchObject({
      Status: 'failed',
      Retry: false,
      Step: 'shift-traffic',
      Detail:
        'step shift-traffic cannot run: the earlier step validate-input has not run in execution a1b2c3d4-0000-4000-8000-000000000001; steps run in order',
    });
  });

  test('a change must run in the Region that takes over', async () => {
    const { handler } = setup('us-east-1');
    await expect(handler(event('validate-input'))).resolves.toEqual({
      Status: 'failed',
      Retry: false,
      Orchestration: 'failover',
      Step: 'validate-input',
      ExecutionId: 'a1b2c3d4-0000-4000-8000-000000000001',
      Detail:
        'targetRegion: us-west-2, but this runbook runs in us-east-1; start the automation in us-west-2 (the runbook runs from the Region that takes over)',
    });
  });

  test('a wait still waiting when the invocation ends is pending and asks to be invoked again while invocations remain', async () => {
    // GIVEN a failover that takes an hour
    const { handler, topology } = setup('us-west-2', { failoverMs: 3600_000 });
    for (const step of stepsBefore(topology, 'wait-for-catalog-failover')) await handler(event(step.name));
    // WHEN the wait is invoked the first time (290 s left: it works until 20 s before the end)
    const first = await handler(event('wait-for-catalog-failover', { attempt: 1, maxAttempts: '8' }), context(290_000));
    // THEN
    expect(first).toMatchObject({ Status: 'pending', Retry: true, Attempt: 1, MaxAttempts: 8 });
    expect(first.Detail).toMatch(
      /^the failover of global cluster "shop-dev-catalog" to us-west-2 did not finish before the end of this invocation \(waited 4 min 30 s\)/,
    );
    // WHEN the loop's last iteration ends with the failover still running
    const last = await handler(event('wait-for-catalog-failover', { attempt: 8, maxAttempts: '8' }), context(290_000));
    // THEN it is still pending, but the loop stops: the branch after it ends the execution as Failed
    expect(last).toMatchObject({ Status: 'pending', Retry: false });
    expect(last.Detail).toMatch(/; no invocation left \(8 of 8\): the wait's time is up$/);
  });

  test('a wait invoked again resumes and succeeds once the operation finished', async () => {
    const { handler, topology, clock } = setup('us-west-2', { failoverMs: 400_000 });
    for (const step of stepsBefore(topology, 'wait-for-catalog-failover')) await handler(event(step.name));
    const first = await handler(event('wait-for-catalog-failover', { attempt: 1, maxAttempts: '8' }), context(290_000));
    clock.advance(10_000);
    const second = await handler(
      event('wait-for-catalog-failover', { attempt: 2, maxAttempts: '8' }),
      context(290_000),
    );
    expect([first.Status, second.Status, second.Retry]).toEqual(['pending', 'succeeded', false]);
  });

  test.each([
    ['1', '3', true],
    [2, '3', true],
    ['3', '3', false],
    [undefined, undefined, true],
  ])('a retriable failure at attempt %j of %j asks for another invocation: %j', async (attempt, maxAttempts, retry) => {
    // GIVEN RDS does not answer
    const { handler } = setup('us-west-2', {}, describeDown);
    // WHEN
    const result = await handler(
      event('validate-input', {
        ...(attempt === undefined ? {} : { attempt }),
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
      }),
    );
    // THEN
    expect(result).toMatchObject({ Status: 'failed', Retry: retry });
    expect(result.Detail).toContain('RDS DescribeGlobalClusters in us-west-2: socket hang up');
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
  ])('an invalid event %j returns Status failed with the message (no thrown stack)', async (override, message) => {
    const { handler } = setup();
    const e: Record<string, unknown> = { ...event('validate-input'), ...override };
    if ('step' in override && override.step === undefined) delete e.step;
    const result = await handler(e);
    expect(result).toMatchObject({ Status: 'failed', Retry: false });
    expect(result.Detail).toMatch(message);
  });

  test.each([['{{ validate_input.CurrentIteration }}'], ['first'], [0]])(
    'an attempt that is not a whole number (%j) is ignored, not refused: the step runs',
    async (attempt) => {
      const { handler } = setup();
      const result = await handler(event('validate-input', { attempt, maxAttempts: '3' }));
      expect(result).toMatchObject({ Status: 'succeeded', Retry: false, MaxAttempts: 3 });
      expect(result).not.toHaveProperty('Attempt');
    },
  );

  test('a missing environment variable says the stack sets it', async () => {
    const handler = createStepHandler({ environment: { AWS_REGION: 'us-west-2' }, clock: new ManualClock() });
    await expect(handler(event('validate-input'))).resolves.toMatchObject({
      Status: 'failed',
      Retry: false,
      Detail: 'environment variable RUNBOOK_TOPOLOGY is not set; the runbook stack sets it',
    });
  });
});
