import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  AUTOMATION_PARAMETERS,
  REPORT_URL_OUTPUT,
  RUNBOOK_ACTIONS,
} from '../../.github/actions/failover/automation-document-name';
import { actionsFor } from '../../runbooks/adapters/aws/required-actions';
import {
  INVOKE_REQUEST_LIMITS,
  REMOVAL_FUNCTION_TIMEOUT_SECONDS,
} from '../../runbooks/adapters/aws/synthetic-orders-limits';
import type { Step } from '../../runbooks/core/step';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from '../../runbooks/orchestrations';
import type { PortMethod } from '../../runbooks/ports';
import { parseTopology } from '../../runbooks/topology';
import { nagResource, type RunbookStack, type RunbookStackProps } from '../../stacks/runbooks';
import { type PermissionScope, runbookPolicyStatements } from '../../stacks/runbooks/runbook-permissions';
import { SHOP_SERVICES } from '../../stacks/services/shop-services';
import { standbyPermissionScope } from './permission-scope';
import { standaloneRunbookStack, stubRunbookCode } from './runbook-stack-fixture';

const ACCOUNT = '111111111111';
const PRIMARY = 'us-east-1';
const STANDBY = 'us-west-2';

const CODE = stubRunbookCode('handler');

interface Built {
  readonly app: App;
  readonly stack: RunbookStack;
  readonly template: Template;
}

