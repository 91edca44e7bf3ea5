import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import {
  connectWriter,
  createSyntheticOrdersHandler,
  SYNTHETIC_ORDERS_REMOVAL_FORMAT,
} from '../../../runbooks/lambda/synthetic-orders-handler';
import type { GlobalClusterState } from '../../../runbooks/ports';
import { startPostgres, type TestPostgres } from '../../services/support/stores';

// The function the game day's clean-up invokes: it deletes the listed synthetic orders from the orders writer of its
// own Region, and refuses (naming the writer's Region) anywhere else.

const EAST = 'us-east-1';
const WEST = 'us-west-2';

let pg: TestPostgres;
let db: Client;

beforeAll(async () => {
  pg = await startPostgres();
  db = new Client({ connectionString: pg.urls.orders });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await pg?.stop();
});

async function order(synthetic: boolean): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO orders (id, customer_id, status, total, idempotency_key, synthetic) VALUES ($1, 'gd', 'placed', 1, $2, $3)`,
    [id, `key-${id}`, synthetic],
  );
  await db.query(`INSERT INTO order_events (id, order_id, type, payload) VALUES ($1, $2, 'OrderPlaced', '{}')`, [
    randomUUID(),
    id,
  ]);
  return id;
}

const present = async (id: string) =>
  (await db.query('SELECT count(*)::int AS n FROM orders WHERE id = $1', [id])).rows[0].n === 1;

function handlerIn(region: string, writer: string, options: { inRecovery?: boolean } = {}) {
  const urls: string[] = [];
  const state = (id: string): GlobalClusterState => ({
    identifier: id,
    status: 'available',
    members: [EAST, WEST].map((r) => ({
      clusterArn: `arn:aws:rds:${r}:111122223333:cluster:${id}`,
      clusterIdentifier: id,
      region: r,
      isWriter: r === writer,
    })),
  });
  const handler = createSyntheticOrdersHandler({
    environment: { RUNBOOK_TOPOLOGY: JSON.stringify(demoTopology()), RUNBOOK_BUCKET: 'bucket', AWS_REGION: region },
    globalDatabase: {
      describe: async (id) => state(id),
      writerEndpoint: async () => ({ host: 'orders-writer.example', port: 5432 }),
    },
    credentials: { databaseCredentials: async () => ({ username: 'shop', password: 's3cret' }) },
    connect: async (url) => {
      urls.push(url);
      const client = new Client({ connectionString: pg.urls.orders });
      await client.connect();
      if (options.inRecovery) {
        return { query: (async () => ({ rows: [{ r: true }] })) as never, end: () => client.end() };
      }
      return client;
    },
    log: () => undefined,
  });
  return { handler, urls };
}

describe('the synthetic orders removal function', () => {
  test('GIVEN the orders writer in its Region WHEN invoked with synthetic and real order ids THEN it deletes the synthetic ones from the orders database and names the real one it kept', async () => {
    const [a, real] = [await order(true), await order(false)];
    const { handler, urls } = handlerIn(WEST, WEST);

    const result = await handler({ orderIds: [a, real] });

    expect(result).toEqual({ format: SYNTHETIC_ORDERS_REMOVAL_FORMAT, region: WEST, removed: 1, notSynthetic: [real] });
    expect([await present(a), await present(real)]).toEqual([false, true]);
    // The orders database of the topology on the writer endpoint, with the secret's user, over TLS.
    expect(urls).toEqual(['postgres://shop:s3cret@orders-writer.example:5432/orders?sslmode=no-verify']);
  });

  test('GIVEN the writer in the other Region WHEN invoked THEN it connects to nothing and names the Region to invoke', async () => {
    const a = await order(true);
    const { handler, urls } = handlerIn(WEST, EAST);

    expect(await handler({ orderIds: [a] })).toEqual({
      format: SYNTHETIC_ORDERS_REMOVAL_FORMAT,
      region: WEST,
      writerRegion: EAST,
      error: `the writer of shop-dev-orders is in ${EAST}, not ${WEST}: invoke this function in ${EAST}`,
    });
    expect(urls).toEqual([]);
    expect(await present(a)).toBe(true);
  });

  test('GIVEN an endpoint that answers as a reader (in recovery) WHEN invoked THEN nothing is deleted', async () => {
    const a = await order(true);
    const { handler } = handlerIn(WEST, WEST, { inRecovery: true });

    expect(await handler({ orderIds: [a] })).toMatchObject({ error: expect.stringContaining('is in recovery') });
    expect(await present(a)).toBe(true);
  });

  test.each([
    [{}, 'invalid event: orderIds: Invalid input: expected array, received undefined'],
    [{ orderIds: [] }, 'invalid event: orderIds: Too small'],
    [{ orderIds: ["1' OR true --"] }, 'invalid event: orderIds.0: not a uuid'],
    [{ orderIds: [randomUUID()], region: 'x' }, 'invalid event: (event): Unrecognized key: "region"'],
  ])(
    'GIVEN the event %j THEN it answers an error naming the field and what is accepted, and deletes nothing',
    async (event, message) => {
      const { handler, urls } = handlerIn(WEST, WEST);
      const result = await handler(event);
      expect(result).toMatchObject({ error: expect.stringContaining(message) });
      expect(result).toMatchObject({ error: expect.stringContaining('accepted: {"orderIds": [1 to 5000 uuids]}') });
      expect(urls).toEqual([]);
    },
  );

  test('GIVEN the default session WHEN it connects THEN a row the shop holds is waited for at most 10 s and a statement runs at most 120 s', async () => {
    const session = await connectWriter(pg.urls.orders);
    try {
      const lock = await session.query<{ lock_timeout: string }>('SHOW lock_timeout');
      const statement = await session.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect([lock.rows[0]?.lock_timeout, statement.rows[0]?.statement_timeout]).toEqual(['10s', '2min']);
    } finally {
      await session.end();
    }
  });
});
