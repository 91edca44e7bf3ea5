import { Match } from 'aws-cdk-lib/assertions';
import { parseArcRoutingParameter } from '../../runbooks/adapters/aws/arc-routing-parameter';
import { ARC_CONTROL_PLANE_REGION, routingNames } from '../../stacks';
import { buildShopApp, removeShopApp, type ShopApp, templateOf } from './shop-app';

const names = routingNames('shop', 'dev');
const getStackOutput = (region: string, output: string) => ({
  'Fn::GetStackOutput': { StackName: `shop-dev-${region}-services`, Region: region, OutputName: output },
});

describe('global routing (arc-cluster)', () => {
  let shop: ShopApp;
  beforeAll(() => {
    shop = buildShopApp();
  });
  afterAll(() => removeShopApp(shop));

  test('the routing stack deploys to the ARC control-plane Region under a prefixed name', () => {
    const stack = shop.stages.global.routing;
    expect(ARC_CONTROL_PLANE_REGION).toBe('us-west-2');
    expect(stack.region).toBe(ARC_CONTROL_PLANE_REGION);
    expect(stack.account).toBe('111111111111');
    expect(stack.stackName).toBe('shop-dev-global-routing');
  });

  test('ARC has a cluster, a control panel and one routing control per Region', () => {
    const template = templateOf(shop.stages.global.routing);
    template.hasResourceProperties('AWS::Route53RecoveryControl::Cluster', { Name: names.cluster });
    template.hasResourceProperties('AWS::Route53RecoveryControl::ControlPanel', { Name: names.controlPanel });
    template.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 2);
    for (const region of ['us-east-1', 'us-west-2']) {
      template.hasResourceProperties('AWS::Route53RecoveryControl::RoutingControl', {
        Name: names.routingControl(region),
        ControlPanelArn: { 'Fn::GetAtt': [Match.anyValue(), 'ControlPanelArn'] },
      });
    }
  });

  test('the safety rule keeps at least one of the two Regions on', () => {
    const template = templateOf(shop.stages.global.routing);
    const controls = Object.keys(template.findResources('AWS::Route53RecoveryControl::RoutingControl'));
    template.hasResourceProperties('AWS::Route53RecoveryControl::SafetyRule', {
      Name: names.safetyRule,
      RuleConfig: { Type: 'ATLEAST', Threshold: 1, Inverted: false },
      AssertionRule: {
        AssertedControls: controls.map((id) => ({ 'Fn::GetAtt': [id, 'RoutingControlArn'] })),
        WaitPeriodMs: 5000,
      },
    });
  });

  test('the cluster endpoints and routing-control ARNs are written to an SSM parameter in each workload Region', () => {
    // B1: runbooks read them there during a failover, never from the ARC control plane in us-west-2.
    const template = templateOf(shop.stages.global.routing);
    const custom = Object.values(template.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties));
    const describe = custom.filter((p) => p.includes('describeCluster'));
    expect(describe).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect(describe[0]).toContain(`Cluster.ClusterEndpoints.${i}.Endpoint`);
    const controls = Object.keys(template.findResources('AWS::Route53RecoveryControl::RoutingControl'));
    for (const region of ['us-east-1', 'us-west-2']) {
      const puts = custom.filter((p) => p.includes('putParameter') && p.includes(`\\"region\\":\\"${region}\\"`));
      expect(puts).toHaveLength(1);
      expect(puts[0]).toContain(names.routingParameter);
      for (let i = 0; i < 5; i++) expect(puts[0]).toContain(`Cluster.ClusterEndpoints.${i}.Endpoint`);
      for (const id of controls) expect(puts[0]).toContain(id);
      for (const r of ['us-east-1', 'us-west-2']) expect(puts[0]).toContain(names.routingControl(r));
    }
    expect(names.routingParameter).toBe('/shop/dev/arc-routing');
  });

  test('the parameter the stack writes is what the routing adapter reads', () => {
    // GIVEN the deploy-time values CloudFormation substitutes (example values)
    const template = templateOf(shop.stages.global.routing);
    const put = Object.values(template.findResources('Custom::AWS')).find((r) =>
      JSON.stringify(r.Properties).includes('putParameter'),
    )!;
    const example = (attribute: string) =>
      attribute.endsWith('.Region')
        ? 'us-east-1'
        : attribute.endsWith('.Endpoint')
          ? 'https://host-abc.route53-recovery-cluster.us-east-1.amazonaws.com/v1'
          : `arn:aws:route53-recovery-control::111111111111:${attribute}`;
    const resolve = (value: unknown): string => {
      const v = value as Record<string, unknown>;
      if (typeof value === 'string') return value;
      if (v['Fn::Join']) return (v['Fn::Join'] as [string, unknown[]])[1].map(resolve).join('');
      if (v['Fn::GetAtt']) return example((v['Fn::GetAtt'] as string[])[1]!);
      throw new Error(`unexpected ${JSON.stringify(value)}`);
    };
    // WHEN the adapter's parser reads the value
    const call = JSON.parse(resolve(put.Properties.Create)) as { parameters: { Value: string } };
    const parsed = parseArcRoutingParameter(call.parameters.Value, 'the parameter');
    // THEN it finds five endpoints and both routing controls by name
    expect(parsed.endpoints).toHaveLength(5);
    expect(Object.keys(parsed.routingControls).sort()).toEqual([
      names.routingControl('us-east-1'),
      names.routingControl('us-west-2'),
    ]);
  });

  test('each Region has a RECOVERY_CONTROL health check on its routing control', () => {
    const template = templateOf(shop.stages.global.routing);
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    for (const id of Object.keys(template.findResources('AWS::Route53RecoveryControl::RoutingControl'))) {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: { Type: 'RECOVERY_CONTROL', RoutingControlArn: { 'Fn::GetAtt': [id, 'RoutingControlArn'] } },
      });
    }
  });

  test.each([
    ['PRIMARY', 'us-east-1'],
    ['SECONDARY', 'us-west-2'],
  ])('a %s failover record aliases %s load balancer, guarded by its health check', (failover, region) => {
    const template = templateOf(shop.stages.global.routing);
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'shop.example.com.' });
    const [healthCheck] = Object.entries(template.findResources('AWS::Route53::HealthCheck'))
      .filter(([, hc]) => JSON.stringify(hc).includes(region.replace(/-/g, '')))
      .map(([id]) => id);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'www.shop.example.com.',
      Type: 'A',
      Failover: failover,
      SetIdentifier: region,
      HealthCheckId: { Ref: healthCheck },
      AliasTarget: {
        DNSName: getStackOutput(region, 'LoadBalancerDnsName'),
        HostedZoneId: getStackOutput(region, 'LoadBalancerCanonicalHostedZoneId'),
        EvaluateTargetHealth: true,
      },
    });
  });
});

