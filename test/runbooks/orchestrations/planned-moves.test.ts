import { failback, failover, readiness, switchover } from '../../../runbooks/orchestrations';
import { mutations, writes } from '../support/instrumented-ports';
import { PRIMARY, routing, STANDBY, simulation, writerRegions } from '../support/simulation';

describe('readiness', () => {
  test('a healthy standby passes every check', async () => {
    const sim = simulation();
    const result = await sim.run(readiness, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    // the standing checks (issue 17) are steps too, skipped unless the `checks` input selects them
    expect(result.steps.filter((s) => s.detail !== 'not selected').map((s) => s.step)).toEqual([
      'validate-input',
      'services-healthy',
      'capacity',
      'replication',
      'routing-controls',
      // routing mode region-switch's check (issue 18): in arc-cluster mode it is green, "does not apply"
      'region-switch-plan',
      'secrets-present',
    ]);
    expect(result.steps.find((s) => s.step === 'replication')?.detail).toBe('catalog lag 0.4 s; orders lag 0.4 s');
    expect(mutations(sim.calls)).toEqual([]);
    // one journal save as it starts and one per step: nothing else is written
    expect(writes(sim.calls).map((c) => c.method)).toEqual(
      Array.from({ length: result.steps.length + 1 }, () => 'journal.save'),
    );
  });

  test('reports every failing check, not only the first', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.unhealthyUrls.push(sim.topology.regions[STANDBY]!.healthUrls[0]!);
      w.runningTasks[STANDBY]!.orders = 1;
      w.lagSeconds[`arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY}`] = 95;
      w.secrets[STANDBY] = ['shop-dev/catalog-db'];
    });
    const result = await sim.run(readiness, { targetRegion: STANDBY, maxLagSeconds: 60 });
    expect(result.status).toBe('failed');
    expect(result.error?.retriable).toBe(false);
    expect(result.error?.message).toBe(
      [
        `services-healthy: services-healthy failed in ${STANDBY}:`,
        `  - https://ui.${STANDBY}.shop.example.invalid/health/ready is unhealthy (HTTP 503 (simulated))`,
        `capacity: capacity failed in ${STANDBY}:`,
        `  - service orders: 1 running tasks in ${STANDBY}; needs at least 2`,
        `replication: replication failed in ${STANDBY}:`,
        '  - orders: replication lag 95 s exceeds 60 s',
        `secrets-present: secrets-present failed in ${STANDBY}:`,
        `  - secret shop-dev/orders-db is missing in ${STANDBY}`,
      ].join('\n'),
    );
  });

  test('a member that is pending-resync is not ready', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.globalClusters['shop-dev-catalog']!.members[1]!.sync = 'pending-resync';
    });
    const result = await sim.run(readiness, { targetRegion: STANDBY });
    expect(result.error?.message).toContain(
      `  - shop-dev-catalog: member shop-dev-catalog-${STANDBY} is pending-resync`,
    );
  });
});

describe('switchover', () => {
  test('SwitchoverGlobalCluster is sent to the Region of the current writer, not the target (M3)', async () => {
    // AWS CLI docs (aurora-global-database-disaster-recovery.html), switchover: "--region – Specify the AWS Region
    // where the primary DB cluster of the Aurora global database is running."
    const sim = simulation();
    await sim.run(switchover, { targetRegion: STANDBY });
    const requests = sim.calls.filter((c) => c.method === 'globalDatabase.switchover' && c.effective);
    expect(requests.map((c) => c.args[2])).toEqual([PRIMARY, PRIMARY]);
    // and failback, the same move the other way round, to the writer's Region then (the standby)
    const back = await sim.run(failback, {});
    expect(back.status).toBe('succeeded');
    const backRequests = sim.calls.filter((c) => c.method === 'globalDatabase.switchover' && c.effective).slice(2);
    expect(backRequests.map((c) => c.args[2])).toEqual([STANDBY, STANDBY]);
  });

  test('moves the writers first, then the traffic, with no data loss', async () => {
    const sim = simulation();
    const result = await sim.run(switchover, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
    // Issue 17: the standby's five services are raised to the primary's peak (scaling minimum, then desired count)
    // before anything moves.
    expect(mutations(sim.calls).map((m) => m.split(' ')[0])).toEqual([
      ...Array(5).fill('capacity.setScalingMinimum'),
      ...Array(5).fill('capacity.setDesiredCount'),
      'globalDatabase.switchover',
      'globalDatabase.switchover',
      'routing.setStates',
    ]);
  });

  test('refuses to start when the target Region is not ready, changing nothing', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.secrets[STANDBY] = [];
    });
    const result = await sim.run(switchover, { targetRegion: STANDBY });
    expect(result.error?.step).toBe('check-readiness');
    expect(result.error?.message).toMatch(
      new RegExp(`^${STANDBY} is not ready to take over:\\n  - secrets-present: secret`),
    );
    expect(mutations(sim.calls)).toEqual([]);
  });

  test('a second run skips the readiness gate and every action', async () => {
    const sim = simulation();
    await sim.run(switchover, { targetRegion: STANDBY });
    sim.calls.length = 0;
    const again = await sim.run(switchover, { targetRegion: STANDBY });
    expect(again.steps.find((s) => s.step === 'check-readiness')).toEqual({
      step: 'check-readiness',
      status: 'already-done',
      detail: `every writer is already in ${STANDBY}`,
    });
    expect(mutations(sim.calls)).toEqual([]);
  });
});

