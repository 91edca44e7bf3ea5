import { CloudFormationClient, DescribeStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import {
  type AutomationExecution,
  DeleteParameterCommand,
  DescribeAutomationExecutionsCommand,
  DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
  StartAutomationExecutionCommand,
  type StepExecution,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConstantBackoff } from 'cockatiel';
import escapeHtml from 'escape-html';
import {
  AUTOMATION_PARAMETERS,
  automationDocumentName,
  FAILBACK_OVERRIDE_VALUES,
  OVERRIDES_PARAMETER,
  REPORT_URL_OUTPUT,
} from '../../.github/actions/failover/automation-document-name';
import { run } from '../../.github/actions/failover/main';
import { demoTopology } from '../../runbooks/adapters/local/demo-topology';
import { failback, failover } from '../../runbooks/orchestrations';
import { OVERRIDABLE_CONDITIONS, OVERRIDE_ALL, parseOverrides } from '../../runbooks/orchestrations/failback-readiness';
import { automationDocument, invokeStepName, ssmStepName } from '../../runbooks/ssm/automation-document';
import { ARC_CONTROL_PLANE_REGION } from '../../stacks/arc-control-plane-region';
import { stackNames } from '../../stacks/naming/stack-names';
import { runbookTargets } from '../runbooks/ssm/runbook-functions';
import { FakeClock, runAction } from './action-harness';

const START = new Date('2025-03-01T12:00:00Z');
const EXECUTION_ID = '4f6c1a2e-8d3b-4c5e-9f7a-0b1c2d3e4f5a';
const TOKEN = '11111111-2222-4333-8444-555555555555';
const REPORT = 'https://shop-dev-reports.s3.us-west-2.amazonaws.com/runs/failover/4f6c1a2e/report.html';
const CONSOLE = `https://us-west-2.console.aws.amazon.com/systems-manager/automation/execution/${EXECUTION_ID}?region=us-west-2`;
const REASON = 'us-east-1 ALB returns 503 since 11:52 UTC (incident INC-1234)';

const ssm = mockClient(SSMClient);
const cloudFormation = mockClient(CloudFormationClient);
let clock: FakeClock;

const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

const FREEZE = '/shop/dev/deploy-freeze';
const LOCK = '/shop/dev/failover-lock';
/** The PutParameter calls of one parameter, in order. */
const putsOf = (name: string) => ssm.commandCalls(PutParameterCommand).filter((c) => c.args[0].input.Name === name);

function step(
  name: string,
  status: string,
  times: { start?: number; end?: number } = {},
  failure?: string,
  outputs?: Record<string, string[]>,
): StepExecution {
  return {
    StepName: name,
    Action: 'aws:executeScript',
    StepExecutionId: `${name}-id`,
    StepStatus: status as 'Success',
    ...(times.start === undefined ? {} : { ExecutionStartTime: at(times.start) }),
    ...(times.end === undefined ? {} : { ExecutionEndTime: at(times.end) }),
    ...(failure ? { FailureMessage: failure } : {}),
    ...(outputs ? { Outputs: outputs } : {}),
  };
}

/** The outputs SSM records for an aws:invokeLambdaFunction step: `Payload` is the JSON the function returned. */
const invokeOutputs = (returned: Record<string, unknown>) => ({
  Payload: [JSON.stringify(returned)],
  StatusCode: ['200'],
});

function execution(status: string, steps: StepExecution[], extra: Partial<AutomationExecution> = {}) {
  return {
    AutomationExecution: {
      AutomationExecutionId: EXECUTION_ID,
      DocumentName: 'shop-dev-failover',
      DocumentVersion: '1',
      AutomationExecutionStatus: status as 'Success',
      ExecutionStartTime: at(1),
      StepExecutions: steps,
      StepExecutionsTruncated: false,
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: [REASON] },
      Outputs: {},
      Mode: 'Auto' as const,
      ...extra,
    },
  };
}

const failoverInputs = {
  action: 'failover',
  region: 'us-west-2',
  primary_region: 'us-east-1',
  standby_region: 'us-west-2',
  dry_run: 'false',
  reason: REASON,
  app_name: 'shop',
  env_name: 'dev',
};

const runFailover = (inputs: Record<string, string>) =>
  runAction(() => run({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }), inputs);

beforeEach(() => {
  ssm.reset();
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => ({
    Stacks: [{ StackName: input.StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: at(-86_400) }],
  }));
  clock = new FakeClock(START);
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
  ssm.on(DescribeAutomationExecutionsCommand).resolves({ AutomationExecutionMetadataList: [] });
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
});

describe('automation naming contract', () => {
  test('documents are named <app>-<env>-<action> and take TargetRegion, DryRun and Reason', () => {
    expect(automationDocumentName('shop', 'prod', 'failback')).toBe('shop-prod-failback');
    expect(AUTOMATION_PARAMETERS).toEqual({ targetRegion: 'TargetRegion', dryRun: 'DryRun', reason: 'Reason' });
    expect(REPORT_URL_OUTPUT).toBe('ReportUrl');
  });
});

