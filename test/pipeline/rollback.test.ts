import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConstantBackoff } from 'cockatiel';
import { DEPLOYED_COMMIT_OUTPUT, rolledBackParameterName } from '../../.github/actions/rollback/deployed-commit';
import {
  isStatefulStackName,
  knownGoodCandidateParameterName,
  lastKnownGoodParameterName,
} from '../../.github/actions/rollback/known-good-record';
import { run } from '../../.github/actions/rollback/main';
import { FakeClock, runAction } from './action-harness';

const NOW = new Date('2025-03-01T12:30:00Z');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const PARAMETER = '/shop/dev/deploy/last-known-good';
const CANDIDATE = '/shop/dev/deploy/known-good-candidate';
const APP_STACKS = 'shop-dev-use1/network=shop-dev-use1-network\nshop-dev-use1/services=shop-dev-use1-services';
const RECORD = {
  schemaVersion: 1,
  sha: SHA,
  region: 'us-east-1',
  stacks: [
    { cdkId: 'shop-dev-use1/network', stackName: 'shop-dev-use1-network' },
    { cdkId: 'shop-dev-use1/services', stackName: 'shop-dev-use1-services' },
  ],
  recordedAt: '2025-03-01T12:30:00Z',
  runUrl: 'https://github.com/example-org/multi-region-shop/actions/runs/42',
};

const ssm = mockClient(SSMClient);
const cloudFormation = mockClient(CloudFormationClient);

const runRollback = (inputs: Record<string, string>, env: Record<string, string | undefined> = {}) =>
  runAction(() => run({ clock: new FakeClock(NOW), retry: { backoff: new ConstantBackoff(0) } }), inputs, {
    GITHUB_SERVER_URL: undefined,
    GITHUB_REPOSITORY: undefined,
    GITHUB_RUN_ID: undefined,
    ...env,
  });