describe('failback', () => {
  test('refuses while the old primary Region has not rejoined', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.run(failover, { targetRegion: STANDBY });
    sim.local.world.regionUp(PRIMARY);
    const result = await sim.run(failback, {});
    expect(result.error?.step).toBe('check-rejoined');
    expect(result.error?.message).toBe(
      [
        `${PRIMARY} has not rejoined yet; run failback again once it has:`,
        `  - shop-dev-catalog: shop-dev-catalog-${PRIMARY} is pending-resync`,
        `  - shop-dev-orders: shop-dev-orders-${PRIMARY} is pending-resync`,
      ].join('\n'),
    );
  });

  test('switches writers and traffic back to the primary Region once it has rejoined', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.run(failover, { targetRegion: STANDBY });
    sim.local.world.regionUp(PRIMARY);
    sim.clock.advance(60_000);
    const result = await sim.run(failback, {});
    expect(result.status).toBe('succeeded');
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': PRIMARY, 'shop-dev-orders': PRIMARY });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'On', [STANDBY]: 'Off' });
  });
});

describe('failback after a fenced failover', () => {
  test("restores the old primary's writer services to their minimum and waits for them before the readiness gate (M6)", async () => {
    const sim = simulation();
    expect((await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY })).status).toBe('succeeded');
    expect(sim.local.world.snapshot().runningTasks[PRIMARY]).toMatchObject({ catalog: 0, orders: 0 });
    sim.clock.advance(3600_000);
    const back = await sim.run(failback, {});
    expect(back.status).toBe('succeeded');
    expect(back.steps.slice(1, 5).map((s) => [s.step, s.status])).toEqual([
      ['check-rejoined', 'succeeded'],
      ['restore-target-capacity', 'succeeded'],
      ['wait-for-target-capacity', 'succeeded'],
      ['check-readiness', 'succeeded'],
    ]);
    expect(back.steps.find((s) => s.step === 'restore-target-capacity')?.detail).toBe(
      `restored in ${PRIMARY}: catalog 0 → 2, orders 0 → 2`,
    );
    // Restored to the minimum (2) before the readiness gate; then the scale-up (issue 17) raised every service to
    // the standby's peak (4, the simulated world's) before the switchover, and the Region keeps those after it.
    expect(back.steps.find((s) => s.step === 'scale-to-peak')?.detail).toContain(
      'catalog 4: minimum 2 → 4, desired 2 → 4',
    );
    expect(sim.local.world.snapshot().runningTasks[PRIMARY]).toMatchObject({ catalog: 4, orders: 4 });
  });

  test('a switchover between healthy Regions finds nothing to restore', async () => {
    const sim = simulation();
    const result = await sim.run(switchover, { targetRegion: STANDBY });
    expect(result.steps.find((s) => s.step === 'restore-target-capacity')?.status).toBe('already-done');
    // The only capacity changes are the scale-up's (issue 17), each to the peak target 4: none restores a writer.
    const capacity = mutations(sim.calls).filter((m) => m.startsWith('capacity.'));
    expect(capacity).toHaveLength(10);
    expect(capacity.every((m) => m.endsWith(',4]'))).toBe(true);
  });
});
