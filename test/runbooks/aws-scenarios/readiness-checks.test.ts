import { createAwsPorts } from '../../../runbooks/adapters/aws/aws-ports';
import { preserveSnapshots } from '../../../runbooks/orchestrations';
import { evaluateReadiness } from '../../../runbooks/readiness/evaluate-readiness';
import type { ReadinessCheck } from '../../../runbooks/readiness/readiness-check';
import { READINESS_CHECKS, readinessCheckNamed } from '../../../runbooks/readiness/readiness-checks';
import type { Topology } from '../../../runbooks/topology';
import { SHOP_SERVICES } from '../../../stacks/services/shop-services';
import { MUTATING_OPERATIONS } from '../aws-model/aws-model';
import { SEEDED_COMMIT } from '../aws-model/shop-seed';
import { type AwsWorld, awsWorld, EAST, WEST } from './aws-world';

// Each standing readiness check, red and green, on the AWS model served to the real SDK clients (aws-sdk-client-mock)
// through the real AWS adapters (createAwsPorts): what the scheduled readiness of us-west-2 would find. The target
// Region is us-west-2 (the standby, where the scheduled run judges whether it could take over) and the other Region
// us-east-1, as the seed deploys the shop.

let world: AwsWorld | undefined;
afterEach(() => world?.dispose());

const HOUR = 3_600_000;

/** The standing checks are this file's subject; the takeover checks it also shows here are listed. */
const TAKEOVER_HERE = ['secrets-present'];

function check(name: string): ReadinessCheck {
  const found = readinessCheckNamed(name);
  if (!found) throw new Error(`no readiness check named ${name}`);
  expect(found.scope).toBe(TAKEOVER_HERE.includes(name) ? 'takeover' : 'standing');
  return found;
}

/**
 * Runs one check as the scheduled readiness of `region` would: the Region's topology, createAwsPorts in that Region,
 * evaluateReadiness (a check that throws is INCONCLUSIVE).
 */
async function assess(
  w: AwsWorld,
  name: string,
  options: { region?: string; topology?: (t: Topology) => Topology } = {},
) {
  const region = options.region ?? WEST;
  const base = w.shop.topology(region);
  const topology = options.topology ? options.topology(base) : base;
  const ports = createAwsPorts({
    topology,
    clock: w.clock,
    region,
    bucket: w.shop.buckets[region]!,
    reconciler: w.reconciler,
  });
  const { checks } = await evaluateReadiness({ input: { targetRegion: region, maxLagSeconds: 60 }, topology, ports }, [
    check(name),
  ]);
  return checks[0]!;
}

const withReadiness =
  (settings: Partial<Topology['readiness']>) =>
  (t: Topology): Topology => ({ ...t, readiness: { ...t.readiness, ...settings } });

describe('every readiness check on the AWS model', () => {
  test.each([WEST, EAST])(
    'GIVEN the shop as deployed WHEN every check runs with %s as the target THEN GREEN, and nothing in AWS was changed',
    async (region) => {
      // The baseline of the red scenarios below: each changes one thing of this shop.
      world = awsWorld();
      const topology = world.shop.topology(region);
      const ports = createAwsPorts({
        topology,
        clock: world.clock,
        region,
        bucket: world.shop.buckets[region]!,
        reconciler: world.reconciler,
      });
      const mark = world.model.calls.mark();
      const result = await evaluateReadiness(
        { input: { targetRegion: region, maxLagSeconds: 60 }, topology, ports },
        READINESS_CHECKS,
      );
      expect(result.checks.filter((c) => c.verdict !== 'GREEN').map((c) => [c.name, c.failures, c.unknowns])).toEqual(
        [],
      );
      expect(result.verdict).toBe('GREEN');
      const calls = world.model.calls.since(mark);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((c) => MUTATING_OPERATIONS.has(c.operation)).map((c) => c.operation)).toEqual([]);
    },
  );
});

