import type { Journal } from '../../../runbooks/ports';
import { routingConfigurationCheck } from '../../../runbooks/readiness/checks/routing-configuration';
import { routingStatesCheck } from '../../../runbooks/readiness/checks/routing-states';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { evaluate, failing } from './readiness-simulation';

const controlOf = (region: string) =>
  `arn:aws:route53-recovery-control::000000000000:controlpanel/0000000000000000/routingcontrol/${region}`;
/** A journal of a traffic move, as the engine saves it. */
const move = (orchestration: string, executionId: string, status: Journal['status'], startedAt: string): Journal => ({
  version: 1,
  executionId,
  orchestration,
  input: {},
  status,
  startedAt,
  updatedAt: startedAt,
  steps: {},
});
const endpointOf = (region: string) => `https://arc-cluster.${region}.simulated.invalid/v1`;

// https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html: "Your process … should try each
// endpoint in rotation": a stale endpoint or ARN is found only when asked of every endpoint, which the check does.
describe('routing-configuration', () => {
  test('GIVEN every endpoint answers with both ARNs held WHEN checked THEN GREEN, each endpoint asked', async () => {
    const result = await evaluate(simulation(), routingConfigurationCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `ARC endpoint ${endpointOf(PRIMARY)} (${PRIMARY}) lists both routing controls`,
      `ARC endpoint ${endpointOf(STANDBY)} (${STANDBY}) lists both routing controls`,
    ]);
  });

  test('GIVEN one endpoint does not answer WHEN checked THEN RED naming it, though the other one would do', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.arcEndpoints[1]!.answers = false;
    });
    const result = await evaluate(sim, routingConfigurationCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `ARC endpoint ${endpointOf(STANDBY)} (${STANDBY}) does not answer (connect timeout after 3 s (simulated)); expected: every endpoint answers`,
    ]);
  });

  test('GIVEN the standby routing control was recreated under a new ARN WHEN checked THEN RED naming the ARN held and what is listed', async () => {
    const sim = simulation();
    const recreated = `${controlOf(STANDBY)}-2`;
    sim.local.world.transact((w) => {
      for (const e of w.facts.arcEndpoints) e.controls[1] = { arn: recreated, name: STANDBY };
    });
    const result = await evaluate(sim, routingConfigurationCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual(
      [PRIMARY, STANDBY].map(
        (r) =>
          `ARC endpoint ${endpointOf(r)} (${r}) does not list ${STANDBY}'s routing control ${controlOf(STANDBY)}; it lists ${PRIMARY} ${controlOf(PRIMARY)} and ${STANDBY} ${recreated}; expected: the ARNs the runbooks hold`,
      ),
    );
  });

  test('GIVEN the runbooks hold no endpoint WHEN checked THEN RED', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.arcEndpoints = [];
    });
    const result = await evaluate(sim, routingConfigurationCheck);
    expect(result.failures).toEqual([
      'the runbooks hold no ARC cluster endpoint; expected: the Regional endpoints of the ARC cluster',
    ]);
  });

  test('GIVEN the routing parameter cannot be read WHEN evaluated THEN INCONCLUSIVE', async () => {
    const result = await evaluate(simulation(), routingConfigurationCheck, {
      ports: failing('routing', 'describeConfiguration'),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
  });
});

