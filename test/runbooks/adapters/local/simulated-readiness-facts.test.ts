import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalPorts } from '../../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../../runbooks/adapters/local/manual-clock';
import { FileWorldStore, initialWorld } from '../../../../runbooks/adapters/local/simulated-world';
import { PRIMARY, STANDBY, simulation } from '../../support/simulation';

describe('SimulatedServiceCapacity.setScalingMinimum', () => {
  test('GIVEN a service with a range 2-20 WHEN its minimum is raised to 6 THEN the range is 6-20 and no task starts by itself', async () => {
    const sim = simulation();
    const { capacity, facts } = sim.local.ports;
    await capacity.setScalingMinimum(STANDBY, `shop-dev-${STANDBY}`, 'orders', 6);
    expect(await capacity.scalingMinimums(STANDBY, `shop-dev-${STANDBY}`, ['orders', 'ui'])).toEqual({
      orders: 6,
      ui: 2,
    });
    expect(await facts.scalingLimits(STANDBY, `shop-dev-${STANDBY}`, ['orders'])).toEqual({
      orders: { min: 6, max: 20 },
    });
    expect(sim.local.world.snapshot().runningTasks[STANDBY]!.orders).toBe(2);
  });

  test('GIVEN a minimum above the maximum or a service without a scalable target WHEN set THEN refused, naming both', async () => {
    const { capacity } = simulation().local.ports;
    await expect(capacity.setScalingMinimum(STANDBY, `shop-dev-${STANDBY}`, 'orders', 21)).rejects.toThrow(
      `ValidationException: MinCapacity 21 of orders in ${STANDBY} is above its MaxCapacity 20`,
    );
    await expect(capacity.setScalingMinimum(STANDBY, `shop-dev-${STANDBY}`, 'search', 2)).rejects.toThrow(
      `ObjectNotFoundException: service search has no scalable target in ${STANDBY}`,
    );
  });

  test('GIVEN the Region down WHEN a minimum is set THEN it does not answer (retriable)', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    await expect(
      sim.local.ports.capacity.setScalingMinimum(PRIMARY, `shop-dev-${PRIMARY}`, 'orders', 4),
    ).rejects.toMatchObject({ name: 'RetriableError' });
  });
});

describe('SimulatedReadinessFacts', () => {
  test('GIVEN a healthy world WHEN services are read THEN Region names and the account are neutralised in the settings', async () => {
    const sim = simulation();
    const facts = await sim.local.ports.facts.services(PRIMARY, `shop-dev-${PRIMARY}`, ['orders', 'search']);
    expect(Object.keys(facts)).toEqual(['orders']);
    const text = JSON.stringify(facts.orders!.settings);
    expect(text).not.toContain(PRIMARY);
    expect(text).not.toContain('000000000000');
    expect(text).toContain('arn:aws:iam::<account>:role/shop-dev-orders-task-<region>');
    expect(facts.orders).toMatchObject({ desired: 2, running: 2, vcpu: 0.5, memoryMiB: 1024 });
  });

  test('GIVEN the running tasks WHEN the Fargate quota is read THEN vCPU in use is what they run', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.runningTasks[STANDBY]!.ui = 6;
    });
    expect(await sim.local.ports.facts.fargateVcpuQuota(STANDBY)).toEqual({ limit: 400, used: 7 });
  });

  test('GIVEN a secret missing in a Region WHEN its replication is read there THEN it is left out', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.secrets[STANDBY] = ['shop-dev/catalog-db'];
    });
    const answer = await sim.local.ports.facts.secretReplication(STANDBY, [
      'shop-dev/catalog-db',
      'shop-dev/orders-db',
    ]);
    expect(Object.keys(answer)).toEqual(['shop-dev/catalog-db']);
  });

  test('GIVEN a world file written before readiness facts WHEN opened THEN its state stays and healthy facts are added', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'world-without-facts-'));
    const topology = simulation().topology;
    const old = initialWorld(topology);
    old.runningTasks[STANDBY]!.orders = 7;
    const { facts: _facts, ...withoutFacts } = old;
    new FileWorldStore(path.join(dir, 'world.json')).write(withoutFacts as typeof old);
    const local = createLocalPorts({ topology, clock: new ManualClock(), stateDir: dir });
    const world = local.world.snapshot();
    expect(world.runningTasks[STANDBY]!.orders).toBe(7);
    expect(Object.keys(world.facts.regions).sort()).toEqual([PRIMARY, STANDBY].sort());
  });
});
