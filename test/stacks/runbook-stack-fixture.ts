import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RunbookStack, type RunbookStackProps } from '../../stacks/runbooks';

/** The feature flags of cdk.json, so test apps behave like `cdk synth`. */
const CONTEXT = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../cdk.json'), 'utf8')).context;
/** The Regions and account of the runbook stack tests. */
export const RUNBOOK_TEST_ENV = { account: '111111111111', primary: 'us-east-1', standby: 'us-west-2' } as const;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A small stand-in asset exporting `handler` (these tests look at the template, not the bundle:
 * runbooks-bundle.test.ts does), removed after the test file. It gives a new Code on each call: CDK associates a Code
 * with one stack.
 */
export function stubRunbookCode(handler: string): () => lambda.Code {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-code-'));
  scratch.push(dir);
  fs.writeFileSync(path.join(dir, 'index.js'), `exports.${handler} = async () => ({});\n`);
  return () => lambda.Code.fromAsset(dir);
}

/**
 * The runbook stack of `region` as the regional stage builds it, with the network and data parts it receives
 * stubbed in a base stack (a VPC with flow logs and the three subnet tiers, the database clients' security group, the
 * data key), in an app whose output folder is removed after the test file. `overrides` replace any prop.
 */
export function standaloneRunbookStack(
  region: string,
  code: () => lambda.Code,
  overrides: Partial<RunbookStackProps> = {},
): { readonly app: App; readonly stack: RunbookStack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-stack-'));
  scratch.push(outdir);
  const app = new App({ outdir, context: CONTEXT });
  const env = { account: RUNBOOK_TEST_ENV.account, region };
  const base = new Stack(app, 'Base', { env });
  const vpc = new ec2.Vpc(base, 'Vpc', {
    availabilityZones: [`${region}a`, `${region}b`],
    flowLogs: { all: {} },
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'databases', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const stack = new RunbookStack(app, 'Runbooks', {
    env,
    appName: 'shop',
    envName: 'dev',
    role: region === RUNBOOK_TEST_ENV.primary ? 'primary' : 'standby',
    primaryRegion: RUNBOOK_TEST_ENV.primary,
    standbyRegion: RUNBOOK_TEST_ENV.standby,
    vpc,
    databaseClientSecurityGroup: new ec2.SecurityGroup(base, 'DatabaseClients', { vpc }),
    dataKey: new kms.Key(base, 'DataKey', { enableKeyRotation: true }),
    // As the regional stage gives them: the stack's scheduled readiness refuses a topology without them.
    healthUrls: [`https://shop-alb.${region}.example.com/health/ready`],
    ecsClusterName: 'shop-dev',
    code: code(),
    ...overrides,
  });
  return { app, stack };
}
