import type { Orchestration } from '../../../runbooks/core/step';
import { readiness } from '../../../runbooks/orchestrations';
import { checksField } from '../../../runbooks/orchestrations/readiness';
import { type ReadinessInput, readinessGate } from '../../../runbooks/orchestrations/readiness-checks';
import { READINESS_CHECKS, TAKEOVER_CHECKS } from '../../../runbooks/readiness/readiness-checks';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';

const TAKEOVER = [
  'services-healthy',
  'capacity',
  'replication',
  'routing-controls',
  'region-switch-plan',
  'secrets-present',
];
const STANDING = [
  'image-parity',
  'task-settings-parity',
  'engine-version-parity',
  'backup-retention',
  'snapshot-copy-current',
  'routing-configuration',
  'routing-states',
  'table-replication',
  'secrets-replicated',
  'canaries-green',
  'capacity-headroom',
];

describe('the readiness checks', () => {
  test('GIVEN READINESS_CHECKS THEN the takeover checks come first, then the standing ones, names unique and kebab-case', () => {
    expect(READINESS_CHECKS.map((c) => c.name)).toEqual([...TAKEOVER, ...STANDING]);
    expect(TAKEOVER_CHECKS.map((c) => c.name)).toEqual(TAKEOVER);
    expect(READINESS_CHECKS.filter((c) => c.scope === 'standing').map((c) => c.name)).toEqual(STANDING);
    for (const check of READINESS_CHECKS) {
      expect(check.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(check.whenRed.length).toBeGreaterThan(40);
      expect(check.uses.length).toBeGreaterThan(0);
    }
  });
});

describe('the checks input of readiness', () => {
  test('GIVEN no checks WHEN parsed THEN the takeover checks (what the bake and the dry run have always run)', () => {
    expect(checksField({})).toEqual(TAKEOVER);
    expect(checksField({ checks: '' })).toEqual(TAKEOVER);
  });

  test('GIVEN all WHEN parsed THEN every check, in order', () => {
    expect(checksField({ checks: 'all' })).toEqual([...TAKEOVER, ...STANDING]);
    expect(checksField({ checks: ['all'] })).toEqual([...TAKEOVER, ...STANDING]);
  });

  test('GIVEN a comma-separated list WHEN parsed THEN those checks in the order they run', () => {
    expect(checksField({ checks: 'capacity-headroom, image-parity,capacity' })).toEqual([
      'capacity',
      'image-parity',
      'capacity-headroom',
    ]);
  });

  test.each([
    [{ checks: 'image-parity,imag-parity' }, '"imag-parity" is not a readiness check'],
    [{ checks: ['all', 'capacity'] }, '"all" is not a readiness check'],
    [{ checks: 7 }, '7 is not a readiness check'],
    [{ checks: [] }, '[] selects no check'],
  ])('GIVEN %j WHEN parsed THEN an error naming the field, the value and what is accepted', (raw, problem) => {
    expect(() => readiness.parseInput({ targetRegion: STANDBY, ...raw }, simulation().topology)).toThrow(
      `checks: ${problem}; accepted: all, or a comma-separated list of ${[...TAKEOVER, ...STANDING].join(', ')}`,
    );
  });
});

describe('readiness', () => {
  test('GIVEN no checks input WHEN run THEN the takeover checks run and the standing ones are skipped as not selected', async () => {
    const sim = simulation();
    const result = await sim.run(readiness, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      ['validate-input', 'succeeded'],
      ...TAKEOVER.map((name) => [name, 'succeeded']),
      ...STANDING.map((name) => [name, 'already-done']),
    ]);
    expect(result.steps.find((s) => s.step === 'image-parity')?.detail).toBe('not selected');
    expect(sim.calls.some((c) => c.method.startsWith('facts.'))).toBe(false);
  });

  test('GIVEN checks=all on a healthy world WHEN run THEN every check runs and succeeds', async () => {
    const sim = simulation();
    const result = await sim.run(readiness, { targetRegion: STANDBY, checks: 'all' });
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      ['validate-input', 'succeeded'],
      ...[...TAKEOVER, ...STANDING].map((name) => [name, 'succeeded']),
    ]);
  });

  test('GIVEN a RED and an INCONCLUSIVE check WHEN run with all THEN the run fails naming both, and the other checks still ran', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.clusters[`shop-dev-orders-${PRIMARY}`]!.engineVersion = '16.8';
      delete w.facts.regions[PRIMARY]!.peakTasks.carts;
    });
    const result = await sim.run(readiness, { targetRegion: STANDBY, checks: 'all' });
    expect(result.status).toBe('failed');
    expect(result.error?.retriable).toBe(false);
    expect(result.error?.message).toBe(
      [
        `engine-version-parity: engine-version-parity failed in ${STANDBY}:`,
        `  - orders: shop-dev-orders-${STANDBY} in ${STANDBY} runs aurora-postgresql 16.6, shop-dev-orders-${PRIMARY} in ${PRIMARY} runs aurora-postgresql 16.8; expected: the same engine version in both Regions`,
        `capacity-headroom: capacity-headroom was inconclusive (fail closed) in ${STANDBY}:`,
        `  - could not decide: service carts: no RunningTaskCount data in ${PRIMARY} over the last 24 h, so the tasks it needs could not be computed`,
      ].join('\n'),
    );
    expect(result.steps.filter((s) => s.status === 'succeeded')).toHaveLength(
      1 + TAKEOVER.length + STANDING.length - 2,
    );
  });

  test('GIVEN a takeover check INCONCLUSIVE WHEN run with the default checks THEN its step fails (fail closed)', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.runningTasks[STANDBY]!.carts;
    });
    const result = await sim.run(readiness, { targetRegion: STANDBY });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBe(
      [
        `capacity was inconclusive (fail closed) in ${STANDBY}:`,
        `  - could not decide: service carts: no RunningTaskCount data in ${STANDBY}`,
      ].join('\n'),
    );
  });

  test('GIVEN a standing check that would be RED WHEN it is not selected THEN it neither runs nor fails the run', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.clusters[`shop-dev-orders-${PRIMARY}`]!.engineVersion = '16.8';
    });
    expect((await sim.run(readiness, { targetRegion: STANDBY, checks: 'capacity,image-parity' })).status).toBe(
      'succeeded',
    );
    expect((await sim.run(readiness, { targetRegion: STANDBY, checks: 'engine-version-parity' })).status).toBe(
      'failed',
    );
  });

  test('GIVEN a dry run WHEN run with all THEN the checks run and nothing changes', async () => {
    const sim = simulation();
    const before = sim.local.world.snapshot();
    const result = await sim.run(readiness, { targetRegion: STANDBY, checks: 'all' }, { dryRun: true });
    expect(result.status).toBe('planned');
    expect(sim.local.world.snapshot()).toEqual(before);
  });
});

