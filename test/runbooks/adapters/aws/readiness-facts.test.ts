import { AwsReadinessFacts } from '../../../../runbooks/adapters/aws/readiness-facts';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { NonRetriableError, RetriableError } from '../../../../runbooks/core/errors';
import type { PortMethod } from '../../../../runbooks/ports';
import { SHOP_SERVICES } from '../../../../stacks/services/shop-services';
import { type ModelUnderTest, modelUnderTest } from '../../aws-model/model-test-setup';
import { SEEDED_COMMIT } from '../../aws-model/shop-seed';
import { QUICK_RETRY } from './sdk-calls';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const HOUR = 3_600_000;

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

function setup(seed: Parameters<typeof modelUnderTest>[0] = {}) {
  t = modelUnderTest(seed);
  const facts = new AwsReadinessFacts({ clock: t.clock, retry: QUICK_RETRY });
  return { ...t, facts, cluster: t.shop.ecsCluster };
}

/** The IAM action of each request the model received since `mark`: `ecs:DescribeServices`. */
const actionsSince = (mark: number) => [
  ...new Set(t.model.calls.since(mark).map((c) => `${c.service}:${c.operation}`)),
];

describe('AwsReadinessFacts.services', () => {
  test('GIVEN the shop as deployed WHEN its services are read in each Region THEN each has its task definition, size, running digests and counts, and the settings are equal across the Regions', async () => {
    const { facts, cluster, shop } = setup();
    const east = await facts.services(EAST, cluster, SHOP_SERVICES);
    const west = await facts.services(WEST, cluster, SHOP_SERVICES);
    expect(Object.keys(east).sort()).toEqual([...SHOP_SERVICES].sort());
    expect(east.orders).toMatchObject({
      service: 'orders',
      taskDefinitionArn: shop.taskDefinitions[`${EAST}/orders`],
      vcpu: 0.25,
      memoryMiB: 512,
      runningDigests: { app: [shop.imageDigests.orders] },
      desired: 2,
      running: 2,
    });
    for (const service of SHOP_SERVICES) expect(west[service]!.settings).toEqual(east[service]!.settings);
  });

  test('GIVEN Region-specific values in the task definition WHEN the settings are read THEN Region names, the account, Aurora endpoint ids, role ARNs, log groups, secret ARNs, REGION_ROLE, DB_HOST and the image are not in them', async () => {
    const { facts, cluster, model } = setup();
    const { orders } = await facts.services(WEST, cluster, ['orders']);
    const text = JSON.stringify(orders!.settings);
    for (const absent of [
      WEST,
      model.accountId,
      'REGION_ROLE',
      '"DB_HOST"',
      'awslogs-group',
      'image',
      'RoleArn',
      'secretsmanager',
    ])
      expect(text).not.toContain(absent);
    const app = (orders!.settings.containers as Record<string, Record<string, unknown>>).app!;
    expect(app.environment).toContainEqual({
      name: 'DB_WRITER_HOST',
      value: 'shop-dev-orders.cluster-<id>.<region>.rds.amazonaws.com',
    });
    expect(app.secrets).toEqual([{ name: 'DB_PASSWORD', key: 'password::' }]);
    expect(app.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-region': '<region>', 'awslogs-stream-prefix': 'orders' },
    });
  });

  test('GIVEN the standby runs another image and a larger task WHEN read THEN the digests and the settings differ', async () => {
    const { facts, cluster, model, shop } = setup();
    const bigger = model.ecs.registerTaskDefinition(WEST, {
      ...model.ecs.taskDefinitions.get(shop.taskDefinitions[`${WEST}/catalog`]!)!,
      family: 'shop-dev-uswest2-catalog',
      cpu: '512',
    });
    model.ecs.deploy(WEST, cluster, 'catalog', bigger, { app: 'sha256:0ther' });
    const east = await facts.services(EAST, cluster, ['catalog']);
    const west = await facts.services(WEST, cluster, ['catalog']);
    expect(west.catalog).toMatchObject({
      taskDefinitionArn: bigger,
      vcpu: 0.5,
      runningDigests: { app: ['sha256:0ther'] },
    });
    expect(west.catalog!.settings).not.toEqual(east.catalog!.settings);
    expect((west.catalog!.settings as { cpu: string }).cpu).toBe('512');
  });

  test('GIVEN a service that does not exist WHEN read THEN it is left out; GIVEN a cluster that does not exist THEN the read fails naming it', async () => {
    const { facts, cluster } = setup();
    expect(Object.keys(await facts.services(EAST, cluster, ['orders', 'gone']))).toEqual(['orders']);
    const error = await facts.services(EAST, 'no-such-cluster', ['orders']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/^DescribeServices orders in us-east-1: ClusterNotFoundException/);
  });

  test('GIVEN 12 services WHEN read THEN DescribeServices is asked for at most 10 a request (the model refuses more)', async () => {
    const { facts, cluster, model, shop } = setup();
    const extra = Array.from({ length: 12 - SHOP_SERVICES.length }, (_, i) => `extra-${i}`);
    for (const name of extra) {
      model.ecs.addService(EAST, cluster, name, 1);
      model.ecs.deploy(EAST, cluster, name, shop.taskDefinitions[`${EAST}/ui`]!, { app: shop.imageDigests.ui! });
    }
    const mark = model.calls.mark();
    const read = await facts.services(EAST, cluster, [...SHOP_SERVICES, ...extra]);
    expect(Object.keys(read)).toHaveLength(12);
    const described = model.calls.of('DescribeServices', EAST, model.calls.since(mark));
    expect(described.map((c) => (c.input.services as string[]).length)).toEqual([10, 2]);
  });

  test('GIVEN 150 running tasks WHEN read THEN ListTasks pages by 100 and DescribeTasks takes at most 100 tasks a request', async () => {
    const { facts, cluster, model } = setup();
    model.ecs.service(EAST, cluster, 'ui')!.runningCount = 150;
    const mark = model.calls.mark();
    const { ui } = await facts.services(EAST, cluster, ['ui']);
    expect(ui!.running).toBe(150);
    expect(model.calls.of('ListTasks', EAST, model.calls.since(mark))).toHaveLength(2);
    const described = model.calls.of('DescribeTasks', EAST, model.calls.since(mark));
    expect(described.map((c) => (c.input.tasks as string[]).length)).toEqual([100, 50]);
  });

  test('GIVEN no task runs WHEN read THEN the service is there with no running digest', async () => {
    const { facts, cluster, model } = setup();
    model.ecs.service(WEST, cluster, 'carts')!.runningCount = 0;
    expect((await facts.services(WEST, cluster, ['carts'])).carts!.runningDigests).toEqual({});
  });
});