describe('image-parity on the AWS model', () => {
  test('GIVEN the same image digests in both Regions WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    const result = await assess(world, 'image-parity');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(SHOP_SERVICES.map((s) => `${s}: same images in both Regions`));
  });

  test('GIVEN us-west-2 runs another catalog image WHEN checked THEN RED naming the service, the container and both digests', async () => {
    world = awsWorld();
    const { model, shop } = world;
    model.ecs.deploy(WEST, shop.ecsCluster, 'catalog', shop.taskDefinitions[`${WEST}/catalog`]!, {
      app: 'sha256:0ther',
    });
    const result = await assess(world, 'image-parity');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `service catalog, container app: ${WEST} runs sha256:0ther, ${EAST} runs ${shop.imageDigests.catalog}; expected: the same image digests in both Regions`,
    ]);
  });

  test('GIVEN no carts task runs in us-west-2 WHEN checked THEN INCONCLUSIVE (nothing to compare is not equal)', async () => {
    world = awsWorld();
    world.model.ecs.service(WEST, world.shop.ecsCluster, 'carts')!.runningCount = 0;
    const result = await assess(world, 'image-parity');
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `service carts: no running task in ${WEST}, so its image digests could not be compared`,
    ]);
  });
});

// Release awareness: each services stack writes `/<stack name>/deployed-commit` on every deploy (stacks/deployed-commit.ts);
// GetParameter answers its Value and LastModifiedDate ("Date the parameter was last changed or updated and the
// parameter version was created.", API_Parameter). A release deploys us-east-1 first, bakes it, then us-west-2.
describe('image-parity and task-settings-parity during a release on the AWS model', () => {
  const NEW_COMMIT = '2222222222222222222222222222222222222222';

  /** us-east-1's services stack deploys NEW_COMMIT now: a new catalog image and twice the orders CPU. */
  function releaseEast(w: AwsWorld): void {
    const { model, shop } = w;
    model.ecs.deploy(EAST, shop.ecsCluster, 'catalog', shop.taskDefinitions[`${EAST}/catalog`]!, {
      app: 'sha256:release2',
    });
    const bigger = model.ecs.registerTaskDefinition(EAST, {
      ...model.ecs.taskDefinitions.get(shop.taskDefinitions[`${EAST}/orders`]!)!,
      cpu: '512',
    });
    model.ecs.deploy(EAST, shop.ecsCluster, 'orders', bigger, { app: shop.imageDigests.orders! });
    model.ssm.put(EAST, shop.deployedCommitParameters[EAST]!, NEW_COMMIT);
  }

  test('GIVEN us-east-1 deployed a new commit 30 minutes ago and us-west-2 not yet WHEN checked THEN both GREEN, naming both commits and until when; the evidence records it', async () => {
    world = awsWorld();
    world.advance(3600);
    const deployedAt = world.clock.now();
    releaseEast(world);
    world.advance(30 * 60);
    const until = new Date(deployedAt.getTime() + 100 * 60_000).toISOString();
    for (const name of ['image-parity', 'task-settings-parity']) {
      const result = await assess(world, name);
      expect({ name, verdict: result.verdict, failures: result.failures }).toEqual({
        name,
        verdict: 'GREEN',
        failures: [],
      });
      expect(result.notes[0]).toBe(
        `release in progress: ${EAST} deployed commit ${NEW_COMMIT} at ${deployedAt.toISOString()}, ${WEST} still runs commit ${SEEDED_COMMIT} (deployed at ${new Date(deployedAt.getTime() - 3_600_000).toISOString()}); the difference is tolerated until ${until} (readiness.releaseGraceMinutes: 100 after the newer deploy)`,
      );
      expect(result.evidence.release).toMatchObject({
        [EAST]: { commit: NEW_COMMIT },
        [WEST]: { commit: SEEDED_COMMIT },
        tolerated: true,
        toleratedUntil: until,
      });
    }
  });

  test('GIVEN the release stuck for 101 minutes (us-west-2 never deployed) WHEN checked THEN both RED as without a release', async () => {
    world = awsWorld();
    releaseEast(world);
    world.advance(101 * 60);
    const image = await assess(world, 'image-parity');
    expect(image.verdict).toBe('RED');
    expect(image.failures).toEqual([
      `service catalog, container app: ${WEST} runs ${world.shop.imageDigests.catalog}, ${EAST} runs sha256:release2; expected: the same image digests in both Regions`,
    ]);
    expect((await assess(world, 'task-settings-parity')).verdict).toBe('RED');
  });

  test('GIVEN both Regions report the same commit WHEN the images differ THEN RED: drift, not a release', async () => {
    world = awsWorld();
    releaseEast(world);
    world.model.ssm.put(EAST, world.shop.deployedCommitParameters[EAST]!, SEEDED_COMMIT);
    const result = await assess(world, 'image-parity');
    expect(result.verdict).toBe('RED');
    expect(result.notes.at(-1)).toMatch(/^not a release in progress: both Regions report deployed commit 1{40} /);
  });

  test("GIVEN us-west-2's SSM does not answer WHEN the images differ THEN RED, the unread commit named", async () => {
    world = awsWorld();
    releaseEast(world);
    world.model.faults.fail(
      { service: 'ssm', operation: 'GetParameter', region: WEST },
      Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }),
      100,
    );
    const result = await assess(world, 'image-parity');
    expect(result.verdict).toBe('RED');
    expect(result.unknowns).toEqual([
      expect.stringMatching(
        new RegExp(
          `^deployed commit of ${WEST} \\(${world.shop.deployedCommitParameters[WEST]}\\) could not be read: GetParameter .*; the difference is not excused as a release$`,
        ),
      ),
    ]);
  });
});

