import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyReport, type ReconcileOptions, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { closeSide, connectSide, DEFAULT_SESSION_LIMITS } from '../../../runbooks/reconcile/database-side';
import { explainStepError } from '../../../runbooks/reconcile/postgres-error';
import { tableCsvName } from '../../../runbooks/reconcile/report-files';
import { atTimes, buildOrdersScenario, IDS, query, ShopServer, TIMELINE } from './shop-fixture';

const { orders: O } = IDS;
const failoverAt = new Date(TIMELINE.failoverAt);

function asUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  return parsed.toString();
}

/**
 * Review 13 items 2 (D2a, D2b: row-level security), 8 (D11: locks), 12 (D10a, D10b: table names as file names) and
 * 13 (D14: infinite timestamps, raw Postgres errors): what every connection pins, and what a failure says.
 */
describe('session guards: row security, lock and statement timeouts, file names, infinite timestamps', () => {
  let shop: ShopServer;
  let copies = 0;

  async function copy(): Promise<{ oldUrl: string; newUrl: string }> {
    copies++;
    return {
      oldUrl: await shop.clone('guard_old', `g${copies}_old`),
      newUrl: await shop.clone('guard_new', `g${copies}_new`),
    };
  }

  async function run(
    urls: { oldUrl: string; newUrl: string },
    extra: Partial<ReconcileOptions> = {},
  ): Promise<{ report: ReconcileReport; dir: string }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'reconcile-guards-'));
    const report = await reconcile({ ...urls, failoverAt, outDir: dir, ...extra });
    return { report, dir };
  }

  async function onBoth(urls: { oldUrl: string; newUrl: string }, sql: string): Promise<void> {
    for (const url of [urls.oldUrl, urls.newUrl]) await atTimes(url, (c) => c.query(sql));
  }

  beforeAll(async () => {
    shop = await ShopServer.start();
    await buildOrdersScenario(shop, 'guard');
    await shop.admin('CREATE ROLE reconciler LOGIN');
    await shop.admin('CREATE ROLE reconciler_rls LOGIN BYPASSRLS');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  describe('row-level security (item 2)', () => {
    const policies = (table: string, using: string) =>
      `GRANT SELECT ON ALL TABLES IN SCHEMA public TO reconciler, reconciler_rls;
       ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
       CREATE POLICY hide ON ${table} FOR SELECT TO reconciler, reconciler_rls USING (${using})`;

    test('GIVEN a policy that hides the lost order L1 from the reconcile role WHEN reconciling THEN the report fails naming the table and BYPASSRLS; a role with BYPASSRLS finds L1 (D2a)', async () => {
      const urls = await copy();
      await onBoth(urls, policies('orders', `customer_id <> 'c-lost'`));
      const { report } = await run({
        oldUrl: asUser(urls.oldUrl, 'reconciler'),
        newUrl: asUser(urls.newUrl, 'reconciler'),
      });
      expect(report.status).toBe('failed');
      expect(report.error?.message).toMatch(
        /^step [a-z:_-]+ failed on the (old|new) side .*, table orders: row-level security policies apply to the role .*row_security = off.*BYPASSRLS/,
      );
      expect(report.error?.message).toMatch(/SQLSTATE 42501\)$/);

      const bypass = await run({
        oldUrl: asUser(urls.oldUrl, 'reconciler_rls'),
        newUrl: asUser(urls.newUrl, 'reconciler_rls'),
      });
      expect(bypass.report.error).toBeNull();
      expect(bypass.report.tables.orders!.rows.find((r) => r.id === O.L1)?.class).toBe('lost_insert');
    });

    test('GIVEN a policy on a table compared whole (no row-by-row rules) that hides a lost row THEN the report fails, never "identical" (D2b)', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        `CREATE TABLE settings (key text PRIMARY KEY, value text); INSERT INTO settings VALUES ('a', '1')`,
      );
      await query(urls.oldUrl, `INSERT INTO settings VALUES ('secret', 'lost')`);
      await onBoth(urls, policies('settings', `key <> 'secret'`));
      const { report } = await run({
        oldUrl: asUser(urls.oldUrl, 'reconciler'),
        newUrl: asUser(urls.newUrl, 'reconciler'),
      });
      expect(report.status).toBe('failed');
      expect(report.error?.message).toMatch(/table settings: row-level security policies apply/);
    });

    test('GIVEN a write policy on orders of new for the apply role WHEN apply runs as that role THEN the orders it blocks are not applied, with the reason naming BYPASSRLS', async () => {
      const urls = await copy();
      const { report, dir } = await run(urls);
      expect(report.error).toBeNull();
      await query(
        urls.newUrl,
        `GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO reconciler;
         ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
         CREATE POLICY readable ON orders FOR SELECT TO reconciler USING (true);
         CREATE POLICY no_lost ON orders FOR INSERT TO reconciler WITH CHECK (customer_id <> 'c-lost')`,
      );
      const applied = await applyReport({ reportDir: dir, newUrl: asUser(urls.newUrl, 'reconciler') });
      const l1 = applied.notApplied.find((n) => n.id === O.L1);
      expect(l1?.table).toBe('orders');
      expect(l1?.reason).toMatch(
        /^the role apply connects as may not write this row \(a row-level security policy applies to it.*BYPASSRLS/,
      );
    });

    test('GIVEN a role without SELECT on one table THEN the message names the table and the GRANT needed', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        `GRANT SELECT ON ALL TABLES IN SCHEMA public TO reconciler; REVOKE SELECT ON order_events FROM reconciler`,
      );
      const { report } = await run({
        oldUrl: asUser(urls.oldUrl, 'reconciler'),
        newUrl: asUser(urls.newUrl, 'reconciler'),
      });
      expect(report.status).toBe('failed');
      expect(report.error?.message).toMatch(/order_events/);
      expect(report.error?.message).toMatch(/lacks a privilege: reconcile needs SELECT .*GRANT/);
    });
  });

  describe('lock and statement timeouts (item 8)', () => {
    test('GIVEN a migration waiting for ACCESS EXCLUSIVE on order_items of new WHEN reconciling with --lock-timeout 1 THEN it fails within seconds naming the table and the lock, and the migration then gets its lock', async () => {
      const urls = await copy();
      const reader = new Client({ connectionString: urls.newUrl });
      const migration = new Client({ connectionString: urls.newUrl });
      await reader.connect();
      await migration.connect();
      try {
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM order_items');
        await migration.query('BEGIN');
        const pending = migration.query('LOCK TABLE order_items IN ACCESS EXCLUSIVE MODE');
        pending.catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const started = Date.now();
        const { report } = await run(urls, { lockTimeoutSeconds: 1 });
        expect(Date.now() - started).toBeLessThan(20_000);
        expect(report.status).toBe('failed');
        expect(report.error?.message).toMatch(
          /failed on the new side \(--new-url, the promoted primary\), table order_items: a lock was not granted within lock_timeout \(1 s\).*ACCESS SHARE.*--lock-timeout/,
        );
        expect(report.error?.message).toMatch(/SQLSTATE 55P03\)$/);
        await reader.query('ROLLBACK');
        await pending; // reconcile let go: the migration's lock is granted
        await migration.query('ROLLBACK');
      } finally {
        await reader.end();
        await migration.end();
      }
    }, 40_000);

    test('GIVEN a migration waiting for ACCESS EXCLUSIVE on a table compared whole THEN the other-tables step fails naming that table', async () => {
      const urls = await copy();
      await onBoth(
        urls,
        `CREATE TABLE settings (key text PRIMARY KEY, value text); INSERT INTO settings VALUES ('a', '1')`,
      );
      const reader = new Client({ connectionString: urls.oldUrl });
      const migration = new Client({ connectionString: urls.oldUrl });
      await reader.connect();
      await migration.connect();
      try {
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM settings');
        await migration.query('BEGIN');
        const pending = migration.query('LOCK TABLE settings IN ACCESS EXCLUSIVE MODE');
        pending.catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const { report } = await run(urls, { lockTimeoutSeconds: 1 });
        expect(report.error?.step).toBe('other-tables');
        expect(report.error?.message).toMatch(
          /^step other-tables failed on the old side \(--old-url, the restored snapshot\), table settings: a lock was not granted within lock_timeout \(1 s\)/,
        );
        await reader.query('ROLLBACK');
        await pending;
        await migration.query('ROLLBACK');
      } finally {
        await reader.end();
        await migration.end();
      }
    }, 40_000);

    test('GIVEN a lost update whose row is held FOR UPDATE on new WHEN apply runs with --lock-timeout 1 THEN that order is not applied with the reason and the other orders are', async () => {
      const urls = await copy();
      const { report, dir } = await run(urls);
      expect(report.tables.orders!.rows.find((r) => r.id === O.A1)?.class).toBe('lost_update');
      const locker = new Client({ connectionString: urls.newUrl });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [O.A1]);
        const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl, lockTimeoutSeconds: 1 });
        expect(applied.status).toBe('partial');
        expect(applied.notApplied.find((n) => n.id === O.A1)?.reason).toMatch(
          /^the row is locked on the new primary by another transaction, not released within lock_timeout \(1 s; /,
        );
        expect(applied.applied.map((a) => a.id)).toContain(O.L1);
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
    }, 40_000);

    test('GIVEN timeouts out of range THEN reconcile and apply refuse them naming the flag, the value and the range', async () => {
      const urls = await copy();
      const { report } = await run(urls, { lockTimeoutSeconds: 0, statementTimeoutSeconds: 1.5 });
      expect(report.error?.step).toBe('options');
      expect(report.error?.message).toContain(
        '--lock-timeout: 0 is not accepted; accepted: a whole number of seconds from 1 to 600 (default 10)',
      );
      expect(report.error?.message).toContain(
        '--statement-timeout: 1.5 is not accepted; accepted: a whole number of seconds from 10 to 86400 (default 1800)',
      );
      const applied = await applyReport({ reportDir: tmpdir(), newUrl: urls.newUrl, lockTimeoutSeconds: 601 });
      expect(applied.status).toBe('failed');
      expect(applied.error).toMatch(/--lock-timeout: 601 is not accepted/);
    });

    test('GIVEN a reconcile connection THEN it runs with the lock, statement and idle-in-transaction timeouts and row_security off', async () => {
      const urls = await copy();
      const side = await connectSide('new', urls.newUrl, undefined, {
        lockTimeoutSeconds: 7,
        statementTimeoutSeconds: 60,
      });
      try {
        const { rows } = await side.client.query(
          `SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s,
                  current_setting('idle_in_transaction_session_timeout') AS i, current_setting('row_security') AS r`,
        );
        expect(rows[0]).toEqual({ l: '7s', s: '1min', i: '2min', r: 'off' });
      } finally {
        await closeSide(side);
      }
    });
  });

  describe('table names as file names (item 12)', () => {
    test('GIVEN tables named "../x", "a/b" and "Orders2" WHEN reconciling THEN every CSV is a plain file inside --out, one per table, and the report on disk is the one returned (D10a, D10b)', async () => {
      const urls = await copy();
      const escaped = `../guard-escaped-${process.pid}`;
      for (const name of [escaped, 'a/b', 'Orders2', 'orders2'])
        await onBoth(
          urls,
          `CREATE TABLE public."${name}" (id uuid PRIMARY KEY, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
        );
      const { report, dir } = await run(urls);
      expect(report.error).toBeNull();
      expect(existsSync(path.join(path.dirname(dir), `guard-escaped-${process.pid}.csv`))).toBe(false);
      const onDisk = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
      expect(onDisk.status).toBe(report.status);
      const csvs = readdirSync(dir).filter((f) => f.endsWith('.csv'));
      expect(csvs.length).toBe(Object.keys(report.tables).length);
      expect(new Set(csvs.map((f) => f.toLowerCase())).size).toBe(csvs.length);
      for (const f of csvs) expect(f).toMatch(/^([a-z0-9_-]|%[0-9A-F]{2})+\.csv$/);
    });

    test('GIVEN a CSV that cannot be written WHEN reconciling THEN the returned report is failed naming the table and the file, and no report.json on disk says complete', async () => {
      const urls = await copy();
      const dir = await mkdtemp(path.join(tmpdir(), 'reconcile-guards-'));
      mkdirSync(path.join(dir, tableCsvName('order_items'))); // a folder where the CSV goes
      const report = await reconcile({ ...urls, failoverAt, outDir: dir });
      expect(report.status).toBe('failed');
      expect(report.error?.step).toBe('write');
      expect(report.error?.message).toMatch(/the CSV of table "order_items" \(.*order_items\.csv\)/);
      const json = path.join(dir, 'report.json');
      if (existsSync(json)) expect(JSON.parse(readFileSync(json, 'utf8')).status).toBe('failed');
    });

    test('tableCsvName is one-to-one, never a path, and case-proof', () => {
      const names = ['orders', '../x', 'a/b', '"audit.log"', 'Orders', 'orders%2F', '.', '..', 'ä'];
      const files = names.map(tableCsvName);
      expect(new Set(files).size).toBe(names.length);
      expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(names.length);
      for (const f of files) {
        expect(path.basename(f)).toBe(f);
        expect(f).not.toMatch(/^\./);
      }
      expect(tableCsvName('order_items')).toBe('order_items.csv');
    });
  });

  describe('infinite timestamps and other raw errors (item 13)', () => {
    test('GIVEN updated_at = infinity on old THEN the report fails naming the side, the table, the row id and the column, and what to do (D14)', async () => {
      const urls = await copy();
      await atTimes(urls.oldUrl, (c) => c.query(`UPDATE orders SET updated_at = 'infinity' WHERE id = $1`, [O.A6]));
      const { report } = await run(urls);
      expect(report.status).toBe('failed');
      expect(report.error?.message).toBe(
        `step classify:orders failed: old side, table orders, row id ${O.A6}: column updated_at is "infinity", not a point in time. Reconcile places every row before or after the cut by its exact time and cannot place this one. Set the real time on that row (UPDATE … SET updated_at = <when it was written> WHERE id = '${O.A6}', under SET LOCAL shop.replay = 'on'), or leave the table out with --tables (the report is then incomplete), and run reconcile again`,
      );
    });

    test('GIVEN updated_at = -infinity on new for a row old changed THEN the same, for the new side', async () => {
      const urls = await copy();
      await atTimes(urls.newUrl, (c) => c.query(`UPDATE orders SET updated_at = '-infinity' WHERE id = $1`, [O.A1]));
      const { report } = await run(urls);
      expect(report.status).toBe('failed');
      expect(report.error?.message).toMatch(
        new RegExp(
          `^step classify:orders failed: new side, table orders, row id ${O.A1}: column updated_at is "-infinity"`,
        ),
      );
    });

    test('GIVEN an infinite heartbeat THEN the message names the table and column', async () => {
      const urls = await copy();
      await atTimes(urls.newUrl, (c) => c.query(`UPDATE replication_heartbeat SET ts = 'infinity'`));
      const { report } = await run(urls);
      expect(report.status).toBe('failed');
      expect(report.error?.message).toMatch(/new side, table replication_heartbeat: column ts is "infinity"/);
    });

    test('GIVEN a Postgres error reconcile has no rule for THEN the message still names the step, the side, the table and what to do, with Postgres words and SQLSTATE after (D7-like)', () => {
      const error = Object.assign(new Error('could not identify an extended hash function for type money'), {
        code: '42883',
        reconcileSide: 'old',
      });
      expect(explainStepError('classify:fees', error, DEFAULT_SESSION_LIMITS)).toBe(
        'step classify:fees failed on the old side (--old-url, the restored snapshot), table fees: Postgres cannot hash a column type of this table, so its rows cannot be compared. Leave the table out with --tables (the report is then incomplete and names it) and compare it by hand, or report it so the type is hashed over its text (Postgres: could not identify an extended hash function for type money, SQLSTATE 42883)',
      );
      const odd = Object.assign(new Error('something odd'), { code: 'XX000' });
      expect(explainStepError('duplicates', odd, DEFAULT_SESSION_LIMITS)).toBe(
        'step duplicates failed: this was not expected. The report proves nothing: fix the cause Postgres names (or leave the table out with --tables if it concerns one table), then run again (Postgres: something odd, SQLSTATE XX000)',
      );
    });
  });
});
