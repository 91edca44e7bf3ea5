import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { purgeSyntheticOrders, removeSyntheticOrders } from '../../services/orders/synthetic-order-retention';
import { startPostgres, type TestPostgres } from './support/stores';

// The game day's clean-up removes the orders its shoppers placed, by id, with the statement the orders service's
// retention job uses (one definition): only synthetic orders, with their items, address and outbox events.

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

/** An order with 2 items, an address and 2 outbox events, written as the orders service writes them. */
async function order(synthetic: boolean, daysAgo = 0): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO orders (id, customer_id, status, total, idempotency_key, synthetic, created_at)
     VALUES ($1, 'gd-shopper', 'placed', 10, $4, $2, now() - $3 * interval '1 day')`,
    [id, synthetic, daysAgo, `key-${id}`],
  );
  for (const n of [1, 2]) {
    await db.query(
      `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price) VALUES ($1, $2, $3, $4, 1, 5)`,
      [randomUUID(), id, randomUUID(), `item ${n}`],
    );
    await db.query(`INSERT INTO order_events (id, order_id, type, payload) VALUES ($1, $2, 'OrderPlaced', '{}')`, [
      randomUUID(),
      id,
    ]);
  }
  await db.query(
    `INSERT INTO shipping_addresses (id, order_id, first_name, last_name, email, address1, city, state, zip_code)
     VALUES ($1, $2, 'Ada', 'Lovelace', 'ada@example.com', '1 Main St', 'Springfield', 'IL', '62701')`,
    [randomUUID(), id],
  );
  return id;
}

/** Rows of the order and of each of its child tables. */
async function rowsOf(id: string): Promise<number[]> {
  const tables = [
    ['orders', 'id'],
    ['order_items', 'order_id'],
    ['shipping_addresses', 'order_id'],
    ['order_events', 'order_id'],
  ];
  const counts: number[] = [];
  for (const [table, column] of tables) {
    counts.push((await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [id])).rows[0].n);
  }
  return counts;
}

describe('removeSyntheticOrders (the game day clean-up statement)', () => {
  test('GIVEN listed synthetic orders, a listed real order and an unlisted synthetic one WHEN removed THEN exactly the listed synthetic orders are gone with their items, address and outbox rows; the real one is kept and named', async () => {
    const [a, b] = [await order(true), await order(true)];
    const real = await order(false);
    const unlisted = await order(true);
    const absent = randomUUID();

    const removal = await removeSyntheticOrders(db, [a, b, real, absent]);

    expect(removal).toEqual({ removed: 2, notSynthetic: [real] });
    expect([await rowsOf(a), await rowsOf(b)]).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect([await rowsOf(real), await rowsOf(unlisted)]).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
  });

  test('GIVEN orders already removed WHEN removed again THEN nothing more is deleted (idempotent: clean-up may run again)', async () => {
    const a = await order(true);
    const other = await order(true);
    expect((await removeSyntheticOrders(db, [a])).removed).toBe(1);

    expect(await removeSyntheticOrders(db, [a])).toEqual({ removed: 0, notSynthetic: [] });
    expect(await rowsOf(other)).toEqual([1, 2, 1, 2]);
  });

  test('GIVEN no order id WHEN removed THEN nothing is sent and nothing deleted', async () => {
    const a = await order(true);
    expect(await removeSyntheticOrders(db, [])).toEqual({ removed: 0, notSynthetic: [] });
    expect(await rowsOf(a)).toEqual([1, 2, 1, 2]);
  });

  test('GIVEN a value that is not a uuid WHEN removed THEN the statement fails and deletes nothing', async () => {
    const a = await order(true);
    await expect(removeSyntheticOrders(db, [a, 'not-a-uuid'])).rejects.toThrow(/uuid/);
    expect(await rowsOf(a)).toEqual([1, 2, 1, 2]);
  });

  test('GIVEN the shared statement WHEN the retention job purges THEN it still deletes only old synthetic orders', async () => {
    const old = await order(true, 30);
    const oldReal = await order(false, 30);
    const recent = await order(true, 0);

    await purgeSyntheticOrders(db, { retentionDays: 20, batchSize: 1000 });

    expect([await rowsOf(old), await rowsOf(oldReal), await rowsOf(recent)]).toEqual([
      [0, 0, 0, 0],
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
  });
});