describe('task-settings-parity on the AWS model', () => {
  test('GIVEN task definitions that differ only in Region, account, roles, log groups, secret ARNs and REGION_ROLE/DB_HOST WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    const result = await assess(world, 'task-settings-parity');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(SHOP_SERVICES.map((s) => `${s}: same settings in both Regions`));
  });

  test('GIVEN us-west-2 runs orders with twice the CPU WHEN checked THEN RED naming the keys and both values', async () => {
    world = awsWorld();
    const { model, shop } = world;
    const bigger = model.ecs.registerTaskDefinition(WEST, {
      ...model.ecs.taskDefinitions.get(shop.taskDefinitions[`${WEST}/orders`]!)!,
      cpu: '512',
    });
    model.ecs.deploy(WEST, shop.ecsCluster, 'orders', bigger, { app: shop.imageDigests.orders! });
    const result = await assess(world, 'task-settings-parity');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `service orders: task definition settings differ in 2 keys: cpu (${WEST}: "512", ${EAST}: "256"), vcpu (${WEST}: 0.5, ${EAST}: 0.25); expected: the same settings in both Regions (Region names and account ids aside)`,
    ]);
  });
});

describe('engine-version-parity on the AWS model', () => {
  test('GIVEN both members of each global database on 16.6 WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    const result = await assess(world, 'engine-version-parity');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      'catalog: aurora-postgresql 16.6 in both Regions',
      'orders: aurora-postgresql 16.6 in both Regions',
    ]);
  });

  test('GIVEN the orders cluster of us-west-2 on another version WHEN checked THEN RED naming both clusters and versions', async () => {
    world = awsWorld();
    const { model, shop } = world;
    const key = `${WEST}/${shop.clusters.orders}`;
    model.rds.clusters.set(key, { ...model.rds.clusters.get(key)!, engineVersion: '16.4' });
    const result = await assess(world, 'engine-version-parity');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `orders: ${shop.clusters.orders} in ${WEST} runs aurora-postgresql 16.4, ${shop.clusters.orders} in ${EAST} runs aurora-postgresql 16.6; expected: the same engine version in both Regions`,
    ]);
  });
});

