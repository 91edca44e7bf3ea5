import type { MemoryJournal } from '../../../runbooks/adapters/local/journals';
import type { RunResult } from '../../../runbooks/core/engine';
import type { AnyOrchestration } from '../../../runbooks/core/step';
import { failback, failover, preserveSnapshots, recover, switchover } from '../../../runbooks/orchestrations';
import { MUTATING_METHODS, RECORDING_METHODS } from '../../../runbooks/ports';
import { READINESS_LATEST_KEY } from '../../../runbooks/readiness/readiness-record';
import { crashPoints } from '../support/crash-points';
import { mutations, type PortCall } from '../support/instrumented-ports';
import { recordWithPeak } from '../support/readiness-record-fixture';
import { PRIMARY, routing, type Simulation, STANDBY, simulation, writerRegions } from '../support/simulation';

interface Scenario {
  readonly name: string;
  readonly orchestration: AnyOrchestration;
  readonly input: Record<string, unknown>;
  /** Brings a fresh simulation to the state the orchestration starts from. */
  readonly setup: (sim: Simulation) => Promise<void>;
  /** Actions the uninterrupted run must take (`method [args]` prefixes), so the crashes cover them. */
  readonly covers?: readonly string[];
}

async function failedOverAndBack(sim: Simulation): Promise<void> {
  sim.local.world.regionDown(PRIMARY);
  await sim.run(failover, { targetRegion: STANDBY });
  sim.local.world.regionUp(PRIMARY);
  sim.clock.advance(60_000);
}

/**
 * The standby's latest readiness record with the primary's peak (5 tasks per service, above the baseline of 2), so
 * a failover with the primary down scales the standby up before the traffic moves (issue 17).
 */
async function standbyRecordsPrimaryPeak(sim: Simulation): Promise<void> {
  await sim.local.reports.putJson(
    READINESS_LATEST_KEY,
    recordWithPeak({
      region: STANDBY,
      otherRegion: PRIMARY,
      measuredAt: '2026-01-27T09:30:00.000Z',
      tasks: { ui: 5, catalog: 5, carts: 5, orders: 5, checkout: 5 },
    }),
  );
}

const scenarios: readonly Scenario[] = [
  {
    name: 'failover',
    orchestration: failover,
    input: { targetRegion: STANDBY, failedRegion: PRIMARY },
    setup: async (sim) => sim.local.world.regionDown(PRIMARY),
  },
  { name: 'switchover', orchestration: switchover, input: { targetRegion: STANDBY }, setup: async () => {} },
  { name: 'failback', orchestration: failback, input: {}, setup: failedOverAndBack },
  {
    // the scale-up's two actions per service (minimum, desired count) before the traffic moves
    name: 'failover scaling the target up to the recorded peak',
    orchestration: failover,
    input: { targetRegion: STANDBY, failedRegion: PRIMARY },
    covers: [
      `capacity.setScalingMinimum ["${STANDBY}","shop-dev-${STANDBY}","ui",5]`,
      `capacity.setDesiredCount ["${STANDBY}","shop-dev-${STANDBY}","ui",5]`,
    ],
    setup: async (sim) => {
      await standbyRecordsPrimaryPeak(sim);
      sim.local.world.regionDown(PRIMARY);
    },
  },
  {
    // the failback's scale-up, then the baseline restored in both Regions (minimums) and the Region left (desired)
    name: 'failback after a failover that scaled the standby up',
    orchestration: failback,
    input: {},
    covers: [
      `capacity.setScalingMinimum ["${PRIMARY}","shop-dev-${PRIMARY}","ui",4]`,
      `capacity.setDesiredCount ["${PRIMARY}","shop-dev-${PRIMARY}","ui",4]`,
      `capacity.setScalingMinimum ["${PRIMARY}","shop-dev-${PRIMARY}","ui",2]`,
      `capacity.setScalingMinimum ["${STANDBY}","shop-dev-${STANDBY}","ui",2]`,
      `capacity.setDesiredCount ["${STANDBY}","shop-dev-${STANDBY}","ui",2]`,
    ],
    setup: async (sim) => {
      await standbyRecordsPrimaryPeak(sim);
      await failedOverAndBack(sim);
    },
  },
  {
    name: 'recover',
    orchestration: recover,
    input: { targetRegion: STANDBY, failedRegion: PRIMARY, failoverAt: '2026-01-27T10:00:00Z' },
    setup: failedOverAndBack,
  },
  {
    name: 'preserve-snapshots',
    orchestration: preserveSnapshots,
    input: { targetRegion: STANDBY },
    setup: failedOverAndBack,
  },
];

