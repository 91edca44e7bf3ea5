import { MUTATING_OPERATIONS } from '../aws-model/aws-model';
import type { ModelCall } from '../aws-model/call-log';
import { crashPoints } from '../support/crash-points';
import type { AwsScenario } from './aws-scenarios';
import { SUCCEEDING_SCENARIOS } from './aws-scenarios';
import { awsWorld, effectiveMutations, type TimerDriver } from './aws-world';
import { fakeTimers } from './jest-timers';

let timers: TimerDriver;

/**
 * Short durations: what a crash does does not depend on how long Aurora takes, and fewer polls mean fewer runs.
 * (The scenario and benchmark figures use the model's default durations.)
 */
const SHORT = {
  failoverSeconds: 30,
  switchoverSeconds: 30,
  failoverSnapshotSeconds: 30,
  resyncSeconds: 60,
  copySeconds: 30,
  restoreSeconds: 30,
  instanceSeconds: 30,
  deleteSeconds: 15,
  ecsScaleSeconds: 15,
};

/** Operations that set a value (doing them twice is the same as once): a resume may repeat them. */
const IDEMPOTENT = new Set([
  'UpdateRoutingControlStates',
  'UpdateRoutingControlState',
  'UpdateService',
  'PutParameter',
]);

/** The changes that must happen exactly once (sorted), and the distinct idempotent ones (sorted). */
function changes(calls: readonly ModelCall[]) {
  const all = effectiveMutations(calls);
  const once = all.filter((m) => !IDEMPOTENT.has(m.split(' ')[0]!)).sort();
  const idempotent = [...new Set(all.filter((m) => IDEMPOTENT.has(m.split(' ')[0]!)))].sort();
  return JSON.stringify({ once, idempotent });
}

const keyOf = (c: ModelCall) => `${c.service}:${c.operation} ${c.region} ${JSON.stringify(c.input)}`;
/** Calls with an effect: AWS changes, and the journal and report writes. */
const hasEffect = (c: ModelCall) => MUTATING_OPERATIONS.has(c.operation) || c.operation === 'PutObject';

/** A world brought to the scenario's starting state, checkpointed: `reset()` puts it back there. */
async function prepared(scenario: AwsScenario) {
  const world = awsWorld({ ...scenario.world, timings: { ...SHORT, ...scenario.world?.timings }, timers });
  await scenario.setup(world);
  return { world, reset: world.checkpoint() };
}

/**
 * Crash-resume tests of the named {@link SUCCEEDING_SCENARIOS}. For every AWS call of an uninterrupted run (see
 * {@link crashPoints}): the world reset to the scenario's starting state, a process crash just before (or just after)
 * that call — from then on every request fails, journal writes included, as for a Lambda that died — then a new
 * process runs the same orchestration again. It must succeed, make each non-idempotent change exactly once (the same
 * idempotent ones, possibly repeated) and leave the same state as the uninterrupted run.
 */
export function crashResumeSuite(names: readonly string[], from: readonly AwsScenario[] = SUCCEEDING_SCENARIOS): void {
  const scenarios = names.map((name) => {
    const found = from.find((s) => s.name === name);
    if (!found) throw new Error(`no scenario named "${name}"`);
    return found;
  });
  beforeEach(() => {
    timers = fakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  describe.each(scenarios.map((s) => [s.name, s] as const))(
    '%s: crash at any AWS call, then resume',
    (_name, scenario) => {
      test.each(['before', 'after'] as const)(
        'crash %s each call: each change exactly once, same final state',
        async (when) => {
          const { world, reset } = await prepared(scenario);
          try {
            reset();
            const uninterrupted = await world.run(scenario.orchestration, scenario.runIn, scenario.input);
            expect(uninterrupted.result.error?.message).toBeUndefined();
            const expected = { changes: changes(uninterrupted.calls), state: JSON.stringify(world.state()) };
            const points = crashPoints(uninterrupted.calls, when, { hasEffect, keyOf });
            // The scenario is meaningful: many calls, some with an effect.
            expect(points.length).toBeGreaterThan(when === 'before' ? 10 : 2);
            const problems: string[] = [];
            for (const at of points) {
              reset();
              world.model.crashAt({ at, when });
              await world.run(scenario.orchestration, scenario.runIn, scenario.input).catch(() => undefined);
              const crashed = world.model.crashed();
              world.model.restart();
              const second = await world.run(scenario.orchestration, scenario.runIn, scenario.input);
              const made = changes(world.model.calls.all());
              const problem = [
                crashed ? '' : 'the crash did not fire',
                second.result.status !== 'succeeded'
                  ? `resumed run ${second.result.status}: ${second.result.error?.message}`
                  : '',
                made !== expected.changes ? `changes ${made}` : '',
                JSON.stringify(world.state()) !== expected.state ? `state ${JSON.stringify(world.state())}` : '',
              ].filter(Boolean);
              if (problem.length > 0)
                problems.push(
                  `crash ${when} call #${at} (${uninterrupted.calls[at]?.operation}): ${problem.join('; ')}`,
                );
            }
            expect(problems).toEqual([]);
          } finally {
            world.dispose();
          }
        },
      );
    },
  );
}
