import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import {
  GetAutomationExecutionCommand,
  GetParameterCommand,
  ParameterNotFound,
  SSMClient,
  SSMServiceException,
  StartAutomationExecutionCommand,
  type StepExecution,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConstantBackoff } from 'cockatiel';
import { run } from '../../.github/actions/bake-gate/main';
import { FakeClock, runAction } from './action-harness';

// Review M12: every bake runs the Region's readiness runbook as a dry run (the DR mechanism the release just
// redeployed) and fails when it fails. The runbook is started and followed with the failover CLI's own
// startAutomation/followAutomation (.github/actions/failover/automation-run.ts).

const START = new Date('2025-03-01T12:00:00Z');
const EXECUTION_ID = '4f6c1a2e-8d3b-4c5e-9f7a-0b1c2d3e4f5a';
const TOKEN = '11111111-2222-4333-8444-555555555555';
const ROUTING_PARAMETER = '/shop/dev/arc-routing';

const ssm = mockClient(SSMClient);
// The summary's last scheduled readiness verdict (issue 17) reads these; tested in readiness-last-verdict.test.ts.
// Mocked, so no call leaves the test: an unanswered read is a "could not read" line, never a failed bake.
const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
let clock: FakeClock;

const readinessInputs = {
  mode: 'readiness',
  region: 'us-east-1',
  app_name: 'shop',
  env_name: 'dev',
  reason: 'bake of 0123456789abcdef0123456789abcdef01234567',
  poll_seconds: '5',
};

const step = (name: string, status: string, failure?: string): StepExecution => ({
  StepName: name,
  StepExecutionId: `${name}-id`,
  StepStatus: status as 'Success',
  ...(failure ? { FailureMessage: failure } : {}),
});

/** An execution that is InProgress for the first `pending` reads, then ends `status` with `steps`. */
function automation(status: string, steps: StepExecution[], pending = 1): void {
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
  let reads = 0;
  ssm.on(GetAutomationExecutionCommand).callsFake(() => {
    reads += 1;
    const ended = reads > pending;
    return {
      AutomationExecution: {
        AutomationExecutionId: EXECUTION_ID,
        DocumentName: 'shop-dev-readiness',
        AutomationExecutionStatus: ended ? status : 'InProgress',
        StepExecutions: ended ? steps : [step('validate-input', 'Success')],
        StepExecutionsTruncated: false,
      },
    };
  });
}

const runReadiness = (inputs: Record<string, string>) =>
  runAction(() => run({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }), inputs);

beforeEach(() => {
  ssm.reset();
  cloudFormation.reset();
  s3.reset();
  clock = new FakeClock(START);
});

describe('bake-gate readiness (review M12)', () => {
  test('GIVEN readiness succeeds WHEN the bake runs it THEN it starts <app>-<env>-readiness as a dry run of its Region and passes', async () => {
    automation('Success', [step('validate-input', 'Success'), step('services-healthy', 'Success')]);

    const result = await runReadiness(readinessInputs);

    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-readiness',
      Parameters: {
        TargetRegion: ['us-east-1'],
        DryRun: ['true'],
        Reason: ['bake of 0123456789abcdef0123456789abcdef01234567'],
      },
      ClientToken: TOKEN,
    });
    expect(result.outputs).toMatchObject({ readiness: 'passed', readiness_execution_id: EXECUTION_ID });
    expect(result.summary).toContain('Readiness dry run in us-east-1: passed');
  });

  test('GIVEN readiness fails a check WHEN the bake runs it THEN the bake fails with the failing step', async () => {
    automation('Failed', [
      step('validate-input', 'Success'),
      step('capacity', 'Failed', 'service orders: 1 running tasks in us-east-1; needs at least 2'),
    ]);

    const result = await runReadiness(readinessInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Readiness dry run failed in us-east-1: Automation shop-dev-readiness (${EXECUTION_ID}) ended Failed in us-east-1`,
    );
    expect(result.failure).toContain(
      '  - step capacity: Failed: service orders: 1 running tasks in us-east-1; needs at least 2',
    );
    expect(result.outputs['readiness']).toBe('failed');
  });

  test('GIVEN readiness still running at the time limit WHEN the bake gives up following it THEN the bake fails', async () => {
    automation('Success', [], 1000);

    const result = await runReadiness({ ...readinessInputs, timeout_minutes: '2' });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Automation shop-dev-readiness (${EXECUTION_ID}) is still InProgress in us-east-1`,
    );
  });

  test('GIVEN the deploy role may not start the automation WHEN the bake runs readiness THEN it fails closed (exit 3)', async () => {
    ssm.on(StartAutomationExecutionCommand).rejects(
      new SSMServiceException({
        name: 'AccessDeniedException',
        message: 'not authorized to perform: ssm:StartAutomationExecution',
        $fault: 'client',
        $metadata: {},
      }),
    );

    const result = await runReadiness(readinessInputs);

    expect(result.exitCode).toBe(3);
    expect(result.failure).toContain('SSM StartAutomationExecution shop-dev-readiness in us-east-1');
  });

  test('GIVEN the routing stage never deployed (first deploy, no routing parameter) WHEN the primary bake runs readiness THEN it is deferred to the bake after routing', async () => {
    ssm
      .on(GetParameterCommand, { Name: ROUTING_PARAMETER })
      .rejects(new ParameterNotFound({ message: 'Parameter not found', $metadata: {} }));

    const result = await runReadiness({ ...readinessInputs, routing_parameter: ROUTING_PARAMETER });

    expect(result.exitCode).toBe(0);
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
    expect(result.outputs['readiness']).toBe('deferred');
    expect(result.summary).toContain(
      `Readiness dry run in us-east-1: deferred: ${ROUTING_PARAMETER} does not exist in us-east-1 (the routing stage has not deployed yet); the bakes after the routing stage run it in both Regions`,
    );
  });

  test('GIVEN the routing parameter exists WHEN the primary bake runs readiness THEN it runs', async () => {
    ssm.on(GetParameterCommand, { Name: ROUTING_PARAMETER }).resolves({ Parameter: { Value: '{}' } });
    automation('Success', [step('routing-controls', 'Success')]);

    const result = await runReadiness({ ...readinessInputs, routing_parameter: ROUTING_PARAMETER });

    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommand(StartAutomationExecutionCommand);
    expect(result.outputs['readiness']).toBe('passed');
  });

  test('GIVEN the routing parameter cannot be read WHEN the primary bake runs readiness THEN it fails closed', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(
        new SSMServiceException({ name: 'AccessDeniedException', message: 'denied', $fault: 'client', $metadata: {} }),
      );

    const result = await runReadiness({ ...readinessInputs, routing_parameter: ROUTING_PARAMETER });

    expect(result.exitCode).toBe(3);
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
  });

  test('GIVEN readiness inputs with a bad value WHEN run THEN exit 2 before any call', async () => {
    const result = await runReadiness({ ...readinessInputs, app_name: 'Shop App', timeout_minutes: '99' });

    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain('app_name: "Shop App"');
    expect(result.failure).toContain('timeout_minutes: "99" is out of range; accepted: a whole number from 1 to 20');
    expect(ssm.calls()).toHaveLength(0);
  });
});
