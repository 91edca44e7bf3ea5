import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ReconcileReport, reconcile } from '../../../runbooks/reconcile';
import {
  atTimes,
  beatAfterCut,
  IDS,
  type OrderSpec,
  placeOrder,
  plus,
  ShopServer,
  setHeartbeat,
  TIMELINE,
  uid,
  updateOrder,
} from './shop-fixture';

const { cut, base } = TIMELINE;
const { X, Z } = IDS.products;

const S1 = uid(0x9001); // lost update on old; changed on new after the failover too
const S2 = uid(0x9002); // lost update on old only
const P = uid(0x9003); // lost order, re-placed on new as R
const R = uid(0x9004);

function order(id: string, customer: string, at: string, lines: [string, number][], n: number): OrderSpec {
  return {
    id,
    customer,
    at,
    items: lines.map(([product, quantity], k) => ({ id: uid(0x9100 + n * 16 + k), product, quantity })),
    addressId: uid(0x9200 + n),
    eventId: uid(0x9300 + n),
  };
}

/**
 * A failover where the new primary's clock runs `skewSeconds` behind the old one's and the promotion happens
 * `promotedAfter` seconds (real time) after the cut. What new writes is stamped by its clock: real time − skew.
 */
async function scenario(
  shop: ShopServer,
  prefix: string,
  options: { skewSeconds: number; promotedAfter: number; newWriterStarted: boolean },
): Promise<{ oldUrl: string; newUrl: string }> {
  const onNew = (realSecondsAfterCut: number) => plus(cut, realSecondsAfterCut - options.skewSeconds);
  const oldUrl = await shop.createOrdersDatabase(`${prefix}_old`);
  await atTimes(oldUrl, async (c) => {
    await placeOrder(c, order(S1, 'c-s1', base, [[X, 1]], 1));
    await placeOrder(c, order(S2, 'c-s2', base, [[X, 1]], 2));
    await setHeartbeat(c, cut, 'eu-west-1');
  });
  const newUrl = await shop.clone(`${prefix}_old`, `${prefix}_new`);
  await atTimes(oldUrl, async (c) => {
    await updateOrder(c, S1, plus(cut, 5), { status: 'paid' });
    await updateOrder(c, S2, plus(cut, 6), { status: 'paid' });
    await placeOrder(
      c,
      order(
        P,
        'c-re',
        plus(cut, 12),
        [
          [X, 1],
          [Z, 2],
        ],
        3,
      ),
    );
    await beatAfterCut(c, 20);
  });
  const promoted = options.promotedAfter;
  await atTimes(newUrl, async (c) => {
    if (options.newWriterStarted) await setHeartbeat(c, onNew(promoted + 1), 'us-east-1');
    await updateOrder(c, S1, onNew(promoted + 10), { status: 'cancelled' });
    await placeOrder(
      c,
      order(
        R,
        'c-re',
        onNew(promoted + 20),
        [
          [Z, 2],
          [X, 1],
        ],
        4,
      ),
    );
  });
  return { oldUrl, newUrl };
}

async function run(urls: { oldUrl: string; newUrl: string }, failoverAt: string): Promise<ReconcileReport> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'reconcile-clock-'));
  return reconcile({ ...urls, failoverAt: new Date(failoverAt), outDir });
}

function classes(report: ReconcileReport): Record<string, string> {
  return Object.fromEntries(report.tables.orders!.rows.map((r) => [r.id, r.class]));
}

describe('reconcile corrects for clock skew measured from the heartbeats, and for a late --failover-at', () => {
  let shop: ShopServer;

  beforeAll(async () => {
    shop = await ShopServer.start();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test("GIVEN the new primary's clock 90 s behind (its first heartbeat before the cut) WHEN new changed a row old had lost and the customer re-placed a lost order THEN the row is a conflict, not a lost update, and the order a possible duplicate", async () => {
    const urls = await scenario(shop, 'slow', { skewSeconds: 90, promotedAfter: 30, newWriterStarted: true });
    const report = await run(urls, plus(cut, 60));
    expect(report.error).toBeNull();
    expect(report.cutSource).toBe('handover');
    // R, present only on new and stamped before the cut by the slow clock, stays listed, with both explanations.
    expect(classes(report)).toEqual({
      [S1]: 'conflict',
      [S2]: 'lost_update',
      [P]: 'possible_duplicate',
      [R]: 'unexplained',
    });
    expect(report.tables.orders!.rows.find((r) => r.id === R)!.detail).toContain(
      "or a row the new primary wrote itself after the failover, stamped by a clock behind the old one's",
    );
    expect(report.clock).toEqual({
      source: 'first-heartbeat',
      firstNewHeartbeat: '2026-01-10T11:59:01.000000Z',
      gapSeconds: -59,
      newWritesFrom: '2026-01-10T11:58:56.000000Z',
      duplicatesSince: '2026-01-10T11:58:56.000000Z',
      lostUpdatesHeldBack: 1,
    });
    const s1 = report.tables.orders!.rows.find((r) => r.id === S1)!;
    expect(s1.proposedSql).toBeNull();
    expect(s1.detail).toContain(
      "with the new primary's clock behind the old one's it may be a change made on new after the failover",
    );
    expect(report.tables.orders!.rows.find((r) => r.id === P)!.duplicateOf).toBe(R);
  });

  test('GIVEN no heartbeat of the new Region yet (the cut from the replicated heartbeat) and a clock 120 s behind THEN the 5 min tolerance holds back the lost update and finds the re-placed order', async () => {
    const urls = await scenario(shop, 'nobeat', { skewSeconds: 120, promotedAfter: 30, newWriterStarted: false });
    const report = await run(urls, plus(cut, 60));
    expect(report.error).toBeNull();
    expect(report.cutSource).toBe('heartbeat');
    expect(classes(report)).toEqual({
      [S1]: 'conflict',
      [S2]: 'lost_update',
      [P]: 'possible_duplicate',
      [R]: 'unexplained',
    });
    expect(report.clock).toMatchObject({
      source: 'tolerance',
      firstNewHeartbeat: null,
      newWritesFrom: '2026-01-10T11:55:00.000000Z',
      duplicatesSince: '2026-01-10T11:55:00.000000Z',
    });
  });

  test('GIVEN --failover-at 3 min later than the real promotion (clocks in sync) THEN an order re-placed in between is still a possible duplicate: duplicates are searched from the earliest evidence', async () => {
    const urls = await scenario(shop, 'late', { skewSeconds: 0, promotedAfter: 30, newWriterStarted: true });
    const report = await run(urls, plus(cut, 210));
    expect(report.error).toBeNull();
    expect(classes(report)).toEqual({ [S1]: 'conflict', [S2]: 'lost_update', [P]: 'possible_duplicate' });
    expect(report.clock).toMatchObject({
      source: 'first-heartbeat',
      firstNewHeartbeat: '2026-01-10T12:00:31.000000Z',
      gapSeconds: 31,
      duplicatesSince: '2026-01-10T12:00:00.000000Z',
      lostUpdatesHeldBack: 0,
    });
  });
});
