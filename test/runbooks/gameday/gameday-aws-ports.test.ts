import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { gameDayAwsPorts } from '../../../runbooks/adapters/aws/gameday-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import type { shopRequest } from '../../../runbooks/gameday/shop-request';
import { AwsModel } from '../aws-model';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

let model: AwsModel;
let cloudFormation: ReturnType<typeof mockClient>;

beforeEach(() => {
  model = new AwsModel({ clock: new ManualClock('2026-12-07T05:00:00.000Z') });
  model.s3.addBucket('shop-dev-us-west-2-reports-abc123', WEST);
  model.secrets.put(WEST, 'shop/dev/synthetic-shopper', 'token-0123456789abcdef0123456789abcdef');
  model.fis.addTemplate({
    id: 'EXTaurora0000001',
    region: EAST,
    description: 'aurora global failover',
    tags: { gameday: 'shop-dev', 'gameday-experiment': 'aurora-global-failover' },
    stopConditions: [],
    actions: ['failover'],
    durationSeconds: 60,
  });
  model.fis.addTemplate({
    id: 'EXTisolation0001',
    region: EAST,
    description: 'region isolation',
    tags: { gameday: 'shop-dev', 'gameday-experiment': 'region-isolation' },
    stopConditions: [],
    actions: ['disrupt'],
    durationSeconds: 60,
  });
  model.fis.addTemplate({
    id: 'EXTotherenv00001',
    region: EAST,
    description: 'another environment',
    tags: { gameday: 'shop-prod', 'gameday-experiment': 'region-isolation' },
    stopConditions: [],
    actions: ['disrupt'],
    durationSeconds: 60,
  });
  model.install();
  cloudFormation = mockClient(CloudFormationClient);
  cloudFormation.on(DescribeStacksCommand, { StackName: `shop-dev-${WEST}-runbooks` }).resolves({
    Stacks: [
      {
        StackName: `shop-dev-${WEST}-runbooks`,
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [{ OutputKey: 'ReportBucketName', OutputValue: 'shop-dev-us-west-2-reports-abc123' }],
      },
    ],
  });
  cloudFormation.on(DescribeStacksCommand, { StackName: `shop-dev-${WEST}-services` }).resolves({
    Stacks: [
      {
        StackName: `shop-dev-${WEST}-services`,
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [{ OutputKey: 'LoadBalancerDnsName', OutputValue: 'shop-dev-alb-1.us-west-2.elb.amazonaws.com' }],
      },
    ],
  });
});

afterEach(() => {
  cloudFormation.restore();
  model.restore();
});

const ports = (request?: typeof shopRequest, https = false) =>
  gameDayAwsPorts({
    appName: 'shop',
    envName: 'dev',
    primaryRegion: EAST,
    standbyRegion: WEST,
    evidenceRetentionDays: 400,
    targets: { rtoSeconds: 900, rpoSeconds: 60 },
    log: () => undefined,
    retry: { maxRetries: 0 },
    ...(request ? { request } : {}),
    ...(https ? { publicHostName: 'shop.example.com', httpsRegions: [WEST] } : {}),
  });

describe('gameDayAwsPorts', () => {
  test('GIVEN the deployed stacks WHEN the report bucket is used THEN it is the runbook stack output of that Region, read once', async () => {
    const p = ports();
    const url = await p.buckets.put(WEST, 'gamedays/gd-20261207T050000Z-ab12/record.json', '{}', 'application/json');
    expect(url).toBe('s3://shop-dev-us-west-2-reports-abc123/gamedays/gd-20261207T050000Z-ab12/record.json');
    expect(await p.buckets.list(WEST, 'gamedays/')).toEqual(['gamedays/gd-20261207T050000Z-ab12/record.json']);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(p.application).toBe('shop-dev');
  });

  test('GIVEN templates of two experiments and of another environment WHEN the template is looked up THEN it is the region-isolation one of this environment', async () => {
    expect(await ports().faults.findTemplate(EAST)).toEqual({
      id: 'EXTisolation0001',
      description: 'region isolation',
    });
    expect(await ports().faults.findTemplate(WEST)).toBeUndefined();
  });

  test('GIVEN an evidence object WHEN it is put with a retention THEN S3 gets COMPLIANCE mode and the retain-until date', async () => {
    const retainUntil = new Date('2028-01-11T05:00:00.000Z');
    await ports().buckets.put(WEST, 'gamedays/x/evidence/evidence.json', '{}', 'application/json', { retainUntil });
    const stored = model.s3.objects.get('shop-dev-us-west-2-reports-abc123/gamedays/x/evidence/evidence.json');
    expect(stored?.lock).toEqual({ mode: 'COMPLIANCE', retainUntil });
    const put = model.calls.all().find((c) => c.operation === 'PutObject');
    expect(put?.input).toMatchObject({ ChecksumAlgorithm: 'SHA256', ObjectLockMode: 'COMPLIANCE' });
  });

  test('GIVEN an acknowledged order WHEN the surviving Region is asked for it THEN the ui of its load balancer is read as the synthetic customer, over HTTPS under the public name', async () => {
    const seen: { url: string; headers: Record<string, string>; hostName?: string }[] = [];
    const request: typeof shopRequest = async (r) => {
      seen.push({ url: r.url, headers: { ...r.headers }, ...(r.hostName ? { hostName: r.hostName } : {}) });
      return r.url.endsWith('11111111-1111-4111-8111-111111111111')
        ? { status: 200, header: () => undefined, body: '<strong data-testid="order-status">placed</strong>' }
        : { status: 404, header: () => undefined, body: 'no such order' };
    };
    const held = await ports(request, true).orders.lookup(WEST, [
      { orderId: '11111111-1111-4111-8111-111111111111', shopper: 'a', cookie: 'a.sig' },
      { orderId: '22222222-2222-4222-8222-222222222222', shopper: 'b', cookie: 'b.sig' },
      { orderId: '33333333-3333-4333-8333-333333333333', shopper: 'c' },
    ]);
    expect(held).toEqual({
      '11111111-1111-4111-8111-111111111111': { present: true, cancelled: false, address: null },
      '22222222-2222-4222-8222-222222222222': { present: false },
    });
    expect(seen[0]).toEqual({
      url: 'https://shop-dev-alb-1.us-west-2.elb.amazonaws.com/orders/11111111-1111-4111-8111-111111111111',
      headers: { 'x-synthetic-shopper': 'token-0123456789abcdef0123456789abcdef', cookie: 'customer_id=a.sig' },
      hostName: 'shop.example.com',
    });
    expect(
      model.calls.all().filter((c) => c.operation === GetSecretValueCommand.name.replace(/Command$/, '')),
    ).toHaveLength(1);
  });

  test('GIVEN a load balancer that only redirects WHEN the Region is probed THEN its services do not count as answering; a 200 does', async () => {
    const answers =
      (status: number): typeof shopRequest =>
      async () => ({ status, header: () => undefined, body: '' });
    const redirected = await ports(answers(301), true).regions.answers(WEST);
    expect(redirected.servicesAnswer).toBe(false);
    expect(redirected.problems).toContain('https://shop-dev-alb-1.us-west-2.elb.amazonaws.com: HTTP 301');
    expect((await ports(answers(200), true).regions.answers(WEST)).servicesAnswer).toBe(true);
  });
});
