import { LOCAL_PLAN_ARN } from '../../../runbooks/adapters/local/ports-region-switch';
import { readinessDatapoints } from '../../../runbooks/lambda/readiness-handler';
import { regionSwitchPlanCheck } from '../../../runbooks/readiness/checks/region-switch-plan';
import { routingConfigurationCheck } from '../../../runbooks/readiness/checks/routing-configuration';
import { routingControlsCheck } from '../../../runbooks/readiness/checks/routing-controls';
import { routingStatesCheck } from '../../../runbooks/readiness/checks/routing-states';
import { evaluateReadiness } from '../../../runbooks/readiness/evaluate-readiness';
import { appliesInMode } from '../../../runbooks/readiness/readiness-check';
import { READINESS_CHECKS, readinessChecksFor } from '../../../runbooks/readiness/readiness-checks';
import type { Topology } from '../../../runbooks/topology';
import { STANDBY, simulation } from '../support/simulation';
import { evaluate, failing, readinessContext } from './readiness-simulation';

// The readiness of routing mode region-switch on the simulated world, whose Region switch plan is the local stand-in
// PortsRegionSwitch (the drill's too: drill/adapters/drill-ports.ts): its describePlan evaluates the plan's Aurora
// blocks against the simulated global clusters.

const PLAN = 'arn:aws:arc-region-switch::111122223333:plan/shop-dev-region-switch:abc123';
const regionSwitchMode = (t: Topology): Topology => ({
  ...t,
  routing: { ...t.routing, mode: 'region-switch', regionSwitch: { planArn: PLAN, timeoutMinutes: 60 } },
});

describe('region-switch-plan on the simulated world (local Region switch stand-in)', () => {
  test('GIVEN both Regions are members of every global cluster WHEN checked THEN GREEN: the evaluation passed just now, nothing running', async () => {
    const sim = simulation({ topology: regionSwitchMode });

    const result = await evaluate(sim, regionSwitchPlanCheck);

    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `plan ${LOCAL_PLAN_ARN}: the evaluation asked in ${STANDBY} passed at 2026-01-27T10:00:00.000Z (0 min ago)`,
      'no execution of the plan is running or paused',
    ]);
  });

  test('GIVEN the standby left the orders global cluster WHEN checked THEN RED naming the warning of the switch-orders block', async () => {
    const sim = simulation({ topology: regionSwitchMode });
    sim.local.world.transact((w) => {
      const orders = sim.topology.databases.find((d) => d.databaseName === 'orders')!;
      const cluster = w.globalClusters[orders.globalClusterIdentifier]!;
      cluster.members = cluster.members.filter((m) => m.region !== STANDBY);
    });

    const result = await evaluate(sim, regionSwitchPlanCheck);

    const orders = sim.topology.databases.find((d) => d.databaseName === 'orders')!;
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `plan ${LOCAL_PLAN_ARN}: the evaluation asked in ${STANDBY} (2026-01-27T10:00:00.000Z) is actionRequired: switch-orders: global cluster ${orders.globalClusterIdentifier} has no member in ${STANDBY}; expected: an evaluation that passed`,
    ]);
  });

  test('GIVEN the Region asked is down WHEN checked THEN INCONCLUSIVE naming what could not be read', async () => {
    const sim = simulation({ topology: regionSwitchMode });
    sim.local.world.regionDown(STANDBY);

    const result = await evaluate(sim, regionSwitchPlanCheck);

    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.failures).toEqual([]);
    expect(result.unknowns).toEqual([
      expect.stringMatching(
        new RegExp(
          `^plan ${LOCAL_PLAN_ARN}: its evaluation could not be read in ${STANDBY}: DescribeGlobalClusters \\S+ in ${STANDBY}: .+`,
        ),
      ),
    ]);
  });

  test('GIVEN routing mode arc-cluster WHEN checked THEN GREEN with a note that it does not apply, and no plan asked', async () => {
    const sim = simulation();

    const result = await evaluate(sim, regionSwitchPlanCheck, { ports: failing('regionSwitch', 'describePlan') });

    expect(result).toMatchObject({
      verdict: 'GREEN',
      notes: [
        'does not apply: routing.mode is "arc-cluster"; region-switch-plan applies in routing mode "region-switch"',
      ],
      evidence: { routingMode: 'arc-cluster', appliesIn: ['region-switch'] },
    });
  });

  test.each([routingControlsCheck, routingConfigurationCheck, routingStatesCheck])(
    'GIVEN routing mode region-switch WHEN $name is checked THEN GREEN with a note that it does not apply, no routing control read',
    async (check) => {
      const sim = simulation({ topology: regionSwitchMode });
      const noRouting = (ports: Parameters<ReturnType<typeof failing>>[0]) =>
        failing('routing', 'describeConfiguration')(failing('routing', 'getStates')(ports));

      const result = await evaluate(sim, check, { ports: noRouting });

      expect(result.verdict).toBe('GREEN');
      expect(result.notes).toEqual([
        `does not apply: routing.mode is "region-switch"; ${check.name} applies in routing mode "arc-cluster"`,
      ]);
    },
  );
});

describe('readiness checks by routing mode', () => {
  test('GIVEN each routing mode THEN the checks of the mode are READINESS_CHECKS but the routing ones of the other mode, in order', () => {
    const arcOnly = ['routing-controls', 'routing-configuration', 'routing-states'];
    const names = READINESS_CHECKS.map((c) => c.name);

    expect(readinessChecksFor('arc-cluster').map((c) => c.name)).toEqual(
      names.filter((n) => n !== 'region-switch-plan'),
    );
    expect(readinessChecksFor('region-switch').map((c) => c.name)).toEqual(names.filter((n) => !arcOnly.includes(n)));
    expect(READINESS_CHECKS.filter((c) => !appliesInMode(c, 'arc-cluster')).map((c) => c.name)).toEqual([
      'region-switch-plan',
    ]);
  });

  test.each([
    ['arc-cluster', (t: Topology) => t],
    ['region-switch', regionSwitchMode],
  ] as const)(
    'GIVEN routing mode %s on a healthy world WHEN every check is evaluated THEN each check of the mode publishes 1, and nothing publishes 0 (the alarm reads overall)',
    async (mode, topology) => {
      const sim = simulation({ topology });

      const points = readinessDatapoints(await evaluateReadiness(readinessContext(sim), READINESS_CHECKS));

      const published = Object.fromEntries(points.map((p) => [p.check, p.value]));
      expect(Object.fromEntries(readinessChecksFor(mode).map((c) => [c.name, published[c.name]]))).toEqual(
        Object.fromEntries(readinessChecksFor(mode).map((c) => [c.name, 1])),
      );
      expect(published.overall).toBe(1);
      expect(points.filter((p) => p.value !== 1)).toEqual([]);
    },
  );

  test('GIVEN the region-switch-plan check THEN it is a takeover check and declares the plan read and the journals', () => {
    expect(regionSwitchPlanCheck).toMatchObject({
      scope: 'takeover',
      routingModes: ['region-switch'],
      uses: ['regionSwitch.describePlan', 'journal.latest'],
    });
    expect(READINESS_CHECKS.map((c) => c.name)).toContain('region-switch-plan');
  });
});
