import { AURORA_INSTANCE_HOURLY, HOURS_PER_MONTH, PRICES, USAGE_ASSUMPTIONS } from '../../cost/price-table';
import type { RoutingModeTemplates } from '../../cost/routing-mode-templates';
import { costOfTemplates, type SynthesizedStack } from '../../cost/template-cost';
import { templatesOf } from './synthesized-cost';

const count = (stacks: readonly SynthesizedStack[], type: string) =>
  stacks.reduce(
    (sum, stack) => sum + Object.values(stack.template.Resources ?? {}).filter((r) => r.Type === type).length,
    0,
  );

const monthlyOf = (stacks: readonly SynthesizedStack[], prefix: string) =>
  costOfTemplates(stacks)
    .lines.filter((line) => line.component.startsWith(prefix))
    .reduce((sum, line) => sum + line.monthlyUsd!, 0);

describe('the cost view follows the configuration', () => {
  let base: RoutingModeTemplates;
  let fastCanaries: RoutingModeTemplates;
  let threeZones: RoutingModeTemplates;
  beforeAll(() => {
    // GIVEN the default configuration, one with canaries every minute, and one with three zones per Region
    base = templatesOf();
    fastCanaries = templatesOf({ canaryRateMinutes: 1 });
    threeZones = templatesOf({
      availabilityZones: {
        'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
        'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
      },
    });
  });

  test('a faster canary schedule costs the extra runs at the price per run, and nothing else', () => {
    const before = base.stacks['arc-cluster'];
    const after = fastCanaries.stacks['arc-cluster'];
    const canaries = count(after, 'AWS::Synthetics::Canary');
    expect(canaries).toBe(count(before, 'AWS::Synthetics::Canary'));
    const extraRuns = canaries * ((HOURS_PER_MONTH * 60) / 1 - (HOURS_PER_MONTH * 60) / 5);
    // THEN the total moves by the extra runs x the table's price per canary run
    expect(costOfTemplates(after).totalUsd - costOfTemplates(before).totalUsd).toBeCloseTo(
      extraRuns * PRICES.syntheticsRun.usd,
      6,
    );
  });

  test('a third Availability Zone adds a NAT gateway per Region at the hourly price and the assumed data', () => {
    const before = base.stacks['arc-cluster'];
    const after = threeZones.stacks['arc-cluster'];
    expect([count(before, 'AWS::EC2::NatGateway'), count(after, 'AWS::EC2::NatGateway')]).toEqual([4, 6]);
    expect(monthlyOf(after, 'NAT gateway') - monthlyOf(before, 'NAT gateway')).toBeCloseTo(
      2 * (PRICES.natGatewayHour.usd * HOURS_PER_MONTH + PRICES.natGatewayGb.usd * USAGE_ASSUMPTIONS.natGbPerMonth),
      6,
    );
  });

  test('both modes move by the same amount when a Regional setting changes', () => {
    const delta = (t: RoutingModeTemplates) =>
      costOfTemplates(t.stacks['region-switch']).totalUsd - costOfTemplates(t.stacks['arc-cluster']).totalUsd;
    expect(delta(fastCanaries)).toBeCloseTo(delta(base), 6);
  });
});

describe('the cost view with game days on', () => {
  test('the Resilience Hub app and policy are NOT PRICED (README says so) and FIS templates are listed as billed by use', () => {
    // GIVEN game days enabled
    const gameDays = templatesOf({ gameDays: { enabled: true } });
    for (const mode of ['arc-cluster', 'region-switch'] as const) {
      const cost = costOfTemplates(gameDays.stacks[mode]);
      // THEN only the Resilience Hub resources are not priced, in each Region, and the total says it is incomplete
      expect(cost.complete).toBe(false);
      expect(
        cost.lines
          .filter((line) => line.notPriced !== undefined)
          .map((line) => `${line.component} ${line.region}`)
          .sort(),
      ).toEqual([
        'AWS::ResilienceHub::App us-east-1',
        'AWS::ResilienceHub::App us-west-2',
        'AWS::ResilienceHub::ResiliencyPolicy us-east-1',
        'AWS::ResilienceHub::ResiliencyPolicy us-west-2',
      ]);
      expect(cost.usageOnly.map((u) => u.type)).toContain('AWS::FIS::ExperimentTemplate');
    }
  });
});

describe('a bigger Aurora instance class', () => {
  test("costs the difference of the two classes' hourly prices x 730 h per instance", () => {
    // GIVEN the default templates with every Aurora instance moved from db.r6g.large to db.r6g.xlarge
    // (the class is a DataStack prop, not a config field: the change is made in the templates)
    const before = templatesOf().stacks['arc-cluster'];
    const after = JSON.parse(JSON.stringify(before)) as typeof before;
    let instances = 0;
    for (const stack of after) {
      for (const resource of Object.values(stack.template.Resources ?? {})) {
        if (resource.Type !== 'AWS::RDS::DBInstance') continue;
        (resource.Properties as Record<string, unknown>).DBInstanceClass = 'db.r6g.xlarge';
        instances++;
      }
    }
    expect(instances).toBe(8);
    // THEN the total moves by the table's difference per instance-hour
    expect(costOfTemplates(after).totalUsd - costOfTemplates(before).totalUsd).toBeCloseTo(
      instances *
        HOURS_PER_MONTH *
        (AURORA_INSTANCE_HOURLY['aurora-postgresql:db.r6g.xlarge']!.usd -
          AURORA_INSTANCE_HOURLY['aurora-postgresql:db.r6g.large']!.usd),
      6,
    );
  });
});
