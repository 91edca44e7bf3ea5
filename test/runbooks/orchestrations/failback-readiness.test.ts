import type { MemoryReportSink } from '../../../runbooks/adapters/local/report-sinks';
import { failback, failover } from '../../../runbooks/orchestrations';
import type { RunbookPorts, ServiceCapacityPort } from '../../../runbooks/ports';
import type { Topology } from '../../../runbooks/topology';
import { mutations } from '../support/instrumented-ports';
import { PRIMARY, routing, type Simulation, STANDBY, simulation, writerRegions } from '../support/simulation';

// Issue 17: "before a failback the returning Region must have been healthy for a configured time, its databases
// rebuilt as secondaries with replication caught up, its canaries green and its capacity in place; the failback
// refuses (with each unmet condition named) otherwise, unless explicitly overridden" and "failback restores the
// counts".

const SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'] as const;
const CANARY_LOCAL = `shop-dev-${PRIMARY}-canary-local`;
const CANARY_GLOBAL = `shop-dev-${PRIMARY}-canary-global`;
const READINESS_ALARM = `shop-dev-${PRIMARY}-readiness`;

/** An unplanned failover to the standby while the primary was down; the primary back and rejoined a minute later. */
async function failedOverAndBack(sim: Simulation): Promise<void> {
  sim.local.world.regionDown(PRIMARY);
  expect((await sim.run(failover, { targetRegion: STANDBY })).status).toBe('succeeded');
  sim.local.world.regionUp(PRIMARY);
  sim.clock.advance(60_000);
  sim.calls.length = 0;
}

/** Sets an alarm of the primary to `state` since `minutesAgo`. */
function alarm(sim: Simulation, name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', minutesAgo: number) {
  const since = new Date(sim.clock.now().getTime() - minutesAgo * 60_000).toISOString();
  sim.local.world.transact((w) => {
    w.facts.regions[PRIMARY]!.alarms[name] = { state, since };
  });
}

/** The primary's capacity where no service gets more than `cap` tasks running: desired kept, running stops at it. */
function primaryTasksStopAt(cap: number) {
  return (ports: RunbookPorts): RunbookPorts => {
    const base = ports.capacity;
    const desired: Record<string, number> = {};
    const capacity: ServiceCapacityPort = {
      describe: async (r, cluster, services) => {
        const counts = await base.describe(r, cluster, services);
        if (r !== PRIMARY) return counts;
        return Object.fromEntries(
          Object.entries(counts).map(([s, c]) => [s, { desired: desired[s] ?? c.desired, running: c.running }]),
        );
      },
      setDesiredCount: async (r, cluster, service, count) => {
        if (r !== PRIMARY) return base.setDesiredCount(r, cluster, service, count);
        desired[service] = count;
        return base.setDesiredCount(r, cluster, service, Math.min(count, cap));
      },
      setScalingMinimum: (r, cluster, service, minimum) => base.setScalingMinimum(r, cluster, service, minimum),
      scalingMinimums: (r, cluster, services) => base.scalingMinimums(r, cluster, services),
    };
    return { ...ports, capacity };
  };
}

/** The summary the failback stored. */
function summaryOf(sim: Simulation, executionId: string): Record<string, unknown> {
  const sink = sim.local.reports as MemoryReportSink;
  return JSON.parse(sink.objects.get(`runs/failback/${executionId}/summary.json`)!);
}

const at = (result: { steps: readonly { step: string }[] }, step: string) =>
  result.steps.findIndex((s) => s.step === step);

