import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../config';
import { databaseNames, SHOP_DATABASES } from '../../stacks/naming/database-names';
import { routingNames } from '../../stacks/naming/routing-names';
import { regionSwitchRecoverFunctionName } from '../../stacks/naming/runbook-names';
import { ecsClusterName } from '../../stacks/naming/service-names';
import { SHOP_SERVICES } from '../../stacks/services/shop-services';
import { buildShopApp, removeShopApp, type ShopApp, templateOf } from './shop-app';

// The Region switch plan of routing mode `region-switch` (issue 18), from a configuration that chooses the mode. Each block's shape rests on the AWS::ARCRegionSwitch::Plan reference and the Region switch user guide; the
// sentences are cited beside the code in stacks/routing/region-switch-plan.ts.

const ACCOUNT = '111111111111';
const REGIONS = ['us-east-1', 'us-west-2'] as const;
const names = routingNames('shop', 'dev');
const dbs = databaseNames('shop', 'dev');
const cluster = ecsClusterName('shop', 'dev');

type Step = {
  Name: string;
  ExecutionBlockType: string;
  ExecutionBlockConfiguration: Record<string, Record<string, unknown>>;
};
type Workflow = { WorkflowTargetAction: string; WorkflowTargetRegion: string; Steps: Step[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Replaces `{"Ref": "AWS::Partition"}`/`AWS::AccountId` joins by their test values, to compare ARNs as text. */
function arnText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(arnText);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(arnText).join(separator);
    }
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (v.Ref === 'AWS::AccountId') return ACCOUNT;
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, arnText(x)]));
  }
  return value;
}