describe('failover dispatch', () => {
  test('a successful failover: steps streamed as they change, RTO and report link in the summary', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolvesOnce(
        execution('InProgress', [
          step('CheckReadiness', 'InProgress', { start: 1 }),
          step('PromoteDatabases', 'Pending'),
          step('ShiftTraffic', 'Pending'),
          step('Reconcile', 'Pending'),
        ]),
      )
      .resolvesOnce(
        execution('InProgress', [
          step('CheckReadiness', 'Success', { start: 1, end: 4 }),
          step('PromoteDatabases', 'InProgress', { start: 4 }),
          step('ShiftTraffic', 'Pending'),
          step('Reconcile', 'Pending'),
        ]),
      )
      .resolvesOnce(
        execution('InProgress', [
          step('CheckReadiness', 'Success', { start: 1, end: 4 }),
          step('PromoteDatabases', 'Success', { start: 4, end: 193 }),
          step('ShiftTraffic', 'Success', { start: 193, end: 215 }),
          step('Reconcile', 'InProgress', { start: 215 }),
        ]),
      )
      .resolves(
        execution(
          'Success',
          [
            step('CheckReadiness', 'Success', { start: 1, end: 4 }),
            step('PromoteDatabases', 'Success', { start: 4, end: 193 }),
            step('ShiftTraffic', 'Success', { start: 193, end: 215 }),
            step(
              'Reconcile',
              'Success',
              { start: 215, end: 253 },
              undefined,
              invokeOutputs({ Status: 'succeeded', Retry: false, Detail: 'stored', ReportUrl: REPORT }),
            ),
          ],
          { ExecutionEndTime: at(253), Outputs: {} },
        ),
      );

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-failover',
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: [REASON] },
      ClientToken: TOKEN,
    });
    expect(ssm).toHaveReceivedCommandTimes(GetAutomationExecutionCommand, 4);
    expect(ssm).toHaveReceivedCommandWith(GetAutomationExecutionCommand, { AutomationExecutionId: EXECUTION_ID });
    expect(clock.sleeps).toEqual([5000, 5000, 5000]);
    expect(result.lines).toEqual([
      'Took the failover lock /shop/dev/failover-lock in us-east-1, us-west-2',
      'Set the deploy freeze /shop/dev/deploy-freeze in us-east-1',
      'Set the deploy freeze /shop/dev/deploy-freeze in us-west-2',
      `Started shop-dev-failover in us-west-2: execution ${EXECUTION_ID}`,
      CONSOLE,
      '[+0s] step CheckReadiness (aws:executeScript): InProgress',
      '[+0s] automation: InProgress',
      '[+5s] step CheckReadiness (aws:executeScript): Success after 3s',
      '[+5s] step PromoteDatabases (aws:executeScript): InProgress',
      '[+10s] step PromoteDatabases (aws:executeScript): Success after 3m09s',
      '[+10s] step ShiftTraffic (aws:executeScript): Success after 22s',
      '[+10s] step Reconcile (aws:executeScript): InProgress',
      '[+15s] step Reconcile (aws:executeScript): Success after 38s',
      '[+15s] automation: Success',
    ]);
    expect(result.outputs).toEqual({
      execution_id: EXECUTION_ID,
      status: 'Success',
      rto_seconds: '252',
      report_url: REPORT,
    });
    expect(result.summary).toBe(
      [
        '<h2>failover to us-west-2</h2>',
        '<p>Result: Success</p>',
        `<p>Reason: ${REASON}</p>`,
        `<p>Document shop-dev-failover, execution ${EXECUTION_ID}</p>`,
        `<p>Execution: <a href="${CONSOLE}">${CONSOLE}</a></p>`,
        '<p>RTO (automation start → end): 4m12s</p>',
        '<table><tr><th>step</th><th>action</th><th>status</th><th>started</th><th>ended</th><th>duration</th></tr>' +
          '<tr><td>CheckReadiness</td><td>aws:executeScript</td><td>Success</td><td>2025-03-01T12:00:01Z</td><td>2025-03-01T12:00:04Z</td><td>3s</td></tr>' +
          '<tr><td>PromoteDatabases</td><td>aws:executeScript</td><td>Success</td><td>2025-03-01T12:00:04Z</td><td>2025-03-01T12:03:13Z</td><td>3m09s</td></tr>' +
          '<tr><td>ShiftTraffic</td><td>aws:executeScript</td><td>Success</td><td>2025-03-01T12:03:13Z</td><td>2025-03-01T12:03:35Z</td><td>22s</td></tr>' +
          '<tr><td>Reconcile</td><td>aws:executeScript</td><td>Success</td><td>2025-03-01T12:03:35Z</td><td>2025-03-01T12:04:13Z</td><td>38s</td></tr></table>',
        // The failover's ReportUrl is its run summary, not a missing-transaction report (issue 15, review F2).
        `<p>Run summary (JSON) in the report bucket: <a href="${REPORT}">${REPORT}</a></p>`,
        '<p>Missing-transaction report: a failover writes none. Once us-east-1 is back, dispatch this workflow with action recover and region us-west-2: it restores the old primary&#39;s snapshot, compares it with the writer here and links the report in its summary.</p>',
        '',
      ].join('\n'),
    );
  });

  test('the report link of an older document, listed as a document output <Step>.ReportUrl, is still read', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Success', [step('Reconcile', 'Success', { start: 1, end: 4 })], {
        ExecutionEndTime: at(4),
        Outputs: { 'Reconcile.ReportUrl': [REPORT] },
      }),
    );

    const result = await runFailover(failoverInputs);

    expect(result.outputs.report_url).toBe(REPORT);
  });

  test('a Payload that is not JSON, or whose ReportUrl is not an https or s3 link, gives no report link', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution(
          'Success',
          [
            step('a_invoke', 'Success', { start: 1, end: 2 }, undefined, { Payload: ['not json'] }),
            step('b_invoke', 'Success', { start: 2, end: 3 }, undefined, invokeOutputs({ ReportUrl: 'memory://x/' })),
          ],
          { ExecutionEndTime: at(3) },
        ),
      );

    const result = await runFailover(failoverInputs);

    expect(result.outputs.report_url).toBe('');
    expect(result.summary).toContain('<p>Run summary: none in the automation outputs (ReportUrl)</p>');
  });

  test("a step the runbook reports as failed: the job's failure quotes the runbook's own Detail", async () => {
    const detail = 'RDS FailoverGlobalCluster: InvalidDBClusterStateFault: cluster shop-dev-orders is not available';
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution(
          'Failed',
          [
            step('failover_orders_database', 'Success', { start: 1, end: 30 }),
            step(
              'failover_orders_database_invoke',
              'Success',
              { start: 1, end: 30 },
              undefined,
              invokeOutputs({ Status: 'failed', Retry: false, Step: 'failover-orders-database', Detail: detail }),
            ),
            step('failover_orders_database_outcome', 'Success', { start: 30, end: 31 }),
            step('failover_orders_database_failed', 'Failed', { start: 31, end: 32 }, 'Assertion failed'),
          ],
          { ExecutionEndTime: at(32), FailureMessage: 'Step fails when it is failover_orders_database_failed.' },
        ),
      );

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBe(
      [
        `Automation shop-dev-failover (${EXECUTION_ID}) ended Failed in us-west-2: Step fails when it is failover_orders_database_failed.`,
        '  - step failover_orders_database_failed: Failed: Assertion failed',
        `  - runbook step failover-orders-database: failed: ${detail}`,
      ].join('\n'),
    );
  });

  test('a failed step fails the job, naming the step and its message', async () => {
    const failure =
      'Step fails when it is Poll action status for completion. RDS FailoverGlobalCluster: InvalidDBClusterStateFault: cluster shop-dev-orders is not available';
    ssm
      .on(GetAutomationExecutionCommand)
      .resolvesOnce(execution('InProgress', [step('CheckReadiness', 'InProgress', { start: 1 })]))
      .resolves(
        execution(
          'Failed',
          [
            step('CheckReadiness', 'Success', { start: 1, end: 4 }),
            step('PromoteDatabases', 'Failed', { start: 4, end: 40 }, failure),
          ],
          { ExecutionEndTime: at(40), FailureMessage: `Step fails when it is PromoteDatabases. ${failure}` },
        ),
      );

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBe(
      `Automation shop-dev-failover (${EXECUTION_ID}) ended Failed in us-west-2: Step fails when it is PromoteDatabases. ${failure}\n` +
        `  - step PromoteDatabases: Failed: ${failure}`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.lines).toContain(`[+5s] step PromoteDatabases (aws:executeScript): Failed after 36s: ${failure}`);
    expect(result.outputs['status']).toBe('Failed');
    expect(result.summary).toContain('<p>Result: Failed</p>');
    // A failover that failed recovered nothing: its duration is not labelled RTO (review m4)
    expect(result.summary).toContain('<p>Duration (automation start → end): 39s</p>');
    expect(result.summary).not.toContain('RTO');
    expect(result.summary).toContain(
      '<tr><td>PromoteDatabases</td><td>aws:executeScript</td><td>Failed</td><td>2025-03-01T12:00:04Z</td><td>2025-03-01T12:00:40Z</td><td>36s</td></tr>',
    );
    expect(result.summary).toContain('<p>Run summary: none in the automation outputs (ReportUrl)</p>');
    // A failover that failed recovered nothing: no hint to run recover after it.
    expect(result.summary).not.toContain('Missing-transaction report');
  });

  test('a cancelled execution fails the job', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution(
          'Cancelled',
          [
            step('CheckReadiness', 'Success', { start: 1, end: 4 }),
            step('ShiftTraffic', 'Cancelled', { start: 4, end: 9 }),
          ],
          { DocumentName: 'shop-dev-switchover', ExecutionEndTime: at(9) },
        ),
      );

    const result = await runFailover({ ...failoverInputs, action: 'switchover' });

    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, { DocumentName: 'shop-dev-switchover' });
    expect(result.failure).toBe(
      `Automation shop-dev-switchover (${EXECUTION_ID}) ended Cancelled in us-west-2\n  - step ShiftTraffic: Cancelled`,
    );
    expect(result.exitCode).toBe(1);
    expect(ssm).toHaveReceivedCommandTimes(GetAutomationExecutionCommand, 1);
  });

  test.each(['TimedOut', 'CompletedWithFailure', 'Rejected'])(
    'an execution ending %s fails the job',
    async (status) => {
      ssm.on(GetAutomationExecutionCommand).resolves(execution(status, [], { ExecutionEndTime: at(30) }));

      const result = await runFailover(failoverInputs);

      expect(result.failure).toBe(`Automation shop-dev-failover (${EXECUTION_ID}) ended ${status} in us-west-2`);
    },
  );

  test('a dry run is the default: DryRun "true", no RTO, no report expected', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution('Success', [step('CheckReadiness', 'Success', { start: 1, end: 4 })], { ExecutionEndTime: at(4) }),
      );
    const { dry_run: _, ...withoutDryRun } = failoverInputs;

    const result = await runFailover(withoutDryRun);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['true'], Reason: [REASON] },
    });
    expect(result.lines[0]).toBe(`Started shop-dev-failover in us-west-2 (dry run): execution ${EXECUTION_ID}`);
    expect(result.summary).toContain('<h2>failover (dry run) to us-west-2</h2>');
    expect(result.summary).toContain('<p>Duration (automation start → end): 3s</p>');
    expect(result.summary).toContain(
      '<p>Run summary: none in the automation outputs (ReportUrl): a dry run writes none</p>',
    );
  });

  test('readiness runs the readiness document and has no report line', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(2) }));

    const result = await runFailover({ ...failoverInputs, action: 'readiness', region: 'us-east-1' });

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-readiness',
      Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: [REASON] },
    });
    expect(result.summary).not.toContain('Missing-transaction report');
  });

  test('stops following after timeout_minutes and fails, saying the automation keeps running', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(execution('InProgress', [step('PromoteDatabases', 'InProgress', { start: 4 })]));

    const result = await runFailover({ ...failoverInputs, timeout_minutes: '1', poll_seconds: '10' });

    expect(result.failure).toBe(
      `Automation shop-dev-failover (${EXECUTION_ID}) is still InProgress in us-west-2 after 1 minutes; the job stopped following it but it keeps running: follow it at ${CONSOLE}`,
    );
    expect(result.exitCode).toBe(1);
    expect(ssm).toHaveReceivedCommandTimes(GetAutomationExecutionCommand, 7);
    expect(clock.sleeps).toEqual(Array(6).fill(10_000));
    expect(result.summary).toContain('<p>Result: still InProgress (the job stopped following it)</p>');
  });

  test('a throttled poll is retried; the start carries one client token across retries', async () => {
    const throttled = new SSMServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
    ssm.reset();
    ssm
      .on(StartAutomationExecutionCommand)
      .rejectsOnce(
        new SSMServiceException({
          name: 'InternalServerError',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
          message: 'Internal error',
        }),
      )
      .resolves({ AutomationExecutionId: EXECUTION_ID });
    ssm
      .on(GetAutomationExecutionCommand)
      .rejectsOnce(throttled)
      .resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 2);
    const tokens = ssm.commandCalls(StartAutomationExecutionCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens).toEqual([TOKEN, TOKEN]);
    expect(ssm).toHaveReceivedCommandTimes(GetAutomationExecutionCommand, 2);
  });

  test('a missing document fails at once with the SSM error', async () => {
    ssm.reset();
    ssm.on(StartAutomationExecutionCommand).rejects(
      new SSMServiceException({
        name: 'AutomationDefinitionNotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Document with name shop-dev-failback does not exist.',
      }),
    );

    const result = await runFailover({ ...failoverInputs, action: 'failback', region: 'us-east-1' });

    expect(result.failure).toBe(
      'SSM StartAutomationExecution shop-dev-failback in us-east-1 failed: AutomationDefinitionNotFoundException: Document with name shop-dev-failback does not exist. (not retried: not a throttling, server or network error)',
    );
    expect(result.exitCode).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
  });

  test('a truncated step list is completed with DescribeAutomationStepExecutions', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Success', [step('CheckReadiness', 'Success', { start: 1, end: 4 })], {
        StepExecutionsTruncated: true,
        ExecutionEndTime: at(9),
      }),
    );
    ssm
      .on(DescribeAutomationStepExecutionsCommand)
      .resolvesOnce({ StepExecutions: [step('CheckReadiness', 'Success', { start: 1, end: 4 })], NextToken: 'page-2' })
      .resolves({ StepExecutions: [step('ShiftTraffic', 'Success', { start: 4, end: 9 })] });

    const result = await runFailover(failoverInputs);

    expect(ssm).toHaveReceivedCommandTimes(DescribeAutomationStepExecutionsCommand, 2);
    expect(ssm).toHaveReceivedNthSpecificCommandWith(2, DescribeAutomationStepExecutionsCommand, {
      AutomationExecutionId: EXECUTION_ID,
      NextToken: 'page-2',
    });
    expect(result.lines).toContain('[+0s] step ShiftTraffic (aws:executeScript): Success after 5s');
  });
});

