import { simulatedDigest } from '../../../runbooks/adapters/local/simulated-world';
import { backupRetentionCheck } from '../../../runbooks/readiness/checks/backup-retention';
import { engineVersionParityCheck } from '../../../runbooks/readiness/checks/engine-version-parity';
import { imageParityCheck } from '../../../runbooks/readiness/checks/image-parity';
import { taskSettingsParityCheck } from '../../../runbooks/readiness/checks/task-settings-parity';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { evaluate } from './readiness-simulation';

// Parity: both Regions run the same code, task settings and engine versions, and keep backups long enough. The
// simulated world starts alike in both Regions (GREEN); each test makes one Region drift.

const SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'];

describe('image-parity', () => {
  test('GIVEN the same digests in both Regions WHEN checked THEN GREEN for every service', async () => {
    const result = await evaluate(simulation(), imageParityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(SERVICES.map((s) => `${s}: same images in both Regions`));
    expect(result.evidence.orders).toEqual({
      [STANDBY]: { orders: [simulatedDigest('shop/orders:1')] },
      [PRIMARY]: { orders: [simulatedDigest('shop/orders:1')] },
    });
  });

  test('GIVEN orders runs another image in the primary WHEN checked THEN RED naming service, container and both digests', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.services.orders!.digests.orders = simulatedDigest('shop/orders:2');
    });
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `service orders, container orders: ${STANDBY} runs ${simulatedDigest('shop/orders:1')}, ${PRIMARY} runs ${simulatedDigest('shop/orders:2')}; expected: the same image digests in both Regions`,
    ]);
  });

  test('GIVEN a sidecar container only in the standby WHEN checked THEN RED: the primary runs nothing there', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.services.ui!.digests['log-router'] = simulatedDigest('fluent-bit:3');
    });
    const result = await evaluate(sim, imageParityCheck);
    expect(result.failures).toEqual([
      `service ui, container log-router: ${STANDBY} runs ${simulatedDigest('fluent-bit:3')}, ${PRIMARY} runs nothing; expected: the same image digests in both Regions`,
    ]);
  });

  test('GIVEN carts is not deployed in the primary WHEN checked THEN RED naming where it is missing', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[PRIMARY]!.services.carts;
    });
    const result = await evaluate(sim, imageParityCheck);
    expect(result.failures).toEqual([
      `service carts: not found in ${PRIMARY}; expected: the service deployed in both Regions`,
    ]);
  });

  test('GIVEN checkout runs no task in the standby WHEN checked THEN INCONCLUSIVE: nothing to compare is not equal', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.runningTasks[STANDBY]!.checkout = 0;
    });
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `service checkout: no running task in ${STANDBY}, so its image digests could not be compared`,
    ]);
  });

  test('GIVEN the primary Region is down WHEN evaluated THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `image-parity could not run: simulated outage: the ECS API of ${PRIMARY} does not answer`,
    ]);
  });
});