describe('Region switch plan (routing mode region-switch)', () => {
  let shop: ShopApp;
  let workflows: Workflow[];
  let statements: Statement[];
  beforeAll(() => {
    // GIVEN the default config with a peak share of 80 %, in routing mode region-switch
    shop = buildShopApp({ readiness: { peakSharePercent: 80 }, routingMode: 'region-switch' });
    const template = templateOf(shop.stages.global.routing);
    const plans = Object.values(template.findResources('AWS::ARCRegionSwitch::Plan'));
    expect(plans).toHaveLength(1);
    workflows = arnText(plans[0]!.Properties.Workflows) as Workflow[];
    // the policies of the plan's execution role (the stack's other policies write the plan's ARN parameter)
    const executionRole = (plans[0]!.Properties.ExecutionRole as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(`{"Ref":"${executionRole}"}`),
    );
    statements = arnText(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)) as Statement[];
  });
  afterAll(() => removeShopApp(shop));

  const workflowTo = (region: string) => {
    const found = workflows.filter((w) => w.WorkflowTargetRegion === region);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const other = (region: string) => REGIONS.find((r) => r !== region)!;
  const serviceArn = (region: string, service: string) =>
    `arn:aws:ecs:${region}:${ACCOUNT}:service/${cluster}/${service}`;
  const clusterArn = (region: string) => `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${cluster}`;
  const functionArn = (region: string) =>
    `arn:aws:lambda:${region}:${ACCOUNT}:function:${regionSwitchRecoverFunctionName('shop', 'dev')}`;

  test('two workflows, one activating each Region', () => {
    expect(workflows.map((w) => [w.WorkflowTargetAction, w.WorkflowTargetRegion])).toEqual(
      REGIONS.map((r) => ['activate', r]),
    );
  });

  test.each(REGIONS)('the workflow to %s runs scale-up, databases, DNS, then the recover start, in that order', (r) => {
    expect(workflowTo(r).Steps.map((s) => s.ExecutionBlockType)).toEqual([
      'Parallel',
      ...SHOP_DATABASES.map(() => 'AuroraGlobalDatabase'),
      'Route53HealthCheck',
      'CustomActionLambda',
    ]);
  });

  test.each(REGIONS)('the workflow to %s scales every shop service to the peak share of the other Region', (r) => {
    // THEN one ECS service scaling block per shop service, in parallel, each naming the service in both Regions
    // (the block takes exactly two services), at readiness.peakSharePercent of the Region switched from
    const parallel = workflowTo(r).Steps[0]!;
    const steps = (parallel.ExecutionBlockConfiguration.ParallelConfig as { Steps: Step[] }).Steps;
    expect(steps.map((s) => [s.Name, s.ExecutionBlockType])).toEqual(
      SHOP_SERVICES.map((service) => [`scale-${service}`, 'ECSServiceScaling']),
    );
    for (const [i, service] of SHOP_SERVICES.entries()) {
      expect(steps[i]!.ExecutionBlockConfiguration.EcsCapacityIncreaseConfig).toEqual({
        Services: REGIONS.map((region) => ({
          ClusterArn: clusterArn(region),
          ServiceArn: serviceArn(region, service),
        })),
        TargetPercent: 80,
        CapacityMonitoringApproach: 'sampledMaxInLast24Hours',
      });
    }
    expect(other(r)).not.toBe(r);
  });

  test.each(REGIONS)('the workflow to %s switches over gracefully and fails over with data loss ungracefully', (r) => {
    const aurora = workflowTo(r).Steps.filter((s) => s.ExecutionBlockType === 'AuroraGlobalDatabase');
    expect(aurora.map((s) => s.ExecutionBlockConfiguration.GlobalAuroraConfig)).toEqual(
      SHOP_DATABASES.map((db) => ({
        Behavior: 'switchoverOnly',
        Ungraceful: { Ungraceful: 'failover' },
        GlobalClusterIdentifier: dbs[db].globalClusterIdentifier,
        DatabaseClusterArns: REGIONS.map(
          (region) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${dbs[db].clusterIdentifier}`,
        ),
      })),
    );
  });

  test.each(REGIONS)('the workflow to %s moves DNS with the failover records of both Regions', (r) => {
    const dns = workflowTo(r).Steps.find((s) => s.ExecutionBlockType === 'Route53HealthCheck')!;
    expect(dns.ExecutionBlockConfiguration.Route53HealthCheckConfig).toEqual({
      HostedZoneId: expect.stringMatching(/^<Zone[0-9A-F]+>$/),
      RecordName: 'www.shop.example.com',
      RecordSets: REGIONS.map((region) => ({ RecordSetIdentifier: region, Region: region })),
    });
  });

  test.each(REGIONS)('the workflow to %s starts recover in the Region it activates, skipped ungracefully', (r) => {
    const custom = workflowTo(r).Steps.find((s) => s.ExecutionBlockType === 'CustomActionLambda')!;
    expect(custom.ExecutionBlockConfiguration.CustomActionLambdaConfig).toEqual({
      Lambdas: REGIONS.map((region) => ({ Arn: functionArn(region) })),
      RegionToRun: 'activatingRegion',
      RetryIntervalMinutes: expect.any(Number),
      TimeoutMinutes: expect.any(Number),
      Ungraceful: { Behavior: 'skip' },
    });
  });

  test('the execution role may do exactly what the blocks need, on the plan resources only', () => {
    const byActions = (actions: string[]) =>
      statements.filter((s) => JSON.stringify([s.Action].flat().sort()) === JSON.stringify([...actions].sort()));
    const only = (actions: string[]) => {
      const found = byActions(actions);
      expect(found).toHaveLength(1);
      // CDK may reorder a statement's resources: compared as sets
      return [found[0]!.Resource].flat().sort();
    };
    const sorted = (values: unknown[]) => [...values].sort();
    // Aurora (the block's sample policy, scoped to the shop's global clusters and their Regional members)
    expect(
      only([
        'rds:SwitchoverGlobalCluster',
        'rds:FailoverGlobalCluster',
        'rds:DescribeGlobalClusters',
        'rds:DescribeDBClusters',
      ]),
    ).toEqual(
      sorted(
        SHOP_DATABASES.flatMap((db) => [
          `arn:aws:rds::${ACCOUNT}:global-cluster:${dbs[db].globalClusterIdentifier}`,
          ...REGIONS.map((region) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${dbs[db].clusterIdentifier}`),
        ]),
      ),
    );
    // ECS
    expect(only(['ecs:DescribeServices', 'ecs:UpdateService'])).toEqual(
      sorted(REGIONS.flatMap((region) => SHOP_SERVICES.map((service) => serviceArn(region, service)))),
    );
    expect(only(['ecs:DescribeClusters'])).toEqual(sorted(REGIONS.map(clusterArn)));
    expect(
      only([
        'ecs:ListServices',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:RegisterScalableTarget',
        'cloudwatch:GetMetricStatistics',
      ]),
    ).toEqual(['*']);
    // Lambda
    expect(only(['lambda:GetFunction', 'lambda:InvokeFunction'])).toEqual(sorted(REGIONS.map(functionArn)));
    // Route 53
    expect(only(['route53:ListResourceRecordSets'])).toEqual([
      expect.stringMatching(/^arn:aws:route53:::hostedzone\/<Zone[0-9A-F]+>$/),
    ]);
    // and nothing else
    expect(statements).toHaveLength(6);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  test('the execution role is assumed by Region switch only', () => {
    const roles = Object.values(templateOf(shop.stages.global.routing).findResources('AWS::IAM::Role'));
    const planRoles = roles.filter((role) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('arc-region-switch.amazonaws.com'),
    );
    expect(planRoles).toHaveLength(1);
    expect(planRoles[0]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'arc-region-switch.amazonaws.com' } },
    ]);
  });

  test('the plan is named deterministically and the target percent follows the config', () => {
    templateOf(shop.stages.global.routing).hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      Name: names.regionSwitchPlan,
      RecoveryApproach: 'activePassive',
      PrimaryRegion: 'us-east-1',
      Regions: [...REGIONS],
      Workflows: Match.anyValue(),
    });
    const other100 = buildShopApp({ routingMode: 'region-switch' });
    try {
      const plan = Object.values(
        templateOf(other100.stages.global.routing).findResources('AWS::ARCRegionSwitch::Plan'),
      )[0]!;
      expect(JSON.stringify(plan.Properties.Workflows)).toContain('"TargetPercent":100');
      expect(JSON.stringify(plan.Properties.Workflows)).not.toContain('"TargetPercent":80');
    } finally {
      removeShopApp(other100);
    }
  });
});

