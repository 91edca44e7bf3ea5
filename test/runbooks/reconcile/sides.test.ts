import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresServer } from '../../../drill/stand-ins/postgres-server';
import { ReplicatedPostgres } from '../../../drill/stand-ins/replicated-postgres';
import { applyReport, type ReconcileOptions, type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import { migrate } from '../../../services/db/migrate';
import {
  atTimes,
  buildOrdersScenario,
  IDS,
  placeOrder,
  plus,
  query,
  ShopServer,
  setHeartbeat,
  TIMELINE,
  uid,
  updateOrder,
} from './shop-fixture';

const { cut, failoverAt, base } = TIMELINE;

/** The same database under another spelling of its URL: localhost for 127.0.0.1, query parameters, a user. */
function alias(url: string, user?: string): string {
  const parsed = new URL(url);
  parsed.hostname = 'localhost';
  if (user) parsed.username = user;
  parsed.searchParams.set('application_name', 'someone-else');
  parsed.searchParams.set('connect_timeout', '7');
  return parsed.toString();
}

async function run(options: Omit<ReconcileOptions, 'outDir' | 'failoverAt'> & { failoverAt?: Date }) {
  const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-sides-'));
  const report = await reconcile({ failoverAt: new Date(failoverAt), ...options, outDir });
  return { report, outDir };
}

function expectRefusedAsSides(report: ReconcileReport, pattern: RegExp): void {
  expect(report.status).toBe('failed');
  expect(report.error?.step).toBe('sides');
  expect(report.error?.message).toMatch(pattern);
  expect(report.totals.lost_insert).toBe(0);
}

/**
 * A real failover: a primary streaming to a hot standby; the stream is cut, the primary takes writes that never
 * replicate and crashes; the standby is promoted (a new timeline) and its Region's heartbeat writer takes over
 * (the handover trigger fires); the crashed primary's data directory comes back as the "restored snapshot".
 */
describe('reconcile and apply identify the two sides by what the databases say, on a real streaming-replication failover', () => {
  let dir: string;
  let pair: ReplicatedPostgres;
  let snapshot: PostgresServer;
  let oldUrl: string;
  let newUrl: string;
  const lost = uid(0x7001);
  const kept = uid(0x7002);
  // Placed just after the cut heartbeat, before replication stopped: it replicated, and new deleted it after the
  // failover (review rv13c N1). Nothing on old tells it from a lost order: reconcile must not call it lost.
  const deletedByNew = uid(0x7003);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'reconcile-sides-'));
    pair = await ReplicatedPostgres.start({
      baseDir: dir,
      databases: ['orders'],
      prepare: async (url) => {
        await migrate(url, 'orders');
      },
    });
    const primary = pair.primary.url('orders');
    await atTimes(primary, async (c) => {
      await placeOrder(c, {
        id: kept,
        customer: 'c-kept',
        at: base,
        items: [{ id: uid(0x7101), product: IDS.products.X, quantity: 1 }],
        addressId: uid(0x7201),
        eventId: uid(0x7301),
      });
      await setHeartbeat(c, cut, 'eu-west-1');
    });
    await atTimes(primary, (c) =>
      placeOrder(c, {
        id: deletedByNew,
        customer: 'c-deleted',
        at: plus(cut, 0.3),
        items: [{ id: uid(0x7103), product: IDS.products.Z, quantity: 1 }],
        addressId: uid(0x7203),
        eventId: uid(0x7303),
      }),
    );
    await pair.waitForCatchUp();
    await pair.cutReplication();
    // Old's writer goes on beating, one transaction a second; the first of these never reached new.
    for (const second of [1, 2]) await atTimes(primary, (c) => setHeartbeat(c, plus(cut, second), 'eu-west-1'));
    await atTimes(primary, async (c) => {
      await placeOrder(c, {
        id: lost,
        customer: 'c-lost',
        at: plus(cut, 10),
        items: [{ id: uid(0x7102), product: IDS.products.Y, quantity: 2 }],
        addressId: uid(0x7202),
        eventId: uid(0x7302),
      });
      await updateOrder(c, kept, plus(cut, 5), { status: 'paid' });
      await setHeartbeat(c, plus(cut, 20), 'eu-west-1');
    });
    await pair.primary.crash();
    await pair.promoteStandby();
    newUrl = pair.standby.url('orders');
    await atTimes(newUrl, async (c) => {
      await setHeartbeat(c, plus(failoverAt, 1), 'us-east-1');
      for (const table of ['order_events', 'order_items', 'shipping_addresses'])
        await c.query(`DELETE FROM ${table} WHERE order_id = $1`, [deletedByNew]);
      await c.query('DELETE FROM orders WHERE id = $1', [deletedByNew]);
    });
    snapshot = await pair.restoreOldPrimarySnapshot();
    oldUrl = snapshot.url('orders');
    await query(oldUrl, 'CREATE ROLE auditor LOGIN SUPERUSER');
    await query(newUrl, 'CREATE ROLE auditor LOGIN SUPERUSER');
  }, 120_000);

  afterAll(async () => {
    await snapshot?.stop();
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('GIVEN the snapshot and the promoted primary THEN the report is complete and records both identities: one system, the promoted one on the next timeline', async () => {
    const { report } = await run({ oldUrl, newUrl });
    expect(report.error).toBeNull();
    expect(report.cutSource).toBe('handover');
    expect(report.tables.orders!.rows.map((r) => [r.class, r.id])).toEqual([
      ['lost_insert', lost],
      ['lost_update', kept],
      ['possibly_lost', deletedByNew],
    ]);
    expect(report.replicationStop?.mayHaveReplicatedUntil).toBe(plus(cut, 2).replace('Z', '000Z'));
    const { old, new: current } = report.databases;
    expect(old.identity?.systemIdentifier).toMatch(/^\d+$/);
    expect(current.identity?.systemIdentifier).toBe(old.identity?.systemIdentifier);
    expect(current.identity!.timelineId).toBe(old.identity!.timelineId! + 1);
    expect([old.identity?.inRecovery, current.identity?.inRecovery]).toEqual([false, false]);
  });

  test.each([
    ['the snapshot twice (heartbeat cut)', () => ({ oldUrl, newUrl: alias(oldUrl) })],
    ['the snapshot twice, another user', () => ({ oldUrl, newUrl: alias(oldUrl, 'auditor') })],
    ['the new primary twice (handover cut)', () => ({ oldUrl: alias(newUrl, 'auditor'), newUrl })],
    ['the snapshot twice with --cut', () => ({ oldUrl: alias(oldUrl), newUrl: oldUrl, cut: new Date(cut) })],
    ['the new primary twice with --cut', () => ({ oldUrl: newUrl, newUrl: alias(newUrl), cut: new Date(cut) })],
  ])('GIVEN %s under two URL spellings THEN reconcile refuses before comparing anything', async (_, urls) => {
    const { report } = await run(urls());
    expectRefusedAsSides(report, /^--old-url and --new-url reach the same database \(database "orders" \(oid \d+\)/);
    expect(report.timings.map((t) => t.step)).not.toContain('cut');
  });

  test.each([
    ['handover cut', {}],
    ['--cut', { cut: new Date(cut) }],
  ])(
    'GIVEN old and new swapped (%s) THEN reconcile refuses: the old side is on the later timeline',
    async (_, extra) => {
      const { report } = await run({ oldUrl: newUrl, newUrl: alias(oldUrl, 'auditor'), ...extra });
      expectRefusedAsSides(
        report,
        /^--old-url and --new-url look swapped: both are copies of one system \(identifier \d+\) and the old side is on timeline 2, later than the new side's 1\./,
      );
    },
  );

  test('GIVEN a report of this failover WHEN apply targets the restored snapshot (same database name) THEN it refuses and writes nothing; the promoted primary under another URL spelling is accepted', async () => {
    const { report, outDir } = await run({ oldUrl, newUrl });
    expect(report.status).toBe('complete');
    const before = await query(oldUrl, 'SELECT id::text, status, version FROM orders ORDER BY id');
    const refused = await applyReport({ reportDir: outDir, newUrl: alias(oldUrl, 'auditor') });
    expect(refused.status).toBe('failed');
    expect(refused.changes).toBe(0);
    expect(refused.error).toMatch(
      /^--new-url: the target is not the new primary the report compared: timeline 1, the report's new primary was on 2\. It matches the report's OLD side \(the restored snapshot\)/,
    );
    expect(await query(oldUrl, 'SELECT id::text, status, version FROM orders ORDER BY id')).toEqual(before);

    const applied = await applyReport({ reportDir: outDir, newUrl: alias(newUrl, 'auditor') });
    expect(applied.error).toBeNull();
    // Partial: the possibly lost order is a lost row apply left out (without --replay-possibly-lost).
    expect(applied.status).toBe('partial');
    expect(applied.notApplied).toEqual([]);
    expect(applied.tables.orders).toMatchObject({ inserted: 1, updated: 1 });
    // The order new deleted after the failover is left for a person, never re-created.
    expect(applied.leftForPerson).toContainEqual(expect.objectContaining({ id: deletedByNew, class: 'possibly_lost' }));
    expect(await query(newUrl, 'SELECT id FROM orders WHERE id = $1', [deletedByNew])).toEqual([]);
  });

  // Review 13 item 14 (probe y): a physical copy of the new primary has its system identifier, timeline and
  // database oid; only its server's start time and address tell it apart. Last in this describe: it stops the
  // promoted primary.
  test('GIVEN a report WHEN apply targets a physical clone of the new primary (its data directory copied and started) THEN it refuses naming the start time and address, unless --accept-target-change', async () => {
    const { report, outDir } = await run({ oldUrl, newUrl });
    expect(report.error).toBeNull();
    expect(report.databases.new.identity?.serverAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    await pair.standby.stop();
    await PostgresServer.copyDataDir(pair.standby.dataDir, path.join(dir, 'clone'));
    const clone = await PostgresServer.start({ dataDir: path.join(dir, 'clone') });
    try {
      const refused = await applyReport({ reportDir: outDir, newUrl: clone.url('orders') });
      expect(refused.status).toBe('failed');
      expect(refused.changes).toBe(0);
      expect(refused.error).toMatch(
        /^--new-url: the target has the report's system identifier, timeline and database, but is not the server instance reconcile read: its server started at .*, the report's new primary at .*; it answers on 127\.0\.0\.1:\d+, the report's new primary on 127\.0\.0\.1:\d+\. A physical copy of the new primary .* pass --accept-target-change\.$/,
      );
      const accepted = await applyReport({ reportDir: outDir, newUrl: clone.url('orders'), acceptTargetChange: true });
      expect(accepted.error).toBeNull();
    } finally {
      await clone.stop();
    }
  });
});

/** Two databases of one server (TEMPLATE copies), where timelines and system identifiers cannot tell them apart. */
describe('reconcile refuses swapped sides by their heartbeats and handovers', () => {
  let shop: ShopServer;
  let urls: { oldUrl: string; newUrl: string };

  beforeAll(async () => {
    shop = await ShopServer.start();
    urls = await buildOrdersScenario(shop, 'swap');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('GIVEN the sides swapped before the new writer wrote WHEN the cut is given with --cut THEN the new side holds a later heartbeat of the old Region and reconcile refuses', async () => {
    const { report } = await run({ oldUrl: urls.newUrl, newUrl: urls.oldUrl, cut: new Date(cut) });
    expectRefusedAsSides(
      report,
      /^the new side has a heartbeat of eu-west-1 \(2026-01-10T12:00:20\.000000Z\) later than the old side's last one \(2026-01-10T12:00:00\.000000Z\)/,
    );
  });

  test('GIVEN the sides swapped after the new writer took over WHEN the cut is given with --cut THEN the old side holds the promotion (a handover the new side lacks) and reconcile refuses', async () => {
    const swapNew = await shop.clone('swap_new', 'swap2_new');
    await atTimes(swapNew, (c) => setHeartbeat(c, plus(failoverAt, 1), 'us-east-1'));
    const { report } = await run({ oldUrl: swapNew, newUrl: urls.oldUrl, cut: new Date(cut) });
    expectRefusedAsSides(
      report,
      /^--old-url and --new-url look swapped: the old side recorded a handover from eu-west-1 to us-east-1 \(first heartbeat 2026-01-10T12:01:01\.000000Z/,
    );
    // The right way round, the same two databases give a complete report.
    const { report: right } = await run({ oldUrl: urls.oldUrl, newUrl: swapNew });
    expect(right.error).toBeNull();
  });

  test('GIVEN the old database itself as both sides under two spellings THEN reconcile refuses', async () => {
    const { report } = await run({ oldUrl: urls.oldUrl, newUrl: alias(urls.oldUrl) });
    expectRefusedAsSides(report, /^--old-url and --new-url reach the same database \(database "swap_old"/);
  });

  test('GIVEN a report WHEN apply targets the other database of the same server (the old one) THEN it refuses by database oid', async () => {
    const { report, outDir } = await run({ ...urls });
    expect(report.error).toBeNull();
    const result = await applyReport({ reportDir: outDir, newUrl: urls.oldUrl });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^--new-url: the target is not the new primary the report compared: database oid \d+ \("swap_old"\), the report's is \d+ \("swap_new"\)\. It matches the report's OLD side/,
    );
  });
});

/**
 * Review 13, D1: after an unplanned Aurora Global failover the failed Region's cluster rejoins as a secondary of
 * the new primary, so its endpoint is a hot standby of new. Given as --old-url it shows new's data: with --cut the
 * report used to be complete with nothing lost.
 */
describe('reconcile refuses a replica on either side (review 13 D1, D1b)', () => {
  let dir: string;
  let ofNew: ReplicatedPostgres;
  let ofSnapshot: ReplicatedPostgres;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'reconcile-replicas-'));
    const prepare = async (url: string) => {
      await migrate(url, 'orders');
    };
    ofNew = await ReplicatedPostgres.start({ baseDir: path.join(dir, 'new'), databases: ['orders'], prepare });
    const newUrl = ofNew.primary.url('orders');
    await atTimes(newUrl, async (c) => {
      await placeOrder(c, {
        id: uid(0x7401),
        customer: 'c1',
        at: base,
        items: [{ id: uid(0x7411), product: IDS.products.X, quantity: 1 }],
        addressId: uid(0x7421),
        eventId: uid(0x7431),
      });
      await updateOrder(c, uid(0x7401), plus(cut, -5), { status: 'paid' });
      await setHeartbeat(c, cut, 'eu-west-1');
    });
    await atTimes(newUrl, (c) => setHeartbeat(c, plus(failoverAt, 1), 'us-east-1'));
    await ofNew.waitForCatchUp();

    ofSnapshot = await ReplicatedPostgres.start({ baseDir: path.join(dir, 'snap'), databases: ['orders'], prepare });
    await atTimes(ofSnapshot.primary.url('orders'), async (c) => {
      await setHeartbeat(c, cut, 'eu-west-1');
      await placeOrder(c, {
        id: uid(0x7402),
        customer: 'c-lost',
        at: plus(cut, 10),
        items: [{ id: uid(0x7412), product: IDS.products.Y, quantity: 2 }],
        addressId: uid(0x7422),
        eventId: uid(0x7432),
      });
      await setHeartbeat(c, plus(cut, 20), 'eu-west-1');
    });
    await ofSnapshot.waitForCatchUp();
  }, 180_000);

  afterAll(async () => {
    await ofNew?.stop();
    await ofSnapshot?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    ['with --cut', { cut: new Date(cut) }],
    ['without --cut', {}],
  ])(
    'GIVEN a hot standby of the new primary as --old-url (%s) THEN reconcile refuses: the old side is a replica; pass the restored snapshot',
    async (_, extra) => {
      const { report } = await run({
        oldUrl: ofNew.standby.url('orders'),
        newUrl: ofNew.primary.url('orders'),
        ...extra,
      });
      expect(report.databases.old.identity?.inRecovery).toBe(true);
      expectRefusedAsSides(
        report,
        /^--old-url reaches a replica: pg_is_in_recovery\(\) is true on the old side \(database "orders".*Pass as --old-url the writer \(cluster\) endpoint of the cluster restored from the old primary's snapshot/,
      );
      expect(report.error?.message).not.toMatch(/--new-url reaches a replica/);
    },
  );

  test('GIVEN a hot standby of the restored snapshot as --new-url THEN reconcile refuses: the new side is a replica; pass the writer of the new primary', async () => {
    const { report } = await run({
      oldUrl: ofSnapshot.primary.url('orders'),
      newUrl: ofSnapshot.standby.url('orders'),
    });
    expect(report.databases.new.identity?.inRecovery).toBe(true);
    expectRefusedAsSides(
      report,
      /^--new-url reaches a replica: pg_is_in_recovery\(\) is true on the new side .*Pass as --new-url the writer \(cluster\) endpoint of the promoted new primary\.$/,
    );
  });

  test('GIVEN standbys on both sides THEN both are named', async () => {
    const { report } = await run({ oldUrl: ofNew.standby.url('orders'), newUrl: ofSnapshot.standby.url('orders') });
    expectRefusedAsSides(report, /^--old-url reaches a replica: .* --new-url reaches a replica: /);
  });
});

/**
 * The same evidence without recovery: a writable copy of the new primary taken after its writer took over (a
 * replica promoted since, a restore of the new primary) given as --old-url holds new's handover and a heartbeat of
 * new's Region, equal to new's own: checkNotSwapped's "later heartbeat" rule does not see equal heartbeats.
 */
describe("reconcile refuses an old side that holds the new primary's own handover and heartbeat (review 13 D1)", () => {
  let shop: ShopServer;
  let urls: { oldUrl: string; newUrl: string };

  beforeAll(async () => {
    shop = await ShopServer.start();
    urls = await buildOrdersScenario(shop, 'copy');
    await atTimes(urls.newUrl, (c) => setHeartbeat(c, plus(failoverAt, 1), 'us-east-1'));
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test.each([
    ['with --cut', { cut: new Date(cut) }],
    ['without --cut', {}],
  ])(
    'GIVEN a copy of the new primary as --old-url (%s) THEN reconcile refuses at sides, naming the evidence',
    async (_, extra) => {
      const copyOfNew = await shop.clone('copy_new', `copy_of_new_${'cut' in extra ? 'cut' : 'nocut'}`);
      const { report } = await run({ oldUrl: copyOfNew, newUrl: urls.newUrl, ...extra });
      expectRefusedAsSides(
        report,
        /^the old side holds the new primary's handover from eu-west-1 to us-east-1 \(first heartbeat 2026-01-10T12:01:01\.000000Z\) and a heartbeat of us-east-1 at 2026-01-10T12:01:01\.000000Z, written by the new primary's writer .* --old-url reaches a copy of the new primary/,
      );
    },
  );

  test('GIVEN the real old side and the new primary after its writer took over THEN the report is complete', async () => {
    const { report } = await run({ ...urls });
    expect(report.error).toBeNull();
    expect(report.cutSource).toBe('handover');
  });
});
