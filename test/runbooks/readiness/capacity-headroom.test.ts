import { capacityHeadroomCheck, tasksNeeded } from '../../../runbooks/readiness/checks/capacity-headroom';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { evaluate, failing } from './readiness-simulation';

// The standby must be able to grow to the primary's peak (peakSharePercent of the peakWindowHours peak): within each
// service's autoscaling maximum, and within the Region's Fargate On-Demand vCPU quota (Service Quotas L-3032A538).
// The simulated world: 5 services of 0.5 vCPU running 2 tasks each in each Region, a peak of 4 in each, maximum 20,
// a quota of 400 vCPU with the running tasks' 5 vCPU in use.

const SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'];

describe('tasksNeeded', () => {
  test.each([
    [4, 100, 4],
    [3, 50, 2],
    [7, 150, 11],
    [0, 100, 0],
  ])('GIVEN a peak of %d and %d %% WHEN computed THEN %d tasks (rounded up)', (peak, share, needed) => {
    expect(tasksNeeded(peak, share)).toBe(needed);
  });
});

describe('capacity-headroom', () => {
  test('GIVEN room under every maximum and the quota WHEN checked THEN GREEN with the vCPU sum', async () => {
    const result = await evaluate(simulation(), capacityHeadroomCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      ...SERVICES.map((s) => `${s}: needs 4, maximum 20`),
      'vCPU: 5 in use + 5 to add ≤ quota 400',
    ]);
    expect(result.evidence.vcpu).toEqual({ limit: 400, used: 5, toAdd: 5, partial: false });
  });

  test("GIVEN orders' scaling maximum 3 under the primary's peak of 4 WHEN checked THEN RED with the shortfall in tasks", async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.scaling.orders!.max = 3;
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `service orders: needs 4 tasks in ${STANDBY} (100 % of ${PRIMARY}'s 24-hour peak of 4); its scaling maximum is 3: short by 1 tasks; expected: a maximum of at least 4`,
    ]);
  });

  test('GIVEN a peak share of 150 % WHEN checked THEN the tasks needed are 150 % of the peak, rounded up', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.peakTasks.ui = 9;
      w.facts.regions[STANDBY]!.scaling.ui!.max = 13;
    });
    const result = await evaluate(sim, capacityHeadroomCheck, { readiness: { peakSharePercent: 150 } });
    expect(result.failures).toEqual([
      `service ui: needs 14 tasks in ${STANDBY} (150 % of ${PRIMARY}'s 24-hour peak of 9); its scaling maximum is 13: short by 1 tasks; expected: a maximum of at least 14`,
    ]);
  });

  test('GIVEN a Fargate vCPU quota of 8 WHEN the peak needs 5 more vCPU on 5 in use THEN RED with the shortfall in vCPU', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.fargateVcpu.limit = 8;
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `Fargate On-Demand vCPU quota of ${STANDBY} is 8 vCPU; 5 in use + 5 to add for the peak = 10: short by 2 vCPU; expected: a quota of at least 10 vCPU`,
    ]);
  });

  test('GIVEN vCPU in use from other workloads WHEN the sum exceeds the quota THEN RED counting them', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.fargateVcpu = { limit: 100, used: 96.5 };
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.failures).toEqual([
      `Fargate On-Demand vCPU quota of ${STANDBY} is 100 vCPU; 96.5 in use + 5 to add for the peak = 101.5: short by 1.5 vCPU; expected: a quota of at least 102 vCPU`,
    ]);
  });

  test('GIVEN no RunningTaskCount data for carts in the primary WHEN checked THEN INCONCLUSIVE naming it', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[PRIMARY]!.peakTasks.carts;
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `service carts: no RunningTaskCount data in ${PRIMARY} over the last 24 h, so the tasks it needs could not be computed`,
    ]);
  });

  test('GIVEN a quota short even without the unknown service WHEN checked THEN RED says "at least"', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[PRIMARY]!.peakTasks.carts;
      w.facts.regions[STANDBY]!.fargateVcpu.limit = 6;
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `Fargate On-Demand vCPU quota of ${STANDBY} is 6 vCPU; 5 in use + at least 4 to add for the peak = 9: short by 3 vCPU; expected: a quota of at least 9 vCPU`,
    ]);
  });

  test('GIVEN Service Quotas does not answer WHEN checked THEN INCONCLUSIVE, never GREEN', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[STANDBY]!.fargateVcpu.limit;
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `Fargate On-Demand vCPU quota of ${STANDBY}: the quota could not be read, so the headroom for 5 more vCPU is unknown`,
    ]);
  });

  test('GIVEN a service without a scalable target WHEN checked THEN INCONCLUSIVE: its maximum is unknown', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.facts.regions[STANDBY]!.scaling.checkout;
    });
    const result = await evaluate(sim, capacityHeadroomCheck);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `service checkout: no scalable target read in ${STANDBY}, so its scaling maximum is unknown`,
    ]);
  });

  test("GIVEN the primary's CloudWatch does not answer WHEN evaluated THEN INCONCLUSIVE", async () => {
    const result = await evaluate(simulation(), capacityHeadroomCheck, { ports: failing('facts', 'peakRunningTasks') });
    expect(result.verdict).toBe('INCONCLUSIVE');
  });
});
