import { canariesGreenCheck } from '../../../runbooks/readiness/checks/canaries-green';
import { secretsReplicatedCheck } from '../../../runbooks/readiness/checks/secrets-replicated';
import { tableReplicationCheck } from '../../../runbooks/readiness/checks/table-replication';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { evaluate, failing } from './readiness-simulation';

describe('table-replication', () => {
  test('GIVEN both tables replicate both ways in 1.2 s WHEN checked against 30 s THEN GREEN, both directions read', async () => {
    const result = await evaluate(simulation(), tableReplicationCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `shop-dev-carts ${STANDBY}→${PRIMARY} 1.2 s`,
      `shop-dev-carts ${PRIMARY}→${STANDBY} 1.2 s`,
      `shop-dev-checkout ${STANDBY}→${PRIMARY} 1.2 s`,
      `shop-dev-checkout ${PRIMARY}→${STANDBY} 1.2 s`,
    ]);
  });

  test('GIVEN carts replicates from the primary in 45 s WHEN checked against 30 s THEN RED naming table, direction and target', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.tableLatencySeconds['shop-dev-carts']![STANDBY] = 45;
    });
    const result = await evaluate(sim, tableReplicationCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `table shop-dev-carts: ReplicationLatency from ${PRIMARY} to ${STANDBY} reached 45 s; expected: at most 30 s (readiness.maxTableReplicationLatencySeconds)`,
    ]);
  });

  test('GIVEN no ReplicationLatency data one way WHEN checked THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[STANDBY]!.tableLatencySeconds['shop-dev-checkout'];
    });
    const result = await evaluate(sim, tableReplicationCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `table shop-dev-checkout: no ReplicationLatency data from ${STANDBY} to ${PRIMARY} in the last 60 min`,
    ]);
  });

  test('GIVEN no tables configured WHEN checked THEN GREEN with a note saying nothing was checked', async () => {
    const result = await evaluate(simulation(), tableReplicationCheck, { readiness: { tables: [] } });
    expect(result).toMatchObject({
      verdict: 'GREEN',
      notes: ['no DynamoDB global tables configured (readiness.tables)'],
    });
  });
});

describe('secrets-replicated', () => {
  test('GIVEN each secret replicated from the primary and InSync WHEN checked THEN GREEN', async () => {
    const result = await evaluate(simulation(), secretsReplicatedCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `shop-dev/catalog-db InSync in ${STANDBY}`,
      `shop-dev/orders-db InSync in ${STANDBY}`,
    ]);
  });

  test('GIVEN the orders secret replica Failed WHEN checked THEN RED with its status', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.secretReplication['shop-dev/orders-db']!.replicas[STANDBY] = 'Failed';
    });
    const result = await evaluate(sim, secretsReplicatedCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `secret shop-dev/orders-db: its replica in ${STANDBY} is Failed; expected: InSync`,
    ]);
  });

  test('GIVEN the catalog secret not replicated at all WHEN checked THEN RED: no replica in the other Region', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.secretReplication['shop-dev/catalog-db']!.replicas = {};
    });
    const result = await evaluate(sim, secretsReplicatedCheck);
    expect(result.failures).toEqual([
      `secret shop-dev/catalog-db: no replica in ${STANDBY} (replicas: none); expected: a replica in ${STANDBY}, InSync`,
    ]);
  });

  test('GIVEN Secrets Manager of the primary does not answer WHEN evaluated THEN INCONCLUSIVE', async () => {
    const result = await evaluate(simulation(), secretsReplicatedCheck, {
      ports: failing('facts', 'secretReplication'),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
  });
});

describe('canaries-green', () => {
  const canary = (region: string) => `shop-dev-${region}-canary-local`;

  test("GIVEN both Regions' canary alarms OK WHEN checked THEN GREEN, every alarm named", async () => {
    const result = await evaluate(simulation(), canariesGreenCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `shop-dev-${STANDBY}-canary-local OK`,
      `shop-dev-${STANDBY}-canary-global OK`,
      `shop-dev-${PRIMARY}-canary-local OK`,
      `shop-dev-${PRIMARY}-canary-global OK`,
    ]);
  });

  test("GIVEN the primary's local canary in ALARM WHEN checked THEN RED with since when", async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.alarms[canary(PRIMARY)] = { state: 'ALARM', since: '2026-01-27T09:40:00.000Z' };
    });
    const result = await evaluate(sim, canariesGreenCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `canary alarm ${canary(PRIMARY)} in ${PRIMARY} is ALARM since 2026-01-27T09:40:00.000Z; expected: OK`,
    ]);
  });

  test('GIVEN a canary alarm that does not exist WHEN checked THEN RED', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[STANDBY]!.alarms[canary(STANDBY)];
    });
    const result = await evaluate(sim, canariesGreenCheck);
    expect(result.failures).toEqual([
      `canary alarm ${canary(STANDBY)} does not exist in ${STANDBY}; expected: the alarm, OK`,
    ]);
  });

  test('GIVEN a canary alarm INSUFFICIENT_DATA (the canary is not reporting) WHEN checked THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.alarms[canary(STANDBY)] = {
        state: 'INSUFFICIENT_DATA',
        since: '2026-01-27T09:50:00.000Z',
      };
    });
    const result = await evaluate(sim, canariesGreenCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `canary alarm ${canary(STANDBY)} in ${STANDBY} is INSUFFICIENT_DATA since 2026-01-27T09:50:00.000Z: the canary is not reporting`,
    ]);
  });
});
