import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConstantBackoff } from 'cockatiel';
import { run as runBakeGate } from '../../.github/actions/bake-gate/main';
import { formatDuration } from '../../.github/actions/cli-support/clock';
import { run as runFailoverCli } from '../../.github/actions/failover/main';
import { FakeClock, runAction } from './action-harness';
import { readinessRecord } from './readiness-fixtures';

// Issue 17: the deploy's bake and the failover workflow's dry run show each Region's last scheduled readiness verdict
// and its age (read with readiness.yml's reader), and never fail because of it: readiness.yml judges and alerts.

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const START = new Date('2026-12-07T08:00:00Z');
const EXECUTION_ID = '4f6c1a2e-8d3b-4c5e-9f7a-0b1c2d3e4f5a';
const TOKEN = '11111111-2222-4333-8444-555555555555';
const BUCKET = (region: string) => `shop-dev-${region}-runbooks-reportsbucket-abc`;
const minutesBefore = (m: number) => new Date(START.getTime() - m * 60_000);

const ssm = mockClient(SSMClient);
const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
let clock: FakeClock;

/** The runbooks stacks name their report bucket; every other stack is settled. */
function stacks(): void {
  cloudFormation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => ({
    Stacks: [
      {
        StackName: input.StackName,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: minutesBefore(10_000),
        ...(input.StackName?.endsWith('-runbooks')
          ? {
              Outputs: [
                {
                  OutputKey: 'ReportBucketName',
                  OutputValue: BUCKET(input.StackName.split('-').slice(2, 5).join('-')),
                },
              ],
            }
          : {}),
      },
    ],
  }));
}

/** The scheduled readiness of `region` wrote a record finished `minutes` before START. */
function recordIn(region: string, minutes: number, verdicts: { name: string; verdict: 'GREEN' | 'RED' }[]): void {
  const record = readinessRecord(region, region === EAST ? WEST : EAST, minutesBefore(minutes), verdicts);
  s3.on(GetObjectCommand, { Bucket: BUCKET(region), Key: 'readiness/latest.json' }).resolves({
    Body: { transformToString: async () => JSON.stringify(record) },
  } as never);
}

/** The automation (a readiness or failover dry run) starts and succeeds at once. */
function automationSucceeds(document: string): void {
  ssm.on(DescribeAutomationExecutionsCommand).resolves({ AutomationExecutionMetadataList: [] });
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
  ssm.on(GetAutomationExecutionCommand).resolves({
    AutomationExecution: {
      AutomationExecutionId: EXECUTION_ID,
      DocumentName: document,
      AutomationExecutionStatus: 'Success',
      ExecutionStartTime: START,
      ExecutionEndTime: START,
      StepExecutions: [],
      StepExecutionsTruncated: false,
      Outputs: {},
    },
  });
}

/** The age of a record finished `minutes` before START, as the summary shows it at the clock's time now. */
const ageOf = (minutes: number) => formatDuration(clock.now().getTime() - minutesBefore(minutes).getTime());

beforeEach(() => {
  ssm.reset();
  cloudFormation.reset();
  s3.reset();
  clock = new FakeClock(START);
  stacks();
});

describe('the bake shows the Region’s last scheduled readiness verdict and its age', () => {
  const bake = () =>
    runAction(() => runBakeGate({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }), {
      mode: 'readiness',
      region: EAST,
      app_name: 'shop',
      env_name: 'dev',
      reason: 'bake of 0123456789abcdef0123456789abcdef01234567',
      poll_seconds: '5',
    });

  test('GIVEN the last scheduled run was RED 12 minutes ago WHEN the bake’s readiness dry run passes THEN the summary shows RED, its age and the check, and the bake passes', async () => {
    automationSucceeds('shop-dev-readiness');
    recordIn(EAST, 12, [
      { name: 'image-parity', verdict: 'GREEN' },
      { name: 'capacity-headroom', verdict: 'RED' },
    ]);

    const result = await bake();

    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(
      `Last scheduled readiness of us-east-1: RED, finished ${ageOf(12)} ago (2026-12-07T07:48:00Z); not green: capacity-headroom (RED)`,
    );
    // AND only the Region baked was read
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Bucket)).toEqual([BUCKET(EAST)]);
  });

  test.each([
    [
      'no record was ever written',
      () =>
        s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} })),
      `Last scheduled readiness of us-east-1: no readiness record (s3://${BUCKET(EAST)}/readiness/latest.json does not exist (the scheduled readiness never wrote it))`,
    ],
    [
      'the record cannot be read',
      () =>
        s3
          .on(GetObjectCommand)
          .rejects(
            new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: {} }),
          ),
      'Last scheduled readiness of us-east-1: could not read (GetObject',
    ],
  ])('GIVEN %s THEN the summary says so and the bake still passes', async (_what, arrange, line) => {
    automationSucceeds('shop-dev-readiness');
    arrange();

    const result = await bake();

    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(line);
  });
});

describe('the failover workflow’s dry run shows both Regions’ last scheduled readiness verdicts and their age', () => {
  const failover = (dryRun: 'true' | 'false') =>
    runAction(() => runFailoverCli({ clock, retry: { backoff: new ConstantBackoff(0) }, clientToken: TOKEN }), {
      action: 'failover',
      region: WEST,
      primary_region: EAST,
      standby_region: WEST,
      dry_run: dryRun,
      reason: 'CHG-1234 quarterly dry run',
      app_name: 'shop',
      env_name: 'dev',
    });

  test('GIVEN both Regions wrote a record WHEN a failover to us-west-2 is dry-run THEN the summary shows us-west-2’s verdict first, then us-east-1’s, each with its age', async () => {
    automationSucceeds('shop-dev-failover');
    recordIn(WEST, 7, [{ name: 'capacity-headroom', verdict: 'GREEN' }]);
    recordIn(EAST, 95, [{ name: 'image-parity', verdict: 'RED' }]);

    const result = await failover('true');

    expect(result.exitCode).toBe(0);
    const west = `Last scheduled readiness of us-west-2: GREEN, finished ${ageOf(7)} ago (2026-12-07T07:53:00Z)`;
    const east = `Last scheduled readiness of us-east-1: RED, finished ${ageOf(95)} ago (2026-12-07T06:25:00Z); not green: image-parity (RED)`;
    expect(result.summary).toContain(west);
    expect(result.summary).toContain(east);
    expect(result.summary.indexOf(west)).toBeLessThan(result.summary.indexOf(east));
  });

  test('GIVEN a real failover THEN it spends no time reading readiness records (no GetObject) and shows none', async () => {
    automationSucceeds('shop-dev-failover');
    recordIn(WEST, 7, [{ name: 'capacity-headroom', verdict: 'GREEN' }]);

    const result = await failover('false');

    expect(s3).not.toHaveReceivedCommand(GetObjectCommand);
    expect(result.summary).not.toContain('Last scheduled readiness');
  });
});