describe('AwsReadinessFacts.clusters', () => {
  test('GIVEN the Aurora clusters WHEN read THEN engine, version, retention and status; a missing cluster is left out', async () => {
    const { facts, model, shop } = setup({ seed: { backupRetentionDays: 3 } });
    model.rds.clusters.get(`${WEST}/${shop.clusters.orders}`)!.backupRetentionPeriod = 14;
    expect(await facts.clusters(WEST, [shop.clusters.orders!, 'nope'])).toEqual({
      [shop.clusters.orders!]: {
        clusterIdentifier: shop.clusters.orders,
        engine: 'aurora-postgresql',
        engineVersion: '16.6',
        backupRetentionDays: 14,
        status: 'available',
      },
    });
  });
});

describe('AwsReadinessFacts.alarms', () => {
  test('GIVEN canary alarms WHEN read THEN state and since; a composite alarm is read too; a missing one is left out', async () => {
    const { facts, model, shop, clock } = setup();
    const [local, global] = shop.canaryAlarms[EAST]!;
    // The seed has the canary alarms OK since a day before the clock's start.
    const seeded = new Date(clock.now().getTime() - 24 * HOUR);
    clock.advance(HOUR);
    model.setAlarm(EAST, global!, 'ALARM');
    model.setAlarm(EAST, 'shop-dev-composite', 'OK', 'CompositeAlarm');
    expect(await facts.alarms(EAST, [local!, global!, 'shop-dev-composite', 'missing'])).toEqual({
      [local!]: { name: local, state: 'OK', since: seeded },
      [global!]: { name: global, state: 'ALARM', since: clock.now() },
      'shop-dev-composite': { name: 'shop-dev-composite', state: 'OK', since: clock.now() },
    });
  });

  // "StateTransitionedTimestamp: The date and time that the alarm's StateValue most recently changed."
  // (API_MetricAlarm); "The timestamp of the last change to the alarm's StateValue." (API_CompositeAlarm). Whereas
  // StateUpdatedTimestamp is "The time stamp of the last update to the value of either the StateValue or
  // EvaluationState parameters." (API_MetricAlarm) and "Tracks the timestamp of any state update, even if StateValue
  // doesn't change." (API_CompositeAlarm): "healthy since" is the former.
  test('GIVEN alarms OK for a day whose state was updated an hour ago without changing (a metric alarm: its EvaluationState; a composite one: re-evaluated) WHEN read THEN OK since the day before, when StateValue last changed', async () => {
    const { facts, model, shop, clock } = setup();
    const [local] = shop.canaryAlarms[EAST]!;
    const dayAgo = new Date(clock.now().getTime() - 24 * HOUR);
    model.setAlarm(EAST, 'shop-dev-composite', 'OK', 'CompositeAlarm', dayAgo);
    clock.advance(HOUR);
    model.setAlarmEvaluationState(EAST, local!, 'PARTIAL_DATA');
    model.setAlarm(EAST, 'shop-dev-composite', 'OK', 'CompositeAlarm');
    const answer = model.cloudWatch.describeAlarms(
      { AlarmNames: [local!, 'shop-dev-composite'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      EAST,
    ) as { MetricAlarms?: unknown[]; CompositeAlarms?: unknown[] };
    expect(answer.MetricAlarms?.[0]).toMatchObject({
      StateUpdatedTimestamp: clock.now(),
      EvaluationState: 'PARTIAL_DATA',
    });
    expect(answer.CompositeAlarms?.[0]).toMatchObject({ StateUpdatedTimestamp: clock.now() });
    expect(await facts.alarms(EAST, [local!, 'shop-dev-composite'])).toEqual({
      [local!]: { name: local, state: 'OK', since: dayAgo },
      'shop-dev-composite': { name: 'shop-dev-composite', state: 'OK', since: dayAgo },
    });
  });

  test('GIVEN an alarm answered without StateTransitionedTimestamp WHEN read THEN in its state since StateUpdatedTimestamp', async () => {
    const { facts, model, shop, clock } = setup();
    const [local] = shop.canaryAlarms[WEST]!;
    const updated = new Date(clock.now().getTime() - 2 * HOUR);
    clock.advance(HOUR);
    const alarm = model.cloudWatch.alarms.get(`${WEST}/${local}`)!;
    alarm.since = undefined;
    alarm.updated = updated;
    expect(await facts.alarms(WEST, [local!])).toEqual({ [local!]: { name: local, state: 'OK', since: updated } });
  });

  test('GIVEN an alarm answered without StateTransitionedTimestamp and StateUpdatedTimestamp WHEN read THEN in its state since now, never since long ago (a failback waits for a Region healthy long enough: fail closed)', async () => {
    const { facts, model, shop, clock } = setup();
    const [local] = shop.canaryAlarms[WEST]!;
    clock.advance(HOUR);
    const alarm = model.cloudWatch.alarms.get(`${WEST}/${local}`)!;
    alarm.since = undefined;
    alarm.updated = undefined;
    expect(await facts.alarms(WEST, [local!])).toEqual({ [local!]: { name: local, state: 'OK', since: clock.now() } });
  });
});

describe('AwsReadinessFacts.peakRunningTasks', () => {
  test('GIVEN RunningTaskCount data points over two days WHEN the 24-hour peak is read THEN it is the highest of the last 24 hours; a service without data is undefined', async () => {
    const { facts, model, cluster, clock } = setup();
    const now = clock.now().getTime();
    const dims = { ClusterName: cluster, ServiceName: 'orders' };
    for (const [hoursAgo, value] of [
      [30, 12],
      [20, 7],
      [3, 4],
      [0.1, 2],
    ] as const)
      model.cloudWatch.record(
        EAST,
        'ECS/ContainerInsights',
        'RunningTaskCount',
        dims,
        new Date(now - hoursAgo * HOUR),
        value,
      );
    model.cloudWatch.silenced.add(`${EAST}/ECS/ContainerInsights/RunningTaskCount/${cluster}/ui`);
    expect(await facts.peakRunningTasks(EAST, cluster, ['orders', 'ui'], 24)).toEqual({ orders: 7, ui: undefined });
    const query = t.model.calls.of('GetMetricData', EAST).at(-1)!.input;
    expect(new Date(query.StartTime as Date).getTime()).toBe(now - 24 * HOUR);
  });
});

describe('AwsReadinessFacts.scalingLimits', () => {
  test('GIVEN scalable targets WHEN read THEN min and max; a service without a target is left out', async () => {
    const { facts, model, cluster } = setup();
    model.ecs.service(WEST, cluster, 'orders')!.maxCapacity = 6;
    expect(await facts.scalingLimits(WEST, cluster, ['orders', 'nope'])).toEqual({ orders: { min: 2, max: 6 } });
  });
});

describe('AwsReadinessFacts.fargateVcpuQuota', () => {
  test('GIVEN the applied quota and running Fargate tasks WHEN read THEN the limit and the vCPU in use', async () => {
    const { facts } = setup({ seed: { fargateVcpuQuota: 40 } });
    // 5 services × 2 tasks × 0.25 vCPU.
    expect(await facts.fargateVcpuQuota(EAST)).toEqual({ limit: 40, used: 2.5, source: 'applied' });
  });

  test('GIVEN Service Quotas has no applied value WHEN read THEN the AWS default is the limit, marked as the default', async () => {
    // GetServiceQuota: "For some quotas, only the default values are available. If the applied quota value is not
    // available for a quota, the quota is not retrieved"; GetAWSDefaultServiceQuota: "Retrieves the default value for
    // the specified quota. The default value does not reflect any quota increases."
    const { facts, model } = setup();
    model.serviceQuotas.remove(WEST, 'fargate', 'L-3032A538');
    model.serviceQuotas.setDefault(WEST, 'fargate', 'L-3032A538', 6);
    expect(await facts.fargateVcpuQuota(WEST)).toEqual({ limit: 6, used: 2.5, source: 'default' });
  });

  test('GIVEN neither an applied nor a default value WHEN read THEN the limit is unknown, not zero', async () => {
    const { facts, model } = setup();
    model.serviceQuotas.remove(WEST, 'fargate', 'L-3032A538');
    expect(await facts.fargateVcpuQuota(WEST)).toEqual({ limit: undefined, used: 2.5 });
  });
});

describe('AwsReadinessFacts.tableReplicationLatencySeconds', () => {
  test('GIVEN ReplicationLatency in ms WHEN read THEN the highest of the window in seconds; none is undefined', async () => {
    const { facts, model } = setup();
    model.cloudWatch.tableReplicationLatencyMs.set(`${EAST}/shop-dev-carts/${WEST}`, 1500);
    expect(await facts.tableReplicationLatencySeconds(EAST, 'shop-dev-carts', WEST, 5)).toBe(1.5);
    expect(await facts.tableReplicationLatencySeconds(WEST, 'shop-dev-carts', EAST, 5)).toBeUndefined();
  });
});

describe('AwsReadinessFacts.secretReplication', () => {
  test('GIVEN secrets replicated from the primary WHEN read in the standby THEN the primary is asked for the replicas', async () => {
    const { facts, model, shop } = setup();
    const [orders] = shop.topology(WEST).databases.filter((d) => d.name === 'orders');
    const mark = model.calls.mark();
    expect(await facts.secretReplication(WEST, [orders!.secretId, 'missing'])).toEqual({
      [orders!.secretId]: {
        secretId: orders!.secretId,
        primaryRegion: EAST,
        replicas: [{ region: WEST, status: 'InSync' }],
      },
    });
    expect(model.calls.lines(model.calls.of('DescribeSecret', undefined, model.calls.since(mark)))).toEqual([
      `secretsmanager:DescribeSecret ${WEST}`,
      `secretsmanager:DescribeSecret ${EAST}`,
      `secretsmanager:DescribeSecret ${WEST} !ResourceNotFoundException`,
    ]);
  });

  test('GIVEN a failed replica WHEN read in the primary THEN its status and message', async () => {
    const { facts, model, shop } = setup();
    const secretId = shop.topology(EAST).databases[0]!.secretId;
    model.secrets.secrets.get(`${EAST}/${secretId}`)!.replicas = [
      { region: WEST, status: 'Failed', message: 'Access denied to the KMS key' },
    ];
    expect((await facts.secretReplication(EAST, [secretId]))[secretId]!.replicas).toEqual([
      { region: WEST, status: 'Failed', message: 'Access denied to the KMS key' },
    ]);
  });
});

describe('AwsReadinessFacts.deployedCommit', () => {
  // API_GetParameter returns Parameter (API_Parameter): "Value: The parameter value." and "LastModifiedDate: Date
  // the parameter was last changed or updated and the parameter version was created."
  test('GIVEN the services stack wrote its commit WHEN read THEN the commit and when the parameter last changed', async () => {
    const { facts, model, shop } = setup();
    const seededAt = t.clock.now();
    expect(await facts.deployedCommit(WEST, shop.deployedCommitParameters[WEST]!)).toEqual({
      commit: SEEDED_COMMIT,
      since: seededAt,
    });
    t.clock.advance(30 * 60_000);
    model.ssm.put(EAST, shop.deployedCommitParameters[EAST]!, 'a'.repeat(40));
    expect(await facts.deployedCommit(EAST, shop.deployedCommitParameters[EAST]!)).toEqual({
      commit: 'a'.repeat(40),
      since: new Date(seededAt.getTime() + 30 * 60_000),
    });
  });

  test('GIVEN no such parameter WHEN read THEN undefined (API_GetParameter, Errors: ParameterNotFound)', async () => {
    const { facts } = setup();
    expect(await facts.deployedCommit(WEST, '/shop-dev-us-west-2-services/nothing-here')).toBeUndefined();
  });

  test('GIVEN an answer without LastModifiedDate WHEN read THEN it fails rather than guessing since when', async () => {
    const { facts, model, shop } = setup();
    // LastModifiedDate is "Required: No" in API_Parameter: an answer without it is possible.
    const key = `${WEST}/${shop.deployedCommitParameters[WEST]}`;
    const seeded = model.ssm.parameters.get(key)!;
    model.ssm.parameters.set(key, { ...seeded, lastModified: undefined as unknown as Date });
    await expect(facts.deployedCommit(WEST, shop.deployedCommitParameters[WEST]!)).rejects.toThrow(
      /GetParameter \/shop-dev-us-west-2-services\/deployed-commit in us-west-2: .*no Value or LastModifiedDate/,
    );
  });
});

describe('AwsReadinessFacts faults', () => {
  test('GIVEN throttling WHEN read THEN retried until answered', async () => {
    const { facts, model, cluster } = setup();
    model.faults.throttle({ service: 'ecs', operation: 'DescribeTaskDefinition' }, 2);
    model.faults.throttle({ service: 'servicequotas' }, 1);
    expect((await facts.services(EAST, cluster, ['ui'])).ui!.vcpu).toBe(0.25);
    expect((await facts.fargateVcpuQuota(EAST)).limit).toBe(4000);
    expect(model.faults.pending()).toBe(0);
  });

  test('GIVEN a Region that does not answer WHEN any of its facts is read THEN a retriable error naming the request', async () => {
    const { facts, model, cluster, shop } = setup();
    model.regionDown(WEST);
    const reads: [string, () => Promise<unknown>][] = [
      ['DescribeServices', () => facts.services(WEST, cluster, ['ui'])],
      ['DescribeDBClusters', () => facts.clusters(WEST, [shop.clusters.orders!])],
      ['DescribeAlarms', () => facts.alarms(WEST, ['a'])],
      ['GetMetricData', () => facts.peakRunningTasks(WEST, cluster, ['ui'], 24)],
      ['DescribeScalableTargets', () => facts.scalingLimits(WEST, cluster, ['ui'])],
      ['GetServiceQuota', () => facts.fargateVcpuQuota(WEST)],
      ['GetMetricData', () => facts.tableReplicationLatencySeconds(WEST, 't', EAST, 5)],
      ['DescribeSecret', () => facts.secretReplication(WEST, ['s'])],
      ['GetParameter', () => facts.deployedCommit(WEST, shop.deployedCommitParameters[WEST]!)],
    ];
    for (const [operation, read] of reads) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetriableError);
      expect((error as Error).message).toContain(`${operation} `);
      expect((error as Error).message).toContain('ETIMEDOUT');
    }
  });

  test("GIVEN the standby answers and the primary does not WHEN the standby's secret replication is read THEN it fails: the replicas' state is only known there", async () => {
    const { facts, model, shop } = setup();
    model.regionDown(EAST);
    const secretId = shop.topology(WEST).databases[0]!.secretId;
    await expect(facts.secretReplication(WEST, [secretId])).rejects.toThrow(
      /DescribeSecret .* in us-east-1: .*ETIMEDOUT/,
    );
  });
});

