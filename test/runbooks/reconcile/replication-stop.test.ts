import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from 'pg';
import { applyReport } from '../../../runbooks/reconcile';
import { sha256Line } from '../../../runbooks/reconcile/report-files';
import { atTimes, childIds, createItemNotes, IDS, plus, query, TIMELINE, uid, useScenarioCopies } from './shop-fixture';

const { orders: O } = IDS;
const { cut } = TIMELINE;
/** The scenario's bound: old beat at cut + 1 s (never reached new) and cut + 2 s. */
const BOUND = plus(cut, 2).replace('Z', '000Z');

async function placeBare(c: Client, id: string, at: string): Promise<void> {
  await c.query(
    `INSERT INTO orders (id, customer_id, status, total, idempotency_key, created_at, updated_at, version)
     VALUES ($1, 'c-stop', 'placed', 10, $2, $3, $3, 1)`,
    [id, `idem-${id}`, at],
  );
}

/**
 * Issue 13, fourth adversarial pass (rv13d): a row old wrote in the moment replication stopped may have reached new
 * and been deleted there; the bound on that moment must be sound, checked against what new received, and apply must
 * never re-create such a row unless told to.
 */
describe('replication stop: possibly lost rows', () => {
  const { copy, run } = useScenarioCopies('stop');

  test('GIVEN a line inserted at cut + 0.5 s (it may have replicated; new deleted it) and changed again on old at cut + 10 s THEN it is possibly lost, not a lost insert, and apply leaves it out (rv13d D1)', async () => {
    const urls = await copy();
    const line = uid(0xd100);
    await atTimes(urls.oldUrl, (c) =>
      c.query(
        `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price, created_at, updated_at, version)
         VALUES ($1, $2, $3, 'line', 1, 10, $4, $4, 1)`,
        [line, O.A7, IDS.products.Y, plus(cut, 0.5)],
      ),
    );
    await atTimes(urls.oldUrl, (c) =>
      c.query(`UPDATE order_items SET quantity = 2, updated_at = $2, version = 2 WHERE id = $1`, [line, plus(cut, 10)]),
    );
    const { report, dir } = await run(urls);
    expect(report.replicationStop?.mayHaveReplicatedUntil).toBe(BOUND);
    expect(report.tables.order_items!.rows.find((r) => r.id === line)?.class).toBe('possibly_lost');
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM order_items WHERE id = $1', [line])).toEqual([]);
    // A lost row left out is not "applied" (rv13d D6): partial, naming the flag.
    expect(applied.status).toBe('partial');
    expect(applied.leftForPerson.find((r) => r.id === line)?.reason).toMatch(/--replay-possibly-lost/);
  });

  test('GIVEN a possibly lost order WHEN apply runs with --replay-possibly-lost THEN it is inserted and the status is applied only when nothing else is left', async () => {
    const urls = await copy();
    const id = uid(0xd101);
    await atTimes(urls.oldUrl, (c) => placeBare(c, id, plus(cut, 0.5)));
    const { report, dir } = await run(urls);
    expect(report.tables.orders!.rows.find((r) => r.id === id)?.class).toBe('possibly_lost');
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl, replayPossiblyLost: true });
    expect(applied.applied).toContainEqual(expect.objectContaining({ id, outcome: 'inserted' }));
    expect(await query(urls.newUrl, 'SELECT id FROM orders WHERE id = $1', [id])).toEqual([{ id }]);
  });

  test('GIVEN --cut earlier than a heartbeat of old’s Region the new primary holds THEN reconcile refuses the cut, naming that heartbeat (rv13d D2)', async () => {
    const urls = await copy();
    const { report } = await run(urls, { cut: new Date(plus(cut, -10)) });
    expect(report.status).toBe('failed');
    expect(report.error?.step).toBe('cut');
    expect(report.error?.message).toMatch(
      /^--cut 2026-01-10T11:59:50\.000000Z is earlier than a heartbeat of eu-west-1 the new primary holds \(2026-01-10T12:00:00\.000000Z\)/,
    );
  });

  test("GIVEN new's log holds beats of old's Region after the cut (old's clock stepped back before the cut beat) THEN nothing bounds the stop: an order new deleted is possibly lost (rv13d D2)", async () => {
    const urls = await copy();
    const id = uid(0xd102);
    await atTimes(urls.newUrl, async (c) => {
      for (const s of [1, 2, 3]) {
        await c.query(`INSERT INTO replication_heartbeat_log (ts, region) VALUES ($1, 'eu-west-1')`, [plus(cut, s)]);
      }
    });
    for (const url of [urls.oldUrl, urls.newUrl]) await atTimes(url, (c) => placeBare(c, id, plus(cut, 2.5)));
    await atTimes(urls.newUrl, (c) => c.query('DELETE FROM orders WHERE id = $1', [id]));
    const { report } = await run(urls);
    expect(report.replicationStop).toEqual({
      mayHaveReplicatedUntil: null,
      evidence: expect.stringMatching(/^the new primary holds a heartbeat of eu-west-1 from 2026-01-10T12:00:01/),
    });
    expect(report.tables.orders!.rows.find((r) => r.id === id)?.class).toBe('possibly_lost');
  });

  test('GIVEN a report written by the reconcile before possibly_lost existed (format @1) WHEN apply reads it THEN it refuses, saying to run reconcile again (rv13d D7)', async () => {
    const urls = await copy();
    const { dir } = await run(urls);
    const file = path.join(dir, 'report.json');
    const old = (await readFile(file, 'utf8')).replace('reconcile-report@2', 'reconcile-report@1');
    await writeFile(file, old);
    await writeFile(path.join(dir, 'report.json.sha256'), sha256Line(old));
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('failed');
    expect(applied.error).toMatch(/older reconcile \(format reconcile-report@1\).*Run reconcile again/);
  });

  test('GIVEN a lost note on a line of a table in another schema (sales.lines) whose order is the conflict A3 WHEN apply runs THEN the note is held back with A3 (rv13d D3)', async () => {
    const urls = await copy();
    const line = uid(0xe100);
    const note = uid(0xe101);
    for (const url of [urls.oldUrl, urls.newUrl]) {
      await atTimes(url, (c) =>
        c.query(`CREATE SCHEMA sales;
         CREATE TABLE sales.lines (id uuid PRIMARY KEY, order_id uuid NOT NULL REFERENCES public.orders (id), sku text);
         INSERT INTO sales.lines VALUES ('${line}', '${O.A3}', 'sku-1');
         CREATE TABLE line_notes (id uuid PRIMARY KEY, line_id uuid NOT NULL REFERENCES sales.lines (id), note text,
           created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`),
      );
    }
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO line_notes VALUES ($1, $2, 'gift wrap', $3, $3, 1)`, [note, line, plus(cut, 9)]),
    );
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM line_notes WHERE id = $1', [note])).toEqual([]);
    expect(applied.notApplied.find((n) => n.id === note)).toMatchObject({ unit: `order ${O.A3}` });
  });

  test('GIVEN a lost note on an identical line of the conflict order A3 THEN the report says apply holds it back, as apply then does (rv13d D4)', async () => {
    const urls = await copy();
    await createItemNotes(urls);
    const note = uid(0xe113);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO item_notes VALUES ($1, $2, 'gift wrap', $3, $3, 1)`, [
        note,
        childIds(O.A3).item(0),
        plus(cut, 9),
      ]),
    );
    const { report } = await run(urls);
    expect(report.tables.item_notes!.rows.find((r) => r.id === note)?.detail).toMatch(
      new RegExp(`apply holds it back: its order ${O.A3} is a conflict`),
    );
  });
});

describe('replication stop without the heartbeat log', () => {
  const { copy, run } = useScenarioCopies('nolog');

  test('GIVEN an old database without replication_heartbeat_log THEN every row new lacks written after the cut is possibly lost, and the report says why', async () => {
    const urls = await copy();
    await atTimes(urls.oldUrl, (c) => c.query('DROP TABLE replication_heartbeat_log CASCADE'));
    const { report } = await run(urls);
    expect(report.replicationStop?.evidence).toMatch(/^the old database has no replication_heartbeat_log/);
    expect(report.tables.orders!.rows.find((r) => r.id === O.L1)?.class).toBe('possibly_lost');
  });
});
