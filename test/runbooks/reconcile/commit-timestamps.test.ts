import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { atTimes, query, ShopServer, setHeartbeat, uid } from './shop-fixture';

/**
 * With `track_commit_timestamp = on`, reconcile decides from the commit time of old's row versions (which a delete
 * and re-insert cannot reset, and which a long transaction cannot hide) whether old's change replicated. Commit
 * times are the server's real clock, so this scenario runs on real time: the cut is taken between the commits
 * that replicated and those that did not.
 */
describe('reconcile with commit timestamps (track_commit_timestamp = on)', () => {
  let shop: ShopServer;
  let report: ReconcileReport;
  const X = uid(0xc001); // changed on old in the margin, replicated; new changed it again after the failover
  const Y = uid(0xc002); // changed on old in the margin but committed after the cut; new changed it twice
  const Z = uid(0xc003); // a transaction that began before the window and committed after the cut; new changed it twice
  const W = uid(0xc004); // placed on old only, committed after the cut but before old's next heartbeat (H1)
  const V = uid(0xc005); // placed on old only, stamped before H1 but committed after it

  async function placeAt(client: import('pg').Client, id: string, at: string) {
    await client.query(
      `INSERT INTO orders (id, customer_id, status, total, idempotency_key, created_at, updated_at, version)
       VALUES ($1, 'c', 'placed', 10, $2, $3, $3, 1)`,
      [id, `idem-${id}`, at],
    );
  }
  const setStatus = (client: import('pg').Client, id: string, status: string, at: string) =>
    client.query(`UPDATE orders SET status = $2, updated_at = $3, version = version + 1 WHERE id = $1`, [
      id,
      status,
      at,
    ]);

  beforeAll(async () => {
    shop = await ShopServer.start({ track_commit_timestamp: 'on' });
    const oldUrl = await shop.createOrdersDatabase('ct_old');
    const iso = (ms: number) => new Date(ms).toISOString();
    const start = Date.now();
    await atTimes(oldUrl, async (c) => {
      for (const id of [X, Y, Z]) await placeAt(c, id, iso(start - 86_400_000));
    });
    await atTimes(oldUrl, (c) => setStatus(c, X, 'paid', iso(Date.now() - 5)));
    // Every commit above is now before the cut.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cut = Date.now();
    await atTimes(oldUrl, (c) => setHeartbeat(c, iso(cut), 'eu-west-1'));
    const newUrl = await shop.clone('ct_old', 'ct_new');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // On old only: W committed after the cut, then old's next heartbeat H1 (which never reached new): W may have
    // replicated. Then, committed after H1: Y stamped 10 s before the cut, Z stamped before the window (400 s), V
    // stamped before H1.
    const beforeH1 = iso(Date.now());
    await atTimes(oldUrl, (c) => placeAt(c, W, iso(Date.now())));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await atTimes(oldUrl, (c) => setHeartbeat(c, iso(Date.now()), 'eu-west-1'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await atTimes(oldUrl, async (c) => {
      await setStatus(c, Y, 'paid', iso(cut - 10_000));
      await setStatus(c, Z, 'paid', iso(cut - 400_000));
      await placeAt(c, V, beforeH1);
      await setHeartbeat(c, iso(Date.now()), 'eu-west-1');
    });
    // On new, after the failover: every row changed twice (versions above old's).
    await atTimes(newUrl, async (c) => {
      for (const id of [X, Y, Z]) {
        await setStatus(c, id, 'shipped', iso(cut + 30_000));
        await setStatus(c, id, 'cancelled', iso(cut + 40_000));
      }
    });
    report = await reconcile({
      oldUrl,
      newUrl,
      failoverAt: new Date(cut + 25_000),
      outDir: await mkdtemp(path.join(tmpdir(), 'reconcile-ct-')),
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('the server records commit times', async () => {
    const rows = await query<{ on: string }>(
      shop.url('ct_old'),
      `SELECT current_setting('track_commit_timestamp') AS on`,
    );
    expect(rows).toEqual([{ on: 'on' }]);
  });

  test('GIVEN old changed a row in the margin and that commit was before the cut THEN it is superseded by new', () => {
    expect(report.error).toBeNull();
    const row = report.tables.orders!.rows.find((r) => r.id === X);
    expect(row?.class).toBe('superseded');
    expect(row?.detail).toMatch(/^old's change committed at .*, before the cut, so it replicated/);
  });

  test('GIVEN old changed a row in the margin but committed after the cut THEN new changing it twice is a conflict', () => {
    const row = report.tables.orders!.rows.find((r) => r.id === Y);
    expect(row?.class).toBe('conflict');
    expect(row?.detail).toContain(', after replication had stopped, so it never replicated');
  });

  test('GIVEN a transaction that began before the window and committed after the cut THEN new changing the row twice does not hide it', () => {
    const row = report.tables.orders!.rows.find((r) => r.id === Z);
    expect(row?.class).toBe('conflict');
    expect(row?.detail).toContain(
      'after replication had stopped (a transaction that began before the window), so it never replicated',
    );
    expect(report.tables.orders!.newSideWrites).toBe(0);
  });

  test("GIVEN an order committed after the cut but before old's next heartbeat committed THEN it may have replicated (new may have deleted it): possibly lost, not a lost insert (review rv13c N1, N3)", () => {
    // H1's own commit time is not the bound (a commit is stamped before its WAL record is written): the next beat is.
    expect(report.replicationStop?.evidence).toMatch(
      /^old's first heartbeat after the cut \(.*\) never reached new, and had committed before the next one began/,
    );
    const row = report.tables.orders!.rows.find((r) => r.id === W);
    expect(row?.class).toBe('possibly_lost');
    expect(row?.proposedSql).toMatch(/^INSERT INTO/);
  });

  test("GIVEN an order stamped before old's next heartbeat but committed after it THEN it never replicated: a lost insert", () => {
    expect(report.tables.orders!.rows.find((r) => r.id === V)?.class).toBe('lost_insert');
  });
});
