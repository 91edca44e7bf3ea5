import { Match } from 'aws-cdk-lib/assertions';
import { alarmNames, ecsClusterName, INTERNAL_SERVICES, SHOP_SERVICES, tableNames } from '../../stacks';
import { SHOP_SERVICE_SPECS } from '../../stacks/services/shop-services';
import { buildShopApp, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

const CERTIFICATE = 'arn:aws:acm:us-west-2:111111111111:certificate/12345678-1234-1234-1234-123456789012';

let shop: ShopApp;
beforeAll(() => {
  // GIVEN a certificate for the standby Region only
  shop = buildShopApp({ certificateArns: { 'us-west-2': CERTIFICATE } });
});
afterAll(() => removeShopApp(shop));

const regionOf = (role: (typeof ROLES)[number]) => (role === 'primary' ? 'us-east-1' : 'us-west-2');

describe('services stacks', () => {
  test.each(ROLES)("the %s cluster is named shop-dev, so the other Region's runbook can address it", (role) => {
    templateOf(shop.stages[role].services).hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: ecsClusterName('shop', 'dev'),
    });
    expect(ecsClusterName('shop', 'dev')).toBe('shop-dev');
  });

  test.each(ROLES)('the %s cluster has container insights and a Service Connect namespace', (role) => {
    const template = templateOf(shop.stages[role].services);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      ServiceConnectDefaults: { Namespace: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'shop.dev.internal' });
  });

  test.each(ROLES.flatMap((role) => SHOP_SERVICES.map((service) => [role, service] as const)))(
    'the %s %s service runs on Fargate with Service Connect, rollback and a deployment alarm',
    (role, service) => {
      const template = templateOf(shop.stages[role].services);
      const alarm = alarmNames('shop', 'dev', regionOf(role)).deployment(service);
      template.hasResourceProperties('AWS::ECS::Service', {
        ServiceName: service,
        LaunchType: 'FARGATE',
        DeploymentConfiguration: Match.objectLike({
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          Alarms: { AlarmNames: [alarm], Enable: true, Rollback: true },
          MinimumHealthyPercent: 100,
        }),
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
        ServiceConnectConfiguration: {
          Enabled: true,
          Namespace: 'shop.dev.internal',
          Services: [
            {
              PortName: 'http',
              DiscoveryName: service,
              ClientAliases: [{ DnsName: service, Port: 8080 }],
            },
          ],
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: alarm });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: 2,
      });
      const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
      const serviceId = Object.keys(
        template.findResources('AWS::ECS::Service', { Properties: { ServiceName: service } }),
      )[0];
      expect(targets.filter((t) => JSON.stringify(t.Properties.ResourceId).includes(serviceId))).toEqual([
        expect.objectContaining({ Properties: expect.objectContaining({ MinCapacity: 2 }) }),
      ]);
    },
  );

  // Review M4. A DesiredCount in the template resets an autoscaled service on every stack update that touches it;
  // without one, CloudFormation starts a new service at 1 and leaves an existing service's count alone (aws-cdk PR
  // https://github.com/aws/aws-cdk/pull/13130: "when updating a service, the service is updated and starts up with
  // the same desired count as it had prior to the deployment"), and the scalable target's minimum raises it
  // (RegisterScalableTarget: "it changes the resource's current capacity to a value that is inside of this range").
  test.each(ROLES)('no %s service has a DesiredCount: autoscaling, at least 2 tasks, owns the count', (role) => {
    const template = templateOf(shop.stages[role].services);
    const services = Object.entries(template.findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(SHOP_SERVICES.length);
    expect(services.filter(([, service]) => 'DesiredCount' in service.Properties).map(([id]) => id)).toEqual([]);
    for (const [id] of services) {
      const [target] = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).filter(
        (t) => JSON.stringify(t.Properties.ResourceId).includes(`"${id}"`),
      );
      expect(target.Properties).toMatchObject({ MinCapacity: 2, ScalableDimension: 'ecs:service:DesiredCount' });
    }
  });

  // Review M7. The deployment alarm watched {ClusterName, ServiceName, DiscoveryName}, a set for which no source
  // shows HTTPCode_Target_5XX_Count published; with notBreaching an unpublished metric kept the alarm OK forever and
  // rollback-on-alarm did nothing. Target-side Service Connect HTTP codes are reported for the callee by each
  // caller's proxy, under {ClusterName, ServiceName: <caller>, TargetDiscoveryName: <callee>} (unverified, see
  // stacks/README.md): the alarm sums the callers, and reports silence as INSUFFICIENT_DATA instead of OK.
  test.each(
    ROLES.flatMap((role) =>
      [
        ['catalog', ['carts', 'ui']],
        ['carts', ['ui']],
        ['orders', ['checkout', 'ui']],
        ['checkout', ['ui']],
      ].map(([callee, callers]) => [role, callee, callers] as const),
    ),
  )("the %s %s deployment alarm sums its callers' 5xx from %j, and silence is not OK", (role, callee, callers) => {
    const template = templateOf(shop.stages[role].services);
    const alarmName = alarmNames('shop', 'dev', regionOf(role)).deployment(callee as string);
    const [alarm] = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: alarmName } }),
    );
    const props = alarm.Properties;
    const stats: Array<{ MetricName: string; Namespace: string; Dimensions: Array<{ Name: string; Value: unknown }> }> =
      props.Metrics
        ? props.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map(
            (m: { MetricStat: { Metric: unknown } }) => m.MetricStat.Metric,
          )
        : [{ MetricName: props.MetricName, Namespace: props.Namespace, Dimensions: props.Dimensions }];
    const edges = stats.map((m) => ({
      metric: `${m.Namespace} ${m.MetricName}`,
      dimensions: Object.fromEntries(m.Dimensions.map((d) => [d.Name, d.Value])),
    }));
    expect(
      edges.sort((a, b) => String(a.dimensions.ServiceName).localeCompare(String(b.dimensions.ServiceName))),
    ).toEqual(
      (callers as readonly string[]).map((caller) => ({
        metric: 'AWS/ECS HTTPCode_Target_5XX_Count',
        dimensions: { ClusterName: 'shop-dev', ServiceName: caller, TargetDiscoveryName: callee },
      })),
    );
    if (callers.length > 1) {
      const [expression] = props.Metrics.filter((m: { Expression?: string }) => m.Expression);
      expect(expression.Expression).toMatch(/^SUM\(\[\w+(, \w+)+\]\)$/);
    }
    expect(props.TreatMissingData).toBe('missing');
  });

  test('the bake gate watches the deployment alarm of every service another service calls', () => {
    const called = SHOP_SERVICES.filter((name) =>
      SHOP_SERVICES.some((c) => SHOP_SERVICE_SPECS[c].calls.includes(name)),
    );
    expect([...INTERNAL_SERVICES]).toEqual(called);
  });

  // Review M2(4): the bake requires every watched alarm to end OK, and an internal alarm treats missing data as
  // missing: "If all data points in the alarm evaluation range are missing, the alarm transitions to
  // INSUFFICIENT_DATA" (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data"). Its range must
  // outlast the gap between two canary runs (the canary's traffic is what reaches the internal services at night), or
  // a healthy service flips to INSUFFICIENT_DATA between runs and the bake ends on it by chance.
  test.each(ROLES.flatMap((role) => INTERNAL_SERVICES.map((service) => [role, service] as const)))(
    'the %s %s deployment alarm evaluates over two canary intervals, alarming on 2 bad minutes',
    (role, service) => {
      const template = templateOf(shop.stages[role].services);
      const [alarm] = Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: alarmNames('shop', 'dev', regionOf(role)).deployment(service) },
        }),
      );
      const period =
        alarm.Properties.Period ?? alarm.Properties.Metrics.find((m: { Period?: number }) => m.Period)?.Period;
      const periods = alarm.Properties.Metrics
        ? alarm.Properties.Metrics.filter((m: { MetricStat?: { Period: number } }) => m.MetricStat).map(
            (m: { MetricStat: { Period: number } }) => m.MetricStat.Period,
          )
        : [period];
      expect(new Set(periods)).toEqual(new Set([60]));
      // GIVEN the default canary rate of 5 minutes
      expect(shop.config.canaryRateMinutes).toBe(5);
      expect(alarm.Properties.EvaluationPeriods).toBe(10);
      expect(alarm.Properties.DatapointsToAlarm).toBe(2);
    },
  );

  test.each(ROLES)('the %s ui deployment alarm watches its target group, where silence means no 5xx', (role) => {
    const template = templateOf(shop.stages[role].services);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: alarmNames('shop', 'dev', regionOf(role)).deployment('ui'),
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      TreatMissingData: 'notBreaching',
    });
  });

  test.each(ROLES)('the %s task definitions pass role, port and health check, and log with retention', (role) => {
    const template = templateOf(shop.stages[role].services);
    template.resourceCountIs('AWS::ECS::TaskDefinition', 5);
    for (const task of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
      const [container] = task.Properties.ContainerDefinitions;
      expect(container.Environment).toEqual(
        expect.arrayContaining([
          { Name: 'REGION_ROLE', Value: role },
          { Name: 'PORT', Value: '8080' },
        ]),
      );
      expect(container.PortMappings).toEqual([
        { Name: 'http', ContainerPort: 8080, Protocol: 'tcp', AppProtocol: 'http' },
      ]);
      expect(JSON.stringify(container.HealthCheck.Command)).toContain('/health');
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test.each([
    ['catalog', 'primary', 'cluster (writer) endpoint', /Cluster\w*EndpointAddress/],
    ['orders', 'primary', 'cluster (writer) endpoint', /Cluster\w*EndpointAddress/],
    ['catalog', 'standby', 'reader endpoint (write forwarding)', /Cluster\w*ReadEndpointAddress/],
    ['orders', 'standby', 'reader endpoint (write forwarding)', /Cluster\w*ReadEndpointAddress/],
  ] as const)(
    '%s in the %s Region connects to the %s, migrates on start and gets its credentials as secrets',
    (service, role, _endpoint, host) => {
      const template = templateOf(shop.stages[role].services);
      const [container] = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
        .map((t) => t.Properties.ContainerDefinitions[0])
        .filter((c) => c.LogConfiguration.Options['awslogs-stream-prefix'] === service);
      const env = Object.fromEntries(
        container.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]),
      );
      expect(JSON.stringify(env.DB_HOST)).toMatch(host);
      if (role === 'primary') expect(JSON.stringify(env.DB_HOST)).not.toContain('ReadEndpoint');
      expect(env.DB_NAME).toBe(service);
      // Review M5: after a failover the standby Region holds the writer, and only its tasks can migrate. Tasks skip
      // migrations while their database is a replica (pg_is_in_recovery) and serialise on an advisory lock.
      expect(env.DB_MIGRATE_ON_START).toBe('true');
      expect(container.Secrets.map((s: { Name: string }) => s.Name).sort()).toEqual(['DB_PASSWORD', 'DB_USER']);
      // The primary reads the secret it created (by ARN); the standby reads the replica by its name.
      expect(JSON.stringify(container.Secrets)).toContain(
        role === 'primary'
          ? `${service.charAt(0).toUpperCase()}${service.slice(1)}ClusterSecretAttachment`
          : `shop/dev/${service}/master`,
      );
    },
  );

  test.each(['catalog', 'orders'])(
    'in the primary %s may decrypt its secret with the Region key, through Secrets Manager only',
    (service) => {
      const template = templateOf(shop.stages.primary.services);
      const name = `${service.charAt(0).toUpperCase()}${service.slice(1)}`;
      const [policy] = Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(`${name}TaskExecutionRole`))
        .map(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
      expect(policy).toContainEqual(
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          Resource: { 'Fn::ImportValue': expect.stringMatching(/data:.*Key\w*Arn/) },
        }),
      );
    },
  );

  test.each(ROLES)('in the %s Region only carts and checkout may use their own table', (role) => {
    const template = templateOf(shop.stages[role].services);
    const tables = tableNames('shop', 'dev');
    // The primary references its own tables (by their logical ids), the standby the replicas (by name).
    const own = (table: 'carts' | 'checkout') =>
      role === 'primary' ? `${table.charAt(0).toUpperCase()}${table.slice(1)}Table` : tables[table];
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, p]) => [
      id,
      JSON.stringify(p.Properties.PolicyDocument),
    ]);
    const dynamo = policies.filter(([, doc]) => doc.includes('dynamodb:'));
    expect(dynamo.map(([id]) => id.replace(/Task.*/, '')).sort()).toEqual(['Carts', 'Checkout']);
    for (const [id, doc] of dynamo) {
      const [mine, theirs] = id.startsWith('Carts')
        ? (['carts', 'checkout'] as const)
        : (['checkout', 'carts'] as const);
      expect(doc).toContain(own(mine));
      expect(doc).not.toContain(own(theirs));
    }
  });

  test('the primary load balancer serves HTTP and writes access logs to S3', () => {
    const template = templateOf(shop.stages.primary.services);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      Port: 8080,
      TargetType: 'ip',
    });
  });

  // Review M6. The ALB keeps an idle client connection for up to 3600 s by default ("You can now set a value between
  // 60 seconds and 7 days ... while the default value is 3600 seconds", ELB what's new, 2024-03-14); the ARC best
  // practices suggest lowering it, "for example, 300 seconds", so that clients reconnect, and resolve the name
  // again, soon after a failover moves traffic.
  test.each(ROLES)(
    'the %s load balancer closes client connections after 300 s so clients follow a failover',
    (role) => {
      templateOf(shop.stages[role].services).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'client_keep_alive.seconds', Value: '300' }]),
      });
    },
  );

  test('with a certificate the load balancer serves HTTPS and redirects HTTP to it', () => {
    const template = templateOf(shop.stages.standby.services);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) }),
      ],
    });
  });

  test.each(ROLES)('the %s services stack publishes the load balancer for the routing stack', (role) => {
    const template = templateOf(shop.stages[role].services);
    template.hasOutput('LoadBalancerDnsName', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] } });
    template.hasOutput('LoadBalancerCanonicalHostedZoneId', {
      Value: { 'Fn::GetAtt': [Match.anyValue(), 'CanonicalHostedZoneID'] },
    });
  });

  test('ui admits only the load balancer; backends admit only their callers', () => {
    const template = templateOf(shop.stages.primary.services);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r) => r.Properties.Description as string,
    );
    expect(ingress.sort()).toEqual(
      [
        'Load balancer to target',
        'carts calls catalog',
        'checkout calls orders',
        'ui calls carts',
        'ui calls catalog',
        'ui calls checkout',
        'ui calls orders',
      ].sort(),
    );
    const [fromLoadBalancer] = Object.values(
      template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { Description: 'Load balancer to target' },
      }),
    );
    expect(JSON.stringify(fromLoadBalancer.Properties.GroupId)).toContain('UiSecurityGroup');
  });
});

describe('an internal load balancer', () => {
  let internal: ShopApp;
  beforeAll(() => {
    // GIVEN the load balancers are internal
    internal = buildShopApp({ loadBalancerScheme: 'internal' });
  });
  afterAll(() => removeShopApp(internal));

  test.each(ROLES)('in the %s Region it sits in private subnets and only ui tasks allow ECS Exec', (role) => {
    const template = templateOf(internal.stages[role].services);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const exec = Object.values(template.findResources('AWS::ECS::Service')).map((service) => [
      service.Properties.ServiceName,
      service.Properties.EnableExecuteCommand ?? false,
    ]);
    expect(exec.sort()).toEqual(
      [
        ['carts', false],
        ['catalog', false],
        ['checkout', false],
        ['orders', false],
        ['ui', true],
      ].sort(),
    );
  });

  test('the default is internet-facing without ECS Exec', () => {
    const template = templateOf(shop.stages.primary.services);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    for (const service of Object.values(template.findResources('AWS::ECS::Service'))) {
      expect(service.Properties.EnableExecuteCommand ?? false).toBe(false);
    }
  });
});