function build(region = STANDBY, overrides: Partial<RunbookStackProps> = {}, nag = false): Built {
  // GIVEN the network and data stacks' resources the runbook stack receives
  const { app, stack } = standaloneRunbookStack(region, CODE, {
    healthUrls: ['https://shop-alb.example.com/health/ready'],
    ...overrides,
  });
  if (nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return { app, stack, template: undefined as unknown as Template };
  }
  return { app, stack, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function policyStatements(template: Template, logicalIdPrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([id]) => id.startsWith(logicalIdPrefix));
  if (!entry) throw new Error(`no policy ${logicalIdPrefix}`);
  return (entry[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
    .Statement;
}

/** What a runbook role acts on, without any routing: each test adds the routing of its mode. */
function minimalScope(stack: Stack): PermissionScope {
  return standbyPermissionScope(stack);
}

interface DocumentStep {
  name: string;
  action: string;
  inputs: { FunctionName?: unknown; Steps?: DocumentStep[] };
}
interface DocumentContent {
  parameters: Record<string, { type: string }>;
  outputs?: string[];
  mainSteps: DocumentStep[];
}
/** Every step of a document, the steps nested in loops included. */
const allDocumentSteps = (steps: DocumentStep[]): DocumentStep[] =>
  steps.flatMap((s) => [s, ...allDocumentSteps(s.inputs.Steps ?? [])]);

const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();

/**
 * The port methods of every step, computed here from the definitions, independently of the stack; the routing port of
 * the other routing mode has nothing to act on (no plan in arc-cluster mode, no routing controls in region-switch mode)
 * and is left out.
 */
function methodsOfSteps(stack: RunbookStack, inDatabaseFunction: boolean): PortMethod[] {
  const otherModePort = stack.topology.routing.mode === 'region-switch' ? 'routing.' : 'regionSwitch.';
  const methods = new Set<PortMethod>(['journal.load', 'journal.save', 'journal.latest']);
  for (const name of ORCHESTRATION_NAMES) {
    for (const step of ORCHESTRATIONS[name]!.steps(stack.topology) as readonly Step<unknown>[]) {
      // The VPC function runs the reconcile steps (private clusters) and the health probes (an internal ALB, M9).
      const database = step.uses.some((m) => m === 'reconciler.reconcile' || m === 'health.checkEndpoints');
      for (const method of step.uses) {
        const databaseOnly = method.startsWith('credentials.') || method.startsWith('reconciler.');
        if (inDatabaseFunction ? database : !databaseOnly) methods.add(method);
      }
    }
  }
  return [...methods].filter((m) => !m.startsWith(otherModePort));
}

describe('RunbookStack', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  describe('IAM: exactly the actions the steps call', () => {
    test('the step function policy grants exactly the actions of the steps it runs', () => {
      const granted = actionsOf(policyStatements(built.template, 'StepStepsPolicy'));
      expect(granted).toEqual(actionsFor(methodsOfSteps(built.stack, false)));
      for (const action of [
        'rds:FailoverGlobalCluster',
        'rds:SwitchoverGlobalCluster',
        'route53-recovery-cluster:UpdateRoutingControlStates',
        'rds:CopyDBClusterSnapshot',
        'rds:RestoreDBClusterFromSnapshot',
        'rds:CreateDBInstance',
        'rds:DeleteDBCluster',
        'kms:CreateGrant',
      ]) {
        expect(granted).toContain(action);
      }
      expect(granted).not.toContain('secretsmanager:GetSecretValue');
    });

    test('the database function policy grants exactly the actions of the steps it runs (reconcile, health probes): no change to RDS or routing', () => {
      const granted = actionsOf(policyStatements(built.template, 'DatabaseStepsPolicy'));
      expect(granted).toEqual(actionsFor(methodsOfSteps(built.stack, true)));
      expect(granted).toEqual([
        'cloudwatch:GetMetricData',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'rds:DescribeDBClusters',
        'rds:DescribeGlobalClusters',
        'route53-recovery-cluster:GetRoutingControlState',
        'route53-recovery-cluster:ListRoutingControls',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'ssm:GetParameter',
      ]);
    });

    test('no action is a wildcard', () => {
      for (const prefix of [
        'StepStepsPolicy',
        'DatabaseStepsPolicy',
        'StepPlatformPolicy',
        'DatabasePlatformPolicy',
        'AutomationPolicy',
      ]) {
        for (const action of actionsOf(policyStatements(built.template, prefix))) expect(action).not.toMatch(/\*/);
      }
    });

    test('routing needs no ARC control-plane action: the step function reads the routing parameter of its own Region', () => {
      // B1: the ARC control plane (us-west-2) may be the Region that failed.
      const statements = policyStatements(built.template, 'StepStepsPolicy');
      expect(actionsOf(statements).filter((a) => a.startsWith('route53-recovery-control-config:'))).toEqual([]);
      const reads = statements.filter((s) => [s.Action].flat().includes('ssm:GetParameter'));
      const arn = (region: string, name: string) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${region}:${ACCOUNT}:parameter/${name}`]],
      });
      // AND, for the parity checks' release awareness (the readiness runbook runs them), each Region's services stack
      // deployed-commit parameter in its Region: nothing else of Parameter Store.
      expect(new Set(reads.flatMap((s) => [built.stack.resolve(s.Resource)].flat()))).toEqual(
        new Set([
          arn(built.stack.region, 'shop/dev/arc-routing'),
          ...[PRIMARY, STANDBY].map((r) => arn(r, `shop-dev-${r}-services/deployed-commit`)),
        ]),
      );
    });

    test("ECS changes (fencing the writers, M6; the scale-up before traffic moves, issue 17) are limited to the shop's services of the shop ECS cluster, in both Regions", () => {
      const statement = policyStatements(built.template, 'StepStepsPolicy').find((s) =>
        [s.Action].flat().includes('ecs:UpdateService'),
      )!;
      expect([statement.Action].flat().sort()).toEqual(['ecs:DescribeServices', 'ecs:UpdateService']);
      const resources = (built.stack.resolve(statement.Resource) as unknown[]).map((r) => JSON.stringify(r));
      const expected = ['us-east-1', 'us-west-2'].flatMap((region) =>
        SHOP_SERVICES.map((service) => `:ecs:${region}:${ACCOUNT}:service/shop-dev/${service}`),
      );
      expect(resources).toHaveLength(expected.length);
      for (const arn of expected) expect(resources.some((r) => r.includes(arn))).toBe(true);
    });

    test('readiness lists and describes tasks of the shop ECS cluster only (ecs:cluster); the scale-up updates registered scalable targets only', () => {
      const statements = policyStatements(built.template, 'StepStepsPolicy');
      const of = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
      const clusters = ['us-east-1', 'us-west-2'].map((r) => `:ecs:${r}:${ACCOUNT}:cluster/shop-dev`);
      for (const action of ['ecs:ListTasks', 'ecs:DescribeTasks']) {
        const [statement] = of(action);
        const condition = JSON.stringify(built.stack.resolve(statement!.Condition));
        expect(condition).toContain('"ArnEquals":{"ecs:cluster"');
        for (const cluster of clusters) expect(condition).toContain(cluster);
      }
      expect(JSON.stringify(built.stack.resolve(of('ecs:DescribeTasks')[0]!.Resource))).toContain(
        `:ecs:us-west-2:${ACCOUNT}:task/shop-dev/*`,
      );
      expect(
        JSON.stringify(built.stack.resolve(of('application-autoscaling:RegisterScalableTarget')[0]!.Resource)),
      ).toContain(`:application-autoscaling:us-east-1:${ACCOUNT}:scalable-target/*`);
    });

    test('the step function, which reads no secret, may decrypt only with the report bucket key (m6)', () => {
      const decrypt = policyStatements(built.template, 'StepStepsPolicy').filter((s) =>
        [s.Action].flat().includes('kms:Decrypt'),
      );
      expect(decrypt).toHaveLength(1);
      expect(JSON.stringify(built.stack.resolve(decrypt[0]!.Resource))).toMatch(/Reports.*Key/);
      expect(decrypt[0]!.Condition).toBeUndefined();
    });

    test('global database moves are limited to the shop global clusters and their members', () => {
      const statement = policyStatements(built.template, 'StepStepsPolicy').find((s) =>
        [s.Action].flat().includes('rds:FailoverGlobalCluster'),
      )!;
      expect([statement.Action].flat().sort()).toEqual(['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster']);
      expect(built.stack.resolve(statement.Resource)).toEqual(
        expect.arrayContaining([
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, `:rds::${ACCOUNT}:global-cluster:shop-dev-orders-global`],
            ],
          },
          {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${PRIMARY}:${ACCOUNT}:cluster:shop-dev-orders`]],
          },
        ]),
      );
    });

    test('grants on KMS keys are only for AWS resources (RDS), and the peer key is named by its alias', () => {
      const grants = policyStatements(built.template, 'StepStepsPolicy').filter((s) =>
        [s.Action].flat().includes('kms:CreateGrant'),
      );
      expect(grants).toHaveLength(2);
      for (const grant of grants)
        expect(grant.Condition).toMatchObject({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
      expect(grants[1]!.Condition).toMatchObject({
        StringEquals: { 'kms:ViaService': `rds.${PRIMARY}.amazonaws.com` },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/shop-dev/data' },
      });
    });

    test('the automation role may only invoke the two runbook functions, and only SSM of this account assumes it', () => {
      built.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'ssm.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': ACCOUNT },
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
              },
            },
          ],
        },
      });
      const id = (fn: lambda.Function) => built.stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
      const statements = policyStatements(built.template, 'AutomationPolicy');
      expect([statements[0]!.Resource].flat()).toHaveLength(2);
      expect(statements).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: expect.arrayContaining([
            { 'Fn::GetAtt': [id(built.stack.stepFunction), 'Arn'] },
            { 'Fn::GetAtt': [id(built.stack.databaseFunction), 'Arn'] },
          ]),
        },
      ]);
    });
  });

  describe('SSM Automation documents', () => {
    test('one per orchestration, named <app>-<env>-<orchestration>, Automation schema 0.3', () => {
      const documents = built.template.findResources('AWS::SSM::Document');
      const names = Object.values(documents)
        .map((d) => (d as { Properties: { Name: string } }).Properties.Name)
        .sort();
      expect(names).toEqual([
        'shop-dev-failback',
        'shop-dev-failover',
        'shop-dev-initialize-routing',
        'shop-dev-preserve-snapshots',
        'shop-dev-readiness',
        'shop-dev-recover',
        'shop-dev-switchover',
      ]);
      for (const document of Object.values(documents) as { Properties: Record<string, unknown> }[]) {
        expect(document.Properties).toMatchObject({
          DocumentType: 'Automation',
          DocumentFormat: 'JSON',
          UpdateMethod: 'NewVersion',
        });
        expect((document.Properties.Content as { schemaVersion: string }).schemaVersion).toBe('0.3');
      }
    });

    test.each(RUNBOOK_ACTIONS)(
      '%s follows the failover workflow contract (parameters; the report link in a Payload)',
      (action) => {
        const content = built.stack.resolve(built.stack.documents[action]!.content) as DocumentContent;
        for (const parameter of Object.values(AUTOMATION_PARAMETERS))
          expect(content.parameters[parameter]?.type).toBe('String');
        // No document outputs (referring to a step nested in a loop there is not documented): the workflow reads the
        // `ReportUrl` of the store_summary invoke step's Payload (a documented output of aws:invokeLambdaFunction).
        expect(content.outputs).toBeUndefined();
        expect(REPORT_URL_OUTPUT).toBe('ReportUrl');
        const invokes = allDocumentSteps(content.mainSteps).filter((s) => s.action === 'aws:invokeLambdaFunction');
        expect(invokes.some((s) => s.name === 'store_summary_invoke')).toBe(action !== 'readiness');
        for (const step of invokes) {
          expect(step.inputs.FunctionName).toEqual({
            'Fn::GetAtt': [expect.stringMatching(/^(Step|Database)Function/), 'Arn'],
          });
        }
      },
    );

    test.each([
      ['recover', ['reconcile_catalog_invoke', 'reconcile_orders_invoke']],
      ['readiness', ['services_healthy_invoke']],
      ['switchover', ['check_readiness_invoke']],
    ])('the %s document runs the database and health-probe steps in the database function', (name, expected) => {
      const content = built.stack.resolve(built.stack.documents[name]!.content) as DocumentContent;
      const inDatabaseFunction = allDocumentSteps(content.mainSteps)
        .filter((s) =>
          (s.inputs.FunctionName as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0].startsWith(
            'DatabaseFunction',
          ),
        )
        .map((s) => s.name);
      expect(inDatabaseFunction).toEqual(expected);
    });

    test.each(ORCHESTRATION_NAMES)('the %s document stays under 64 KB with the function ARNs resolved', (name) => {
      // GIVEN the content with each Fn::GetAtt replaced by an ARN of the longest form it can take
      const arn = `arn:aws:lambda:${STANDBY}:${ACCOUNT}:function:${'x'.repeat(64)}`;
      const content = JSON.stringify(built.stack.resolve(built.stack.documents[name]!.content)).replace(
        /\{"Fn::GetAtt":\[[^\]]*\]\}/g,
        JSON.stringify(arn),
      );
      // THEN
      expect(content).not.toContain('Fn::');
      expect(Buffer.byteLength(content)).toBeLessThan(64 * 1024);
    });
  });

  describe('functions', () => {
    test('the step function runs outside the VPC (ARC endpoints are public); the database function inside, as a database client', () => {
      const functions = built.template.findResources('AWS::Lambda::Function');
      const byId = (prefix: string) =>
        Object.entries(functions).find(([id]) => id.startsWith(prefix))![1] as { Properties: Record<string, unknown> };
      expect(byId('StepFunction').Properties.VpcConfig).toBeUndefined();
      expect(byId('DatabaseFunction').Properties.VpcConfig).toEqual({
        SecurityGroupIds: [{ 'Fn::ImportValue': expect.stringMatching(/DatabaseClients/) }],
        SubnetIds: expect.any(Array),
      });
      for (const prefix of ['StepFunction', 'DatabaseFunction']) {
        expect(byId(prefix).Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Timeout: 290,
          Handler: 'index.handler',
          Architectures: ['arm64'],
        });
      }
    });

    test('the functions receive a topology the runbook accepts, with no credentials in it', () => {
      const functions = built.template.findResources('AWS::Lambda::Function');
      const variables = (
        Object.values(functions)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }
      ).Properties.Environment.Variables;
      // Tokens (subnet group, security group, key) become placeholders; the rest is the JSON the Lambda parses.
      const join = variables.RUNBOOK_TOPOLOGY as { 'Fn::Join': [string, unknown[]] };
      const text = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
      const topology = parseTopology(JSON.parse(text), 'RUNBOOK_TOPOLOGY');
      expect(topology.databases.map((d) => [d.name, d.globalClusterIdentifier, d.secretId])).toEqual([
        ['catalog', 'shop-dev-catalog-global', 'shop/dev/catalog/master'],
        ['orders', 'shop-dev-orders-global', 'shop/dev/orders/master'],
      ]);
      expect(topology.routing).toEqual({
        mode: 'arc-cluster',
        parameterName: '/shop/dev/arc-routing',
        controlPanelName: 'shop-dev-control-panel',
        controls: { [PRIMARY]: `shop-dev-${PRIMARY}`, [STANDBY]: `shop-dev-${STANDBY}` },
      });
      expect(topology.regions[STANDBY]?.recovery).toEqual({
        subnetGroupName: 'shop-dev-recovery',
        securityGroupIds: ['TOKEN'],
        kmsKeyId: 'TOKEN',
        instanceClass: 'db.r6g.large',
      });
      expect(text).not.toMatch(/password/i);
    });
  });

  describe('report bucket', () => {
    test('versioned, KMS-encrypted, object lock GOVERNANCE 90 days, no public access, access logs', () => {
      built.template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } },
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
              BucketKeyEnabled: true,
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'runbook-reports/' },
      });
    });

    test('refuses anything but TLS', () => {
      built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    test('is retained with its key when the stack is deleted', () => {
      const buckets = built.template.findResources('AWS::S3::Bucket');
      for (const bucket of Object.values(buckets))
        expect((bucket as { DeletionPolicy: string }).DeletionPolicy).toBe('Retain');
      built.template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    });
  });

  test('temporary clusters get their own security group that admits only the database clients on 5432', () => {
    built.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseClients') },
    });
    built.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { DBSubnetGroupName: 'shop-dev-recovery' });
  });

  test.each([PRIMARY, STANDBY])('cdk-nag AWS Solutions finds nothing unacknowledged (%s)', (region) => {
    const { app } = build(region, {}, true);
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  test.each([
    [{ role: 'primary' as const }, 'role: "primary" does not match the Region us-west-2; accepted: "standby"'],
    [{ standbyRegion: PRIMARY }, 'standbyRegion: "us-east-1" equals primaryRegion; accepted: the other Region'],
    [
      { primaryRegion: 'eu-west-1', standbyRegion: 'eu-central-1' },
      'env.region: "us-west-2" is neither primaryRegion nor standbyRegion; accepted: eu-west-1 or eu-central-1',
    ],
  ])('rejects %j', (overrides, message) => {
    expect(() => build(STANDBY, overrides)).toThrow(message);
  });
});

// Issue 18: in routing mode region-switch the runbooks run the ARC Region switch plan, whose ARN the routing stack writes
// into an SSM parameter of each Region (stacks/routing/region-switch-plan-parameter.ts); there are no routing controls.
describe('RunbookStack in routing mode region-switch', () => {
  const built: Record<string, Built> = {};
  beforeAll(() => {
    // GIVEN the runbook stack of each Region in routing mode region-switch
    for (const region of [PRIMARY, STANDBY]) built[region] = build(region, { routingMode: 'region-switch' });
  });
  const standby = () => built[STANDBY]!;
  const allStatements = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
  const arn = (service: string, region: string, resource: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:${region}:${ACCOUNT}:${resource}`]],
  });

  test('the functions receive a region-switch topology: the plan ARN parameter, no routing controls, no ARC parameter', () => {
    const functions = standby().template.findResources('AWS::Lambda::Function');
    const variables = (
      Object.values(functions)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }
    ).Properties.Environment.Variables;
    const join = variables.RUNBOOK_TOPOLOGY as { 'Fn::Join': [string, unknown[]] };
    const text = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    // THEN the topology names the plan's parameter only
    expect(JSON.parse(text).routing).toEqual({
      mode: 'region-switch',
      regionSwitch: { planParameterName: '/shop/dev/region-switch-plan', timeoutMinutes: 60 },
      controls: {},
    });
    // AND the runbook accepts it
    expect(parseTopology(JSON.parse(text), 'RUNBOOK_TOPOLOGY').routing.mode).toBe('region-switch');
  });

  test.each([
    ['StepStepsPolicy', false],
    ['DatabaseStepsPolicy', true],
  ])('%s grants exactly the actions of the steps it runs, none of the routing controls', (policy, inVpc) => {
    const granted = actionsOf(policyStatements(standby().template, policy));
    // The ARC routing controls do not exist in this mode: a step that still declared routing.* gets nothing for it.
    expect(granted).toEqual(actionsFor(methodsOfSteps(standby().stack, inVpc)));
    expect(granted.filter((a) => a.startsWith('route53-recovery-'))).toEqual([]);
  });

  test.each([PRIMARY, STANDBY])(
    'no policy of the %s stack grants an ARC routing-control or control-plane action',
    (r) => {
      const actions = actionsOf(allStatements(built[r]!.template));
      expect(actions.filter((a) => a.startsWith('route53-recovery-'))).toEqual([]);
      // AND the traffic move is granted: the failover runs the plan
      expect(actions).toContain('arc-region-switch:StartPlanExecution');
    },
  );

  test.each([PRIMARY, STANDBY])(
    'the Region switch data-plane actions are granted on the shop plan only; the %s stack reads the plan ARN parameter of its own Region',
    (region) => {
      const { template, stack } = built[region]!;
      const statements = allStatements(template);
      const planStatements = statements.filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('arc-region-switch:')),
      );
      expect(planStatements.length).toBeGreaterThan(0);
      for (const statement of planStatements) {
        // only Region switch actions in the statement, on the plan's ARN whatever suffix AWS gives it
        expect([statement.Action].flat().every((a) => a.startsWith('arc-region-switch:'))).toBe(true);
        // (CDK may reorder a statement's resources: compared as sets)
        expect(new Set(stack.resolve(statement.Resource))).toEqual(
          new Set([
            {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:arc-region-switch::${ACCOUNT}:plan/shop-dev-region-switch:*`],
              ],
            },
            {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:arc-region-switch::${ACCOUNT}:plan/shop-dev-region-switch/*`],
              ],
            },
          ]),
        );
      }
      const reads = policyStatements(template, 'StepStepsPolicy').filter((s) =>
        [s.Action].flat().includes('ssm:GetParameter'),
      );
      expect(new Set(reads.flatMap((s) => [stack.resolve(s.Resource)].flat()))).toEqual(
        new Set([
          arn('ssm', region, 'parameter/shop/dev/region-switch-plan'),
          ...[PRIMARY, STANDBY].map((r) => arn('ssm', r, `parameter/shop-dev-${r}-services/deployed-commit`)),
        ]),
      );
    },
  );

  test.each([PRIMARY, STANDBY])(
    'the %s stack holds the function the plan invokes by name, outside the VPC, well within the block timeout',
    (region) => {
      const functions = Object.values(
        built[region]!.template.findResources('AWS::Lambda::Function', {
          Properties: { FunctionName: 'shop-dev-region-switch-recover' },
        }),
      ) as { Properties: Record<string, unknown> }[];
      expect(functions).toHaveLength(1);
      const fn = functions[0]!.Properties;
      expect(fn.Handler).toBe('index.regionSwitchRecoverHandler');
      expect(fn.VpcConfig).toBeUndefined();
      // the block reruns it every minute for five (stacks/routing/region-switch-plan.ts)
      expect(fn.Timeout).toBeLessThanOrEqual(60);
      expect(Object.keys((fn.Environment as { Variables: object }).Variables)).toEqual(
        expect.arrayContaining(['RUNBOOK_TOPOLOGY', 'RUNBOOK_BUCKET']),
      );
      expect(built[region]!.stack.regionSwitchRecoverStart?.function).toBeDefined();
      // AND no resource-based policy: the plan's execution role (same account) holds lambda:InvokeFunction on it
      built[region]!.template.resourceCountIs('AWS::Lambda::Permission', 0);
    },
  );

  test('its role reads the failover and recover journals, lists executions, starts recover and passes it its role, nothing else', () => {
    const { stack, template } = standby();
    const statements = policyStatements(template, 'RegionSwitchRecoverStartPolicy');
    const resolved = statements.map((s) => ({
      actions: [s.Action].flat().sort(),
      resources: [stack.resolve(s.Resource)].flat().map((r) => nagResource(r)),
      ...(s.Condition ? { condition: s.Condition } : {}),
    }));
    expect(resolved).toEqual([
      {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [expect.stringMatching(/^<RegionSwitchRecoverStartLogs[0-9A-F]+\.Arn>$/)],
      },
      {
        actions: ['s3:GetObject'],
        resources: [
          expect.stringMatching(/^<ReportsBucket[0-9A-F]+\.Arn>\/journal\/failover\/\*$/),
          expect.stringMatching(/^<ReportsBucket[0-9A-F]+\.Arn>\/journal\/recover\/\*$/),
        ],
      },
      { actions: ['s3:ListBucket'], resources: [expect.stringMatching(/^<ReportsBucket[0-9A-F]+\.Arn>$/)] },
      { actions: ['kms:Decrypt'], resources: [expect.stringMatching(/^<ReportsKey[0-9A-F]+\.Arn>$/)] },
      { actions: ['ssm:DescribeAutomationExecutions'], resources: ['*'] },
      {
        actions: ['ssm:StartAutomationExecution'],
        resources: [`arn:<AWS::Partition>:ssm:${STANDBY}:${ACCOUNT}:automation-definition/shop-dev-recover:*`],
      },
      {
        actions: ['iam:PassRole'],
        resources: [`arn:<AWS::Partition>:iam::${ACCOUNT}:role/shop-dev-${STANDBY}-runbook`],
        condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      },
    ]);
  });

  test('in arc-cluster mode there is no recover-start function', () => {
    build(STANDBY).template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { FunctionName: 'shop-dev-region-switch-recover' },
      0,
    );
  });

  test.each([
    [
      'region-switch',
      {},
      ['regionSwitch.activate'],
      'runbook permissions: regionSwitchPlan: undefined names no plan; accepted: { planName, parameterName } of the Region switch plan (regionSwitch.activate call it)',
    ],
    [
      'arc-cluster',
      {},
      ['routing.setStates'],
      'runbook permissions: routingParameterName: undefined names no parameter; accepted: the SSM parameter of the ARC cluster endpoints and routing-control ARNs (routing.setStates read it)',
    ],
  ] as const)(
    'in mode %s a role whose steps use its routing port without what it acts on cannot be granted',
    (mode, extra, methods, message) => {
      const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: STANDBY } });
      const scope = { ...minimalScope(stack), routingMode: mode, ...extra };
      expect(() => runbookPolicyStatements(methods, scope)).toThrow(message);
    },
  );

  test.each([
    ['arc-cluster', 'regionSwitch.describePlan'],
    ['region-switch', 'routing.getStates'],
  ] as const)("in mode %s the other mode's port (%s) is granted nothing", (mode, method) => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: STANDBY } });
    const scope = {
      ...minimalScope(stack),
      routingMode: mode,
      routingParameterName: '/shop/dev/arc-routing',
      regionSwitchPlan: { planName: 'shop-dev-region-switch', parameterName: '/shop/dev/region-switch-plan' },
    };
    expect(runbookPolicyStatements([method], scope)).toEqual([]);
    // while its own port's method is granted
    const own = mode === 'arc-cluster' ? 'routing.getStates' : 'regionSwitch.describePlan';
    expect(runbookPolicyStatements([own], scope).length).toBeGreaterThan(0);
  });

  test.each([PRIMARY, STANDBY])('cdk-nag AWS Solutions finds nothing unacknowledged (%s)', (region) => {
    const { app } = build(region, { routingMode: 'region-switch' }, true);
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });
});

// Issue 16: the game day's clean-up deletes its synthetic orders through a named function in the VPC.
describe('RunbookStack: the synthetic orders removal function', () => {
  let built: Built;
  beforeAll(() => {
    built = build(STANDBY);
  });

  test('GIVEN the shop databases THEN a function named shop-dev-remove-synthetic-orders runs the bundle handler in the VPC with the database client security group', () => {
    const functions = built.template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: 'shop-dev-remove-synthetic-orders' },
    });
    expect(Object.values(functions)).toHaveLength(1);
    const fn = Object.values(functions)[0] as {
      Properties: { Handler: string; VpcConfig: { SecurityGroupIds: unknown[]; SubnetIds: unknown[] } };
    };
    expect(fn.Properties.Handler).toBe('index.removeSyntheticOrdersHandler');
    // The game-day adapter's synchronous Invoke waits longer than the function may run.
    const timeout = (fn.Properties as unknown as { Timeout: number }).Timeout;
    expect(timeout).toBe(REMOVAL_FUNCTION_TIMEOUT_SECONDS);
    expect(INVOKE_REQUEST_LIMITS.requestTimeoutMs).toBeGreaterThan(timeout * 1000);
    expect(JSON.stringify(fn.Properties.VpcConfig.SecurityGroupIds)).toMatch(
      /^\[\{"Fn::ImportValue":"[^"]*DatabaseClients[^"]*"\}\]$/,
    );
    expect(fn.Properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
    expect(built.stack.syntheticOrdersRemoval?.function).toBeDefined();
  });

  test('GIVEN its role THEN it reads only where the orders writer is and the orders credentials (never the catalog secret)', () => {
    const statements = policyStatements(built.template, 'SyntheticOrdersRemovalPolicy');
    expect(actionsOf(statements)).toEqual(
      [
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:UnassignPrivateIpAddresses',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'rds:DescribeDBClusters',
        'rds:DescribeGlobalClusters',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    const secrets = JSON.stringify(
      statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue')).map((s) => s.Resource),
    );
    expect(secrets).toContain(':secret:shop/dev/orders/master-??????');
    expect(secrets).not.toContain('catalog');
    const rds = JSON.stringify(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('rds:'))));
    expect(rds).toContain('global-cluster:shop-dev-orders-global');
    expect(rds).not.toContain('catalog');
  });
});
