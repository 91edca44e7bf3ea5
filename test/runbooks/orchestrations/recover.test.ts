import type { MemoryReportSink } from '../../../runbooks/adapters/local/report-sinks';
import { SimulatedReconciler } from '../../../runbooks/adapters/local/simulated-reconciler';
import { NonRetriableError } from '../../../runbooks/core/errors';
import { failover, preserveSnapshots, recover } from '../../../runbooks/orchestrations';
import type { ReconcileRequest, ReconcilerPort } from '../../../runbooks/ports';
import { mutations } from '../support/instrumented-ports';
import { PRIMARY, type Simulation, STANDBY, simulation } from '../support/simulation';

async function afterUnplannedFailover(sim: Simulation): Promise<void> {
  sim.local.world.regionDown(PRIMARY);
  await sim.run(failover, { targetRegion: STANDBY });
  sim.clock.advance(5 * 60_000);
  sim.local.world.regionUp(PRIMARY);
  sim.calls.length = 0;
}

/** Records what it was asked and answers as told. */
class RecordingReconciler implements ReconcilerPort {
  readonly requests: ReconcileRequest[] = [];
  constructor(private readonly answer: 'complete' | 'failed' | 'throws' = 'complete') {}
  async reconcile(request: ReconcileRequest) {
    this.requests.push(request);
    if (this.answer === 'throws') throw new NonRetriableError('tables differ in shape');
    return new SimulatedReconciler(this.answer).reconcile(request);
  }
}

const temporary = (sim: Simulation) => {
  const w = sim.local.world.snapshot();
  return [...w.clusters, ...w.instances].map((r) => r.identifier);
};