describe('backup-retention on the AWS model', () => {
  test('GIVEN every cluster keeps 7 days and the minimum is 7 WHEN checked THEN GREEN', async () => {
    world = awsWorld({ seed: { backupRetentionDays: 7 } });
    const result = await assess(world, 'backup-retention', {
      topology: withReadiness({ minimumBackupRetentionDays: 7 }),
    });
    expect(result.verdict).toBe('GREEN');
  });

  test('GIVEN the catalog cluster of us-east-1 keeps 3 days and the minimum is 7 WHEN checked THEN RED naming it', async () => {
    world = awsWorld({ seed: { backupRetentionDays: 7 } });
    const { model, shop } = world;
    model.rds.clusters.get(`${EAST}/${shop.clusters.catalog}`)!.backupRetentionPeriod = 3;
    const result = await assess(world, 'backup-retention', {
      topology: withReadiness({ minimumBackupRetentionDays: 7 }),
    });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `catalog: cluster ${shop.clusters.catalog} in ${EAST} keeps backups 3 days; expected: at least 7 (readiness.minimumBackupRetentionDays)`,
    ]);
  });
});

describe('snapshot-copy-current on the AWS model', () => {
  /** What Aurora leaves when the old primary of us-east-1 comes back after an unplanned failover (see rds-model). */
  function failoverSnapshots(w: AwsWorld): string[] {
    const at = new Date(w.clock.now().getTime() - HOUR);
    return ['catalog', 'orders'].map((db) => {
      const cluster = w.model.rds.clusters.get(`${EAST}/${w.shop.clusters[db]}`)!;
      return w.model.rds.addSnapshot({
        identifier: `rds:unplanned-global-failover-${cluster.identifier}-${w.model.behaviours.failoverSnapshotStamp(at)}`,
        region: EAST,
        clusterIdentifier: cluster.identifier,
        status: 'available',
        type: w.model.behaviours.failoverSnapshotType,
        createdAt: at,
        engine: cluster.engine,
        engineVersion: cluster.engineVersion,
        percentProgress: 100,
        expiresAt: new Date(at.getTime() + cluster.backupRetentionPeriod * 86_400_000),
      }).identifier;
    });
  }

  test('GIVEN no unplanned-failover snapshot WHEN checked THEN GREEN, noted', async () => {
    world = awsWorld();
    const result = await assess(world, 'snapshot-copy-current');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `catalog: no rds:unplanned-global-failover-${world.shop.clusters.catalog}-* in ${EAST}: nothing to copy`,
      `orders: no rds:unplanned-global-failover-${world.shop.clusters.orders}-* in ${EAST}: nothing to copy`,
    ]);
  });

  test('GIVEN the old primaries snapshotted in us-east-1 and no copy in us-west-2 WHEN checked THEN RED; once preserve-snapshots copied them, INCONCLUSIVE while copying, then GREEN', async () => {
    world = awsWorld();
    const [catalog, orders] = failoverSnapshots(world);
    const red = await assess(world, 'snapshot-copy-current');
    expect(red.verdict).toBe('RED');
    expect(red.failures).toHaveLength(2);
    expect(red.failures[0]).toMatch(
      new RegExp(
        `^catalog: ${catalog!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in ${EAST} has no copy in ${WEST}; expected: an available copy \\S+ \\(made by preserve-snapshots\\)$`,
      ),
    );
    expect(red.failures[1]).toContain(`orders: ${orders} in ${EAST} has no copy in ${WEST}`);

    // WHEN the scheduled preserve-snapshots of us-west-2 copies them
    expect((await world.run(preserveSnapshots, WEST, { targetRegion: WEST })).result.status).toBe('succeeded');
    const copying = await assess(world, 'snapshot-copy-current');
    expect(copying.verdict).toBe('INCONCLUSIVE');
    expect(copying.unknowns).toHaveLength(2);

    world.advance(world.model.timings.copySeconds + 1);
    const green = await assess(world, 'snapshot-copy-current');
    expect(green.verdict).toBe('GREEN');
    expect(green.notes.every((n) => n.includes(`available in ${WEST}`))).toBe(true);
  });
});