const storedRecord = (value: unknown) =>
  ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({
    Parameter: {
      Name: PARAMETER,
      Type: 'String',
      Value: typeof value === 'string' ? value : JSON.stringify(value),
      Version: 3,
      LastModifiedDate: NOW,
      ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${PARAMETER}`,
      DataType: 'text',
    },
  });

beforeEach(() => {
  ssm.reset();
  cloudFormation.reset();
});

describe('stateful stack names', () => {
  test.each([
    ['shop-dev-use1-data', true],
    ['shop-dev-use1/data', true],
    ['shop-dev-data-catalog', true],
    ['ShopDevDataStack', true],
    ['shop-dev-use1-database', true],
    ['shop_dev_db', true],
    ['shop-dev-stateful', true],
    ['shop-dev-use1-services', false],
    ['shop-dev-dashboard', false],
    ['shop-dev-use1-canaries', false],
    ['metadata-api', false],
  ])('%s is stateful: %p', (name, stateful) => {
    expect(isStatefulStackName(name)).toBe(stateful);
  });

  test('the parameter name is /<app>/<env>/deploy/last-known-good', () => {
    expect(lastKnownGoodParameterName('shop', 'prod')).toBe('/shop/prod/deploy/last-known-good');
  });
});

describe('rollback record', () => {
  beforeEach(() => {
    // Every stack runs SHA (its DeployedCommit output); SHA was never rolled back.
    cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => ({
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: NOW,
          Outputs: [{ OutputKey: DEPLOYED_COMMIT_OUTPUT, OutputValue: SHA }],
        },
      ],
    }));
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'Parameter not found' }));
  });

  const recordInputs = {
    command: 'record',
    region: 'us-east-1',
    app_name: 'shop',
    env_name: 'dev',
    sha: SHA,
    stacks: APP_STACKS,
  };

  test("writes the commit and the application stacks to the Region's candidate parameter, never the confirmed one (M5)", async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Standard' });

    const result = await runRollback(recordInputs, {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'example-org/multi-region-shop',
      GITHUB_RUN_ID: '42',
    });

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: CANDIDATE,
      Type: 'String',
      Tier: 'Standard',
      Overwrite: true,
      Description:
        'Known-good candidate in us-east-1 (its bake passed; confirmed after the last bake): commit and application stacks',
    });
    const value = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value!;
    expect(JSON.parse(value)).toEqual(RECORD);
    expect(result.lines).toContain(`Recorded ${SHA} as the known-good candidate of us-east-1 in ${CANDIDATE}`);
    expect(result.summary).toBe(
      [
        '<h2>Known-good candidate recorded in us-east-1</h2>',
        `<p>Commit: ${SHA}</p>`,
        `<p>Parameter: ${CANDIDATE} (version 4)</p>`,
        '<table><tr><th>CDK stack id</th><th>CloudFormation stack</th></tr>' +
          '<tr><td>shop-dev-use1/network</td><td>shop-dev-use1-network</td></tr>' +
          '<tr><td>shop-dev-use1/services</td><td>shop-dev-use1-services</td></tr></table>',
        '',
      ].join('\n'),
    );
  });

  test('a bare stack name stands for both the CDK id and the CloudFormation name; no run URL outside Actions', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    const result = await runRollback({ ...recordInputs, stacks: 'shop-dev-use1-services' });

    expect(result.failure).toBeUndefined();
    const value = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value!;
    expect(JSON.parse(value)).toEqual({
      schemaVersion: 1,
      sha: SHA,
      region: 'us-east-1',
      stacks: [{ cdkId: 'shop-dev-use1-services', stackName: 'shop-dev-use1-services' }],
      recordedAt: '2025-03-01T12:30:00Z',
    });
  });

  test('refuses a data stack, before any AWS call', async () => {
    const result = await runRollback({
      ...recordInputs,
      stacks: `${APP_STACKS}\nshop-dev-use1/data=shop-dev-use1-data`,
    });

    expect(result.failure).toBe(
      'Invalid inputs (nothing was called):\n' +
        '  - stacks: "shop-dev-use1/network=shop-dev-use1-network\\nshop-dev-use1/services=shop-dev-use1-services\\nshop-dev-use1/data=shop-dev-use1-data" has an item "shop-dev-use1/data=shop-dev-use1-data" that is a stateful (data) stack, which a rollback never redeploys; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each an application stack as "<cdk stack id>=<CloudFormation stack name>" or "<stack name>" (never a data stack: no "data", "database", "db" or "stateful" in its name)',
    );
    expect(result.exitCode).toBe(2);
    expect(ssm.calls()).toHaveLength(0);
  });

  test('reports every bad input at once', async () => {
    const result = await runRollback({ command: 'record', region: 'us-east-1', app_name: 'Shop', sha: 'abc123' });

    expect(result.failure).toBe(
      'Invalid inputs (nothing was called):\n' +
        '  - app_name: "Shop" is not a valid name; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter\n' +
        '  - env_name: no value given; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter\n' +
        '  - sha: "abc123" is not a full commit SHA; accepted: a full commit SHA (40 lowercase hex digits)\n' +
        '  - stacks: no value given; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each an application stack as "<cdk stack id>=<CloudFormation stack name>" or "<stack name>" (never a data stack: no "data", "database", "db" or "stateful" in its name)',
    );
    expect(ssm.calls()).toHaveLength(0);
  });

  test('an unknown command is refused', async () => {
    const result = await runRollback({ command: 'rollback', region: 'us-east-1' });

    expect(result.failure).toBe(
      'Invalid inputs (nothing was called):\n  - command: "rollback" is not one of them; accepted: "record", "confirm", "plan" or "verify"',
    );
  });
});

describe('rollback plan', () => {
  const planInputs = {
    command: 'plan',
    region: 'us-east-1',
    app_name: 'shop',
    env_name: 'dev',
    failed_sha: 'fedcba9876543210fedcba9876543210fedcba98',
  };

  test('outputs the known-good commit and the application stacks to redeploy', async () => {
    storedRecord(RECORD);

    const result = await runRollback(planInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER });
    expect(result.outputs).toEqual({
      sha: SHA,
      cdk_stack_ids: 'shop-dev-use1/network shop-dev-use1/services',
      stack_names: 'shop-dev-use1-network shop-dev-use1-services',
      recorded_at: '2025-03-01T12:30:00Z',
      run_url: 'https://github.com/example-org/multi-region-shop/actions/runs/42',
      deploy_command:
        'npx cdk deploy --exclusively --require-approval never shop-dev-use1/network shop-dev-use1/services',
    });
    expect(result.summary).toContain(
      '<p>Recorded by: <a href="https://github.com/example-org/multi-region-shop/actions/runs/42">https://github.com/example-org/multi-region-shop/actions/runs/42</a></p>',
    );
    expect(result.summary).toContain(
      `<p>Redeploy: git checkout ${SHA} &amp;&amp; npx cdk deploy --exclusively --require-approval never shop-dev-use1/network shop-dev-use1/services</p>`,
    );
  });

  test('redeploys only the recorded stacks asked for, by name or CDK id', async () => {
    storedRecord(RECORD);

    const result = await runRollback({ ...planInputs, stacks: 'shop-dev-use1/services' });

    expect(result.outputs['stack_names']).toBe('shop-dev-use1-services');
    expect(result.outputs['cdk_stack_ids']).toBe('shop-dev-use1/services');
  });

  test('refuses a data stack passed explicitly, before any AWS call', async () => {
    const result = await runRollback({ ...planInputs, stacks: 'shop-dev-use1-services shop-dev-use1-data' });

    expect(result.failure).toBe(
      'Invalid inputs (nothing was called):\n' +
        '  - stacks: "shop-dev-use1-services shop-dev-use1-data" has an item "shop-dev-use1-data" that is a stateful (data) stack, which a rollback never redeploys; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each an application stack name or CDK stack id (never a data stack: no "data", "database", "db" or "stateful" in its name)',
    );
    expect(result.exitCode).toBe(2);
    expect(ssm.calls()).toHaveLength(0);
    expect(result.outputs).toEqual({});
  });

  test('refuses a stack the record does not list', async () => {
    storedRecord(RECORD);

    const result = await runRollback({ ...planInputs, stacks: 'shop-dev-use1-canaries' });

    expect(result.failure).toBe(
      'stacks: "shop-dev-use1-canaries" not in the known-good record of us-east-1; accepted: recorded application stacks (shop-dev-use1-network, shop-dev-use1-services)',
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({});
  });

  test('fails clearly when nothing was recorded yet (first deploy)', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'Parameter not found' }));

    const result = await runRollback(planInputs);

    const message = `No known-good version is recorded for us-east-1 (SSM parameter ${PARAMETER} does not exist): there is nothing to roll back to. This is expected until a first bake passes in this Region; fix forward instead.`;
    expect(result.failure).toBe(message);
    expect(result.exitCode).toBe(1);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(result.outputs).toEqual({});
    expect(result.summary).toBe(
      `<h2>Rollback plan for us-east-1</h2>\n<p>Result: nothing to roll back to</p>\n<p>${message}</p>\n`,
    );
  });

  test('refuses a stored record that lists a data stack', async () => {
    storedRecord({
      ...RECORD,
      stacks: [...RECORD.stacks, { cdkId: 'shop-dev-use1/data', stackName: 'shop-dev-use1-data' }],
    });

    const result = await runRollback(planInputs);

    expect(result.failure).toBe(
      `The known-good record in SSM parameter ${PARAMETER} (us-east-1) is invalid, so there is no safe version to roll back to:\n  - stacks: lists a stateful (data) stack, which a rollback never redeploys`,
    );
    expect(result.outputs).toEqual({});
  });

  test.each([
    ['not JSON', '{"sha":', ['the value is not JSON (Unexpected end of JSON input)']],
    ['a short SHA', { ...RECORD, sha: 'abc' }, ['sha: is not a full commit SHA (40 lowercase hex digits)']],
    ['no stacks', { ...RECORD, stacks: [] }, ['stacks: is empty']],
    [
      'another Region',
      { ...RECORD, region: 'us-west-2' },
      ['region: "us-west-2" is not the Region it is stored in (us-east-1)'],
    ],
    ['an unknown schema version', { ...RECORD, schemaVersion: 2 }, ['schemaVersion: Invalid input: expected 1']],
  ])('refuses a stored record with %s', async (_, value, problems) => {
    storedRecord(value);

    const result = await runRollback(planInputs);

    expect(result.failure).toBe(
      `The known-good record in SSM parameter ${PARAMETER} (us-east-1) is invalid, so there is no safe version to roll back to:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  });

  test('an SSM error other than a missing parameter fails after its retries', async () => {
    ssm.on(GetParameterCommand).rejects(
      new SSMServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Rate exceeded',
      }),
    );

    const result = await runRollback(planInputs);

    expect(result.failure).toBe(
      `SSM GetParameter ${PARAMETER} in us-east-1 failed after 5 attempts: ThrottlingException: Rate exceeded`,
    );
    expect(result.exitCode).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 5);
  });
});

