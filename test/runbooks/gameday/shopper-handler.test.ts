import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { type DevStack, startDevStack } from '../../../drill/dev';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { shopRequest } from '../../../runbooks/gameday/shop-request';
import { shop } from '../../../runbooks/gameday/shopper-handler';
import { CUSTOMER_COOKIE_DETAIL, runShopperInvocation } from '../../../runbooks/gameday/synthetic-shopper';
import { parseLedger } from '../../../runbooks/scoring/acknowledged-write';
import { AwsModel } from '../aws-model';

jest.setTimeout(120_000);

const TOKEN = 'game-day-synthetic-shopper-token-0123456789abcdef';
/** A game day started now (the shopper refuses one older than GAMEDAY_MAX_HOURS). */
const GAMEDAY = `gd-${new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z')}-ab12`;
const BUCKET = 'shop-dev-us-west-2-reports';

let stack: DevStack;
let model: AwsModel;
/** A fresh folder for the shopper's memory in each test (as a new Lambda environment's /tmp). */
let memoryDir: string;

beforeAll(async () => {
  stack = await startDevStack({
    ports: { ui: 0, catalog: 0, carts: 0, orders: 0, checkout: 0 },
    region: 'us-east-1',
    logLevel: 'silent',
    env: { HEARTBEAT_ENABLED: 'false', SYNTHETIC_SHOPPER_TOKEN: TOKEN },
  });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  memoryDir = mkdtempSync(path.join(tmpdir(), 'shopper-memory-'));
  model = new AwsModel({ clock: new ManualClock('2026-12-07T05:00:00.000Z') });
  model.s3.addBucket(BUCKET, 'us-west-2');
  model.secrets.put('us-east-1', 'shop/dev/synthetic-shopper', TOKEN);
  model.install();
});

afterEach(() => {
  model.restore();
  rmSync(memoryDir, { recursive: true, force: true });
});

const env = () => ({
  SHOP_PUBLIC_URL: stack.urls.ui,
  SHOP_REGIONAL_URL: stack.urls.ui,
  ACK_BUCKET: BUCKET,
  ACK_BUCKET_REGION: 'us-west-2',
  SYNTHETIC_SHOPPER_SECRET_ID: 'shop/dev/synthetic-shopper',
  SHOPPER_RATE_PER_MINUTE: '3',
});
/** The acknowledgments of one invocation: every ledger object under its request id, in key order (review 16c S2). */
function ledgerOf(invocation: string, bucket = BUCKET) {
  return model.s3
    .keys(bucket, `gamedays/${GAMEDAY}/acks/`)
    .filter((k) => k.endsWith('.jsonl') && k.includes(`/${invocation}-`))
    .flatMap((k) => parseLedger(model.s3.text(bucket, k) as string, k));
}

const clients = () => ({
  s3: new S3Client({ region: 'us-west-2' }),
  secrets: new SecretsManagerClient({ region: 'us-east-1' }),
});

