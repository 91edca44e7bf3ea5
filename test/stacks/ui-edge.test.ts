import { Match } from 'aws-cdk-lib/assertions';
import { customerCookieSecretName } from '../../stacks';
import { buildShopApp, ROLES, removeShopApp, type ShopApp, templateOf } from './shop-app';

// Issue 14: what stands in front of the ui. The customer cookie's signing key (review m4) and the load balancer's
// refusal of the internal endpoints (review m8).
const CERTIFICATE = 'arn:aws:acm:us-west-2:111111111111:certificate/12345678-1234-1234-1234-123456789012';
const REGIONS = { primary: 'us-east-1', standby: 'us-west-2' } as const;

let shop: ShopApp;
beforeAll(() => {
  // GIVEN HTTPS (a certificate) in the standby Region only: one Region with each kind of listener
  shop = buildShopApp({ certificateArns: { 'us-west-2': CERTIFICATE } });
});
afterAll(() => removeShopApp(shop));

const NAME = 'shop/dev/customer-cookie';

describe('the customer cookie secret (review m4)', () => {
  test('is named after the app and environment', () => {
    expect(customerCookieSecretName('shop', 'dev')).toBe(NAME);
  });

  test('GIVEN the primary data stack THEN it generates the key (64 letters and digits) and replicates it to the standby, so a shopper keeps their id across a failover', () => {
    templateOf(shop.stages.primary.data).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: NAME,
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false }),
      ReplicaRegions: [{ Region: 'us-west-2' }],
    });
  });

  test.each(ROLES)('GIVEN the %s services THEN only the ui gets the key, as a container secret', (role) => {
    const template = templateOf(shop.stages[role].services);
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (t) => t.Properties.ContainerDefinitions[0],
    );
    const holders = containers
      .filter((c) => (c.Secrets ?? []).some((s: { Name: string }) => s.Name === 'CUSTOMER_COOKIE_SECRET'))
      .map((c) => c.LogConfiguration.Options['awslogs-stream-prefix']);
    expect(holders).toEqual(['ui']);
    const ui = containers.find((c) => c.LogConfiguration.Options['awslogs-stream-prefix'] === 'ui');
    const secret = ui.Secrets.find((s: { Name: string }) => s.Name === 'CUSTOMER_COOKIE_SECRET');
    // The primary reads the secret it created (by reference); the standby reads the replica by its name.
    expect(JSON.stringify(secret.ValueFrom)).toMatch(role === 'primary' ? /CustomerCookieSecret/ : new RegExp(NAME));
    expect(JSON.stringify(ui.Environment)).not.toContain('CUSTOMER_COOKIE_SECRET');
  });
});

// "Each rule must include exactly one of the following actions: forward, redirect, or fixed-response" and "You can
// specify up to three comparison strings per condition and up to five per rule" (ELB User Guide, "Listener rules for
// your Application Load Balancer"); path patterns are "Case sensitive" ("Add a listener rule").
describe('internal endpoints at the load balancer (review m8)', () => {
  const INTERNAL = ['/topology*', '/health/ready*', '/chaos*'];

  test.each(ROLES)(
    'GIVEN the %s load balancer THEN its serving listener answers /topology, /health/ready and /chaos itself with a 404',
    (role) => {
      const template = templateOf(shop.stages[role].services);
      const listeners = template.findResources('AWS::ElasticLoadBalancingV2::Listener', {
        Properties: { Port: role === 'standby' ? 443 : 80 },
      });
      const [listenerId] = Object.keys(listeners);
      const rules = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'));
      expect(rules).toHaveLength(1);
      const rule = rules[0]!.Properties;
      expect(rule.ListenerArn).toEqual({ Ref: listenerId });
      expect(rule.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: INTERNAL } }]);
      expect(rule.Actions).toEqual([
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found' },
        },
      ]);
    },
  );

  // "Your Application Load Balancer periodically sends requests to its registered targets to test their status" and
  // "sends a health check request to each registered target ... using the specified port, protocol, and health check
  // path" (ELB User Guide, "Health checks for Application Load Balancer target groups"): the health check goes to the
  // targets, not through a listener; its path is also outside the patterns above.
  test.each(ROLES)(
    'GIVEN the %s ui target group THEN its health check path is outside the refused patterns',
    (role) => {
      const template = templateOf(shop.stages[role].services);
      const [group] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
      const path = group!.Properties.HealthCheckPath as string;
      expect(path).toBe('/health');
      for (const pattern of INTERNAL) expect(path.startsWith(pattern.replace('*', ''))).toBe(false);
    },
  );

  test.each(ROLES)(
    "GIVEN the %s runbooks THEN they probe the ui's public readiness (/ready) through the load balancer, not /health/ready",
    (role) => {
      const urls = shop.stages[role].runbooks.topology.regions[REGIONS[role]]!.healthUrls;
      expect(urls).toHaveLength(1);
      expect(urls[0]).toMatch(/\/ready$/);
      expect(urls[0]).not.toContain('/health/ready');
    },
  );
});
