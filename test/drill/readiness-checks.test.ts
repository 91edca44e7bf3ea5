import type { DrillPorts } from '../../drill/adapters/drill-ports';
import { DRILL_NAMES, DRILL_SERVICES } from '../../drill/drill-topology';
import type { TwoRegionShop } from '../../drill/two-region-shop';
import { type CheckEvaluation, evaluateReadiness } from '../../runbooks/readiness/evaluate-readiness';
import { READINESS_CHECKS, readinessCheckNamed } from '../../runbooks/readiness/readiness-checks';
import type { Topology } from '../../runbooks/topology';
import { type RunningShop, startRunningShop } from './running-shop';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const CLUSTER = `shop-drill-${WEST}`;
const STALE_CONTROL = 'arn:aws:route53-recovery-control::000000000000:controlpanel/drill/routingcontrol/recreated';

// Issue 17: "Each check has a test that shows it red and green (stateful AWS model or drill)" and "the local drill
// runs the same checks against its two simulated Regions ... so the checks are exercised on real Postgres and real
// services here". One running two-Region shop (2 Postgres pairs with streaming replication, 2 dynalite, 2 × 5
// services); each test makes one check red by changing the shop (or, where the drill has no counterpart, the
// drill-configured value the readiness facts answer: see DrillReadinessSettings), then puts it back and sees it
// green again. The target is the standby Region, as the drill's failover would move to it.
describe('each readiness check red and green on the running drill shop', () => {
  let shop: TwoRegionShop;
  let drill: DrillPorts;
  let running: RunningShop | undefined;

  const assess = async (name: string, options: { topology?: Topology; maxLagSeconds?: number } = {}) => {
    const check = readinessCheckNamed(name);
    if (!check) throw new Error(`no readiness check ${name}`);
    const evaluation = await evaluateReadiness(
      {
        input: { targetRegion: WEST, maxLagSeconds: options.maxLagSeconds ?? 30 },
        topology: options.topology ?? shop.topology,
        ports: drill.ports,
      },
      [check],
    );
    return evaluation.checks[0]!;
  };
  const shown = (c: CheckEvaluation) => ({ verdict: c.verdict, failures: c.failures, unknowns: c.unknowns });
  const green = async (name: string) =>
    expect(shown(await assess(name))).toEqual(
      expect.objectContaining({ verdict: 'GREEN', failures: [], unknowns: [] }),
    );

  beforeAll(async () => {
    running = await startRunningShop('drc-');
    ({ shop, drill } = running);
    shop.canaryAlarms.recordRun(true);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  test('GIVEN the shop as started WHEN every check runs for either Region THEN every one is GREEN', async () => {
    for (const targetRegion of [EAST, WEST]) {
      const evaluation = await evaluateReadiness(
        { input: { targetRegion, maxLagSeconds: 30 }, topology: shop.topology, ports: drill.ports },
        READINESS_CHECKS,
      );
      expect(evaluation.checks.filter((c) => c.verdict !== 'GREEN').map(shown)).toEqual([]);
      expect(evaluation.checks.map((c) => c.name)).toEqual(READINESS_CHECKS.map((c) => c.name));
    }
  });

  test('services-healthy: RED while the standby Region’s services are stopped (its ui does not answer)', async () => {
    await shop.stopServices(WEST);
    try {
      const red = await assess('services-healthy');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/health\/ready is unhealthy/)]);
    } finally {
      await shop.restartServices(WEST);
    }
    await green('services-healthy');
  });

  test('capacity: RED when a service of the standby Region is scaled to 0 tasks', async () => {
    await drill.capacity.setDesiredCount(WEST, CLUSTER, 'checkout', 0);
    try {
      expect(shown(await assess('capacity'))).toEqual({
        verdict: 'RED',
        failures: [`service checkout: 0 running tasks in ${WEST}; needs at least 1`],
        unknowns: [],
      });
    } finally {
      await drill.capacity.setDesiredCount(WEST, CLUSTER, 'checkout', 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await green('capacity');
  });

  test('image-parity: RED when the standby Region runs another build of orders (another code digest)', async () => {
    await shop.restartServices(WEST, { build: { orders: 'hotfix-1' } });
    try {
      const red = await assess('image-parity');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual([
        expect.stringMatching(
          new RegExp(
            `^service orders, container orders: ${WEST} runs sha256:[0-9a-f]{64}, ${EAST} runs sha256:[0-9a-f]{64}; expected: the same image digests in both Regions$`,
          ),
        ),
      ]);
    } finally {
      await shop.restartServices(WEST);
    }
    await green('image-parity');
  });

  test('image-parity and task-settings-parity: GREEN while a release is between the Regions (the standby restarted on another build reporting another commit, within readiness.releaseGraceMinutes), RED once the grace is 0', async () => {
    await shop.restartServices(WEST, { build: { orders: 'release-2' }, env: { CATALOG_CACHE_TTL_MS: '5000' } });
    const before = drill.facts.configure({ deployedCommits: { [WEST]: 'f'.repeat(40) } });
    try {
      for (const name of ['image-parity', 'task-settings-parity']) {
        const tolerated = await assess(name);
        expect(shown(tolerated)).toEqual({ verdict: 'GREEN', failures: [], unknowns: [] });
        expect(tolerated.notes[0]).toMatch(
          new RegExp(
            `^release in progress: ${WEST} deployed commit ${'f'.repeat(40)} at \\S+, ${EAST} still runs commit unversioned \\(deployed at \\S+\\); the difference is tolerated until \\S+ \\(readiness.releaseGraceMinutes: 100 after the newer deploy\\)$`,
          ),
        );
        const strict = { ...shop.topology, readiness: { ...shop.topology.readiness, releaseGraceMinutes: 0 } };
        expect((await assess(name, { topology: strict })).verdict).toBe('RED');
      }
      // The same commit in both Regions: the difference is drift, not a release.
      drill.facts.configure({ deployedCommits: {} });
      expect((await assess('image-parity')).verdict).toBe('RED');
    } finally {
      drill.facts.configure(before);
      await shop.restartServices(WEST);
    }
    await green('image-parity');
  });

  test('task-settings-parity: RED when the standby Region’s services start with another setting', async () => {
    await shop.restartServices(WEST, { env: { CATALOG_CACHE_TTL_MS: '5000' } });
    try {
      const red = await assess('task-settings-parity');
      expect(red.verdict).toBe('RED');
      // Every service got the extra setting; each is named with it.
      expect(red.failures).toHaveLength(DRILL_SERVICES.length);
      for (const service of DRILL_SERVICES) {
        expect(red.failures.find((f) => f.includes(`service ${service}`))).toContain('CATALOG_CACHE_TTL_MS');
      }
    } finally {
      await shop.restartServices(WEST);
    }
    await green('task-settings-parity');
  });

  test('engine-version-parity: RED when a member reports another engine version (drill-configured)', async () => {
    // Both Postgres servers of a pair are the same binary here; the version a member reports is overridden.
    const id = DRILL_NAMES.cluster('orders', WEST);
    const before = drill.facts.configure({ engineVersionOverrides: { [id]: '15.4' } });
    try {
      const red = await assess('engine-version-parity');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual([
        expect.stringMatching(
          new RegExp(
            `^orders: ${id} in ${WEST} runs postgres 15\\.4, ${DRILL_NAMES.cluster('orders', EAST)} in ${EAST} runs postgres \\d+\\.\\d+; expected: the same engine version in both Regions$`,
          ),
        ),
      ]);
    } finally {
      drill.facts.configure(before);
    }
    await green('engine-version-parity');
  });

  test('backup-retention: RED when a cluster keeps backups fewer days than readiness.minimumBackupRetentionDays', async () => {
    const before = drill.facts.configure({ backupRetentionDays: 1 });
    try {
      const red = await assess('backup-retention');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual(
        ['catalog', 'orders'].flatMap((d) =>
          [WEST, EAST].map(
            (region) =>
              `${d}: cluster ${DRILL_NAMES.cluster(d, region)} in ${region} keeps backups 1 day; expected: at least 7 (readiness.minimumBackupRetentionDays)`,
          ),
        ),
      );
    } finally {
      drill.facts.configure(before);
    }
    await green('backup-retention');
  });

  test('routing-controls and routing-configuration: RED when the runbooks hold a control the data plane does not list', async () => {
    const stale: Topology = {
      ...shop.topology,
      routing: { ...shop.topology.routing, controls: { ...shop.topology.routing.controls, [WEST]: STALE_CONTROL } },
    };
    const controls = await assess('routing-controls', { topology: stale });
    expect(controls.verdict).toBe('RED');
    expect(controls.failures).toEqual([expect.stringContaining('routing controls cannot be read')]);
    const configuration = await assess('routing-configuration', { topology: stale });
    expect(configuration.verdict).toBe('RED');
    expect(configuration.failures.join('\n')).toContain(STALE_CONTROL);
    await green('routing-controls');
    await green('routing-configuration');
  });

  test('routing-states: RED when both Regions are On and no traffic move is running', async () => {
    const control = shop.topology.routing.controls[WEST]!;
    await drill.ports.routing.setStates([{ control, state: 'On' }]);
    try {
      expect(shown(await assess('routing-states'))).toEqual({
        verdict: 'RED',
        failures: [
          `both Regions are On (${EAST} On, ${WEST} On) and no switchover, failback or failover is running (latest: none recorded); expected: exactly one Region On`,
        ],
        unknowns: [],
      });
    } finally {
      await drill.ports.routing.setStates([{ control, state: 'Off' }]);
    }
    await green('routing-states');
  });

  test('table-replication: RED when ReplicationLatency is above the target (drill-configured)', async () => {
    const before = drill.facts.configure({ tableReplicationLatencySeconds: 45 });
    try {
      const red = await assess('table-replication');
      expect(red.verdict).toBe('RED');
      expect(red.failures[0]).toMatch(
        /^table \S+: ReplicationLatency from us-west-2 to us-east-1 reached 45 s; expected: at most 30 s/,
      );
    } finally {
      drill.facts.configure(before);
    }
    await green('table-replication');
  });

  test('secrets-replicated: RED when a secret’s replica is not InSync (drill-configured)', async () => {
    const before = drill.facts.configure({ secretReplicaStatus: 'Failed' });
    try {
      const red = await assess('secrets-replicated');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual([
        `secret shop-drill/catalog-db: its replica in ${WEST} is Failed; expected: InSync`,
        `secret shop-drill/orders-db: its replica in ${WEST} is Failed; expected: InSync`,
      ]);
    } finally {
      drill.facts.configure(before);
    }
    await green('secrets-replicated');
  });

  test('canaries-green: RED after a failed canary run, GREEN after a passed one', async () => {
    shop.canaryAlarms.recordRun(false);
    try {
      const red = await assess('canaries-green');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual([
        expect.stringMatching(new RegExp(`^canary alarm ${DRILL_NAMES.canaryAlarm(WEST)} in ${WEST} is ALARM since`)),
        expect.stringMatching(new RegExp(`^canary alarm ${DRILL_NAMES.canaryAlarm(EAST)} in ${EAST} is ALARM since`)),
      ]);
    } finally {
      shop.canaryAlarms.recordRun(true);
    }
    await green('canaries-green');
  });

  test('capacity-headroom: RED when the Fargate vCPU quota cannot hold the other Region’s peak (drill-configured)', async () => {
    // The peak is 2 tasks per service (drill-configured), 0.25 vCPU each: 5 services need 2.5 vCPU.
    const before = drill.facts.configure({ fargateVcpuQuota: 2 });
    try {
      const red = await assess('capacity-headroom');
      expect(red.verdict).toBe('RED');
      expect(red.failures).toEqual([
        `Fargate On-Demand vCPU quota of ${WEST} is 2 vCPU; 1.25 in use + 1.25 to add for the peak = 2.5: short by 0.5 vCPU; expected: a quota of at least 3 vCPU`,
      ]);
    } finally {
      drill.facts.configure(before);
    }
    await green('capacity-headroom');
  });

  // Last: the shop cannot resume replication once it is cut.
  test('replication: RED once the Postgres streams are cut and the standby falls behind', async () => {
    await green('replication');
    await shop.cutReplication();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const red = await assess('replication', { maxLagSeconds: 1 });
    expect(red.verdict).toBe('RED');
    expect(red.failures).toEqual(
      expect.arrayContaining([expect.stringMatching(/^orders: replication lag \d+(\.\d+)? s exceeds 1 s$/)]),
    );
  });
});
