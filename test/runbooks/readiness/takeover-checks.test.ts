import { capacityCheck } from '../../../runbooks/readiness/checks/capacity';
import { replicationCheck } from '../../../runbooks/readiness/checks/replication';
import { routingControlsCheck } from '../../../runbooks/readiness/checks/routing-controls';
import { secretsPresentCheck } from '../../../runbooks/readiness/checks/secrets-present';
import { servicesHealthyCheck } from '../../../runbooks/readiness/checks/services-healthy';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { evaluate, failing } from './readiness-simulation';

// The takeover checks: can the target Region (the standby here) take the traffic now? Each one GREEN on a healthy
// world, RED with what is wrong, INCONCLUSIVE when what it needs cannot be read (the gate fails on both).

const catalogStandby = `arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-catalog-${STANDBY}`;

describe('services-healthy', () => {
  test('GIVEN every health URL answers 2xx WHEN checked THEN GREEN with each URL', async () => {
    const result = await evaluate(simulation(), servicesHealthyCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([`https://ui.${STANDBY}.shop.example.invalid/health/ready HTTP 200 (simulated)`]);
  });

  test('GIVEN a health URL answers 503 WHEN checked THEN RED naming the URL and the answer', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.unhealthyUrls.push(`https://ui.${STANDBY}.shop.example.invalid/health/ready`);
    });
    const result = await evaluate(sim, servicesHealthyCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `https://ui.${STANDBY}.shop.example.invalid/health/ready is unhealthy (HTTP 503 (simulated))`,
    ]);
  });

  test('GIVEN the health checker answers for none of the URLs WHEN checked THEN INCONCLUSIVE naming each URL not answered for', async () => {
    const result = await evaluate(simulation(), servicesHealthyCheck, {
      ports: (ports) => ({ ...ports, health: { ...ports.health, checkEndpoints: async () => [] } }),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `https://ui.${STANDBY}.shop.example.invalid/health/ready: the health checker gave no result for it`,
    ]);
  });

  test('GIVEN the health checker itself fails WHEN evaluated THEN INCONCLUSIVE with the error', async () => {
    const result = await evaluate(simulation(), servicesHealthyCheck, {
      ports: failing('health', 'checkEndpoints'),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      'services-healthy could not run: health.checkEndpoints: connect ETIMEDOUT (simulated)',
    ]);
  });
});

describe('capacity', () => {
  test('GIVEN every service runs its minimum WHEN checked THEN GREEN', async () => {
    const result = await evaluate(simulation(), capacityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      'ui 2 tasks',
      'catalog 2 tasks',
      'carts 2 tasks',
      'orders 2 tasks',
      'checkout 2 tasks',
    ]);
  });

  test('GIVEN orders runs 1 task of a minimum of 2 WHEN checked THEN RED naming the service and both counts', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.runningTasks[STANDBY]!.orders = 1;
    });
    const result = await evaluate(sim, capacityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([`service orders: 1 running tasks in ${STANDBY}; needs at least 2`]);
  });

  test('GIVEN no RunningTaskCount data for carts WHEN checked THEN INCONCLUSIVE, never GREEN', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.runningTasks[STANDBY]!.carts;
    });
    const result = await evaluate(sim, capacityCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([`service carts: no RunningTaskCount data in ${STANDBY}`]);
  });
});

describe('replication', () => {
  test('GIVEN both members connected with 0.4 s of lag WHEN checked THEN GREEN with the lag of each database', async () => {
    const result = await evaluate(simulation(), replicationCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(['catalog lag 0.4 s', 'orders lag 0.4 s']);
  });

  test('GIVEN catalog lags 95 s and orders is pending-resync WHEN checked with 60 s THEN RED naming both', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.lagSeconds[catalogStandby] = 95;
      w.globalClusters['shop-dev-orders']!.members[1]!.sync = 'pending-resync';
    });
    const result = await evaluate(sim, replicationCheck, { maxLagSeconds: 60 });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      'catalog: replication lag 95 s exceeds 60 s',
      `shop-dev-orders: member shop-dev-orders-${STANDBY} is pending-resync`,
    ]);
  });

  test('GIVEN no AuroraGlobalDBRPOLag data for catalog WHEN checked THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.lagSeconds[catalogStandby];
    });
    const result = await evaluate(sim, replicationCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `catalog: no AuroraGlobalDBRPOLag data for shop-dev-catalog-${STANDBY} in the last 5 min`,
    ]);
  });
});

describe('routing-controls', () => {
  test('GIVEN both controls readable WHEN checked THEN GREEN with their states', async () => {
    const result = await evaluate(simulation(), routingControlsCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([`${STANDBY} Off`, `${PRIMARY} On`]);
  });

  test('GIVEN the ARC endpoints do not answer WHEN checked THEN RED: a failover could not move traffic', async () => {
    const result = await evaluate(simulation(), routingControlsCheck, { ports: failing('routing', 'getStates') });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      'routing controls cannot be read: routing.getStates: connect ETIMEDOUT (simulated)',
    ]);
  });

  test("GIVEN the standby's state left out of the answer WHEN checked THEN RED: that control was not read", async () => {
    const sim = simulation();
    const standbyControl = sim.topology.routing.controls[STANDBY]!;
    const result = await evaluate(sim, routingControlsCheck, {
      ports: (ports) => ({
        ...ports,
        routing: {
          ...ports.routing,
          getStates: async (controls) => {
            const states = { ...(await ports.routing.getStates(controls)) };
            delete states[standbyControl];
            return states;
          },
        },
      }),
    });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `routing control of ${STANDBY} (${standbyControl}) cannot be read: no state in the answer; expected: On or Off`,
    ]);
  });
});

describe('secrets-present', () => {
  test('GIVEN both secrets replicated WHEN checked THEN GREEN', async () => {
    const result = await evaluate(simulation(), secretsPresentCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(['2/2 secrets present']);
  });

  test('GIVEN the orders secret missing in the standby WHEN checked THEN RED naming it', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.secrets[STANDBY] = ['shop-dev/catalog-db'];
    });
    const result = await evaluate(sim, secretsPresentCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([`secret shop-dev/orders-db is missing in ${STANDBY}`]);
  });

  test('GIVEN Secrets Manager of the standby does not answer WHEN evaluated THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.regionDown(STANDBY);
    const result = await evaluate(sim, secretsPresentCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `secrets-present could not run: simulated outage: the Secrets Manager API of ${STANDBY} does not answer`,
    ]);
  });
});
