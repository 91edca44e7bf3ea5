import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CanaryAlarms } from '../../drill/adapters/canary-alarms';
import { LocalGlobalCluster } from '../../drill/adapters/local-global-database';
import { LocalReadinessFacts } from '../../drill/adapters/local-readiness-facts';
import type { LocalServiceCapacity } from '../../drill/adapters/local-service-capacity';
import { ordersOnPrimary } from '../../drill/adapters/orders-on-primary';
import { RegionOutages } from '../../drill/adapters/region-outages';
import { ReplicatedPostgres } from '../../drill/stand-ins/replicated-postgres';
import { migrate } from '../../services/db/migrate';
import { withClient } from '../../services/db/with-client';
import { type ConnectionTerminator, terminateEachConnectionAfterConnect } from '../support/terminate-after-connect';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const SERVER_ENDED = /terminating connection due to administrator command/;
const ORDER_ID = '0190d4a4-0000-7000-8000-000000000001';

// A clean-clone CI run failed in shop-stop-while-starting with "Unhandled error. (error: terminating connection due
// to administrator command ... code: '57P01')": a server of the shop was stopped while one of the drill's
// short-lived pg clients was connected between two queries. pg reports that as an 'error' event on the client (no
// query to reject it to), and without a listener the event is thrown as an uncaught exception: in the drill, the
// process dies instead of the call failing. Every short-lived client of the drill and its stand-ins must turn it into
// the call's own failure. terminateEachConnectionAfterConnect makes it deterministic: the server ends each
// connection right after it is made.
describe('the drill when the server ends a connection while no query runs', () => {
  let dir: string;
  let pair: ReplicatedPostgres;
  let cluster: LocalGlobalCluster;
  let terminator: ConnectionTerminator | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pg-connection-lost-'));
    await chmod(dir, 0o755);
    pair = await ReplicatedPostgres.start({
      baseDir: dir,
      databases: ['orders'],
      prepare: async (url) => {
        await migrate(url, 'orders');
        // A heartbeat, so that the replication lag has a figure.
        await withClient(url, (client) =>
          client.query(`INSERT INTO replication_heartbeat (id, ts, region) VALUES (1, now(), '${EAST}')`),
        );
      },
    });
    cluster = new LocalGlobalCluster({
      globalClusterIdentifier: 'shop-drill-orders',
      database: 'orders',
      pair,
      primaryRegion: EAST,
      standbyRegion: WEST,
      clusterIdentifier: (region) => `shop-drill-orders-${region}`,
    });
    await pair.waitForCatchUp();
  }, 60_000);

  afterEach(() => {
    terminator?.restore();
    terminator = undefined;
  });

  afterAll(async () => {
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const facts = () =>
    new LocalReadinessFacts(
      {
        primaryRegion: EAST,
        standbyRegion: WEST,
        outages: new RegionOutages(),
        clusters: [cluster],
        alarms: {} as CanaryAlarms,
        serviceBuilds: () => ({}),
      },
      {} as LocalServiceCapacity,
    );

  test('GIVEN connections that stay up THEN every path below answers (the setup is sound)', async () => {
    expect(await pair.lagBytes()).toBe(0);
    expect(await pair.standbyInRecovery()).toBe(true);
    expect(await ordersOnPrimary(pair.primary.url('orders'), [ORDER_ID])).toEqual({ [ORDER_ID]: { present: false } });
    expect(await cluster.replicationLagSeconds(WEST)).toEqual(expect.any(Number));
    expect(Object.keys(await facts().clusters(EAST, ['shop-drill-orders-us-east-1']))).toEqual([
      'shop-drill-orders-us-east-1',
    ]);
  });

  describe('GIVEN the server ends each new connection before its first query', () => {
    beforeEach(() => {
      terminator = terminateEachConnectionAfterConnect();
    });

    test('WHEN PostgresServer creates a database THEN the call fails with the server’s error', async () => {
      await expect(pair.primary.createDatabase('never_created')).rejects.toThrow(SERVER_ENDED);
      expect(terminator?.terminated).toBe(1);
    });

    test('WHEN the migrations run THEN they fail with the server’s error', async () => {
      await expect(migrate(pair.primary.url('orders'), 'orders')).rejects.toThrow(SERVER_ENDED);
      expect(terminator?.terminated).toBe(1);
    });

    test('WHEN ReplicatedPostgres reads the lag or the standby’s recovery THEN each call fails with the server’s error', async () => {
      await expect(pair.lagBytes()).rejects.toThrow(SERVER_ENDED);
      await expect(pair.standbyInRecovery()).rejects.toThrow(SERVER_ENDED);
      expect(terminator?.terminated).toBe(2);
    });

    test('WHEN ReplicatedPostgres cuts the replication THEN the call fails with the server’s error', async () => {
      await expect(pair.cutReplication()).rejects.toThrow(SERVER_ENDED);
      expect(terminator?.terminated).toBe(1);
    });

    test('WHEN the drill reads the orders on the primary THEN the call fails with the server’s error', async () => {
      await expect(ordersOnPrimary(pair.primary.url('orders'), [ORDER_ID])).rejects.toThrow(SERVER_ENDED);
      expect(terminator?.terminated).toBe(1);
    });

    test('WHEN the global cluster measures the replication lag THEN it has no figure (undefined)', async () => {
      expect(await cluster.replicationLagSeconds(WEST)).toBeUndefined();
      // It reads both servers at once and answers at the first failure: the other read ends on its own.
      const deadline = Date.now() + 10_000;
      while (terminator!.terminated < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(terminator?.terminated).toBe(2);
    });

    test('WHEN the readiness facts read the engine version THEN the cluster has no facts', async () => {
      expect(await facts().clusters(EAST, ['shop-drill-orders-us-east-1'])).toEqual({});
      expect(terminator?.terminated).toBe(1);
    });
  });
});
