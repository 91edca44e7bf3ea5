import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import type { AnyOrchestration, Step } from '../../../runbooks/core/step';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from '../../../runbooks/orchestrations';
import {
  type AutomationStep,
  automationDocument,
  invocationsFor,
  MAX_LOOP_ITERATIONS,
  ssmStepName,
} from '../../../runbooks/ssm/automation-document';

const targets = {
  stepFunction: 'arn:aws:lambda:us-west-2:111111111111:function:shop-dev-runbook-step',
  databaseFunction: 'arn:aws:lambda:us-west-2:111111111111:function:shop-dev-runbook-database-step',
  automationRoleArn: 'arn:aws:iam::111111111111:role/shop-dev-runbook-automation',
};

/** Every step of a document, the steps nested in loops included. */
function allSteps(steps: readonly AutomationStep[]): AutomationStep[] {
  return steps.flatMap((s) => [s, ...allSteps((s.inputs.Steps as AutomationStep[] | undefined) ?? [])]);
}

const byName = (steps: readonly AutomationStep[], name: string) => {
  const found = allSteps(steps).find((s) => s.name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
};

describe('automationDocument', () => {
  const topology = demoTopology();

  test('failover: a dry-run branch, then per orchestration step a loop, a branch on its outcome and a failing end', () => {
    // WHEN
    const document = automationDocument(ORCHESTRATIONS.failover!, topology, targets);
    // THEN
    expect(document.schemaVersion).toBe('0.3');
    expect(document.assumeRole).toBe('{{AutomationAssumeRole}}');
    const perStep = (name: string) => [name, `${name}_outcome`, `${name}_failed`];
    const loops = ORCHESTRATIONS.failover!.steps(topology).map((s) => ssmStepName(s.name));
    expect(loops[0]).toBe('validate_input');
    expect(loops).toContain('shift_traffic');
    expect(loops.at(-1)).toBe('store_summary');
    expect(document.mainSteps.map((s) => s.name)).toEqual([
      'chooseMode',
      ...perStep('plan'),
      ...loops.flatMap(perStep),
    ]);
    expect(document.mainSteps[0]).toEqual({
      name: 'chooseMode',
      action: 'aws:branch',
      inputs: {
        Choices: [{ NextStep: 'plan', Variable: '{{DryRun}}', StringEquals: 'true' }],
        Default: 'validate_input',
      },
    });
  });

  test('an orchestration step is a do-while aws:loop around one Lambda invocation, as in the documented example', () => {
    // WHEN
    const { mainSteps } = automationDocument(ORCHESTRATIONS.failover!, topology, targets);
    // THEN the loop repeats while the function answers Retry: true, at most 3 times for an action
    expect(byName(mainSteps, 'shift_traffic')).toEqual({
      name: 'shift_traffic',
      action: 'aws:loop',
      description: "[action] Set the target Region's routing control On and the other Region's Off in one request",
      inputs: {
        MaxIterations: 3,
        LoopCondition: { Variable: '{{ shift_traffic_invoke.Retry }}', BooleanEquals: true },
        Steps: [
          {
            name: 'shift_traffic_invoke',
            action: 'aws:invokeLambdaFunction',
            onFailure: 'Abort',
            maxAttempts: 2,
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
                attempt: '{{ shift_traffic.CurrentIteration }}',
                maxAttempts: '3',
                targetRegion: '{{TargetRegion}}',
                failedRegion: '{{FailedRegion}}',
              },
            },
            outputs: [
              { Name: 'Retry', Selector: '$.Retry', Type: 'Boolean' },
              { Name: 'Status', Selector: '$.Status', Type: 'String' },
            ],
          },
        ],
      },
    });
  });

  test('after each loop a branch goes on only when the step succeeded; anything else ends at a failing assertion', () => {
    // WHEN
    const { mainSteps } = automationDocument(ORCHESTRATIONS.failover!, topology, targets);
    // THEN
    const loops = ORCHESTRATIONS.failover!.steps(topology).map((s) => ssmStepName(s.name));
    expect(byName(mainSteps, 'shift_traffic_outcome')).toEqual({
      name: 'shift_traffic_outcome',
      action: 'aws:branch',
      inputs: {
        Choices: [
          {
            NextStep: loops[loops.indexOf('shift_traffic') + 1],
            Variable: '{{ shift_traffic_invoke.Status }}',
            StringEquals: 'succeeded',
          },
        ],
        Default: 'shift_traffic_failed',
      },
    });
    expect(byName(mainSteps, 'shift_traffic_failed')).toEqual({
      name: 'shift_traffic_failed',
      action: 'aws:assertAwsResourceProperty',
      description:
        'Ends the execution as Failed: step shift-traffic did not succeed (its Status and Detail are in the Payload output of shift_traffic_invoke).',
      onFailure: 'Abort',
      isCritical: true,
      isEnd: true,
      timeoutSeconds: 60,
      inputs: {
        Service: 'sts',
        Api: 'GetCallerIdentity',
        PropertySelector: '$.Account',
        DesiredValues: ['shift-traffic did not succeed'],
      },
    });
  });

  test('the last step and the plan end the execution on success: a branch to the failing step unless succeeded, isEnd', () => {
    // WHEN
    const { mainSteps } = automationDocument(ORCHESTRATIONS.failover!, topology, targets);
    // THEN
    for (const [invoke, name] of [
      ['store_summary_invoke', 'store_summary'],
      ['plan', 'plan'],
    ]) {
      expect(byName(mainSteps, `${name}_outcome`)).toEqual({
        name: `${name}_outcome`,
        action: 'aws:branch',
        isEnd: true,
        inputs: {
          Choices: [
            { NextStep: `${name}_failed`, Not: { Variable: `{{ ${invoke}.Status }}`, StringEquals: 'succeeded' } },
          ],
        },
      });
    }
    expect(byName(mainSteps, 'plan')).toEqual({
      name: 'plan',
      action: 'aws:invokeLambdaFunction',
      description: 'Dry run: print the plan and the checks; change nothing.',
      onFailure: 'Abort',
      maxAttempts: 2,
      timeoutSeconds: 300,
      inputs: {
        FunctionName: targets.stepFunction,
        InputPayload: {
          orchestration: 'failover',
          executionId: '{{automation:EXECUTION_ID}}',
          resumeExecutionId: '{{ResumeExecutionId}}',
          dryRun: 'true',
          reason: '{{Reason}}',
          targetRegion: '{{TargetRegion}}',
          failedRegion: '{{FailedRegion}}',
        },
      },
      outputs: [{ Name: 'Status', Selector: '$.Status', Type: 'String' }],
    });
  });

  test.each(ORCHESTRATION_NAMES)(
    '%s depends on no undocumented construct: no $.Payload selector, no document outputs, maxAttempts of at most 3',
    (name) => {
      // WHEN
      const document = automationDocument(ORCHESTRATIONS[name]!, topology, targets);
      // THEN
      const steps = allSteps(document.mainSteps);
      expect(document).not.toHaveProperty('outputs');
      expect(steps.flatMap((s) => s.outputs ?? []).filter((o) => o.Selector.startsWith('$.Payload'))).toEqual([]);
      expect(Math.max(...steps.map((s) => s.maxAttempts ?? 1))).toBeLessThanOrEqual(3);
      expect(steps.filter((s) => s.action === 'aws:invokeLambdaFunction').every((s) => s.timeoutSeconds === 300)).toBe(
        true,
      );
    },
  );

  test.each(ORCHESTRATION_NAMES)('%s: step names are unique across the document, letters, digits and _', (name) => {
    const names = allSteps(automationDocument(ORCHESTRATIONS[name]!, topology, targets).mainSteps).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_]+$/);
  });

  test.each(ORCHESTRATION_NAMES)('%s stays under the 64 KB document size limit', (name) => {
    const size = Buffer.byteLength(JSON.stringify(automationDocument(ORCHESTRATIONS[name]!, topology, targets)));
    expect(size).toBeLessThan(64 * 1024);
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

  test('waits loop enough times to cover their timeout in 270-second invocations; actions three times', () => {
    // WHEN
    const recover = automationDocument(ORCHESTRATIONS.recover!, topology, targets);
    // THEN
    const iterations = Object.fromEntries(
      recover.mainSteps.filter((s) => s.action === 'aws:loop').map((s) => [s.name, s.inputs.MaxIterations]),
    );
    expect(iterations.wait_for_orders_snapshot_copy).toBe(Math.ceil((6 * 3600) / 270) + 1);
    expect(iterations.wait_for_orders_cluster).toBe(Math.ceil((3 * 3600) / 270) + 1);
    // The delete step waits for the instance, then for the cluster, each up to an hour: both waits fit its loop.
    expect(iterations.delete_orders_temporary_cluster).toBe(Math.ceil((2 * 3600) / 270) + 1);
    expect(iterations.copy_orders_snapshot).toBe(3);
    const invoke = byName(recover.mainSteps, 'wait_for_orders_snapshot_copy_invoke');
    expect((invoke.inputs.InputPayload as Record<string, string>).maxAttempts).toBe('81');
  });

  test('a wait that would need more than 100 invocations fails the synth, naming the step and what is accepted', () => {
    // GIVEN a wait of 8 hours (108 invocations of 270 s)
    const step = {
      name: 'wait-for-ever',
      kind: 'wait',
      timeoutSeconds: 8 * 3600,
      uses: [],
    } as unknown as Step<unknown>;
    // WHEN / THEN
    expect(MAX_LOOP_ITERATIONS).toBe(100);
    expect(() => invocationsFor(step, 1800)).toThrow(
      'step wait-for-ever: a wait of 28800 s needs 108 invocations of 270 s; an aws:loop runs at most 100 iterations; accepted: a timeoutSeconds of at most 26730 s',
    );
    const orchestration: AnyOrchestration = {
      ...ORCHESTRATIONS.failover!,
      steps: () => [step],
    };
    expect(() => automationDocument(orchestration, topology, targets)).toThrow(
      /^step wait-for-ever: a wait of 28800 s/,
    );
  });

  test('steps that read the databases or probe the health URLs run in the VPC function, the rest in the step function', () => {
    const inVpc = (name: string) =>
      allSteps(automationDocument(ORCHESTRATIONS[name]!, topology, targets).mainSteps)
        .filter((s) => s.inputs.FunctionName === targets.databaseFunction)
        .map((s) => s.name);
    expect(inVpc('recover')).toEqual(['reconcile_catalog_invoke', 'reconcile_orders_invoke']);
    expect(inVpc('readiness')).toEqual(['services_healthy_invoke']);
    expect(inVpc('switchover')).toEqual(['check_readiness_invoke']);
    expect(inVpc('failback')).toEqual(['check_readiness_invoke']);
    expect(inVpc('failover')).toEqual([]);
  });

  test('the description lists the steps', () => {
    const { description } = automationDocument(ORCHESTRATIONS.switchover!, topology, targets);
    expect(description.split('\n').slice(0, 2)).toEqual([
      '# switchover',
      'Planned switchover: move writers, then traffic, to the target Region without data loss',
    ]);
    const position = ORCHESTRATIONS.switchover!.steps(topology).findIndex((s) => s.name === 'check-readiness') + 1;
    expect(description).toContain(
      `\n${position}. **check-readiness** [check]: The target Region passes every readiness check\n`,
    );
  });
});
