import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyReport, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { buildOrdersScenario, childIds, IDS, plus, query, ShopServer, TIMELINE, uid } from './shop-fixture';

const { cut, base } = TIMELINE;
const failoverAt = new Date(TIMELINE.failoverAt);

/** Rows as text in a session with fixed, neutral settings: equal text means equal values, to the digit. */
async function canonicalRows(url: string, sql: string): Promise<string[]> {
  const client = new Client({
    connectionString: url,
    options:
      '-c DateStyle=ISO,YMD -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex -c search_path=public',
  });
  await client.connect();
  try {
    return (await client.query<{ r: string }>(sql)).rows.map((row) => row.r);
  } finally {
    await client.end();
  }
}

async function reconcileTo(urls: {
  oldUrl: string;
  newUrl: string;
}): Promise<{ report: ReconcileReport; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reconcile-replay-'));
  const report = await reconcile({ ...urls, failoverAt, outDir: dir });
  return { report, dir };
}

/** Runs statements on both sides (the same DDL and the rows that replicated before the cut). */
async function onBoth(urls: { oldUrl: string; newUrl: string }, ...statements: string[]): Promise<void> {
  for (const url of [urls.oldUrl, urls.newUrl]) for (const sql of statements) await query(url, sql);
}

describe('apply replays exactly', () => {
  let shop: ShopServer;

  beforeAll(async () => {
    shop = await ShopServer.start();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('GIVEN hostile session defaults on both sides (database and role: DateStyle, IntervalStyle, TimeZone, extra_float_digits, bytea_output, search_path) WHEN reconcile and apply run THEN every replayed value is exact and a second reconcile finds nothing lost', async () => {
    const urls = await buildOrdersScenario(shop, 'hostile');
    const probe = { kept: uid(0x8001), lost: uid(0x8002) };
    await onBoth(
      urls,
      `CREATE TABLE typed_probe (id uuid PRIMARY KEY, d date NOT NULL, ts timestamp NOT NULL, tstz timestamptz NOT NULL,
         iv interval NOT NULL, f8 float8 NOT NULL, f4 real NOT NULL, b bytea NOT NULL, n numeric NOT NULL,
         updated_at timestamptz NOT NULL, version integer NOT NULL, created_at timestamptz)`,
      `INSERT INTO typed_probe VALUES ('${probe.kept}', '2026-01-02', '2026-01-02 03:04:05', '${base}', '1 day', 1.5, 2.5,
         '\\x01', 1, '${base}', 1)`,
    );
    // Lost on old: a new row and a change, with values whose text depends on every setting.
    await query(
      urls.oldUrl,
      `INSERT INTO typed_probe VALUES ('${probe.lost}', '2026-01-10', '2026-01-10 12:00:03.123456',
         '2026-01-10 12:00:03.654321+00', '-1 day +02:03:04.5', 0.1::float8 + 0.2::float8, 1.1, '\\x00ff27', 12.345,
         '${plus(cut, 3)}', 1, '${plus(cut, 3)}');
       UPDATE typed_probe SET iv = '1 mon -2 days 03:00:00', f8 = 1e-300, f4 = 3.4028235e38, b = '\\x5c00',
         d = '2026-02-03', updated_at = '${plus(cut, 4)}', version = 2 WHERE id = '${probe.kept}'`,
    );
    await shop.admin(`CREATE SCHEMA IF NOT EXISTS evil`);
    await shop.admin(
      `ALTER DATABASE hostile_old SET DateStyle = 'SQL, DMY';
       ALTER DATABASE hostile_old SET IntervalStyle = 'sql_standard';
       ALTER DATABASE hostile_old SET TimeZone = 'Asia/Kathmandu';
       ALTER DATABASE hostile_old SET extra_float_digits = -15;
       ALTER DATABASE hostile_old SET bytea_output = 'escape';
       ALTER DATABASE hostile_old SET search_path = 'evil, public';
       ALTER DATABASE hostile_new SET DateStyle = 'Postgres, MDY';
       ALTER DATABASE hostile_new SET IntervalStyle = 'iso_8601';
       ALTER DATABASE hostile_new SET TimeZone = 'America/St_Johns';
       ALTER DATABASE hostile_new SET extra_float_digits = 0;
       ALTER ROLE postgres IN DATABASE hostile_new SET DateStyle = 'German, DMY'`,
    );
    const oldText = await canonicalRows(urls.oldUrl, 'SELECT t::text AS r FROM typed_probe t ORDER BY id');

    const { report, dir } = await reconcileTo(urls);
    expect(report.error).toBeNull();
    expect(report.tables.typed_probe!.counts).toMatchObject({ lost_insert: 1, lost_update: 1, identical: 0 });
    expect(report.tables.orders!.counts).toMatchObject({ lost_insert: 2, lost_update: 3 });
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.error).toBeNull();
    expect(applied.status).toBe('applied');

    expect(await canonicalRows(urls.newUrl, 'SELECT t::text AS r FROM typed_probe t ORDER BY id')).toEqual(oldText);
    // The example: L1, placed 2026-01-10 12:00:10 on old, keeps that date on new (not 2026-10-01).
    expect(
      await canonicalRows(urls.newUrl, `SELECT created_at::text AS r FROM orders WHERE id = '${IDS.orders.L1}'`),
    ).toEqual(['2026-01-10 12:00:10+00']);
    const again = await reconcileTo(urls);
    expect(again.report.error).toBeNull();
    expect(again.report.tables.typed_probe!.counts).toMatchObject({ lost_insert: 0, lost_update: 0, identical: 2 });
    expect(again.report.totals).toMatchObject({ lost_insert: 0, lost_update: 0 });
  });

  test("GIVEN a person's session with hostile settings (standard_conforming_strings off, DateStyle 'SQL, DMY', IntervalStyle sql_standard) WHEN the report's applyPreamble and proposedSql are sent as one string THEN the replayed rows are exact", async () => {
    const urls = await buildOrdersScenario(shop, 'manual');
    const lost = uid(0x8201);
    await onBoth(
      urls,
      `CREATE TABLE manual_probe (id uuid PRIMARY KEY, b bytea NOT NULL, note text NOT NULL, iv interval NOT NULL,
         d date NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL, created_at timestamptz)`,
    );
    await query(
      urls.oldUrl,
      `INSERT INTO manual_probe VALUES ('${lost}', '\\x5c27ff', E'back\\\\slash ''quote''', '-1 days +02:03:04.5',
         '2026-01-10', '${plus(cut, 3)}', 1, '${plus(cut, 3)}')`,
    );
    const oldText = await canonicalRows(urls.oldUrl, 'SELECT t::text AS r FROM manual_probe t');
    const { report } = await reconcileTo(urls);
    expect(report.error).toBeNull();
    expect(Object.keys(report.otherTables)).toEqual([]);
    const row = report.tables.manual_probe!.rows.find((r) => r.id === lost)!;
    expect(row.class).toBe('lost_insert');
    const client = new Client({
      connectionString: urls.newUrl,
      options: '-c standard_conforming_strings=off -c DateStyle=SQL,DMY -c IntervalStyle=sql_standard',
    });
    await client.connect();
    try {
      const preamble = report.applyPreamble.replace(/--.*$/, '');
      await client.query(`${preamble} ${row.proposedSql} COMMIT;`);
    } finally {
      await client.end();
    }
    expect(await canonicalRows(urls.newUrl, 'SELECT t::text AS r FROM manual_probe t')).toEqual(oldText);
  });

  test('GIVEN a database whose sessions start with session_replication_role = replica (foreign keys and triggers off) THEN reconcile and apply refuse it, naming the setting', async () => {
    const urls = await buildOrdersScenario(shop, 'srr');
    const { dir } = await reconcileTo(urls);
    await shop.admin(`ALTER DATABASE srr_new SET session_replication_role = 'replica'`);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('failed');
    expect(applied.error).toMatch(
      /^the new database \(--new-url .*\/srr_new\) starts sessions with session_replication_role = replica; accepted: origin/,
    );
    expect(await query(urls.newUrl, 'SELECT id FROM orders WHERE id = $1', [IDS.orders.L1])).toEqual([]);
    const { report } = await reconcileTo(urls);
    expect(report.error?.step).toBe('connect');
  });

  test('GIVEN generated, identity and defaulted columns WHEN apply replays a lost insert and a lost update THEN it writes old values (generated ones recomputed), and moves the identity sequence past them', async () => {
    const urls = await buildOrdersScenario(shop, 'gen');
    const card = { kept: uid(0x8101), lost: uid(0x8102) };
    await onBoth(
      urls,
      `CREATE TABLE gift_cards (id uuid PRIMARY KEY, amount numeric(12, 2) NOT NULL,
         cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED,
         serial_no bigint GENERATED ALWAYS AS IDENTITY, ref int GENERATED BY DEFAULT AS IDENTITY,
         note text NOT NULL DEFAULT 'issued', updated_at timestamptz NOT NULL, version integer NOT NULL, created_at timestamptz)`,
      `INSERT INTO gift_cards (id, amount, updated_at, version) VALUES ('${card.kept}', 10, '${base}', 1)`,
    );
    await query(
      urls.oldUrl,
      `INSERT INTO gift_cards (id, amount, serial_no, ref, note, updated_at, version, created_at) OVERRIDING SYSTEM VALUE
         VALUES ('${card.lost}', 25.5, 7, 70, 'lost card', '${plus(cut, 3)}', 1, '${plus(cut, 3)}');
       UPDATE gift_cards SET amount = 12.25, note = 'topped up', updated_at = '${plus(cut, 4)}', version = 2
        WHERE id = '${card.kept}'`,
    );
    const oldText = await canonicalRows(urls.oldUrl, 'SELECT t::text AS r FROM gift_cards t ORDER BY id');
    const { report, dir } = await reconcileTo(urls);
    expect(report.error).toBeNull();
    expect(report.tables.gift_cards!.counts).toMatchObject({ lost_insert: 1, lost_update: 1 });
    const insert = report.tables.gift_cards!.rows.find((r) => r.class === 'lost_insert')!.proposedSql!;
    expect(insert).toMatch(
      /^INSERT INTO public\."gift_cards" \("id", "amount", "serial_no", "ref", "note", "updated_at", "version", "created_at"\) OVERRIDING SYSTEM VALUE SELECT /,
    );

    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.error).toBeNull();
    expect(applied.status).toBe('applied');
    expect(applied.tables.gift_cards).toMatchObject({ inserted: 1, updated: 1, failed: 0 });
    expect(applied.sequencesAdvanced).toContain('public.gift_cards_serial_no_seq → 7');
    expect(await canonicalRows(urls.newUrl, 'SELECT t::text AS r FROM gift_cards t ORDER BY id')).toEqual(oldText);
    // The next card the new primary issues does not reuse the replayed serial number.
    const [next] = await query<{ serial_no: string }>(
      urls.newUrl,
      `INSERT INTO gift_cards (id, amount, updated_at, version) VALUES ('${uid(0x8103)}', 1, now(), 1) RETURNING serial_no::text`,
    );
    expect(Number(next!.serial_no)).toBeGreaterThan(7);
  });

  test('GIVEN one order whose line the new primary refuses (a check constraint added there) WHEN apply runs THEN that order (and all its rows) is rolled back and listed with the reason, every other order is applied, and the status is partial', async () => {
    const urls = await buildOrdersScenario(shop, 'units');
    const { report, dir } = await reconcileTo(urls);
    expect(report.error).toBeNull();
    // L1 has a line with quantity 4; the new primary now refuses quantities above 3.
    await query(urls.newUrl, 'ALTER TABLE order_items ADD CONSTRAINT at_most_three CHECK (quantity <= 3) NOT VALID');
    const result = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(result.status).toBe('partial');
    expect(result.error).toBeNull();
    const l1 = childIds(IDS.orders.L1);
    expect(result.notApplied.map((r) => `${r.table} ${r.id} ${r.unit}`).sort()).toEqual(
      [
        `orders ${IDS.orders.L1}`,
        `order_items ${l1.item(0)}`,
        `order_items ${l1.item(1)}`,
        `order_events ${l1.event}`,
        `shipping_addresses ${l1.address}`,
      ]
        .map((row) => `${row} order ${IDS.orders.L1}`)
        .sort(),
    );
    const byId = new Map(result.notApplied.map((r) => [r.id, r.reason]));
    expect(byId.get(l1.item(1))).toMatch(
      /^the insert failed: new row for relation "order_items" violates check constraint "at_most_three"/,
    );
    expect(byId.get(IDS.orders.L1)).toMatch(
      new RegExp(
        `^rolled back with order ${IDS.orders.L1}: order_items ${l1.item(1)} was not applied \\(the insert failed: `,
      ),
    );
    // Nothing of L1 is on the new primary; P2, A1, A2, A9 and A5's late line are.
    expect(await query(urls.newUrl, 'SELECT id FROM orders WHERE id = $1', [IDS.orders.L1])).toEqual([]);
    expect(await query(urls.newUrl, 'SELECT id FROM order_items WHERE order_id = $1', [IDS.orders.L1])).toEqual([]);
    expect(await query(urls.newUrl, 'SELECT id::text FROM orders WHERE id = $1', [IDS.orders.P2])).toEqual([
      { id: IDS.orders.P2 },
    ]);
    expect(result.tables.orders).toMatchObject({ inserted: 1, updated: 3, heldBack: 0, rolledBack: 1 });
    expect(result.tables.order_items).toMatchObject({ inserted: 2, failed: 1, heldBack: 0, rolledBack: 1 });
    expect(result.unitsNotApplied).toBe(1);
    expect(result.unitsApplied).toBe(5);
    expect(result.applied.filter((r) => r.table === 'orders').map((r) => [r.id, r.outcome, r.unit])).toEqual(
      expect.arrayContaining([[IDS.orders.P2, 'inserted', `order ${IDS.orders.P2}`]]),
    );
    expect(result.applied.some((r) => r.unit === `order ${IDS.orders.L1}`)).toBe(false);

    // Once the constraint is gone, a second apply replays L1 whole and nothing else.
    await query(urls.newUrl, 'ALTER TABLE order_items DROP CONSTRAINT at_most_three');
    const second = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(second.status).toBe('applied');
    expect(second.unitsApplied).toBe(6);
    expect(second.tables.orders).toMatchObject({ inserted: 1, updated: 0, alreadyApplied: 4 });
    expect(second.eventsWritten).toBe(1);
  });
});