describe('recover', () => {
  test('copies, restores, reconciles against the current writer, stores the reports and deletes the temporary clusters', async () => {
    const reconciler = new RecordingReconciler();
    const sim = simulation({ reconciler });
    await afterUnplannedFailover(sim);
    const result = await sim.run(recover, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(mutations(sim.calls).map((m) => m.split(' ')[0])).toEqual([
      'snapshots.copySnapshot',
      'snapshots.copySnapshot',
      'snapshots.restoreCluster',
      'snapshots.restoreCluster',
      'snapshots.createInstance',
      'snapshots.createInstance',
      'snapshots.deleteInstance',
      'snapshots.deleteCluster',
      'snapshots.deleteInstance',
      'snapshots.deleteCluster',
    ]);
    expect(temporary(sim)).toEqual([]);
    const orders = reconciler.requests[1]!;
    expect(orders.old).toEqual({
      host: `shop-dev-rcv-orders-202601271005.cluster-sim.${STANDBY}.rds.local`,
      port: 5432,
      database: 'orders',
      username: 'shop',
      password: 'simulated',
    });
    expect(orders.current.host).toBe(`shop-dev-orders-${STANDBY}.cluster-sim.${STANDBY}.rds.local`);
    expect(orders.failoverAt.toISOString()).toBe('2026-01-27T10:00:00.000Z');
    const keys = [...(sim.local.reports as MemoryReportSink).objects.keys()].filter((k) =>
      k.startsWith('runs/recover/'),
    );
    expect(keys.sort()).toEqual([
      'runs/recover/failover-20260127T100000Z/catalog/outcome.json',
      'runs/recover/failover-20260127T100000Z/catalog/report.json',
      'runs/recover/failover-20260127T100000Z/orders/outcome.json',
      'runs/recover/failover-20260127T100000Z/orders/report.json',
      `runs/recover/failover-20260127T100000Z/summary-${result.executionId}.json`,
    ]);
  });

  test('copies the snapshot as a manual snapshot with the target Region key and tags it', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    await sim.run(recover, { targetRegion: STANDBY, databases: 'orders' });
    const copy = sim.calls.find((c) => c.method === 'snapshots.copySnapshot');
    expect(copy?.args).toEqual([
      {
        sourceArn: `arn:aws:rds:${PRIMARY}:000000000000:cluster-snapshot:rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-10-05`,
        sourceRegion: PRIMARY,
        targetRegion: STANDBY,
        targetIdentifier: 'shop-dev-rcv-orders-202601271005',
        kmsKeyId: sim.topology.regions[STANDBY]!.recovery!.kmsKeyId,
        tags: {
          'shop:purpose': 'failover-recovery',
          'shop:database': 'orders',
          'shop:execution': expect.stringMatching(/^recover-/),
          'shop:app': 'shop-dev',
        },
      },
    ]);
    expect(mutations(sim.calls).some((m) => m.includes('catalog'))).toBe(false);
  });

  test.each(['failed', 'throws'] as const)(
    'a report that %s still deletes the temporary clusters, then fails the execution',
    async (answer) => {
      const sim = simulation({ reconciler: new RecordingReconciler(answer) });
      await afterUnplannedFailover(sim);
      const result = await sim.run(recover, { targetRegion: STANDBY });
      expect(result.status).toBe('failed');
      expect(result.error?.step).toBe('assert-reconciled');
      expect(result.error?.message).toMatch(/^reconciliation failed:\n {2}- catalog: /);
      expect(temporary(sim)).toEqual([]);
    },
  );

  test('running it again after success repeats nothing: the stored outcome proves the snapshot is reconciled', async () => {
    const reconciler = new RecordingReconciler();
    const sim = simulation({ reconciler });
    await afterUnplannedFailover(sim);
    await sim.run(recover, { targetRegion: STANDBY });
    sim.calls.length = 0;
    const again = await sim.run(recover, { targetRegion: STANDBY });
    expect(again.status).toBe('succeeded');
    expect(mutations(sim.calls)).toEqual([]);
    expect(reconciler.requests).toHaveLength(2);
  });

  test('without the snapshot it stops before creating anything, saying what it looked for and why it may be missing', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.run(failover, { targetRegion: STANDBY });
    sim.local.world.transact((w) => {
      w.regionsDown = [];
    });
    sim.calls.length = 0;
    const result = await sim.run(recover, { targetRegion: STANDBY });
    expect(result.error).toEqual({
      step: 'find-catalog-snapshot',
      retriable: false,
      message: `no snapshot rds:unplanned-global-failover-shop-dev-catalog-${PRIMARY}-* taken after the failover at 2026-01-27T10:00:00.000Z in ${PRIMARY}. Aurora takes it when ${PRIMARY} is back and shop-dev-catalog-${PRIMARY} has been rebuilt as a secondary; it expires with the cluster's backup retention.`,
    });
    expect(mutations(sim.calls)).toEqual([]);
  });

  test('once the system snapshot has expired, it restores the copy preserve-snapshots made (review M2)', async () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html:
    // "The snapshot of the old storage volume is a system snapshot that's subject to the backup retention period
    // configured on the old primary cluster. To preserve this snapshot outside of the retention period, you can copy
    // it to save it as a manual snapshot."
    const sim = simulation();
    await afterUnplannedFailover(sim);
    // GIVEN the scheduled runs copied the snapshots and recorded the copies once available
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.clock.advance(15 * 60_000);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    // AND the system snapshots then expired with the backup retention
    sim.clock.advance(35 * 24 * 3600_000);
    sim.local.world.transact((w) => {
      w.snapshots = w.snapshots.filter((s) => !s.identifier.startsWith('rds:'));
    });
    sim.calls.length = 0;
    // WHEN a person runs recover
    const result = await sim.run(recover, { targetRegion: STANDBY });
    // THEN it restores the preserved copies (copying nothing) and reconciles as usual
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'find-orders-snapshot')?.detail).toBe(
      `rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-10-05 (2026-01-27T10:05:03.000Z) of shop-dev-orders-${PRIMARY} has expired in ${PRIMARY}; its copy shop-dev-rcv-orders-202601271005, preserved in ${STANDBY}, is restored`,
    );
    expect(mutations(sim.calls).map((m) => m.split(' ')[0])).not.toContain('snapshots.copySnapshot');
    expect(
      sim.calls
        .filter((c) => c.method === 'snapshots.restoreCluster')
        .map((c) => (c.args[0] as { snapshotIdentifier: string }).snapshotIdentifier),
    ).toEqual(['shop-dev-rcv-catalog-202601271005', 'shop-dev-rcv-orders-202601271005']);
  });

  test('when the failed Region does not answer again, it restores the preserved copy instead of waiting for it', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.clock.advance(15 * 60_000);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.local.world.regionDown(PRIMARY);
    sim.calls.length = 0;
    const result = await sim.run(recover, { targetRegion: STANDBY, databases: 'orders' });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'find-orders-snapshot')?.detail).toBe(
      `rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-10-05 (2026-01-27T10:05:03.000Z) of shop-dev-orders-${PRIMARY} cannot be listed (simulated outage: the RDS API of ${PRIMARY} does not answer); its copy shop-dev-rcv-orders-202601271005, preserved in ${STANDBY}, is restored`,
    );
  });

  test('a preserved copy of a snapshot older than the failover is not taken for it', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.clock.advance(15 * 60_000);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.local.world.transact((w) => {
      w.snapshots = w.snapshots.filter((s) => !s.identifier.startsWith('rds:'));
    });
    sim.calls.length = 0;
    const result = await sim.run(recover, { targetRegion: STANDBY, failoverAt: '2026-02-03T00:00:00Z' });
    expect(result.error).toMatchObject({ step: 'find-catalog-snapshot', retriable: false });
    expect(result.error?.message).toMatch(
      /^no snapshot rds:unplanned-global-failover-shop-dev-catalog-us-east-1-\* taken after the failover at 2026-02-03T00:00:00.000Z/,
    );
    expect(mutations(sim.calls)).toEqual([]);
  });

  test('without a failover time and without a failover journal it asks for --failover-at', async () => {
    const sim = simulation();
    const result = await sim.run(recover, { targetRegion: STANDBY });
    expect(result.error?.message).toBe(
      'failoverAt: not given and no failover execution has recorded one; accepted: the failover time as ISO 8601, e.g. 2026-01-27T10:15:00Z',
    );
  });

  test('rejects an unknown database', () => {
    expect(() =>
      recover.parseInput({ targetRegion: STANDBY, databases: 'orders,users' }, simulation().topology),
    ).toThrow('databases: "users" is not one of them; accepted: catalog, orders (comma-separated)');
  });
});
