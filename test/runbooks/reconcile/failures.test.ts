import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../drill/stand-ins/postgres-server';
import { type ReconcileOptions, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { atTimes, buildOrdersScenario, IDS, plus, query, ShopServer, setHeartbeat, TIMELINE } from './shop-fixture';

const failoverAt = new Date(TIMELINE.failoverAt);

describe('reconcile fails closed', () => {
  let shop: ShopServer;
  let urls: { oldUrl: string; newUrl: string };
  let copies = 0;

  /** A fresh copy of the scenario's two databases, to break one way or another. */
  async function copy(): Promise<{ oldUrl: string; newUrl: string }> {
    copies++;
    return {
      oldUrl: await shop.clone('fail_old', `c${copies}_old`),
      newUrl: await shop.clone('fail_new', `c${copies}_new`),
    };
  }

  async function run(options: Partial<ReconcileOptions>): Promise<ReconcileReport> {
    const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-fail-'));
    return reconcile({ ...urls, failoverAt, outDir, ...options });
  }

  beforeAll(async () => {
    shop = await ShopServer.start();
    urls = await buildOrdersScenario(shop, 'fail');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('an unreachable database fails the report at connect, naming the flag and what to check', async () => {
    const port = await freePort();
    const report = await run({ oldUrl: `postgres://postgres:secret@127.0.0.1:${port}/orders` });
    expect(report.status).toBe('failed');
    expect(report.error).toEqual({
      step: 'connect',
      message: `cannot connect to the old database (--old-url postgres://postgres:***@127.0.0.1:${port}/orders): connect ECONNREFUSED 127.0.0.1:${port}. Check that the cluster restored from the failed primary snapshot is running and reachable from here (network path, security group), and that the URL, user and password are right.`,
    });
    expect(report.databases.old.url).toBe(`postgres://postgres:***@127.0.0.1:${port}/orders`);
    expect(JSON.stringify(report)).not.toContain('secret');
    expect(report.totals.lost_insert).toBe(0);
  });

  test('a database that does not exist fails at connect too', async () => {
    const report = await run({ newUrl: shop.url('no_such_db') });
    expect(report.error?.step).toBe('connect');
    expect(report.error?.message).toMatch(
      /^cannot connect to the new database \(--new-url .*\/no_such_db\): database "no_such_db" does not exist\. Check that the promoted primary/,
    );
  });

  test('mismatched Postgres major versions fail (server_version_num injected through the test seam: only one version is installed here)', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-fail-'));
    const report = await reconcile(
      { ...urls, failoverAt, outDir },
      { serverVersionNum: async (side, read) => (side === 'old' ? 150004 : read()) },
    );
    expect(report.status).toBe('failed');
    expect(report.error).toEqual({
      step: 'versions',
      message: `Postgres major versions differ: old is 15 (server_version_num 150004), new is 16 (${report.databases.new.serverVersion}). Row hashes (hash_record_extended) are only comparable within one major version: restore the snapshot into a cluster of the new primary's version (16), or upgrade it, then run reconcile again.`,
    });
  });

  test('a schema mismatch fails with the first differing column and the migrations to apply', async () => {
    const broken = await copy();
    const columns = await query<{ c: string }>(
      broken.oldUrl,
      `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS c FROM pg_attribute a
        WHERE a.attrelid = 'orders'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    const oldColumns = columns.map((c) => c.c).join(', ');
    await query(broken.newUrl, 'ALTER TABLE orders ADD COLUMN gift_note text');
    await query(broken.newUrl, `INSERT INTO schema_migrations (name, checksum) VALUES ('0099_gift_note.sql', 'x')`);
    const report = await run(broken);
    expect(report.error).toEqual({
      step: 'schema',
      message: `schema mismatch between old and new: table "orders" differs at column ${columns.length + 1}: absent on old, "gift_note text" on new (old: ${oldColumns}; new: ${oldColumns}, gift_note text). Migrations applied only on old: none; only on new: 0099_gift_note.sql. Row hashes are only comparable when both sides have the same columns, with the same types, in the same order: bring the older side to the same migration (npm run db:migrate -- --database-url <url> --service <name>) and run reconcile again.`,
    });
  });

  test('GIVEN a rule-following table missing on one side WHEN reconciling THEN it is compared whole and named as a gap, not a schema failure (review 13, item 16)', async () => {
    const broken = await copy();
    await query(broken.newUrl, 'DROP TABLE order_events');
    const report = await run(broken);
    expect(report.error).toBeNull();
    expect(report.status).toBe('incomplete');
    expect(report.tables.order_events).toBeUndefined();
    expect(report.otherTables.order_events).toMatchObject({ why: 'on old only', result: 'old only', newRows: null });
    expect(report.gaps.map((g) => g.reason)).toEqual([
      expect.stringMatching(/^table "order_events" exists on old only/),
    ]);
  });

  test('a missing heartbeat on the new primary fails: without a cut nothing can be concluded', async () => {
    const broken = await copy();
    await query(broken.newUrl, 'DELETE FROM replication_heartbeat');
    const report = await run(broken);
    expect(report.error).toEqual({
      step: 'cut',
      message:
        'the new primary has no replication_heartbeat row (id = 1), so the last replicated moment (the cut) is unknown. Check that --new-url points at the promoted database of the same service; if the heartbeat was never written there, pass the last replicated moment with --cut <ISO-8601>.',
    });
    expect(report.cut).toBeNull();
  });

  test('a missing heartbeat on the old database fails', async () => {
    const broken = await copy();
    await query(broken.oldUrl, 'DROP TABLE replication_heartbeat');
    const report = await run(broken);
    expect(report.error?.step).toBe('cut');
    expect(report.error?.message).toMatch(
      /^the old database has no replication_heartbeat row \(id = 1\): --old-url must point at the database restored from the failed primary/,
    );
  });

  test('a heartbeat the new writer overwrote: the cut is the replicated row it replaced, kept by the handover trigger', async () => {
    const overwritten = await copy();
    const before = await run(urls);
    await atTimes(overwritten.newUrl, (c) => setHeartbeat(c, plus(TIMELINE.failoverAt, 3600), 'us-east-1'));
    const report = await run(overwritten);
    expect(report.error).toBeNull();
    expect([report.cut, report.cutSource]).toEqual(['2026-01-10T12:00:00.000000Z', 'handover']);
    expect(report.databases.new.heartbeat).toEqual({ ts: '2026-01-10T13:01:00.000000Z', region: 'us-east-1' });
    expect(before.cutSource).toBe('heartbeat');
    expect(report.totals).toEqual(before.totals);
  });

  test('an overwritten heartbeat without a handover row (migration 0003 missing) fails and asks for --cut; with --cut the report completes', async () => {
    const broken = await copy();
    await atTimes(broken.newUrl, async (c) => {
      await setHeartbeat(c, plus(TIMELINE.failoverAt, 3600), 'us-east-1');
      await c.query('DROP TABLE replication_heartbeat_handover');
    });
    const report = await run(broken);
    expect(report.error).toEqual({
      step: 'cut',
      message:
        "the heartbeat on the new primary was written by the new writer (ts 2026-01-10T13:01:00.000000Z, region us-east-1; old writer's region eu-west-1, --failover-at 2026-01-10T12:01:00.000000Z) and replication_heartbeat_handover on the new primary has no handover from eu-west-1 at or before the failover, so the last replicated value is gone. Check that the service migrations up to 0003_heartbeat_handover ran before the failover, or pass the last replicated moment with --cut <ISO-8601>.",
    });
    const withCut = await run({ ...broken, cut: new Date(TIMELINE.cut) });
    expect(withCut.status).toBe('complete');
    expect(withCut.cutSource).toBe('option');
    expect(withCut.totals.lost_insert).toBe(10);
  });

  test('a handover from an earlier failover is not taken for this one', async () => {
    const broken = await copy();
    await atTimes(broken.newUrl, async (c) => {
      await setHeartbeat(c, plus(TIMELINE.failoverAt, 3600), 'us-east-1');
      await c.query('DELETE FROM replication_heartbeat_handover');
      await c.query(
        `INSERT INTO replication_heartbeat_handover (prev_ts, prev_region, next_ts, next_region)
         VALUES ($1, 'eu-west-1', $2, 'us-east-1')`,
        [plus(TIMELINE.base, 0), plus(TIMELINE.base, 60)],
      );
    });
    const report = await run(broken);
    expect(report.error).toEqual({
      step: 'cut',
      message:
        "the heartbeat on the new primary was written by the new writer (ts 2026-01-10T13:01:00.000000Z, region us-east-1; old writer's region eu-west-1, --failover-at 2026-01-10T12:01:00.000000Z), but the latest handover from eu-west-1 recorded on the new primary is older than this failover (eu-west-1 → us-east-1, first new heartbeat 2026-01-01T00:01:00.000000Z): it belongs to an earlier failover or switchover. Check --failover-at, or pass the last replicated moment with --cut <ISO-8601>.",
    });
  });

  test('an old snapshot older than the cut fails: it cannot show what was lost', async () => {
    const broken = await copy();
    await atTimes(broken.oldUrl, (c) => setHeartbeat(c, plus(TIMELINE.cut, -3600), 'eu-west-1'));
    const report = await run(broken);
    expect(report.error).toEqual({
      step: 'cut',
      message:
        "the old database's last heartbeat (2026-01-10T11:00:00.000000Z) is before the cut (2026-01-10T12:00:00.000000Z): the restored snapshot is older than what already replicated, so it cannot show what was lost. Restore the snapshot taken when the old primary failed (rds:unplanned-global-failover-...) and run reconcile on it; if --old-url and --new-url are swapped, swap them.",
    });
  });

  test('a failover time before the cut fails', async () => {
    const report = await run({ failoverAt: new Date(plus(TIMELINE.cut, -60)) });
    expect(report.error).toEqual({
      step: 'cut',
      message:
        'the cut (2026-01-10T12:00:00.000000Z, the heartbeat on the new primary) is after --failover-at (2026-01-10T11:59:00.000000Z): nothing can have replicated after the promotion. Check --failover-at (it needs a time zone, e.g. 2026-01-10T12:01:00Z); if the new writer runs under the same region name and has overwritten the heartbeat, pass the last replicated moment with --cut <ISO-8601>.',
    });
  });

  test('an unknown table fails, naming it and listing the available ones', async () => {
    const report = await run({ tables: ['orders', 'invoices'] });
    expect(report.error).toEqual({
      step: 'tables',
      message:
        '--tables: unknown table "invoices" on the old database; available: order_events, order_items, orders, shipping_addresses',
    });
  });

  test('a bookkeeping table cannot be chosen', async () => {
    const report = await run({ tables: ['replication_heartbeat'] });
    expect(report.error?.message).toBe(
      '--tables: table "replication_heartbeat" cannot be reconciled (it is bookkeeping, never compared); available: order_events, order_items, orders, shipping_addresses',
    );
  });

  test('invalid options fail the report at the options step, naming each option', async () => {
    const report = await run({ marginSeconds: -5, oldUrl: 'mysql://x/y', tables: ['orders\n;drop'] });
    expect(report.error).toEqual({
      step: 'options',
      message:
        'oldUrl: "mysql://x/y" has protocol "mysql:"; accepted: postgres://user[:password]@host[:port]/database; marginSeconds: -5 is not accepted; accepted: a whole number of seconds ≥ 0; tables: "orders\\n;drop" is not a table name; accepted: table names as the report names them (orders, or "audit.log" quoted when the name holds a dot or a quote)',
    });
  });

  test('a failed report is still written: status failed, the error, a valid checksum, an HTML page that says so', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-fail-'));
    await reconcile({ ...urls, failoverAt, outDir, tables: ['invoices'] });
    const json = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8'));
    expect(json.status).toBe('failed');
    expect(json.error.step).toBe('tables');
    const html = await readFile(path.join(outDir, 'report.html'), 'utf8');
    expect(html).toMatch(
      /<p class="headline bad" data-status="failed">Reconcile FAILED at step tables — this report proves nothing: fix the cause \(below\) and run reconcile again\.<\/p>/,
    );
  });

  test('restricting --tables compares only those tables, and the report is incomplete', async () => {
    const report = await run({ tables: ['orders'] });
    expect(report.status).toBe('incomplete');
    expect(report.gaps.map((g) => g.reason)).toEqual([
      'table "order_events" was left out by --tables: not compared',
      'table "order_items" was left out by --tables: not compared',
      'table "shipping_addresses" was left out by --tables: not compared',
    ]);
    expect(Object.keys(report.tables)).toEqual(['orders']);
    expect(report.tables.orders!.counts.lost_insert).toBe(2);
  });

  test('--no-verify skips the verify: the hard delete and split-brain write outside the window are not found', async () => {
    const report = await run({ verify: false });
    expect(report.status).toBe('incomplete');
    expect(report.verify).toBe(false);
    expect(report.totals.unexplained).toBe(0);
    expect(report.tables.orders!.verify).toBeNull();
    expect(report.timings.some((t) => t.step.startsWith('verify:'))).toBe(false);
  });

  test('an unwritable output folder fails the report at once, at the options step, before any database is read', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'reconcile-fail-')), 'a-file');
    await writeFile(file, '');
    const report = await run({ outDir: path.join(file, 'out') });
    expect(report.status).toBe('failed');
    expect(report.error).toEqual({
      step: 'options',
      message: `outDir: "${file}/out" cannot be written (${file} is not a folder); accepted: a folder that can be created and written (the report goes there)`,
    });
    expect(report.timings.map((t) => t.step)).toEqual(['options']);
  });

  test('an output folder under /proc fails at once instead of spinning (mkdir recursive loops there)', async () => {
    const started = Date.now();
    const report = await run({ outDir: '/proc/reconcile-report' });
    expect(report.error).toEqual({
      step: 'options',
      message:
        'outDir: "/proc/reconcile-report" cannot be written (ENOENT: no such file or directory, mkdir \'/proc/reconcile-report\'); accepted: a folder that can be created and written (the report goes there)',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a lost order with the idempotency key of an order on the new primary is a possible duplicate', async () => {
    const broken = await copy();
    await atTimes(broken.newUrl, async (c) => {
      await c.query(
        `INSERT INTO orders (id, customer_id, status, total, idempotency_key, created_at, updated_at, version)
         VALUES ('0190a000-0000-7000-8000-00000000ffff', 'c-lost', 'placed', 50, $1, $2, $2, 1)`,
        [`idem-${IDS.orders.L1}`, plus(TIMELINE.failoverAt, 5)],
      );
    });
    const report = await run(broken);
    const l1 = report.tables.orders!.rows.find((r) => r.id === IDS.orders.L1)!;
    expect(l1.class).toBe('possible_duplicate');
    expect(l1.duplicateOf).toBe('0190a000-0000-7000-8000-00000000ffff');
    expect(l1.detail).toContain('with the same idempotency key');
  });
});
