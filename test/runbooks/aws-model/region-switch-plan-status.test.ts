import { AwsRegionSwitch } from '../../../runbooks/adapters/aws/aws-region-switch';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { QUICK_RETRY } from '../adapters/aws/sdk-calls';
import { AwsModel } from './aws-model';
import type { RegionSwitchModelOptions } from './region-switch-model';

// AwsRegionSwitch.describePlan (what readiness reads in routing mode region-switch) against the stateful Region switch
// model: GetPlanEvaluationStatus ("Retrieves the evaluation status of a Region switch plan. The evaluation status
// provides information about the last time the plan was evaluated and any warnings or issues detected",
// API_GetPlanEvaluationStatus, every page of `warnings`) and ListPlanExecutions ("Lists the executions of a Region
// switch plan. This operation returns information about both current and historical executions",
// API_ListPlanExecutions, every page), in the data plane of the Region asked.

const PLAN = 'arn:aws:arc-region-switch::111122223333:plan/shop-dev:abc123';
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const MINUTE = 60_000;

function setup(
  options: Partial<RegionSwitchModelOptions> = {},
  adapter: { planParameterName?: string; created?: 'now' } = {},
) {
  const clock = new ManualClock('2026-12-07T10:00:00.000Z');
  const model = new AwsModel({ clock, regionSwitch: options });
  model.regionSwitch.addPlan(
    {
      arn: PLAN,
      regions: [EAST, WEST],
      workflows: [
        {
          action: 'activate',
          steps: [
            { name: 'scale-services', seconds: 60 },
            { name: 'switch-orders', seconds: 120 },
          ],
        },
        { action: 'deactivate', steps: [{ name: 'move-dns', seconds: 30 }] },
      ],
    },
    adapter.created ? { created: adapter.created } : {},
  );
  const regionSwitch = new AwsRegionSwitch({
    ...(adapter.planParameterName ? { planParameterName: adapter.planParameterName } : { planArn: PLAN }),
    parameterRegion: WEST,
    planRegions: [EAST, WEST],
    clock,
    apiFor: (region) => model.regionSwitchApi(region),
    retry: QUICK_RETRY,
  });
  return { clock, model, regionSwitch };
}

