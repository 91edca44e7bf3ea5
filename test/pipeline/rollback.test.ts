import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, ECRClient, ECRServiceException } from '@aws-sdk/client-ecr';
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
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
import type { AwsCaller } from '../../.github/actions/cli-support/aws-retry';
import { DEPLOYED_COMMIT_OUTPUT, rolledBackParameterName } from '../../.github/actions/rollback/deployed-commit';
import {
  isStatefulStackName,
  type KnownGoodRecord,
  knownGoodCandidateParameterName,
  lastKnownGoodParameterName,
} from '../../.github/actions/rollback/known-good-record';
import { KnownGoodStore, STANDARD_PARAMETER_BYTES } from '../../.github/actions/rollback/known-good-store';
import { run } from '../../.github/actions/rollback/main';
import { templateArtifacts } from '../../.github/actions/rollback/release-artifacts';
import { FakeClock, runAction } from './action-harness';

const NOW = new Date('2025-03-01T12:30:00Z');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const PARAMETER = '/shop/dev/deploy/last-known-good';
const CANDIDATE = '/shop/dev/deploy/known-good-candidate';
const APP_STACKS =
  'shop-dev-use1/observability=shop-dev-use1-observability\nshop-dev-use1/services=shop-dev-use1-services';

// The release's artifacts as CDK writes them (content-addressed assets in the bootstrap bucket and repository).
const ACCOUNT = '123456789012';
const bucketOf = (region: string) => `cdk-hnb659fds-assets-${ACCOUNT}-${region}`;
const BUCKET = bucketOf('us-east-1');
const REPOSITORY = `cdk-hnb659fds-container-assets-${ACCOUNT}-us-east-1`;
const hash = (digit: string) => digit.repeat(64);
const OBSERVABILITY_TEMPLATE = `${hash('1')}.json`;
const SERVICES_TEMPLATE = `${hash('2')}.json`;
const IMAGE_TAG = hash('3');
const DIGEST = `sha256:${hash('4')}`;
const LAMBDA_CODE = `${hash('5')}.zip`;
const templateUrl = (key: string, region = 'us-east-1') =>
  `https://${bucketOf(region)}.s3.${region}.amazonaws.com/${key}`;
const TEMPLATES_INPUT = `shop-dev-use1-observability=${templateUrl(OBSERVABILITY_TEMPLATE)} shop-dev-use1-services=${templateUrl(SERVICES_TEMPLATE)}`;
/** The synthesized templates' text (what S3 GetObject returns), in the form CDK writes assets into a template. */
const TEMPLATE_TEXT: Record<string, string> = {
  [OBSERVABILITY_TEMPLATE]: JSON.stringify({
    Resources: {
      Handler: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Bucket: BUCKET, S3Key: LAMBDA_CODE } } },
    },
  }),
  [SERVICES_TEMPLATE]: JSON.stringify({
    Resources: {
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          ContainerDefinitions: [
            { Image: { 'Fn::Sub': `${ACCOUNT}.dkr.ecr.us-east-1.\${AWS::URLSuffix}/${REPOSITORY}:${IMAGE_TAG}` } },
          ],
        },
      },
    },
  }),
};
const RECORD = {
  schemaVersion: 2,
  sha: SHA,
  region: 'us-east-1',
  stacks: [
    {
      cdkId: 'shop-dev-use1/observability',
      stackName: 'shop-dev-use1-observability',
      templateUrl: templateUrl(OBSERVABILITY_TEMPLATE),
      images: [],
      objects: [LAMBDA_CODE],
    },
    {
      cdkId: 'shop-dev-use1/services',
      stackName: 'shop-dev-use1-services',
      templateUrl: templateUrl(SERVICES_TEMPLATE),
      images: [{ registryId: ACCOUNT, repository: REPOSITORY, tag: IMAGE_TAG, digest: DIGEST }],
      objects: [],
    },
  ],
  recordedAt: '2025-03-01T12:30:00Z',
  runUrl: 'https://github.com/example-org/multi-region-shop/actions/runs/42',
};

const ssm = mockClient(SSMClient);
const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const ecr = mockClient(ECRClient);

