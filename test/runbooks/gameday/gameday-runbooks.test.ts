import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  PutParameterCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  type StepExecution,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ConstantBackoff } from 'cockatiel';
import { AwsRunbookDispatch } from '../../../runbooks/adapters/aws/gameday-runbooks';
import { FakeClock } from '../../pipeline/action-harness';

const START = new Date('2026-12-07T05:00:00Z');
const EXECUTION_ID = '4f6c1a2e-8d3b-4c5e-9f7a-0b1c2d3e4f5a';
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

const ssm = mockClient(SSMClient);
const cloudFormation = mockClient(CloudFormationClient);

const step = (
  name: string,
  status: string,
  end?: number,
  returned?: Record<string, unknown>,
  failure?: string,
): StepExecution => ({
  StepName: name,
  StepExecutionId: `${name}-${end ?? 'x'}`,
  Action: returned ? 'aws:invokeLambdaFunction' : 'aws:assertAwsResourceProperty',
  StepStatus: status as 'Success',
  ExecutionStartTime: at(1),
  ...(end === undefined ? {} : { ExecutionEndTime: at(end) }),
  ...(returned ? { Outputs: { Payload: [JSON.stringify(returned)], StatusCode: ['200'] } } : {}),
  ...(failure ? { FailureMessage: failure } : {}),
});
/** What the runbook Lambda returns (runbooks/ssm/step-outcome.ts). */
const outcome = (stepName: string, status: string, detail: string) => ({
  Status: status,
  Retry: status === 'pending',
  Detail: detail,
  Step: stepName,
  Orchestration: 'failover',
});

const execution = (status: string, steps: StepExecution[], document = 'shop-dev-failover') => ({
  AutomationExecution: {
    AutomationExecutionId: EXECUTION_ID,
    DocumentName: document,
    AutomationExecutionStatus: status as 'Success',
    ExecutionStartTime: at(1),
    ...(status === 'InProgress' ? {} : { ExecutionEndTime: at(300) }),
    StepExecutions: steps,
    StepExecutionsTruncated: false,
    Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'] },
    Outputs: {},
  },
});

const dispatch = () =>
  new AwsRunbookDispatch({
    appName: 'shop',
    envName: 'dev',
    primaryRegion: 'us-east-1',
    standbyRegion: 'us-west-2',
    clock: new FakeClock(START),
    log: () => undefined,
    pollSeconds: 5,
    timeoutMinutes: 10,
    retry: { backoff: new ConstantBackoff(0) },
  });

beforeEach(() => {
  ssm.reset();
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => ({
    Stacks: [{ StackName: input.StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: at(-86_400) }],
  }));
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
  ssm.on(DescribeAutomationExecutionsCommand).resolves({ AutomationExecutionMetadataList: [] });
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
});

describe('AwsRunbookDispatch (the failover CLI dispatch)', () => {
  test('GIVEN the failover runbook succeeds WHEN the game day starts it THEN it goes through the deploy freeze and the start of the failover CLI, and its steps come back under the orchestration names with the end of their last invocation', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution('Success', [
          step('shift_traffic_invoke', 'Success', 20, outcome('shift-traffic', 'succeeded', 'us-west-2 On')),
          step(
            'wait_for_orders_failover_invoke',
            'Success',
            60,
            outcome('wait-for-orders-failover', 'pending', 'failing-over'),
          ),
          step(
            'wait_for_orders_failover_invoke',
            'Success',
            120,
            outcome('wait-for-orders-failover', 'succeeded', 'writer in us-west-2'),
          ),
        ]),
      );
    const run = await dispatch().run({
      runbook: 'failover',
      region: 'us-west-2',
      reason: 'game day gd-1',
      dryRun: false,
    });
    expect(run).toMatchObject({
      executionId: EXECUTION_ID,
      status: 'Success',
      ended: true,
      succeeded: true,
      steps: [
        { name: 'shift-traffic', status: 'Success', endedAt: at(20) },
        { name: 'wait-for-orders-failover', status: 'Success', endedAt: at(120) },
      ],
    });
    const start = ssm.commandCalls(StartAutomationExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      DocumentName: 'shop-dev-failover',
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: ['game day gd-1'] },
    });
    // The deploy freeze of a real failover is written before the start, as on-call's dispatch does.
    const freeze = ssm
      .commandCalls(PutParameterCommand)
      .filter((c) => c.args[0].input.Name === '/shop/dev/deploy-freeze');
    expect(freeze.length).toBeGreaterThan(0);
  });

  test('GIVEN recover fails at finding the snapshot WHEN the game day starts it THEN the orchestration step that failed and its Detail come back (not the SSM assert that ended the execution)', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution(
          'Failed',
          [
            step(
              'find_orders_snapshot_invoke',
              'Success',
              30,
              outcome('find-orders-snapshot', 'failed', 'no snapshot rds:unplanned-global-failover-shop-dev-orders-*'),
            ),
            step(
              'find_orders_snapshot_failed',
              'Failed',
              31,
              undefined,
              'Step fails when it is verifying the resource property',
            ),
          ],
          'shop-dev-recover',
        ),
      );
    const run = await dispatch().run({
      runbook: 'recover',
      region: 'us-west-2',
      reason: 'game day gd-1',
      dryRun: false,
      failoverAt: at(0),
    });
    expect(run).toMatchObject({
      ended: true,
      succeeded: false,
      status: 'Failed',
      steps: [
        {
          name: 'find-orders-snapshot',
          status: 'Failed',
          failureMessage: 'no snapshot rds:unplanned-global-failover-shop-dev-orders-*',
        },
      ],
    });
    const start = ssm.commandCalls(StartAutomationExecutionCommand)[0]!.args[0].input;
    expect(start.Parameters?.['FailoverAt']).toEqual([at(0).toISOString()]);
  });

  test('GIVEN a phase with 20 minutes left WHEN the failover runs longer THEN the dispatch stops following it within them (5 for the stacks, 15 following) and reports it still running', async () => {
    const clock = new FakeClock(START);
    ssm.on(GetAutomationExecutionCommand).resolves(execution('InProgress', []));
    const run = await new AwsRunbookDispatch({
      appName: 'shop',
      envName: 'dev',
      primaryRegion: 'us-east-1',
      standbyRegion: 'us-west-2',
      clock,
      log: () => undefined,
      pollSeconds: 5,
      retry: { backoff: new ConstantBackoff(0) },
    }).run({ runbook: 'failover', region: 'us-west-2', reason: 'game day gd-1', dryRun: false, followMinutes: 20 });
    expect(run).toMatchObject({ ended: false, succeeded: false, status: 'InProgress' });
    const spent = clock.now().getTime() - START.getTime();
    expect(spent).toBeGreaterThanOrEqual(15 * 60_000);
    expect(spent).toBeLessThanOrEqual(20 * 60_000);
  });
});
