import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyReport, type ReconcileOptions, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import {
  atTimes,
  buildOrdersScenario,
  childIds,
  IDS,
  plus,
  query,
  ShopServer,
  setHeartbeat,
  TIMELINE,
  uid,
} from './shop-fixture';

const { orders: O } = IDS;
const failoverAt = new Date(TIMELINE.failoverAt);
const MIN_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
/** In the last id range with MAX_UUID: another difference there must not hide MAX_UUID's. */
const NEAR_MAX = 'fffffff0-0000-0000-0000-000000000000';

function classOf(report: ReconcileReport, table: string, id: string): string | undefined {
  return report.tables[table]?.rows.find((r) => r.id === id)?.class;
}

/** Issue 13, "Nothing escapes the comparison": every table, every row, every change on old is compared. */
describe('reconcile leaves nothing out of the comparison', () => {
  let shop: ShopServer;
  let copies = 0;

  /** A fresh copy of the scenario's two databases (old, new) to change one way or another. */
  async function copy(): Promise<{ oldUrl: string; newUrl: string }> {
    copies++;
    return {
      oldUrl: await shop.clone('cov_old', `v${copies}_old`),
      newUrl: await shop.clone('cov_new', `v${copies}_new`),
    };
  }

  async function run(urls: { oldUrl: string; newUrl: string }, options: Partial<ReconcileOptions> = {}) {
    const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-cov-'));
    return reconcile({ ...urls, failoverAt, outDir, ...options });
  }

  /** Runs `sql` on both databases: a change that replicated before the cut. */
  async function onBoth(urls: { oldUrl: string; newUrl: string }, sql: string, params: unknown[] = []) {
    for (const url of [urls.oldUrl, urls.newUrl]) await atTimes(url, (c) => c.query(sql, params).then(() => undefined));
  }

  beforeAll(async () => {
    shop = await ShopServer.start();
    await buildOrdersScenario(shop, 'cov');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  describe('every table is compared or named', () => {
    test('GIVEN a table without a version column that lost a row WHEN reconciling THEN it is named as differing and the report is incomplete', async () => {
      const urls = await copy();
      await onBoth(urls, 'CREATE TABLE gift_notes (id uuid PRIMARY KEY, note text, updated_at timestamptz)');
      await query(urls.oldUrl, `INSERT INTO gift_notes VALUES ($1, 'lost note', $2)`, [
        uid(0x7001),
        plus(TIMELINE.cut, 5),
      ]);
      const report = await run(urls);
      expect(report.error).toBeNull();
      expect(report.status).toBe('incomplete');
      expect(report.otherTables.gift_notes).toEqual({
        why: 'no integer column "version"',
        result: 'differs',
        oldRows: 1,
        newRows: 0,
      });
      expect(report.gaps).toEqual([
        {
          table: 'gift_notes',
          reason:
            'table "gift_notes" cannot be reconciled row by row (no integer column "version") and its contents differ between old (1 rows) and new (0 rows): compare it by hand',
        },
      ]);
      expect(Object.keys(report.tables)).not.toContain('gift_notes');
    });

    test('GIVEN a composite-key table and a text-keyed table with identical rows on both sides THEN both are compared whole and the report stays complete', async () => {
      const urls = await copy();
      await onBoth(urls, 'CREATE TABLE tag_links (a uuid, b uuid, PRIMARY KEY (a, b))');
      await onBoth(urls, `INSERT INTO tag_links VALUES ($1, $2)`, [uid(1), uid(2)]);
      await onBoth(urls, 'CREATE TABLE settings (key text PRIMARY KEY, value text)');
      await onBoth(urls, `INSERT INTO settings VALUES ('currency', 'USD')`);
      const report = await run(urls);
      expect(report.status).toBe('complete');
      expect(report.gaps).toEqual([]);
      const NO_RULES = 'no uuid column "id", no timestamptz column "updated_at", no integer column "version"';
      expect(report.otherTables).toEqual({
        settings: { why: NO_RULES, result: 'identical', oldRows: 1, newRows: 1 },
        tag_links: { why: NO_RULES, result: 'identical', oldRows: 1, newRows: 1 },
      });
    });

    test('GIVEN a table a later migration added on new only, and a differing table in another schema THEN both are named and the report is incomplete', async () => {
      const urls = await copy();
      await query(urls.newUrl, 'CREATE TABLE coupons (code text PRIMARY KEY)');
      await query(urls.newUrl, `INSERT INTO coupons VALUES ('WELCOME')`);
      await onBoth(urls, 'CREATE SCHEMA audit; CREATE TABLE audit.log (id bigint PRIMARY KEY, line text)');
      await query(urls.oldUrl, `INSERT INTO audit.log VALUES (1, 'lost line')`);
      const report = await run(urls);
      expect(report.status).toBe('incomplete');
      expect(report.gaps.map((g) => g.table)).toEqual(['audit.log', 'coupons']);
      expect(report.otherTables['audit.log']).toMatchObject({ result: 'differs', oldRows: 1, newRows: 0 });
      expect(report.otherTables.coupons).toMatchObject({ result: 'new only', oldRows: null, newRows: 1 });
    });

    test('GIVEN --tables or --no-verify THEN the report says what it did not compare and is incomplete', async () => {
      const urls = await copy();
      const restricted = await run(urls, { tables: ['orders'] });
      expect(restricted.status).toBe('incomplete');
      expect(restricted.gaps.map((g) => g.table)).toEqual(['order_events', 'order_items', 'shipping_addresses']);
      const unverified = await run(urls, { verify: false });
      expect(unverified.status).toBe('incomplete');
      expect(unverified.gaps).toEqual([
        {
          table: null,
          reason:
            'verify was skipped (--no-verify): rows outside the window were not compared, so hard deletes and writes that bypassed updated_at are not looked for',
        },
      ]);
    });
  });

  describe('every row of a compared table is covered', () => {
    test('GIVEN rows with a NULL updated_at that differ THEN they are unexplained', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        'CREATE TABLE notes (id uuid PRIMARY KEY, body text, updated_at timestamptz, version integer NOT NULL DEFAULT 1)',
      );
      await onBoth(urls, `INSERT INTO notes (id, body) VALUES ($1, 'same'), ($2, 'before')`, [
        uid(0x8001),
        uid(0x8002),
      ]);
      await query(urls.oldUrl, `UPDATE notes SET body = 'changed on old' WHERE id = $1`, [uid(0x8002)]);
      await query(urls.oldUrl, `INSERT INTO notes (id, body) VALUES ($1, 'only on old')`, [uid(0x8003)]);
      const report = await run(urls);
      expect(report.error).toBeNull();
      expect(report.tables.notes!.rows.map((r) => [r.class, r.id])).toEqual([
        ['unexplained', uid(0x8002)],
        ['unexplained', uid(0x8003)],
      ]);
      expect(report.tables.notes!.verify).toMatchObject({ oldRows: 3, newRows: 2 });
    });

    test('GIVEN tables with a column named like the query alias (t, x, r) THEN whole rows are still compared, not that column', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        'CREATE TABLE shadows (id uuid PRIMARY KEY, t text, x text, r text, s text, body text, updated_at timestamptz, version integer NOT NULL DEFAULT 1, created_at timestamptz)',
      );
      await onBoth(urls, 'CREATE TABLE shadow_pairs (a uuid, t text, body text, PRIMARY KEY (a, t))');
      await onBoth(urls, `INSERT INTO shadows (id, t, x, r, body) VALUES ($1, 'same', 'same', 'same', 'before')`, [
        uid(0x8101),
      ]);
      await onBoth(urls, `INSERT INTO shadow_pairs VALUES ($1, 'same', 'before')`, [uid(0x8102)]);
      // Only a column other than t, x and r changes: a hash of the shadowing column alone would not see it.
      await query(urls.oldUrl, `UPDATE shadows SET body = 'changed on old' WHERE id = $1`, [uid(0x8101)]);
      await query(urls.oldUrl, `UPDATE shadow_pairs SET body = 'changed on old' WHERE a = $1`, [uid(0x8102)]);
      // A lost insert on old, replayed by apply through the same aliases.
      await query(
        urls.oldUrl,
        `INSERT INTO shadows (id, t, x, r, s, body, updated_at, created_at) VALUES ($1, 'lost t', 'lost x', 'lost r', 'lost s', 'lost', $2, $2)`,
        [uid(0x8103), plus(TIMELINE.cut, 5)],
      );
      const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-cov-'));
      const report = await reconcile({ ...urls, failoverAt, outDir });
      expect(report.error).toBeNull();
      expect(report.tables.shadows!.rows.map((r) => [r.class, r.id])).toEqual([
        ['lost_insert', uid(0x8103)],
        ['unexplained', uid(0x8101)],
      ]);
      expect(report.otherTables.shadow_pairs).toMatchObject({ result: 'differs' });
      expect(report.status).toBe('incomplete');
      const applied = await applyReport({ reportDir: outDir, newUrl: urls.newUrl });
      expect(applied.error).toBeNull();
      expect(await query(urls.newUrl, 'SELECT t, x, r, s, body FROM shadows WHERE id = $1', [uid(0x8103)])).toEqual([
        { t: 'lost t', x: 'lost x', r: 'lost r', s: 'lost s', body: 'lost' },
      ]);
    });

    test('GIVEN split-brain writes at the lowest and highest uuid and in between THEN verify finds every one', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        'CREATE TABLE ledger (id uuid PRIMARY KEY, amount integer NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)',
      );
      // 12,000 rows: several id ranges, so the first and the last range are not the same one.
      await onBoth(
        urls,
        `INSERT INTO ledger SELECT md5(g::text)::uuid, g, $1::timestamptz, 1 FROM generate_series(1, 12000) AS g
         UNION ALL SELECT $2::uuid, 0, $1::timestamptz, 1 UNION ALL SELECT $3::uuid, 0, $1::timestamptz, 1
         UNION ALL SELECT $4::uuid, 0, $1::timestamptz, 1`,
        [TIMELINE.base, MIN_UUID, MAX_UUID, NEAR_MAX],
      );
      await onBoth(urls, 'ANALYZE ledger');
      await query(urls.newUrl, `UPDATE ledger SET amount = amount + 1 WHERE id IN ($1, $2, $3, $4)`, [
        MIN_UUID,
        MAX_UUID,
        NEAR_MAX,
        '8f14e45f-ceea-167a-5a36-dedd4bea2543', // md5('7'), in the middle
      ]);
      const report = await run(urls);
      expect(report.error).toBeNull();
      expect(report.tables.ledger!.verify!.buckets).toBeGreaterThan(2);
      expect(report.tables.ledger!.rows.map((r) => [r.class, r.id])).toEqual([
        ['unexplained', MIN_UUID],
        ['unexplained', '8f14e45f-ceea-167a-5a36-dedd4bea2543'],
        ['unexplained', NEAR_MAX],
        ['unexplained', MAX_UUID],
      ]);
    });

    test('GIVEN a partitioned table THEN it is compared once, as the parent, not again per partition', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        `CREATE TABLE shipments (id uuid PRIMARY KEY, carrier text NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL, created_at timestamptz)
           PARTITION BY HASH (id);
         CREATE TABLE shipments_0 PARTITION OF shipments FOR VALUES WITH (MODULUS 2, REMAINDER 0);
         CREATE TABLE shipments_1 PARTITION OF shipments FOR VALUES WITH (MODULUS 2, REMAINDER 1);`,
      );
      await onBoth(
        urls,
        `INSERT INTO shipments SELECT md5(g::text)::uuid, 'ups', $1, 1 FROM generate_series(1, 20) AS g`,
        [TIMELINE.base],
      );
      await query(urls.oldUrl, `INSERT INTO shipments VALUES ($1, 'dhl', $2, 1, $2)`, [
        uid(0x9001),
        plus(TIMELINE.cut, 5),
      ]);
      const report = await run(urls);
      expect(report.status).toBe('complete');
      expect(Object.keys(report.tables).filter((t) => t.startsWith('shipments'))).toEqual(['shipments']);
      expect(Object.keys(report.otherTables).filter((t) => t.startsWith('shipments'))).toEqual([]);
      expect(report.tables.shipments!.rows.map((r) => [r.class, r.id])).toEqual([['lost_insert', uid(0x9001)]]);
      expect(report.tables.shipments!.verify).toMatchObject({ oldRows: 20, newRows: 20, mismatchedBuckets: 0 });
    });
  });

  describe('a change on old is never hidden by a change on new', () => {
    test('GIVEN old changed a row in a transaction that began before the window and committed after the cut, and new changed it after the failover THEN it is a conflict', async () => {
      const urls = await copy();
      await atTimes(urls.oldUrl, (c) =>
        c.query(`UPDATE orders SET status = 'paid', updated_at = $2, version = version + 1 WHERE id = $1`, [
          O.A5,
          plus(TIMELINE.windowStart, -10),
        ]),
      );
      await atTimes(urls.newUrl, (c) =>
        c.query(`UPDATE orders SET status = 'cancelled', updated_at = $2, version = version + 1 WHERE id = $1`, [
          O.A5,
          plus(TIMELINE.failoverAt, 20),
        ]),
      );
      const report = await run(urls);
      expect(classOf(report, 'orders', O.A5)).toBe('conflict');
      expect(report.tables.orders!.rows.find((r) => r.id === O.A5)!.proposedSql).toBeNull();
    });

    test('GIVEN old hard-deleted a row and new changed it after the failover THEN it is a conflict, not a new write', async () => {
      const urls = await copy();
      const event = childIds(O.A4).event; // hard-deleted on old by the scenario
      await atTimes(urls.newUrl, (c) =>
        c.query(`UPDATE order_events SET published_at = $2, updated_at = $2, version = version + 1 WHERE id = $1`, [
          event,
          plus(TIMELINE.failoverAt, 20),
        ]),
      );
      const report = await run(urls);
      expect(classOf(report, 'order_events', event)).toBe('conflict');
    });

    test('GIVEN old changed a row after the cut and new hard-deleted it after the failover THEN it is a conflict and apply does not re-create it', async () => {
      const urls = await copy();
      const event = childIds(O.A7).event;
      await atTimes(urls.oldUrl, (c) =>
        c.query(`UPDATE order_events SET published_at = $2, updated_at = $2, version = version + 1 WHERE id = $1`, [
          event,
          plus(TIMELINE.cut, 5),
        ]),
      );
      await query(urls.newUrl, 'DELETE FROM order_events WHERE id = $1', [event]);
      const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-cov-'));
      const report = await reconcile({ ...urls, failoverAt, outDir });
      expect(classOf(report, 'order_events', event)).toBe('conflict');
      expect(report.tables.order_events!.rows.find((r) => r.id === event)!.proposedSql).toBeNull();
      const applied = await applyReport({ reportDir: outDir, newUrl: urls.newUrl });
      expect(applied.error).toBeNull();
      expect(await query(urls.newUrl, 'SELECT id FROM order_events WHERE id = $1', [event])).toEqual([]);
    });

    test('GIVEN old changed a row within the margin that did not replicate and new changed it twice after the failover THEN it is a conflict, not superseded', async () => {
      const urls = await copy();
      await atTimes(urls.oldUrl, (c) =>
        c.query(`UPDATE orders SET status = 'paid', updated_at = $2, version = version + 1 WHERE id = $1`, [
          O.A6,
          plus(TIMELINE.cut, -10),
        ]),
      );
      await atTimes(urls.newUrl, async (c) => {
        for (const [status, s] of [
          ['cancelled', 20],
          ['shipped', 30],
        ] as const) {
          await c.query(`UPDATE orders SET status = $3, updated_at = $2, version = version + 1 WHERE id = $1`, [
            O.A6,
            plus(TIMELINE.failoverAt, s),
            status,
          ]);
        }
      });
      const report = await run(urls);
      expect(classOf(report, 'orders', O.A6)).toBe('conflict');
    });
  });

  describe('values are compared exactly', () => {
    test('GIVEN values equal as Postgres compares them but not the same (jsonb 10 vs 10.0, -0 vs 0, 1.0 vs 1.00, 1 day vs 24 hours, arrays of them, A vs a under a case-insensitive collation) THEN each differing row is found', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
         CREATE TABLE readings (id uuid PRIMARY KEY, j jsonb, f float8, n numeric, i interval, a numeric[],
           s text COLLATE ci, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
      );
      await onBoth(
        urls,
        `INSERT INTO readings (id, j, f, n, i, a, s, updated_at, version)
         SELECT id, '{"v": 10}', 0, 1.0, '1 day', '{1.0}', 'a', $2::timestamptz, 1 FROM unnest($1::uuid[]) AS id`,
        [[uid(0xa1), uid(0xa2), uid(0xa3), uid(0xa4), uid(0xa5), uid(0xa6), uid(0xa7)], TIMELINE.base],
      );
      // Split brain outside the window: each row differs only in a way the type's equality ignores.
      await query(
        urls.newUrl,
        `UPDATE readings SET j = CASE id WHEN $1::uuid THEN '{"v": 10.0}'::jsonb ELSE j END,
                             f = CASE id WHEN $2::uuid THEN '-0'::float8 ELSE f END,
                             n = CASE id WHEN $3::uuid THEN 1.00 ELSE n END,
                             i = CASE id WHEN $4::uuid THEN '24 hours'::interval ELSE i END,
                             a = CASE id WHEN $5::uuid THEN '{1.00}'::numeric[] ELSE a END,
                             s = CASE id WHEN $6::uuid THEN 'A' ELSE s END`,
        [uid(0xa1), uid(0xa2), uid(0xa3), uid(0xa4), uid(0xa5), uid(0xa7)],
      );
      // A lost change inside the window: old rewrote the jsonb 10 as 10.0 after the cut.
      await atTimes(urls.oldUrl, (c) =>
        c.query(`UPDATE readings SET j = '{"v": 10.0}', updated_at = $2, version = 2 WHERE id = $1`, [
          uid(0xa6),
          plus(TIMELINE.cut, 5),
        ]),
      );
      const report = await run(urls);
      expect(report.error).toBeNull();
      expect(report.tables.readings!.rows.map((r) => [r.class, r.id])).toEqual([
        ['lost_update', uid(0xa6)],
        ['unexplained', uid(0xa1)],
        ['unexplained', uid(0xa2)],
        ['unexplained', uid(0xa3)],
        ['unexplained', uid(0xa4)],
        ['unexplained', uid(0xa5)],
        ['unexplained', uid(0xa7)],
      ]);
      // The detail names the column even where JSON cannot show the difference (10 and 10.0 parse alike).
      const detail = (n: number) => report.tables.readings!.rows.find((r) => r.id === uid(n))!.detail;
      expect(
        [0xa6, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa7].map((n) => detail(n).replace(/^.*columns that differ: /, '')),
      ).toEqual(['j', 'j', 'f', 'n', 'i', 'a', 's']);
      expect(report.tables.readings!.rowHash).toBe(
        'hash_record_extended(ROW(t."id", (t."j"::text COLLATE "C"), (t."f"::text COLLATE "C"), (t."n"::text COLLATE "C"), (t."i"::text COLLATE "C"), (t."a"::text COLLATE "C"), (t."s"::text COLLATE "C"), t."updated_at", t."version"), 0)',
      );
    });
  });

  test('the scenario itself still reconciles (heartbeat unchanged)', async () => {
    const urls = await copy();
    await atTimes(urls.oldUrl, (c) => setHeartbeat(c, plus(TIMELINE.cut, 20), 'eu-west-1'));
    const report = await run(urls);
    expect(report.error).toBeNull();
  });
});
