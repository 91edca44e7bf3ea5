import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { Match } from 'aws-cdk-lib/assertions';
import { SCHEDULED_READINESS_CHECKS } from '../../runbooks/lambda/readiness-handler';
import { appliesInMode } from '../../runbooks/readiness/readiness-check';
import { alarmNames, CANARY_RUNTIME, canaryNames } from '../../stacks';
import { buildShopApp, REPO_ROOT, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

let shop: ShopApp;
beforeAll(() => {
  // GIVEN canaries every 10 minutes, the scheduled readiness every 15
  shop = buildShopApp({ canaryRateMinutes: 10, readiness: { scheduleMinutes: 15 } });
});
afterAll(() => removeShopApp(shop));

const regionOf = (role: (typeof ROLES)[number]) => (role === 'primary' ? 'us-east-1' : 'us-west-2');
const peerOf = (role: (typeof ROLES)[number]) => (role === 'primary' ? 'us-west-2' : 'us-east-1');

describe('observability stacks', () => {
  test.each(ROLES)('the %s Region runs the journey canary against its load balancer and the global name', (role) => {
    const template = templateOf(shop.stages[role].observability);
    template.resourceCountIs('AWS::Synthetics::Canary', 2);
    const canaries = Object.values(template.findResources('AWS::Synthetics::Canary'));
    for (const canary of canaries) {
      expect(canary.Properties).toMatchObject({
        RuntimeVersion: CANARY_RUNTIME.name,
        Schedule: { Expression: 'rate(10 minutes)' },
        StartCanaryAfterCreation: true,
        Code: { Handler: 'index.handler', Script: expect.stringContaining("synthetics.executeStep('add-to-cart'") },
      });
    }
    const envs = canaries.map((c) => c.Properties.RunConfig.EnvironmentVariables);
    const global = envs.find((env) => env.TARGET_URL === 'http://www.shop.example.com');
    const local = envs.find((env) => JSON.stringify(env.TARGET_URL).includes('DNSName'));
    expect(global).toMatchObject({ IGNORE_CERTIFICATE_ERRORS: 'false' });
    // The load balancer's own name is never on the certificate: the local canary checks the path, not TLS names.
    expect(local).toMatchObject({ IGNORE_CERTIFICATE_ERRORS: 'true' });
  });

  test.each(ROLES)('the %s canaries have the deterministic names the bake gate looks up', (role) => {
    const template = templateOf(shop.stages[role].observability);
    const names = Object.values(template.findResources('AWS::Synthetics::Canary')).map((c) => c.Properties.Name);
    expect(names.sort()).toEqual(['shop-dev-global', 'shop-dev-local']);
    expect(canaryNames('shop', 'dev')).toEqual({ local: 'shop-dev-local', global: 'shop-dev-global' });
  });

  test('canary names longer than 21 characters are shortened deterministically', () => {
    const names = canaryNames('a-very-long-app-name', 'production-eu');
    expect(names.local).toHaveLength(21);
    expect(names.global).toHaveLength(21);
    expect(names.local).not.toBe(names.global);
    expect(canaryNames('a-very-long-app-name', 'production-eu')).toEqual(names);
  });

  // The script goes inline (Code.fromInline). The Synthetics API takes an inline script as a zip that "must be smaller
  // than 225 Kb" (CreateCanary, CanaryCodeInput.ZipFile); the unzipped script below that is always small enough.
  test('the journey script is small enough to deploy inline', () => {
    const bytes = fs.statSync(path.join(REPO_ROOT, 'stacks/observability/canary/journey.js')).size;
    expect(bytes).toBeLessThan(225 * 1024);
  });

  test('the runtime is a Node.js Puppeteer runtime', () => {
    expect(CANARY_RUNTIME.name).toMatch(/^syn-nodejs-puppeteer-\d+\.\d+$/);
  });

  // Review m7: 13.1 moved the runtime's modules to new names, and the legacy ones "will be deprecated in a future
  // release" (CloudWatch Synthetics, runtime versions using Node.js and Puppeteer).
  test('the canaries run syn-nodejs-puppeteer-13.1 and the journey requires its module names', () => {
    expect(CANARY_RUNTIME.name).toBe('syn-nodejs-puppeteer-13.1');
    const script = fs.readFileSync(path.join(REPO_ROOT, 'stacks/observability/canary/journey.js'), 'utf8');
    // And the AWS SDK v3, which the Lambda Node.js runtime provides (the synthetic shopper's token, issue 12 M2).
    expect([...script.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]).sort()).toEqual([
      '@aws-sdk/client-secrets-manager',
      '@aws/synthetics-logger',
      '@aws/synthetics-puppeteer',
    ]);
  });

  // Issue 12, review M2: the journey places an order (as the synthetic shopper) and sees its confirmation.
  test('the journey walks home, catalog, product, add to cart, cart, checkout, place order and confirmation', () => {
    const script = fs.readFileSync(path.join(REPO_ROOT, 'stacks/observability/canary/journey.js'), 'utf8');
    expect([...script.matchAll(/executeStep\('([a-z-]+)'/g)].map((m) => m[1])).toEqual([
      'home',
      'catalog',
      'product',
      'add-to-cart',
      'cart',
      'checkout',
      'place-order',
      'confirmation',
    ]);
    expect(script).toContain('process.env.TARGET_URL');
    expect(() => new vm.Script(script, { filename: 'journey.js' })).not.toThrow();
    expect(script).toContain('form[action$="/cart"]');
  });

  test.each(ROLES)('the %s Region alarms on canary success below 90 %% for two periods', (role) => {
    const template = templateOf(shop.stages[role].observability);
    const names = alarmNames('shop', 'dev', regionOf(role));
    for (const alarmName of [names.canaryLocal, names.canaryGlobal]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: alarmName,
        Namespace: 'CloudWatchSynthetics',
        MetricName: 'SuccessPercent',
        Threshold: 90,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Period: 600,
      });
    }
  });

  test.each(ROLES)('the %s Region alarms on load balancer 5xx, target 5xx and unhealthy hosts', (role) => {
    const template = templateOf(shop.stages[role].observability);
    const names = alarmNames('shop', 'dev', regionOf(role));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: names.loadBalancer5xx,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_ELB_5XX_Count',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: names.target5xx,
      MetricName: 'HTTPCode_Target_5XX_Count',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: names.unhealthyHosts,
      MetricName: 'UnHealthyHostCount',
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'TargetGroup' })]),
    });
  });

  // Review M2(3): an absolute threshold (>= 5 per minute) never fires at low traffic, such as a canary's run every few
  // minutes. The rate alarm divides the 5xx responses by the requests over five minutes, and is judged only with at
  // least RATE_ALARM_MIN_REQUESTS requests in the period.
  test.each(ROLES)(
    'the %s Region alarms on the 5xx rate of the load balancer, with a minimum-request guard',
    (role) => {
      const template = templateOf(shop.stages[role].observability);
      const names = alarmNames('shop', 'dev', regionOf(role));
      const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === names.loadBalancer5xxRate,
      );
      expect(alarm).toBeDefined();
      const { Metrics: queries, ...properties } = alarm!.Properties;
      expect(properties).toMatchObject({
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      });
      const metrics = Object.fromEntries(
        queries
          .filter((q: { MetricStat?: unknown }) => q.MetricStat)
          .map((q: { Id: string; MetricStat: { Metric: { MetricName: string }; Period: number; Stat: string } }) => [
            q.Id,
            `${q.MetricStat.Metric.MetricName}/${q.MetricStat.Stat}/${q.MetricStat.Period}`,
          ]),
      );
      expect(metrics).toEqual({
        requests: 'RequestCount/Sum/300',
        target5xx: 'HTTPCode_Target_5XX_Count/Sum/300',
        elb5xx: 'HTTPCode_ELB_5XX_Count/Sum/300',
      });
      const [expression] = queries.filter((q: { Expression?: string }) => q.Expression);
      expect(expression.ReturnData).not.toBe(false);
      expect(expression.Expression).toBe(
        'IF(FILL(requests, 0) + FILL(elb5xx, 0) >= 10, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0)), 0)',
      );
    },
  );

  test.each(ROLES)('the %s Region alarms on the p99 response time of the ui targets', (role) => {
    const template = templateOf(shop.stages[role].observability);
    const names = alarmNames('shop', 'dev', regionOf(role));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: names.latencyP99,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  // Review M2(4): the internal services' deployment alarms are part of the gate.
  test('the bake gate watches the canaries, the load balancer, the rate and latency alarms and the internal services', () => {
    const names = alarmNames('shop', 'dev', 'us-east-1');
    const local = [
      names.canaryLocal,
      names.loadBalancer5xx,
      names.target5xx,
      names.loadBalancer5xxRate,
      names.latencyP99,
      names.unhealthyHosts,
      'shop-dev-us-east-1-catalog-deployment',
      'shop-dev-us-east-1-carts-deployment',
      'shop-dev-us-east-1-orders-deployment',
      'shop-dev-us-east-1-checkout-deployment',
    ];
    expect(names.regionalBakeGate).toEqual(local);
    expect(names.bakeGate).toEqual([names.canaryGlobal, ...local]);
  });

  test.each(ROLES)('the %s dashboard graphs replication lag, canary success, requests and orders', (role) => {
    const template = templateOf(shop.stages[role].observability);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard.Properties.DashboardName).toBe(`shop-dev-${regionOf(role)}`);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const cluster of ['shop-dev-catalog', 'shop-dev-orders']) {
      expect(body).toContain(`\\"AWS/RDS\\",\\"AuroraGlobalDBRPOLag\\",\\"DBClusterIdentifier\\",\\"${cluster}\\"`);
    }
    for (const table of ['shop-dev-carts', 'shop-dev-checkout']) {
      expect(body).toContain(
        `\\"AWS/DynamoDB\\",\\"ReplicationLatency\\",\\"ReceivingRegion\\",\\"${peerOf(role)}\\",\\"TableName\\",\\"${table}\\"`,
      );
    }
    expect(body).toContain('\\"CloudWatchSynthetics\\",\\"SuccessPercent\\"');
    expect(body).toContain('\\"AWS/ApplicationELB\\",\\"RequestCount\\"');
    expect(body).toContain('\\"shop/dev\\",\\"OrdersPlaced\\"');
  });

  test.each(ROLES)(
    "the %s dashboard has a readiness row: the overall CheckGreen, each check's, and the runbook stack's readiness alarm",
    (role) => {
      const template = templateOf(shop.stages[role].observability);
      const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      // The lowest value of each 15-minute run period (config readiness.scheduleMinutes), for each check of the
      // configured routing mode (arc-cluster here).
      const checks = SCHEDULED_READINESS_CHECKS.filter((c) => appliesInMode(c, 'arc-cluster'));
      for (const check of ['overall', ...checks.map((c) => c.name)]) {
        expect(body).toContain(
          `[\\"MultiRegionShop/Readiness\\",\\"CheckGreen\\",\\"App\\",\\"shop\\",\\"Check\\",\\"${check}\\",\\"Env\\",\\"dev\\",{\\"label\\":\\"${check}\\",\\"period\\":900,\\"stat\\":\\"Minimum\\"}]`,
        );
      }
      const alarmName = alarmNames('shop', 'dev', regionOf(role)).readiness;
      expect(body).toContain(`:alarm:${alarmName}\\"]`);
      // AND that alarm is the one the runbook stack creates, over twice the schedule
      templateOf(shop.stages[role].runbooks).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: alarmName,
        Period: 1800,
      });
      templateOf(shop.stages[role].runbooks).hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(15 minutes)',
      });
    },
  );

  // Issue 18: a readiness check of the other routing mode does not apply (GREEN, "does not apply"): the dashboard names
  // only the checks of the configured mode.
  test.each([
    ['arc-cluster', ['routing-controls', 'routing-configuration', 'routing-states'], ['region-switch-plan']],
    ['region-switch', ['region-switch-plan'], ['routing-controls', 'routing-configuration', 'routing-states']],
  ] as const)('in routing mode %s the readiness row shows %j and not %j', (mode, shown, hidden) => {
    const app = buildShopApp({ routingMode: mode });
    try {
      for (const role of ROLES) {
        const [dashboard] = Object.values(
          templateOf(app.stages[role].observability).findResources('AWS::CloudWatch::Dashboard'),
        );
        const body = JSON.stringify(dashboard!.Properties.DashboardBody);
        const named = (check: string) => body.includes(`\\"Check\\",\\"${check}\\"`);
        for (const check of shown) expect(named(check)).toBe(true);
        for (const check of hidden) expect(named(check)).toBe(false);
        // every check of that mode, and the overall one
        for (const check of SCHEDULED_READINESS_CHECKS.filter((c) => appliesInMode(c, mode))) {
          expect(named(check.name)).toBe(true);
        }
        expect(named('overall')).toBe(true);
      }
    } finally {
      removeShopApp(app);
    }
  });

  test('real orders per minute are counted from the orders log (synthetic ones left out)', () => {
    templateOf(shop.stages.primary.services).hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.event = "order.placed") && ($.synthetic IS FALSE) }',
      MetricTransformations: [{ MetricNamespace: 'shop/dev', MetricName: 'OrdersPlaced', MetricValue: '1' }],
    });
  });
});