describe('the synthetic shopper handler', () => {
  test('GIVEN the local shop WHEN one invocation runs THEN it places 3 synthetic orders and writes each acknowledgment as it arrives in the other Region, under a key unique to the attempt, between a start and an end marker', async () => {
    const result = await shop({ gameDayId: GAMEDAY }, { awsRequestId: 'inv-0001' }, env(), clients(), memoryDir);
    expect(result).toEqual({
      gameDayId: GAMEDAY,
      acknowledged: 3,
      replaced: 0,
      failed: 0,
      ledgers: [1, 2, 3].map((n) =>
        expect.stringMatching(
          new RegExp(`^s3://${BUCKET}/gamedays/${GAMEDAY}/acks/us-east-1/inv-0001-[0-9a-f]{8}-00${n}\\.jsonl$`),
        ),
      ),
    });
    const markers = model.s3.keys(BUCKET, `gamedays/${GAMEDAY}/acks/invocations/`);
    expect(markers).toEqual([
      expect.stringMatching(/\/inv-0001-[0-9a-f]{8}\.done\.json$/),
      expect.stringMatching(/\/inv-0001-[0-9a-f]{8}\.started\.json$/),
    ]);
    expect(JSON.parse(model.s3.text(BUCKET, markers[0] as string) as string)).toMatchObject({
      acknowledged: 3,
      failedPuts: [],
      ledgerKeys: result.ledgers.map((l) => l.slice(`s3://${BUCKET}/`.length)),
    });
    const acks = ledgerOf('inv-0001');
    expect(acks.map((a) => [a.kind, a.region, a.via])).toEqual([
      ['order_placed', 'us-east-1', 'global'],
      ['order_placed', 'us-east-1', 'regional'],
      ['order_placed', 'us-east-1', 'global'],
    ]);
    expect(new Set(acks.map((a) => a.shopper)).size).toBe(3);
    for (const ack of acks)
      expect(String(ack.detail?.[CUSTOMER_COOKIE_DETAIL])).toMatch(new RegExp(`^${ack.shopper}\\.`));
    // The orders exist, are the shoppers' and are marked synthetic.
    const db = new Client({ connectionString: stack.postgres.url('orders') });
    await db.connect();
    try {
      const rows = await db.query<{ id: string; customer_id: string; synthetic: boolean }>(
        'SELECT id, customer_id, synthetic FROM orders WHERE id = ANY($1::uuid[]) ORDER BY created_at',
        [acks.map((a) => a.order_id)],
      );
      expect(rows.rows.map((r) => [r.id, r.customer_id, r.synthetic])).toEqual(
        acks.map((a) => [a.order_id, a.shopper, true]),
      );
    } finally {
      await db.end();
    }
  });

  test('GIVEN a wrong token WHEN an invocation runs THEN nothing is acknowledged and no ledger object is written', async () => {
    model.secrets.put('us-east-1', 'shop/dev/synthetic-shopper', 'a-stale-token-that-the-ui-does-not-hold-0000');
    const result = await shop({ gameDayId: GAMEDAY }, { awsRequestId: 'inv-0002' }, env(), clients(), memoryDir);
    expect(result).toEqual({ gameDayId: GAMEDAY, acknowledged: 0, replaced: 0, failed: 3, ledgers: [] });
    expect(model.s3.keys(BUCKET).filter((k) => k.endsWith('.jsonl'))).toEqual([]);
  });

  test.each([
    [{}, 'event.gameDayId: ""; accepted: the id of a running game day such as "gd-20261207T043000Z-a1b2"'],
    [{ gameDayId: 'gd-x' }, 'event.gameDayId: "gd-x"; accepted'],
  ])('GIVEN the event %j WHEN the handler runs THEN it refuses and places nothing', async (event, message) => {
    await expect(shop(event, { awsRequestId: 'inv-0003' }, env(), clients(), memoryDir)).rejects.toThrow(message);
    expect(model.s3.keys(BUCKET)).toEqual([]);
  });

  test('GIVEN a misconfigured function WHEN the handler runs THEN the error names each variable, its value and what is accepted', async () => {
    await expect(
      shop(
        { gameDayId: GAMEDAY },
        { awsRequestId: 'inv-0004' },
        { ...env(), SHOP_REGIONAL_URL: 'alb', SHOPPER_RATE_PER_MINUTE: '0' },
        clients(),
      ),
    ).rejects.toThrow(
      'the synthetic shopper is misconfigured: environment variable SHOP_REGIONAL_URL: "alb"; accepted: an http(s) URL without a path; environment variable SHOPPER_RATE_PER_MINUTE: "0"; accepted: a whole number from 1 to 60',
    );
  });

  test("GIVEN the shop answering as the other Region (through the public name) and OWN_REPORT_BUCKET set WHEN an invocation runs THEN its acknowledgments go to this Region's bucket, not to the Region that gave them", async () => {
    // The local shop says it is us-east-1: a shopper of us-west-2 whose ACK_BUCKET is us-east-1's.
    model.s3.addBucket('shop-dev-us-east-1-reports', 'us-east-1');
    const result = await shop(
      { gameDayId: GAMEDAY },
      { awsRequestId: 'inv-0005' },
      {
        ...env(),
        ACK_BUCKET: 'shop-dev-us-east-1-reports',
        ACK_BUCKET_REGION: 'us-east-1',
        OWN_REPORT_BUCKET: BUCKET,
        SHOPPER_RATE_PER_MINUTE: '1',
      },
      {
        s3: new S3Client({ region: 'us-east-1' }),
        ownS3: new S3Client({ region: 'us-west-2' }),
        secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      },
    );
    expect(result.ledgers).toEqual([
      expect.stringMatching(
        new RegExp(`^s3://${BUCKET}/gamedays/${GAMEDAY}/acks/us-east-1/inv-0005-[0-9a-f]{8}-001\\.jsonl$`),
      ),
    ]);
    expect(model.s3.keys('shop-dev-us-east-1-reports')).toEqual([]);
  });

  test("GIVEN a load balancer that presents the shop's certificate (not its own name) WHEN the shopper goes through it THEN it sends the public name as TLS server name and Host, and the order is acknowledged", async () => {
    // A certificate for "localhost" only; the "load balancer" is reached at 127.0.0.1, which is not on it.
    const dir = mkdtempSync(path.join(tmpdir(), 'shopper-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const hosts: (string | undefined)[] = [];
    const ui = new URL(stack.urls.ui);
    const balancer = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      hosts.push(req.headers.host);
      const forward = http.request(
        { host: ui.hostname, port: ui.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (balancer.address() as AddressInfo).port;
      const result = await runShopperInvocation({
        publicUrl: `http://localhost:${ui.port}`,
        regionalUrl: `https://127.0.0.1:${port}`,
        gameDayId: GAMEDAY,
        invocationId: 'inv-0006',
        token: TOKEN,
        orders: 2,
        ca: cert,
        putLedger: async (key) => key,
      });
      expect(result.failures).toEqual([]);
      expect(result.acks.map((a) => a.via)).toEqual(['global', 'regional']);
      expect(hosts.length).toBeGreaterThan(5);
      expect(new Set(hosts)).toEqual(new Set(['localhost']));
      // Without the public name the certificate does not match 127.0.0.1: the TLS check is what let it through.
      await expect(
        shopRequest({ method: 'GET', url: `https://127.0.0.1:${port}/`, headers: {}, timeoutMs: 5000, ca: cert }),
      ).rejects.toThrow("Hostname/IP does not match certificate's altnames");
    } finally {
      balancer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GIVEN a load balancer that never answers WHEN the invocation's time runs out THEN the requests stop at its deadline and what was acknowledged is still written", async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    try {
      const port = (silent.address() as AddressInfo).port;
      const written: string[] = [];
      const result = await runShopperInvocation({
        publicUrl: stack.urls.ui,
        regionalUrl: `http://127.0.0.1:${port}`,
        gameDayId: GAMEDAY,
        invocationId: 'inv-0007',
        token: TOKEN,
        orders: 4,
        requestTimeoutMs: 60_000,
        stopAt: started + 3_000,
        putLedger: async (key) => {
          written.push(key);
          return key;
        },
      });
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(result.acks.length).toBeGreaterThanOrEqual(1);
      expect(result.failures[0]).toMatchObject({ via: 'regional', step: 'home' });
      expect(written).toEqual(
        result.acks.map((_, i) =>
          expect.stringMatching(
            new RegExp(`^gamedays/${GAMEDAY}/acks/us-east-1/inv-0007-[0-9a-f]{8}-00${i + 1}\\.jsonl$`),
          ),
        ),
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('GIVEN an order of an earlier invocation that the shop lost WHEN the next invocation runs THEN the same customer places the same items again and the acknowledgment names the lost order', async () => {
    const first = await shop(
      { gameDayId: GAMEDAY },
      { awsRequestId: 'inv-0008' },
      { ...env(), SHOPPER_RATE_PER_MINUTE: '2' },
      clients(),
      memoryDir,
    );
    expect(first.acknowledged).toBe(2);
    const placed = ledgerOf('inv-0008');
    const lost = placed[0]!;
    // The failover lost it: its rows are gone from the database now serving.
    const db = new Client({ connectionString: stack.postgres.url('orders') });
    await db.connect();
    try {
      await db.query(
        `WITH events AS (DELETE FROM order_events WHERE order_id = $1), addresses AS (DELETE FROM shipping_addresses WHERE order_id = $1),
              items AS (DELETE FROM order_items WHERE order_id = $1) DELETE FROM orders WHERE id = $1`,
        [lost.order_id],
      );
      const second = await shop(
        { gameDayId: GAMEDAY },
        { awsRequestId: 'inv-0009' },
        { ...env(), SHOPPER_RATE_PER_MINUTE: '2' },
        clients(),
        memoryDir,
      );
      expect(second).toMatchObject({ acknowledged: 2, replaced: 1, failed: 0 });
      const acks = ledgerOf('inv-0009');
      const replaced = acks.find((a) => a.kind === 'order_replaced')!;
      expect(replaced).toMatchObject({ replaces: lost.order_id, shopper: lost.shopper, via: 'global' });
      expect(replaced.detail).toMatchObject({
        product_id: lost.detail?.['product_id'],
        quantity: lost.detail?.['quantity'],
      });
      const items = await db.query<{ customer_id: string; product_id: string; quantity: number }>(
        'SELECT o.customer_id, i.product_id, i.quantity FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1',
        [replaced.order_id],
      );
      expect(items.rows).toEqual([
        { customer_id: lost.shopper, product_id: lost.detail?.['product_id'], quantity: lost.detail?.['quantity'] },
      ]);
      // The order still there is not placed again.
      const third = await shop(
        { gameDayId: GAMEDAY },
        { awsRequestId: 'inv-0010' },
        { ...env(), SHOPPER_RATE_PER_MINUTE: '1' },
        clients(),
        memoryDir,
      );
      expect(third.replaced).toBe(0);
    } finally {
      await db.end();
    }
  });

  test('GIVEN a game day started more than 12 hours ago WHEN a schedule left enabled invokes the shopper THEN it places nothing', async () => {
    const old = `gd-${new Date(Date.now() - 13 * 3_600_000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-ab12`;
    await expect(shop({ gameDayId: old }, { awsRequestId: 'inv-0011' }, env(), clients(), memoryDir)).rejects.toThrow(
      /^event\.gameDayId: "gd-\d{8}T\d{6}Z-ab12" started 13\.0 hours ago; accepted: a game day started less than 12 hours ago/,
    );
    expect(model.s3.keys(BUCKET)).toEqual([]);
  });
});
