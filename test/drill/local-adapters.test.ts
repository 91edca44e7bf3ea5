import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalGlobalCluster } from '../../drill/adapters/local-global-database';
import { LocalRoutingControl } from '../../drill/adapters/local-routing-control';
import { renderDrillHtml } from '../../drill/report/drill-html';
import { newDrillReport } from '../../drill/report/drill-report';
import { PostgresServer } from '../../drill/stand-ins/postgres-server';
import { ReplicatedPostgres } from '../../drill/stand-ins/replicated-postgres';
import { NonRetriableError } from '../../runbooks/core/errors';
import { withClient } from '../../services/db/with-client';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(sql, params)).rows as T[]);
}

const until = async (done: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 30_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('LocalRoutingControl', () => {
  const controls = [
    { control: 'arn:east', region: EAST, initialState: 'On' as const },
    { control: 'arn:west', region: WEST, initialState: 'Off' as const },
  ];

  test('moves traffic with both controls in one request, and the front door follows', async () => {
    const seen: unknown[] = [];
    const routing = new LocalRoutingControl(controls, (states) => seen.push(states));
    expect(routing.activeRegion()).toBe(EAST);

    await routing.setStates([
      { control: 'arn:west', state: 'On' },
      { control: 'arn:east', state: 'Off' },
    ]);

    expect(await routing.getStates(['arn:east', 'arn:west'])).toEqual({ 'arn:east': 'Off', 'arn:west': 'On' });
    expect(routing.activeRegion()).toBe(WEST);
    expect(seen).toEqual([{ [EAST]: 'Off', [WEST]: 'On' }]);
  });

  test('the safety rule rejects a change that would leave every Region Off, as a whole', async () => {
    const routing = new LocalRoutingControl(controls);
    const change = routing.setStates([{ control: 'arn:east', state: 'Off' }]);

    await expect(change).rejects.toThrow(NonRetriableError);
    await expect(change).rejects.toThrow(
      'the safety rule "at least one Region on" rejects this change (us-east-1 Off would leave every routing control Off)',
    );
    expect(routing.byRegion()).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test('an unknown control is an error naming the known ones', async () => {
    const routing = new LocalRoutingControl(controls);
    await expect(routing.getStates(['arn:north'])).rejects.toThrow(
      'routing control arn:north does not exist; accepted: arn:east, arn:west',
    );
  });
});

describe('drill.html', () => {
  test('escapes every text it shows', () => {
    const report = newDrillReport(
      {
        ci: true,
        out: 'x',
        orderRate: 5,
        lostWrites: 1,
        apply: false,
        failback: false,
        seed: 1,
        routingMode: 'arc-cluster' as const,
      },
      Date.parse('2026-01-01T00:00:00Z'),
      EAST,
      WEST,
      { json: '/o/drill.json', html: '/o/drill.html', reconcile: '/o/reconcile', runbook: '/o/runbook' },
    );
    report.failures.push('<script>alert(1)</script>');
    report.markers.push({ kind: 'fault', label: '<img src=x onerror=alert(2)>', at_ms: 10 });
    report.duration_ms = 1000;

    const html = renderDrillHtml(report);

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });
});

describe('LocalGlobalCluster over a real Postgres pair', () => {
  let dir: string;
  let pair: ReplicatedPostgres;
  let cluster: LocalGlobalCluster;
  const events: string[] = [];
  const arn = (region: string) => `arn:aws:rds:${region}:000000000000:cluster:shop-${region}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'global-cluster-'));
    await chmod(dir, 0o755);
    const template = await PostgresServer.create({ dataDir: path.join(dir, 'template') });
    await template.createDatabase('shop');
    await query(
      template.url('shop'),
      `CREATE TABLE replication_heartbeat (id smallint PRIMARY KEY, ts timestamptz NOT NULL, region text NOT NULL);
       CREATE TABLE writes (n int PRIMARY KEY)`,
    );
    await template.stop();
    pair = await ReplicatedPostgres.fromTemplate({ baseDir: dir, templateDataDir: path.join(dir, 'template') });
    cluster = new LocalGlobalCluster({
      globalClusterIdentifier: 'shop',
      database: 'shop',
      pair,
      primaryRegion: EAST,
      standbyRegion: WEST,
      clusterIdentifier: (region) => `shop-${region}`,
      onEvent: (line) => events.push(line),
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an unplanned failover promotes the standby and records the heartbeat it held as the cut', async () => {
    await query(cluster.writerUrl(), `INSERT INTO replication_heartbeat VALUES (1, '2026-01-01T00:00:00Z', $1)`, [
      EAST,
    ]);
    await query(cluster.writerUrl(), 'INSERT INTO writes VALUES (1)');
    await pair.waitForCatchUp();
    await pair.cutReplication();
    await query(cluster.writerUrl(), `UPDATE replication_heartbeat SET ts = '2026-01-01T00:00:05Z'`);
    await query(cluster.writerUrl(), 'INSERT INTO writes VALUES (2)');
    await cluster.crash(EAST);

    cluster.failover(arn(WEST));
    expect(cluster.describe(WEST).failover).toEqual({
      status: 'failing-over',
      fromClusterArn: arn(EAST),
      toClusterArn: arn(WEST),
      dataLossAllowed: true,
    });
    await cluster.settled();

    expect(cluster.describe(WEST)).toEqual({
      identifier: 'shop',
      status: 'available',
      members: [
        {
          clusterArn: arn(EAST),
          clusterIdentifier: `shop-${EAST}`,
          region: EAST,
          isWriter: false,
          synchronization: 'pending-resync',
        },
        {
          clusterArn: arn(WEST),
          clusterIdentifier: `shop-${WEST}`,
          region: WEST,
          isWriter: true,
          clusterStatus: 'available',
        },
      ],
    });
    expect(cluster.promotedCut?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(await query(cluster.writerUrl(), 'SELECT n FROM writes ORDER BY n')).toEqual([{ n: 1 }]);
    expect(() => cluster.switchover(arn(EAST))).toThrow(
      `InvalidGlobalClusterStateFault: ${arn(EAST)} is not available`,
    );
  });

  test('the crashed primary comes back as a snapshot holding the stranded write', async () => {
    const snapshot = await cluster.restoreOldPrimarySnapshot('snapshot');
    try {
      expect(await query(snapshot.url('shop'), 'SELECT n FROM writes ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await snapshot.stop();
    }
  });

  test('after a rebuild the old Region is a connected standby, and a switchover moves the writer back without loss', async () => {
    await cluster.rebuildAsStandby(EAST);
    expect(cluster.describe(EAST).members.find((m) => m.region === EAST)).toEqual(
      expect.objectContaining({ isWriter: false, synchronization: 'connected', clusterStatus: 'available' }),
    );
    await query(cluster.writerUrl(), 'INSERT INTO writes VALUES (3)');
    await until(
      async () =>
        (await query<{ n: number }>(cluster.urlIn(EAST), 'SELECT count(*)::int AS n FROM writes'))[0]?.n === 2,
      'the rebuilt standby to replay write 3',
    );
    expect(await cluster.replicationLagSeconds(EAST)).toBe(0);

    cluster.switchover(arn(EAST));
    expect(cluster.describe(EAST).status).toBe('switching-over');
    await cluster.settled();

    expect(cluster.writerRegion).toBe(EAST);
    expect(cluster.rejoinMethod).toBe('followed-new-timeline');
    expect(await query(cluster.writerUrl(), 'SELECT n FROM writes ORDER BY n')).toEqual([{ n: 1 }, { n: 3 }]);
    await query(cluster.writerUrl(), 'INSERT INTO writes VALUES (4)');
    await until(
      async () =>
        (await query<{ n: number }>(cluster.urlIn(WEST), 'SELECT count(*)::int AS n FROM writes'))[0]?.n === 3,
      'the old writer, now a standby, to replay write 4',
    );
    await expect(query(cluster.urlIn(WEST), 'INSERT INTO writes VALUES (5)')).rejects.toThrow(
      'cannot execute INSERT in a read-only transaction',
    );
    expect(events).toEqual([
      `shop: ${WEST} promoted (unplanned); ${EAST} is pending-resync`,
      `shop: ${EAST} rebuilt as a standby of ${WEST}`,
      `shop: switched over to ${EAST}; ${WEST} is a standby (followed-new-timeline)`,
    ]);
  });
});