describe('rollback verify', () => {
  const verifyInputs = {
    command: 'verify',
    region: 'us-east-1',
    stacks: 'shop-dev-use1-network shop-dev-use1-services',
  };
  const stack = (name: string, status: string, reason?: string) => ({
    Stacks: [
      {
        StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab`,
        StackName: name,
        CreationTime: new Date('2025-02-01T10:00:00Z'),
        LastUpdatedTime: new Date('2025-03-01T12:45:00Z'),
        StackStatus: status as 'UPDATE_COMPLETE',
        ...(reason ? { StackStatusReason: reason } : {}),
      },
    ],
  });

  test('passes when every stack is in a *_COMPLETE state', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-network' })
      .resolves(stack('shop-dev-use1-network', 'UPDATE_COMPLETE'))
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-services' })
      .resolves(stack('shop-dev-use1-services', 'CREATE_COMPLETE'));

    const result = await runRollback(verifyInputs);

    expect(result.failure).toBeUndefined();
    expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 2);
    expect(result.lines).toContain(
      'Every application stack is healthy in us-east-1: shop-dev-use1-network, shop-dev-use1-services',
    );
    expect(result.summary).toBe(
      [
        '<h2>Rollback verification in us-east-1</h2>',
        '<p>Result: every application stack is healthy</p>',
        '<table><tr><th>stack</th><th>status</th><th>reason</th><th>last updated</th></tr>' +
          '<tr><td>shop-dev-use1-network</td><td>UPDATE_COMPLETE</td><td></td><td>2025-03-01T12:45:00.000Z</td></tr>' +
          '<tr><td>shop-dev-use1-services</td><td>CREATE_COMPLETE</td><td></td><td>2025-03-01T12:45:00.000Z</td></tr></table>',
        '',
      ].join('\n'),
    );
  });

  test('fails on a rolled-back stack and on a missing one, naming both', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-network' })
      .resolves(
        stack(
          'shop-dev-use1-network',
          'UPDATE_ROLLBACK_COMPLETE',
          'The following resource(s) failed to update: [Service].',
        ),
      )
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-services' })
      .rejects(
        new CloudFormationServiceException({
          name: 'ValidationError',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Stack with id shop-dev-use1-services does not exist',
        }),
      );

    const result = await runRollback(verifyInputs);

    expect(result.failure).toBe(
      'Rollback verification failed in us-east-1:\n' +
        '  - Stack "shop-dev-use1-network" is UPDATE_ROLLBACK_COMPLETE: The following resource(s) failed to update: [Service].\n' +
        '  - Stack "shop-dev-use1-services" does not exist',
    );
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain(
      '<tr><td>shop-dev-use1-services</td><td>DOES_NOT_EXIST</td><td></td><td></td></tr>',
    );
  });

  test.each([
    ['UPDATE_IN_PROGRESS', false],
    ['UPDATE_FAILED', false],
    ['ROLLBACK_COMPLETE', false],
    ['IMPORT_ROLLBACK_COMPLETE', false],
    ['DELETE_COMPLETE', false],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', false],
    ['IMPORT_COMPLETE', true],
  ])('a stack in %s passes: %p', async (status, passes) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack('shop-dev-use1-services', status));

    const result = await runRollback({ ...verifyInputs, stacks: 'shop-dev-use1-services' });

    expect(result.failure).toBe(
      passes
        ? undefined
        : `Rollback verification failed in us-east-1:\n  - Stack "shop-dev-use1-services" is ${status}`,
    );
  });

  test('a throttled DescribeStacks is retried', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejectsOnce(
        new CloudFormationServiceException({
          name: 'Throttling',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Rate exceeded',
        }),
      )
      .resolves(stack('shop-dev-use1-services', 'UPDATE_COMPLETE'));

    const result = await runRollback({ ...verifyInputs, stacks: 'shop-dev-use1-services' });

    expect(result.failure).toBeUndefined();
    expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 2);
  });

  test('refuses a data stack among the stacks to verify', async () => {
    const result = await runRollback({ ...verifyInputs, stacks: 'shop-dev-use1-data' });

    expect(result.failure).toBe(
      'Invalid inputs (nothing was called):\n' +
        '  - stacks: "shop-dev-use1-data" has an item "shop-dev-use1-data" that is a stateful (data) stack, which a rollback never redeploys; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each an application stack as "<cdk stack id>=<CloudFormation stack name>" or "<stack name>" (never a data stack: no "data", "database", "db" or "stateful" in its name)',
    );
    expect(result.exitCode).toBe(2);
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});

describe('record verifies the deployed commit; a rollback marks its commit (review M1)', () => {
  const BAD_SHA = 'fedcba9876543210fedcba9876543210fedcba98';
  const MARKER = `/shop/dev/deploy/rolled-back/${SHA}`;
  const recordInputs = {
    command: 'record',
    region: 'us-east-1',
    app_name: 'shop',
    env_name: 'dev',
    sha: SHA,
    stacks: APP_STACKS,
  };

  /** DescribeStacks answers each stack with this status and DeployedCommit output (or tag). */
  function stacksRunning(commits: Record<string, { commit?: string; as?: 'output' | 'tag'; status?: string }>): void {
    for (const [name, { commit, as = 'output', status = 'UPDATE_COMPLETE' }] of Object.entries(commits)) {
      cloudFormation.on(DescribeStacksCommand, { StackName: name }).resolves({
        Stacks: [
          {
            StackName: name,
            StackStatus: status as 'UPDATE_COMPLETE',
            CreationTime: NOW,
            ...(commit && as === 'output'
              ? { Outputs: [{ OutputKey: DEPLOYED_COMMIT_OUTPUT, OutputValue: commit }] }
              : { Outputs: [] }),
            ...(commit && as === 'tag' ? { Tags: [{ Key: DEPLOYED_COMMIT_OUTPUT, Value: commit }] } : {}),
          },
        ],
      });
    }
  }

  beforeEach(() => {
    ssm.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Standard' });
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'Parameter not found' }));
  });

  test('the output is DeployedCommit and the marker /<app>/<env>/deploy/rolled-back/<sha>', () => {
    expect(DEPLOYED_COMMIT_OUTPUT).toBe('DeployedCommit');
    expect(rolledBackParameterName('shop', 'dev', SHA)).toBe(MARKER);
  });

  test('GIVEN every stack runs the commit WHEN record THEN it is recorded', async () => {
    stacksRunning({ 'shop-dev-use1-network': { commit: SHA }, 'shop-dev-use1-services': { commit: SHA, as: 'tag' } });

    const result = await runRollback(recordInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: CANDIDATE });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: MARKER });
  });

  test('GIVEN a re-run bake after a rollback (the stacks run the known-good commit) WHEN record THEN it refuses (exit 1)', async () => {
    stacksRunning({ 'shop-dev-use1-network': { commit: SHA }, 'shop-dev-use1-services': { commit: BAD_SHA } });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Stack "shop-dev-use1-services" runs commit ${BAD_SHA} (its ${DEPLOYED_COMMIT_OUTPUT}), not ${SHA}`,
    );
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN a stack without DeployedCommit WHEN record THEN it refuses: the commit cannot be verified', async () => {
    stacksRunning({ 'shop-dev-use1-network': { commit: SHA }, 'shop-dev-use1-services': {} });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Stack "shop-dev-use1-services" has no ${DEPLOYED_COMMIT_OUTPUT} output or tag, so it cannot be shown to run ${SHA}`,
    );
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN a stack that is not healthy WHEN record THEN it refuses', async () => {
    stacksRunning({
      'shop-dev-use1-network': { commit: SHA },
      'shop-dev-use1-services': { commit: SHA, status: 'UPDATE_ROLLBACK_COMPLETE' },
    });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain('Stack "shop-dev-use1-services" is UPDATE_ROLLBACK_COMPLETE');
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN the commit was rolled back in this Region WHEN record THEN it refuses, naming the rollback', async () => {
    stacksRunning({ 'shop-dev-use1-network': { commit: SHA }, 'shop-dev-use1-services': { commit: SHA } });
    ssm.on(GetParameterCommand, { Name: MARKER }).resolves({
      Parameter: {
        Name: MARKER,
        Type: 'String',
        Value: JSON.stringify({
          schemaVersion: 1,
          sha: SHA,
          region: 'us-east-1',
          at: '2025-03-01T12:10:00Z',
          runUrl: 'https://github.com/example-org/multi-region-shop/actions/runs/41',
        }),
      },
    });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`Commit ${SHA} was rolled back in us-east-1 at 2025-03-01T12:10:00Z`);
    expect(result.failure).toContain('actions/runs/41');
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN a failed bake WHEN plan THEN the failed commit is marked rolled back before anything is redeployed', async () => {
    storedRecord(RECORD);

    const result = await runRollback(
      { command: 'plan', region: 'us-east-1', app_name: 'shop', env_name: 'dev', failed_sha: BAD_SHA },
      {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'example-org/multi-region-shop',
        GITHUB_RUN_ID: '43',
      },
    );

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: `/shop/dev/deploy/rolled-back/${BAD_SHA}`,
      Overwrite: true,
    });
    const marker = JSON.parse(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value ?? '');
    expect(marker).toEqual({
      schemaVersion: 1,
      sha: BAD_SHA,
      region: 'us-east-1',
      at: '2025-03-01T12:30:00Z',
      runUrl: 'https://github.com/example-org/multi-region-shop/actions/runs/43',
    });
    expect(result.outputs['sha']).toBe(SHA);
  });

  test('GIVEN nothing recorded yet WHEN plan THEN the failed commit is still marked (it must never be recorded)', async () => {
    const result = await runRollback({
      command: 'plan',
      region: 'us-east-1',
      app_name: 'shop',
      env_name: 'dev',
      failed_sha: BAD_SHA,
    });

    expect(result.exitCode).toBe(1);
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: `/shop/dev/deploy/rolled-back/${BAD_SHA}` });
  });

  test('plan requires failed_sha (exit 2, nothing called)', async () => {
    const result = await runRollback({ command: 'plan', region: 'us-east-1', app_name: 'shop', env_name: 'dev' });
    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain('failed_sha: no value given');
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('two-phase known-good: record writes a candidate, confirm promotes it after the last bake (review M5)', () => {
  const OLD_SHA = 'a'.repeat(40);
  const REGIONS = ['us-east-1', 'us-west-2'];
  /** An in-memory SSM of both Regions: `<region> <parameter name>` → value. */
  let parameters: Map<string, string>;
  const recordOf = (sha: string, region: string) => ({
    ...RECORD,
    sha,
    region,
    stacks: [{ cdkId: `shop-dev-${region}/services`, stackName: `shop-dev-${region}-services` }],
  });
  const store = (region: string, name: string, value: unknown) =>
    parameters.set(`${region} ${name}`, typeof value === 'string' ? value : JSON.stringify(value));
  const stored = (region: string, name: string) => {
    const value = parameters.get(`${region} ${name}`);
    return value === undefined ? undefined : JSON.parse(value);
  };
  const confirmInputs = { command: 'confirm', regions: REGIONS.join(','), app_name: 'shop', env_name: 'dev', sha: SHA };

  beforeEach(() => {
    parameters = new Map();
    ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }, getClient) => {
      const region = await getClient().config.region();
      const value = parameters.get(`${region} ${input.Name}`);
      if (value === undefined) {
        throw new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'Parameter not found' });
      }
      return { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } };
    });
    ssm.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string }, getClient) => {
      const region = await getClient().config.region();
      parameters.set(`${region} ${input.Name}`, input.Value);
      return { Version: 2, Tier: 'Standard' };
    });
    for (const region of REGIONS) store(region, PARAMETER, recordOf(OLD_SHA, region));
  });

  test('the candidate parameter is /<app>/<env>/deploy/known-good-candidate', () => {
    expect(knownGoodCandidateParameterName('shop', 'dev')).toBe(CANDIDATE);
  });

  test('GIVEN both Regions hold the run’s candidate WHEN confirm THEN each Region’s candidate becomes its known-good', async () => {
    for (const region of REGIONS) store(region, CANDIDATE, recordOf(SHA, region));

    const result = await runRollback(confirmInputs);

    expect(result.failure).toBeUndefined();
    for (const region of REGIONS) expect(stored(region, PARAMETER)).toEqual(recordOf(SHA, region));
    expect(result.lines).toContain(`Confirmed ${SHA} as the known-good version of us-west-2 in ${PARAMETER}`);
  });

  test('GIVEN a candidate of another commit in one Region WHEN confirm THEN nothing is confirmed anywhere (exit 1)', async () => {
    store('us-east-1', CANDIDATE, recordOf(SHA, 'us-east-1'));
    store('us-west-2', CANDIDATE, recordOf(OLD_SHA, 'us-west-2'));

    const result = await runRollback(confirmInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `us-west-2: the known-good candidate (${CANDIDATE}) is commit ${OLD_SHA}, not ${SHA}`,
    );
    for (const region of REGIONS) expect(stored(region, PARAMETER)).toEqual(recordOf(OLD_SHA, region));
  });

  test('GIVEN no candidate in a Region WHEN confirm THEN it refuses and confirms nothing', async () => {
    store('us-east-1', CANDIDATE, recordOf(SHA, 'us-east-1'));

    const result = await runRollback(confirmInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`us-west-2: no known-good candidate is recorded (${CANDIDATE} does not exist)`);
    expect(stored('us-east-1', PARAMETER)).toEqual(recordOf(OLD_SHA, 'us-east-1'));
  });

  test('GIVEN the commit was rolled back in a Region WHEN confirm THEN it refuses and confirms nothing', async () => {
    for (const region of REGIONS) store(region, CANDIDATE, recordOf(SHA, region));
    store('us-east-1', `/shop/dev/deploy/rolled-back/${SHA}`, {
      schemaVersion: 1,
      sha: SHA,
      region: 'us-east-1',
      at: '2025-03-01T12:10:00Z',
    });

    const result = await runRollback(confirmInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`Commit ${SHA} was rolled back in us-east-1 at 2025-03-01T12:10:00Z`);
    for (const region of REGIONS) expect(stored(region, PARAMETER)).toEqual(recordOf(OLD_SHA, region));
  });

  test('GIVEN the commit is already confirmed WHEN confirm runs again THEN it succeeds without writing', async () => {
    for (const region of REGIONS) {
      store(region, CANDIDATE, recordOf(SHA, region));
      store(region, PARAMETER, recordOf(SHA, region));
    }

    const result = await runRollback(confirmInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(result.lines).toContain(`${SHA} is already the known-good version of us-east-1`);
  });

  test('GIVEN a candidate written but never confirmed WHEN plan THEN it rolls back to the confirmed record', async () => {
    store('us-east-1', CANDIDATE, recordOf(SHA, 'us-east-1'));

    const result = await runRollback({
      command: 'plan',
      region: 'us-east-1',
      app_name: 'shop',
      env_name: 'dev',
      failed_sha: SHA,
    });

    expect(result.failure).toBeUndefined();
    expect(result.outputs['sha']).toBe(OLD_SHA);
  });

  test('GIVEN a record written by the old code (no phase) WHEN plan THEN it reads as the confirmed known-good', async () => {
    store('us-east-1', PARAMETER, RECORD);

    const result = await runRollback({
      command: 'plan',
      region: 'us-east-1',
      app_name: 'shop',
      env_name: 'dev',
      failed_sha: OLD_SHA,
    });

    expect(result.failure).toBeUndefined();
    expect(result.outputs['sha']).toBe(SHA);
  });

  test('confirm requires regions and sha (exit 2, nothing called)', async () => {
    const result = await runRollback({ command: 'confirm', app_name: 'shop', env_name: 'dev' });

    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain('regions: no value given');
    expect(result.failure).toContain('sha: no value given');
    expect(ssm.calls()).toHaveLength(0);
  });
});