describe('who dispatched and approved a failover (review m4)', () => {
  const RUN = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '4242' };

  test('GIVEN a re-run by another user in the failover Environment THEN the summary names both users, the Environment and the run', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(61) }));

    const result = await runAction(
      () => run({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }),
      { ...failoverInputs, environment: 'failover' },
      { ...RUN, GITHUB_ACTOR: 'oncall-alice', GITHUB_TRIGGERING_ACTOR: 'oncall-bob' },
    );

    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain('<p>Dispatched by: oncall-alice; this attempt started by oncall-bob</p>');
    expect(result.summary).toContain('<p>Approval: the job ran in the failover Environment;');
    expect(result.summary).toContain(
      '<p>Run (review history): <a href="https://github.com/acme/shop/actions/runs/4242">https://github.com/acme/shop/actions/runs/4242</a></p>',
    );
    // AND a real failover that succeeded is the one run whose duration is labelled RTO
    expect(result.summary).toContain('<p>RTO (automation start → end): 1m00s</p>');
  });

  describe("the approver, from the run's review history (GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals)", () => {
    let api: Server;
    let apiUrl: string;
    let answer: { status: number; body: unknown };
    let seen: { url?: string; authorization?: string };
    beforeEach(async () => {
      seen = {};
      api = createServer((req, res) => {
        seen = { url: req.url ?? '', authorization: String(req.headers.authorization ?? '') };
        res.statusCode = answer.status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer.body));
      });
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(61) }));
    });
    afterEach(() => new Promise<void>((resolve) => api.close(() => resolve())));

    const dispatchWithToken = () =>
      runAction(
        () => run({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }),
        { ...failoverInputs, environment: 'failover' },
        { ...RUN, GITHUB_API_URL: apiUrl, GITHUB_TOKEN: 'ghs_example', GITHUB_ACTOR: 'oncall-alice' },
      );

    test('GIVEN an approval in the failover Environment THEN the summary names the approver and the comment', async () => {
      answer = {
        status: 200,
        body: [
          { state: 'approved', comment: 'go', user: { login: 'lead-carol' }, environments: [{ name: 'failover' }] },
          { state: 'approved', comment: '', user: { login: 'someone' }, environments: [{ name: 'us-east-1' }] },
        ],
      };

      const result = await dispatchWithToken();

      expect(seen).toEqual({
        url: '/repos/acme/shop/actions/runs/4242/approvals',
        authorization: 'Bearer ghs_example',
      });
      expect(result.summary).toContain('<p>Approval: approved in the failover Environment by lead-carol (“go”)</p>');
      expect(result.exitCode).toBe(0);
    });

    test('GIVEN no approval recorded for the Environment THEN the summary says so', async () => {
      answer = { status: 200, body: [] };

      const result = await dispatchWithToken();

      expect(result.summary).toContain(
        '<p>Approval: none recorded for the failover Environment in the run’s review history (no required reviewers, or none asked)</p>',
      );
    });

    test('GIVEN the review history cannot be read THEN the summary says why and the failover result stands', async () => {
      answer = { status: 403, body: { message: 'Resource not accessible by integration' } };

      const result = await dispatchWithToken();

      expect(result.summary).toContain('<p>Approval: the run’s review history could not be read (HTTP 403)');
      expect(result.exitCode).toBe(0);
    });
  });

  test('GIVEN a first attempt THEN only the dispatching user is named', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(2) }));

    const result = await runAction(
      () => run({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }),
      failoverInputs,
      { ...RUN, GITHUB_ACTOR: 'oncall-alice', GITHUB_TRIGGERING_ACTOR: 'oncall-alice' },
    );

    expect(result.summary).toContain('<p>Dispatched by: oncall-alice</p>');
  });

  test.each(['Failed', 'TimedOut', 'Cancelled', 'CompletedWithFailure'])(
    'GIVEN a real failover that ended %s THEN its duration is not labelled RTO',
    async (status) => {
      ssm.on(GetAutomationExecutionCommand).resolves(execution(status, [], { ExecutionEndTime: at(21) }));

      const result = await runFailover(failoverInputs);

      expect(result.exitCode).toBe(1);
      expect(result.summary).toContain('<p>Duration (automation start → end): 20s</p>');
      expect(result.summary).not.toContain('RTO');
    },
  );
});

// Issue 18: failover.yml works the same in both routing modes: the same dispatch starts the Region's failover
// document, generated from the topology the runbook stack gives it, which holds `shift-traffic` in mode arc-cluster
// and `run-region-switch-plan` in mode region-switch; the summary says how the traffic moved, from the runbook's own
// Detail of that step (the Region switch execution step by step).
describe('the failover workflow in both routing modes (issue 18)', () => {
  const topologyIn = (mode: 'arc-cluster' | 'region-switch') => {
    const topology = demoTopology();
    return mode === 'arc-cluster'
      ? topology
      : {
          ...topology,
          routing: {
            ...topology.routing,
            mode,
            regionSwitch: {
              planArn: 'arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123',
              timeoutMinutes: 60,
            },
          },
        };
  };
  const TRAFFIC_DETAIL = {
    'arc-cluster': 'routing controls now us-west-2 On, us-east-1 Off',
    'region-switch':
      'Region switch execution exec-000001: activate us-west-2, ungraceful, completed; called in us-west-2\n  1. scale-services: completed (12:00:10 → 12:01:10)\n  2. switch-catalog: completed (12:01:10 → 12:02:40)\n  3. move-dns: completed (12:02:40 → 12:02:50)\n  4. start-recover: skipped',
  } as const;

  test.each(['arc-cluster', 'region-switch'] as const)(
    'GIVEN routing mode %s WHEN a failover is dispatched THEN the same inputs start the same document, whose traffic step the summary reports with the runbook detail',
    async (mode) => {
      const topology = topologyIn(mode);
      const loops = automationDocument(failover, topology, runbookTargets('us-west-2')).mainSteps.map((s) => s.name);
      const trafficStep = mode === 'arc-cluster' ? 'shift-traffic' : 'run-region-switch-plan';
      const otherStep = mode === 'arc-cluster' ? 'run-region-switch-plan' : 'shift-traffic';
      expect(loops).toContain(ssmStepName(trafficStep));
      expect(loops).not.toContain(ssmStepName(otherStep));
      const invokes = failover.steps(topology).map((s) => invokeStepName(s.name));
      const steps = invokes.map((name, i) => {
        const stepName = name.replace(/_invoke$/, '').replace(/_/g, '-');
        return step(
          name,
          'Success',
          { start: i * 10, end: i * 10 + 10 },
          undefined,
          invokeOutputs({
            Status: 'succeeded',
            Retry: false,
            Orchestration: 'failover',
            Step: stepName,
            Detail: stepName === trafficStep ? TRAFFIC_DETAIL[mode] : `${stepName} done`,
          }),
        );
      });
      ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', steps, { ExecutionEndTime: at(400) }));

      const result = await runFailover(failoverInputs);

      expect(result.exitCode).toBe(0);
      expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
        DocumentName: 'shop-dev-failover',
        Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: [REASON] },
      });
      const how =
        mode === 'arc-cluster'
          ? '<p>Traffic (ARC routing controls, step shift-traffic): routing controls now us-west-2 On, us-east-1 Off</p>'
          : '<p>Traffic (ARC Region switch plan, step run-region-switch-plan): Region switch execution exec-000001: activate us-west-2, ungraceful, completed; called in us-west-2; 1. scale-services: completed (12:00:10 → 12:01:10); 2. switch-catalog: completed (12:01:10 → 12:02:40); 3. move-dns: completed (12:02:40 → 12:02:50); 4. start-recover: skipped</p>';
      expect(result.summary).toContain(how);
    },
  );
});