describe('AwsReadinessFacts IAM', () => {
  test('every request a method sends is an action it declares', async () => {
    const { facts, cluster, shop } = setup();
    const reads: [PortMethod, () => Promise<unknown>][] = [
      ['facts.services', () => facts.services(WEST, cluster, SHOP_SERVICES)],
      ['facts.clusters', () => facts.clusters(WEST, [shop.clusters.orders!])],
      ['facts.alarms', () => facts.alarms(WEST, shop.canaryAlarms[WEST]!)],
      ['facts.peakRunningTasks', () => facts.peakRunningTasks(WEST, cluster, SHOP_SERVICES, 24)],
      ['facts.scalingLimits', () => facts.scalingLimits(WEST, cluster, SHOP_SERVICES)],
      ['facts.fargateVcpuQuota', () => facts.fargateVcpuQuota(WEST)],
      ['facts.tableReplicationLatencySeconds', () => facts.tableReplicationLatencySeconds(WEST, 't', EAST, 5)],
      ['facts.secretReplication', () => facts.secretReplication(WEST, [shop.topology(WEST).databases[0]!.secretId])],
      ['facts.deployedCommit', () => facts.deployedCommit(WEST, shop.deployedCommitParameters[WEST]!)],
    ];
    for (const [method, read] of reads) {
      const mark = t.model.calls.mark();
      await read();
      const sent = actionsSince(mark);
      expect(sent.length).toBeGreaterThan(0);
      expect({ method, undeclared: sent.filter((a) => !REQUIRED_ACTIONS[method].includes(a)) }).toEqual({
        method,
        undeclared: [],
      });
    }
  });
});
