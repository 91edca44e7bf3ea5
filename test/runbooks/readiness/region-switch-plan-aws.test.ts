import { createAwsPorts } from '../../../runbooks/adapters/aws/aws-ports';
import type { Journal, RunbookPorts } from '../../../runbooks/ports';
import {
  PLAN_EVALUATION_MAX_AGE_MINUTES,
  regionSwitchPlanCheck,
} from '../../../runbooks/readiness/checks/region-switch-plan';
import { evaluateReadiness } from '../../../runbooks/readiness/evaluate-readiness';
import type { Topology } from '../../../runbooks/topology';
import { addShopPlan, inRegionSwitchMode, SHOP_PLAN_ARN } from '../aws-model/shop-plan';
import { type AwsWorld, awsWorld, EAST, WEST } from '../aws-scenarios/aws-world';

// region-switch-plan red and green on the AWS model through the real adapter (AwsRegionSwitch over the Region switch
// model's data planes, the journals in the S3 model): what the scheduled readiness of us-west-2 finds in routing mode
// region-switch. Sources: API_GetPlanEvaluationStatus ("information about the last time the plan was evaluated and any
// warnings or issues detected"), API_ListPlanExecutions ("both current and historical executions"), and the User Guide,
// "Plan evaluation for Region switch plans" ("Region switch automatically evaluates your plan multiple times per
// hour").

let world: AwsWorld | undefined;
afterEach(() => world?.dispose());

const MINUTE = 60_000;
const PLAN = `plan ${SHOP_PLAN_ARN}`;

function setup(mode: (t: Topology) => Topology = inRegionSwitchMode) {
  const w = awsWorld();
  world = w;
  addShopPlan(w.model, w.shop, w.shop.topology(EAST));
  const topology = mode(w.shop.topology(WEST));
  const ports: RunbookPorts = createAwsPorts({
    topology,
    clock: w.clock,
    region: WEST,
    bucket: w.shop.buckets[WEST]!,
    reconciler: w.reconciler,
    regionSwitchApi: (r) => w.model.regionSwitchApi(r),
  });
  const assess = async () => {
    const { checks } = await evaluateReadiness({ input: { targetRegion: WEST, maxLagSeconds: 60 }, topology, ports }, [
      regionSwitchPlanCheck,
    ]);
    return checks[0]!;
  };
  return { w, ports, assess };
}

/** Starts an execution of the plan through the data plane of `region` and lets the model run until `minutes` later. */
async function startExecution(w: AwsWorld, target: string, minutes: number) {
  const api = w.model.regionSwitchApi(target);
  const { executionId } = await api.startPlanExecution({
    planArn: SHOP_PLAN_ARN,
    targetRegion: target,
    action: 'activate',
  });
  w.clock.advance(minutes * MINUTE);
  await api.getPlanExecution({ planArn: SHOP_PLAN_ARN, executionId: executionId! });
  return executionId!;
}

const runningSwitchover = (at: Date): Journal => ({
  version: 1,
  executionId: 'switchover-1',
  orchestration: 'switchover',
  input: { targetRegion: WEST },
  status: 'running',
  startedAt: at.toISOString(),
  updatedAt: at.toISOString(),
  steps: {},
});

