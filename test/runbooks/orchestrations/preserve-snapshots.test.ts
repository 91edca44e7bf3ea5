import type { MemoryReportSink } from '../../../runbooks/adapters/local/report-sinks';
import { failback, failover, preserveSnapshots, recover } from '../../../runbooks/orchestrations';
import { mutations, writes } from '../support/instrumented-ports';
import { PRIMARY, type Simulation, STANDBY, simulation } from '../support/simulation';

// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html:
// "The snapshot of the old storage volume is a system snapshot that's subject to the backup retention period
// configured on the old primary cluster. To preserve this snapshot outside of the retention period, you can copy it
// to save it as a manual snapshot." These tests pin that the scheduled run makes that copy, and makes it exactly
// where and as `recover` would, so a later `recover` continues from it.

const DAY_MS = 24 * 3600_000;

/** An unplanned failover to the standby, then the primary Region back: Aurora has left its snapshots there. */
async function afterUnplannedFailover(sim: Simulation): Promise<void> {
  sim.local.world.regionDown(PRIMARY);
  await sim.run(failover, { targetRegion: STANDBY });
  sim.clock.advance(5 * 60_000);
  sim.local.world.regionUp(PRIMARY);
  sim.calls.length = 0;
}

const snapshotsIn = (sim: Simulation, region: string) =>
  sim.local.world
    .snapshot()
    .snapshots.filter((s) => s.region === region)
    .map((s) => `${s.identifier} ${s.status}`)
    .sort();

const details = (result: { steps: readonly { step: string; detail: string }[] }) =>
  Object.fromEntries(result.steps.map((s) => [s.step, s.detail]));

const catalogSource = `rds:unplanned-global-failover-shop-dev-catalog-${PRIMARY}-2026-01-27-10-05`;
const ordersSource = `rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-10-05`;