describe('failback readiness', () => {
  test('GIVEN the returning Region healthy for a day, caught up, canaries green WHEN failback THEN every condition holds, its capacity is raised and in place, then writers and traffic move back', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    const result = await sim.run(failback, {});
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'check-failback-readiness')?.detail).toBe(
      `healthy-long-enough: ${CANARY_LOCAL} OK for 1441 min, ${CANARY_GLOBAL} OK for 1441 min, ${READINESS_ALARM} OK for 1441 min; ` +
        'replication-caught-up: catalog lag 0.4 s, orders lag 0.4 s; canaries-green: 2 canary alarms OK',
    );
    expect(result.steps.find((s) => s.step === 'check-failback-capacity')?.detail).toBe(
      'capacity-in-place: ui 4/4, catalog 4/4, carts 4/4, orders 4/4, checkout 4/4',
    );
    // judged before anything moves; the capacity judged after the scale-up; the counts restored after the traffic
    expect(at(result, 'check-readiness')).toBeLessThan(at(result, 'check-failback-readiness'));
    expect(at(result, 'check-failback-readiness')).toBeLessThan(at(result, 'scale-to-peak'));
    expect(at(result, 'wait-for-peak-capacity')).toBeLessThan(at(result, 'check-failback-capacity'));
    expect(at(result, 'check-failback-capacity')).toBeLessThan(at(result, 'switchover-catalog-database'));
    expect(at(result, 'shift-traffic')).toBeLessThan(at(result, 'restore-scaling-baseline'));
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': PRIMARY, 'shop-dev-orders': PRIMARY });
    expect(summaryOf(sim, result.executionId)).toMatchObject({ overrides: '', overridden: '' });
  });

  test('GIVEN a canary in ALARM and the readiness alarm OK for only 10 min WHEN failback THEN it refuses naming each unmet condition, and nothing changed', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    alarm(sim, CANARY_LOCAL, 'ALARM', 5);
    alarm(sim, READINESS_ALARM, 'OK', 10);
    const result = await sim.run(failback, {});
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      step: 'check-failback-readiness',
      retriable: false,
      message: [
        `${PRIMARY} is not ready for a failback; unmet: healthy-long-enough, canaries-green (to go on anyway once judged safe: overrides=healthy-long-enough,canaries-green):`,
        `  - healthy-long-enough: alarm ${CANARY_LOCAL} is ALARM since 2026-01-27T09:56:03.000Z`,
        `  - healthy-long-enough: alarm ${READINESS_ALARM} is OK only since 2026-01-27T09:51:03.000Z (10 min; needs 60 min)`,
        `  - canaries-green: canary alarm ${CANARY_LOCAL} is ALARM`,
      ].join('\n'),
    });
    expect(mutations(sim.calls)).toEqual([]);
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
  });

  test('GIVEN the same WHEN failback with overrides healthy-long-enough,canaries-green THEN it goes on, the step says what it overrode and the summary records it', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    alarm(sim, CANARY_LOCAL, 'ALARM', 5);
    alarm(sim, READINESS_ALARM, 'OK', 10);
    const result = await sim.run(failback, { overrides: 'healthy-long-enough,canaries-green' });
    expect(result.status).toBe('succeeded');
    const detail = result.steps.find((s) => s.step === 'check-failback-readiness')?.detail;
    expect(detail).toContain(`OVERRIDDEN healthy-long-enough: alarm ${CANARY_LOCAL} is ALARM since`);
    expect(detail).toContain(`OVERRIDDEN canaries-green: canary alarm ${CANARY_LOCAL} is ALARM`);
    expect(summaryOf(sim, result.executionId)).toMatchObject({
      input: { overrides: ['healthy-long-enough', 'canaries-green'] },
      overrides: 'healthy-long-enough,canaries-green',
      overridden: 'healthy-long-enough,canaries-green',
    });
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': PRIMARY, 'shop-dev-orders': PRIMARY });
  });

  test('GIVEN only healthy-long-enough overridden WHEN a canary is in ALARM THEN it still refuses, naming canaries-green only', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    alarm(sim, CANARY_GLOBAL, 'ALARM', 90);
    const result = await sim.run(failback, { overrides: 'healthy-long-enough' });
    expect(result.error?.step).toBe('check-failback-readiness');
    expect(result.error?.message).toBe(
      [
        `${PRIMARY} is not ready for a failback; unmet: canaries-green (to go on anyway once judged safe: overrides=healthy-long-enough,canaries-green):`,
        `  - canaries-green: canary alarm ${CANARY_GLOBAL} is ALARM`,
      ].join('\n'),
    );
  });

  test('GIVEN no canary or readiness alarm configured for the returning Region WHEN failback THEN healthy-long-enough and canaries-green are unmet: how long it has been healthy cannot be told (fail closed)', async () => {
    const withoutAlarms = (t: Topology): Topology => {
      const { readinessAlarmName: _alarm, ...primary } = t.regions[PRIMARY]!;
      return { ...t, regions: { ...t.regions, [PRIMARY]: { ...primary, canaryAlarmNames: [] } } };
    };
    const sim = simulation({ topology: withoutAlarms });
    await failedOverAndBack(sim);
    const result = await sim.run(failback, {});
    expect(result.error?.message).toBe(
      [
        `${PRIMARY} is not ready for a failback; unmet: healthy-long-enough, canaries-green (to go on anyway once judged safe: overrides=healthy-long-enough,canaries-green):`,
        `  - healthy-long-enough: no canary or readiness alarm is configured for ${PRIMARY}: how long it has been healthy cannot be told`,
        `  - canaries-green: no canary alarm is configured for ${PRIMARY}`,
      ].join('\n'),
    );
  });

  test('GIVEN the alarms of the returning Region cannot be read WHEN failback THEN it refuses, saying why', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    const result = await sim.run(
      failback,
      {},
      {
        ports: (ports) => ({
          ...ports,
          facts: {
            ...ports.facts,
            alarms: () => Promise.reject(new Error('ThrottlingException: Rate exceeded')),
          } as RunbookPorts['facts'],
        }),
      },
    );
    expect(result.error?.message).toContain(
      `  - healthy-long-enough: the alarms of ${PRIMARY} cannot be read (ThrottlingException: Rate exceeded)`,
    );
    expect(result.error?.message).toContain(
      `  - canaries-green: the canary alarms of ${PRIMARY} cannot be read (ThrottlingException: Rate exceeded)`,
    );
  });

  test('GIVEN replication lag above maxLagSeconds WHEN failback THEN it refuses before any change', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    sim.local.world.transact((w) => {
      w.lagSeconds[`arn:aws:rds:${PRIMARY}:000000000000:cluster:shop-dev-orders-${PRIMARY}`] = 95;
    });
    const result = await sim.run(failback, { maxLagSeconds: 60 });
    // the takeover readiness gate judges the lag first, with the same maxLagSeconds
    expect(result.error?.step).toBe('check-readiness');
    expect(result.error?.message).toContain('orders: replication lag 95 s exceeds 60 s');
    expect(mutations(sim.calls)).toEqual([]);
  });

  test("GIVEN the returning Region's tasks cannot reach the other Region's peak WHEN failback THEN it refuses at check-failback-capacity naming each short service, before any writer moved", async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    const result = await sim.run(failback, {}, { ports: primaryTasksStopAt(3) });
    expect(result.steps.find((s) => s.step === 'wait-for-peak-capacity')?.detail).toBe(
      `the scale-up of ${PRIMARY} not reached within 900 s; short: ui 3/4, catalog 3/4, carts 3/4, orders 3/4, checkout 3/4 (judged by the failback readiness)`,
    );
    expect(result.error).toEqual({
      step: 'check-failback-capacity',
      retriable: false,
      message: [
        `${PRIMARY} is not ready for a failback; unmet: capacity-in-place (to go on anyway once judged safe: overrides=capacity-in-place):`,
        ...SERVICES.map((s) => `  - capacity-in-place: ${s} runs 3 tasks of its target 4`),
      ].join('\n'),
    });
    expect(mutations(sim.calls).filter((m) => !m.startsWith('capacity.'))).toEqual([]);
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
  });

  test('GIVEN the same WHEN failback with overrides capacity-in-place THEN it goes on and the summary records it', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    const result = await sim.run(failback, { overrides: ['capacity-in-place'] }, { ports: primaryTasksStopAt(3) });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'check-failback-capacity')?.detail).toBe(
      SERVICES.map((s) => `OVERRIDDEN capacity-in-place: ${s} runs 3 tasks of its target 4`).join('; '),
    );
    expect(summaryOf(sim, result.executionId)).toMatchObject({
      overrides: 'capacity-in-place',
      overridden: 'capacity-in-place',
    });
  });

  test('GIVEN a ready returning Region WHEN failback is dry run THEN it plans every step and changes nothing: capacity-in-place is judged only once the scale-up has run', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    const result = await sim.run(failback, {}, { dryRun: true });
    expect(result.error?.message).toBeUndefined();
    expect(result.status).toBe('planned');
    expect(result.steps.find((s) => s.step === 'check-failback-capacity')?.detail).toBe(
      `capacity-in-place: judged once the scale-up of ${PRIMARY} has run (a dry run raises nothing)`,
    );
    expect(mutations(sim.calls)).toEqual([]);
  });

  test('an override of a condition that holds is recorded as asked, not as overridden', async () => {
    const sim = simulation();
    await failedOverAndBack(sim);
    const result = await sim.run(failback, { overrides: 'all' });
    expect(result.status).toBe('succeeded');
    expect(summaryOf(sim, result.executionId)).toMatchObject({
      overrides: 'healthy-long-enough,canaries-green,capacity-in-place',
      overridden: '',
    });
  });
});

