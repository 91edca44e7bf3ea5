import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { createLocalPorts } from '../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { runOrchestration } from '../../../runbooks/core/engine';
import { RetriableError } from '../../../runbooks/core/errors';
import {
  createPreserveSnapshotsHandler,
  PRESERVATION_EVENT,
  PRESERVATION_REASON,
} from '../../../runbooks/lambda/preserve-snapshots-handler';
import { failover } from '../../../runbooks/orchestrations';
import type { RunbookPorts } from '../../../runbooks/ports';

const PRIMARY = 'us-east-1';
const STANDBY = 'us-west-2';

function setup(
  region = STANDBY,
  environment: Record<string, string | undefined> = {},
  wrap: (ports: RunbookPorts) => RunbookPorts = (p) => p,
) {
  const topology = demoTopology(PRIMARY, STANDBY);
  const clock = new ManualClock();
  const local = createLocalPorts({ topology, clock });
  const log: string[] = [];
  const handler = createPreserveSnapshotsHandler({
    environment: {
      RUNBOOK_TOPOLOGY: JSON.stringify(topology),
      RUNBOOK_BUCKET: 'bucket',
      AWS_REGION: region,
      ...environment,
    },
    clock,
    portsFor: () => wrap(local.ports),
    log: (line) => log.push(line),
    stepRetryDelayMs: 1,
  });
  return { handler, local, clock, log, topology };
}

/** An unplanned failover to the standby, then the primary Region back with its snapshots. */
async function afterUnplannedFailover(s: ReturnType<typeof setup>): Promise<void> {
  s.local.world.regionDown(PRIMARY);
  await runOrchestration({
    orchestration: failover,
    input: failover.parseInput({ targetRegion: STANDBY }, s.topology),
    topology: s.topology,
    ports: s.local.ports,
    reason: 'test',
    settings: { pollIntervalSeconds: 1 },
  });
  s.clock.advance(5 * 60_000);
  s.local.world.regionUp(PRIMARY);
}

const context = { getRemainingTimeInMillis: () => 280_000 };

describe('preserve-snapshots handler (the scheduled invocation)', () => {
  test('runs the whole orchestration in one invocation, from the other Region into its own, with the scheduled reason', async () => {
    const s = setup();
    await afterUnplannedFailover(s);
    // WHEN the schedule invokes it with its fixed event
    const result = await s.handler(PRESERVATION_EVENT, context);
    // THEN both snapshots are being copied into this Region under recover's identifiers
    expect(result.status).toBe('succeeded');
    expect(result.detail).toContain(
      `preserve-orders-snapshots: rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-10-05 → shop-dev-rcv-orders-202601271005: copy started`,
    );
    const copies = s.local.world.snapshot().snapshots.filter((x) => x.region === STANDBY);
    expect(copies.map((x) => x.identifier).sort()).toEqual([
      'shop-dev-rcv-catalog-202601271005',
      'shop-dev-rcv-orders-202601271005',
    ]);
    const journal = await s.local.journal.load('preserve-snapshots', result.executionId);
    expect(journal).toMatchObject({
      status: 'succeeded',
      reason: PRESERVATION_REASON,
      input: { targetRegion: STANDBY, sourceRegion: PRIMARY, databases: ['catalog', 'orders'] },
    });
  });

  test('each invocation is a new execution that looks at everything again, even after a failed one', async () => {
    // GIVEN a first run whose catalog step succeeded (nothing to copy) and whose orders step failed
    let ordersDown = true;
    const s = setup(STANDBY, {}, (ports) => {
      const snapshots: RunbookPorts['snapshots'] = Object.create(ports.snapshots);
      snapshots.findUnplannedFailoverSnapshots = async (region, cluster) => {
        if (ordersDown && cluster.includes('orders')) throw new RetriableError('RDS: socket hang up');
        return ports.snapshots.findUnplannedFailoverSnapshots(region, cluster);
      };
      return { ...ports, snapshots };
    });
    await expect(s.handler(PRESERVATION_EVENT, context)).rejects.toThrow(/preserve-orders-snapshots: RDS: socket/);
    // WHEN the snapshots appear and the next scheduled run happens
    ordersDown = false;
    s.clock.advance(15 * 60_000);
    await afterUnplannedFailover(s);
    const second = await s.handler(PRESERVATION_EVENT, context);
    // THEN it does not resume the failed execution (which recorded the catalog step as done): both are copied
    expect(second.detail).toContain('preserve-catalog-snapshots: rds:unplanned-global-failover-shop-dev-catalog-');
    expect(
      s.local.world
        .snapshot()
        .snapshots.filter((x) => x.region === STANDBY)
        .map((x) => x.identifier)
        .sort(),
    ).toEqual(['shop-dev-rcv-catalog-202601271020', 'shop-dev-rcv-orders-202601271020']);
  });

  test('with nothing to copy it succeeds and says so', async () => {
    const s = setup(PRIMARY);
    const result = await s.handler(PRESERVATION_EVENT, context);
    expect(result.status).toBe('succeeded');
    expect(result.detail).toContain(
      `preserve-catalog-snapshots: no rds:unplanned-global-failover-shop-dev-catalog-${STANDBY}-* in ${STANDBY}: nothing to copy`,
    );
  });

  test('throws when the run fails, so the invocation counts as an error', async () => {
    const s = setup();
    s.local.world.regionDown(PRIMARY);
    await expect(s.handler(PRESERVATION_EVENT, context)).rejects.toThrow(
      `preserve-snapshots failed at preserve-catalog-snapshots: simulated outage: the RDS API of ${PRIMARY} does not answer`,
    );
  });

  test('refuses an event meant for another function, naming what it accepts', async () => {
    const s = setup();
    await expect(s.handler({ orchestration: 'failover', step: 'shift-traffic' }, context)).rejects.toThrow(
      'invalid event {"orchestration":"failover","step":"shift-traffic"}; accepted: {"orchestration":"preserve-snapshots"} (the schedule\'s event)',
    );
  });

  test('refuses to run in a Region the topology does not know', async () => {
    const s = setup('eu-west-1');
    await expect(s.handler(PRESERVATION_EVENT, context)).rejects.toThrow(
      `targetRegion: "eu-west-1" is not a Region of this topology; accepted: ${PRIMARY} or ${STANDBY}`,
    );
  });

  test('names a missing environment variable', async () => {
    const s = setup(STANDBY, { RUNBOOK_BUCKET: undefined });
    await expect(s.handler(PRESERVATION_EVENT, context)).rejects.toThrow(
      'environment variable RUNBOOK_BUCKET is not set; the runbook stack sets it',
    );
  });
});