describe('failover inputs', () => {
  test.each([
    [
      'a Region outside the deployment',
      { region: 'eu-west-1' },
      'region: "eu-west-1" is not a Region of this deployment; accepted: "us-east-1" (primary) or "us-west-2" (standby)',
    ],
    [
      'a malformed Region',
      { region: 'uswest2' },
      'region: "uswest2" is not a Region name; accepted: a Region such as "us-east-1"',
    ],
    [
      'an unknown action',
      { action: 'restore' },
      'action: "restore" is not one of them; accepted: "readiness", "failover", "switchover", "failback" or "recover"',
    ],
    [
      'dry_run other than true/false',
      { dry_run: 'yes' },
      'dry_run: "yes" is not a boolean; accepted: "true" or "false"',
    ],
    ['dry_run in capitals', { dry_run: 'FALSE' }, 'dry_run: "FALSE" is not a boolean; accepted: "true" or "false"'],
    [
      'an empty reason',
      { reason: '   ' },
      'reason: no value given; accepted: one line of text of at most 500 characters',
    ],
    [
      'a reason of 501 characters',
      { reason: 'x'.repeat(501) },
      `reason: "${'x'.repeat(100)}"... (501 characters) is 501 characters long; accepted: one line of text of at most 500 characters`,
    ],
    [
      'a reason with a new line',
      { reason: 'line one\nline two' },
      'reason: "line one\\nline two" has control characters (such as new lines); accepted: one line of text of at most 500 characters',
    ],
    [
      'equal primary and standby Regions',
      { standby_region: 'us-east-1', region: 'us-east-1' },
      'standby_region: "us-east-1" equals primary_region; accepted: a Region other than "us-east-1"',
    ],
    [
      'a bad poll interval',
      { poll_seconds: '0' },
      'poll_seconds: "0" is out of range; accepted: a whole number from 1 to 60',
    ],
  ])('%s stops the run before any AWS call', async (_, override, problem) => {
    const result = await runFailover({ ...failoverInputs, ...override });

    expect(result.failure).toBe(`Invalid inputs (nothing was called):\n  - ${problem}`);
    expect(result.exitCode).toBe(2);
    expect(ssm.calls()).toHaveLength(0);
    // The job summary says so too (review m4: a validation failure used to leave only an ::error:: line)
    expect(result.summary).toContain('inputs invalid, nothing started</h2>');
    expect(result.summary).toContain('<p>Result: invalid inputs; no AWS call was made (exit 2)</p>');
    expect(result.summary).toContain(`<tr><td>${escapeHtml(problem)}</td></tr>`);
  });

  test('validate_only checks the inputs and calls nothing (the workflow runs it before assuming a role)', async () => {
    const valid = await runFailover({ ...failoverInputs, validate_only: 'true' });
    const invalid = await runFailover({ ...failoverInputs, region: 'eu-west-1', validate_only: 'true' });

    expect(valid.exitCode).toBe(0);
    expect(valid.lines).toContain('inputs valid: failover to us-west-2, dry run false');
    expect(invalid.exitCode).toBe(2);
    expect(ssm.calls()).toHaveLength(0);
  });

  test('a reason of exactly 500 characters is accepted', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(2) }));

    const result = await runFailover({ ...failoverInputs, reason: 'x'.repeat(500) });

    expect(result.failure).toBeUndefined();
  });
});

