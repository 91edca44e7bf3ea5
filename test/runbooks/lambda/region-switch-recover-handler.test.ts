import { DescribeAutomationExecutionsCommand, SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { MemoryJournal } from '../../../runbooks/adapters/local/journals';
import {
  createRegionSwitchRecoverHandler,
  REGION_SWITCH_RECOVER_FORMAT,
  type RecoverAutomations,
  RecoverStartError,
  type RecoverStartRequest,
  recoverClientToken,
  ssmRecoverAutomations,
} from '../../../runbooks/lambda/region-switch-recover-handler';
import type { Journal } from '../../../runbooks/ports';
import type { Topology } from '../../../runbooks/topology';

// The function the Region switch plan's start-recover block invokes in the Region it activates (routing mode
// region-switch, graceful runs): it starts that Region's recover automation only when an unplanned failover to it
// lacks its missing-transaction report, and a rerun of the block never starts a second one.

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const PLAN_ARN = 'arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123';
const FAILOVER_AT = '2026-12-01T10:15:00.000Z';

function regionSwitchTopology(): Topology {
  const topology = demoTopology(EAST, WEST);
  return {
    ...topology,
    routing: {
      mode: 'region-switch',
      regionSwitch: { planParameterName: '/shop/dev/region-switch-plan', timeoutMinutes: 60 },
      controls: {},
    },
  };
}

const environment = (topology: Topology = regionSwitchTopology(), region = WEST) => ({
  RUNBOOK_TOPOLOGY: JSON.stringify(topology),
  RUNBOOK_BUCKET: 'shop-dev-reports',
  AWS_REGION: region,
});

function journal(orchestration: string, executionId: string, fields: Partial<Journal> = {}): Journal {
  return {
    version: 1,
    executionId,
    orchestration,
    input: { targetRegion: WEST, failedRegion: EAST },
    status: 'succeeded',
    startedAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:30:00.000Z',
    steps: {},
    ...fields,
  };
}

const step = (failoverAt: string) => ({
  status: 'succeeded' as const,
  detail: '',
  outputs: { failoverAt },
  startedAt: '2026-12-01T10:00:00.000Z',
  finishedAt: '2026-12-01T10:00:01.000Z',
  attempts: 1,
});

/** A failover to `us-west-2` that recorded its failover time. */
const unplannedFailover = (id = 'failover-1', failoverAt = FAILOVER_AT) =>
  journal('failover', id, { steps: { 'store-summary': step(failoverAt) } });

/** A recover of the failover at `failoverAt`. */
const recoverRun = (id: string, status: Journal['status'], failoverAt = FAILOVER_AT) =>
  journal('recover', id, { status, steps: { 'validate-input': step(failoverAt) } });

/** SSM Automation of the Region, in memory: a started execution runs until the test ends it. */
class FakeAutomations implements RecoverAutomations {
  readonly starts: RecoverStartRequest[] = [];
  readonly running: string[] = [];
  failStart?: Error;

  async inFlight(documentName: string): Promise<readonly string[]> {
    return documentName === 'shop-dev-recover' ? [...this.running] : [];
  }

  async start(request: RecoverStartRequest): Promise<string> {
    if (this.failStart) throw this.failStart;
    this.starts.push(request);
    const id = `recover-exec-${this.starts.length}`;
    this.running.push(id);
    return id;
  }
}

async function setup(journals: Journal[] = [], topology?: Topology) {
  const memory = new MemoryJournal();
  for (const j of journals) await memory.save(j);
  const automations = new FakeAutomations();
  const lines: string[] = [];
  const handler = createRegionSwitchRecoverHandler({
    environment: environment(topology),
    journal: memory,
    automations,
    log: (line) => lines.push(line),
  });
  return { handler, automations, lines, memory };
}

const event = (executionId = 'plan-exec-1') => ({
  ExecutionId: executionId,
  PlanArn: PLAN_ARN,
  StepName: 'start-recover',
  InvokedBy: 'arn:aws:sts::111111111111:assumed-role/plan-role/session',
});

describe('the Region switch recover start', () => {
  test('GIVEN an unplanned failover to this Region without its report WHEN the plan invokes it THEN it starts recover there', async () => {
    const { handler, automations } = await setup([unplannedFailover()]);
    const result = await handler(event());
    expect(result).toEqual({
      format: REGION_SWITCH_RECOVER_FORMAT,
      region: WEST,
      planExecutionId: 'plan-exec-1',
      outcome: 'started',
      detail: expect.stringContaining('shop-dev-recover recover-exec-1 started in us-west-2'),
      failoverExecutionId: 'failover-1',
      recoverExecutionId: 'recover-exec-1',
    });
    // AND the start names the document, the Regions and the failover time recover reads (the documents' parameters)
    expect(automations.starts).toEqual([
      {
        documentName: 'shop-dev-recover',
        parameters: {
          TargetRegion: [WEST],
          FailedRegion: [EAST],
          FailoverAt: [FAILOVER_AT],
          DryRun: ['false'],
          Reason: [
            expect.stringMatching(/^ARC Region switch plan execution plan-exec-1 activated us-west-2: .*failover-1$/),
          ],
        },
        clientToken: recoverClientToken('plan-exec-1', 'failover-1'),
      },
    ]);
  });

  test('GIVEN the block reruns the function WHEN recover is already running THEN no second recover starts', async () => {
    const { handler, automations } = await setup([unplannedFailover()]);
    await handler(event());
    // WHEN the block's retry invokes it again for the same plan execution
    const again = await handler(event());
    expect(again.outcome).toBe('already-running');
    expect(again.recoverExecutionId).toBe('recover-exec-1');
    expect(automations.starts).toHaveLength(1);
  });

  test('the client token is a UUID, the same for a rerun of one plan execution, another for another execution or failover', () => {
    const token = recoverClientToken('plan-exec-1', 'failover-1');
    // API_StartAutomationExecution ClientToken: "enforces the UUID format"
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(recoverClientToken('plan-exec-1', 'failover-1')).toBe(token);
    expect(recoverClientToken('plan-exec-2', 'failover-1')).not.toBe(token);
    expect(recoverClientToken('plan-exec-1', 'failover-2')).not.toBe(token);
  });

  test.each([
    ['no failover ever ran here', [], 'no failover has run in us-west-2'],
    [
      'the report of that failover was produced',
      [unplannedFailover(), recoverRun('recover-9', 'succeeded')],
      'was produced by recover recover-9',
    ],
    [
      'the latest failover moved to the other Region',
      [
        journal('failover', 'failover-2', {
          input: { targetRegion: EAST, failedRegion: WEST },
          steps: { 'store-summary': step(FAILOVER_AT) },
        }),
      ],
      'moved to us-east-1, not us-west-2',
    ],
    [
      'the latest failover recorded no failover time (it did not finish)',
      [journal('failover', 'failover-3', { status: 'failed' })],
      'failover-3 is failed and recorded no failover time',
    ],
  ])('GIVEN %s THEN it answers nothing-to-recover and starts nothing', async (_, journals, detail) => {
    const { handler, automations } = await setup(journals as Journal[]);
    const result = await handler(event());
    expect(result.outcome).toBe('nothing-to-recover');
    expect(result.detail).toContain(detail);
    expect(automations.starts).toEqual([]);
  });

  test.each([
    ['a recover of that failover failed', [unplannedFailover(), recoverRun('recover-1', 'failed')]],
    ['a recover of that failover was aborted', [unplannedFailover(), recoverRun('recover-1', 'aborted')]],
    [
      'only an earlier failover was recovered',
      [recoverRun('recover-0', 'succeeded', '2026-11-01T08:00:00.000Z'), unplannedFailover()],
    ],
  ])('GIVEN %s THEN the report is still missing: it starts recover', async (_, journals) => {
    const { handler, automations } = await setup(journals as Journal[]);
    expect((await handler(event())).outcome).toBe('started');
    expect(automations.starts).toHaveLength(1);
  });

  test('GIVEN an operator already started recover THEN it answers already-running', async () => {
    const { handler, automations } = await setup([unplannedFailover()]);
    automations.running.push('operator-recover');
    const result = await handler(event());
    expect(result).toMatchObject({ outcome: 'already-running', recoverExecutionId: 'operator-recover' });
    expect(automations.starts).toEqual([]);
  });

  test.each([
    [undefined, '(event): Invalid input'],
    [{ PlanArn: PLAN_ARN }, 'ExecutionId: Invalid input'],
    [{ ExecutionId: '', PlanArn: PLAN_ARN }, 'ExecutionId: empty'],
    [
      { ExecutionId: 'e', PlanArn: 'arn:aws:lambda:us-east-1:111111111111:function:x' },
      'PlanArn: not a Region switch plan ARN',
    ],
    [{ ExecutionId: 7, PlanArn: PLAN_ARN }, 'ExecutionId: Invalid input'],
  ])(
    'GIVEN the event %j THEN it fails naming the field and what is accepted, without code frames',
    async (bad, field) => {
      const { handler, automations } = await setup([unplannedFailover()]);
      const error = (await handler(bad).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(RecoverStartError);
      expect(error.message).toContain(field);
      expect(error.message).toContain('accepted: the Region switch execution metadata');
      expect(error.stack).toBe(`RecoverStartError: ${error.message}`);
      expect(automations.starts).toEqual([]);
    },
  );

  test('GIVEN a topology in arc-cluster mode THEN it refuses naming routing.mode', async () => {
    const { handler } = await setup([unplannedFailover()], demoTopology(EAST, WEST));
    await expect(handler(event())).rejects.toThrow(
      'environment variable RUNBOOK_TOPOLOGY: routing.mode is "arc-cluster"; accepted: "region-switch"',
    );
  });

  test('GIVEN SSM refuses the start THEN the invocation fails with the refusal (the block reruns it), without code frames', async () => {
    const { handler, automations, lines } = await setup([unplannedFailover()]);
    automations.failStart = Object.assign(
      new Error('User is not authorized to perform: ssm:StartAutomationExecution'),
      {
        name: 'AccessDeniedException',
      },
    );
    const error = (await handler(event()).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RecoverStartError);
    expect(error.message).toContain('not authorized');
    expect(error.stack).toBe(`RecoverStartError: ${error.message}`);
    expect(lines.at(-1)).toMatch(/^region switch recover: failed: .*not authorized.* \(plan execution plan-exec-1\)$/);
  });
});

describe('the SSM adapter of the recover start', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());

  test('in flight: every page, the not-ended statuses, only the document of exactly that name', async () => {
    ssm
      .on(DescribeAutomationExecutionsCommand)
      .resolvesOnce({
        AutomationExecutionMetadataList: [
          { AutomationExecutionId: 'a', DocumentName: 'shop-dev-recover' },
          { AutomationExecutionId: 'b', DocumentName: 'shop-dev-recover-old' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        AutomationExecutionMetadataList: [{ AutomationExecutionId: 'c', DocumentName: 'shop-dev-recover' }],
      });
    const automations = ssmRecoverAutomations(WEST, ssm as unknown as SSMClient);
    expect(await automations.inFlight('shop-dev-recover')).toEqual(['a', 'c']);
    const calls = ssm.commandCalls(DescribeAutomationExecutionsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input.Filters).toEqual([
      { Key: 'DocumentNamePrefix', Values: ['shop-dev-recover'] },
      { Key: 'ExecutionStatus', Values: expect.arrayContaining(['Pending', 'InProgress', 'Waiting']) },
    ]);
    expect(calls[1]!.args[0].input.NextToken).toBe('page-2');
  });

  test('start: the document, its parameters and the client token', async () => {
    ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-1' });
    const automations = ssmRecoverAutomations(WEST, ssm as unknown as SSMClient);
    const clientToken = recoverClientToken('p', 'f');
    expect(
      await automations.start({ documentName: 'shop-dev-recover', parameters: { TargetRegion: [WEST] }, clientToken }),
    ).toBe('exec-1');
    expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]!.args[0].input).toEqual({
      DocumentName: 'shop-dev-recover',
      Parameters: { TargetRegion: [WEST] },
      ClientToken: clientToken,
    });
  });

  test('start: a token used with other parameters is named, nothing started', async () => {
    ssm
      .on(StartAutomationExecutionCommand)
      .rejects(Object.assign(new Error('mismatch'), { name: 'IdempotentParameterMismatch' }));
    const automations = ssmRecoverAutomations(WEST, ssm as unknown as SSMClient);
    await expect(
      automations.start({
        documentName: 'shop-dev-recover',
        parameters: {},
        clientToken: recoverClientToken('p', 'f'),
      }),
    ).rejects.toThrow(
      /client token .* was used before with other parameters \(IdempotentParameterMismatch\); nothing started/,
    );
  });
});
