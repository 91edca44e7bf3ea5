import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reconcile } from '../../../runbooks/reconcile';
import { migrate } from '../../../services/db/migrate';
import { atTimes, beatAfterCut, plus, query, ShopServer, setHeartbeat, TIMELINE, uid } from './shop-fixture';

describe('reconcile on the catalog database (any schema that follows the rules)', () => {
  let shop: ShopServer;

  beforeAll(async () => {
    shop = await ShopServer.start();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('compares every eligible table, finds a lost price change and a lost product, and skips the order-only duplicate check', async () => {
    await shop.server.createDatabase('cat_old');
    const oldUrl = shop.url('cat_old');
    await migrate(oldUrl, 'catalog');
    await atTimes(oldUrl, async (c) => {
      await c.query(
        `INSERT INTO products (id, name, description, price, image_url, created_at, updated_at, version)
         VALUES ($1, 'Kettle', 'Boils water', 30, '/k.png', $2, $2, 1)`,
        [uid(0xc1), TIMELINE.base],
      );
      await setHeartbeat(c, TIMELINE.cut, 'eu-west-1');
    });
    const newUrl = await shop.clone('cat_old', 'cat_new');
    await atTimes(oldUrl, async (c) => {
      await c.query(`UPDATE products SET price = 25, updated_at = $2, version = version + 1 WHERE id = $1`, [
        uid(0xc1),
        plus(TIMELINE.cut, 4),
      ]);
      await c.query(
        `INSERT INTO products (id, name, description, price, image_url, created_at, updated_at, version)
         VALUES ($1, 'Toaster', 'Toasts', 40, '/t.png', $2, $2, 1)`,
        [uid(0xc2), plus(TIMELINE.cut, 6)],
      );
      await beatAfterCut(c, 10);
    });
    const report = await reconcile({
      oldUrl,
      newUrl,
      failoverAt: new Date(TIMELINE.failoverAt),
      outDir: await mkdtemp(path.join(tmpdir(), 'reconcile-catalog-')),
    });
    expect(report.error).toBeNull();
    expect(Object.keys(report.tables)).toEqual(['product_tags', 'products', 'tags']);
    expect(report.tables.products!.rows.map((r) => [r.class, r.id])).toEqual([
      ['lost_insert', uid(0xc2)],
      ['lost_update', uid(0xc1)],
    ]);
    expect(report.tables.products!.rows[1]!.detail).toContain('columns that differ: price');
    const seeded = await query<{ n: string }>(oldUrl, 'SELECT count(*)::text AS n FROM products');
    expect(report.tables.products!.counts.identical + 2).toBe(Number(seeded[0]!.n));
    expect(report.totals).toMatchObject({
      lost_insert: 1,
      lost_update: 1,
      conflict: 0,
      possible_duplicate: 0,
      unexplained: 0,
    });
  });
});