describe('failback input: overrides', () => {
  const topology = simulation().topology;

  test('absent: none', () => {
    expect(failback.parseInput({}, topology)).toMatchObject({ overrides: [] });
  });

  test('all: every condition that may be waived', () => {
    expect(failback.parseInput({ overrides: 'all' }, topology)).toMatchObject({
      overrides: ['healthy-long-enough', 'canaries-green', 'capacity-in-place'],
    });
  });

  test.each([
    [
      'replication-caught-up',
      'overrides: "replication-caught-up" cannot be overridden (the readiness gate and Aurora\'s switchover require it; raise maxLagSeconds instead); accepted: healthy-long-enough, canaries-green, capacity-in-place, all (comma-separated)',
    ],
    [
      'canaries-green,bogus',
      'overrides: "bogus" is not one of them; accepted: healthy-long-enough, canaries-green, capacity-in-place, all (comma-separated)',
    ],
  ])('%s is rejected, naming the field, the value and what is accepted', (value, message) => {
    expect(() => failback.parseInput({ overrides: value }, topology)).toThrow(message);
  });

  test('an unknown field is still rejected', () => {
    expect(() => failback.parseInput({ override: 'all' }, topology)).toThrow(
      'override: is not an input of this orchestration; accepted: targetRegion, maxLagSeconds, overrides',
    );
  });
});

