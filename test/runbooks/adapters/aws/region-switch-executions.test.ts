import {
  RegionSwitchExecutionError,
  RegionSwitchExecutions,
  type RegionSwitchRunRequest,
} from '../../../../runbooks/adapters/aws/region-switch-executions';
import { ManualClock } from '../../../../runbooks/adapters/local/manual-clock';
import { NonRetriableError, WaitTimeoutError } from '../../../../runbooks/core/errors';
import { describeExecution } from '../../../../runbooks/orchestrations/region-switch-steps';
import { AwsModel } from '../../aws-model/aws-model';
import type { RegionSwitchModelOptions } from '../../aws-model/region-switch-model';
import { QUICK_RETRY } from './sdk-calls';

const PLAN = 'arn:aws:arc-region-switch::111122223333:plan/shop-dev:abc123';
const EAST = 'us-east-1';
const WEST = 'us-west-2';

/**
 * A plan like the one `routingMode: 'region-switch'` is to generate: scale the target's ECS services, move the Aurora
 * global database (switchover when graceful, failover when ungraceful, same block), a custom Lambda that an
 * ungraceful run skips, then routing. Durations are model choices.
 */
function setup(options: Partial<RegionSwitchModelOptions> = {}) {
  const clock = new ManualClock('2026-12-07T10:00:00.000Z');
  const model = new AwsModel({ clock, regionSwitch: options });
  model.regionSwitch.addPlan({
    arn: PLAN,
    regions: [EAST, WEST],
    workflows: [
      {
        action: 'activate',
        steps: [
          { name: 'scale-ecs', seconds: 60 },
          { name: 'aurora-global', seconds: 120 },
          { name: 'recover-lambda', seconds: 30, ungraceful: 'skip' },
          { name: 'route53-health-checks', seconds: 30 },
        ],
      },
      { action: 'deactivate', steps: [{ name: 'route53-health-checks', seconds: 30 }] },
    ],
  });
  const executions = new RegionSwitchExecutions({
    planArn: PLAN,
    planRegions: [EAST, WEST],
    clock,
    apiFor: (region) => model.regionSwitchApi(region),
    pollIntervalSeconds: 15,
    retry: QUICK_RETRY,
  });
  return { clock, model, executions };
}

const move = (overrides: Partial<RegionSwitchRunRequest> = {}): RegionSwitchRunRequest => ({
  targetRegion: WEST,
  action: 'activate',
  kind: 'planned',
  comment: 'switchover to us-west-2',
  timeoutSeconds: 1800,
  ...overrides,
});