describe('in-flight automations, attach and resume (review M10)', () => {
  const OTHER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
  /** What DescribeAutomationExecutions lists as in flight, per Region; an Error when the Region cannot answer. */
  let inFlight: Record<string, Array<{ id: string; document: string; target: string; dryRun: string }> | Error>;

  beforeEach(() => {
    inFlight = { 'us-east-1': [], 'us-west-2': [] };
    ssm.on(DescribeAutomationExecutionsCommand).callsFake(async (_input, getClient) => {
      const listed = inFlight[await getClient().config.region()];
      if (listed instanceof Error) throw listed;
      return {
        AutomationExecutionMetadataList: (listed ?? []).map((e) => ({
          AutomationExecutionId: e.id,
          DocumentName: e.document,
          AutomationExecutionStatus: 'InProgress' as const,
          ExecutionStartTime: at(-120),
        })),
      };
    });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
  });

  /** GetAutomationExecution of `id`: in flight with these parameters, then `final`. */
  function existing(id: string, document: string, target: string, dryRun: string, statuses: string[]) {
    const behaviour = ssm.on(GetAutomationExecutionCommand, { AutomationExecutionId: id });
    for (const status of statuses) {
      behaviour.resolvesOnce(
        execution(status, [step('ShiftTraffic', status === 'InProgress' ? 'InProgress' : status, { start: 1 })], {
          AutomationExecutionId: id,
          DocumentName: document,
          Parameters: { TargetRegion: [target], DryRun: [dryRun], Reason: ['earlier dispatch'] },
          ...(status === 'InProgress' ? {} : { ExecutionEndTime: at(30) }),
        }),
      );
    }
  }

  test('GIVEN a failback in flight in the target Region WHEN a failover is dispatched THEN it refuses (exit 1) and starts nothing', async () => {
    inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failback', target: 'us-west-2', dryRun: 'false' }];
    existing(OTHER_ID, 'shop-dev-failback', 'us-west-2', 'false', ['InProgress']);

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`shop-dev-failback (${OTHER_ID}) is InProgress in us-west-2`);
    expect(result.failure).toContain('execution_id');
    // AND the job summary says why nothing started (review m4: every way out writes one)
    expect(result.summary).toContain('<h2>failover to us-west-2: stopped</h2>');
    expect(result.summary).toContain('<p>Result: stopped (exit 1)</p>');
    expect(result.summary).toContain(escapeHtml(`shop-dev-failback (${OTHER_ID}) is InProgress in us-west-2`));
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
    expect(putsOf(FREEZE)).toHaveLength(0);
    expect(ssm).toHaveReceivedCommandWith(DescribeAutomationExecutionsCommand, {
      Filters: expect.arrayContaining([
        { Key: 'DocumentNamePrefix', Values: ['shop-dev-'] },
        { Key: 'ExecutionStatus', Values: expect.arrayContaining(['Pending', 'InProgress', 'Waiting']) },
      ]),
    });
  });

  test('GIVEN a failback in flight in the other Region (opposite direction) WHEN a failover is dispatched THEN it refuses', async () => {
    inFlight['us-east-1'] = [{ id: OTHER_ID, document: 'shop-dev-failback', target: 'us-east-1', dryRun: 'false' }];
    existing(OTHER_ID, 'shop-dev-failback', 'us-east-1', 'false', ['InProgress']);

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`is InProgress in us-east-1`);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  test('GIVEN the same failover to the same Region in flight WHEN dispatched again THEN it attaches and follows it', async () => {
    inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failover', target: 'us-west-2', dryRun: 'false' }];
    existing(OTHER_ID, 'shop-dev-failover', 'us-west-2', 'false', ['InProgress', 'InProgress', 'Success']);

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
    expect(result.outputs['execution_id']).toBe(OTHER_ID);
    expect(result.outputs['status']).toBe('Success');
    expect(result.lines).toContain(
      `Attached to shop-dev-failover in us-west-2: execution ${OTHER_ID} (already InProgress)`,
    );
  });

  test('GIVEN a dry run of the same failover in flight WHEN a real failover is dispatched THEN it refuses (a dry run moves nothing)', async () => {
    inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failover', target: 'us-west-2', dryRun: 'true' }];
    existing(OTHER_ID, 'shop-dev-failover', 'us-west-2', 'true', ['InProgress']);

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(1);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  // Review D3: every bake starts shop-dev-readiness with DryRun true for up to 5 minutes (the bake gate's readiness
  // check); a dry run changes nothing, so it must not stop a real failover. Its DryRun parameter is read with
  // GetAutomationExecution: the list's AutomationExecutionMetadata carries no parameters (SSM API reference,
  // AutomationExecutionMetadata; AutomationExecution.Parameters: "The key-value map of execution parameters, which
  // were supplied when calling StartAutomationExecution").
  test.each(['us-west-2', 'us-east-1'])(
    "GIVEN a bake's readiness dry run in flight in %s WHEN a real failover is dispatched THEN it starts",
    async (bakeRegion) => {
      inFlight[bakeRegion] = [{ id: OTHER_ID, document: 'shop-dev-readiness', target: bakeRegion, dryRun: 'true' }];
      existing(OTHER_ID, 'shop-dev-readiness', bakeRegion, 'true', ['InProgress']);
      ssm
        .on(GetAutomationExecutionCommand, { AutomationExecutionId: EXECUTION_ID })
        .resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

      const result = await runFailover(failoverInputs);

      expect(result.failure).toBeUndefined();
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
      expect(result.lines).toContain(
        `Not counted as in flight: shop-dev-readiness (${OTHER_ID}) is InProgress in ${bakeRegion}, target ${bakeRegion}, dry run: ${`https://${bakeRegion}.console.aws.amazon.com/systems-manager/automation/execution/${OTHER_ID}?region=${bakeRegion}`} (a readiness dry run changes nothing)`,
      );
    },
  );

  test('GIVEN a readiness run that is not a dry run in flight WHEN a real failover is dispatched THEN it still refuses', async () => {
    inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-readiness', target: 'us-west-2', dryRun: 'false' }];
    existing(OTHER_ID, 'shop-dev-readiness', 'us-west-2', 'false', ['InProgress']);

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(1);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  test('GIVEN a readiness execution whose parameters cannot be read WHEN a real failover is dispatched THEN it refuses (fail closed)', async () => {
    inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-readiness', target: 'us-west-2', dryRun: 'true' }];
    ssm.on(GetAutomationExecutionCommand, { AutomationExecutionId: OTHER_ID }).resolves({});

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`shop-dev-readiness (${OTHER_ID}) is InProgress in us-west-2`);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  // Review D10: failover.yml has no concurrency group and the in-flight check and the start are separate calls, so
  // two dispatches approved together could both start. A real dispatch first creates /<app>/<env>/failover-lock with
  // PutParameter Overwrite false, a compare-and-set (SSM PutParameter: Overwrite "Overwrite an existing parameter. The
  // default value is false."; ParameterAlreadyExists "The parameter already exists. You can't create duplicate
  // parameters."), and deletes it once its automation started (or it refused or attached).
  describe('the dispatch lock (review D10)', () => {
    const alreadyExists = () =>
      Object.assign(new Error('The parameter already exists.'), {
        name: 'ParameterAlreadyExists',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    const lockValue = (action: string, target: string, takenAt: Date) =>
      JSON.stringify({
        schemaVersion: 1,
        token: 'aaaaaaaa-0000-4000-8000-000000000000',
        action,
        targetRegion: target,
        runUrl: 'https://github.com/acme/shop/actions/runs/41',
        at: takenAt.toISOString(),
      });
    const lockCalls = () =>
      ssm
        .calls()
        .map((c) => c.args[0])
        .filter((c) => 'Name' in c.input && c.input.Name === LOCK);

    test('GIVEN a real failover THEN the lock is created (Overwrite false) before the in-flight check and deleted after the start, in both Regions', async () => {
      ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

      const result = await runFailover(failoverInputs);

      expect(result.exitCode).toBe(0);
      const calls = ssm.calls().map((c) => c.args[0]);
      const creates = calls.flatMap((c, i) => (c instanceof PutParameterCommand && c.input.Name === LOCK ? [i] : []));
      const deletes = calls.flatMap((c, i) =>
        c instanceof DeleteParameterCommand && c.input.Name === LOCK ? [i] : [],
      );
      const firstList = calls.findIndex((c) => c instanceof DescribeAutomationExecutionsCommand);
      const start = calls.findIndex((c) => c instanceof StartAutomationExecutionCommand);
      expect(creates).toHaveLength(2);
      expect(deletes).toHaveLength(2);
      expect(Math.max(...creates)).toBeLessThan(firstList);
      expect(Math.min(...deletes)).toBeGreaterThan(start);
      expect(putsOf(LOCK).map((c) => c.args[0].input.Overwrite)).toEqual([false, false]);
      expect(JSON.parse(putsOf(LOCK)[0]!.args[0].input.Value ?? '')).toMatchObject({
        action: 'failover',
        targetRegion: 'us-west-2',
      });
    });

    test('GIVEN another dispatch of the same failover holds the lock WHEN a second is dispatched THEN it waits, then attaches to that automation and starts nothing', async () => {
      // The first dispatch holds the lock for one poll, then has started its automation and released the lock.
      ssm
        .on(PutParameterCommand, { Name: LOCK, Overwrite: false })
        .rejectsOnce(alreadyExists())
        .resolves({ Version: 1 });
      ssm.on(GetParameterCommand, { Name: LOCK }).resolves({
        Parameter: { Name: LOCK, Value: lockValue('failover', 'us-west-2', at(-5)), Version: 1 },
      });
      inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failover', target: 'us-west-2', dryRun: 'false' }];
      existing(OTHER_ID, 'shop-dev-failover', 'us-west-2', 'false', ['InProgress', 'InProgress', 'Success']);

      const result = await runFailover(failoverInputs);

      expect(result.failure).toBeUndefined();
      expect(result.outputs['execution_id']).toBe(OTHER_ID);
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
      expect(putsOf(FREEZE)).toHaveLength(0);
      expect(
        result.lines.some((l) =>
          l.startsWith(
            'Waiting to attach to the same runbook: the failover lock in us-east-1 is held by another dispatch',
          ),
        ),
      ).toBe(true);
      expect(clock.sleeps[0]).toBe(15_000);
      expect(result.lines).toContain(
        `Attached to shop-dev-failover in us-west-2: execution ${OTHER_ID} (already InProgress)`,
      );
    });

    test('GIVEN 8 minutes of waiting for the lock WHEN it attaches THEN it follows only for what is left of timeout_minutes + the 5-minute stack wait (the credentials)', async () => {
      const behaviour = ssm.on(PutParameterCommand, { Name: LOCK, Overwrite: false });
      for (let i = 0; i < 32; i++) behaviour.rejectsOnce(alreadyExists());
      behaviour.resolves({ Version: 1 });
      ssm.on(GetParameterCommand, { Name: LOCK }).callsFake(async () => ({
        Parameter: { Name: LOCK, Value: lockValue('failover', 'us-west-2', clock.now()), Version: 1 },
      }));
      inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failover', target: 'us-west-2', dryRun: 'false' }];
      ssm.on(GetAutomationExecutionCommand, { AutomationExecutionId: OTHER_ID }).resolves(
        execution('InProgress', [step('ShiftTraffic', 'InProgress', { start: 1 })], {
          AutomationExecutionId: OTHER_ID,
          Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: ['earlier dispatch'] },
        }),
      );

      const result = await runFailover({ ...failoverInputs, timeout_minutes: '45', poll_seconds: '60' });

      expect(result.exitCode).toBe(1);
      expect(result.outputs['execution_id']).toBe(OTHER_ID);
      const minutes = (clock.now().getTime() - START.getTime()) / 60_000;
      expect(minutes).toBe(45 + 5);
    });

    test('GIVEN a failback to us-east-1 holds the lock WHEN a failover is dispatched THEN it refuses (exit 1), naming the holder, and writes and starts nothing', async () => {
      ssm.on(PutParameterCommand, { Name: LOCK, Overwrite: false }).rejects(alreadyExists());
      ssm.on(GetParameterCommand, { Name: LOCK }).resolves({
        Parameter: { Name: LOCK, Value: lockValue('failback', 'us-east-1', at(-30)), Version: 1 },
      });

      const result = await runFailover(failoverInputs);

      expect(result.exitCode).toBe(1);
      expect(result.failure).toContain(
        `Not starting shop-dev-failover to us-west-2: the failover lock in us-east-1 is held by another dispatch since ${at(-30).toISOString()}: failback to us-east-1 (https://github.com/acme/shop/actions/runs/41)`,
      );
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
      expect(ssm).toHaveReceivedCommandTimes(DescribeAutomationExecutionsCommand, 0);
      expect(putsOf(FREEZE)).toHaveLength(0);
      expect(ssm).toHaveReceivedCommandTimes(DeleteParameterCommand, 0);
    });

    test('GIVEN the standby Region holds another lock after the primary was taken THEN the primary is released and it refuses', async () => {
      ssm.on(PutParameterCommand, { Name: LOCK, Overwrite: false }).callsFake(async (_input, getClient) => {
        if ((await getClient().config.region()) === 'us-west-2') throw alreadyExists();
        return { Version: 1 };
      });
      ssm.on(GetParameterCommand, { Name: LOCK }).resolves({
        Parameter: { Name: LOCK, Value: lockValue('switchover', 'us-west-2', at(-30)), Version: 1 },
      });

      const result = await runFailover(failoverInputs);

      expect(result.exitCode).toBe(1);
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
      expect(ssm).toHaveReceivedCommandTimes(DeleteParameterCommand, 1);
    });

    test('GIVEN a lock older than 10 minutes (its dispatch died) THEN it is taken over (overwritten) and the failover starts', async () => {
      ssm.on(PutParameterCommand, { Name: LOCK, Overwrite: false }).rejects(alreadyExists());
      ssm.on(PutParameterCommand, { Name: LOCK, Overwrite: true }).resolves({ Version: 2 });
      ssm.on(GetParameterCommand, { Name: LOCK }).resolves({
        Parameter: { Name: LOCK, Value: lockValue('failover', 'us-west-2', at(-11 * 60)), Version: 1 },
      });
      ssm
        .on(GetAutomationExecutionCommand, { AutomationExecutionId: EXECUTION_ID })
        .resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

      const result = await runFailover(failoverInputs);

      expect(result.failure).toBeUndefined();
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
      expect(result.lines.some((l) => l.includes('older than 10 minutes') && l.endsWith('taking it over'))).toBe(true);
    });

    test('GIVEN the Region moved away from cannot take the lock (it is failing) THEN the target Region alone holds it and the failover starts', async () => {
      ssm.on(PutParameterCommand, { Name: LOCK }).callsFake(async (_input, getClient) => {
        if ((await getClient().config.region()) === 'us-east-1') {
          throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
        }
        return { Version: 1 };
      });
      ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

      const result = await runFailover(failoverInputs);

      expect(result.failure).toBeUndefined();
      expect(result.lines).toContain('Took the failover lock /shop/dev/failover-lock in us-west-2');
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    });

    test('GIVEN an automation in flight WHEN the dispatch refuses THEN it releases the lock it took', async () => {
      inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failback', target: 'us-west-2', dryRun: 'false' }];
      existing(OTHER_ID, 'shop-dev-failback', 'us-west-2', 'false', ['InProgress']);

      const result = await runFailover(failoverInputs);

      expect(result.exitCode).toBe(1);
      expect(lockCalls().filter((c) => c instanceof DeleteParameterCommand)).toHaveLength(2);
    });

    test('GIVEN a dry run THEN no lock is taken (it changes nothing)', async () => {
      ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));
      const result = await runFailover({ ...failoverInputs, dry_run: 'true' });
      expect(result.exitCode).toBe(0);
      expect(lockCalls()).toEqual([]);
    });
  });

  test('GIVEN the failed Region cannot list its executions WHEN a failover is dispatched THEN it goes ahead (that Region is the one failing)', async () => {
    inFlight['us-east-1'] = Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    expect(result.lines.some((l) => l.includes('Could not list the automations in flight in us-east-1'))).toBe(true);
  });

  test('GIVEN a real failover WHEN dispatched THEN the deploy freeze is written in both Regions before StartAutomationExecution', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(0);
    const calls = ssm.calls().map((c) => c.args[0]);
    const firstStart = calls.findIndex((c) => c instanceof StartAutomationExecutionCommand);
    const puts = calls.flatMap((c, i) => (c instanceof PutParameterCommand && c.input.Name === FREEZE ? [i] : []));
    expect(puts).toHaveLength(2);
    expect(Math.max(...puts)).toBeLessThan(firstStart);
    const record = JSON.parse(putsOf(FREEZE)[0]!.args[0].input.Value ?? '');
    expect(record).toMatchObject({ frozen: true, action: 'failover', targetRegion: 'us-west-2', reason: REASON });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: '/shop/dev/deploy-freeze', Overwrite: true });
  });

  // Issue 15 (review F2): recover restores, reconciles and reports; it moves neither traffic nor writers.
  test('GIVEN a real recover WHEN dispatched THEN it starts shop-dev-recover without freeze or lock, and the summary links each report.html with its counts', async () => {
    const folder = 's3://shop-dev-us-west-2-runbook-reports/runs/recover/failover-20250301T114500Z/';
    const reconcileStep = (db: string, summary: string) =>
      step(
        `reconcile_${db}_invoke`,
        'Success',
        { start: 2, end: 3 },
        undefined,
        invokeOutputs({
          Status: 'succeeded',
          Retry: false,
          Detail: `complete: ${summary}`,
          Step: `reconcile-${db}`,
          Outputs: { status: 'complete', summary, report: `${folder}${db}/` },
        }),
      );
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution(
          'Success',
          [
            reconcileStep('catalog', 'no missing transactions'),
            reconcileStep('orders', 'lost_insert 20'),
            step(
              'store_summary_invoke',
              'Success',
              { start: 3, end: 4 },
              undefined,
              invokeOutputs({ Status: 'succeeded', Retry: false, Detail: 'stored', ReportUrl: folder }),
            ),
          ],
          { DocumentName: 'shop-dev-recover', ExecutionEndTime: at(4) },
        ),
      );

    const result = await runFailover({ ...failoverInputs, action: 'recover', reason: 'INC-42: lost writes' });

    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-recover',
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: ['INC-42: lost writes'] },
    });
    expect(putsOf(FREEZE)).toEqual([]);
    expect(putsOf(LOCK)).toEqual([]);
    const consoleUrl = (db: string) =>
      `https://us-west-2.console.aws.amazon.com/s3/object/shop-dev-us-west-2-runbook-reports?region=us-west-2&amp;bucketType=general&amp;prefix=runs%2Frecover%2Ffailover-20250301T114500Z%2F${db}%2Freport.html`;
    expect(result.summary).toContain('<p>Duration (automation start → end): 3s</p>');
    expect(result.summary).toContain(
      '<table><tr><th>database</th><th>report</th><th>found (rows per class)</th></tr>' +
        '<tr><td>catalog</td><td>complete</td><td>no missing transactions</td></tr>' +
        '<tr><td>orders</td><td>complete</td><td>lost_insert 20</td></tr></table>',
    );
    for (const db of ['catalog', 'orders']) {
      expect(result.summary).toContain(
        `<p>${db}: missing-transaction report (report.html, S3 console): <a href="${consoleUrl(db)}">${consoleUrl(db)}</a></p>`,
      );
      expect(result.summary).toContain(
        `<p>${db}: download it with aws s3 cp ${folder}${db}/report.html ./${db}-report.html --region us-west-2</p>`,
      );
    }
  });

  // A failover run from the console or the CLI records no failover time in the runbook journal: recover then needs it.
  test('GIVEN recover with failover_at WHEN dispatched THEN the document gets FailoverAt, normalised to UTC', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(execution('Success', [], { DocumentName: 'shop-dev-recover', ExecutionEndTime: at(3) }));

    const result = await runFailover({
      ...failoverInputs,
      action: 'recover',
      reason: 'INC-42',
      failover_at: '2025-03-01T12:45:00+01:00',
    });

    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-recover',
      Parameters: {
        TargetRegion: ['us-west-2'],
        DryRun: ['false'],
        Reason: ['INC-42'],
        FailoverAt: ['2025-03-01T11:45:00.000Z'],
      },
    });
  });

  test.each([
    [
      'failover',
      '2025-03-01T11:45:00Z',
      'failover_at: only recover takes it (the time of the failover it reports on); accepted: empty for "failover"',
    ],
    [
      'recover',
      '2025-02-30T11:45:00Z',
      'failover_at: "2025-02-30T11:45:00Z" is not an ISO 8601 time with a time zone and a date and time that exist; accepted: an ISO 8601 time with a time zone, such as "2025-01-31T12:00:00Z"',
    ],
  ])(
    'GIVEN action %s and failover_at %s THEN exit 2 naming the input, nothing called',
    async (action, failoverAt, problem) => {
      const result = await runFailover({ ...failoverInputs, action, failover_at: failoverAt });

      expect(result.exitCode).toBe(2);
      expect(result.failure).toContain(problem);
      expect(ssm.calls()).toEqual([]);
    },
  );

  // Review D5: a failback moves traffic and writers too, so it freezes deploys before it starts; the CLI lifts the
  // freeze only once the failback succeeded (the one place that decides: a failed failback leaves deploys frozen).
  test('GIVEN a real failback WHEN it succeeds THEN the freeze is written in both Regions before the start and lifted in both after it', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Success', [], {
        ExecutionEndTime: at(3),
        DocumentName: 'shop-dev-failback',
        Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: [REASON] },
      }),
    );

    const result = await runFailover({ ...failoverInputs, action: 'failback', region: 'us-east-1' });

    expect(result.failure).toBeUndefined();
    const calls = ssm.calls().map((c) => c.args[0]);
    const start = calls.findIndex((c) => c instanceof StartAutomationExecutionCommand);
    const lastPoll = calls.map((c) => c instanceof GetAutomationExecutionCommand).lastIndexOf(true);
    const puts = putsOf(FREEZE).map((c) => JSON.parse(c.args[0].input.Value ?? ''));
    const putIndexes = calls.flatMap((c, i) =>
      c instanceof PutParameterCommand && c.input.Name === FREEZE ? [i] : [],
    );
    expect(puts.map((record) => record.frozen)).toEqual([true, true, false, false]);
    expect(puts[0]).toMatchObject({ action: 'failback', targetRegion: 'us-east-1', reason: REASON });
    expect(putIndexes.slice(0, 2).every((i) => i < start)).toBe(true);
    expect(putIndexes.slice(2).every((i) => i > lastPoll)).toBe(true);
    expect(result.lines).toContain('Cleared the deploy freeze /shop/dev/deploy-freeze in us-east-1');
    expect(result.lines).toContain('Cleared the deploy freeze /shop/dev/deploy-freeze in us-west-2');
  });

  test('GIVEN a real failback WHEN it fails THEN the freeze it wrote stays (deploys stay frozen)', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(execution('Failed', [], { ExecutionEndTime: at(3), FailureMessage: 'Step fails when it is Promote' }));

    const result = await runFailover({ ...failoverInputs, action: 'failback', region: 'us-east-1' });

    expect(result.exitCode).toBe(1);
    const records = putsOf(FREEZE).map((c) => JSON.parse(c.args[0].input.Value ?? ''));
    expect(records.map((record) => record.frozen)).toEqual([true, true]);
  });

  test('GIVEN a failback that succeeded WHEN the freeze cannot be lifted in one Region THEN exit 3, naming the Region and how to lift it', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));
    let puts = 0;
    ssm.on(PutParameterCommand).callsFake(async (input, getClient) => {
      puts += 1;
      const region = await getClient().config.region();
      if (input.Name === FREEZE && !JSON.parse(input.Value).frozen && region === 'us-west-2') {
        throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
      }
      return { Version: puts };
    });

    const result = await runFailover({ ...failoverInputs, action: 'failback', region: 'us-east-1' });

    expect(result.exitCode).toBe(3);
    expect(result.failure).toContain('The failback succeeded but the deploy freeze was NOT lifted in us-west-2');
    expect(result.failure).toContain('INPUT_COMMAND=clear');
    expect(result.outputs['status']).toBe('Success');
  });

  test.each([
    ['a dry run', { dry_run: 'true' }],
    ['readiness', { action: 'readiness', dry_run: 'false' }],
    ['a dry-run failback', { action: 'failback', region: 'us-east-1', dry_run: 'true' }],
  ])('GIVEN %s WHEN dispatched THEN no freeze is written', async (_name, change) => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));
    const result = await runFailover({ ...failoverInputs, ...change });
    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN the freeze cannot be written in any Region WHEN a failover is dispatched THEN exit 3 and nothing is started', async () => {
    ssm
      .on(PutParameterCommand, { Name: FREEZE })
      .rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(3);
    expect(result.failure).toContain('Could not write the deploy freeze');
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  test('GIVEN execution_id of a running execution WHEN dispatched THEN it follows that one and starts nothing', async () => {
    inFlight['us-west-2'] = [{ id: OTHER_ID, document: 'shop-dev-failover', target: 'us-west-2', dryRun: 'false' }];
    existing(OTHER_ID, 'shop-dev-failover', 'us-west-2', 'false', ['InProgress', 'InProgress', 'Failed']);

    const result = await runFailover({ ...failoverInputs, execution_id: OTHER_ID });

    expect(result.exitCode).toBe(1);
    expect(result.outputs['execution_id']).toBe(OTHER_ID);
    expect(result.outputs['status']).toBe('Failed');
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  test('GIVEN execution_id of a failed execution WHEN dispatched THEN a new execution resumes it (ResumeExecutionId), after the freeze', async () => {
    existing(OTHER_ID, 'shop-dev-failover', 'us-west-2', 'false', ['Failed']);
    ssm
      .on(GetAutomationExecutionCommand, { AutomationExecutionId: EXECUTION_ID })
      .resolves(execution('Success', [], { ExecutionEndTime: at(40) }));

    const result = await runFailover({ ...failoverInputs, execution_id: OTHER_ID });

    expect(result.failure).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-failover',
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['false'], Reason: [REASON], ResumeExecutionId: [OTHER_ID] },
    });
    expect(putsOf(FREEZE)).toHaveLength(2);
    expect(result.outputs['execution_id']).toBe(EXECUTION_ID);
  });

  test('GIVEN execution_id of another action or target WHEN dispatched THEN it refuses (exit 1) and starts nothing', async () => {
    existing(OTHER_ID, 'shop-dev-failback', 'us-east-1', 'false', ['Failed']);

    const result = await runFailover({ ...failoverInputs, execution_id: OTHER_ID });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`execution_id: "${OTHER_ID}" is shop-dev-failback to us-east-1`);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
  });

  test('execution_id must be an execution id (exit 2, nothing called)', async () => {
    const result = await runFailover({ ...failoverInputs, execution_id: 'latest; rm -rf /' });
    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain('execution_id: "latest; rm -rf /" is not an automation execution id');
    expect(ssm.calls()).toHaveLength(0);
  });
});

