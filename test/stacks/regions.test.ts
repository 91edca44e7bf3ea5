import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { stackNames } from '../../stacks';
import { buildShopApp, REPO_ROOT, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

const REGION_LITERAL = /\b(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?[a-z]+-\d\b/;

/** Template JSON with the places that are meant to name the other Region removed. */
function withoutIntendedMentions(stack: Stack): string {
  const template = JSON.parse(JSON.stringify(templateOf(stack).toJSON()));
  for (const resource of Object.values(template.Resources ?? {}) as Array<{
    Type: string;
    Properties: Record<string, unknown>;
  }>) {
    // The primary replicates the credentials and the global tables to the standby.
    if (resource.Type === 'AWS::SecretsManager::Secret') delete resource.Properties.ReplicaRegions;
    if (resource.Type === 'AWS::DynamoDB::GlobalTable') delete resource.Properties.Replicas;
    // The dashboard graphs DynamoDB replication towards the other Region (ReceivingRegion).
    if (resource.Type === 'AWS::CloudWatch::Dashboard') delete resource.Properties.DashboardBody;
  }
  return JSON.stringify(template);
}

describe('Regions come from config only', () => {
  let shop: ShopApp;
  beforeAll(() => {
    // GIVEN two European Regions instead of the defaults
    shop = buildShopApp({
      primaryRegion: 'eu-west-1',
      standbyRegion: 'eu-central-1',
      appName: 'store',
      envName: 'prod',
    });
  });
  afterAll(() => removeShopApp(shop));

  test.each([
    ['primary', 'eu-west-1', 'eu-central-1'],
    ['standby', 'eu-central-1', 'eu-west-1'],
  ] as const)('every %s stack deploys to %s and names it', (role, region, other) => {
    const stage = shop.stages[role];
    const names = stackNames('store', 'prod');
    expect(stage.region).toBe(region);
    expect(stage.account).toBe('111111111111');
    for (const [stack, name] of [
      [stage.network, names.network(region)],
      [stage.data, names.data(region)],
      [stage.services, names.services(region)],
      [stage.observability, names.observability(region)],
    ] as const) {
      // THEN the stack's environment and name follow the config
      expect(stack.region).toBe(region);
      expect(stack.account).toBe('111111111111');
      expect(stack.stackName).toBe(name);
      expect(stack.stackName.startsWith('store-prod-')).toBe(true);
      // AND no template mentions the default Regions, nor the other Region except where replication is intended
      const json = withoutIntendedMentions(stack);
      expect(json).not.toContain('us-east-1');
      expect(json).not.toContain('us-west-2');
      expect(json).not.toContain(other);
    }
  });

  test('the primary replicates secrets and tables to the standby, and graphs replication towards it', () => {
    const data = JSON.stringify(templateOf(shop.stages.primary.data).toJSON());
    expect(data).toContain('{"Region":"eu-central-1"}');
    const dashboard = JSON.stringify(
      templateOf(shop.stages.primary.observability).findResources('AWS::CloudWatch::Dashboard'),
    );
    expect(dashboard).toContain('\\"ReceivingRegion\\",\\"eu-central-1\\"');
  });

  test.each(ROLES)('the %s stage is the same class, its role given by props', (role) => {
    expect(shop.stages[role].role).toBe(role);
    expect(shop.stages[role].constructor).toBe(shop.stages.primary.constructor);
  });

  test('the VPC zones follow the Regions', () => {
    expect(shop.stages.primary.network.vpc.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(shop.stages.standby.network.vpc.availabilityZones).toEqual(['eu-central-1a', 'eu-central-1b']);
  });

  test('the routing stack reads both Regions and stays in the ARC control-plane Region', () => {
    const routing = shop.stages.global.routing;
    expect(routing.region).toBe('us-west-2');
    expect(routing.stackName).toBe('store-prod-global-routing');
    const json = JSON.stringify(templateOf(routing).toJSON());
    expect(json).toContain('"StackName":"store-prod-eu-west-1-services","Region":"eu-west-1"');
    expect(json).toContain('"StackName":"store-prod-eu-central-1-services","Region":"eu-central-1"');
  });
});

describe('the stacks source', () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? files(full) : [full];
    });

  test('contains no Region literal except the ARC control-plane Region constant', () => {
    const offenders = files(path.join(REPO_ROOT, 'stacks'))
      .filter((file) => !file.endsWith(path.join('stacks', 'arc-control-plane-region.ts')))
      .flatMap((file) =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ file: path.relative(REPO_ROOT, file), line: index + 1, text: line }))
          .filter(({ text }) => REGION_LITERAL.test(text)),
      );
    expect(offenders).toEqual([]);
    expect(fs.readFileSync(path.join(REPO_ROOT, 'stacks/arc-control-plane-region.ts'), 'utf8')).toContain(
      "export const ARC_CONTROL_PLANE_REGION = 'us-west-2';",
    );
  });

  test('reads neither environment variables nor cdk context', () => {
    const offenders = files(path.join(REPO_ROOT, 'stacks'))
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => /process\.env|tryGetContext|getContext\(/.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(REPO_ROOT, file));
    expect(offenders).toEqual([]);
  });
});