describe('failback restores the counts', () => {
  /** A failover that scaled the standby to the half-alive primary's peak (4), then back once the primary rejoined. */
  async function scaledFailoverAndBack(sim: Simulation) {
    expect((await sim.run(failover, { targetRegion: STANDBY })).status).toBe('succeeded');
    const world = sim.local.world.snapshot();
    expect(world.runningTasks[STANDBY]).toEqual({ ui: 4, catalog: 4, carts: 4, orders: 4, checkout: 4 });
    expect(SERVICES.map((s) => world.facts.regions[STANDBY]!.scaling[s]!.min)).toEqual([4, 4, 4, 4, 4]);
    sim.clock.advance(3600_000);
    sim.calls.length = 0;
    return sim.run(failback, {});
  }

  test("GIVEN a failover that scaled the standby up WHEN failback THEN both Regions' minimums and the standby's desired counts return to the baseline (minimumRunningTasks), after the traffic moved", async () => {
    const sim = simulation();
    const result = await scaledFailoverAndBack(sim);
    expect(result.status).toBe('succeeded');
    const world = sim.local.world.snapshot();
    for (const region of [PRIMARY, STANDBY]) {
      expect(SERVICES.map((s) => world.facts.regions[region]!.scaling[s]!.min)).toEqual([2, 2, 2, 2, 2]);
    }
    expect(world.runningTasks[STANDBY]).toEqual({ ui: 2, catalog: 2, carts: 2, orders: 2, checkout: 2 });
    // the Region that took the traffic back keeps what it was raised to; its scaling policies scale it in
    expect(world.runningTasks[PRIMARY]).toEqual({ ui: 4, catalog: 4, carts: 4, orders: 4, checkout: 4 });
    const changes = mutations(sim.calls);
    const traffic = changes.findIndex((m) => m.startsWith('routing.setStates'));
    const restores = changes.slice(traffic + 1);
    expect(restores.map((m) => m.split(' ')[0])).toEqual([
      ...Array(10).fill('capacity.setScalingMinimum'),
      ...Array(5).fill('capacity.setDesiredCount'),
    ]);
    const restored = result.steps.find((s) => s.step === 'restore-scaling-baseline')?.detail;
    expect(restored).toContain(`${PRIMARY} carts minimum 4 → 2`);
    expect(restored).toContain(`${STANDBY} carts desired 4 → 2`);
    expect(restored).not.toContain(`${PRIMARY} carts desired`);
  });

  test('GIVEN baselineMinimumTasks 3 WHEN failback THEN the baseline is 3, not minimumRunningTasks', async () => {
    const sim = simulation({
      topology: (t) => ({
        ...t,
        regions: Object.fromEntries(
          Object.entries(t.regions).map(([r, settings]) => [r, { ...settings, baselineMinimumTasks: 3 }]),
        ),
      }),
    });
    const result = await scaledFailoverAndBack(sim);
    expect(result.status).toBe('succeeded');
    const world = sim.local.world.snapshot();
    for (const region of [PRIMARY, STANDBY]) {
      expect(SERVICES.map((s) => world.facts.regions[region]!.scaling[s]!.min)).toEqual([3, 3, 3, 3, 3]);
    }
    expect(world.runningTasks[STANDBY]).toEqual({ ui: 3, catalog: 3, carts: 3, orders: 3, checkout: 3 });
  });

  test('running a completed failback again changes nothing: the scale-up is not repeated over the restored baseline', async () => {
    const sim = simulation();
    expect((await scaledFailoverAndBack(sim)).status).toBe('succeeded');
    sim.calls.length = 0;
    const again = await sim.run(failback, {});
    expect(again.status).toBe('succeeded');
    expect(mutations(sim.calls)).toEqual([]);
    expect(again.steps.find((s) => s.step === 'scale-to-peak')).toMatchObject({
      status: 'already-done',
      detail: `every writer is already in ${PRIMARY}: the move is past its scale-up`,
    });
  });
});