describe('routing-configuration on the AWS model', () => {
  test('GIVEN the routing parameter matches the ARC cluster WHEN checked THEN GREEN: every endpoint asked on its own', async () => {
    world = awsWorld();
    const mark = world.model.calls.mark();
    const result = await assess(world, 'routing-configuration');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toHaveLength(world.model.arc.endpoints.length);
    const listed = world.model.calls.of('ListRoutingControls', undefined, world.model.calls.since(mark));
    expect(listed).toHaveLength(world.model.arc.endpoints.length);
  });

  test('GIVEN the ARC endpoint in ap-northeast-1 does not answer WHEN checked THEN RED naming it', async () => {
    world = awsWorld();
    world.model.arcEndpointDown('ap-northeast-1');
    const endpoint = world.model.arc.endpoints.find((e) => e.region === 'ap-northeast-1')!.endpoint;
    const result = await assess(world, 'routing-configuration');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(
      new RegExp(
        `^ARC endpoint ${endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ap-northeast-1\\) does not answer \\(.+\\); expected: every endpoint answers$`,
      ),
    );
  });

  test("GIVEN us-west-2's routing control was recreated (new ARN) and the parameter still holds the old one WHEN checked THEN RED on every endpoint", async () => {
    world = awsWorld();
    const { model, shop } = world;
    const old = model.arc.controls.get(shop.controlArns[WEST]!)!;
    model.arc.controls.delete(old.arn);
    const recreated = old.arn.replace(/[0-9a-f]{8}$/, 'feedbeef');
    model.arc.addControl({ ...old, arn: recreated === old.arn ? `${old.arn}x` : recreated });
    const result = await assess(world, 'routing-configuration');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toHaveLength(model.arc.endpoints.length);
    for (const failure of result.failures)
      expect(failure).toContain(`does not list ${WEST}'s routing control ${old.arn}`);
  });
});

describe('routing-states on the AWS model', () => {
  test('GIVEN us-east-1 On and us-west-2 Off WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    const result = await assess(world, 'routing-states');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([`${EAST} takes the traffic (${EAST} On, ${WEST} Off)`]);
  });

  test('GIVEN both Regions On and no traffic move recorded WHEN checked THEN RED', async () => {
    world = awsWorld();
    world.model.arc.controls.get(world.shop.controlArns[WEST]!)!.state = 'On';
    const result = await assess(world, 'routing-states');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `both Regions are On (${EAST} On, ${WEST} On) and no switchover, failback or failover is running (latest: none recorded); expected: exactly one Region On`,
    ]);
  });

  test('GIVEN both Regions Off while a failover journal is running WHEN checked THEN GREEN, noted', async () => {
    world = awsWorld({ seed: { routing: 'all-off' } });
    const topology = world.shop.topology(WEST);
    const ports = createAwsPorts({
      topology,
      clock: world.clock,
      region: WEST,
      bucket: world.shop.buckets[WEST]!,
      reconciler: world.reconciler,
    });
    const now = world.clock.now().toISOString();
    await ports.journal.save({
      version: 1,
      executionId: 'exec-1',
      orchestration: 'failover',
      input: { targetRegion: WEST },
      status: 'running',
      startedAt: now,
      updatedAt: now,
      steps: {},
    });
    const result = await assess(world, 'routing-states');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([
      `${EAST} Off, ${WEST} Off: allowed while failover exec-1 (started ${now}) is running`,
    ]);
  });
});

describe('table-replication on the AWS model', () => {
  const TABLE = 'shop-dev-carts';
  const tables = withReadiness({ tables: [TABLE], maxTableReplicationLatencySeconds: 30 });

  test('GIVEN ReplicationLatency of 1.2 s and 0.8 s WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    world.model.cloudWatch.tableReplicationLatencyMs.set(`${WEST}/${TABLE}/${EAST}`, 1200);
    world.model.cloudWatch.tableReplicationLatencyMs.set(`${EAST}/${TABLE}/${WEST}`, 800);
    const result = await assess(world, 'table-replication', { topology: tables });
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual([`${TABLE} ${WEST}→${EAST} 1.2 s`, `${TABLE} ${EAST}→${WEST} 0.8 s`]);
  });

  test('GIVEN us-east-1 → us-west-2 at 45 s WHEN checked THEN RED naming the direction', async () => {
    world = awsWorld();
    world.model.cloudWatch.tableReplicationLatencyMs.set(`${WEST}/${TABLE}/${EAST}`, 1200);
    world.model.cloudWatch.tableReplicationLatencyMs.set(`${EAST}/${TABLE}/${WEST}`, 45_000);
    const result = await assess(world, 'table-replication', { topology: tables });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `table ${TABLE}: ReplicationLatency from ${EAST} to ${WEST} reached 45 s; expected: at most 30 s (readiness.maxTableReplicationLatencySeconds)`,
    ]);
  });

  test('GIVEN no data point WHEN checked THEN INCONCLUSIVE', async () => {
    world = awsWorld();
    const result = await assess(world, 'table-replication', { topology: tables });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toHaveLength(2);
  });
});

