import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { AwsModel } from './aws-model';
import type { RegionSwitchModelOptions } from './region-switch-model';

const PLAN = 'arn:aws:arc-region-switch::111122223333:plan/shop-dev:abc123';

function setup(options: Partial<RegionSwitchModelOptions> = {}, created: 'now' | 'evaluated' = 'evaluated') {
  const clock = new ManualClock('2026-12-07T10:00:00.000Z');
  const model = new AwsModel({ clock, regionSwitch: options });
  model.regionSwitch.addPlan(
    {
      arn: PLAN,
      regions: ['us-east-1', 'us-west-2'],
      workflows: [
        { action: 'activate', targetRegion: 'us-west-2', steps: [{ name: 'routing', seconds: 30 }] },
        { action: 'deactivate', steps: [{ name: 'routing', seconds: 30 }] },
      ],
    },
    { created },
  );
  return { clock, model, west: model.regionSwitchApi('us-west-2'), east: model.regionSwitchApi('us-east-1') };
}

const activateWest = { planArn: PLAN, targetRegion: 'us-west-2', action: 'activate', mode: 'graceful' } as const;

describe('ARC Region switch model', () => {
  test('GIVEN a start WHEN time passes THEN the execution goes pending → inProgress → completed, dated by the model clock', async () => {
    const { clock, west } = setup();
    const { executionId, activateRegion, deactivateRegion } = await west.startPlanExecution(activateWest);
    expect({ activateRegion, deactivateRegion }).toEqual({
      activateRegion: 'us-west-2',
      deactivateRegion: 'us-east-1',
    });
    const state = async () =>
      (await west.getPlanExecution({ planArn: PLAN, executionId: executionId! })).executionState;

    expect(await state()).toBe('pending');
    clock.advance(5_000);
    expect(await state()).toBe('inProgress');
    clock.advance(30_000);
    const done = await west.getPlanExecution({ planArn: PLAN, executionId: executionId! });
    expect(done).toMatchObject({ executionState: 'completed', endTime: new Date('2026-12-07T10:00:35.000Z') });
  });

  test('GIVEN the same clientToken twice WHEN started THEN the second answer is the first execution (API_StartPlanExecution)', async () => {
    const { model, west } = setup();
    const first = await west.startPlanExecution({ ...activateWest, clientToken: 'token-1' });
    const second = await west.startPlanExecution({ ...activateWest, clientToken: 'token-1' });

    expect(second.executionId).toBe(first.executionId);
    expect(model.regionSwitch.executions.size).toBe(1);
  });

  test('GIVEN a move with no workflow for its target WHEN started THEN IllegalArgumentException', async () => {
    const { west } = setup();

    await expect(west.startPlanExecution({ ...activateWest, targetRegion: 'us-east-1' })).rejects.toMatchObject({
      name: 'IllegalArgumentException',
    });
  });

  test('GIVEN executionsVisibleInEveryRegion false WHEN the other data plane is asked THEN it does not know the execution', async () => {
    const { west, east } = setup({ executionsVisibleInEveryRegion: false });
    const { executionId } = await west.startPlanExecution(activateWest);

    await expect(east.getPlanExecution({ planArn: PLAN, executionId: executionId! })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await east.listPlanExecutions({ planArn: PLAN })).items).toEqual([]);
  });

  test('GIVEN a plan just created WHEN time passes THEN pendingEvaluation until the first evaluation, then one every evaluationIntervalMinutes, a warning reported from the next one on', async () => {
    const { clock, model, west } = setup({}, 'now');
    const status = () => west.getPlanEvaluationStatus({ planArn: PLAN });

    expect(await status()).toMatchObject({
      planArn: PLAN,
      region: 'us-west-2',
      evaluationState: 'pendingEvaluation',
      warnings: [],
    });
    clock.advance(60_000);
    expect(await status()).toMatchObject({
      evaluationState: 'passed',
      lastEvaluationTime: new Date('2026-12-07T10:01:00.000Z'),
      warnings: [],
    });
    model.regionSwitch.addWarning(PLAN, { stepName: 'routing', message: 'Health check not found' });
    clock.advance(29 * 60_000);
    expect((await status()).evaluationState).toBe('passed');
    clock.advance(60_000);
    expect(await status()).toMatchObject({
      evaluationState: 'actionRequired',
      lastEvaluationTime: new Date('2026-12-07T10:31:00.000Z'),
      warnings: [
        {
          stepName: 'routing',
          warningStatus: 'active',
          warningMessage: 'Health check not found',
          warningUpdatedTime: new Date('2026-12-07T10:31:00.000Z'),
        },
      ],
    });
  });

  test('GIVEN a plan as deployed WHEN asked at once THEN it passed just now; GIVEN evaluations stopped WHEN asked hours later THEN the last evaluation time stays where they stopped', async () => {
    const { clock, model, west } = setup();
    expect(await west.getPlanEvaluationStatus({ planArn: PLAN })).toMatchObject({
      evaluationState: 'passed',
      lastEvaluationTime: new Date('2026-12-07T10:00:00.000Z'),
    });
    clock.advance(2 * 60_000);
    model.regionSwitch.stopEvaluations(PLAN);
    clock.advance(3 * 3_600_000);

    expect((await west.getPlanEvaluationStatus({ planArn: PLAN })).lastEvaluationTime).toEqual(
      new Date('2026-12-07T10:00:00.000Z'),
    );
  });

  test('GIVEN a checkpoint WHEN a warning is added, evaluations stop and the state is forced, then the model is rolled back THEN the evaluations go on as at the checkpoint', async () => {
    const { clock, model, west } = setup();
    const saved = model.checkpoint();
    model.regionSwitch.addWarning(PLAN, { stepName: 'routing', message: 'Health check not found' });
    model.regionSwitch.stopEvaluations(PLAN);
    model.regionSwitch.setEvaluationState(PLAN, 'unknown');

    model.rollback(saved);
    clock.advance(31 * 60_000);

    expect(await west.getPlanEvaluationStatus({ planArn: PLAN })).toMatchObject({
      evaluationState: 'passed',
      lastEvaluationTime: new Date('2026-12-07T10:30:00.000Z'),
      warnings: [],
    });
  });

  test('GIVEN a running execution WHEN cancelled THEN it and its running step are canceled, and no later step runs', async () => {
    const { clock, west } = setup();
    const { executionId } = await west.startPlanExecution(activateWest);
    clock.advance(10_000);

    await west.cancelPlanExecution({ planArn: PLAN, executionId: executionId!, comment: 'drill over' });
    clock.advance(60_000);

    const seen = await west.getPlanExecution({ planArn: PLAN, executionId: executionId! });
    expect(seen.executionState).toBe('canceled');
    expect(seen.stepStates?.map((s) => s.status)).toEqual(['canceled']);
    const events = await west.listPlanExecutionEvents({ planArn: PLAN, executionId: executionId! });
    expect(events.items?.map((e) => e.type)).toEqual([
      'executionPending',
      'executionStarted',
      'stepStarted',
      'executionCanceled',
    ]);
  });
});