/** What must hold after an orchestration completed, whatever happened on the way. */
function finalState(sim: Simulation) {
  const world = sim.local.world.snapshot();
  return {
    routing: routing(sim),
    writers: writerRegions(sim),
    temporaryClusters: world.clusters.map((c) => c.identifier),
    temporaryInstances: world.instances.map((i) => i.identifier),
    snapshotCopies: world.snapshots.filter((s) => !s.identifier.startsWith('rds:')).map((s) => s.identifier),
  };
}

/** `+2 snapshots.restoreCluster, -1 …`: how the actions differ from the reference, by method. */
function difference(actual: readonly string[], expected: readonly string[]): string {
  const count = (list: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const item of list) counts.set(item.split(' ')[0]!, (counts.get(item.split(' ')[0]!) ?? 0) + 1);
    return counts;
  };
  const a = count(actual);
  const e = count(expected);
  return [...new Set([...a.keys(), ...e.keys()])]
    .map((m) => [m, (a.get(m) ?? 0) - (e.get(m) ?? 0)] as const)
    .filter(([, d]) => d !== 0)
    .map(([m, d]) => `${d > 0 ? '+' : ''}${d} ${m}`)
    .join(', ');
}

/** Calls with an effect: the changes, and the journal and report writes. */
const hasEffect = (c: PortCall) => MUTATING_METHODS.includes(c.method) || RECORDING_METHODS.includes(c.method);
const keyOf = (c: PortCall) => `${c.method} ${JSON.stringify(c.args)}`;

async function prepared(scenario: Scenario): Promise<Simulation> {
  const sim = simulation();
  await scenario.setup(sim);
  sim.calls.length = 0;
  return sim;
}

describe.each(scenarios)('$name resumes after a crash at any point', (scenario) => {
  let reference: {
    calls: number;
    points: Record<'before' | 'after', number[]>;
    mutations: string[];
    state: ReturnType<typeof finalState>;
  };

  beforeAll(async () => {
    const sim = await prepared(scenario);
    const result = await sim.run(scenario.orchestration, scenario.input);
    expect(result.status).toBe('succeeded');
    const points = (when: 'before' | 'after') => crashPoints(sim.calls, when, { hasEffect, keyOf });
    reference = {
      calls: sim.calls.length,
      points: { before: points('before'), after: points('after') },
      mutations: mutations(sim.calls).sort(),
      state: finalState(sim),
    };
  });

  test('the uninterrupted run changes something (the scenario is meaningful)', () => {
    expect(reference.mutations.length).toBeGreaterThan(0);
    expect(reference.points.after.length).toBeGreaterThanOrEqual(reference.mutations.length);
    expect(reference.calls).toBeGreaterThan(reference.mutations.length);
    for (const action of scenario.covers ?? []) expect(reference.mutations).toContain(action);
  });

  test.each([
    ['before', 'kept'],
    ['after', 'kept'],
    ['before', 'lost'],
    ['after', 'lost'],
  ] as const)('crash %s the call, journal %s: each action happens exactly once', async (when, journal) => {
    const problems: string[] = [];
    for (const at of reference.points[when]) {
      const sim = await prepared(scenario);
      const first = await sim
        .run(scenario.orchestration, scenario.input, { crash: { at, when } })
        .catch(() => undefined);
      if (journal === 'lost') (sim.local.journal as MemoryJournal).clear();
      const second: RunResult = await sim.run(scenario.orchestration, scenario.input);
      const problem = [
        second.status !== 'succeeded' ? `second run ${second.status}: ${second.error?.message}` : '',
        JSON.stringify(mutations(sim.calls).sort()) !== JSON.stringify(reference.mutations)
          ? `actions ${difference(mutations(sim.calls), reference.mutations)}`
          : '',
        JSON.stringify(finalState(sim)) !== JSON.stringify(reference.state)
          ? `final state ${JSON.stringify(finalState(sim))}`
          : '',
      ].filter(Boolean);
      if (problem.length > 0)
        problems.push(`crash ${when} call #${at} (${first?.error?.step ?? 'run'}): ${problem.join('; ')}`);
    }
    expect(problems).toEqual([]);
  });
});

test('a crash inside a run is absorbed by the step retry, still without repeating the action', async () => {
  const reference = simulation();
  await reference.run(failover, { targetRegion: STANDBY });
  const at = reference.calls.findIndex((c) => c.method === 'routing.setStates');

  const sim = simulation();
  const result = await sim.run(failover, { targetRegion: STANDBY }, { crash: { at, when: 'after' }, stepAttempts: 3 });
  expect(result.status).toBe('succeeded');
  expect(result.steps.find((s) => s.step === 'shift-traffic')?.status).toBe('already-done');
  expect(mutations(sim.calls).filter((m) => m.startsWith('routing.setStates'))).toHaveLength(1);
});
