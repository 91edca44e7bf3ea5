import type { MemoryJournal } from '../../../runbooks/adapters/local/journals';
import type { MemoryReportSink } from '../../../runbooks/adapters/local/report-sinks';
import { failover, switchover } from '../../../runbooks/orchestrations';
import type { RunbookPorts, ServiceCapacityPort } from '../../../runbooks/ports';
import { READINESS_LATEST_KEY } from '../../../runbooks/readiness/readiness-record';
import { mutations, writes } from '../support/instrumented-ports';
import { recordWithPeak } from '../support/readiness-record-fixture';
import { PRIMARY, routing, type Simulation, STANDBY, simulation, writerRegions } from '../support/simulation';

// Issue 17: "failover and switchover raise the target Region's service counts to a configured share (default 100 %)
// of the failed Region's 24-hour peak, in parallel, with a timeout, before traffic shifts (unplanned: without waiting
// longer than the configured budget)". Application Auto Scaling: "scaling policies will not scale capacity to values
// that are outside of the minimum and maximum range" (API_RegisterScalableTarget): the minimum is raised with the
// desired count, and no target goes above the maximum.

const SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'] as const;

/** Sets the peak running tasks of each service of `region` (what its CloudWatch reports over the window). */
function peakOf(sim: Simulation, region: string, tasks: Partial<Record<(typeof SERVICES)[number], number>>): void {
  sim.local.world.transact((w) => {
    w.facts.regions[region]!.peakTasks = { ...tasks } as Record<string, number>;
  });
}

/** A readiness-record@1 of the standby's scheduled run, with the primary's peak as it read it at `measuredAt`. */
function readinessRecord(measuredAt: string, tasks: Record<string, number>, peakRegion = PRIMARY) {
  return recordWithPeak({ region: STANDBY, otherRegion: PRIMARY, measuredAt, tasks, peakRegion });
}

/**
 * The capacity of `region` where no service gets more than `cap` tasks running (a quota, no room for tasks):
 * desired counts are kept, running counts stop at `cap`.
 */
function tasksStopAt(region: string, cap: number) {
  return (ports: RunbookPorts): RunbookPorts => {
    const base = ports.capacity;
    const desired: Record<string, number> = {};
    const capacity: ServiceCapacityPort = {
      describe: async (r, cluster, services) => {
        const counts = await base.describe(r, cluster, services);
        if (r !== region) return counts;
        return Object.fromEntries(
          Object.entries(counts).map(([s, c]) => [s, { desired: desired[s] ?? c.desired, running: c.running }]),
        );
      },
      setDesiredCount: async (r, cluster, service, count) => {
        if (r !== region) return base.setDesiredCount(r, cluster, service, count);
        desired[service] = count;
        return base.setDesiredCount(r, cluster, service, Math.min(count, cap));
      },
      setScalingMinimum: (r, cluster, service, minimum) => base.setScalingMinimum(r, cluster, service, minimum),
      scalingMinimums: (r, cluster, services) => base.scalingMinimums(r, cluster, services),
    };
    return { ...ports, capacity };
  };
}

const detailOf = (result: { steps: readonly { step: string; detail: string }[] }, step: string) =>
  result.steps.find((s) => s.step === step)?.detail;

const orderOf = (result: { steps: readonly { step: string }[] }, step: string) =>
  result.steps.findIndex((s) => s.step === step);

