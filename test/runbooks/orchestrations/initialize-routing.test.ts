import { initializeRouting } from '../../../runbooks/orchestrations';
import { mutations } from '../support/instrumented-ports';
import { PRIMARY, routing, STANDBY, simulation } from '../support/simulation';

/** GIVEN routing controls as ARC creates them: every one Off. */
function freshlyDeployed() {
  const sim = simulation();
  sim.local.world.transact((w) => {
    for (const control of Object.keys(w.routing)) w.routing[control] = 'Off';
  });
  return sim;
}

describe('initialize-routing (m1)', () => {
  test('with every control Off it turns the primary On and the standby Off in one request', async () => {
    const sim = freshlyDeployed();
    const result = await sim.run(initializeRouting, {});
    expect(result.status).toBe('succeeded');
    expect(routing(sim)).toEqual({ [PRIMARY]: 'On', [STANDBY]: 'Off' });
    expect(mutations(sim.calls).map((m) => m.split(' ')[0])).toEqual(['routing.setStates']);
    expect(result.steps.at(-1)?.detail).toBe(`routing initialized: ${PRIMARY} On, ${STANDBY} Off`);
  });

  test('once any control is On it changes nothing, so it can run after every deploy (even after a failover)', async () => {
    const sim = freshlyDeployed();
    sim.local.world.transact((w) => {
      w.routing[sim.topology.routing.controls[STANDBY]!] = 'On';
    });
    const result = await sim.run(initializeRouting, {});
    expect(result.status).toBe('succeeded');
    expect(result.steps.at(-1)).toMatchObject({
      status: 'already-done',
      detail: `already routed: ${STANDBY} On; nothing changed`,
    });
    expect(mutations(sim.calls)).toEqual([]);
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
  });

  test('refuses to send traffic to a Region that does not hold the writers', async () => {
    const sim = freshlyDeployed();
    const result = await sim.run(initializeRouting, { targetRegion: STANDBY });
    expect(result.error).toEqual({
      step: 'initialize-routing-controls',
      retriable: false,
      message: `targetRegion: ${STANDBY} does not hold the writer of shop-dev-catalog (it is in ${PRIMARY}); accepted: the Region of the writers`,
    });
    expect(mutations(sim.calls)).toEqual([]);
  });
});
