import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { PostgresServer } from '../../../drill/stand-ins/postgres-server';
import { type ReconcileOptions, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { migrate } from '../../../services/db/migrate';
import { withClient } from '../../../services/db/with-client';

/** The failover timeline every scenario uses (margin 300 s → window start 11:55:00). */
export const TIMELINE = {
  base: '2026-01-01T00:00:00.000Z',
  cut: '2026-01-10T12:00:00.000Z',
  windowStart: '2026-01-10T11:55:00.000Z',
  failoverAt: '2026-01-10T12:01:00.000Z',
} as const;

/** `iso` shifted by `seconds`. */
export function plus(iso: string, seconds: number): string {
  return new Date(new Date(iso).getTime() + seconds * 1000).toISOString();
}

/**
 * A readable, valid uuid (RFC 9562 version 4 bits): `0190a000-0000-4000-8000-<n in hex>`. Not a v7: a v7 id carries
 * the time it was generated, which reconcile takes as evidence that a row may have existed before the cut (see
 * classify.ts `uuidV7Micros`); the scenario's rows are timed by their columns only.
 */
export function uid(n: number): string {
  return `0190a000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** One real Postgres server holding the test databases. */
export class ShopServer {
  private constructor(
    readonly server: PostgresServer,
    private readonly dir: string,
  ) {}

  /** @param settings extra `postgresql.conf` settings, e.g. `{ track_commit_timestamp: 'on' }` */
  static async start(settings?: Record<string, string>): Promise<ShopServer> {
    const dir = await mkdtemp(path.join(tmpdir(), 'reconcile-test-'));
    const server = await PostgresServer.create({ dataDir: path.join(dir, 'data'), ...(settings ? { settings } : {}) });
    return new ShopServer(server, dir);
  }

  url(database: string): string {
    return this.server.url(database);
  }

  /** A new database with the orders schema. */
  async createOrdersDatabase(name: string): Promise<string> {
    await this.server.createDatabase(name);
    await migrate(this.url(name), 'orders');
    return this.url(name);
  }

  /** `CREATE DATABASE target TEMPLATE source`: the "replicated" copy, identical to the byte. */
  async clone(source: string, target: string): Promise<string> {
    await this.admin(`CREATE DATABASE ${target} TEMPLATE ${source}`);
    return this.url(target);
  }

  async admin(sql: string): Promise<void> {
    await withClient(this.url('postgres'), (client) => client.query(sql));
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Runs `work` in one transaction under `shop.replay = on`, so every row keeps the times the test gives it. */
export async function atTimes(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('BEGIN');
    await client.query(`SET LOCAL shop.replay = 'on'`);
    await work(client);
    await client.query('COMMIT');
  });
}

/** Runs one query against a database and returns its rows. */
export async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql, params)).rows);
}

/** An order with its lines, address and `order.placed` event, all written at `at`. */
export interface OrderSpec {
  readonly id: string;
  readonly customer: string;
  readonly at: string;
  readonly items: readonly { readonly id: string; readonly product: string; readonly quantity: number }[];
  readonly addressId: string;
  readonly eventId: string;
}

export async function placeOrder(client: Client, order: OrderSpec): Promise<void> {
  const total = order.items.reduce((sum, i) => sum + i.quantity * 10, 0);
  await client.query(
    `INSERT INTO orders (id, customer_id, status, total, idempotency_key, created_at, updated_at, version)
     VALUES ($1, $2, 'placed', $3, $4, $5, $5, 1)`,
    [order.id, order.customer, total, `idem-${order.id}`, order.at],
  );
  for (const item of order.items) {
    await client.query(
      `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, 10, $6, $6, 1)`,
      [item.id, order.id, item.product, `product ${item.product.slice(-4)}`, item.quantity, order.at],
    );
  }
  await client.query(
    `INSERT INTO shipping_addresses (id, order_id, first_name, last_name, email, address1, city, state, zip_code, created_at, updated_at, version)
     VALUES ($1, $2, 'Ada', 'Lovelace', 'ada@example.com', '1 Main St', 'Springfield', 'OR', '97477', $3, $3, 1)`,
    [order.addressId, order.id, order.at],
  );
  await client.query(
    `INSERT INTO order_events (id, order_id, type, payload, created_at, updated_at, version)
     VALUES ($1, $2, 'order.placed', $3, $4, $4, 1)`,
    [order.eventId, order.id, JSON.stringify({ orderId: order.id, total }), order.at],
  );
}

/** Changes an order as the service would, with the time given: version + 1, updated_at = at. */
export async function updateOrder(
  client: Client,
  id: string,
  at: string,
  set: { status?: string; deletedAt?: string },
): Promise<void> {
  await client.query(
    `UPDATE orders SET status = coalesce($3, status), deleted_at = coalesce($4::timestamptz, deleted_at),
            updated_at = $2, version = version + 1 WHERE id = $1`,
    [id, at, set.status ?? null, set.deletedAt ?? null],
  );
}

export async function setHeartbeat(client: Client, ts: string, region: string): Promise<void> {
  await client.query(
    `INSERT INTO replication_heartbeat (id, ts, region) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, region = excluded.region`,
    [ts, region],
  );
}

/**
 * Old's heartbeat writer going on after replication stopped: one beat a second from `cut + 1 s` to `cut + seconds`,
 * each logged by the heartbeat-log trigger. The first (cut + 1 s) never reached new and the second began after it
 * committed, so reconcile knows nothing committed after cut + 2 s replicated.
 */
export async function beatAfterCut(client: Client, seconds: number, region = 'eu-west-1'): Promise<void> {
  for (let second = 1; second <= seconds; second++) await setHeartbeat(client, plus(TIMELINE.cut, second), region);
}

/**
 * A table of notes on order lines, on both sides (it replicated): rows without `order_id` that belong to an order
 * through the line they reference, the way apply's units and holds must follow.
 */
export async function createItemNotes(urls: { oldUrl: string; newUrl: string }): Promise<void> {
  for (const url of [urls.oldUrl, urls.newUrl]) {
    await atTimes(url, (c) =>
      c.query(`CREATE TABLE item_notes (id uuid PRIMARY KEY, item_id uuid NOT NULL REFERENCES order_items (id),
         note text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`),
    );
  }
}

/** Ids of the orders scenario: see {@link buildOrdersScenario}. */
export const IDS = {
  orders: Object.fromEntries(
    ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'R1', 'L1', 'P1', 'P2', 'N1', 'P1b'].map((k, i) => [
      k,
      uid(0x100 + i),
    ]),
  ) as Record<
    'A1' | 'A2' | 'A3' | 'A4' | 'A5' | 'A6' | 'A7' | 'A8' | 'A9' | 'R1' | 'L1' | 'P1' | 'P2' | 'N1' | 'P1b',
    string
  >,
  products: { X: uid(0x900), Y: uid(0x901), Z: uid(0x902), W: uid(0x903) },
  /** The extra line the old primary added to A5 after the cut. */
  lateItemA5: uid(0x500),
};

/** Child ids of an order: items `…2xx`, address `…3xx`, event `…4xx` (offset by the order's index). */
export function childIds(orderId: string): { item: (n: number) => string; address: string; event: string } {
  const n = Number.parseInt(orderId.slice(-4), 16) - 0x100;
  return {
    item: (k: number) => uid(0x1000 + n * 16 + k),
    address: uid(0x2000 + n),
    event: uid(0x3000 + n),
  };
}

function order(key: keyof typeof IDS.orders, customer: string, at: string, lines: [string, number][]): OrderSpec {
  const id = IDS.orders[key];
  const c = childIds(id);
  return {
    id,
    customer,
    at,
    items: lines.map(([product, quantity], k) => ({ id: c.item(k), product, quantity })),
    addressId: c.address,
    eventId: c.event,
  };
}

/**
 * The scenario the reconcile, apply and CLI tests share. Before the "replication stops" (both sides, by
 * TEMPLATE copy): orders A1–A9 placed on day one; R1 placed and A7 paid inside the window before the cut;
 * A8 paid 20 s before the cut; heartbeat at the cut. Then on old only (lost; old beats every second and replication had stopped by cut + 2 s): L1 and P2 placed, P1 placed
 * (customer c-dup: X×1, Y×2), A1 paid, A2 soft-deleted, A3 paid, a line added to A5, A9 paid 2 s before the cut
 * by a transaction that committed too late, A4's event hard-deleted, heartbeat to cut + 20 s. On new only,
 * after the failover: N1 placed, A3 cancelled, A8 shipped, c-dup re-places P1 as P1b (Y×2, X×1), and A6's
 * address changed without touching updated_at (split brain).
 */
export async function buildOrdersScenario(
  shop: ShopServer,
  prefix: string,
): Promise<{ oldUrl: string; newUrl: string }> {
  const { cut, failoverAt, base } = TIMELINE;
  const { X, Y, Z, W } = IDS.products;
  const oldUrl = await shop.createOrdersDatabase(`${prefix}_old`);
  await atTimes(oldUrl, async (c) => {
    const keys = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9'] as const;
    for (const [i, key] of keys.entries()) await placeOrder(c, order(key, `c${i + 1}`, plus(base, i), [[W, 1]]));
    await placeOrder(c, order('R1', 'c-r', plus(cut, -60), [[X, 3]]));
    await updateOrder(c, IDS.orders.A7, plus(cut, -30), { status: 'paid' });
    await updateOrder(c, IDS.orders.A8, plus(cut, -20), { status: 'paid' });
    await setHeartbeat(c, cut, 'eu-west-1');
  });
  const newUrl = await shop.clone(`${prefix}_old`, `${prefix}_new`);
  await atTimes(oldUrl, async (c) => {
    await placeOrder(
      c,
      order('L1', 'c-lost', plus(cut, 10), [
        [X, 1],
        [Z, 4],
      ]),
    );
    await placeOrder(
      c,
      order('P1', 'c-dup', plus(cut, 12), [
        [X, 1],
        [Y, 2],
      ]),
    );
    await placeOrder(c, order('P2', 'c-dup', plus(cut, 14), [[Z, 1]]));
    await updateOrder(c, IDS.orders.A1, plus(cut, 5), { status: 'paid' });
    await updateOrder(c, IDS.orders.A2, plus(cut, 6), { status: 'cancelled', deletedAt: plus(cut, 6) });
    await updateOrder(c, IDS.orders.A3, plus(cut, 7), { status: 'paid' });
    await updateOrder(c, IDS.orders.A9, plus(cut, -2), { status: 'paid' });
    await c.query(
      `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price, created_at, updated_at, version)
       VALUES ($1, $2, $3, 'late line', 2, 10, $4, $4, 1)`,
      [IDS.lateItemA5, IDS.orders.A5, Y, plus(cut, 9)],
    );
    await c.query('DELETE FROM order_events WHERE id = $1', [childIds(IDS.orders.A4).event]);
    // Old's writer goes on beating every second; none of these reached new (replication had stopped by cut + 1 s).
    await beatAfterCut(c, 20);
  });
  await atTimes(newUrl, async (c) => {
    await placeOrder(c, order('N1', 'c-new', plus(failoverAt, 10), [[Z, 1]]));
    await updateOrder(c, IDS.orders.A3, plus(failoverAt, 30), { status: 'cancelled' });
    await updateOrder(c, IDS.orders.A8, plus(failoverAt, 40), { status: 'shipped' });
    await placeOrder(
      c,
      order('P1b', 'c-dup', plus(failoverAt, 50), [
        [Y, 2],
        [X, 1],
      ]),
    );
    await c.query(`UPDATE shipping_addresses SET city = 'Shelbyville' WHERE order_id = $1`, [IDS.orders.A6]);
  });
  return { oldUrl, newUrl };
}

/** Two databases standing for the old and the new primary. */
export interface SidePair {
  readonly oldUrl: string;
  readonly newUrl: string;
}

/** What {@link useScenarioCopies} gives a test file. */
export interface ScenarioCopies {
  /** A fresh copy of the scenario's two databases (old, new), to change one way or another. */
  copy(): Promise<SidePair>;
  /** Reconciles `urls` at the scenario's failover time into a new temporary folder. */
  run(urls: SidePair, options?: Partial<ReconcileOptions>): Promise<{ report: ReconcileReport; dir: string }>;
  /** Runs `sql` on both databases: a change that replicated before the cut. */
  onBoth(urls: SidePair, sql: string, params?: unknown[]): Promise<void>;
}

/**
 * Starts a server with the orders scenario for the `describe` it is called in (`beforeAll`/`afterAll`), and gives
 * copies of it: each test changes its own copy, so tests do not see each other's changes.
 */
export function useScenarioCopies(prefix: string): ScenarioCopies {
  let shop: ShopServer | undefined;
  let copies = 0;
  beforeAll(async () => {
    shop = await ShopServer.start();
    await buildOrdersScenario(shop, prefix);
  });
  afterAll(async () => {
    await shop?.stop();
  });
  return {
    async copy() {
      copies++;
      return {
        oldUrl: await shop!.clone(`${prefix}_old`, `${prefix}${copies}_old`),
        newUrl: await shop!.clone(`${prefix}_new`, `${prefix}${copies}_new`),
      };
    },
    async run(urls, options = {}) {
      const dir = await mkdtemp(path.join(tmpdir(), `reconcile-${prefix}-`));
      const report = await reconcile({ ...urls, failoverAt: new Date(TIMELINE.failoverAt), outDir: dir, ...options });
      return { report, dir };
    },
    async onBoth(urls, sql, params = []) {
      for (const url of [urls.oldUrl, urls.newUrl])
        await atTimes(url, (c) => c.query(sql, params).then(() => undefined));
    },
  };
}
