import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readGameDayLedger } from '../../../runbooks/gameday/gameday-ledger';
import type { ReportBucketsPort } from '../../../runbooks/gameday/gameday-ports';
import { runShopperInvocation } from '../../../runbooks/gameday/synthetic-shopper';
import { parseLedger } from '../../../runbooks/scoring/acknowledged-write';

// Review 16c S2: the ledger must not lose acknowledgments unnoticed. Acknowledgments are written as they arrive,
// under a key unique to the attempt (Lambda retries an asynchronous invocation with the same request id), and an
// invocation's start and end markers say what it wrote and what it could not, so the score fails closed.

const GAMEDAY = 'gd-20261207T050000Z-ab12';
const PRODUCT = '11111111-2222-4333-8444-555555555555';
const input = {
  gameDayId: GAMEDAY,
  failedRegion: 'us-east-1',
  survivingRegion: 'us-west-2',
  actor: 'octocat',
  dryRun: false,
};

/** A shop that answers every step of a checkout as `region`. */
async function fakeShop(region: string) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('x-served-by-region', region);
      res.setHeader('set-cookie', 'customer_id=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.sig; Path=/');
      const url = req.url ?? '/';
      if (req.method === 'GET' && (url === '/' || url.startsWith('/catalog'))) {
        res.writeHead(200);
        res.end(`<a href="/catalog/${PRODUCT}">x</a>`);
      } else if (req.method === 'POST' && (url === '/cart' || url === '/checkout')) {
        res.writeHead(303, { location: '/' });
        res.end();
      } else if (url === '/checkout/review') {
        res.writeHead(200);
        res.end('<input name="version" value="3">');
      } else if (url === '/checkout/submit') {
        res.writeHead(303, { location: `/orders/${randomUUID()}?placed=1` });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** One bucket per Region; PutObject with If-None-Match refuses an existing key (as S3 does). */
function buckets() {
  const objects = new Map<string, string>();
  const port: ReportBucketsPort = {
    get: async (region, key) => objects.get(`${region}|${key}`),
    list: async (region, prefix) =>
      [...objects.keys()]
        .filter((k) => k.startsWith(`${region}|${prefix}`))
        .map((k) => k.slice(region.length + 1))
        .sort(),
    put: async (region, key, body) => {
      objects.set(`${region}|${key}`, body);
      return `s3://${region}/${key}`;
    },
    consoleUrl: async (region, key) => `${region}/${key}`,
  };
  const putOnce = (region: string, key: string, body: string) => {
    if (objects.has(`${region}|${key}`)) throw new Error(`PutObject ${key}: PreconditionFailed (If-None-Match)`);
    objects.set(`${region}|${key}`, body);
    return `s3://${region}/${key}`;
  };
  return { objects, port, putOnce };
}

let west: Awaited<ReturnType<typeof fakeShop>>;
let east: Awaited<ReturnType<typeof fakeShop>>;
beforeAll(async () => {
  // During a failover: the public name is answered by us-west-2, the failed Region's load balancer by us-east-1.
  west = await fakeShop('us-west-2');
  east = await fakeShop('us-east-1');
});
afterAll(() => {
  west.server.close();
  east.server.close();
});

/** One invocation of the us-east-1 shopper: acks go to us-west-2's bucket, its markers to its own (us-east-1). */
function invoke(store: ReturnType<typeof buckets>, failFor?: string) {
  return runShopperInvocation({
    publicUrl: west.url,
    regionalUrl: east.url,
    gameDayId: GAMEDAY,
    // Lambda's awsRequestId: the same on its retries of an asynchronous invocation.
    invocationId: 'req-0001',
    token: 't',
    orders: 4,
    putLedger: async (key, body, acknowledging) => {
      if (acknowledging === failFor) throw new Error(`PutObject ${key}: connect ETIMEDOUT (cross-Region)`);
      return store.putOnce('us-west-2', key, body);
    },
    putMarker: async (key, body) => store.putOnce('us-east-1', key, body),
  });
}

describe('the synthetic shopper ledger (review 16c S2)', () => {
  test('GIVEN an attempt whose puts for one Region fail and a Lambda retry with the same request id WHEN both run THEN no acknowledgment of the first attempt is overwritten, and the failed puts are recorded', async () => {
    const store = buckets();
    const first = await invoke(store, 'us-east-1');
    expect(first.acks).toHaveLength(4);
    expect(first.failedPuts).toHaveLength(2);
    const second = await invoke(store);
    expect(second.failedPuts).toEqual([]);
    const stored = [...store.objects.entries()]
      .filter(([k]) => k.endsWith('.jsonl'))
      .flatMap(([k, text]) => parseLedger(text, k));
    const firstStored = first.acks.filter((a) => a.region === 'us-west-2');
    // The first attempt's stored acknowledgments are all still there, beside every one of the retry.
    for (const ack of [...firstStored, ...second.acks]) expect(stored.map((a) => a.order_id)).toContain(ack.order_id);
    expect(stored).toHaveLength(firstStored.length + second.acks.length);
  });

  test('GIVEN an attempt whose puts failed WHEN the ledger is read THEN it names the acknowledgments that could not be written', async () => {
    const store = buckets();
    const first = await invoke(store, 'us-east-1');
    const ledger = await readGameDayLedger(store.port, input, new Date(Date.now() + 60 * 60_000));
    expect(ledger.incomplete).toEqual([
      expect.stringMatching(
        /^invocation req-0001-[0-9a-f]{8} could not write 2 acknowledgment\(s\): .*connect ETIMEDOUT \(cross-Region\)/,
      ),
    ]);
    expect(ledger.acks).toHaveLength(first.acks.length - 2);
  });

  test('GIVEN an invocation that started and never ended (killed at its timeout) WHEN the ledger is read 15 minutes later THEN it says so; GIVEN a complete one THEN nothing is incomplete', async () => {
    const store = buckets();
    await invoke(store);
    expect((await readGameDayLedger(store.port, input, new Date(Date.now() + 60 * 60_000))).incomplete).toEqual([]);
    for (const key of [...store.objects.keys()]) if (key.endsWith('.done.json')) store.objects.delete(key);
    expect((await readGameDayLedger(store.port, input, new Date())).incomplete).toEqual([]);
    expect((await readGameDayLedger(store.port, input, new Date(Date.now() + 60 * 60_000))).incomplete).toEqual([
      expect.stringMatching(
        /^invocation req-0001-[0-9a-f]{8} started at .* and never recorded its end: what it acknowledged may be missing from the ledger$/,
      ),
    ]);
  });

  test('GIVEN a ledger object its invocation recorded that is no longer listed WHEN the ledger is read THEN it says so', async () => {
    const store = buckets();
    const result = await invoke(store);
    const gone = [...store.objects.keys()].find((k) => k.endsWith('.jsonl')) as string;
    store.objects.delete(gone);
    const ledger = await readGameDayLedger(store.port, input, new Date(Date.now() + 60 * 60_000));
    expect(result.ledgers).toHaveLength(4);
    expect(ledger.incomplete).toEqual([
      `invocation req-0001-${gone.match(/req-0001-([0-9a-f]{8})/)?.[1]} wrote ${gone.slice('us-west-2|'.length)}, which neither report bucket holds`,
    ]);
  });

  test('GIVEN a listed ledger object that cannot be read WHEN the ledger is read THEN it fails closed naming it', async () => {
    const store = buckets();
    await invoke(store);
    const hidden = ([...store.objects.keys()].find((k) => k.endsWith('.jsonl')) as string).slice('us-west-2|'.length);
    const port = {
      ...store.port,
      get: async (r: string, k: string) => (k === hidden ? undefined : store.port.get(r, k)),
    };
    await expect(readGameDayLedger(port, input, new Date())).rejects.toThrow(
      `s3 report bucket of us-west-2: ${hidden} is listed but could not be read`,
    );
  });
});