describe('failover: the target is scaled to the failed Region peak before the traffic moves', () => {
  test('GIVEN the failed Region half alive with a peak of 6 tasks per service WHEN failover THEN every service of the target is raised to 6 (minimum and desired), and runs 6, before the traffic moves', async () => {
    const sim = simulation();
    peakOf(sim, PRIMARY, { ui: 6, catalog: 6, carts: 6, orders: 6, checkout: 6 });
    const result = await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY });
    expect(result.status).toBe('succeeded');
    // step order: the scale-up and its wait precede the traffic shift
    expect(orderOf(result, 'scale-to-peak')).toBeGreaterThan(0);
    expect(orderOf(result, 'scale-to-peak')).toBeLessThan(orderOf(result, 'wait-for-peak-capacity'));
    expect(orderOf(result, 'wait-for-peak-capacity')).toBeLessThan(orderOf(result, 'shift-traffic'));
    // call order: every service's minimum and desired count raised (all services, not only the writers), then routing
    const changes = mutations(sim.calls);
    expect(changes.slice(0, 10)).toEqual([
      ...SERVICES.map((s) => `capacity.setScalingMinimum ${JSON.stringify([STANDBY, `shop-dev-${STANDBY}`, s, 6])}`),
      ...SERVICES.map((s) => `capacity.setDesiredCount ${JSON.stringify([STANDBY, `shop-dev-${STANDBY}`, s, 6])}`),
    ]);
    expect(changes[10]).toMatch(/^routing\.setStates /);
    expect(detailOf(result, 'wait-for-peak-capacity')).toBe(
      'running/target: ui 6/6, catalog 6/6, carts 6/6, orders 6/6, checkout 6/6',
    );
    const world = sim.local.world.snapshot();
    expect(world.runningTasks[STANDBY]).toEqual({ ui: 6, catalog: 6, carts: 6, orders: 6, checkout: 6 });
    expect(SERVICES.map((s) => world.facts.regions[STANDBY]!.scaling[s]!.min)).toEqual([6, 6, 6, 6, 6]);
  });

  test('GIVEN peakSharePercent 150 and one maximum below the share WHEN failover THEN ceil(150 % × peak), capped at the maximum and said so', async () => {
    const sim = simulation({ topology: (t) => ({ ...t, readiness: { ...t.readiness, peakSharePercent: 150 } }) });
    peakOf(sim, PRIMARY, { ui: 3, catalog: 4, carts: 3, orders: 4, checkout: 1 });
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.scaling.carts!.max = 4;
    });
    const result = await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY });
    expect(result.status).toBe('succeeded');
    // 150 % of 3 is 4.5 → 5; of 4, 6; of 1, 1.5 → 2 (the minimum already: only the desired count is left as is)
    expect(sim.local.world.snapshot().runningTasks[STANDBY]).toEqual({
      ui: 5,
      catalog: 6,
      carts: 4,
      orders: 6,
      checkout: 2,
    });
    expect(detailOf(result, 'scale-to-peak')).toContain(
      'carts 4 (capped at its maximum; 5 wanted): minimum 2 → 4, desired 2 → 4',
    );
    expect(detailOf(result, 'scale-to-peak')).toContain('checkout 2: already there');
  });

  test('GIVEN the failed Region down and a readiness record with its peak WHEN failover THEN the target is raised to the recorded peak, saying where it came from and how old it is', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.local.reports.putJson(
      READINESS_LATEST_KEY,
      readinessRecord('2026-01-27T08:00:00.000Z', { ui: 5, catalog: 3, carts: 5, orders: 3, checkout: 5 }),
    );
    const result = await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY });
    expect(result.status).toBe('succeeded');
    expect(detailOf(result, 'scale-to-peak')).toMatch(
      new RegExp(
        `^peak of ${PRIMARY} over 24 h taken from the readiness record \\(measured 2026-01-27T08:00:00.000Z, 2 h old\\) for ui, catalog, carts, orders, checkout; ui 5: minimum 2 → 5, desired 2 → 5; catalog 3: `,
      ),
    );
    expect(sim.local.world.snapshot().runningTasks[STANDBY]).toEqual({
      ui: 5,
      catalog: 3,
      carts: 5,
      orders: 3,
      checkout: 5,
    });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
  });

  test('GIVEN the failed Region down and no readiness record WHEN failover THEN nothing is raised, the step says why for each service, and the failover goes on', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const result = await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY });
    expect(result.status).toBe('succeeded');
    const why = `CloudWatch of ${PRIMARY}: simulated outage: the CloudWatch API of ${PRIMARY} does not answer; readiness record: there is no ${READINESS_LATEST_KEY}`;
    expect(detailOf(result, 'scale-to-peak')).toBe(
      `not raised, peak unknown: ${SERVICES.map((s) => `${s} (${why})`).join('; ')}`,
    );
    // no capacity change took effect (the best-effort fence was tried on the failed Region, which does not answer)
    expect(mutations(sim.calls).filter((m) => m.startsWith('capacity.'))).toEqual([]);
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
  });

  test('GIVEN a readiness record holding the peak of another Region WHEN failover THEN it is not used', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.local.reports.putJson(
      READINESS_LATEST_KEY,
      readinessRecord('2026-01-27T09:30:00.000Z', { ui: 9 }, STANDBY),
    );
    const result = await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY });
    expect(result.status).toBe('succeeded');
    expect(detailOf(result, 'scale-to-peak')).toContain(
      `readiness record: ${READINESS_LATEST_KEY} holds the peak of ${STANDBY}, not of ${PRIMARY}`,
    );
    expect(sim.local.world.snapshot().runningTasks[STANDBY]!.ui).toBe(2);
  });

  test('GIVEN a readiness record that is not a readiness-record@1 WHEN failover THEN it is not used, and says what is wrong', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await sim.local.reports.putJson(READINESS_LATEST_KEY, { schema: 'readiness-record@0' });
    const result = await sim.run(failover, { targetRegion: STANDBY, failedRegion: PRIMARY });
    expect(result.status).toBe('succeeded');
    expect(detailOf(result, 'scale-to-peak')).toContain(
      `readiness record: ${READINESS_LATEST_KEY} is not a readiness-record@1 record:   - schema: `,
    );
  });

  test("GIVEN the target's tasks cannot start beyond 3 WHEN failover THEN it waits at most scaleUpBudgetSeconds, then moves the traffic anyway naming the shortfall", async () => {
    const sim = simulation();
    const result = await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      { ports: tasksStopAt(STANDBY, 3) },
    );
    expect(result.status).toBe('succeeded');
    expect(detailOf(result, 'wait-for-peak-capacity')).toBe(
      `best effort, moving traffic anyway: the scale-up of ${STANDBY} not reached within 120 s; short: ui 3/4, catalog 3/4, carts 3/4, orders 3/4, checkout 3/4`,
    );
    expect(result.steps.find((s) => s.step === 'wait-for-peak-capacity')?.outputs).toEqual({
      short: 'ui 3/4, catalog 3/4, carts 3/4, orders 3/4, checkout 3/4',
    });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
    // the traffic moved no later than the budget after the scale-up started
    const journal = await (sim.local.journal as MemoryJournal).load('failover', result.executionId);
    const scaleStarted = Date.parse(journal!.steps['scale-to-peak']!.startedAt);
    const shiftStarted = Date.parse(journal!.steps['shift-traffic']!.startedAt);
    expect(shiftStarted - scaleStarted).toBeGreaterThanOrEqual(120_000);
    expect(shiftStarted - scaleStarted).toBeLessThanOrEqual(121_000);
  });

  test("GIVEN the failed Region down WHEN failover THEN its peak is asked once: the run uses its check's plan (each read of a dead Region may take the whole peak budget)", async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const asked: string[] = [];
    await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      {
        // counted here: the instrumented ports record only the calls that answered
        ports: (ports) => ({
          ...ports,
          facts: new Proxy(ports.facts, {
            get: (target, property, receiver) => {
              const value = Reflect.get(target, property, receiver);
              if (property !== 'peakRunningTasks' || typeof value !== 'function') return value;
              return (region: string, ...rest: unknown[]) => {
                asked.push(region);
                return value.call(target, region, ...rest);
              };
            },
          }),
        }),
      },
    );
    expect(asked).toEqual([PRIMARY]);
    expect(sim.calls.filter((c) => c.method === 'reports.getJson').map((c) => c.args[0])).toEqual([
      READINESS_LATEST_KEY,
    ]);
  });

  test('GIVEN raising a scaling minimum fails WHEN failover THEN it is noted and the failover goes on', async () => {
    const sim = simulation();
    const result = await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      {
        ports: (ports) => ({
          ...ports,
          capacity: {
            describe: (r, c, s) => ports.capacity.describe(r, c, s),
            setDesiredCount: (r, c, s, n) => ports.capacity.setDesiredCount(r, c, s, n),
            scalingMinimums: (r, c, s) => ports.capacity.scalingMinimums(r, c, s),
            setScalingMinimum: (r, c, s, n) =>
              s === 'carts'
                ? Promise.reject(new Error('AccessDeniedException: not authorized'))
                : ports.capacity.setScalingMinimum(r, c, s, n),
          },
        }),
      },
    );
    expect(result.status).toBe('succeeded');
    expect(detailOf(result, 'scale-to-peak')).toContain('carts not raised (AccessDeniedException: not authorized)');
    expect(detailOf(result, 'wait-for-peak-capacity')).toContain('short: carts 2/4');
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
  });
});