describe('preserve-snapshots', () => {
  test('with no unplanned-failover snapshot it copies nothing, writes no record, and says so', async () => {
    // GIVEN a healthy world: nothing has ever failed over
    const sim = simulation();
    // WHEN the scheduled run happens in the standby Region
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    // THEN it succeeds after one look per database, and says there was nothing to copy
    expect(result.status).toBe('succeeded');
    expect(details(result)).toEqual({
      'validate-input': `copies from ${PRIMARY} into ${STANDBY}, encrypted with ${sim.topology.regions[STANDBY]!.recovery!.kmsKeyId}`,
      'preserve-catalog-snapshots': `no rds:unplanned-global-failover-shop-dev-catalog-${PRIMARY}-* in ${PRIMARY}: nothing to copy`,
      'preserve-orders-snapshots': `no rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-* in ${PRIMARY}: nothing to copy`,
      'assert-no-failed-copy': 'no failed copy',
    });
    expect(sim.calls.filter((c) => !c.method.startsWith('journal.')).map((c) => c.method)).toEqual([
      'globalDatabase.describe',
      'snapshots.findUnplannedFailoverSnapshots',
      'globalDatabase.describe',
      'snapshots.findUnplannedFailoverSnapshots',
    ]);
    expect(mutations(sim.calls)).toEqual([]);
    expect(writes(sim.calls).filter((c) => !c.method.startsWith('journal.'))).toEqual([]);
  });

  test('as soon as the snapshot appears it is copied, as a manual snapshot named as recover names it, with the target key and tags', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    const copies = sim.calls.filter((c) => c.method === 'snapshots.copySnapshot').map((c) => c.args[0]);
    expect(copies).toEqual(
      ['catalog', 'orders'].map((db) => ({
        sourceArn: `arn:aws:rds:${PRIMARY}:000000000000:cluster-snapshot:rds:unplanned-global-failover-shop-dev-${db}-${PRIMARY}-2026-01-27-10-05`,
        sourceRegion: PRIMARY,
        targetRegion: STANDBY,
        targetIdentifier: `shop-dev-rcv-${db}-202601271005`,
        kmsKeyId: sim.topology.regions[STANDBY]!.recovery!.kmsKeyId,
        tags: {
          'shop:purpose': 'failover-recovery',
          'shop:database': db,
          'shop:execution': result.executionId,
          'shop:app': 'shop-dev',
        },
      })),
    );
    expect(details(result)['preserve-orders-snapshots']).toBe(
      `${ordersSource} → shop-dev-rcv-orders-202601271005: copy started`,
    );
    expect(snapshotsIn(sim, STANDBY)).toEqual([
      'shop-dev-rcv-catalog-202601271005 copying',
      'shop-dev-rcv-orders-202601271005 copying',
    ]);
  });

  test('running again copies nothing twice; once a copy is available it is recorded as preserved', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.calls.length = 0;
    // WHEN it runs again while the copies are in progress
    const during = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(during.status).toBe('succeeded');
    expect(mutations(sim.calls)).toEqual([]);
    expect(details(during)['preserve-catalog-snapshots']).toBe(
      `${catalogSource} → shop-dev-rcv-catalog-202601271005: copy copying`,
    );
    // AND again once they are available (the copy takes 2 s in the simulation)
    sim.clock.advance(15 * 60_000);
    sim.calls.length = 0;
    const recordedAt = sim.clock.now().toISOString();
    const after = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(mutations(sim.calls)).toEqual([]);
    expect(details(after)['preserve-catalog-snapshots']).toBe(
      `${catalogSource} → shop-dev-rcv-catalog-202601271005: preserved (recorded now)`,
    );
    const record = await sim.local.reports.getJson(
      'runs/preserve-snapshots/preserved/shop-dev-rcv-catalog-202601271005.json',
    );
    const expected = {
      source: `arn:aws:rds:${PRIMARY}:000000000000:cluster-snapshot:${catalogSource}`,
      sourceIdentifier: catalogSource,
      snapshotTime: '2026-01-27T10:05:03.000Z',
      copy: 'shop-dev-rcv-catalog-202601271005',
      region: STANDBY,
      preservedAt: recordedAt,
      execution: after.executionId,
    };
    expect(record).toEqual(expected);
    // and, as the newest preserved copy of the database, where recover finds it once the snapshot has expired
    expect(await sim.local.reports.getJson('runs/preserve-snapshots/latest/catalog.json')).toEqual(expected);
    // AND a further run finds everything preserved and writes nothing but its journal
    sim.calls.length = 0;
    const later = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(writes(sim.calls).filter((c) => !c.method.startsWith('journal.'))).toEqual([]);
    expect(details(later)['preserve-orders-snapshots']).toBe(
      `${ordersSource} → shop-dev-rcv-orders-202601271005: preserved`,
    );
  });

  test.each([
    ['given', { failoverAt: '2026-01-27T10:00:00Z' }],
    ['taken from the failover journal', {}],
  ])(
    'a following recover (failover time %s) finds the copy done and goes on to restore without copying again',
    async (_name, extra) => {
      const sim = simulation();
      await afterUnplannedFailover(sim);
      await sim.run(preserveSnapshots, { targetRegion: STANDBY });
      sim.clock.advance(15 * 60_000);
      sim.calls.length = 0;
      const result = await sim.run(recover, { targetRegion: STANDBY, ...extra });
      expect(result.status).toBe('succeeded');
      const copy = result.steps.find((s) => s.step === 'copy-orders-snapshot');
      expect(copy).toEqual({
        step: 'copy-orders-snapshot',
        status: 'already-done',
        detail: 'copy shop-dev-rcv-orders-202601271005 exists (available)',
      });
      expect(mutations(sim.calls).map((m) => m.split(' ')[0])).not.toContain('snapshots.copySnapshot');
      expect(
        sim.calls.find((c) => c.method === 'snapshots.restoreCluster' && JSON.stringify(c.args).includes('orders'))
          ?.args[0],
      ).toMatchObject({ snapshotIdentifier: 'shop-dev-rcv-orders-202601271005' });
    },
  );

  test('a snapshot close to the end of its retention is still copied: the copy is what protects it', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    // 34 days later, one day before a 35-day retention would expire the system snapshot
    sim.clock.advance(34 * DAY_MS);
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(mutations(sim.calls)).toHaveLength(2);
  });

  test('copies every snapshot not yet copied, the oldest (closest to expiring) first', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    // GIVEN an older unplanned-failover snapshot of the catalog cluster from an earlier failover
    const older = `rds:unplanned-global-failover-shop-dev-catalog-${PRIMARY}-2026-01-10-08-30`;
    sim.local.world.transact((w) => {
      const template = w.snapshots.find((s) => s.identifier === catalogSource)!;
      w.snapshots.push({
        ...template,
        identifier: older,
        arn: template.arn.replace(catalogSource, older),
        createdAt: '2026-01-10T08:30:00.000Z',
        readyAt: '2026-01-10T08:30:00.000Z',
      });
    });
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY, databases: 'catalog' });
    expect(result.status).toBe('succeeded');
    expect(
      sim.calls
        .filter((c) => c.method === 'snapshots.copySnapshot')
        .map((c) => (c.args[0] as { targetIdentifier: string }).targetIdentifier),
    ).toEqual(['shop-dev-rcv-catalog-202601100830', 'shop-dev-rcv-catalog-202601271005']);
    expect(details(result)['preserve-orders-snapshots']).toBe('database not selected');
    // AND once both copies are available, the newest is the one recorded for recover
    sim.clock.advance(15 * 60_000);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY, databases: 'catalog' });
    expect(await sim.local.reports.getJson('runs/preserve-snapshots/latest/catalog.json')).toMatchObject({
      copy: 'shop-dev-rcv-catalog-202601271005',
      sourceIdentifier: catalogSource,
    });
  });

  test('preserves the snapshot even when the writers moved back before the first scheduled run', async () => {
    // GIVEN the failover, the old Region back (its snapshots taken), and a failback to it before any copy
    const sim = simulation();
    await afterUnplannedFailover(sim);
    sim.clock.advance(60_000);
    expect((await sim.run(failback, {})).status).toBe('succeeded');
    sim.calls.length = 0;
    // WHEN both Regions' scheduled runs happen
    const standby = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    const primary = await sim.run(preserveSnapshots, { targetRegion: PRIMARY });
    // THEN the standby (no longer the writer) still copies the old primary's snapshots into itself, as
    // `recover --target-region us-west-2` would; the primary finds none of the standby's clusters to copy
    expect([standby.status, primary.status]).toEqual(['succeeded', 'succeeded']);
    expect(snapshotsIn(sim, STANDBY)).toEqual([
      'shop-dev-rcv-catalog-202601271005 copying',
      'shop-dev-rcv-orders-202601271005 copying',
    ]);
    expect(details(primary)['preserve-orders-snapshots']).toBe(
      `no rds:unplanned-global-failover-shop-dev-orders-${STANDBY}-* in ${STANDBY}: nothing to copy`,
    );
  });

  test('a copy deleted after it was preserved is not copied again (a person removed it on purpose)', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.clock.advance(15 * 60_000);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.local.world.transact((w) => {
      w.snapshots = w.snapshots.filter((s) => s.identifier !== 'shop-dev-rcv-orders-202601271005');
    });
    sim.calls.length = 0;
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(mutations(sim.calls)).toEqual([]);
    expect(details(result)['preserve-orders-snapshots']).toBe(
      `${ordersSource} → shop-dev-rcv-orders-202601271005: deleted after it was preserved; not copied again (run recover to copy it anyway)`,
    );
  });

  test('a failed copy fails the run after every database was handled, and is copied again once deleted', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    sim.local.world.transact((w) => {
      w.snapshots.find((s) => s.identifier === 'shop-dev-rcv-catalog-202601271005')!.status = 'failed';
    });
    sim.calls.length = 0;
    const failed = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(failed.status).toBe('failed');
    expect(failed.steps.find((s) => s.step === 'preserve-orders-snapshots')?.status).toBe('already-done');
    expect(failed.error).toEqual({
      step: 'assert-no-failed-copy',
      retriable: false,
      message: `snapshot copies failed:\n  - shop-dev-rcv-catalog-202601271005 in ${STANDBY} (copy of ${catalogSource} in ${PRIMARY}): delete it and the next run copies the snapshot again`,
    });
    // WHEN a person deletes the failed copy
    sim.local.world.transact((w) => {
      w.snapshots = w.snapshots.filter((s) => s.identifier !== 'shop-dev-rcv-catalog-202601271005');
    });
    sim.calls.length = 0;
    const again = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(again.status).toBe('succeeded');
    expect(mutations(sim.calls).map((m) => m.split(' ')[0])).toEqual(['snapshots.copySnapshot']);
  });

  test('a snapshot Aurora is still creating is left for the next run', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    sim.local.world.transact((w) => {
      for (const s of w.snapshots) s.status = 'creating';
    });
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(mutations(sim.calls)).toEqual([]);
    expect(details(result)['preserve-catalog-snapshots']).toBe(
      `${catalogSource} → shop-dev-rcv-catalog-202601271005: source is creating; the next run copies it`,
    );
  });

  test('while the failed Region does not answer, the run fails retriably and copies nothing', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.run(failover, { targetRegion: STANDBY });
    sim.calls.length = 0;
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY });
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      step: 'preserve-catalog-snapshots',
      retriable: true,
      message: `simulated outage: the RDS API of ${PRIMARY} does not answer`,
    });
    expect(mutations(sim.calls)).toEqual([]);
  });

  test('a dry run lists the copies it would start and changes and records nothing', async () => {
    const sim = simulation();
    await afterUnplannedFailover(sim);
    const result = await sim.run(preserveSnapshots, { targetRegion: STANDBY }, { dryRun: true });
    expect(result.status).toBe('planned');
    expect(writes(sim.calls)).toEqual([]);
    expect(details(result)['preserve-orders-snapshots']).toContain(
      `pending: ${ordersSource} → shop-dev-rcv-orders-202601271005: to copy`,
    );
    const stored = [...(sim.local.reports as MemoryReportSink).objects.keys()];
    expect(stored.filter((k) => k.startsWith('runs/preserve-snapshots/'))).toEqual([]);
  });

  test('input: the source Region defaults to the other one and must differ from the target', () => {
    const { topology } = simulation();
    expect(preserveSnapshots.parseInput({ targetRegion: STANDBY }, topology)).toEqual({
      targetRegion: STANDBY,
      sourceRegion: PRIMARY,
      databases: ['catalog', 'orders'],
    });
    expect(() => preserveSnapshots.parseInput({ targetRegion: STANDBY, sourceRegion: STANDBY }, topology)).toThrow(
      `sourceRegion: "${STANDBY}" equals targetRegion; accepted: the other Region`,
    );
    expect(() => preserveSnapshots.parseInput({}, topology)).toThrow(
      `targetRegion: required; accepted: ${PRIMARY} or ${STANDBY}`,
    );
  });
});