describe('AwsRegionSwitch.describePlan on the Region switch model', () => {
  test('GIVEN a plan just created, not evaluated yet WHEN described THEN pendingEvaluation without a time, nothing running, asked in that Region only', async () => {
    const { model, regionSwitch } = setup({}, { created: 'now' });

    const status = await regionSwitch.describePlan(WEST);

    expect(status).toEqual({
      planArn: PLAN,
      apiRegion: WEST,
      evaluation: { state: 'pendingEvaluation', warnings: [] },
      running: [],
    });
    expect(model.calls.all().map((c) => [c.operation, c.region])).toEqual([
      ['GetPlanEvaluationStatus', WEST],
      ['ListPlanExecutions', WEST],
    ]);
  });

  test('GIVEN an evaluation that found two problems, one warning a page WHEN described THEN actionRequired with both warnings, each naming workflow, step and resource', async () => {
    const { clock, model, regionSwitch } = setup();
    model.regionSwitch.pageSize = 1;
    model.regionSwitch.addWarning(PLAN, {
      workflow: { action: 'activate', name: 'activate-us-west-2' },
      stepName: 'switch-orders',
      resourceArn: 'arn:aws:rds::111122223333:global-cluster:shop-dev-orders',
      message: 'The execution role cannot call rds:SwitchoverGlobalCluster',
    });
    model.regionSwitch.addWarning(PLAN, { stepName: 'scale-services', message: 'Service ui has no capacity' });
    clock.advance(31 * MINUTE);

    const status = await regionSwitch.describePlan(WEST);

    expect(status.evaluation).toEqual({
      state: 'actionRequired',
      lastEvaluatedAt: new Date('2026-12-07T10:30:00.000Z'),
      warnings: [
        'activate workflow activate-us-west-2, step switch-orders, arn:aws:rds::111122223333:global-cluster:shop-dev-orders: The execution role cannot call rds:SwitchoverGlobalCluster',
        'step scale-services: Service ui has no capacity',
      ],
    });
    expect(status.error).toBeUndefined();
    expect(model.calls.all().filter((c) => c.operation === 'GetPlanEvaluationStatus')).toHaveLength(2);
  });

  test('GIVEN a warning resolved before the last evaluation WHEN described THEN passed, the resolved warning not listed', async () => {
    const { clock, model, regionSwitch } = setup();
    model.regionSwitch.addWarning(PLAN, { stepName: 'switch-orders', message: 'Global cluster not found' });
    clock.advance(2 * MINUTE);
    model.regionSwitch.resolveWarning(PLAN, 'switch-orders');
    clock.advance(30 * MINUTE);

    const status = await regionSwitch.describePlan(EAST);

    expect(status.evaluation).toEqual({
      state: 'passed',
      lastEvaluatedAt: new Date('2026-12-07T10:30:00.000Z'),
      warnings: [],
    });
  });

  test('GIVEN an older execution ended and one paused by a failed step, one execution a page WHEN described THEN the paused one is running with its steps and the ended one is the last ended', async () => {
    const { clock, model, regionSwitch } = setup();
    model.regionSwitch.pageSize = 1;
    const east = model.regionSwitchApi(EAST);
    const west = model.regionSwitchApi(WEST);
    const first = await east.startPlanExecution({ planArn: PLAN, targetRegion: EAST, action: 'activate' });
    clock.advance(10 * MINUTE);
    // The model moves on at the next request: this one lets the first execution end before the fault is set.
    expect((await east.getPlanExecution({ planArn: PLAN, executionId: first.executionId! })).executionState).toBe(
      'completed',
    );
    model.regionSwitch.failStep('switch-orders', 'The global cluster is not ready for a switchover');
    const second = await west.startPlanExecution({ planArn: PLAN, targetRegion: WEST, action: 'activate' });
    clock.advance(10 * MINUTE);

    const status = await regionSwitch.describePlan(WEST);

    expect(status.running).toEqual([
      expect.objectContaining({
        executionId: second.executionId,
        action: 'activate',
        targetRegion: WEST,
        mode: 'graceful',
        state: 'pausedByFailedStep',
        apiRegion: WEST,
        steps: [
          expect.objectContaining({ name: 'scale-services', status: 'completed' }),
          expect.objectContaining({ name: 'switch-orders', status: 'failed' }),
        ],
      }),
    ]);
    expect(status.lastEnded).toEqual(
      expect.objectContaining({
        executionId: first.executionId,
        targetRegion: EAST,
        state: 'completed',
        endedAt: new Date('2026-12-07T10:03:05.000Z'),
      }),
    );
    const mark = model.calls.all().findIndex((c) => c.operation === 'GetPlanEvaluationStatus');
    expect(
      new Set(
        model.calls
          .all()
          .slice(mark)
          .map((c) => c.region),
      ),
    ).toEqual(new Set([WEST]));
  });

  test('GIVEN GetPlanEvaluationStatus is denied WHEN described THEN no evaluation and an error naming the call, the executions still read, nothing thrown', async () => {
    const { model, regionSwitch } = setup();
    await model.regionSwitchApi(WEST).startPlanExecution({ planArn: PLAN, targetRegion: WEST, action: 'activate' });
    const denied = Object.assign(new Error('not authorized to perform arc-region-switch:GetPlanEvaluationStatus'), {
      name: 'AccessDeniedException',
    });
    model.faults.fail({ service: 'arc-region-switch', operation: 'GetPlanEvaluationStatus' }, denied, 5);

    const status = await regionSwitch.describePlan(WEST);

    expect(status.evaluation).toBeUndefined();
    expect(status.error).toMatch(
      new RegExp(
        `^GetPlanEvaluationStatus ${PLAN} in ${WEST}: .*not authorized to perform arc-region-switch:GetPlanEvaluationStatus`,
      ),
    );
    expect(status.running.map((e) => e.state)).toEqual(['pending']);
  });

  test('GIVEN the Region asked is unreachable WHEN described THEN both reads are named in the error, nothing thrown', async () => {
    const { model, regionSwitch } = setup();
    model.regionDown(EAST);

    const status = await regionSwitch.describePlan(EAST);

    expect(status).toMatchObject({ planArn: PLAN, apiRegion: EAST, running: [] });
    expect(status.evaluation).toBeUndefined();
    expect(status.error).toMatch(/GetPlanEvaluationStatus .* in us-east-1: .*; ListPlanExecutions .* in us-east-1: /);
  });

  test('GIVEN the plan parameter does not exist WHEN described THEN the error names the parameter, nothing thrown', async () => {
    const { model, regionSwitch } = setup({}, { planParameterName: '/shop/dev/region-switch-plan' });
    model.install();
    try {
      const status = await regionSwitch.describePlan(WEST);

      expect(status.evaluation).toBeUndefined();
      expect(status.running).toEqual([]);
      expect(status.error).toMatch(
        /^GetParameter \/shop\/dev\/region-switch-plan in us-west-2: the parameter does not exist/,
      );
    } finally {
      model.restore();
    }
  });

  test('GIVEN the plan ARN in the parameter WHEN described THEN the plan it names is read', async () => {
    const { clock, model, regionSwitch } = setup({}, { planParameterName: '/shop/dev/region-switch-plan' });
    model.ssm.put(WEST, '/shop/dev/region-switch-plan', PLAN);
    model.install();
    clock.advance(MINUTE);
    try {
      const status = await regionSwitch.describePlan(WEST);

      expect(status).toMatchObject({ planArn: PLAN, evaluation: { state: 'passed' } });
      expect(status.error).toBeUndefined();
    } finally {
      model.restore();
    }
  });

  test('GIVEN a Region outside the plan WHEN described THEN refused naming the field, the value and the accepted Regions, nothing asked', async () => {
    const { model, regionSwitch } = setup();

    await expect(regionSwitch.describePlan('eu-west-1')).rejects.toThrow(
      `region: eu-west-1 is not a Region of the Region switch plan; accepted: ${EAST}, ${WEST}`,
    );
    expect(model.calls.all()).toHaveLength(0);
  });
});