/** Every artifact of the release exists: the templates, the Lambda code, the image tag pointing at DIGEST. */
function artifactsPresent(): void {
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const text = TEMPLATE_TEXT[input.Key];
    if (text === undefined) throw new Error(`unexpected GetObject ${input.Key}`);
    return { Body: { transformToString: async () => text } };
  });
  s3.on(HeadObjectCommand).resolves({ ContentLength: 100 });
  ecr.on(DescribeImagesCommand).resolves({
    imageDetails: [{ registryId: ACCOUNT, repositoryName: REPOSITORY, imageDigest: DIGEST, imageTags: [IMAGE_TAG] }],
  });
}

/** S3 HeadObject of a missing key with s3:ListBucket: 404, which the SDK names NotFound. */
const notFound = () =>
  new S3ServiceException({
    name: 'NotFound',
    $fault: 'client',
    $metadata: { httpStatusCode: 404 },
    message: 'NotFound',
  });
const imageNotFound = () =>
  new ECRServiceException({
    name: 'ImageNotFoundException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `The image with imageId {imageTag:'${IMAGE_TAG}'} does not exist within the repository`,
  });

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
  s3.reset();
  ecr.reset();
  artifactsPresent();
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
    templates: TEMPLATES_INPUT,
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
      Tier: 'Intelligent-Tiering',
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
        '<table><tr><th>CDK stack id</th><th>CloudFormation stack</th><th>template</th><th>images (tag → digest)</th><th>other assets</th></tr>' +
          `<tr><td>shop-dev-use1/observability</td><td>shop-dev-use1-observability</td><td>${templateUrl(OBSERVABILITY_TEMPLATE)}</td><td></td><td>1</td></tr>` +
          `<tr><td>shop-dev-use1/services</td><td>shop-dev-use1-services</td><td>${templateUrl(SERVICES_TEMPLATE)}</td><td>${REPOSITORY}:333333333333… → ${DIGEST}</td><td>0</td></tr></table>`,
        '',
      ].join('\n'),
    );
  });

  test('a bare stack name stands for both the CDK id and the CloudFormation name; no run URL outside Actions', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    const result = await runRollback({
      ...recordInputs,
      stacks: 'shop-dev-use1-services',
      templates: `shop-dev-use1-services=${templateUrl(SERVICES_TEMPLATE)}`,
    });

    expect(result.failure).toBeUndefined();
    const value = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value!;
    expect(JSON.parse(value)).toEqual({
      schemaVersion: 2,
      sha: SHA,
      region: 'us-east-1',
      stacks: [{ ...RECORD.stacks[1], cdkId: 'shop-dev-use1-services' }],
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
        '  - stacks: "shop-dev-use1/observability=shop-dev-use1-observability\\nshop-dev-use1/services=shop-dev-use1-services\\nshop-dev-use1/data=shop-dev-use1-data" has an item "shop-dev-use1/data=shop-dev-use1-data" that is a stateful (data) stack, which a rollback never redeploys; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each an application stack as "<cdk stack id>=<CloudFormation stack name>" or "<stack name>" (never a data stack: no "data", "database", "db" or "stateful" in its name)',
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
        '  - stacks: no value given; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each an application stack as "<cdk stack id>=<CloudFormation stack name>" or "<stack name>" (never a data stack: no "data", "database", "db" or "stateful" in its name)\n' +
        '  - templates: no value given; accepted: a list of 1 to 50 items separated by commas, spaces or new lines, each "<CloudFormation stack name>=<template URL>", the URL https://<asset bucket>.s3.<region>.amazonaws.com/<64 hex digits>.json (the template URL of the deploy job)',
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
      cdk_stack_ids: 'shop-dev-use1/observability shop-dev-use1/services',
      stack_names: 'shop-dev-use1-observability shop-dev-use1-services',
      recorded_at: '2025-03-01T12:30:00Z',
      run_url: 'https://github.com/example-org/multi-region-shop/actions/runs/42',
      templates: JSON.stringify({
        'shop-dev-use1-observability': templateUrl(OBSERVABILITY_TEMPLATE),
        'shop-dev-use1-services': templateUrl(SERVICES_TEMPLATE),
      }),
    });
    expect(result.summary).toContain(
      '<p>Recorded by: <a href="https://github.com/example-org/multi-region-shop/actions/runs/42">https://github.com/example-org/multi-region-shop/actions/runs/42</a></p>',
    );
    expect(result.summary).toContain(
      `<p>aws cloudformation deploy --region us-east-1 --stack-name shop-dev-use1-services --template-url ${templateUrl(SERVICES_TEMPLATE)} --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM</p>`,
    );
    expect(result.summary).not.toContain('git checkout');
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
      'stacks: "shop-dev-use1-canaries" not in the known-good record of us-east-1; accepted: recorded application stacks (shop-dev-use1-observability, shop-dev-use1-services)',
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
      stacks: [...RECORD.stacks, { ...RECORD.stacks[1], cdkId: 'shop-dev-use1/data', stackName: 'shop-dev-use1-data' }],
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
    ['an unknown schema version', { ...RECORD, schemaVersion: 3 }, ['schemaVersion: Invalid input: expected 2']],
    [
      'a template in another Region',
      {
        ...RECORD,
        stacks: [{ ...RECORD.stacks[1], templateUrl: templateUrl(SERVICES_TEMPLATE, 'us-west-2') }],
      },
      [
        `stacks: the template of shop-dev-use1-services (${templateUrl(SERVICES_TEMPLATE, 'us-west-2')}) is not in us-east-1, the Region it is stored in`,
      ],
    ],
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
    stacks: 'shop-dev-use1-observability shop-dev-use1-services',
    sha: SHA,
  };
  const stack = (name: string, status: string, reason?: string, commit = SHA) => ({
    Stacks: [
      {
        StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab`,
        StackName: name,
        CreationTime: new Date('2025-02-01T10:00:00Z'),
        LastUpdatedTime: new Date('2025-03-01T12:45:00Z'),
        StackStatus: status as 'UPDATE_COMPLETE',
        ...(reason ? { StackStatusReason: reason } : {}),
        Outputs: [{ OutputKey: DEPLOYED_COMMIT_OUTPUT, OutputValue: commit }],
      },
    ],
  });

  test('passes when every stack is in a *_COMPLETE state', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-observability' })
      .resolves(stack('shop-dev-use1-observability', 'UPDATE_COMPLETE'))
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-services' })
      .resolves(stack('shop-dev-use1-services', 'CREATE_COMPLETE'));

    const result = await runRollback(verifyInputs);

    expect(result.failure).toBeUndefined();
    expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 2);
    expect(result.lines).toContain(
      `Every redeployed stack is healthy in us-east-1 and runs ${SHA}: shop-dev-use1-observability, shop-dev-use1-services`,
    );
    expect(result.summary).toBe(
      [
        '<h2>Rollback verification in us-east-1</h2>',
        `<p>Result: every redeployed stack is healthy and runs the known-good commit ${SHA}</p>`,
        '<table><tr><th>stack</th><th>status</th><th>runs commit</th><th>reason</th><th>last updated</th></tr>' +
          `<tr><td>shop-dev-use1-observability</td><td>UPDATE_COMPLETE</td><td>${SHA}</td><td></td><td>2025-03-01T12:45:00.000Z</td></tr>` +
          `<tr><td>shop-dev-use1-services</td><td>CREATE_COMPLETE</td><td>${SHA}</td><td></td><td>2025-03-01T12:45:00.000Z</td></tr></table>`,
        '',
      ].join('\n'),
    );
  });

  test('fails on a rolled-back stack and on a missing one, naming both', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'shop-dev-use1-observability' })
      .resolves(
        stack(
          'shop-dev-use1-observability',
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
        '  - Stack "shop-dev-use1-observability" is UPDATE_ROLLBACK_COMPLETE: The following resource(s) failed to update: [Service].\n' +
        '  - Stack "shop-dev-use1-services" does not exist',
    );
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain(
      '<tr><td>shop-dev-use1-services</td><td>DOES_NOT_EXIST</td><td></td><td></td><td></td></tr>',
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
    templates: TEMPLATES_INPUT,
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
    stacksRunning({
      'shop-dev-use1-observability': { commit: SHA },
      'shop-dev-use1-services': { commit: SHA, as: 'tag' },
    });

    const result = await runRollback(recordInputs);

    expect(result.failure).toBeUndefined();
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: CANDIDATE });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: MARKER });
  });

  test('GIVEN a re-run bake after a rollback (the stacks run the known-good commit) WHEN record THEN it refuses (exit 1)', async () => {
    stacksRunning({ 'shop-dev-use1-observability': { commit: SHA }, 'shop-dev-use1-services': { commit: BAD_SHA } });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Stack "shop-dev-use1-services" runs commit ${BAD_SHA} (its ${DEPLOYED_COMMIT_OUTPUT}), not ${SHA}`,
    );
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN a stack without DeployedCommit WHEN record THEN it refuses: the commit cannot be verified', async () => {
    stacksRunning({ 'shop-dev-use1-observability': { commit: SHA }, 'shop-dev-use1-services': {} });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Stack "shop-dev-use1-services" has no ${DEPLOYED_COMMIT_OUTPUT} output or tag, so it cannot be shown to run ${SHA}`,
    );
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN a stack that is not healthy WHEN record THEN it refuses', async () => {
    stacksRunning({
      'shop-dev-use1-observability': { commit: SHA },
      'shop-dev-use1-services': { commit: SHA, status: 'UPDATE_ROLLBACK_COMPLETE' },
    });

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain('Stack "shop-dev-use1-services" is UPDATE_ROLLBACK_COMPLETE');
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('GIVEN the commit was rolled back in this Region WHEN record THEN it refuses, naming the rollback', async () => {
    stacksRunning({ 'shop-dev-use1-observability': { commit: SHA }, 'shop-dev-use1-services': { commit: SHA } });
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
    stacks: [
      {
        cdkId: `shop-dev-${region}/services`,
        stackName: `shop-dev-${region}-services`,
        templateUrl: templateUrl(SERVICES_TEMPLATE, region),
        images: [],
        objects: [],
      },
    ],
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

describe('a rollback redeploys the recorded artifacts of the known-good release, nothing rebuilt (review M4)', () => {
  const recordInputs = {
    command: 'record',
    region: 'us-east-1',
    app_name: 'shop',
    env_name: 'dev',
    sha: SHA,
    stacks: APP_STACKS,
    templates: TEMPLATES_INPUT,
  };
  const planInputs = {
    command: 'plan',
    region: 'us-east-1',
    app_name: 'shop',
    env_name: 'dev',
    failed_sha: 'fedcba9876543210fedcba9876543210fedcba98',
  };

  beforeEach(() => {
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
    ssm.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Standard' });
  });
  const noParameters = () =>
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'Parameter not found' }));

  test('the images and asset objects of a template are read from its text, as CDK writes them', () => {
    expect(templateArtifacts(TEMPLATE_TEXT[SERVICES_TEMPLATE]!, SERVICES_TEMPLATE)).toEqual({
      images: [{ registryId: ACCOUNT, repository: REPOSITORY, tag: IMAGE_TAG }],
      objects: [],
    });
    expect(templateArtifacts(TEMPLATE_TEXT[OBSERVABILITY_TEMPLATE]!, OBSERVABILITY_TEMPLATE)).toEqual({
      images: [],
      objects: [LAMBDA_CODE],
    });
  });

  test('GIVEN a passed bake WHEN record THEN it stores each stack’s deployed template URL, the digest its image tag points at and its asset objects', async () => {
    noParameters();

    const result = await runRollback(recordInputs);

    expect(result.failure).toBeUndefined();
    expect(JSON.parse(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value!)).toEqual({
      ...RECORD,
      runUrl: undefined,
    });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: SERVICES_TEMPLATE });
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: ACCOUNT,
      repositoryName: REPOSITORY,
      imageIds: [{ imageTag: IMAGE_TAG }],
    });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: LAMBDA_CODE });
  });

  test('GIVEN an image of the release is already gone WHEN record THEN nothing is recorded (exit 1): it could never be redeployed', async () => {
    noParameters();
    ecr.on(DescribeImagesCommand).rejects(imageNotFound());

    const result = await runRollback(recordInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`shop-dev-use1-services: image ${REPOSITORY}:${IMAGE_TAG} does not exist`);
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(result.summary).toContain('Known-good version NOT recorded in us-east-1');
  });

  test('record refuses a stack without its template URL, and a template that is not an asset template (exit 2)', async () => {
    const result = await runRollback({
      ...recordInputs,
      templates: `shop-dev-use1-services=https://example.com/template.json`,
    });

    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain(
      'has an item "shop-dev-use1-services=https://example.com/template.json" that has no template URL after "="',
    );
    const missing = await runRollback({
      ...recordInputs,
      templates: `shop-dev-use1-services=${templateUrl(SERVICES_TEMPLATE)}`,
    });
    expect(missing.failure).toContain('templates: no template URL for shop-dev-use1-observability');
    expect(s3.calls()).toHaveLength(0);
  });

  test('GIVEN every recorded artifact exists WHEN plan THEN it checks each one before it outputs the templates', async () => {
    storedRecord(RECORD);

    const result = await runRollback(planInputs);

    expect(result.failure).toBeUndefined();
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: SERVICES_TEMPLATE });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: OBSERVABILITY_TEMPLATE });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: LAMBDA_CODE });
    expect(ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 1);
    expect(JSON.parse(result.outputs['templates']!)).toEqual({
      'shop-dev-use1-observability': templateUrl(OBSERVABILITY_TEMPLATE),
      'shop-dev-use1-services': templateUrl(SERVICES_TEMPLATE),
    });
  });

  test.each([
    [
      'an image deleted',
      () => ecr.on(DescribeImagesCommand).rejects(imageNotFound()),
      `shop-dev-use1-services: image ${REPOSITORY}:${IMAGE_TAG} (${DIGEST}) no longer exists`,
    ],
    [
      'an image tag moved to another image',
      () => ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: `sha256:${hash('9')}` }] }),
      `shop-dev-use1-services: image tag ${REPOSITORY}:${IMAGE_TAG} now points at sha256:${hash('9')}, not the recorded ${DIGEST}`,
    ],
    [
      'a template deleted',
      () => s3.on(HeadObjectCommand, { Key: SERVICES_TEMPLATE }).rejects(notFound()),
      `shop-dev-use1-services: its template s3://${BUCKET}/${SERVICES_TEMPLATE} no longer exists`,
    ],
    [
      'Lambda code deleted',
      () => s3.on(HeadObjectCommand, { Key: LAMBDA_CODE }).rejects(notFound()),
      `shop-dev-use1-observability: asset object s3://${BUCKET}/${LAMBDA_CODE} no longer exists`,
    ],
  ])(
    'GIVEN %s WHEN plan THEN it fails closed (exit 1), outputs nothing to deploy and says why',
    async (_, gone, problem) => {
      storedRecord(RECORD);
      gone();

      const result = await runRollback(planInputs);

      expect(result.exitCode).toBe(1);
      expect(result.failure).toContain(`Cannot roll us-east-1 back to ${SHA}: artifacts of that release are gone`);
      expect(result.failure).toContain(problem);
      expect(result.outputs['templates']).toBeUndefined();
      expect(result.summary).toContain('Rollback of us-east-1 NOT possible: recorded artifacts are gone');
      expect(result.summary).toContain('aws s3api list-object-versions --bucket &lt;bucket&gt; --prefix &lt;key&gt;');
      // The failed commit is still marked: it must never be recorded.
      expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
        Name: `/shop/dev/deploy/rolled-back/${planInputs.failed_sha}`,
      });
    },
  );

  test('GIVEN a record in the old format (version 1: a commit to rebuild) WHEN plan THEN it is refused with why and what to do, in the summary too', async () => {
    storedRecord({
      schemaVersion: 1,
      sha: SHA,
      region: 'us-east-1',
      stacks: [{ cdkId: 'shop-dev-use1/services', stackName: 'shop-dev-use1-services' }],
      recordedAt: '2025-03-01T12:30:00Z',
    });

    const result = await runRollback(planInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain('schemaVersion: 1 is the old format');
    expect(result.failure).toContain('The next release whose bakes pass writes a version-2 record');
    expect(result.summary).toContain('Rollback plan in us-east-1: FAILED (exit 1: the check failed)');
    expect(result.summary).toContain('schemaVersion: 1 is the old format');
  });

  test('GIVEN an AWS error after the retries (exit 3) WHEN plan THEN the job summary says so too (review m3)', async () => {
    ssm.on(GetParameterCommand).rejects(
      new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized',
      }),
    );

    const result = await runRollback(planInputs);

    expect(result.exitCode).toBe(3);
    expect(result.summary).toContain('Rollback plan in us-east-1: FAILED (exit 3: an AWS call failed)');
    expect(result.summary).toContain('AccessDeniedException: not authorized');
  });

  test('GIVEN invalid inputs (exit 2) THEN the job summary lists them', async () => {
    const result = await runRollback({ command: 'verify', region: 'us-east-1', stacks: 'shop-dev-use1-services' });

    expect(result.exitCode).toBe(2);
    expect(result.summary).toContain(
      'Rollback verify in us-east-1: FAILED (exit 2: invalid inputs, nothing was called)',
    );
    expect(result.summary).toContain('sha: no value given');
  });

  test('GIVEN a redeploy that left another release in place (R7: a no-op) WHEN verify THEN it fails although every stack is healthy', async () => {
    const OTHER = 'b'.repeat(40);
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'shop-dev-use1-services',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: NOW,
          Outputs: [{ OutputKey: DEPLOYED_COMMIT_OUTPUT, OutputValue: OTHER }],
        },
      ],
    });

    const result = await runRollback({
      command: 'verify',
      region: 'us-east-1',
      stacks: 'shop-dev-use1-services',
      sha: SHA,
    });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      `Rollback verification failed in us-east-1:\n  - Stack "shop-dev-use1-services" runs commit ${OTHER} (its DeployedCommit), not ${SHA}: the redeploy did not put the known-good release back`,
    );
  });
});