describe('routing-states', () => {
  test('GIVEN the primary On and the standby Off WHEN checked THEN GREEN', async () => {
    const result = await evaluate(simulation(), routingStatesCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([`${PRIMARY} takes the traffic (${PRIMARY} On, ${STANDBY} Off)`]);
  });

  test('GIVEN both On and no traffic move running WHEN checked THEN RED', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.routing[controlOf(STANDBY)] = 'On';
    });
    const result = await evaluate(sim, routingStatesCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `both Regions are On (${PRIMARY} On, ${STANDBY} On) and no switchover, failback or failover is running (latest: none recorded); expected: exactly one Region On`,
    ]);
  });

  test('GIVEN both Off WHEN checked THEN RED, naming the latest move that is not running', async () => {
    const sim = simulation();
    await sim.local.journal.save(move('switchover', 'sw-1', 'succeeded', '2026-01-27T09:00:00.000Z'));
    sim.local.world.transact((w) => {
      w.routing[controlOf(PRIMARY)] = 'Off';
    });
    const result = await evaluate(sim, routingStatesCheck);
    expect(result.failures).toEqual([
      `no Region is On (${PRIMARY} Off, ${STANDBY} Off) and no switchover, failback or failover is running (latest: switchover succeeded); expected: exactly one Region On`,
    ]);
  });

  test('GIVEN both On while a switchover is running WHEN checked THEN GREEN with the note of the move', async () => {
    const sim = simulation();
    await sim.local.journal.save(move('switchover', 'sw-2', 'running', '2026-01-27T09:59:00.000Z'));
    sim.local.world.transact((w) => {
      w.routing[controlOf(STANDBY)] = 'On';
    });
    const result = await evaluate(sim, routingStatesCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `${PRIMARY} On, ${STANDBY} On: allowed while switchover sw-2 (started 2026-01-27T09:59:00.000Z) is running`,
    ]);
  });

  test('GIVEN both On and a switchover journal still running but unchanged for 7 hours WHEN checked THEN RED: a run that ended without finishing excuses nothing', async () => {
    // A run cancelled in SSM or a function that crashed leaves its journal `running` for good; counting it would
    // excuse two Regions On forever (fail open). Every step saves the journal when it ends, and no step of a move
    // waits anywhere near 6 hours.
    const sim = simulation();
    await sim.local.journal.save(move('switchover', 'sw-3', 'running', '2026-01-27T03:00:00.000Z'));
    sim.local.world.transact((w) => {
      w.routing[controlOf(STANDBY)] = 'On';
    });
    const result = await evaluate(sim, routingStatesCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `both Regions are On (${PRIMARY} On, ${STANDBY} On) and no switchover, failback or failover is running (latest: switchover running, its journal unchanged since 2026-01-27T03:00:00.000Z, more than 6 h: not counted); expected: exactly one Region On`,
    ]);
  });

  test.each([
    ['a day ahead of the clock', '2026-01-28T10:00:00.000Z'],
    ['not a time', 'not-a-time'],
  ])(
    'GIVEN both On and a switchover journal running, updated %s WHEN checked THEN RED: a journal whose age cannot be told excuses nothing',
    async (_, updatedAt) => {
      // A journal stamped in the future (a clock that was ahead) or with an unreadable time is never older than
      // STALE_RUNNING_MOVE_HOURS when the age is computed as now - updatedAt: it would excuse two Regions On for good.
      const sim = simulation();
      await sim.local.journal.save({ ...move('switchover', 'sw-4', 'running', '2026-01-27T09:00:00.000Z'), updatedAt });
      sim.local.world.transact((w) => {
        w.routing[controlOf(STANDBY)] = 'On';
      });
      const result = await evaluate(sim, routingStatesCheck);
      expect(result.verdict).toBe('RED');
      expect(result.failures).toEqual([
        `both Regions are On (${PRIMARY} On, ${STANDBY} On) and no switchover, failback or failover is running (latest: switchover running, its journal updated at ${updatedAt}, which is not a time up to now (clock 2026-01-27T10:00:00.000Z): not counted); expected: exactly one Region On`,
      ]);
    },
  );

  test('GIVEN both On and a switchover journal updated a minute ahead of the clock WHEN checked THEN GREEN: clocks a little apart still count as running', async () => {
    const sim = simulation();
    await sim.local.journal.save({
      ...move('switchover', 'sw-5', 'running', '2026-01-27T09:59:00.000Z'),
      updatedAt: '2026-01-27T10:01:00.000Z',
    });
    sim.local.world.transact((w) => {
      w.routing[controlOf(STANDBY)] = 'On';
    });
    const result = await evaluate(sim, routingStatesCheck);
    expect(result.verdict).toBe('GREEN');
  });

  test("GIVEN the primary On and the standby's state left out of the answer WHEN checked THEN INCONCLUSIVE: one On of one read is not exactly one On", async () => {
    const result = await evaluate(simulation(), routingStatesCheck, {
      ports: (ports) => ({
        ...ports,
        routing: {
          ...ports.routing,
          getStates: async (controls) => {
            const states = { ...(await ports.routing.getStates(controls)) };
            delete states[controlOf(STANDBY)];
            return states;
          },
        },
      }),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `the routing control of ${STANDBY} (${controlOf(STANDBY)}) has no state in the answer, so whether exactly one Region is On cannot be told`,
    ]);
  });

  test('GIVEN the routing controls cannot be read WHEN evaluated THEN INCONCLUSIVE', async () => {
    const result = await evaluate(simulation(), routingStatesCheck, { ports: failing('routing', 'getStates') });
    expect(result.verdict).toBe('INCONCLUSIVE');
  });
});
