import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type ReconcileProgress, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { buildOrdersScenario, childIds, IDS, ShopServer, TIMELINE } from './shop-fixture';

const { orders: O, products } = IDS;

function listed(report: ReconcileReport, table: string): [string, string][] {
  return report.tables[table]!.rows.map((r) => [r.class, r.id]);
}

function row(report: ReconcileReport, table: string, id: string) {
  const found = report.tables[table]!.rows.find((r) => r.id === id);
  if (!found) throw new Error(`${table} ${id} not in the report`);
  return found;
}

describe('reconcile on the orders scenario', () => {
  let shop: ShopServer;
  let report: ReconcileReport;
  let outDir: string;
  const progress: ReconcileProgress[] = [];

  beforeAll(async () => {
    shop = await ShopServer.start();
    const { oldUrl, newUrl } = await buildOrdersScenario(shop, 'scn');
    outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-out-'));
    report = await reconcile({
      oldUrl,
      newUrl,
      failoverAt: new Date(TIMELINE.failoverAt),
      outDir,
      onProgress: (e) => progress.push(e),
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('the report is complete, with the cut read from the heartbeat and the window before it', () => {
    expect(report.error).toBeNull();
    expect(report.status).toBe('complete');
    expect(report.cut).toBe('2026-01-10T12:00:00.000000Z');
    expect(report.cutSource).toBe('heartbeat');
    expect(report.windowStart).toBe('2026-01-10T11:55:00.000000Z');
    expect(report.failoverAt).toBe('2026-01-10T12:01:00.000000Z');
    expect(report.marginSeconds).toBe(300);
    expect(Object.keys(report.tables)).toEqual(['order_events', 'order_items', 'orders', 'shipping_addresses']);
    expect(report.databases.old.heartbeat).toEqual({ ts: '2026-01-10T12:00:20.000000Z', region: 'eu-west-1' });
  });

  test('orders: lost inserts, lost updates (incl. a soft delete and a late commit before the cut), conflicts, a possible duplicate', () => {
    expect(report.tables.orders!.counts).toEqual({
      identical: 2, // R1 placed and A7 paid inside the window, both replicated
      lost_insert: 2,
      lost_update: 3,
      possibly_lost: 0, // every lost order was placed after replication had stopped (cut + 2 s)
      // A3 changed on both sides after the cut; A8 paid in the margin and shipped on new: without commit
      // timestamps nothing proves the payment replicated (a version can be reset), so a person decides.
      conflict: 2,
      possible_duplicate: 1,
      unexplained: 0,
      superseded: 0,
    });
    expect(listed(report, 'orders')).toEqual([
      ['lost_insert', O.L1],
      ['lost_insert', O.P2],
      ['lost_update', O.A1],
      ['lost_update', O.A2],
      ['lost_update', O.A9],
      ['conflict', O.A3],
      ['conflict', O.A8],
      ['possible_duplicate', O.P1],
    ]);
  });

  test('orders written on the new primary after the failover are not reported', () => {
    const ids = Object.values(report.tables).flatMap((t) => t.rows.map((r) => r.id));
    expect(ids).not.toContain(O.N1);
    expect(ids).not.toContain(O.P1b);
    expect(report.tables.orders!.newSideWrites).toBe(2);
    expect(report.tables.order_items!.newSideWrites).toBe(3);
  });

  test('child tables: lost inserts of every order table, children of the re-placed order follow it, verify finds the hard delete and the split-brain write', () => {
    expect(listed(report, 'order_items')).toEqual(
      [
        ['lost_insert', childIds(O.L1).item(0)],
        ['lost_insert', childIds(O.L1).item(1)],
        ['lost_insert', childIds(O.P2).item(0)],
        ['lost_insert', IDS.lateItemA5],
        ['possible_duplicate', childIds(O.P1).item(0)],
        ['possible_duplicate', childIds(O.P1).item(1)],
      ].sort((a, b) => (a[0] === b[0] ? a[1]!.localeCompare(b[1]!) : 0)),
    );
    expect(report.tables.order_items!.counts.identical).toBe(1);
    expect(listed(report, 'shipping_addresses')).toEqual([
      ['lost_insert', childIds(O.L1).address],
      ['lost_insert', childIds(O.P2).address],
      ['possible_duplicate', childIds(O.P1).address],
      ['unexplained', childIds(O.A6).address],
    ]);
    expect(listed(report, 'order_events')).toEqual([
      ['lost_insert', childIds(O.L1).event],
      ['lost_insert', childIds(O.P2).event],
      ['possible_duplicate', childIds(O.P1).event],
      ['unexplained', childIds(O.A4).event],
    ]);
    expect(report.totals).toEqual({
      identical: 5,
      lost_insert: 10,
      lost_update: 3,
      possibly_lost: 0,
      conflict: 2,
      possible_duplicate: 5,
      unexplained: 2,
      superseded: 0,
    });
  });

  test('rows carry both sides, a detail an on-call person can act on, and idempotent replay SQL', () => {
    const softDelete = row(report, 'orders', O.A2);
    expect(softDelete.detail).toMatch(
      /^lost soft delete on old at 2026-01-10T12:00:06\+00:00; changed on old after new's copy/,
    );
    expect(softDelete.detail).toContain('columns that differ: status, deleted_at');
    expect(softDelete.old).toMatchObject({ id: O.A2, status: 'cancelled', version: 2 });
    expect(softDelete.new).toMatchObject({ id: O.A2, status: 'placed', version: 1, deleted_at: null });
    expect(softDelete.newVersion).toBe(1);
    expect(softDelete.proposedSql).toMatch(
      /^UPDATE ONLY public\."orders" AS t SET .* WHERE t\.id = '.*'::uuid AND t\.version = 1 AND hash_record_extended\(t\.\*, 0\) = '-?\d+'::int8;$/,
    );

    const lost = row(report, 'orders', O.L1);
    expect(lost.new).toBeNull();
    expect(lost.old).toMatchObject({ customer_id: 'c-lost', status: 'placed' });
    expect(lost.proposedSql).toMatch(
      /^INSERT INTO public\."orders" \("id", "customer_id", .*\) SELECT \(s\.r\)\."id", \(s\.r\)\."customer_id", .* FROM \(SELECT '\(.*\)'::public\."orders" AS r\) AS s ON CONFLICT DO NOTHING;$/,
    );

    const duplicate = row(report, 'orders', O.P1);
    expect(duplicate.duplicateOf).toBe(O.P1b);
    expect(duplicate.detail).toContain(`customer c-dup placed order ${O.P1b} on the new primary`);
    expect(row(report, 'order_items', childIds(O.P1).item(1)).duplicateOf).toBe(O.P1b);

    const conflict = row(report, 'orders', O.A3);
    expect(conflict.detail).toBe(
      'changed on both sides after the cut: old has version 2 at 2026-01-10T12:00:07.000000Z, new has version 2 at 2026-01-10T12:01:30.000000Z; columns that differ: status',
    );
    expect(conflict.proposedSql).toBeNull();
    expect(row(report, 'order_events', childIds(O.A4).event).detail).toMatch(
      /^present on new .* but missing on old: deleted on old without a trace/,
    );
    expect(row(report, 'shipping_addresses', childIds(O.A6).address).detail).toContain('columns that differ: city');
  });

  test('a lost order whose customer ordered different items after failover stays a lost insert', () => {
    expect(row(report, 'orders', O.P2).class).toBe('lost_insert');
    expect(products.Z).toBeDefined();
  });

  test('verify compared every row outside the window and drilled into the differing buckets only', () => {
    // A4, A5, A6: the orders nobody touched inside the window on either side.
    expect(report.tables.orders!.verify).toMatchObject({ buckets: 1, oldRows: 3, newRows: 3, mismatchedBuckets: 0 });
    expect(report.tables.order_events!.verify).toMatchObject({ mismatchedBuckets: 1 });
    expect(report.tables.shipping_addresses!.verify).toMatchObject({ mismatchedBuckets: 1 });
  });

  test('timings name every step, and the lost-write report time is known before verify', () => {
    const steps = report.timings.map((t) => t.step);
    // Tables are classified two at a time (one connection pair each), so their order varies.
    expect(steps.slice(0, 9)).toEqual([
      'options',
      'connect',
      'versions',
      'sides',
      'snapshot',
      'schema',
      'cut',
      'replication-stop',
      'workers',
    ]);
    expect(steps.slice(9, 13).sort()).toEqual([
      'classify:order_events',
      'classify:order_items',
      'classify:orders',
      'classify:shipping_addresses',
    ]);
    expect(steps.slice(13)).toEqual([
      'duplicates',
      'other-tables',
      'verify:order_events',
      'verify:order_items',
      'verify:orders',
      'verify:shipping_addresses',
      'holds',
    ]);
    expect(report.lostWriteReportMs).toBeLessThanOrEqual(report.totalMs!);
  });

  test('GIVEN the default of 2 jobs WHEN the tables are classified THEN two are classified at once, on a second connection per side reading the same exported snapshot', () => {
    // pg_export_snapshot fails inside a subtransaction ("cannot export a snapshot from a subtransaction"): exported
    // under a savepoint, it never worked and every table was classified one after the other.
    const workers = progress.find((e) => e.step === 'workers' && e.phase === 'done');
    expect(workers?.detail).toBe('1 more connection per side');
    const classify = progress.filter((e) => e.step.startsWith('classify:'));
    const firstDone = classify.findIndex((e) => e.phase === 'done');
    expect(classify.slice(0, firstDone).filter((e) => e.phase === 'start')).toHaveLength(2);
  });

  test('the files: report.json equal to the returned report, a sha256sum-compatible checksum, one CSV per table, an escaped HTML page', async () => {
    const json = await readFile(path.join(outDir, 'report.json'), 'utf8');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    const { stdout } = await promisify(execFile)('sha256sum', ['-c', 'report.json.sha256'], { cwd: outDir });
    expect(stdout.trim()).toBe('report.json: OK');
    const csv = await readFile(path.join(outDir, 'orders.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('class,id,detail,duplicate_of,old_row,new_row,proposed_sql');
    const records = csv.split('\n').filter((line) => /^[a-z_]+,0190a000-/.test(line));
    expect(records.map((line) => line.split(',').slice(0, 2).join(','))).toEqual(
      listed(report, 'orders').map(([c, id]) => `${c},${id}`),
    );
    const html = await readFile(path.join(outDir, 'report.html'), 'utf8');
    expect(html).toContain(
      '<p class="headline bad" data-status="complete">Report complete — 13 lost rows (in 6 orders) can be replayed; 9 rows need a person.</p>',
    );
    expect(html).toMatch(/<span class="chip possible_duplicate">5 possible duplicates<\/span>/);
    expect(html).not.toMatch(/<script/);
  });
});
