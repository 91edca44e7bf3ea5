import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RoutingMode } from '../../config';
import { loadConfig } from '../../config';
import { costReport, renderCostReport, usd } from '../../cost/cost-report';
import { AURORA_INSTANCE_HOURLY, HOURS_PER_MONTH, PRICES, PRICES_AS_OF } from '../../cost/price-table';
import type { RoutingModeTemplates } from '../../cost/routing-mode-templates';
import { costOfTemplates, rateMinutes, type SynthesizedStack } from '../../cost/template-cost';
import { REPO_ROOT, templatesOf } from './synthesized-cost';

/** Every resource of `type` in `stacks`, with its stack. */
function resourcesOf(stacks: readonly SynthesizedStack[], type: string) {
  return stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources ?? {})
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => ({ stack, id, props: resource.Properties ?? {} })),
  );
}

/** The sum of the quantities of the lines whose component starts with `prefix`. */
function quantityOf(stacks: readonly SynthesizedStack[], prefix: string, region?: string): number {
  return costOfTemplates(stacks)
    .lines.filter((line) => line.component.startsWith(prefix) && (region === undefined || line.region === region))
    .reduce((sum, line) => sum + line.quantity, 0);
}

/** A deep copy of `stacks` with `change` applied to the copy. */
function changed(stacks: readonly SynthesizedStack[], change: (copy: SynthesizedStack[]) => void): SynthesizedStack[] {
  const copy = JSON.parse(JSON.stringify(stacks)) as SynthesizedStack[];
  change(copy);
  return copy;
}