describe('readinessGate (the check-readiness step of planned moves)', () => {
  const gated: Orchestration<ReadinessInput> = {
    name: 'gated',
    title: 'a move behind the readiness gate',
    mutates: false,
    inputs: [],
    parseInput: (raw) => ({ targetRegion: String(raw.targetRegion), maxLagSeconds: 60 }),
    steps: () => [readinessGate<ReadinessInput>()],
  };

  test('GIVEN a ready standby WHEN gated THEN it passes with the takeover checks only', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      // a standing check would be RED: the gate of a planned move does not wait for parity
      w.facts.regions[PRIMARY]!.clusters[`shop-dev-orders-${PRIMARY}`]!.engineVersion = '16.8';
    });
    const result = await sim.run(gated, { targetRegion: STANDBY });
    expect(result.status).toBe('succeeded');
    expect(sim.calls.some((c) => c.method.startsWith('facts.'))).toBe(false);
  });

  test('GIVEN a takeover check INCONCLUSIVE WHEN gated THEN the gate fails naming what could not be decided', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      delete w.lagSeconds[`arn:aws:rds:${STANDBY}:000000000000:cluster:shop-dev-orders-${STANDBY}`];
    });
    const result = await sim.run(gated, { targetRegion: STANDBY });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBe(
      [
        `${STANDBY} is not ready to take over:`,
        `  - replication: could not decide: orders: no AuroraGlobalDBRPOLag data for shop-dev-orders-${STANDBY} in the last 5 min`,
      ].join('\n'),
    );
  });

  test('GIVEN a takeover check RED WHEN gated THEN the gate fails naming it', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.runningTasks[STANDBY]!.ui = 0;
    });
    const result = await sim.run(gated, { targetRegion: STANDBY });
    expect(result.error?.message).toBe(
      [
        `${STANDBY} is not ready to take over:`,
        `  - capacity: service ui: 0 running tasks in ${STANDBY}; needs at least 2`,
      ].join('\n'),
    );
  });
});