// Review D6 (B2 remainder): a failover, switchover or failback must not start while CloudFormation still updates a
// stack the runbooks depend on in the target Region. CloudFormation, "Stack status codes" (User Guide,
// using-cfn-describing-stacks): UPDATE_IN_PROGRESS "Ongoing update of one or more stacks",
// UPDATE_COMPLETE_CLEANUP_IN_PROGRESS "Ongoing removal of old resources for one or more stacks after a successful
// stack update", UPDATE_ROLLBACK_IN_PROGRESS "Ongoing removal of one or more stacks after a failed stack update":
// every `*_IN_PROGRESS` status is an operation not yet ended.
describe('CloudFormation operations in flight in the target Region (review D6)', () => {
  const names = stackNames('shop', 'dev');
  /** The status of each stack (by name) per DescribeStacks call, the last one repeated; `missing`: it does not exist. */
  let statuses: Record<string, Array<StackStatus | 'missing'>>;

  beforeEach(() => {
    statuses = {};
    cloudFormation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
      const name = input.StackName ?? '';
      const queue = statuses[name] ?? ['UPDATE_COMPLETE'];
      const status = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (status === 'missing') {
        // DescribeStacks of a stack that does not exist: ValidationError "Stack with id <name> does not exist".
        throw Object.assign(new Error(`Stack with id ${name} does not exist`), {
          name: 'ValidationError',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { Stacks: [{ StackName: name, StackStatus: status, CreationTime: at(-86_400) }] };
    });
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(400) }));
  });

  const described = () =>
    cloudFormation
      .commandCalls(DescribeStacksCommand)
      .map((c) => c.args[0].input.StackName)
      .filter((name, i, all) => all.indexOf(name) === i)
      .sort();

  test('GIVEN a real failover THEN it reads the target Region’s network, data, services and runbooks stacks and the routing stack, by their names', async () => {
    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(0);
    expect(described()).toEqual(
      [
        names.network('us-west-2'),
        names.data('us-west-2'),
        names.services('us-west-2'),
        names.runbooks('us-west-2'),
        names.routing,
      ].sort(),
    );
    const regions = await Promise.all(
      cloudFormation.commandCalls(DescribeStacksCommand).map(async (c) => [
        c.args[0].input.StackName,
        // biome-ignore lint/suspicious/noExplicitAny: the mock's client
        await (c.thisValue as any).config.region(),
      ]),
    );
    expect(Object.fromEntries(regions)).toMatchObject({
      [names.services('us-west-2')]: 'us-west-2',
      [names.routing]: ARC_CONTROL_PLANE_REGION,
    });
  });

  test('GIVEN the services stack UPDATE_IN_PROGRESS for two polls WHEN a failover is dispatched THEN it waits, then starts', async () => {
    statuses[names.services('us-west-2')] = [
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ];

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    expect(result.lines).toContain(
      `Waiting for CloudFormation in us-west-2 (at most 5 minutes): ${names.services('us-west-2')} is UPDATE_IN_PROGRESS`,
    );
    expect(clock.now().getTime() - START.getTime()).toBeGreaterThanOrEqual(30_000);
  });

  test('GIVEN the runbooks stack still UPDATE_ROLLBACK_IN_PROGRESS after 5 minutes WHEN a failover is dispatched THEN it refuses (exit 1), naming the stack, its status and the override', async () => {
    statuses[names.runbooks('us-west-2')] = ['UPDATE_ROLLBACK_IN_PROGRESS'];

    const result = await runFailover(failoverInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      `Not starting shop-dev-failover to us-west-2: CloudFormation is still changing a stack the runbooks depend on, after waiting 5 minutes:\n  - ${names.runbooks('us-west-2')} in us-west-2 is UPDATE_ROLLBACK_IN_PROGRESS\nWait for it to end and dispatch again, or dispatch with ignore_stack_updates true to start anyway (the runbook may then act on resources CloudFormation is still changing). The deploy freeze stays set.`,
    );
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
    expect(clock.now().getTime() - START.getTime()).toBeGreaterThanOrEqual(5 * 60_000);
  });

  test('GIVEN a stack in progress and ignore_stack_updates true WHEN a failover is dispatched THEN it starts at once, saying so', async () => {
    statuses[names.data('us-west-2')] = ['UPDATE_IN_PROGRESS'];

    const result = await runFailover({ ...failoverInputs, ignore_stack_updates: 'true' });

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    expect(result.lines).toContain(
      `ignore_stack_updates: starting although CloudFormation is still changing ${names.data('us-west-2')} in us-west-2 (UPDATE_IN_PROGRESS)`,
    );
  });

  test('GIVEN the routing stack does not exist (never deployed) THEN it is not in progress and the failover starts', async () => {
    statuses[names.routing] = ['missing'];

    const result = await runFailover(failoverInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
  });

  test.each([
    ['a dry run', { dry_run: 'true' }],
    ['readiness', { action: 'readiness', dry_run: 'false' }],
  ])('GIVEN %s THEN no stack is waited on (it changes nothing)', async (_name, change) => {
    statuses[names.services('us-west-2')] = ['UPDATE_IN_PROGRESS'];
    const result = await runFailover({ ...failoverInputs, ...change });
    expect(result.exitCode).toBe(0);
    // The only stacks a dry run reads are the runbooks stacks, for the report bucket of its last readiness verdicts
    // (issue 17, readiness-last-verdict.test.ts); readiness (not a dry run) reads none.
    const read = cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName);
    expect(read.sort()).toEqual(
      change.dry_run === 'true' ? [names.runbooks('us-east-1'), names.runbooks('us-west-2')] : [],
    );
  });

  test.each(['switchover', 'failback'])(
    'GIVEN a real %s and a stack in progress THEN it refuses too',
    async (action) => {
      const region = action === 'failback' ? 'us-east-1' : 'us-west-2';
      statuses[names.network(region)] = ['CREATE_IN_PROGRESS'];

      const result = await runFailover({ ...failoverInputs, action, region });

      expect(result.exitCode).toBe(1);
      expect(result.failure).toContain(`${names.network(region)} in ${region} is CREATE_IN_PROGRESS`);
      expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
    },
  );

  test('ignore_stack_updates must be true or false (exit 2, nothing called)', async () => {
    const result = await runFailover({ ...failoverInputs, ignore_stack_updates: 'yes' });
    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain('ignore_stack_updates: "yes" is not a boolean; accepted: "true" or "false"');
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});