describe('global routing (region-switch)', () => {
  let shop: ShopApp;
  beforeAll(() => {
    // GIVEN a configuration that chooses the Region switch routing mode
    shop = buildShopApp({ routingMode: 'region-switch' });
  });
  afterAll(() => removeShopApp(shop));

  test('a Region switch plan replaces the ARC cluster', () => {
    const template = templateOf(shop.stages.global.routing);
    template.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 0);
    template.resourceCountIs('AWS::Route53RecoveryControl::SafetyRule', 0);
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      Name: names.regionSwitchPlan,
      RecoveryApproach: 'activePassive',
      PrimaryRegion: 'us-east-1',
      Regions: ['us-east-1', 'us-west-2'],
      Workflows: Match.arrayWith([
        Match.objectLike({
          WorkflowTargetAction: 'activate',
          WorkflowTargetRegion: 'us-west-2',
          Steps: Match.arrayWith([
            Match.objectLike({
              ExecutionBlockType: 'AuroraGlobalDatabase',
              ExecutionBlockConfiguration: {
                GlobalAuroraConfig: Match.objectLike({ GlobalClusterIdentifier: 'shop-dev-orders-global' }),
              },
            }),
            Match.objectLike({ ExecutionBlockType: 'Route53HealthCheck' }),
          ]),
        }),
      ]),
    });
  });

  test("the plan's ARN is written to an SSM parameter in each workload Region, and no ARC parameter", () => {
    // The plan's ARN ends in a suffix AWS assigns, so the Regional runbook stacks (deployed first) cannot know it: each
    // Region's runbooks read it from this parameter in their own Region (runbooks/adapters/aws/aws-region-switch.ts).
    const template = templateOf(shop.stages.global.routing);
    const planId = Object.keys(template.findResources('AWS::ARCRegionSwitch::Plan'))[0]!;
    const custom = Object.values(template.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties));
    expect(custom.filter((p) => p.includes('describeCluster') || p.includes(names.routingParameter))).toEqual([]);
    for (const region of ['us-east-1', 'us-west-2']) {
      const puts = custom.filter((p) => p.includes('putParameter') && p.includes(`\\"region\\":\\"${region}\\"`));
      expect(puts).toHaveLength(1);
      expect(puts[0]).toContain(`\\"Name\\":\\"${names.regionSwitchPlanParameter}\\"`);
      expect(puts[0]).toContain(`{"Fn::GetAtt":["${planId}","Arn"]}`);
      // removed with the stack, in that Region
      expect(puts[0]).toContain('deleteParameter');
    }
    expect(names.regionSwitchPlanParameter).toBe('/shop/dev/region-switch-plan');
  });

  test('the parameter writers may put and delete exactly that parameter in the two Regions', () => {
    const template = templateOf(shop.stages.global.routing);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>,
    );
    const ssm = statements.filter((s) => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssm).toHaveLength(2);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(ssm).toContainEqual({
        Action: ['ssm:DeleteParameter', 'ssm:PutParameter'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${region}:111111111111:parameter/shop/dev/region-switch-plan`],
          ],
        },
      });
    }
  });

  test('the failover records still point at both Regions', () => {
    const template = templateOf(shop.stages.global.routing);
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', SetIdentifier: 'us-east-1' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', SetIdentifier: 'us-west-2' });
  });
});