/** cfn-lint (Python) is on CI machines (.ci/run) and on this one; where it is missing these tests say so and skip. */
const CFN_LINT = spawnSync('python3', ['-c', 'import cfnlint, jsonschema'], { encoding: 'utf8' }).status === 0;
if (!CFN_LINT) console.warn('cfn-lint is not installed: the template checks against its schemas are skipped');
const withCfnLint = CFN_LINT ? test : test.skip;

/** The errors of `template`'s Region switch plans against the resource schema cfn-lint bundles (resource-schema.py). */
function planSchemaErrors(template: unknown): string[] {
  const result = spawnSync(
    'python3',
    [path.join(__dirname, 'resource-schema.py'), 'AWS::ARCRegionSwitch::Plan', 'us-west-2', ACCOUNT],
    { input: JSON.stringify(template), encoding: 'utf8' },
  );
  if (result.status !== 0 && result.status !== 1) throw new Error(`resource-schema.py failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('the global template against cfn-lint (routing modes region-switch and arc-cluster)', () => {
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  let dir: string;
  const shops: ShopApp[] = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'region-switch-lint-'));
    for (const mode of ['region-switch', 'arc-cluster'] as const) {
      const shop = buildShopApp({ routingMode: mode });
      shops.push(shop);
      const json = templateOf(shop.stages.global.routing).toJSON();
      fs.writeFileSync(path.join(dir, `${mode}.json`), JSON.stringify(json));
      // and each Region's runbook stack (in region-switch mode it holds the recover-start function)
      for (const role of ['primary', 'standby'] as const) {
        const runbooks = templateOf(shop.stages[role].runbooks).toJSON();
        fs.writeFileSync(path.join(dir, `runbooks-${mode}-${role}.json`), JSON.stringify(runbooks));
      }
      if (mode === 'region-switch') template = json as typeof template;
    }
  });
  afterAll(() => {
    for (const shop of shops) removeShopApp(shop);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  withCfnLint('the plan satisfies the AWS::ARCRegionSwitch::Plan schema down to every step', () => {
    // cfn-lint's own rules do not descend into the workflow steps (a bad Behavior passes them), so the properties
    // are validated against the same registry schema directly
    expect(planSchemaErrors(template)).toEqual([]);
  });

  withCfnLint('the schema check fails a plan with a wrong behavior, Region to run or one ECS service', () => {
    // GIVEN the plan with three values the schema forbids
    const bad = JSON.parse(JSON.stringify(template)) as typeof template;
    const plan = Object.values(bad.Resources).find((r) => r.Type === 'AWS::ARCRegionSwitch::Plan')!;
    const steps = (plan.Properties.Workflows as Workflow[])[0]!.Steps;
    steps[1]!.ExecutionBlockConfiguration.GlobalAuroraConfig!.Behavior = 'failoverOnly';
    steps[4]!.ExecutionBlockConfiguration.CustomActionLambdaConfig!.RegionToRun = 'primary';
    const ecs = (steps[0]!.ExecutionBlockConfiguration.ParallelConfig!.Steps as Step[])[0]!;
    (ecs.ExecutionBlockConfiguration.EcsCapacityIncreaseConfig!.Services as unknown[]).pop();
    // THEN each is named
    const errors = planSchemaErrors(bad);
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toMatch(/GlobalAuroraConfig\.Behavior: 'failoverOnly' is not one of/);
    expect(errors.join('\n')).toMatch(/CustomActionLambdaConfig\.RegionToRun: 'primary' is not one of/);
    expect(errors.join('\n')).toMatch(/EcsCapacityIncreaseConfig\.Services: .* is too short/);
  });

  withCfnLint('cfn-lint finds nothing in the runbook stacks of both Regions in both modes', () => {
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('runbooks-'));
    expect(files).toHaveLength(4);
    const result = spawnSync('cfn-lint', ['--format', 'parseable', ...files.map((f) => path.join(dir, f))], {
      encoding: 'utf8',
    });
    expect(result.stdout.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  withCfnLint.each(['region-switch', 'arc-cluster'])('cfn-lint finds nothing in the %s global template', (mode) => {
    // As .ci/run invokes it: parseable output, error-level findings fail the build; here warnings count too
    const result = spawnSync('cfn-lint', ['--format', 'parseable', path.join(dir, `${mode}.json`)], {
      encoding: 'utf8',
    });
    expect(result.stdout.trim()).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('the config accepts region-switch', () => {
  test('loadConfig gives the mode to the stages: the routing stack builds the plan, each Region the recover start', () => {
    // GIVEN a config that chooses region-switch WHEN it is loaded and the stages are built
    expect(loadConfig({ base: { routingMode: 'region-switch' } }).routingMode).toBe('region-switch');
    const shop = buildShopApp({ routingMode: 'region-switch' });
    try {
      // THEN the plan, and the function it invokes in each Region
      const routing = templateOf(shop.stages.global.routing);
      routing.resourceCountIs('AWS::ARCRegionSwitch::Plan', 1);
      const writers = Object.values(routing.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties));
      for (const stage of [shop.stages.primary, shop.stages.standby]) {
        templateOf(stage.runbooks).hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: regionSwitchRecoverFunctionName('shop', 'dev'),
        });
        // AND each Region's runbooks read the plan's ARN from the parameter the routing stack writes in that Region
        const parameter = stage.runbooks.topology.routing.regionSwitch?.planParameterName;
        expect(parameter).toBe('/shop/dev/region-switch-plan');
        expect(
          writers.filter(
            (w) =>
              w.includes(`\\"Name\\":\\"${parameter}\\"`) && w.includes(`\\"region\\":\\"${stage.runbooks.region}\\"`),
          ),
        ).toHaveLength(1);
      }
    } finally {
      removeShopApp(shop);
    }
  });
});
