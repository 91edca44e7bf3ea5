import type { MemoryReportSink } from '../../../runbooks/adapters/local/report-sinks';
import { failover } from '../../../runbooks/orchestrations';
import { mutations, writes } from '../support/instrumented-ports';
import { PRIMARY, routing, STANDBY, simulation, writerRegions } from '../support/simulation';

const input = { targetRegion: STANDBY, failedRegion: PRIMARY };

describe('failover', () => {
  test('moves the traffic and both writers to the target Region while the failed Region is down', async () => {
    // GIVEN the primary Region is down
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    // WHEN the failover runs
    const result = await sim.run(failover, input);
    // THEN traffic and writers are in the standby Region
    expect(result.status).toBe('succeeded');
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      ['validate-input', 'succeeded'],
      ['restore-target-capacity', 'already-done'],
      // Issue 17: the target's services are raised to their share of the failed Region's peak before traffic moves
      // (here that Region is down and no readiness record exists: the scale-up notes it and the failover goes on).
      ['scale-to-peak', 'succeeded'],
      ['wait-for-peak-capacity', 'succeeded'],
      ['shift-traffic', 'succeeded'],
      ['fence-failed-region', 'succeeded'],
      ['failover-catalog-database', 'succeeded'],
      ['failover-orders-database', 'succeeded'],
      ['wait-for-catalog-failover', 'succeeded'],
      ['wait-for-orders-failover', 'already-done'],
      ['verify-writers', 'succeeded'],
      ['store-summary', 'succeeded'],
    ]);
  });

  test('fencing a failed Region that does not answer is skipped with a note, and the failover goes on (M6)', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const result = await sim.run(failover, input);
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'fence-failed-region')?.detail).toBe(
      `best effort, continuing: catalog not fenced (simulated outage: the ECS API of ${PRIMARY} does not answer); orders not fenced (simulated outage: the ECS API of ${PRIMARY} does not answer) in ${PRIMARY}`,
    );
  });

  test('a half-alive failed Region has its database writers scaled to 0 before the databases fail over (M6)', async () => {
    // AWS: "To prevent writes from being sent to the primary cluster of Aurora Global Database, take applications
    // offline" (aurora-global-database-disaster-recovery.html).
    const sim = simulation();
    const result = await sim.run(failover, input);
    expect(result.status).toBe('succeeded');
    expect(sim.local.world.snapshot().runningTasks[PRIMARY]).toMatchObject({ catalog: 0, orders: 0, ui: 2 });
    const order = mutations(sim.calls).map((m) => m.split(' ')[0]);
    // Issue 17: the half-alive Region's CloudWatch answers, so the standby's five services are raised to its peak
    // (scaling minimum, then desired count) before the traffic moves; then the fence, then the databases.
    expect(order).toEqual([
      ...Array(5).fill('capacity.setScalingMinimum'),
      ...Array(5).fill('capacity.setDesiredCount'),
      'routing.setStates',
      'capacity.setDesiredCount',
      'capacity.setDesiredCount',
      'globalDatabase.failover',
      'globalDatabase.failover',
    ]);
  });

  test('failing over back into a Region an earlier failover fenced raises its writer services first (M6)', async () => {
    // GIVEN a failover to the standby that fenced the half-alive primary's writers
    const sim = simulation();
    expect((await sim.run(failover, input)).status).toBe('succeeded');
    expect(sim.local.world.snapshot().runningTasks[PRIMARY]).toMatchObject({ catalog: 0, orders: 0 });
    // WHEN the standby fails in turn and the runbook fails over back to the primary
    sim.clock.advance(3600_000);
    sim.local.world.regionDown(STANDBY);
    const back = await sim.run(failover, { targetRegion: PRIMARY, failedRegion: STANDBY });
    // THEN the primary's writers run again, raised before traffic moved
    expect(back.status).toBe('succeeded');
    expect(back.steps.find((s) => s.step === 'restore-target-capacity')?.detail).toBe(
      `restored in ${PRIMARY}: catalog 0 → 2, orders 0 → 2`,
    );
    expect(sim.local.world.snapshot().runningTasks[PRIMARY]).toMatchObject({ catalog: 2, orders: 2 });
  });

  test("an error reading or raising the target's services never stops the failover", async () => {
    const sim = simulation();
    const result = await sim.run(failover, input, {
      ports: (ports) => ({
        ...ports,
        capacity: {
          ...ports.capacity,
          describe: () => Promise.reject(new Error('ECS throttled')),
          scalingMinimums: ports.capacity.scalingMinimums.bind(ports.capacity),
          setDesiredCount: ports.capacity.setDesiredCount.bind(ports.capacity),
        },
      }),
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'restore-target-capacity')?.detail).toBe(
      `best effort, continuing: could not restore the writer services of ${STANDBY} (ECS throttled)`,
    );
  });

  test('sets both routing controls in ONE request, then fails over each database with data loss allowed', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.run(failover, input);
    const controls = sim.topology.routing.controls;
    expect(mutations(sim.calls)).toEqual([
      `routing.setStates ${JSON.stringify([
        [
          { control: controls[STANDBY], state: 'On' },
          { control: controls[PRIMARY], state: 'Off' },
        ],
      ])}`,
      `globalDatabase.failover ${JSON.stringify(['shop-dev-catalog', `arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-catalog-${STANDBY}`, STANDBY])}`,
      `globalDatabase.failover ${JSON.stringify(['shop-dev-orders', `arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY}`, STANDBY])}`,
    ]);
  });

  test('stores a summary with the failover time and the RTO', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const result = await sim.run(failover, input);
    const sink = sim.local.reports as MemoryReportSink;
    const summary = JSON.parse(sink.objects.get(`runs/failover/${result.executionId}/summary.json`)!);
    expect(summary).toMatchObject({
      orchestration: 'failover',
      input,
      reason: 'test',
      failoverAt: '2026-01-27T10:00:00.000Z',
      rtoSeconds: 3,
      startedAt: '2026-01-27T10:00:00.000Z',
      finishedAt: '2026-01-27T10:00:03.000Z',
    });
    // Every step before store-summary, scale-to-peak and wait-for-peak-capacity among them (issue 17).
    expect(Object.keys(summary.steps)).toHaveLength(11);
  });

  test('running it again changes nothing: every action is found already done', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.run(failover, input);
    sim.calls.length = 0;
    const again = await sim.run(failover, input);
    expect(again.status).toBe('succeeded');
    expect(mutations(sim.calls)).toEqual([]);
    expect(again.steps.filter((s) => s.status === 'already-done').map((s) => s.step)).toEqual([
      'restore-target-capacity',
      'shift-traffic',
      'failover-catalog-database',
      'failover-orders-database',
      'wait-for-catalog-failover',
      'wait-for-orders-failover',
    ]);
  });

  test('skips a database whose writer is already in the target Region', async () => {
    const sim = simulation();
    await sim.local.ports.globalDatabase.failover(
      'shop-dev-catalog',
      `arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-catalog-${STANDBY}`,
      STANDBY,
    );
    sim.clock.advance(10_000);
    const result = await sim.run(failover, input);
    expect(result.steps.find((s) => s.step === 'failover-catalog-database')).toEqual({
      step: 'failover-catalog-database',
      status: 'already-done',
      detail: `the writer of shop-dev-catalog is already shop-dev-catalog-${STANDBY} in ${STANDBY}`,
    });
    expect(mutations(sim.calls).filter((m) => m.startsWith('globalDatabase.failover'))).toHaveLength(1);
  });

  test('a dry run prints the plan, calls no mutating or recording method and changes nothing', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const before = sim.local.world.snapshot();
    const result = await sim.run(failover, input, { dryRun: true });
    expect(result.status).toBe('planned');
    expect(writes(sim.calls)).toEqual([]);
    expect(sim.local.world.snapshot()).toEqual(before);
    expect(result.steps.find((s) => s.step === 'shift-traffic')?.detail).toBe(
      `UpdateRoutingControlStates: ${STANDBY} On, ${PRIMARY} Off (one request, so the safety rule never sees both Regions off) | pending: routing controls are ${STANDBY} Off, ${PRIMARY} On`,
    );
  });

  test('a failover that never completes fails its wait with a timeout that says what was awaited and what was seen', async () => {
    const sim = simulation({ timings: { failoverMs: 24 * 3600_000 } });
    const result = await sim.run(failover, input);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      step: 'wait-for-catalog-failover',
      retriable: true,
      message:
        `the failover of global cluster "shop-dev-catalog" to ${STANDBY} did not finish within 10 min (waited 10 min); ` +
        `last seen: writer shop-dev-catalog-${PRIMARY} in ${PRIMARY}; FailoverState failing-over (→ ${STANDBY}); status failing-over. ` +
        'It may still finish: run the orchestration again to keep waiting, or investigate in the console.',
    });
  });

  test('a move that Aurora is cancelling stops the failover at once instead of being awaited (m3)', async () => {
    // API_FailoverState: "cancelling – The request to switch over or fail over the global cluster was cancelled"
    const sim = simulation({ timings: { failoverMs: 3600_000 } });
    await sim.local.ports.globalDatabase.failover(
      'shop-dev-orders',
      `arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY}`,
      STANDBY,
    );
    sim.local.world.transact((w) => {
      w.globalClusters['shop-dev-orders']!.failover!.status = 'cancelling';
    });
    const result = await sim.run(failover, input);
    expect(result.error?.step).toBe('failover-orders-database');
    expect(result.error?.retriable).toBe(false);
    expect(result.error?.message).toBe(
      `global cluster "shop-dev-orders": the move to ${STANDBY} is being cancelled (FailoverState cancelling); find out why in the RDS events, then run again`,
    );
  });

  test('a wait that sees the move being cancelled fails for good rather than polling until its timeout (m3)', async () => {
    const sim = simulation({ timings: { failoverMs: 24 * 3600_000 } });
    const first = await sim.run(failover, input);
    expect(first.error?.step).toBe('wait-for-catalog-failover');
    sim.local.world.transact((w) => {
      w.globalClusters['shop-dev-catalog']!.failover!.status = 'cancelling';
    });
    const started = sim.clock.now().getTime();
    const again = await sim.run(failover, input);
    expect(again.error?.step).toBe('wait-for-catalog-failover');
    expect(again.error?.retriable).toBe(false);
    expect(again.error?.message).toBe(
      `global cluster "shop-dev-catalog": the move to ${STANDBY} is being cancelled (FailoverState cancelling); find out why in the RDS events, then run again`,
    );
    expect(sim.clock.now().getTime() - started).toBeLessThan(60_000);
  });

  test('writers verified on the member, FailoverState and the writer cluster; the global status is only a note (m4)', async () => {
    // Undocumented: the global cluster's Status while the old primary's Region is still down. The writers have moved
    // when the target member is the writer, no FailoverState is left and the writer cluster is available.
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    expect((await sim.run(failover, input)).status).toBe('succeeded');
    sim.local.world.transact((w) => {
      for (const cluster of Object.values(w.globalClusters)) cluster.status = 'modifying';
    });
    const again = await sim.run(failover, input);
    expect(again.status).toBe('succeeded');
    expect(again.steps.find((s) => s.step === 'verify-writers')?.detail).toBe(
      `writers in ${STANDBY}: arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-catalog-${STANDBY}, arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY} (global cluster status: shop-dev-catalog modifying, shop-dev-orders modifying)`,
    );
  });

  test('refuses to start when a move to the other Region is in progress', async () => {
    const sim = simulation({ timings: { failoverMs: 3600_000 } });
    await sim.local.ports.globalDatabase.failover(
      'shop-dev-orders',
      `arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY}`,
      STANDBY,
    );
    const back = await sim.run(failover, { targetRegion: PRIMARY, failedRegion: STANDBY });
    expect(back.error?.step).toBe('failover-orders-database');
    expect(back.error?.retriable).toBe(false);
    expect(back.error?.message).toBe(
      `global cluster "shop-dev-orders": a move to arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY} is in progress (failing-over); wait for it to finish or cancel it, then run again`,
    );
  });

  test.each([
    [
      { targetRegion: STANDBY, failedRegion: STANDBY },
      'failedRegion: "us-west-2" equals targetRegion; accepted: the other Region',
    ],
    [
      { targetRegion: 'eu-west-1' },
      'targetRegion: "eu-west-1" is not a Region of this topology; accepted: us-east-1 or us-west-2',
    ],
    [{}, 'targetRegion: required; accepted: us-east-1 or us-west-2'],
    [
      { targetRegion: STANDBY, force: true },
      'force: is not an input of this orchestration; accepted: targetRegion, failedRegion',
    ],
  ])('rejects the input %j', (raw, message) => {
    const sim = simulation();
    expect(() => failover.parseInput(raw, sim.topology)).toThrow(message);
  });

  test('the failed Region defaults to the other Region', () => {
    expect(failover.parseInput({ targetRegion: PRIMARY }, simulation().topology)).toEqual({
      targetRegion: PRIMARY,
      failedRegion: STANDBY,
    });
  });
});
