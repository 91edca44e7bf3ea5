import { readdir } from 'node:fs/promises';
import { applyReport } from '../../../runbooks/reconcile';
import { EXACT_TYPES } from '../../../runbooks/reconcile/table-spec';
import { atTimes, plus, query, TIMELINE, uid, useScenarioCopies } from './shop-fixture';

const { cut } = TIMELINE;

/** A value of every type in EXACT_TYPES: each must hash with its extended hash function inside a record. */
const SAMPLES: Record<string, string> = {
  uuid: `'${uid(1)}'::uuid`,
  int2: '1::int2',
  int4: '1::int4',
  int8: '1::int8',
  bool: 'true',
  text: `'a'::text`,
  varchar: `'a'::varchar`,
  bpchar: `'a'::bpchar`,
  char: `'a'::"char"`,
  name: `'a'::name`,
  bytea: `'\\x01'::bytea`,
  timestamptz: `now()`,
  timestamp: `now()::timestamp`,
  date: 'current_date',
  time: 'current_time::time',
  inet: `'10.0.0.1'::inet`,
  cidr: `'10.0.0.0/8'::cidr`,
  macaddr: `'08:00:2b:01:02:03'::macaddr`,
  macaddr8: `'08:00:2b:01:02:03:04:05'::macaddr8`,
  oid: '1::oid',
};

/** Review 13 (D8, D7, items 16 and 18): which tables are compared, under which name, and how values are hashed. */
describe('reconcile: table names, one-side tables and value hashes', () => {
  const { copy, run, onBoth } = useScenarioCopies('cat');

  test('GIVEN audit.log (schema audit) and public."audit.log" WHEN reconciling THEN they are two tables with two names, and the lost row of public."audit.log" is found and replayed (D8)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE SCHEMA audit; CREATE TABLE audit.log (id bigint PRIMARY KEY, line text); INSERT INTO audit.log VALUES (1, 'same');
       CREATE TABLE public."audit.log" (id uuid PRIMARY KEY, body text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    const lost = uid(0x6400);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO public."audit.log" VALUES ($1, 'lost', $2, $2, 1)`, [lost, plus(cut, 5)]),
    );
    const { report, dir } = await run(urls);
    expect(report.error).toBeNull();
    expect(report.tables['"audit.log"']!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`lost_insert ${lost}`]);
    expect(report.otherTables['audit.log']).toMatchObject({ result: 'identical', oldRows: 1, newRows: 1 });
    expect(report.status).toBe('complete');
    const csvs = (await readdir(dir)).filter((f) => f.endsWith('.csv'));
    expect(new Set(csvs).size).toBe(Object.keys(report.tables).length);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('applied');
    expect(await query(urls.newUrl, 'SELECT body FROM public."audit.log" WHERE id = $1', [lost])).toEqual([
      { body: 'lost' },
    ]);
  });

  test('GIVEN a rule-following table a later migration created on new only (with rows) WHEN reconciling THEN it is named as a gap, not a schema failure (item 16)', async () => {
    const urls = await copy();
    await query(
      urls.newUrl,
      `CREATE TABLE refunds (id uuid PRIMARY KEY, amount integer, updated_at timestamptz NOT NULL, version integer NOT NULL);
       INSERT INTO refunds VALUES ('${uid(0x6900)}', 5, now(), 1)`,
    );
    const { report } = await run(urls);
    expect(report.error).toBeNull();
    expect(report.status).toBe('incomplete');
    expect(report.otherTables.refunds).toMatchObject({ result: 'new only', oldRows: null, newRows: 1 });
    expect(report.gaps.map((g) => g.table)).toEqual(['refunds']);
  });

  test('GIVEN a rule-following table on old only, empty WHEN reconciling THEN it is compared whole (empty) and the report stays complete (item 16)', async () => {
    const urls = await copy();
    await query(
      urls.oldUrl,
      'CREATE TABLE retired (id uuid PRIMARY KEY, updated_at timestamptz NOT NULL, version integer NOT NULL)',
    );
    const { report } = await run(urls);
    expect(report.error).toBeNull();
    expect(report.otherTables.retired).toMatchObject({ result: 'empty', oldRows: 0, newRows: null });
    expect(report.status).toBe('complete');
  });

  test('GIVEN a money column WHEN reconciling THEN the table is compared and a changed amount is found (D7)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      'CREATE TABLE fees (id uuid PRIMARY KEY, amount money NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)',
    );
    await onBoth(urls, `INSERT INTO fees VALUES ($1, '12.34', $2, 1)`, [uid(0x6601), TIMELINE.base]);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`UPDATE fees SET amount = '12.35', updated_at = $2, version = 2 WHERE id = $1`, [
        uid(0x6601),
        plus(cut, 5),
      ]),
    );
    const { report } = await run(urls);
    expect(report.error).toBeNull();
    expect(report.tables.fees!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`lost_update ${uid(0x6601)}`]);
  });

  test('every type in EXACT_TYPES hashes inside a record (it has an extended hash function)', async () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...EXACT_TYPES].sort());
    const urls = await copy();
    for (const [type, value] of Object.entries(SAMPLES)) {
      const rows = await query<{ t: string }>(
        urls.oldUrl,
        `SELECT pg_typeof(${value})::text AS t, hash_record_extended(ROW(${value}), 0)::text AS h`,
      );
      expect([type, rows.length]).toEqual([type, 1]);
    }
  });

  test('GIVEN an enum column and old restored logically (other enum OIDs, same labels) WHEN reconciling THEN the rows are identical, and a changed label is found (item 18)', async () => {
    const urls = await copy();
    // The type created on each side on its own: the same labels under other OIDs, as after a pg_dump restore.
    await query(urls.oldUrl, `CREATE TYPE mood AS ENUM ('sad'); ALTER TYPE mood ADD VALUE 'happy'`);
    await query(urls.newUrl, `CREATE TYPE mood AS ENUM ('sad'); ALTER TYPE mood ADD VALUE 'happy'`);
    await onBoth(
      urls,
      'CREATE TABLE moods (id uuid PRIMARY KEY, m mood NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)',
    );
    await onBoth(urls, `INSERT INTO moods VALUES ($1, 'happy', $2, 1), ($3, 'sad', $2, 1)`, [
      uid(0x6a01),
      TIMELINE.base,
      uid(0x6a02),
    ]);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`UPDATE moods SET m = 'sad', updated_at = $2, version = 2 WHERE id = $1`, [uid(0x6a01), plus(cut, 5)]),
    );
    const { report } = await run(urls);
    expect(report.error).toBeNull();
    expect(report.tables.moods!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`lost_update ${uid(0x6a01)}`]);
  });
});