describe('switchover: the target is scaled before anything moves, or nothing moves', () => {
  test("GIVEN the target's tasks cannot start beyond 3 WHEN switchover THEN it fails at wait-for-peak-capacity after scaleUpTimeoutSeconds, no writer and no traffic moved", async () => {
    const sim = simulation();
    const result = await sim.run(switchover, { targetRegion: STANDBY }, { ports: tasksStopAt(STANDBY, 3) });
    expect(result.status).toBe('failed');
    expect(result.error?.step).toBe('wait-for-peak-capacity');
    expect(result.error?.message).toMatch(
      new RegExp(
        `^the scale-up of ${STANDBY} did not finish within 15 min \\(waited 15 min\\); last seen: running/target: ui 3/4, catalog 3/4, carts 3/4, orders 3/4, checkout 3/4\\.`,
      ),
    );
    expect(mutations(sim.calls).filter((m) => !m.startsWith('capacity.'))).toEqual([]);
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': PRIMARY, 'shop-dev-orders': PRIMARY });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'On', [STANDBY]: 'Off' });
  });

  test("GIVEN no peak from the other Region's CloudWatch nor a readiness record WHEN switchover THEN it fails at scale-to-peak naming each service, before any change", async () => {
    const sim = simulation();
    peakOf(sim, PRIMARY, {});
    const result = await sim.run(switchover, { targetRegion: STANDBY });
    expect(result.error?.step).toBe('scale-to-peak');
    expect(result.error?.retriable).toBe(false);
    expect(result.error?.message).toBe(
      `the scale-up of ${STANDBY} cannot be sized, nothing was moved: the peak of ${PRIMARY} is unknown for ` +
        SERVICES.map(
          (s) =>
            `${s} (CloudWatch of ${PRIMARY}: no RunningTaskCount data point; readiness record: there is no ${READINESS_LATEST_KEY})`,
        ).join('; ') +
        '. Run again once its CloudWatch answers or the scheduled readiness has written a record with otherRegionPeak',
    );
    expect(mutations(sim.calls)).toEqual([]);
  });

  test('GIVEN a service without a live peak and a readiness record that has it WHEN switchover THEN the record fills the gap, each source said', async () => {
    const sim = simulation();
    peakOf(sim, PRIMARY, { ui: 4, catalog: 4, orders: 4, checkout: 4 });
    await sim.local.reports.putJson(
      READINESS_LATEST_KEY,
      readinessRecord('2026-01-27T09:56:00.000Z', { ui: 9, carts: 7 }),
    );
    const result = await sim.run(switchover, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(detailOf(result, 'scale-to-peak')).toMatch(
      new RegExp(
        `^peak of ${PRIMARY} over 24 h read from its CloudWatch for ui, catalog, orders, checkout; peak of ${PRIMARY} over 24 h taken from the readiness record \\(measured 2026-01-27T09:56:00.000Z, 4 min old\\) for carts; `,
      ),
    );
    expect(sim.local.world.snapshot().runningTasks[STANDBY]).toMatchObject({ ui: 4, carts: 7 });
  });

  test('a dry run says what each service would be raised to, and changes nothing', async () => {
    const sim = simulation();
    const before = sim.local.world.snapshot();
    const result = await sim.run(switchover, { targetRegion: STANDBY }, { dryRun: true });
    expect(result.status).toBe('planned');
    expect(detailOf(result, 'scale-to-peak')).toMatch(
      / \| pending: ui desired 2, minimum 2 < 4; catalog desired 2, minimum 2 < 4; carts desired 2, minimum 2 < 4; orders desired 2, minimum 2 < 4; checkout desired 2, minimum 2 < 4$/,
    );
    expect(writes(sim.calls)).toEqual([]);
    expect(sim.local.world.snapshot()).toEqual(before);
  });

  test('the summary of a switchover keeps what the scale-up set', async () => {
    const sim = simulation();
    const result = await sim.run(switchover, { targetRegion: STANDBY });
    const sink = sim.local.reports as MemoryReportSink;
    const summary = JSON.parse(sink.objects.get(`runs/switchover/${result.executionId}/summary.json`)!);
    expect(summary.steps['scale-to-peak'].outputs).toEqual({
      targets: JSON.stringify({ ui: 4, catalog: 4, carts: 4, orders: 4, checkout: 4 }),
    });
  });
});

describe('scale-up: a peak or a maximum that is not a number of tasks is never used (review R1: NaN compares false)', () => {
  /** The ports where the other Region's peak answers `answer` and the target's scaling limits `limits`. */
  function answering(answer: Record<string, number>, limits?: Record<string, { min: number; max: number }>) {
    return (ports: RunbookPorts): RunbookPorts => ({
      ...ports,
      facts: new Proxy(ports.facts, {
        get: (target, property, receiver) => {
          const value = Reflect.get(target, property, receiver);
          if (property === 'peakRunningTasks') return async () => answer;
          if (property === 'scalingLimits' && limits) return async () => limits;
          return value;
        },
      }),
    });
  }

  test('GIVEN the live peak answers NaN, Infinity and -3 for three services WHEN failover THEN none of them is raised from it: each is named as unknown, and the others are raised', async () => {
    const sim = simulation();
    const result = await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      { ports: answering({ ui: Number.NaN, catalog: Number.POSITIVE_INFINITY, carts: -3, orders: 4, checkout: 4 }) },
    );
    expect(result.status).toBe('succeeded');
    const raised = sim.calls
      .filter((c) => c.method === 'capacity.setScalingMinimum')
      .map((c) => [c.args[2], c.args[3]]);
    expect(raised).toEqual(
      expect.arrayContaining([
        ['orders', 4],
        ['checkout', 4],
      ]),
    );
    expect(raised.every(([, n]) => Number.isInteger(n) && (n as number) >= 0)).toBe(true);
    expect(raised.map(([s]) => s)).not.toEqual(expect.arrayContaining(['ui']));
    const detail = detailOf(result, 'scale-to-peak');
    for (const service of ['ui', 'catalog', 'carts']) expect(detail).toContain(`${service} (CloudWatch of ${PRIMARY}:`);
  });

  test('GIVEN a scaling maximum read as NaN WHEN failover THEN the target is not capped by it (no NaN count is ever sent)', async () => {
    const sim = simulation();
    const limits = Object.fromEntries(
      ['ui', 'catalog', 'carts', 'orders', 'checkout'].map((s) => [s, { min: 2, max: s === 'ui' ? Number.NaN : 20 }]),
    );
    await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      { ports: answering({ ui: 4, catalog: 4, carts: 4, orders: 4, checkout: 4 }, limits) },
    );
    const counts = sim.calls
      .filter((c) => c.method === 'capacity.setScalingMinimum' || c.method === 'capacity.setDesiredCount')
      .map((c) => c.args[3]);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((n) => Number.isInteger(n))).toBe(true);
    // ui is raised to its peak like the others: an unreadable range caps nothing (its desired count is raised, as for
    // a service without a scalable target)
    expect(
      sim.calls.filter((c) => c.method === 'capacity.setDesiredCount' && c.args[2] === 'ui').map((c) => c.args[3]),
    ).toEqual([4]);
  });
});
