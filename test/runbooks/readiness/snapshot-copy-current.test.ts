import type { SimSnapshot } from '../../../runbooks/adapters/local/simulated-world';
import { preserveSnapshots } from '../../../runbooks/orchestrations';
import { snapshotCopyCurrentCheck } from '../../../runbooks/readiness/checks/snapshot-copy-current';
import { PRIMARY, type Simulation, STANDBY, simulation } from '../support/simulation';
import { evaluate, failing } from './readiness-simulation';

// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html:
// "The snapshot of the old storage volume is a system snapshot that's subject to the backup retention period
// configured on the old primary cluster. To preserve this snapshot outside of the retention period, you can copy it
// to save it as a manual snapshot." The check judges, from the standby, whether preserve-snapshots made that copy
// of every such snapshot the primary Region's old clusters left.

const source = `rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-09-00`;

/** Aurora left an unplanned-failover snapshot of the primary's old orders cluster there. */
function snapshotLeftInPrimary(sim: Simulation): void {
  sim.local.world.transact((w) => {
    const snapshot: SimSnapshot = {
      region: PRIMARY,
      identifier: source,
      arn: `arn:aws:rds:${PRIMARY}:000000000000:cluster-snapshot:${source}`,
      clusterIdentifier: `shop-dev-orders-${PRIMARY}`,
      status: 'available',
      createdAt: '2026-01-27T09:00:00.000Z',
      readyAt: '2026-01-27T09:00:00.000Z',
      engine: 'aurora-postgresql',
      engineVersion: '16.6',
    };
    w.snapshots.push(snapshot);
  });
}

const copyOf = (evidence: Record<string, unknown>) =>
  (evidence.orders as { snapshots: { copy: string }[] }).snapshots[0]!.copy;

describe('snapshot-copy-current', () => {
  test('GIVEN no unplanned-failover snapshot WHEN checked THEN GREEN: nothing to copy', async () => {
    const result = await evaluate(simulation(), snapshotCopyCurrentCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `catalog: no rds:unplanned-global-failover-shop-dev-catalog-${PRIMARY}-* in ${PRIMARY}: nothing to copy`,
      `orders: no rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-* in ${PRIMARY}: nothing to copy`,
    ]);
  });

  test('GIVEN a snapshot with no copy here WHEN checked THEN RED; once preserve-snapshots copied it, INCONCLUSIVE while copying, then GREEN', async () => {
    // GIVEN the snapshot Aurora left, not copied yet
    const sim = simulation();
    snapshotLeftInPrimary(sim);
    const red = await evaluate(sim, snapshotCopyCurrentCheck);
    const copy = copyOf(red.evidence);
    expect(red.verdict).toBe('RED');
    expect(red.failures).toEqual([
      `orders: ${source} in ${PRIMARY} has no copy in ${STANDBY}; expected: an available copy ${copy} (made by preserve-snapshots)`,
    ]);
    // WHEN preserve-snapshots runs in the standby THEN the copy is in progress: the check cannot decide yet
    expect((await sim.run(preserveSnapshots, { targetRegion: STANDBY })).status).toBe('succeeded');
    const copying = await evaluate(sim, snapshotCopyCurrentCheck);
    expect(copying.verdict).toBe('INCONCLUSIVE');
    expect(copying.unknowns).toEqual([
      `orders: ${source} in ${PRIMARY}: copy copying; the check decides once copy ${copy} is available in ${STANDBY}`,
    ]);
    // WHEN the copy is available THEN GREEN, before preserve-snapshots records it and after
    sim.clock.advance(60_000);
    const available = await evaluate(sim, snapshotCopyCurrentCheck);
    expect(available.verdict).toBe('GREEN');
    expect(available.notes[1]).toBe(
      `orders: ${source} in ${PRIMARY}: copy ${copy} available in ${STANDBY} (preserve-snapshots records it on its next run)`,
    );
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    const preserved = await evaluate(sim, snapshotCopyCurrentCheck);
    expect(preserved.verdict).toBe('GREEN');
    expect(preserved.notes[1]).toBe(`orders: ${source} in ${PRIMARY}: copy ${copy} available in ${STANDBY}`);
  });

  test('GIVEN the copy failed WHEN checked THEN RED naming the copy', async () => {
    const sim = simulation();
    snapshotLeftInPrimary(sim);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    const copy = copyOf((await evaluate(sim, snapshotCopyCurrentCheck)).evidence);
    sim.local.world.transact((w) => {
      w.snapshots.find((s) => s.identifier === copy)!.status = 'failed';
    });
    const result = await evaluate(sim, snapshotCopyCurrentCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `orders: ${source} in ${PRIMARY}: copy ${copy} in ${STANDBY} failed; expected: available (delete it and preserve-snapshots copies the snapshot again)`,
    ]);
  });

  test("GIVEN the primary's RDS does not answer WHEN evaluated THEN INCONCLUSIVE", async () => {
    const result = await evaluate(simulation(), snapshotCopyCurrentCheck, {
      ports: failing('snapshots', 'findUnplannedFailoverSnapshots'),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
  });
});
