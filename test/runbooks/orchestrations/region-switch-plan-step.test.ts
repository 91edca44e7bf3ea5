import { failover } from '../../../runbooks/orchestrations';
import type { RegionSwitchExecutionSummary, RegionSwitchPort } from '../../../runbooks/ports';
import type { Topology } from '../../../runbooks/topology';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';

// Issue 18, review M3: an execution can end completedWithExceptions (API_ListPlanExecutions lists the state) with a
// block that moves the writers or the traffic skipped by an operator; the plan step must not report the move as done.

const inRegionSwitchMode = (demo: Topology): Topology => ({
  ...demo,
  routing: {
    ...demo.routing,
    mode: 'region-switch',
    regionSwitch: {
      planArn: 'arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123',
      timeoutMinutes: 60,
    },
  },
});

/** A plan port whose execution ends in `state` with the given block statuses (the writers are moved by the world). */
function endingWith(state: string, blocks: Record<string, string>, target: string): RegionSwitchPort {
  const summary: RegionSwitchExecutionSummary = {
    planArn: 'arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123',
    executionId: 'exec-1',
    action: 'activate',
    targetRegion: target,
    mode: 'graceful',
    state,
    apiRegion: target,
    adopted: false,
    steps: Object.entries(blocks).map(([name, status]) => ({ name, status })),
  };
  return {
    activate: async () => summary,
    describePlan: async (region) => ({ planArn: summary.planArn, apiRegion: region, running: [] }),
  };
}

describe('the Region switch plan step', () => {
  test('GIVEN the execution ends completedWithExceptions with move-dns skipped WHEN a failover runs THEN it fails at the plan step naming move-dns, before verifying the writers', async () => {
    const sim = simulation({ topology: inRegionSwitchMode });
    sim.local.world.regionDown(PRIMARY);
    const port = endingWith(
      'completedWithExceptions',
      {
        'scale-services': 'completed',
        'switch-catalog': 'completed',
        'switch-orders': 'completed',
        'move-dns': 'skipped',
        'start-recover': 'completed',
      },
      STANDBY,
    );
    const result = await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      { ports: (p) => ({ ...p, regionSwitch: port }) },
    );
    expect(result.status).toBe('failed');
    expect(result.error?.step).toBe('run-region-switch-plan');
    expect(result.error?.message).toMatch(
      /not every block that moves the writers or the traffic completed \(move-dns: skipped\)/,
    );
  });

  test('GIVEN an ungraceful execution ending completedWithExceptions because start-recover was skipped (AWS requires skip when ungraceful) WHEN a failover runs THEN the plan step succeeds', async () => {
    const sim = simulation({ topology: inRegionSwitchMode });
    sim.local.world.regionDown(PRIMARY);
    const moving = sim.local.ports.regionSwitch;
    // The stand-in moves the writers and the routing; the answer is then the one AWS may give for a mode skip.
    const port: RegionSwitchPort = {
      activate: async (request) => ({ ...(await moving.activate(request)), state: 'completedWithExceptions' }),
      describePlan: (region) => moving.describePlan(region),
    };
    const result = await sim.run(
      failover,
      { targetRegion: STANDBY, failedRegion: PRIMARY },
      { ports: (p) => ({ ...p, regionSwitch: port }) },
    );
    expect(result.error?.message).toBeUndefined();
    expect(result.steps.find((s) => s.step === 'run-region-switch-plan')?.detail).toMatch(/start-recover: skipped/);
  });
});
