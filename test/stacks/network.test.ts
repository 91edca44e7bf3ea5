import { Match } from 'aws-cdk-lib/assertions';
import { buildShopApp, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

let shop: ShopApp;
beforeAll(() => {
  // GIVEN explicit zones for the primary, defaults for the standby
  shop = buildShopApp({ availabilityZones: { 'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'] } });
});
afterAll(() => removeShopApp(shop));

describe('network stacks', () => {
  test.each([
    ['primary', ['us-east-1a', 'us-east-1b', 'us-east-1c']],
    ['standby', ['us-west-2a', 'us-west-2b']],
  ] as const)('the %s VPC spans the configured zones %j without lookups', (role, zones) => {
    // WHEN
    const stack = shop.stages[role].network;
    const template = templateOf(stack);
    // THEN public, task and database subnets in every zone
    expect(stack.vpc.availabilityZones).toEqual(zones);
    template.resourceCountIs('AWS::EC2::Subnet', zones.length * 3);
    for (const zone of zones) {
      template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: zone, MapPublicIpOnLaunch: true });
    }
    expect(stack.vpc.publicSubnets).toHaveLength(zones.length);
    expect(stack.vpc.privateSubnets).toHaveLength(zones.length);
    expect(stack.vpc.isolatedSubnets).toHaveLength(zones.length);
    template.resourceCountIs('AWS::EC2::NatGateway', zones.length);
  });

  test.each(ROLES)('the %s VPC logs all traffic and restricts its default security group', (role) => {
    const template = templateOf(shop.stages[role].network);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', ResourceType: 'VPC' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test.each(ROLES)('the %s VPC has endpoints for ECR, logs, secrets, SSM, S3 and DynamoDB', (role) => {
    const template = templateOf(shop.stages[role].network);
    const region = shop.stages[role].network.region;
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) =>
      JSON.stringify(e.Properties.ServiceName),
    );
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']) {
      expect(services).toContain(JSON.stringify(`com.amazonaws.${region}.${service}`));
    }
    expect(services.some((s) => s.includes('.s3'))).toBe(true);
    expect(services.some((s) => s.includes('.dynamodb'))).toBe(true);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
  });

  test('the two VPCs use distinct address ranges', () => {
    templateOf(shop.stages.primary.network).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.10.0.0/16' });
    templateOf(shop.stages.standby.network).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
  });
});