// Issue 17, failback readiness: a failback refuses while the returning Region has not been healthy long enough, its
// canaries are red or its capacity is not in place, unless the input `overrides` waives the condition
// (runbooks/README.md, "Failback readiness"). failover.yml passes it as `overrides`; the CLI checks it before any
// AWS call and gives it to the failback document as its `Overrides` parameter.
describe('failback overrides (issue 17)', () => {
  const OTHER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
  const failbackInputs = { ...failoverInputs, action: 'failback', region: 'us-east-1' };
  const ACCEPTED =
    'a list of 1 to 4 items separated by commas or new lines, each "healthy-long-enough", "canaries-green", "capacity-in-place" or "all"';
  /** The step the failback runbook returns from `check-failback-readiness` (runbooks/lambda/step-handler.ts). */
  const readinessStep = (detail: string, overridden: string) =>
    step('check_failback_readiness_invoke', 'Success', { start: 1, end: 2 }, undefined, {
      ...invokeOutputs({
        Status: 'succeeded',
        Retry: false,
        Orchestration: 'failback',
        Step: 'check-failback-readiness',
        ExecutionId: EXECUTION_ID,
        Detail: detail,
        Outputs: { overridden },
      }),
    });
  const succeeded = (steps: StepExecution[], parameters: Record<string, string[]>) =>
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Success', steps, {
        ExecutionEndTime: at(3),
        DocumentName: 'shop-dev-failback',
        Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: [REASON], ...parameters },
      }),
    );

  test('GIVEN the CLI and the failback runbook THEN the CLI accepts exactly the conditions the runbook lets be overridden, and the failback document takes Overrides with what the CLI passes', () => {
    expect(FAILBACK_OVERRIDE_VALUES).toEqual([...OVERRIDABLE_CONDITIONS, OVERRIDE_ALL]);
    const parameter = automationDocument(failback, demoTopology(), runbookTargets('us-east-1')).parameters[
      OVERRIDES_PARAMETER
    ];
    expect(parameter).toMatchObject({ type: 'String', default: '' });
    for (const passed of ['canaries-green,healthy-long-enough', 'all']) {
      expect(new RegExp(parameter?.allowedPattern ?? '^$').test(passed)).toBe(true);
      expect(parseOverrides({ overrides: passed }).length).toBeGreaterThan(0);
    }
  });

  test.each([
    [
      'given with a failover',
      { ...failoverInputs, overrides: 'all' },
      'overrides: only failback takes it (the failback readiness conditions to go on without); accepted: empty for "failover"',
    ],
    [
      'an unknown condition',
      { ...failbackInputs, overrides: 'canaries-green,healthy' },
      `overrides: "canaries-green,healthy" has an item "healthy" that is not one of them; accepted: ${ACCEPTED}`,
    ],
    [
      'replication-caught-up, which no override waives',
      { ...failbackInputs, overrides: 'replication-caught-up' },
      `overrides: "replication-caught-up" has an item "replication-caught-up" that cannot be overridden (Aurora switches over only to a connected member; raise maxLagSeconds instead); accepted: ${ACCEPTED}`,
    ],
    [
      'all in capitals',
      { ...failbackInputs, overrides: 'ALL' },
      `overrides: "ALL" has an item "ALL" that is not one of them; accepted: ${ACCEPTED}`,
    ],
  ])(
    'GIVEN overrides %s THEN exit 2 naming the field, the value and what is accepted, nothing called',
    async (_, inputs, problem) => {
      const result = await runFailover(inputs);

      expect(result.exitCode).toBe(2);
      expect(result.failure).toBe(`Invalid inputs (nothing was called):\n  - ${problem}`);
      expect(ssm.calls()).toHaveLength(0);
      expect(result.summary).toContain(`<tr><td>${escapeHtml(problem)}</td></tr>`);
    },
  );

  test('GIVEN a failback with overrides spaced, repeated and with an empty item THEN the document gets Overrides as one comma-separated list its pattern accepts', async () => {
    succeeded([], { Overrides: ['canaries-green,healthy-long-enough'] });

    const result = await runFailover({
      ...failbackInputs,
      overrides: ' canaries-green , healthy-long-enough,,canaries-green',
    });

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-failback',
      Parameters: {
        TargetRegion: ['us-east-1'],
        DryRun: ['false'],
        Reason: [REASON],
        Overrides: ['canaries-green,healthy-long-enough'],
      },
    });
  });

  test('GIVEN a failback without overrides THEN the document gets no Overrides (its default: every condition must hold), and the summary says so', async () => {
    succeeded([], {});

    const result = await runFailover(failbackInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-failback',
      Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: [REASON] },
    });
    expect(result.summary).toContain('<p>Overrides: none (every failback readiness condition must hold)</p>');
  });

  test('GIVEN a failback with overrides all whose runbook waived canaries-green THEN the summary shows what was asked and what the runbook waived, with what was unmet', async () => {
    const unmet = 'canaries-green: shop-dev-us-east-1-canary-checkout is ALARM';
    succeeded(
      [
        readinessStep(
          `healthy-long-enough: OK since 2025-03-01T10:00:00.000Z; replication-caught-up: ok; OVERRIDDEN ${unmet}`,
          'canaries-green',
        ),
      ],
      { Overrides: ['all'] },
    );

    const result = await runFailover({ ...failbackInputs, overrides: 'all' });

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      Parameters: expect.objectContaining({ Overrides: ['all'] }),
    });
    expect(result.summary).toContain('<p>Overrides: all (healthy-long-enough, canaries-green, capacity-in-place)</p>');
    expect(result.summary).toContain(
      `<table><tr><th>waived</th><th>what was unmet</th></tr><tr><td>canaries-green</td><td>${escapeHtml('shop-dev-us-east-1-canary-checkout is ALARM')}</td></tr></table>`,
    );
  });

  test('GIVEN a failback with overrides where every condition held THEN the summary says nothing was waived', async () => {
    succeeded([readinessStep('healthy-long-enough: ok; replication-caught-up: ok; canaries-green: ok', '')], {
      Overrides: ['canaries-green'],
    });

    const result = await runFailover({ ...failbackInputs, overrides: 'canaries-green' });

    expect(result.summary).toContain('<p>Overrides: canaries-green</p>');
    expect(result.summary).toContain('<p>Waived: none (every condition the runbook judged held)</p>');
  });

  test('GIVEN a failover THEN its summary has no overrides line', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success', [], { ExecutionEndTime: at(3) }));

    const result = await runFailover(failoverInputs);

    expect(result.summary).not.toContain('Overrides');
  });

  test('GIVEN a failback dry run with overrides THEN they are passed, and the summary shows what the plan would waive', async () => {
    // A dry run judges the check steps and returns one line per step in a single Payload (step `plan`).
    const plan = step('plan_invoke', 'Success', { start: 1, end: 2 }, undefined, {
      ...invokeOutputs({
        Status: 'succeeded',
        Retry: false,
        Orchestration: 'failback',
        Step: 'plan',
        Detail: [
          'check-failback-readiness: healthy-long-enough: OK since 2025-03-01T10:00:00.000Z; OVERRIDDEN canaries-green: shop-dev-us-east-1-canary-home is ALARM',
          'check-failback-capacity: capacity-in-place: judged once the scale-up has run',
        ].join('\n'),
      }),
    });
    succeeded([plan], { DryRun: ['true'], Overrides: ['canaries-green'] });

    const result = await runFailover({ ...failbackInputs, dry_run: 'true', overrides: 'canaries-green' });

    expect(result.exitCode).toBe(0);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      Parameters: { TargetRegion: ['us-east-1'], DryRun: ['true'], Reason: [REASON], Overrides: ['canaries-green'] },
    });
    expect(result.summary).toContain(
      '<tr><td>canaries-green</td><td>shop-dev-us-east-1-canary-home is ALARM</td></tr></table>',
    );
  });

  test('GIVEN execution_id of a failed failback and overrides THEN the execution that resumes it gets them', async () => {
    ssm.on(GetAutomationExecutionCommand, { AutomationExecutionId: OTHER_ID }).resolves(
      execution('Failed', [], {
        AutomationExecutionId: OTHER_ID,
        DocumentName: 'shop-dev-failback',
        ExecutionEndTime: at(-30),
        Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: ['earlier dispatch'] },
      }),
    );
    ssm
      .on(GetAutomationExecutionCommand, { AutomationExecutionId: EXECUTION_ID })
      .resolves(execution('Success', [], { ExecutionEndTime: at(40), DocumentName: 'shop-dev-failback' }));

    const result = await runFailover({ ...failbackInputs, execution_id: OTHER_ID, overrides: 'healthy-long-enough' });

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'shop-dev-failback',
      Parameters: {
        TargetRegion: ['us-east-1'],
        DryRun: ['false'],
        Reason: [REASON],
        ResumeExecutionId: [OTHER_ID],
        Overrides: ['healthy-long-enough'],
      },
    });
  });

  test("GIVEN a failback in flight started without overrides WHEN the same failback is dispatched with overrides THEN it attaches, and the summary says the overrides in force are the execution's", async () => {
    ssm.on(DescribeAutomationExecutionsCommand).callsFake(async (_input, getClient) =>
      (await getClient().config.region()) === 'us-east-1'
        ? {
            AutomationExecutionMetadataList: [
              {
                AutomationExecutionId: OTHER_ID,
                DocumentName: 'shop-dev-failback',
                AutomationExecutionStatus: 'InProgress' as const,
                ExecutionStartTime: at(-120),
              },
            ],
          }
        : { AutomationExecutionMetadataList: [] },
    );
    ssm
      .on(GetAutomationExecutionCommand, { AutomationExecutionId: OTHER_ID })
      .resolvesOnce(
        execution('InProgress', [], {
          AutomationExecutionId: OTHER_ID,
          DocumentName: 'shop-dev-failback',
          Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: ['earlier dispatch'] },
        }),
      )
      .resolves(
        execution('Success', [], {
          AutomationExecutionId: OTHER_ID,
          DocumentName: 'shop-dev-failback',
          ExecutionEndTime: at(30),
          Parameters: { TargetRegion: ['us-east-1'], DryRun: ['false'], Reason: ['earlier dispatch'] },
        }),
      );

    const result = await runFailover({ ...failbackInputs, overrides: 'all' });

    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 0);
    expect(result.outputs['execution_id']).toBe(OTHER_ID);
    expect(result.summary).toContain('<p>Overrides: none (every failback readiness condition must hold)</p>');
    expect(result.summary).toContain(
      `<p>${escapeHtml(`This dispatch asked for overrides all, but it followed execution ${OTHER_ID}, which was started with none: that execution's overrides are the ones in force.`)}</p>`,
    );
  });
});