describe('task-settings-parity', () => {
  test('GIVEN task definitions that differ only in Region names and account ids WHEN checked THEN GREEN', async () => {
    const sim = simulation();
    // the roles, log Region and secret ARNs name each Region: they are the same settings
    expect(JSON.stringify(sim.local.world.snapshot().facts.regions[PRIMARY]!.services.ui!.settings)).toContain(PRIMARY);
    const result = await evaluate(sim, taskSettingsParityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(SERVICES.map((s) => `${s}: same settings in both Regions`));
  });

  test('GIVEN the environment listed in another order WHEN checked THEN GREEN: ECS lists are compared by name', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      const container = (
        w.facts.regions[PRIMARY]!.services.ui!.settings.containerDefinitions as { environment: unknown[] }[]
      )[0]!;
      container.environment.reverse();
    });
    expect((await evaluate(sim, taskSettingsParityCheck)).verdict).toBe('GREEN');
  });

  test('GIVEN orders logs at debug and has more memory in the primary WHEN checked THEN RED naming each key with both values', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      const orders = w.facts.regions[PRIMARY]!.services.orders!;
      orders.memoryMiB = 2048;
      orders.settings.memory = '2048';
      const container = (
        orders.settings.containerDefinitions as { environment: { name: string; value: string }[] }[]
      )[0]!;
      container.environment.find((e) => e.name === 'LOG_LEVEL')!.value = 'debug';
    });
    const result = await evaluate(sim, taskSettingsParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `service orders: task definition settings differ in 3 keys: containerDefinitions[orders].environment[LOG_LEVEL].value (${STANDBY}: "info", ${PRIMARY}: "debug"), memory (${STANDBY}: "1024", ${PRIMARY}: "2048"), memoryMiB (${STANDBY}: 1024, ${PRIMARY}: 2048); expected: the same settings in both Regions (Region names and account ids aside)`,
    ]);
  });

  test('GIVEN a setting present in one Region only WHEN checked THEN RED with "absent" on the other side', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.services.carts!.settings.ephemeralStorage = { sizeInGiB: 50 };
    });
    const result = await evaluate(sim, taskSettingsParityCheck);
    expect(result.failures).toEqual([
      `service carts: task definition settings differ in 1 key: ephemeralStorage.sizeInGiB (${STANDBY}: 50, ${PRIMARY}: absent); expected: the same settings in both Regions (Region names and account ids aside)`,
    ]);
  });

  test('GIVEN ECS of the primary does not answer WHEN evaluated THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    expect((await evaluate(sim, taskSettingsParityCheck)).verdict).toBe('INCONCLUSIVE');
  });
});

describe('engine-version-parity', () => {
  test('GIVEN both members of each global database on 16.6 WHEN checked THEN GREEN', async () => {
    const result = await evaluate(simulation(), engineVersionParityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      'catalog: aurora-postgresql 16.6 in both Regions',
      'orders: aurora-postgresql 16.6 in both Regions',
    ]);
  });

  test('GIVEN the primary orders cluster upgraded to 16.8 alone WHEN checked THEN RED naming both clusters and versions', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.clusters[`shop-dev-orders-${PRIMARY}`]!.engineVersion = '16.8';
    });
    const result = await evaluate(sim, engineVersionParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `orders: shop-dev-orders-${STANDBY} in ${STANDBY} runs aurora-postgresql 16.6, shop-dev-orders-${PRIMARY} in ${PRIMARY} runs aurora-postgresql 16.8; expected: the same engine version in both Regions`,
    ]);
  });

  test('GIVEN the standby catalog cluster cannot be described WHEN checked THEN INCONCLUSIVE for that database only', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[STANDBY]!.clusters[`shop-dev-catalog-${STANDBY}`];
    });
    const result = await evaluate(sim, engineVersionParityCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `catalog: the engine version of cluster shop-dev-catalog-${STANDBY} in ${STANDBY} could not be read (not found)`,
    ]);
    expect(result.notes).toEqual(['orders: aurora-postgresql 16.6 in both Regions']);
  });
});

describe('backup-retention', () => {
  test('GIVEN every cluster keeps 7 days and 7 are required WHEN checked THEN GREEN', async () => {
    const result = await evaluate(simulation(), backupRetentionCheck, { readiness: { minimumBackupRetentionDays: 7 } });
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toHaveLength(4);
  });

  test('GIVEN the primary catalog cluster keeps 1 day of 7 required WHEN checked THEN RED naming the cluster, its days and the setting', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.clusters[`shop-dev-catalog-${PRIMARY}`]!.backupRetentionDays = 1;
    });
    const result = await evaluate(sim, backupRetentionCheck, { readiness: { minimumBackupRetentionDays: 7 } });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `catalog: cluster shop-dev-catalog-${PRIMARY} in ${PRIMARY} keeps backups 1 day; expected: at least 7 (readiness.minimumBackupRetentionDays)`,
    ]);
  });

  test('GIVEN a cluster that cannot be described WHEN checked THEN INCONCLUSIVE', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[STANDBY]!.clusters[`shop-dev-orders-${STANDBY}`];
    });
    const result = await evaluate(sim, backupRetentionCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `orders: cluster shop-dev-orders-${STANDBY} in ${STANDBY}: its backup retention could not be read (not found)`,
    ]);
  });
});