describe('the known-good parameters never get stuck on the advanced tier (review-12 D8)', () => {
  // SSM, "Managing parameter tiers": "You can change a standard parameter to an advanced parameter at any time, but
  // you can't revert an advanced parameter to a standard parameter." The mock refuses exactly that (the error SSM
  // returns is unverified; any refusal fails the write).
  function ssmWithTiers(): Map<string, string> {
    const tiers = new Map<string, string>();
    ssm.on(PutParameterCommand).callsFake((input: { Name: string; Value: string; Tier?: string }) => {
      const before = tiers.get(input.Name);
      const needsAdvanced = Buffer.byteLength(input.Value) > STANDARD_PARAMETER_BYTES;
      const tier =
        input.Tier === 'Intelligent-Tiering'
          ? needsAdvanced || before === 'Advanced'
            ? 'Advanced'
            : 'Standard'
          : (input.Tier ?? 'Standard');
      if (before === 'Advanced' && tier === 'Standard') {
        throw new Error(`${input.Name} is an advanced parameter: it cannot be reverted to the standard tier`);
      }
      if (tier === 'Standard' && needsAdvanced) throw new Error(`${input.Name}: a standard parameter holds 4 KB`);
      tiers.set(input.Name, tier);
      return Promise.resolve({ Version: 1, Tier: tier });
    });
    return tiers;
  }
  const passThrough: AwsCaller = (_call, send) => send();
  const record = (images: number) => ({
    ...RECORD,
    stacks: RECORD.stacks.map((stack) => ({
      ...stack,
      images: Array.from({ length: images }, (_, i) => ({
        ...stack.images[0]!,
        ...RECORD.stacks[1]!.images[0]!,
        tag: `${i}`.padStart(64, '0'),
      })),
    })),
  });

  test('GIVEN a record larger than 4 KB was written WHEN a later, smaller record is written THEN the write succeeds', async () => {
    // GIVEN a parameter written with a record over the standard tier's 4 KB
    const tiers = ssmWithTiers();
    const store = new KnownGoodStore(new SSMClient({}), 'us-east-1', CANDIDATE, passThrough);
    const large = record(20) as KnownGoodRecord;
    expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(STANDARD_PARAMETER_BYTES);
    await store.write(large);
    expect(tiers.get(CANDIDATE)).toBe('Advanced');
    // WHEN the next release's record is small again THEN it is written (the parameter stays advanced)
    await expect(store.write(record(1) as KnownGoodRecord)).resolves.toBe(1);
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Tier)).toEqual([
      'Intelligent-Tiering',
      'Intelligent-Tiering',
    ]);
  });
});