describe('secrets-present on the AWS model', () => {
  // API_DescribeSecret: "DeletedDate: The date the secret is scheduled for deletion" — such a secret is not there for
  // the services; a missing one answers ResourceNotFoundException.
  const secretsOf = (w: AwsWorld) => w.shop.topology(WEST).regions[WEST]!.secretIds;

  test('GIVEN every secret the runbooks need exists in us-west-2 WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    expect(secretsOf(world).length).toBeGreaterThan(0);
    const result = await assess(world, 'secrets-present');
    expect(result.verdict).toBe('GREEN');
  });

  test('GIVEN one secret deleted and one scheduled for deletion in us-west-2 WHEN checked THEN RED naming both', async () => {
    world = awsWorld();
    const [gone, scheduled] = secretsOf(world);
    world.model.secrets.secrets.delete(`${WEST}/${gone}`);
    world.model.secrets.secrets.get(`${WEST}/${scheduled}`)!.deletedDate = world.clock.now();
    const result = await assess(world, 'secrets-present');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `secret ${gone} is missing in ${WEST}`,
      `secret ${scheduled} is missing in ${WEST}`,
    ]);
  });
});

describe('secrets-replicated on the AWS model', () => {
  test('GIVEN the database secrets replicated from us-east-1, InSync WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    const result = await assess(world, 'secrets-replicated');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toHaveLength(world.shop.topology(WEST).databases.length);
  });

  test('GIVEN the orders secret replica Failed WHEN checked THEN RED with its message', async () => {
    world = awsWorld();
    const secretId = world.shop.topology(WEST).databases.find((d) => d.name === 'orders')!.secretId;
    world.model.secrets.secrets.get(`${EAST}/${secretId}`)!.replicas = [
      { region: WEST, status: 'Failed', message: 'Access denied to the KMS key' },
    ];
    const result = await assess(world, 'secrets-replicated');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `secret ${secretId}: its replica in ${WEST} is Failed (Access denied to the KMS key); expected: InSync`,
    ]);
  });
});

describe('canaries-green on the AWS model', () => {
  test('GIVEN every canary alarm OK WHEN checked THEN GREEN', async () => {
    world = awsWorld();
    const result = await assess(world, 'canaries-green');
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toEqual(
      [...world.shop.canaryAlarms[WEST]!, ...world.shop.canaryAlarms[EAST]!].map((n) => `${n} OK`),
    );
  });

  test("GIVEN us-east-1's global canary in ALARM WHEN checked THEN RED; INSUFFICIENT_DATA is INCONCLUSIVE", async () => {
    world = awsWorld();
    const [local, global] = world.shop.canaryAlarms[EAST]!;
    world.model.setAlarm(EAST, global!, 'ALARM');
    const red = await assess(world, 'canaries-green');
    expect(red.verdict).toBe('RED');
    expect(red.failures).toEqual([
      `canary alarm ${global} in ${EAST} is ALARM since ${world.clock.now().toISOString()}; expected: OK`,
    ]);
    world.model.setAlarm(EAST, global!, 'OK');
    world.model.setAlarm(EAST, local!, 'INSUFFICIENT_DATA');
    const unknown = await assess(world, 'canaries-green');
    expect(unknown.verdict).toBe('INCONCLUSIVE');
    expect(unknown.unknowns).toEqual([
      `canary alarm ${local} in ${EAST} is INSUFFICIENT_DATA since ${world.clock.now().toISOString()}: the canary is not reporting`,
    ]);
  });
});

