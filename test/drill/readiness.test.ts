import type { DrillPorts } from '../../drill/adapters/drill-ports';
import { serviceBuild } from '../../drill/adapters/service-build';
import { DRILL_NAMES, DRILL_SERVICES } from '../../drill/drill-topology';
import type { TwoRegionShop } from '../../drill/two-region-shop';
import { withClient } from '../../services/db/with-client';
import { type RunningShop, startRunningShop } from './running-shop';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const CLUSTER = (region: string) => `shop-drill-${region}`;

async function serverVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version,
  );
}

// One two-Region shop (2 Postgres pairs, 2 dynalite, 2 × 5 services) for every test of this file: starting it is
// the slow part. Each test that makes a Region drift puts it back before it ends.
describe('the drill readiness on a running two-Region shop', () => {
  let shop: TwoRegionShop;
  let drill: DrillPorts;
  let running: RunningShop | undefined;

  beforeAll(async () => {
    running = await startRunningShop('dr-');
    ({ shop, drill } = running);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  describe('LocalReadinessFacts', () => {
    test("each cluster's engine version is its Postgres server's server_version", async () => {
      const ids = (region: string) => ['catalog', 'orders'].map((d) => DRILL_NAMES.cluster(d, region));
      const [east, west] = await Promise.all([
        drill.facts.clusters(EAST, ids(EAST)),
        drill.facts.clusters(WEST, ids(WEST)),
      ]);
      const expected = (await serverVersion(shop.clusters.orders.urlIn(WEST))).split(' ')[0];
      expect(expected).toMatch(/^\d+\.\d+/);
      expect(Object.values({ ...east, ...west }).map((c) => [c.clusterIdentifier, c.engineVersion])).toEqual(
        [...ids(EAST), ...ids(WEST)].map((id) => [id, expected]),
      );
      expect(east[DRILL_NAMES.cluster('orders', EAST)]).toEqual({
        clusterIdentifier: DRILL_NAMES.cluster('orders', EAST),
        engine: 'postgres',
        engineVersion: expected,
        backupRetentionDays: 35,
        status: 'available',
      });
    });

    test('both Regions run the same code: one digest of the service folder, equal normalised settings', async () => {
      const [east, west] = await Promise.all([
        drill.facts.services(EAST, CLUSTER(EAST), DRILL_SERVICES),
        drill.facts.services(WEST, CLUSTER(WEST), DRILL_SERVICES),
      ]);
      expect(Object.keys(east).sort()).toEqual([...DRILL_SERVICES].sort());
      const orders = east['orders']!;
      expect(orders.runningDigests).toEqual({ orders: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)] });
      expect(west['orders']!.runningDigests).toEqual(orders.runningDigests);
      expect(east['ui']!.runningDigests).not.toEqual(orders.runningDigests);
      expect(west['ui']!.settings).toEqual(east['ui']!.settings);
      expect(orders.settings).toEqual({
        entry: 'services/orders/server.ts',
        environment: expect.objectContaining({
          REGION: '<region>',
          DATABASE_URL: '<address>',
          PORT: '<address>',
          CUSTOMER_COOKIE_SECRET: expect.stringMatching(/^<secret sha256:[0-9a-f]{12}>$/),
        }),
      });
      expect(JSON.stringify(orders.settings)).not.toContain(EAST);
      expect({ desired: orders.desired, running: orders.running, vcpu: orders.vcpu }).toEqual({
        desired: 1,
        running: 1,
        vcpu: 0.25,
      });
    });

    test('a Region on another build of a service shows another digest for that service only', async () => {
      await shop.restartServices(WEST, { build: { orders: 'hotfix-1' } });
      try {
        const [east, west] = await Promise.all([
          drill.facts.services(EAST, CLUSTER(EAST), DRILL_SERVICES),
          drill.facts.services(WEST, CLUSTER(WEST), DRILL_SERVICES),
        ]);
        expect(west['orders']!.runningDigests).not.toEqual(east['orders']!.runningDigests);
        expect(west['catalog']!.runningDigests).toEqual(east['catalog']!.runningDigests);
        expect(west['orders']!.settings).toEqual(east['orders']!.settings);
      } finally {
        await shop.restartServices(WEST);
      }
    });

    test('a Region with other settings shows them; a secret differs by its hash only', async () => {
      await shop.restartServices(WEST, { env: { CATALOG_CACHE_TTL_MS: '5000' } });
      try {
        const [east, west] = await Promise.all([
          drill.facts.services(EAST, CLUSTER(EAST), ['catalog']),
          drill.facts.services(WEST, CLUSTER(WEST), ['catalog']),
        ]);
        expect((west['catalog']!.settings as { environment: object }).environment).toEqual(
          expect.objectContaining({ CATALOG_CACHE_TTL_MS: '5000' }),
        );
        expect((east['catalog']!.settings as { environment: object }).environment).not.toHaveProperty(
          'CATALOG_CACHE_TTL_MS',
        );
      } finally {
        await shop.restartServices(WEST);
      }
    });

    test('the canary alarms follow the canary runs, since the state changed', async () => {
      const names = [DRILL_NAMES.canaryAlarm(EAST)];
      shop.canaryAlarms.recordRun(true, new Date('2026-01-01T00:00:00Z'));
      shop.canaryAlarms.recordRun(true, new Date('2026-01-01T00:01:00Z'));
      expect(await drill.facts.alarms(EAST, names)).toEqual({
        [names[0]!]: { name: names[0], state: 'OK', since: new Date('2026-01-01T00:00:00Z') },
      });
      shop.canaryAlarms.recordRun(false, new Date('2026-01-01T00:02:00Z'));
      expect((await drill.facts.alarms(WEST, [DRILL_NAMES.canaryAlarm(WEST)]))[DRILL_NAMES.canaryAlarm(WEST)]).toEqual({
        name: DRILL_NAMES.canaryAlarm(WEST),
        state: 'ALARM',
        since: new Date('2026-01-01T00:02:00Z'),
      });
      shop.canaryAlarms.recordRun(true);
      expect(await drill.facts.alarms(EAST, ['no-such-alarm'])).toEqual({});
    });

    test('a Region that is down answers nothing', async () => {
      shop.outages.fail(WEST);
      try {
        await expect(drill.facts.services(WEST, CLUSTER(WEST), DRILL_SERVICES)).rejects.toThrow(
          'the ECS API of us-west-2 does not answer (Region down)',
        );
        await expect(drill.facts.clusters(WEST, [])).rejects.toThrow('the RDS API of us-west-2 does not answer');
        await expect(drill.facts.peakRunningTasks(WEST, CLUSTER(WEST), DRILL_SERVICES, 24)).rejects.toThrow(
          'the CloudWatch API of us-west-2 does not answer',
        );
        await expect(drill.capacity.describe(WEST, CLUSTER(WEST), DRILL_SERVICES)).rejects.toThrow(
          'the ECS API of us-west-2 does not answer',
        );
        expect(await drill.facts.peakRunningTasks(EAST, CLUSTER(EAST), ['orders', 'nope'], 24)).toEqual({
          orders: 2,
          nope: undefined,
        });
      } finally {
        shop.outages.restore(WEST);
      }
    });
  });

  describe('LocalServiceCapacity', () => {
    test('a scale-up is visible: minimum and desired kept per service, running follows once the tasks started', async () => {
      const { capacity } = drill;
      const before = capacity.changes().length;
      await capacity.setScalingMinimum(WEST, CLUSTER(WEST), 'orders', 3);
      await capacity.setDesiredCount(WEST, CLUSTER(WEST), 'orders', 3);
      try {
        expect(await capacity.scalingMinimums(WEST, CLUSTER(WEST), ['orders', 'ui'])).toEqual({ orders: 3, ui: 1 });
        expect((await capacity.describe(WEST, CLUSTER(WEST), ['orders']))['orders']).toEqual({
          desired: 3,
          running: 1,
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(await capacity.describe(WEST, CLUSTER(WEST), ['orders', 'ui', 'nope'])).toEqual({
          orders: { desired: 3, running: 3 },
          ui: { desired: 1, running: 1 },
        });
        expect(await drill.ports.health.runningTasks(WEST, CLUSTER(WEST), ['orders'])).toEqual({ orders: 3 });
        expect(await drill.facts.scalingLimits(WEST, CLUSTER(WEST), ['orders'])).toEqual({
          orders: { min: 3, max: 4 },
        });
        expect(await drill.facts.fargateVcpuQuota(WEST)).toEqual({ limit: 16, used: (3 + 4) * 0.25 });
        expect(
          capacity
            .changes()
            .slice(before)
            .map(({ at: _at, ...c }) => c),
        ).toEqual([
          { region: WEST, service: 'orders', kind: 'minimum', from: 1, to: 3 },
          { region: WEST, service: 'orders', kind: 'desired', from: 1, to: 3 },
        ]);
      } finally {
        await capacity.setScalingMinimum(WEST, CLUSTER(WEST), 'orders', 1);
        await capacity.setDesiredCount(WEST, CLUSTER(WEST), 'orders', 1);
      }
    });

    // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html: "If the
    // specified resource is not active in the target service, this operation does not change the resource's current
    // capacity. Otherwise, it changes the resource's current capacity to a value that is inside of this range."
    test('a scaling minimum above the desired count raises the desired count into the range; a lower one leaves it', async () => {
      const { capacity } = drill;
      const before = capacity.changes().length;
      try {
        await capacity.setScalingMinimum(WEST, CLUSTER(WEST), 'carts', 2);
        expect((await capacity.describe(WEST, CLUSTER(WEST), ['carts']))['carts']?.desired).toBe(2);
        await capacity.setScalingMinimum(WEST, CLUSTER(WEST), 'carts', 1);
        expect((await capacity.describe(WEST, CLUSTER(WEST), ['carts']))['carts']?.desired).toBe(2);
        expect(
          capacity
            .changes()
            .slice(before)
            .map(({ at: _at, ...c }) => c),
        ).toEqual([
          { region: WEST, service: 'carts', kind: 'minimum', from: 1, to: 2 },
          { region: WEST, service: 'carts', kind: 'desired', from: 1, to: 2 },
          { region: WEST, service: 'carts', kind: 'minimum', from: 2, to: 1 },
        ]);
      } finally {
        await capacity.setScalingMinimum(WEST, CLUSTER(WEST), 'carts', 1);
        await capacity.setDesiredCount(WEST, CLUSTER(WEST), 'carts', 1);
      }
    });

    test('refuses what ECS and Application Auto Scaling refuse, naming the value and what is accepted', async () => {
      await expect(drill.capacity.setDesiredCount(WEST, CLUSTER(WEST), 'payments', 2)).rejects.toThrow(
        'service payments does not exist in us-west-2; accepted: ui, catalog, carts, orders, checkout',
      );
      await expect(drill.capacity.setDesiredCount(WEST, CLUSTER(WEST), 'orders', -1)).rejects.toThrow(
        'count: -1 is not accepted; accepted: an integer of at least 0',
      );
      await expect(drill.capacity.setScalingMinimum(WEST, CLUSTER(WEST), 'orders', 5)).rejects.toThrow(
        'minimum of orders in us-west-2: 5 is above its maximum 4; accepted: 0 to 4',
      );
    });

    test("a Region's stopped services run no task", async () => {
      await shop.stopServices(WEST);
      try {
        expect(await drill.capacity.describe(WEST, CLUSTER(WEST), ['orders'])).toEqual({
          orders: { desired: 1, running: 0 },
        });
        expect((await drill.facts.services(WEST, CLUSTER(WEST), ['orders']))['orders']!.runningDigests).toEqual({});
      } finally {
        await shop.restartServices(WEST);
      }
    });
  });
});

// The digest is of the code on disk: the same files give the same digest.
test('serviceBuild digests the service folder with the shared folders, and a label changes it', () => {
  const a = serviceBuild('orders', { REGION: EAST });
  expect(serviceBuild('orders', { REGION: WEST }).digest).toBe(a.digest);
  expect(serviceBuild('orders', {}, 'x').digest).not.toBe(a.digest);
  expect(serviceBuild('catalog', {}).digest).not.toBe(a.digest);
});