describe('region-switch-plan on the AWS model', () => {
  test('GIVEN the plan as deployed, evaluated just now and never run WHEN checked THEN GREEN, only the Region switch data plane of us-west-2 asked', async () => {
    const { w, assess } = setup();
    const mark = w.model.calls.mark();

    const result = await assess();

    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `${PLAN}: the evaluation asked in ${WEST} passed at 2026-01-27T10:00:00.000Z (0 min ago)`,
      'no execution of the plan is running or paused',
    ]);
    expect(w.model.calls.since(mark).map((c) => `${c.service} ${c.operation} ${c.region}`)).toEqual([
      `arc-region-switch GetPlanEvaluationStatus ${WEST}`,
      `arc-region-switch ListPlanExecutions ${WEST}`,
    ]);
  });

  test('GIVEN the evaluation found the execution role lacking a permission WHEN checked after the next evaluation THEN RED naming the warning', async () => {
    const { w, assess } = setup();
    w.model.regionSwitch.addWarning(SHOP_PLAN_ARN, {
      workflow: { action: 'activate', name: WEST },
      stepName: 'switch-orders',
      resourceArn: 'arn:aws:rds::111111111111:global-cluster:shop-dev-orders-global',
      message: 'The execution role is missing rds:SwitchoverGlobalCluster',
    });
    w.clock.advance(31 * MINUTE);

    const result = await assess();

    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `${PLAN}: the evaluation asked in ${WEST} (2026-01-27T10:30:00.000Z) is actionRequired: activate workflow ${WEST}, step switch-orders, arn:aws:rds::111111111111:global-cluster:shop-dev-orders-global: The execution role is missing rds:SwitchoverGlobalCluster; expected: an evaluation that passed`,
    ]);
  });

  test('GIVEN an evaluation that says passed yet lists an active warning WHEN checked THEN INCONCLUSIVE naming the warning (which of the two holds cannot be told)', async () => {
    const { w, assess } = setup();
    w.model.regionSwitch.addWarning(SHOP_PLAN_ARN, { stepName: 'move-dns', message: 'Health check not found' });
    w.model.regionSwitch.setEvaluationState(SHOP_PLAN_ARN, 'passed');
    w.clock.advance(31 * MINUTE);

    const result = await assess();

    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `${PLAN}: the evaluation asked in ${WEST} passed at 2026-01-27T10:30:00.000Z yet lists an active warning: step move-dns: Health check not found; whether the plan would run cannot be told`,
    ]);
  });

  test('GIVEN an execution paused by a failed Aurora block and no traffic move running WHEN checked THEN RED naming the execution, its state, the failed step and what it waits for', async () => {
    const { w, assess } = setup();
    w.model.regionSwitch.failStep('switch-catalog', 'The global cluster is not available');
    const id = await startExecution(w, WEST, 2);

    const result = await assess();

    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `${PLAN}: execution ${id} (activate ${WEST}, graceful) is pausedByFailedStep since 2026-01-27T10:00:00.000Z, step switch-catalog failed and no switchover, failback or failover is running (latest: none recorded); it waits for an operator: retry or skip the failed step, or cancel the execution, in the Region switch console (${WEST}); expected: no execution of the plan running or paused`,
    ]);
    expect(result.evidence).toMatchObject({
      running: [{ executionId: id, state: 'pausedByFailedStep', failedSteps: ['switch-catalog'] }],
    });
  });

  test('GIVEN an execution in progress while a switchover is running WHEN checked THEN GREEN, the execution noted as allowed', async () => {
    const { w, ports, assess } = setup();
    const id = await startExecution(w, WEST, 0.5);
    await ports.journal.save(runningSwitchover(w.clock.now()));

    const result = await assess();

    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toContain(
      `${PLAN}: execution ${id} (activate ${WEST}, graceful) is inProgress since 2026-01-27T10:00:00.000Z: allowed while switchover switchover-1 (started 2026-01-27T10:00:30.000Z) is running`,
    );
  });

  test('GIVEN a completed execution WHEN checked THEN GREEN, the last execution noted', async () => {
    const { w, assess } = setup();
    const id = await startExecution(w, WEST, 5);
    w.clock.advance(10 * MINUTE);

    const result = await assess();

    expect(result.verdict).toBe('GREEN');
    const ended = w.model.regionSwitch.executions.get(id)!;
    expect(ended.state).toBe('completed');
    expect(result.notes.at(-1)).toBe(
      `${PLAN}: the last execution that ended, ${id} (activate ${WEST}, graceful), ended completed at ${ended.endTime!.toISOString()}`,
    );
  });

  test(`GIVEN evaluations stopped WHEN checked more than ${PLAN_EVALUATION_MAX_AGE_MINUTES} min later THEN INCONCLUSIVE naming the age`, async () => {
    const { w, assess } = setup();
    w.model.regionSwitch.stopEvaluations(SHOP_PLAN_ARN);
    w.clock.advance(66 * MINUTE);

    const result = await assess();

    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `${PLAN}: the last evaluation asked in ${WEST} passed at 2026-01-27T10:00:00.000Z, 66 min ago: older than ${PLAN_EVALUATION_MAX_AGE_MINUTES} min (Region switch evaluates a plan several times an hour), so it says nothing about the plan now`,
    ]);
  });

  test('GIVEN evaluations stopped WHEN checked 65 min later THEN still GREEN (two intervals and the clock skew)', async () => {
    const { w, assess } = setup();
    w.model.regionSwitch.stopEvaluations(SHOP_PLAN_ARN);
    w.clock.advance(65 * MINUTE);

    expect((await assess()).verdict).toBe('GREEN');
  });

  test.each([
    ['unknown', 'the evaluation asked in us-west-2 is unknown; expected: passed'],
    ['pendingEvaluation', 'not evaluated yet (pendingEvaluation in us-west-2)'],
  ])('GIVEN the evaluation state %s WHEN checked THEN INCONCLUSIVE', async (state, unknown) => {
    const { w, assess } = setup();
    w.model.regionSwitch.setEvaluationState(SHOP_PLAN_ARN, state);

    const result = await assess();

    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([expect.stringContaining(`${PLAN}: ${unknown}`)]);
  });

  test('GIVEN ListPlanExecutions is denied WHEN checked THEN INCONCLUSIVE: the evaluation passed but whether an execution runs cannot be told', async () => {
    const { w, assess } = setup();
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    w.model.faults.fail({ service: 'arc-region-switch', operation: 'ListPlanExecutions' }, denied, 5);

    const result = await assess();

    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.notes).toEqual([
      `${PLAN}: the evaluation asked in ${WEST} passed at 2026-01-27T10:00:00.000Z (0 min ago)`,
    ]);
    expect(result.unknowns).toEqual([
      expect.stringMatching(
        new RegExp(`^${PLAN}: not everything could be read in ${WEST}: ListPlanExecutions .*not authorized`),
      ),
    ]);
  });

  test('GIVEN routing mode arc-cluster WHEN checked THEN GREEN with a note that it does not apply, and no Region switch call', async () => {
    const { w, assess } = setup((t) => t);
    const mark = w.model.calls.mark();

    const result = await assess();

    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      'does not apply: routing.mode is "arc-cluster"; region-switch-plan applies in routing mode "region-switch"',
    ]);
    expect(w.model.calls.since(mark)).toEqual([]);
  });
});
