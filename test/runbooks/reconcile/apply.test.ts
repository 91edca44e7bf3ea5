import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyReport, reconcile, recoveredEventId } from '../../../runbooks/reconcile';
import { buildOrdersScenario, childIds, IDS, query, ShopServer, TIMELINE } from './shop-fixture';

const { orders: O } = IDS;
const failoverAt = new Date(TIMELINE.failoverAt);

describe('apply', () => {
  let shop: ShopServer;
  let urls: { oldUrl: string; newUrl: string };
  let reportDir: string;

  beforeAll(async () => {
    shop = await ShopServer.start();
    urls = await buildOrdersScenario(shop, 'app');
    reportDir = await mkdtemp(path.join(tmpdir(), 'reconcile-apply-'));
    const report = await reconcile({ ...urls, failoverAt, outDir: reportDir });
    expect(report.status).toBe('complete');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('replays lost inserts and lost updates in foreign-key order, writes one order.recovered event per recovered order, leaves the rest for a person', async () => {
    const result = await applyReport({ reportDir, newUrl: urls.newUrl });
    expect(result.error).toBeNull();
    expect(result.status).toBe('applied');
    const nothingElse = {
      alreadyApplied: 0,
      changedSinceReport: 0,
      blocked: 0,
      failed: 0,
      heldBack: 0,
      rolledBack: 0,
      notTried: 0,
    };
    expect(result.tables).toEqual({
      orders: { inserted: 2, updated: 3, ...nothingElse },
      order_items: { inserted: 4, updated: 0, ...nothingElse },
      shipping_addresses: { inserted: 2, updated: 0, ...nothingElse },
      order_events: { inserted: 2, updated: 0, ...nothingElse },
    });
    // L1, P2 (inserted), A1, A2, A9 (updated), A5 (a lost line).
    expect(result.eventsWritten).toBe(6);
    expect(result.changes).toBe(2 + 3 + 4 + 2 + 2 + 6);
    expect(result.notApplied).toEqual([]);
    expect(result.leftForPerson.map((r) => [r.table, r.class, r.id])).toEqual([
      ['order_events', 'possible_duplicate', childIds(O.P1).event],
      ['order_events', 'unexplained', childIds(O.A4).event],
      ['order_items', 'possible_duplicate', childIds(O.P1).item(0)],
      ['order_items', 'possible_duplicate', childIds(O.P1).item(1)],
      ['orders', 'conflict', O.A3],
      ['orders', 'conflict', O.A8],
      ['orders', 'possible_duplicate', O.P1],
      ['shipping_addresses', 'possible_duplicate', childIds(O.P1).address],
      ['shipping_addresses', 'unexplained', childIds(O.A6).address],
    ]);
  });

  test('recovered rows keep the updated_at and version they had on the old primary; conflicts and duplicates are untouched', async () => {
    const rows = await query<{
      id: string;
      status: string;
      version: number;
      updated_at: string;
      deleted_at: string | null;
    }>(
      urls.newUrl,
      `SELECT id::text, status, version, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS updated_at,
              to_char(deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS deleted_at
         FROM orders WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [[O.A1, O.A2, O.A3, O.L1, O.P1]],
    );
    expect(rows).toEqual([
      { id: O.A1, status: 'paid', version: 2, updated_at: '2026-01-10T12:00:05', deleted_at: null },
      {
        id: O.A2,
        status: 'cancelled',
        version: 2,
        updated_at: '2026-01-10T12:00:06',
        deleted_at: '2026-01-10T12:00:06',
      },
      { id: O.A3, status: 'cancelled', version: 2, updated_at: '2026-01-10T12:01:30', deleted_at: null },
      { id: O.L1, status: 'placed', version: 1, updated_at: '2026-01-10T12:00:10', deleted_at: null },
    ]);
    const events = await query<{ id: string; order_id: string; type: string; reason: string }>(
      urls.newUrl,
      `SELECT id::text, order_id::text, type, payload->>'reason' AS reason FROM order_events WHERE type = 'order.recovered' ORDER BY order_id`,
    );
    expect(events).toEqual(
      [O.A1, O.A2, O.A5, O.A9, O.L1, O.P2].sort().map((id) => ({
        id: recoveredEventId(id),
        order_id: id,
        type: 'order.recovered',
        reason: 'failover-reconcile',
      })),
    );
  });

  test('a second apply changes nothing', async () => {
    const result = await applyReport({ reportDir, newUrl: urls.newUrl });
    expect(result.status).toBe('applied');
    expect(result.changes).toBe(0);
    expect(result.eventsWritten).toBe(0);
    expect(result.tables.orders).toEqual({
      inserted: 0,
      updated: 0,
      alreadyApplied: 5,
      changedSinceReport: 0,
      blocked: 0,
      failed: 0,
      heldBack: 0,
      rolledBack: 0,
      notTried: 0,
    });
    expect(result.tables.order_items).toEqual({
      inserted: 0,
      updated: 0,
      alreadyApplied: 4,
      changedSinceReport: 0,
      blocked: 0,
      failed: 0,
      heldBack: 0,
      rolledBack: 0,
      notTried: 0,
    });
  });

  test('reconciling again after apply finds nothing lost, only what was left for a person', async () => {
    const again = await reconcile({
      ...urls,
      failoverAt,
      outDir: await mkdtemp(path.join(tmpdir(), 'reconcile-again-')),
    });
    expect(again.status).toBe('complete');
    expect(again.totals).toMatchObject({
      lost_insert: 0,
      lost_update: 0,
      conflict: 2,
      possible_duplicate: 5,
      unexplained: 2,
    });
    // The order.recovered events were written after the cut on new: new writes, never reported.
    expect(again.tables.order_events!.newSideWrites).toBe(2 + 6);
  });

  test('refuses a report whose report.json changed after it was written, and writes nothing', async () => {
    const tampered = await mkdtemp(path.join(tmpdir(), 'reconcile-tampered-'));
    const json = await readFile(path.join(reportDir, 'report.json'), 'utf8');
    await writeFile(path.join(tampered, 'report.json'), json.replace('"c-lost"', '"c-evil"'));
    await writeFile(
      path.join(tampered, 'report.json.sha256'),
      await readFile(path.join(reportDir, 'report.json.sha256')),
    );
    const result = await applyReport({ reportDir: tampered, newUrl: urls.newUrl });
    expect(result.status).toBe('failed');
    expect(result.changes).toBe(0);
    expect(result.error).toMatch(
      /^--report: .*report\.json does not match report\.json\.sha256 \(sha256 [0-9a-f]{64}, recorded [0-9a-f]{64}\): the report changed after reconcile wrote it\. Do not apply it; run reconcile again\.$/,
    );
  });

  test('refuses a failed report', async () => {
    const failedDir = await mkdtemp(path.join(tmpdir(), 'reconcile-failed-'));
    const failed = await reconcile({ ...urls, failoverAt, tables: ['nope'], outDir: failedDir });
    expect(failed.status).toBe('failed');
    const result = await applyReport({ reportDir: failedDir, newUrl: urls.newUrl });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(
      `--report: the report's status is failed (step tables: ${failed.error!.message}). A failed report proves nothing and is never applied: fix the cause, run reconcile again, then apply the new report.`,
    );
  });

  test('refuses to apply to another database than the one the report compared', async () => {
    const result = await applyReport({ reportDir, newUrl: urls.oldUrl });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^--new-url: the target is not the new primary the report compared: database oid \d+ \("app_old"\), the report's is \d+ \("app_new"\)\. It matches the report's OLD side \(the restored snapshot\)/,
    );
  });

  test('a lost update whose row changed on the new primary since the report is left alone and listed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reconcile-race-'));
    await shop.clone('app_old', 'race_old');
    const raceNew = await shop.clone('app_new', 'race_new');
    // Undo the recovery of A1 on the copy, reconcile, then let a customer change A1 before apply runs.
    await query(
      raceNew,
      `SET shop.replay = 'on'; UPDATE orders SET status = 'placed', version = 1, updated_at = '2026-01-01T00:00:00Z' WHERE id = '${O.A1}'`,
    );
    const report = await reconcile({
      oldUrl: shop.url('race_old'),
      newUrl: raceNew,
      failoverAt,
      outDir: dir,
      verify: false,
    });
    expect(report.tables.orders!.rows.filter((r) => r.class === 'lost_update').map((r) => r.id)).toEqual([O.A1]);
    await query(raceNew, `UPDATE orders SET status = 'shipped' WHERE id = '${O.A1}'`);
    const result = await applyReport({ reportDir: dir, newUrl: raceNew });
    expect(result.status).toBe('partial');
    expect(result.tables.orders).toEqual({
      inserted: 0,
      updated: 0,
      alreadyApplied: 0,
      changedSinceReport: 1,
      blocked: 0,
      failed: 0,
      heldBack: 0,
      rolledBack: 0,
      notTried: 0,
    });
    expect(result.notApplied).toEqual([
      {
        table: 'orders',
        id: O.A1,
        class: 'lost_update',
        unit: `order ${O.A1}`,
        reason: 'the row changed on the new primary since the report; run reconcile again',
      },
    ]);
    expect(await query(raceNew, 'SELECT status FROM orders WHERE id = $1', [O.A1])).toEqual([{ status: 'shipped' }]);
  });
});
