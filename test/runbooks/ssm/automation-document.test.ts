import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { ORCHESTRATIONS } from '../../../runbooks/orchestrations';
import { automationDocument } from '../../../runbooks/ssm/automation-document';

const targets = {
  stepFunction: 'arn:aws:lambda:us-west-2:111111111111:function:shop-dev-runbook-step',
  databaseFunction: 'arn:aws:lambda:us-west-2:111111111111:function:shop-dev-runbook-database-step',
  automationRoleArn: 'arn:aws:iam::111111111111:role/shop-dev-runbook-automation',
};

describe('automationDocument', () => {
  const topology = demoTopology();

  test('failover: a dry-run branch, then one Lambda step per orchestration step, in order, aborting on failure', () => {
    const document = automationDocument(ORCHESTRATIONS.failover!, topology, targets);
    expect(document.schemaVersion).toBe('0.3');
    expect(document.assumeRole).toBe('{{AutomationAssumeRole}}');
    expect(document.mainSteps.map((s) => s.name)).toEqual([
      'chooseMode',
      'plan',
      'validate_input',
      'shift_traffic',
      'failover_catalog_database',
      'failover_orders_database',
      'wait_for_catalog_failover',
      'wait_for_orders_failover',
      'verify_writers',
      'store_summary',
    ]);
    expect(document.mainSteps[0]).toEqual({
      name: 'chooseMode',
      action: 'aws:branch',
      inputs: {
        Choices: [{ NextStep: 'plan', Variable: '{{DryRun}}', StringEquals: 'true' }],
        Default: 'validate_input',
      },
    });
    expect(document.mainSteps.find((s) => s.name === 'shift_traffic')).toEqual({
      name: 'shift_traffic',
      action: 'aws:invokeLambdaFunction',
      description: "[action] Set the target Region's routing control On and the other Region's Off in one request",
      onFailure: 'Abort',
      isCritical: true,
      maxAttempts: 3,
      timeoutSeconds: 300,
      inputs: {
        FunctionName: targets.stepFunction,
        InputPayload: {
          orchestration: 'failover',
          step: 'shift-traffic',
          executionId: '{{automation:EXECUTION_ID}}',
          resumeExecutionId: '{{ResumeExecutionId}}',
          dryRun: 'false',
          reason: '{{Reason}}',
          targetRegion: '{{TargetRegion}}',
          failedRegion: '{{FailedRegion}}',
        },
      },
    });
    expect(document.mainSteps.filter((s) => s.onFailure !== undefined).every((s) => s.onFailure === 'Abort')).toBe(
      true,
    );
    expect(document.mainSteps[document.mainSteps.length - 1]).toMatchObject({
      isEnd: true,
      outputs: [{ Name: 'ReportUrl', Selector: '$.Payload.reportUrl', Type: 'String' }],
    });
    expect(document.outputs).toEqual(['store_summary.ReportUrl']);
  });

  test('parameters follow the failover workflow contract: TargetRegion, DryRun (default true), Reason', () => {
    const { parameters } = automationDocument(ORCHESTRATIONS.failover!, topology, targets);
    expect(Object.keys(parameters)).toEqual([
      'AutomationAssumeRole',
      'DryRun',
      'Reason',
      'ResumeExecutionId',
      'TargetRegion',
      'FailedRegion',
    ]);
    expect(parameters.TargetRegion).toEqual({
      type: 'String',
      description: 'The surviving Region that takes over.',
      allowedValues: ['us-east-1', 'us-west-2'],
    });
    expect(parameters.FailedRegion).toEqual({
      type: 'String',
      description: 'The Region that failed. Default: the other Region of the topology.',
      default: '',
      allowedPattern: '^(us-east-1|us-west-2)?$',
    });
    expect(parameters.DryRun).toMatchObject({ allowedValues: ['true', 'false'], default: 'true' });
    expect(parameters.AutomationAssumeRole?.default).toBe(targets.automationRoleArn);
  });

  test('waits get enough attempts to cover their timeout in five-minute invocations', () => {
    const recover = automationDocument(ORCHESTRATIONS.recover!, topology, targets);
    const attempts = Object.fromEntries(recover.mainSteps.map((s) => [s.name, s.maxAttempts]));
    expect(attempts.wait_for_orders_snapshot_copy).toBe(Math.ceil((6 * 3600) / 270) + 1);
    expect(attempts.wait_for_orders_cluster).toBe(Math.ceil((3 * 3600) / 270) + 1);
    expect(attempts.delete_orders_temporary_cluster).toBe(Math.ceil(1800 / 270) + 1);
    expect(attempts.copy_orders_snapshot).toBe(3);
  });

  test('steps that touch the databases run in the VPC function, the rest in the step function', () => {
    const recover = automationDocument(ORCHESTRATIONS.recover!, topology, targets);
    const inVpc = recover.mainSteps
      .filter((s) => s.inputs.FunctionName === targets.databaseFunction)
      .map((s) => s.name);
    expect(inVpc).toEqual(['reconcile_catalog', 'reconcile_orders']);
  });

  test('the description lists the steps', () => {
    const { description } = automationDocument(ORCHESTRATIONS.switchover!, topology, targets);
    expect(description.split('\n').slice(0, 2)).toEqual([
      '# switchover',
      'Planned switchover: move writers, then traffic, to the target Region without data loss',
    ]);
    expect(description).toContain('2. **check-readiness** [check]: The target Region passes every readiness check');
  });
});