describe('capacity-headroom on the AWS model', () => {
  /** Container Insights RunningTaskCount of each service in us-east-1, two hours ago. */
  function peak(w: AwsWorld, tasks: Readonly<Record<string, number>>): void {
    const at = new Date(w.clock.now().getTime() - 2 * HOUR);
    for (const [service, value] of Object.entries(tasks)) {
      w.model.cloudWatch.record(
        EAST,
        'ECS/ContainerInsights',
        'RunningTaskCount',
        { ClusterName: w.shop.ecsCluster, ServiceName: service },
        at,
        value,
      );
    }
  }

  test("GIVEN us-east-1's peak of 6 tasks per service, maximums of 10 and a 4000 vCPU quota WHEN checked THEN GREEN", async () => {
    world = awsWorld();
    peak(world, Object.fromEntries(SHOP_SERVICES.map((s) => [s, 6])));
    const result = await assess(world, 'capacity-headroom');
    expect(result.verdict).toBe('GREEN');
    // 5 services × 2 running × 0.25 vCPU in use; 5 × (6 − 2) × 0.25 to add.
    expect(result.notes).toContain('vCPU: 2.5 in use + 5 to add ≤ quota 4000');
  });

  test('GIVEN a peak of 14 orders tasks and a maximum of 10 WHEN checked THEN RED: short by 4 tasks', async () => {
    world = awsWorld();
    peak(world, { orders: 14 });
    const result = await assess(world, 'capacity-headroom');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `service orders: needs 14 tasks in ${WEST} (100 % of ${EAST}'s 24-hour peak of 14); its scaling maximum is 10: short by 4 tasks; expected: a maximum of at least 14`,
    ]);
  });

  test('GIVEN a peak of 10 tasks per service and a Fargate quota of 8 vCPU WHEN checked THEN RED: short in vCPU', async () => {
    world = awsWorld({ seed: { fargateVcpuQuota: 8 } });
    peak(world, Object.fromEntries(SHOP_SERVICES.map((s) => [s, 10])));
    const result = await assess(world, 'capacity-headroom');
    expect(result.verdict).toBe('RED');
    // 2.5 in use + 5 × (10 − 2) × 0.25 = 12.5 > 8.
    expect(result.failures).toEqual([
      `Fargate On-Demand vCPU quota of ${WEST} is 8 vCPU; 2.5 in use + 10 to add for the peak = 12.5: short by 4.5 vCPU; expected: a quota of at least 13 vCPU`,
    ]);
  });

  test('GIVEN Service Quotas has no applied value but the AWS default of 8 vCPU WHEN the peak needs more THEN RED naming the default as the quota', async () => {
    // GetServiceQuota: "For some quotas, only the default values are available"; the default then applies.
    world = awsWorld();
    world.model.serviceQuotas.remove(WEST, 'fargate', 'L-3032A538');
    world.model.serviceQuotas.setDefault(WEST, 'fargate', 'L-3032A538', 8);
    peak(world, Object.fromEntries(SHOP_SERVICES.map((s) => [s, 10])));
    const result = await assess(world, 'capacity-headroom');
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([
      `Fargate On-Demand vCPU quota of ${WEST} is 8 vCPU (the AWS default: Service Quotas has no applied value); 2.5 in use + 10 to add for the peak = 12.5: short by 4.5 vCPU; expected: a quota of at least 13 vCPU`,
    ]);
    expect(result.evidence.vcpu).toMatchObject({ limit: 8, limitSource: 'default' });
  });

  test('GIVEN Service Quotas has neither an applied nor a default value WHEN checked THEN INCONCLUSIVE (unknown is not zero)', async () => {
    world = awsWorld();
    world.model.serviceQuotas.remove(WEST, 'fargate', 'L-3032A538');
    const result = await assess(world, 'capacity-headroom');
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `Fargate On-Demand vCPU quota of ${WEST}: the quota could not be read, so the headroom for 0 more vCPU is unknown`,
    ]);
  });
});