describe('cost view of the default configuration', () => {
  let templates: RoutingModeTemplates;
  let arc: readonly SynthesizedStack[];
  let regionSwitch: readonly SynthesizedStack[];
  beforeAll(() => {
    // GIVEN the default configuration synthesized in both routing modes
    templates = templatesOf();
    arc = templates.stacks['arc-cluster'];
    regionSwitch = templates.stacks['region-switch'];
  });

  test.each<[string, (component: string) => boolean]>([
    ['AWS::EC2::NatGateway', (c) => c === 'NAT gateway'],
    ['AWS::ElasticLoadBalancingV2::LoadBalancer', (c) => c === 'Application Load Balancer'],
    ['AWS::Synthetics::Canary', (c) => c.startsWith('Synthetics canary runs (')],
    ['AWS::RDS::DBInstance', (c) => c.startsWith('Aurora instance ')],
    ['AWS::KMS::Key', (c) => c === 'KMS customer managed key'],
  ])('counts every %s of the templates, per Region', (type, isComponent) => {
    // WHEN the templates are priced THEN each Region's quantity is that Region's resource count
    const found = resourcesOf(arc, type);
    expect(found.length).toBeGreaterThan(0);
    const lines = costOfTemplates(arc).lines.filter((line) => isComponent(line.component));
    for (const region of ['us-east-1', 'us-west-2']) {
      const quantity = lines.filter((line) => line.region === region).reduce((sum, line) => sum + line.quantity, 0);
      expect({ region, quantity }).toEqual({ region, quantity: found.filter((r) => r.stack.region === region).length });
    }
  });

  test('counts each Aurora instance under its DBInstanceClass and prices it from the table', () => {
    const instances = resourcesOf(arc, 'AWS::RDS::DBInstance');
    const lines = costOfTemplates(arc).lines.filter((line) => line.component.startsWith('Aurora instance'));
    for (const line of lines) {
      const instanceClass = line.component.replace('Aurora instance ', '');
      const matching = instances.filter(
        (i) => i.props.DBInstanceClass === instanceClass && i.stack.region === line.region,
      );
      expect(line.quantity).toBe(matching.length);
      const price = AURORA_INSTANCE_HOURLY[`${String(matching[0]!.props.Engine)}:${instanceClass}`]!;
      expect(line.monthlyUsd).toBeCloseTo(matching.length * price.usd * HOURS_PER_MONTH, 6);
    }
  });

  test("counts Fargate tasks at the scalable targets' MinCapacity, at the task definitions' Cpu and Memory", () => {
    const targets = resourcesOf(arc, 'AWS::ApplicationAutoScaling::ScalableTarget').filter(
      (t) => t.props.ServiceNamespace === 'ecs',
    );
    const minimums = targets.reduce((sum, t) => sum + Number(t.props.MinCapacity), 0);
    expect(minimums).toBeGreaterThan(0);
    expect(quantityOf(arc, 'Fargate tasks')).toBe(minimums);
    const services = resourcesOf(arc, 'AWS::ECS::Service');
    expect(services.every((s) => s.props.DesiredCount === undefined)).toBe(true);
    const vcpuHours = services.reduce((sum, s) => {
      const task = s.stack.template.Resources![(s.props.TaskDefinition as { Ref: string }).Ref]!.Properties!;
      const target = targets.find(
        (t) => t.stack === s.stack && JSON.stringify(t.props.ResourceId).includes(`"${s.id}"`),
      )!;
      return sum + (Number(task.Cpu) / 1024) * Number(target.props.MinCapacity) * HOURS_PER_MONTH;
    }, 0);
    const gbHours = services.reduce((sum, s) => {
      const task = s.stack.template.Resources![(s.props.TaskDefinition as { Ref: string }).Ref]!.Properties!;
      const target = targets.find(
        (t) => t.stack === s.stack && JSON.stringify(t.props.ResourceId).includes(`"${s.id}"`),
      )!;
      return sum + (Number(task.Memory) / 1024) * Number(target.props.MinCapacity) * HOURS_PER_MONTH;
    }, 0);
    const fargate = costOfTemplates(arc)
      .lines.filter((line) => line.component.startsWith('Fargate tasks'))
      .reduce((sum, line) => sum + line.monthlyUsd!, 0);
    expect(fargate).toBeCloseTo(vcpuHours * PRICES.fargateVcpuHourX86.usd + gbHours * PRICES.fargateGbHourX86.usd, 6);
  });

  test('counts a replicated secret once in its Region and once in each replica Region', () => {
    const secrets = resourcesOf(arc, 'AWS::SecretsManager::Secret');
    const replicas = secrets.flatMap((s) => (s.props.ReplicaRegions as Array<{ Region: string }> | undefined) ?? []);
    expect(replicas.length).toBeGreaterThan(0);
    const lines = costOfTemplates(arc).lines;
    const quantity = (component: string) =>
      lines.filter((line) => line.component === component).reduce((sum, line) => sum + line.quantity, 0);
    expect([quantity('Secrets Manager secret'), quantity('Secrets Manager secret (replica)')]).toEqual([
      secrets.length,
      replicas.length,
    ]);
  });

  test("the text table ends with each mode's total and the difference between them", () => {
    const report = costReport(loadConfig({}), templates);
    const text = renderCostReport(report);
    const totalLine = text.split('\n').find((line) => line.startsWith('Total a month'))!;
    expect(totalLine.trim().split(/\s{2,}/)).toEqual([
      'Total a month',
      usd(report.modes['arc-cluster'].totalUsd),
      usd(report.modes['region-switch'].totalUsd),
    ]);
    expect(text).toContain(`Difference (region-switch minus arc-cluster): ${usd(report.differenceUsd)} a month\n`);
    expect(text).toContain(`prices as of ${PRICES_AS_OF}`);
  });

  test('README.md\'s "What it costs" shows what npm run cost prints for the default configuration (run `npm run docs` to rewrite it)', () => {
    // The output up to the price table (the README points to cost/price-table.ts for it).
    const printed = renderCostReport(costReport(loadConfig({}), templates))
      .split('\nPrice table')[0]!
      .trimEnd();
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const shown = /## What it costs[\s\S]*?```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(shown).toBe(printed);
  });

  test('arc-cluster counts the routing-control cluster; region-switch counts the plan instead', () => {
    expect(resourcesOf(arc, 'AWS::Route53RecoveryControl::Cluster')).toHaveLength(1);
    expect(resourcesOf(regionSwitch, 'AWS::ARCRegionSwitch::Plan')).toHaveLength(1);
    expect([quantityOf(arc, 'ARC routing-control cluster'), quantityOf(arc, 'ARC Region switch plan')]).toEqual([1, 0]);
    expect([
      quantityOf(regionSwitch, 'ARC routing-control cluster'),
      quantityOf(regionSwitch, 'ARC Region switch plan'),
    ]).toEqual([0, 1]);
  });

  test('the other routing mode changes the total by exactly the cluster, its health checks and the plan', () => {
    // WHEN the report compares the two modes
    const report = costReport(loadConfig({}), templates);
    const healthChecks = resourcesOf(arc, 'AWS::Route53::HealthCheck').length;
    expect(healthChecks).toBe(2);
    // THEN region-switch costs the plan and not the cluster hour nor the routing controls' health checks
    expect(report.differenceUsd).toBeCloseTo(
      PRICES.regionSwitchPlan.usd -
        PRICES.arcCluster.usd * HOURS_PER_MONTH -
        healthChecks * PRICES.route53HealthCheck.usd,
      6,
    );
    expect(report.modes['arc-cluster'].complete && report.modes['region-switch'].complete).toBe(true);
  });

  test('the region-switch column says how it was obtained (the config accepts the mode: issue 18)', () => {
    expect(templates.how['region-switch']).toBe(
      'every stage synthesized again from the config with routingMode "region-switch"',
    );
  });

  test('an instance class the table lacks is "not priced" and the total says it is incomplete', () => {
    // GIVEN one DB instance of an unknown class
    const stacks = changed(arc, (copy) => {
      const [first] = resourcesOf(copy, 'AWS::RDS::DBInstance');
      (first!.props as Record<string, unknown>).DBInstanceClass = 'db.x99.huge';
    });
    // WHEN priced
    const cost = costOfTemplates(stacks);
    const before = costOfTemplates(arc);
    // THEN that instance is a not-priced line, left out of the total, never 0
    expect(cost.complete).toBe(false);
    expect(cost.lines.filter((line) => line.notPriced !== undefined)).toEqual([
      expect.objectContaining({
        component: 'DB instance db.x99.huge (aurora-postgresql)',
        quantity: 1,
        notPriced: 'no price for aurora-postgresql db.x99.huge in the table',
      }),
    ]);
    expect(before.totalUsd - cost.totalUsd).toBeCloseTo(
      AURORA_INSTANCE_HOURLY['aurora-postgresql:db.r6g.large']!.usd * HOURS_PER_MONTH,
      6,
    );
    const text = renderCostReport(
      costReport(loadConfig({}), { ...templates, stacks: { ...templates.stacks, 'arc-cluster': stacks } }),
    );
    expect(text).toContain('NOT PRICED (incomplete)');
    expect(text).toContain('(over the priced lines only: a total is incomplete)');
  });

  test('a resource type the table does not know is "not priced"', () => {
    const stacks = changed(arc, (copy) => {
      (copy[0]!.template.Resources as Record<string, unknown>).Mystery = { Type: 'AWS::Mystery::Thing' };
    });
    const cost = costOfTemplates(stacks);
    expect(cost.complete).toBe(false);
    expect(cost.lines.find((line) => line.component === 'AWS::Mystery::Thing')).toEqual(
      expect.objectContaining({ notPriced: 'resource type not in the price table', quantity: 1 }),
    );
  });

  test('a Region the table has no prices for is "not priced", not priced at another Region\'s price', () => {
    const stacks = changed(arc, (copy) => {
      for (const stack of copy) if (stack.region === 'us-west-2') (stack as { region: string }).region = 'eu-west-1';
    });
    const nat = costOfTemplates(stacks).lines.find(
      (line) => line.component === 'NAT gateway' && line.region === 'eu-west-1',
    );
    expect(nat).toEqual(
      expect.objectContaining({
        quantity: 2,
        monthlyUsd: undefined,
        notPriced: 'no price for eu-west-1 in the table (it has us-east-1, us-west-2)',
      }),
    );
  });

  test.each<[string, number | undefined]>([
    ['rate(5 minutes)', 5],
    ['rate(1 minute)', 1],
    ['rate(2 hours)', 120],
    ['rate(1 day)', 1440],
    ['cron(0 * * * ? *)', undefined],
    ['rate(0 minutes)', undefined],
  ])('reads the schedule %s as %s minutes', (expression, minutes) => {
    expect(rateMinutes(expression)).toBe(minutes);
  });

  test.each<RoutingMode>(['arc-cluster', 'region-switch'])('the %s column has no unknown resource type', (mode) => {
    expect(costOfTemplates(templates.stacks[mode]).lines.filter((line) => line.notPriced !== undefined)).toEqual([]);
  });
});