describe('RegionSwitchExecutions against the stateful Region switch model', () => {
  test('GIVEN a planned move WHEN run THEN the plan runs graceful, every step completes, and the summary lists them in order', async () => {
    const { executions, model } = setup();

    const summary = await executions.run(move());

    expect(summary).toMatchObject({ mode: 'graceful', state: 'completed', action: 'activate', adopted: false });
    expect(summary.steps.map((s) => [s.name, s.status])).toEqual([
      ['scale-ecs', 'completed'],
      ['aurora-global', 'completed'],
      ['recover-lambda', 'completed'],
      ['route53-health-checks', 'completed'],
    ]);
    // Steps run in sequence over model time: each starts when the one before ends.
    expect(summary.steps[1]!.startedAt).toEqual(summary.steps[0]!.endedAt);
    expect(summary.steps[0]!.endedAt!.getTime() - summary.steps[0]!.startedAt!.getTime()).toBe(60_000);
    const started = model.calls.of('StartPlanExecution');
    expect(started).toHaveLength(1);
    expect(started[0]!.input).toMatchObject({
      planArn: PLAN,
      targetRegion: WEST,
      action: 'activate',
      mode: 'graceful',
      comment: 'switchover to us-west-2',
    });
    expect(describeExecution(summary)[1]).toBe('  1. scale-ecs: completed (10:00:05 → 10:01:05)');
  });

  test('GIVEN an unplanned failover WHEN run THEN the plan runs ungraceful and the block ungraceful skips is reported skipped', async () => {
    const { executions, model } = setup();

    const summary = await executions.run(move({ kind: 'unplanned', comment: 'us-east-1 down' }));

    expect(model.calls.of('StartPlanExecution')[0]!.input.mode).toBe('ungraceful');
    expect(summary.mode).toBe('ungraceful');
    expect(summary.steps.find((s) => s.name === 'recover-lambda')!.status).toBe('skipped');
    expect(summary.steps.every((s) => s.mode === 'ungraceful')).toBe(true);
    expect(summary.state).toBe('completed');
  });

  test('GIVEN a block that fails WHEN run THEN the error names the step and its error, and the summary says how far it got', async () => {
    const { executions, model } = setup();
    model.regionSwitch.failStep('aurora-global', 'SwitchoverGlobalCluster: InvalidGlobalClusterStateFault');

    const error = await executions.run(move()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RegionSwitchExecutionError);
    expect(error).toBeInstanceOf(NonRetriableError);
    const failure = error as RegionSwitchExecutionError;
    expect(failure.message).toContain(
      'step "aurora-global" failed: SwitchoverGlobalCluster: InvalidGlobalClusterStateFault',
    );
    expect(failure.message).toContain('ended pausedByFailedStep');
    expect(failure.summary.steps.map((s) => s.status)).toEqual(['completed', 'failed', 'notStarted', 'notStarted']);
    expect(model.calls.of('ListPlanExecutionEvents')).toHaveLength(1);
  });

  test('GIVEN a model where a failed block ends the execution (failedStepLeaves: failed) WHEN run THEN the same error names the step', async () => {
    const { executions, model } = setup({ failedStepLeaves: 'failed' });
    model.regionSwitch.failStep('scale-ecs', 'ECS UpdateService: AccessDeniedException');

    await expect(executions.run(move())).rejects.toThrow(
      /ended failed: step "scale-ecs" failed: ECS UpdateService: AccessDeniedException/,
    );
  });

  test('GIVEN the same move already running WHEN run again THEN it is followed, not started a second time', async () => {
    const { executions, model } = setup();
    const first = await executions.start(move());

    const summary = await executions.run(move());

    expect(summary.executionId).toBe(first.executionId);
    expect(summary.adopted).toBe(true);
    expect(summary.state).toBe('completed');
    expect(model.calls.of('StartPlanExecution')).toHaveLength(1);
    expect(model.regionSwitch.executions.size).toBe(1);
  });

  test('GIVEN a different move running WHEN run THEN it is refused with an error naming the running execution', async () => {
    const { executions, model } = setup();
    const other = await executions.start(move({ targetRegion: EAST, comment: 'failback' }));

    const error = await executions.run(move()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toContain(`execution ${other.executionId} (activate us-east-1, graceful`);
    expect((error as Error).message).toContain('refusing to start activate us-west-2');
    expect(model.calls.of('StartPlanExecution')).toHaveLength(1);
  });

  test('GIVEN the model refuses a second execution WHEN StartPlanExecution is sent directly THEN it answers IllegalStateException', async () => {
    const { model } = setup();
    const api = model.regionSwitchApi(WEST);
    await api.startPlanExecution({ planArn: PLAN, targetRegion: WEST, action: 'activate', mode: 'graceful' });

    await expect(
      api.startPlanExecution({ planArn: PLAN, targetRegion: EAST, action: 'activate', mode: 'graceful' }),
    ).rejects.toMatchObject({ name: 'IllegalStateException' });
  });

  test('GIVEN a start whose answer is lost WHEN retried with the same clientToken THEN one execution exists and it is followed', async () => {
    const { executions, model } = setup();
    model.faults.fail(
      { service: 'arc-region-switch', operation: 'StartPlanExecution' },
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      1,
      'after',
    );

    const summary = await executions.run(move({ clientToken: 'run-2026-12-07-switchover' }));

    expect(model.calls.lines(model.calls.of('StartPlanExecution'))).toEqual([
      'arc-region-switch:StartPlanExecution us-west-2 !ECONNRESET (after effect)',
      'arc-region-switch:StartPlanExecution us-west-2',
    ]);
    expect(model.regionSwitch.executions.size).toBe(1);
    expect(summary.state).toBe('completed');
  });

  test('GIVEN an execution slower than the timeout WHEN followed THEN a retriable WaitTimeoutError names it and its last state, and a later run adopts it', async () => {
    const { executions, clock } = setup();
    const started = clock.now().getTime();

    const error = await executions.run(move({ timeoutSeconds: 90 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/execution exec-000001 \(activate us-west-2\) did not end within 90 s/);
    expect((error as Error).message).toContain('last seen: inProgress; scale-ecs completed, aurora-global running');
    expect(clock.now().getTime() - started).toBe(90_000);

    const resumed = await executions.run(move());
    expect(resumed).toMatchObject({ executionId: 'exec-000001', adopted: true, state: 'completed' });
  });

  test('GIVEN an invocation deadline before the timeout WHEN followed THEN the wait ends at the deadline and says so', async () => {
    const { executions, clock } = setup();
    const deadline = new Date(clock.now().getTime() + 40_000);

    const error = await executions.run(move({ deadline })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toContain('did not end before the end of this invocation (waited 40 s)');
    expect(clock.now()).toEqual(deadline);
  });

  test('GIVEN a run WHEN it is followed THEN progress is told once per change of what the execution shows', async () => {
    const { executions } = setup();
    const lines: string[] = [];

    await executions.run(move({ progress: (line) => lines.push(line) }));

    expect(lines[0]).toBe(
      'Region switch execution exec-000001: pending; scale-ecs notStarted, aurora-global notStarted, recover-lambda notStarted, route53-health-checks notStarted',
    );
    expect(lines.at(-1)).toMatch(/: completed; scale-ecs completed, .* route53-health-checks completed$/);
    expect(new Set(lines).size).toBe(lines.length);
  });

  test('GIVEN throttling on every operation WHEN run THEN each throttled request is retried and the execution completes', async () => {
    const { executions, model } = setup();
    for (const operation of ['ListPlanExecutions', 'StartPlanExecution', 'GetPlanExecution']) {
      model.faults.throttle({ service: 'arc-region-switch', operation }, 2);
    }

    const summary = await executions.run(move());

    expect(summary.state).toBe('completed');
    const throttled = model.calls.all().filter((c) => c.outcome === 'ThrottlingException');
    expect(throttled).toHaveLength(6);
    expect(model.regionSwitch.executions.size).toBe(1);
  });

  test('GIVEN us-east-1 is down WHEN activating us-west-2 THEN every call goes to the us-west-2 data plane and none to us-east-1', async () => {
    const { executions, model } = setup();
    model.regionDown(EAST);

    const summary = await executions.run(move({ kind: 'unplanned' }));

    expect(summary.apiRegion).toBe(WEST);
    expect(model.calls.countsByRegion()).toEqual({ [WEST]: model.calls.all().length });
    expect(model.calls.all().every((c) => c.service === 'arc-region-switch' && c.outcome === 'ok')).toBe(true);
  });

  test('GIVEN a deactivation of us-east-1 WHEN run THEN the calls go to the plan’s other Region, never the one deactivated', async () => {
    const { executions, model } = setup();

    const summary = await executions.run(move({ targetRegion: EAST, action: 'deactivate' }));

    expect(summary.state).toBe('completed');
    expect(Object.keys(model.calls.countsByRegion())).toEqual([WEST]);
    expect(executions.apiRegion(EAST, 'deactivate')).toBe(WEST);
    expect(executions.apiRegion(EAST, 'activate')).toBe(EAST);
  });

  test('GIVEN the Region activated is unreachable WHEN run THEN it fails retriably after retries, naming the Region', async () => {
    const { executions, model } = setup();
    model.regionDown(WEST);

    await expect(executions.run(move())).rejects.toThrow(
      /ListPlanExecutions .* in us-west-2: .*ETIMEDOUT.*still failing after retries/,
    );
  });

  test('GIVEN a target outside the plan WHEN run THEN it is refused naming the field, the value and the accepted Regions', async () => {
    const { executions, model } = setup();

    await expect(executions.run(move({ targetRegion: 'eu-west-1' }))).rejects.toThrow(
      `targetRegion: eu-west-1 is not a Region of plan ${PLAN}; accepted: us-east-1, us-west-2`,
    );
    expect(model.calls.all()).toHaveLength(0);
  });

  test('GIVEN a cancelled execution WHEN followed THEN it fails naming the state', async () => {
    const { executions, model } = setup();
    const started = await executions.start(move());
    await model.regionSwitchApi(WEST).cancelPlanExecution({ planArn: PLAN, executionId: started.executionId });

    await expect(executions.follow(started, move())).rejects.toThrow(/ended canceled: no step failed/);
  });

  test('GIVEN the process dies once StartPlanExecution took effect WHEN a new process runs the same move THEN it follows that execution', async () => {
    const { executions, model } = setup();
    // Request 0 is ListPlanExecutions, request 1 StartPlanExecution: AWS starts the execution, the process dies.
    model.crashAt({ at: 1, when: 'after' });
    await expect(executions.run(move())).rejects.toThrow(/injected process crash/);
    model.restart();

    const summary = await executions.run(move());

    expect(summary).toMatchObject({ adopted: true, state: 'completed' });
    expect(model.regionSwitch.executions.size).toBe(1);
  });

  test('GIVEN answers split into pages WHEN run THEN every step of every page is reported', async () => {
    const { executions, model } = setup();
    model.regionSwitch.pageSize = 1;
    await executions.run(move({ targetRegion: EAST, comment: 'an older execution, ended' }));

    const summary = await executions.run(move());

    expect(summary.steps.map((s) => s.name)).toEqual([
      'scale-ecs',
      'aurora-global',
      'recover-lambda',
      'route53-health-checks',
    ]);
    expect(model.calls.of('GetPlanExecution').some((c) => c.input.nextToken !== undefined)).toBe(true);
  });

  test('GIVEN a run that starts, follows and fails WHEN its requests are compared with requiredActions THEN each is listed', async () => {
    const { executions, model } = setup();
    model.regionSwitch.failStep('route53-health-checks', 'health check not found');
    await executions.run(move()).catch(() => undefined);

    const granted = new Set<string>([
      ...RegionSwitchExecutions.requiredActions.start,
      ...RegionSwitchExecutions.requiredActions.follow,
    ]);
    const sent = new Set(model.calls.all().map((c) => `${c.service}:${c.operation}`));
    expect([...sent].sort()).toEqual([
      'arc-region-switch:GetPlanExecution',
      'arc-region-switch:ListPlanExecutionEvents',
      'arc-region-switch:ListPlanExecutions',
      'arc-region-switch:StartPlanExecution',
    ]);
    for (const action of sent) expect(granted).toContain(action);
  });

  test('GIVEN a data plane outside the plan’s Regions (model default) WHEN asked THEN it does not know the plan', async () => {
    const { model } = setup();

    await expect(model.regionSwitchApi('eu-west-1').listPlanExecutions({ planArn: PLAN })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

// Issue 18, review M2: a running execution is followed only when it is the same move in the same mode.
describe('adoption of a running execution', () => {
  test('GIVEN a graceful activate of us-west-2 running WHEN an unplanned failover (ungraceful) to us-west-2 starts THEN it does not silently follow the graceful execution', async () => {
    const { executions } = setup();
    const planned = await executions.start(move({ kind: 'planned', clientToken: 'switchover-1' }));
    expect(planned.adopted).toBe(false);
    // The primary Region fails while the graceful switchover waits: on-call runs failover (ungraceful).
    const unplanned = executions.start(move({ kind: 'unplanned', clientToken: 'failover-1' }));
    // It followed the GRACEFUL execution, which waits on the dead primary (review M2).
    await expect(unplanned).rejects.toThrow(/graceful/);
  });

  test('GIVEN an ungraceful activate of us-west-2 running (a failover: data loss allowed) WHEN a switchover (planned, RPO 0) to us-west-2 starts THEN it is refused, not adopted', async () => {
    const { executions } = setup();
    await executions.start(move({ kind: 'unplanned', clientToken: 'failover-1' }));
    // It was adopted, and the switchover then recorded rpoSeconds 0 for a move with data loss (review M2).
    await expect(executions.start(move({ kind: 'planned', clientToken: 'switchover-1' }))).rejects.toThrow(
      /ungraceful/,
    );
  });
});
