import { HOURS_PER_MONTH, PRICES } from '../../cost/price-table';
import { costOfTemplates, type SynthesizedStack, type TemplateResource } from '../../cost/template-cost';
import { templatesOf } from './synthesized-cost';

/** Every resource of `type` in `stacks`, with its stack and logical id. */
function resourcesOf(stacks: readonly SynthesizedStack[], type: string) {
  return stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources ?? {})
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => ({
        stack,
        id,
        resource,
        props: (resource.Properties ?? {}) as Record<string, unknown>,
      })),
  );
}

/** A deep copy of `stacks` with `change` applied to the copy. */
function changed(stacks: readonly SynthesizedStack[], change: (copy: SynthesizedStack[]) => void): SynthesizedStack[] {
  const copy = JSON.parse(JSON.stringify(stacks)) as SynthesizedStack[];
  change(copy);
  return copy;
}

const notPricedLines = (stacks: readonly SynthesizedStack[]) =>
  costOfTemplates(stacks).lines.filter((line) => line.notPriced !== undefined);

describe('the cost view fails closed where a template does not say how many', () => {
  let arc: readonly SynthesizedStack[];
  beforeAll(() => {
    // GIVEN the default configuration's templates (arc-cluster)
    arc = templatesOf().stacks['arc-cluster'];
  });

  test('an interface endpoint whose SubnetIds is not a list is "not priced", not priced at 0 Availability Zones', () => {
    // GIVEN an interface endpoint whose subnets come from a parameter (a token, not a literal list)
    const stacks = changed(arc, (copy) => {
      const [endpoint] = resourcesOf(copy, 'AWS::EC2::VPCEndpoint').filter(
        (e) => e.props.VpcEndpointType === 'Interface',
      );
      endpoint!.props.SubnetIds = { Ref: 'EndpointSubnets' };
    });
    // WHEN priced THEN the endpoint is a not-priced line and the total says it is incomplete
    const cost = costOfTemplates(stacks);
    expect(cost.complete).toBe(false);
    expect(notPricedLines(stacks)).toEqual([
      expect.objectContaining({ component: 'VPC interface endpoint, per AZ', quantity: 1 }),
    ]);
    expect(cost.totalUsd).toBeCloseTo(
      costOfTemplates(arc).totalUsd - 2 * PRICES.interfaceEndpointAzHour.usd * HOURS_PER_MONTH,
      6,
    );
  });

  test('an internet-facing load balancer placed by SubnetMappings has its public addresses "not priced", not 0', () => {
    // GIVEN an internet-facing ALB whose subnets are given as SubnetMappings (no Subnets)
    const stacks = changed(arc, (copy) => {
      const [alb] = resourcesOf(copy, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      alb!.props.SubnetMappings = (alb!.props.Subnets as unknown[]).map((SubnetId) => ({ SubnetId }));
      delete alb!.props.Subnets;
    });
    // WHEN priced THEN its public IPv4 addresses are a not-priced line
    expect(costOfTemplates(stacks).complete).toBe(false);
    expect(notPricedLines(stacks)).toEqual([
      expect.objectContaining({ component: 'Public IPv4 address (internet-facing ALB, one per subnet)', quantity: 1 }),
    ]);
  });

  test('a Fargate service whose scalable target cannot be matched to it is "not priced", not counted as 1 task', () => {
    // GIVEN the ui service's scalable target naming it by a literal ResourceId the cost view does not resolve
    const stacks = changed(arc, (copy) => {
      const [target] = resourcesOf(copy, 'AWS::ApplicationAutoScaling::ScalableTarget').filter((t) =>
        JSON.stringify(t.props.ResourceId).includes('UiService'),
      );
      target!.props.ResourceId = 'service/shop-dev/ui';
    });
    // WHEN priced THEN the ui service in that Region is not priced (its task count is unknown)
    const lines = notPricedLines(stacks);
    expect(lines).toEqual([
      expect.objectContaining({
        component: 'ECS service ui',
        notPriced: expect.stringContaining('scalable target'),
      }),
    ]);
    expect(costOfTemplates(stacks).complete).toBe(false);
  });

  test.each<[string, (service: Record<string, unknown>, target: Record<string, unknown>) => void]>([
    ['MinCapacity is a token', (_service, target) => (target.MinCapacity = { Ref: 'MinTasks' })],
    ['DesiredCount is a token', (service) => (service.DesiredCount = { Ref: 'DesiredTasks' })],
    ['MinCapacity is an empty string', (_service, target) => (target.MinCapacity = '')],
  ])('a Fargate service whose %s is "not priced", and the total stays a number', (_, change) => {
    const stacks = changed(arc, (copy) => {
      const [service] = resourcesOf(copy, 'AWS::ECS::Service').filter((s) => s.id.startsWith('UiService'));
      const [target] = resourcesOf(copy, 'AWS::ApplicationAutoScaling::ScalableTarget').filter(
        (t) => t.stack === service!.stack && JSON.stringify(t.props.ResourceId).includes(service!.id),
      );
      change(service!.props, target!.props);
    });
    const cost = costOfTemplates(stacks);
    expect(Number.isFinite(cost.totalUsd)).toBe(true);
    expect(cost.complete).toBe(false);
    expect(notPricedLines(stacks)).toEqual([expect.objectContaining({ component: 'ECS service ui' })]);
  });

  test('an alarm over metric math counts one alarm metric per metric it reads (the table prices per alarm metric)', () => {
    // GIVEN the default templates, whose deployment and 5xx-rate alarms use metric math
    const alarms = resourcesOf(arc, 'AWS::CloudWatch::Alarm');
    const metricsOf = (alarm: TemplateResource) => {
      const metrics = alarm.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined;
      return metrics === undefined ? 1 : metrics.filter((m) => m.MetricStat !== undefined).length;
    };
    expect(alarms.some((a) => metricsOf(a.resource) > 1)).toBe(true);
    // WHEN priced THEN each Region's alarm quantity is the number of metrics its alarms read
    const lines = costOfTemplates(arc).lines.filter((line) => line.component === 'CloudWatch alarm metric');
    for (const region of ['us-east-1', 'us-west-2']) {
      const expected = alarms
        .filter((a) => a.stack.region === region)
        .reduce((sum, a) => sum + metricsOf(a.resource), 0);
      const quantity = lines.filter((line) => line.region === region).reduce((sum, line) => sum + line.quantity, 0);
      expect({ region, quantity }).toEqual({ region, quantity: expected });
    }
  });

  test.each<[string, Record<string, unknown>]>([
    ['a high-resolution alarm (Period 10)', { Period: 10 }],
    ['an anomaly detection alarm', { ThresholdMetricId: 'ad1' }],
  ])('%s is "not priced" (the table holds the standard-resolution price only)', (_, change) => {
    const stacks = changed(arc, (copy) => {
      const [alarm] = resourcesOf(copy, 'AWS::CloudWatch::Alarm').filter((a) => a.props.Metrics === undefined);
      Object.assign(alarm!.props, change);
    });
    expect(notPricedLines(stacks)).toEqual([expect.objectContaining({ component: 'CloudWatch alarm', quantity: 1 })]);
  });
});

describe('the cost view prices what a template states, and nothing it does not', () => {
  let arc: readonly SynthesizedStack[];
  beforeAll(() => {
    arc = templatesOf().stacks['arc-cluster'];
  });

  test('a Fargate service with no DesiredCount and no scalable target is counted as 1 task (the CloudFormation default)', () => {
    // AWS::ECS::Service DesiredCount: "For new services, if a desired count is not specified, a default value of 1 is used."
    const stacks = changed(arc, (copy) => {
      for (const stack of copy) {
        const resources = stack.template.Resources as Record<string, TemplateResource>;
        for (const [id, r] of Object.entries(resources)) {
          if (r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && JSON.stringify(r).includes('UiService')) {
            delete resources[id];
          }
        }
      }
    });
    const ui = costOfTemplates(stacks).lines.filter((line) => line.component.startsWith('Fargate tasks: ui '));
    expect(ui.map((line) => [line.region, line.quantity])).toEqual([
      ['us-east-1', 1],
      ['us-west-2', 1],
    ]);
  });

  test('an ARM64 (Graviton) task is priced at the Linux/ARM prices', () => {
    const stacks = changed(arc, (copy) => {
      for (const task of resourcesOf(copy, 'AWS::ECS::TaskDefinition')) {
        task.props.RuntimePlatform = { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' };
      }
    });
    const [line] = costOfTemplates(stacks).lines.filter((l) => l.component.startsWith('Fargate tasks: ui '));
    expect(line!.component).toBe('Fargate tasks: ui (0.25 vCPU, 0.5 GB, ARM64)');
    expect(line!.unitMonthlyUsd).toBeCloseTo(
      0.25 * HOURS_PER_MONTH * PRICES.fargateVcpuHourArm.usd + 0.5 * HOURS_PER_MONTH * PRICES.fargateGbHourArm.usd,
      6,
    );
  });

  test.each<[string, string, boolean]>([
    ['rate(1 hour)', 'Synthetics canary runs (rate(1 hour))', true],
    ['cron(0/5 * * * ? *)', 'Synthetics canary LocalCanary', false],
    ['rate(0 minute)', 'Synthetics canary LocalCanary', false],
  ])('a canary scheduled %s is %s', (expression, component, priced) => {
    const stacks = changed(arc, (copy) => {
      for (const canary of resourcesOf(copy, 'AWS::Synthetics::Canary')) {
        (canary.props.Schedule as { Expression: string }).Expression = expression;
        canary.props.Name = canary.id.startsWith('Local') ? 'LocalCanary' : 'GlobalCanary';
      }
    });
    const line = costOfTemplates(stacks).lines.find((l) => l.component === component && l.region === 'us-east-1');
    expect(line).toBeDefined();
    // One run an hour: 730 runs a month per canary (both of the Region's canaries merge into one line).
    if (priced) expect(line!.monthlyUsd).toBeCloseTo(line!.quantity * HOURS_PER_MONTH * PRICES.syntheticsRun.usd, 6);
    else expect(line!.notPriced).toBe(`schedule "${expression}" is not a rate(...)`);
  });

  test('an Aurora Serverless v2 instance (db.serverless) is "not priced"', () => {
    const stacks = changed(arc, (copy) => {
      const [instance] = resourcesOf(copy, 'AWS::RDS::DBInstance');
      instance!.props.DBInstanceClass = 'db.serverless';
    });
    expect(notPricedLines(stacks)).toEqual([
      expect.objectContaining({
        component: 'DB instance db.serverless (aurora-postgresql)',
        notPriced: 'no price for aurora-postgresql db.serverless in the table',
      }),
    ]);
  });
});

describe('options the table has no price for are "not priced", not priced at the basic rate', () => {
  let arc: readonly SynthesizedStack[];
  beforeAll(() => {
    arc = templatesOf().stacks['arc-cluster'];
  });

  test.each<[string, boolean, Record<string, unknown>]>([
    ['HTTP, 30 s interval', true, { Type: 'HTTP', RequestInterval: 30 }],
    ['TCP, default interval', true, { Type: 'TCP' }],
    ['HTTPS', false, { Type: 'HTTPS' }],
    ['HTTP_STR_MATCH', false, { Type: 'HTTP_STR_MATCH', SearchString: 'ok' }],
    ['HTTP, fast interval (10 s)', false, { Type: 'HTTP', RequestInterval: 10 }],
    ['HTTP, latency measured', false, { Type: 'HTTP', MeasureLatency: true }],
    ['CALCULATED', false, { Type: 'CALCULATED', ChildHealthChecks: [] }],
    ['CLOUDWATCH_METRIC', false, { Type: 'CLOUDWATCH_METRIC' }],
  ])('a Route 53 health check (%s) is priced: %s', (_, priced, config) => {
    // GIVEN the first health check replaced by one of this configuration (the table holds the basic price only)
    const stacks = changed(arc, (copy) => {
      const [check] = resourcesOf(copy, 'AWS::Route53::HealthCheck');
      check!.props.HealthCheckConfig = { FullyQualifiedDomainName: 'shop.example.com', ...config };
    });
    const line = costOfTemplates(stacks).lines.find(
      (l) => l.component === `Route 53 health check (${String(config.Type)})`,
    );
    expect(line).toEqual(
      priced
        ? expect.objectContaining({ quantity: 1, monthlyUsd: PRICES.route53HealthCheck.usd })
        : expect.objectContaining({ quantity: 1, monthlyUsd: undefined, notPriced: expect.any(String) }),
    );
  });

  test('a Fargate task with more than the 20 GiB of ephemeral storage Fargate includes is "not priced"', () => {
    const stacks = changed(arc, (copy) => {
      const [task] = resourcesOf(copy, 'AWS::ECS::TaskDefinition');
      task!.props.EphemeralStorage = { SizeInGiB: 50 };
    });
    expect(notPricedLines(stacks)).toEqual([
      expect.objectContaining({ notPriced: expect.stringContaining('ephemeral storage') }),
    ]);
  });
});

describe('configurations priced apart from the ones in the table are "not priced"', () => {
  let arc: readonly SynthesizedStack[];
  beforeAll(() => {
    arc = templatesOf().stacks['arc-cluster'];
  });

  test('an Aurora I/O-Optimized cluster (StorageType aurora-iopt1): its instances and storage are "not priced", not priced as Aurora Standard', () => {
    // GIVEN the us-east-1 orders cluster switched to I/O-Optimized (instance hours and storage are priced apart)
    const stacks = changed(arc, (copy) => {
      const [cluster] = resourcesOf(copy, 'AWS::RDS::DBCluster').filter(
        (c) => c.stack.region === 'us-east-1' && c.id.startsWith('OrdersCluster'),
      );
      cluster!.props.StorageType = 'aurora-iopt1';
    });
    // WHEN priced THEN that cluster's storage and both its instances are not priced; nothing else is
    const lines = notPricedLines(stacks);
    expect(lines.map((line) => [line.component, line.region, line.quantity]).sort()).toEqual([
      ['Aurora storage (10 GB per cluster, assumed)', 'us-east-1', 1],
      ['DB instance db.r6g.large (aurora-postgresql)', 'us-east-1', 2],
    ]);
  });

  test('a DynamoDB table of the Standard-IA table class is "not priced", not priced at the Standard prices', () => {
    const stacks = changed(arc, (copy) => {
      const [table] = resourcesOf(copy, 'AWS::DynamoDB::GlobalTable');
      table!.props.TableClass = 'STANDARD_INFREQUENT_ACCESS';
    });
    expect(costOfTemplates(stacks).complete).toBe(false);
    expect(notPricedLines(stacks)).toEqual([
      expect.objectContaining({ notPriced: expect.stringContaining('STANDARD_INFREQUENT_ACCESS') }),
    ]);
  });
});

describe('public addresses the templates give tasks', () => {
  test('a Fargate service with AssignPublicIp ENABLED counts a public IPv4 address per task', () => {
    // GIVEN every service of the default templates given a public IP per task
    const arc = templatesOf().stacks['arc-cluster'];
    const stacks = changed(arc, (copy) => {
      for (const service of resourcesOf(copy, 'AWS::ECS::Service')) {
        const network = service.props.NetworkConfiguration as { AwsvpcConfiguration: Record<string, unknown> };
        network.AwsvpcConfiguration.AssignPublicIp = 'ENABLED';
      }
    });
    // THEN each Region counts one address per task, at the table's public IPv4 price
    const tasks = (region: string) =>
      costOfTemplates(stacks)
        .lines.filter((line) => line.component.startsWith('Fargate tasks') && line.region === region)
        .reduce((sum, line) => sum + line.quantity, 0);
    for (const region of ['us-east-1', 'us-west-2']) {
      const line = costOfTemplates(stacks).lines.find(
        (l) => l.component === 'Public IPv4 address (Fargate task)' && l.region === region,
      );
      expect(line).toEqual(
        expect.objectContaining({
          quantity: tasks(region),
          unitMonthlyUsd: PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH,
        }),
      );
    }
  });
});

describe('capacity added outside the templates', () => {
  test('an Aurora Replica scalable target (rds namespace) is "not priced": the replicas it adds are in no template', () => {
    // GIVEN Application Auto Scaling of the orders cluster's Aurora Replicas, at least 1 (MinCapacity)
    const arc = templatesOf().stacks['arc-cluster'];
    const stacks = changed(arc, (copy) => {
      const [cluster] = resourcesOf(copy, 'AWS::RDS::DBCluster').filter((c) => c.stack.region === 'us-east-1');
      (cluster!.stack.template.Resources as Record<string, TemplateResource>).ReplicaScaling = {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        Properties: {
          ServiceNamespace: 'rds',
          ScalableDimension: 'rds:cluster:ReadReplicaCount',
          ResourceId: { 'Fn::Join': ['', ['cluster:', { Ref: cluster!.id }]] },
          MinCapacity: 1,
          MaxCapacity: 4,
        },
      };
    });
    // THEN a not-priced line names it and the total says it is incomplete
    expect(costOfTemplates(stacks).complete).toBe(false);
    expect(notPricedLines(stacks)).toEqual([
      expect.objectContaining({ component: 'Scalable target (rds:cluster:ReadReplicaCount)', region: 'us-east-1' }),
    ]);
  });
});