// Review M9. Behind an internal load balancer, a canary outside the VPC cannot reach the shop: every run fails, and so
// does every bake. Inside the VPC it runs from the task subnets, which have a NAT route for the Synthetics and S3 calls
// a canary makes, and the internal load balancer admits the whole VPC range.
describe('canaries and the load balancer scheme', () => {
  let internal: ShopApp;
  beforeAll(() => {
    // GIVEN internal load balancers
    internal = buildShopApp({ loadBalancerScheme: 'internal' });
  });
  afterAll(() => removeShopApp(internal));

  test.each(ROLES)('with an internet-facing load balancer the %s canaries run outside the VPC', (role) => {
    for (const canary of Object.values(
      templateOf(shop.stages[role].observability).findResources('AWS::Synthetics::Canary'),
    )) {
      expect(canary.Properties.VPCConfig).toBeUndefined();
    }
  });

  test.each(ROLES)('with an internal load balancer the %s canaries run in the task subnets, admitted by it', (role) => {
    const stage = internal.stages[role];
    const template = templateOf(stage.observability);
    const taskSubnets = stage.network.vpc.privateSubnets.map((s) => stage.observability.resolve(s.subnetId));
    const [canaryGroup, ...others] = Object.keys(template.findResources('AWS::EC2::SecurityGroup'));
    expect(others).toEqual([]);
    const canaries = Object.values(template.findResources('AWS::Synthetics::Canary'));
    expect(canaries).toHaveLength(2);
    for (const canary of canaries) {
      expect(canary.Properties.VPCConfig).toEqual({
        VpcId: stage.observability.resolve(stage.network.vpc.vpcId),
        SubnetIds: taskSubnets,
        SecurityGroupIds: [{ 'Fn::GetAtt': [canaryGroup, 'GroupId'] }],
      });
    }
    // The internal load balancer admits the VPC's range, the canaries' subnets included.
    templateOf(stage.services).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: stage.network.cidr, FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
      ]),
    });
  });
});
