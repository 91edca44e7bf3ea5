import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseArcRoutingParameter } from '../../../runbooks/adapters/aws/arc-routing-parameter';
import { advance, type ModelUnderTest, modelUnderTest } from './model-test-setup';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

describe('SSM Parameter Store model', () => {
  test('the ARC parameter is in both Regions, in the shape the routing stack writes', async () => {
    t = modelUnderTest();
    for (const region of [EAST, WEST]) {
      const answer = await new SSMClient({ region }).send(new GetParameterCommand({ Name: t.shop.arcParameterName }));
      // Parsed by the routing adapter's own parser: the model writes what the adapter reads.
      expect(parseArcRoutingParameter(answer.Parameter!.Value!, 'test')).toEqual({
        clusterArn: t.model.arc.clusterArn,
        endpoints: t.model.arc.endpoints,
        routingControls: {
          'shop-dev-us-east-1': t.shop.controlArns[EAST],
          'shop-dev-us-west-2': t.shop.controlArns[WEST],
        },
      });
    }
  });

  test('GetParameter of a missing name is ParameterNotFound; PutParameter refuses to overwrite unless told', async () => {
    t = modelUnderTest({ seed: { writeArcParameter: false } });
    const ssm = new SSMClient({ region: WEST });
    await expect(ssm.send(new GetParameterCommand({ Name: t.shop.arcParameterName }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    await ssm.send(new PutParameterCommand({ Name: '/x', Value: '1', Type: 'String' }));
    await expect(ssm.send(new PutParameterCommand({ Name: '/x', Value: '2', Type: 'String' }))).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
    });
    expect((await ssm.send(new PutParameterCommand({ Name: '/x', Value: '2', Overwrite: true }))).Version).toBe(2);
    expect((await ssm.send(new GetParameterCommand({ Name: '/x' }))).Parameter?.Value).toBe('2');
    await expect(new SSMClient({ region: EAST }).send(new GetParameterCommand({ Name: '/x' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });
});

describe('S3 model', () => {
  test("objects round-trip in the bucket's Region; a missing key is NoSuchKey; another Region's endpoint is PermanentRedirect", async () => {
    t = modelUnderTest();
    const bucket = t.shop.buckets[WEST]!;
    const s3 = new S3Client({ region: WEST });
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'journal/x.json', Body: '{"a":1}', ContentType: 'application/json' }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'journal/x.json' }));
    expect(await got.Body?.transformToString()).toBe('{"a":1}');
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      new S3Client({ region: EAST }).send(new GetObjectCommand({ Bucket: bucket, Key: 'journal/x.json' })),
    ).rejects.toMatchObject({ name: 'PermanentRedirect' });
  });
});

describe('CloudWatch model', () => {
  const lag = (metric: string, region = WEST) =>
    new CloudWatchClient({ region }).send(
      new GetMetricDataCommand({
        StartTime: new Date(t.clock.now().getTime() - 5 * 60_000),
        EndTime: t.clock.now(),
        MetricDataQueries: [
          {
            Id: 'lag',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/RDS',
                MetricName: metric,
                Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'shop-dev-orders' }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );

  test.each(['AuroraGlobalDBRPOLag', 'AuroraGlobalDBReplicationLag'])(
    '%s has one data point a minute, newest first, for a connected secondary and none for the writer',
    async (metric) => {
      t = modelUnderTest();
      const result = (await lag(metric)).MetricDataResults![0]!;
      expect(result.Values).toEqual([150, 150, 150, 150, 150]);
      expect(result.Timestamps![0]!.getTime()).toBeGreaterThan(result.Timestamps![4]!.getTime());
      expect((await lag(metric, EAST)).MetricDataResults![0]!.Values).toEqual([]);
    },
  );

  test('a secondary that is no longer connected (here: promoted) publishes no lag', async () => {
    t = modelUnderTest();
    await new RDSClient({ region: WEST }).send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: 'shop-dev-orders-global',
        TargetDbClusterIdentifier: 'arn:aws:rds:us-west-2:111122223333:cluster:shop-dev-orders',
        AllowDataLoss: true,
      }),
    );
    advance(t.clock, t.model.timings.failoverSeconds);
    expect((await lag('AuroraGlobalDBRPOLag')).MetricDataResults![0]!.Values).toEqual([]);
  });

  test('RunningTaskCount follows the ECS service', async () => {
    t = modelUnderTest();
    const running = async () =>
      (
        await new CloudWatchClient({ region: EAST }).send(
          new GetMetricDataCommand({
            StartTime: new Date(t.clock.now().getTime() - 5 * 60_000),
            EndTime: t.clock.now(),
            MetricDataQueries: [
              {
                Id: 's0',
                MetricStat: {
                  Metric: {
                    Namespace: 'ECS/ContainerInsights',
                    MetricName: 'RunningTaskCount',
                    Dimensions: [
                      { Name: 'ClusterName', Value: t.shop.ecsCluster },
                      { Name: 'ServiceName', Value: 'orders' },
                    ],
                  },
                  Period: 60,
                  Stat: 'Minimum',
                },
              },
            ],
          }),
        )
      ).MetricDataResults![0]!.Values![0];
    expect(await running()).toBe(2);
    t.model.ecs.service(EAST, t.shop.ecsCluster, 'orders')!.runningCount = 0;
    expect(await running()).toBe(0);
  });
});

describe('Secrets Manager model', () => {
  test('DescribeSecret and GetSecretValue per Region; a missing secret is ResourceNotFoundException', async () => {
    t = modelUnderTest();
    const sm = new SecretsManagerClient({ region: WEST });
    expect(
      (await sm.send(new DescribeSecretCommand({ SecretId: 'shop/dev/orders/master' }))).DeletedDate,
    ).toBeUndefined();
    expect(
      JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'shop/dev/orders/master' }))).SecretString!),
    ).toEqual({
      username: 'shop_admin',
      password: 'not-a-real-password',
    });
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'shop/dev/nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('ECS and Application Auto Scaling model', () => {
  test('DescribeServices takes at most 10 services and DescribeTasks at most 100 tasks (the documented limits)', async () => {
    // API_DescribeServices, services: "You may specify up to 10 services to describe."; API_DescribeTasks, tasks: "A
    // list of up to 100 task IDs or full ARN entries." The error AWS answers beyond them is a model choice
    // (InvalidParameterException, "The specified parameter isn't valid"; UNVERIFIED which one AWS sends).
    t = modelUnderTest();
    const ecs = new ECSClient({ region: EAST });
    const cluster = t.shop.ecsCluster;
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster, services: Array.from({ length: 11 }, (_, i) => `s${i}`) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    t.model.ecs.service(EAST, cluster, 'ui')!.runningCount = 101;
    const first = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'ui' }));
    const second = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'ui', nextToken: first.nextToken }));
    const all = [...first.taskArns!, ...second.taskArns!];
    expect(all).toHaveLength(101);
    await expect(ecs.send(new DescribeTasksCommand({ cluster, tasks: all }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    expect((await ecs.send(new DescribeTasksCommand({ cluster, tasks: all.slice(0, 100) }))).tasks).toHaveLength(100);
  });

  test('DescribeScalableTargets answers at most 50 targets a page, with a NextToken for the rest', async () => {
    t = modelUnderTest();
    for (let i = 0; i < 55; i++) t.model.ecs.addService(EAST, t.shop.ecsCluster, `extra-${i}`, 1);
    const client = new ApplicationAutoScalingClient({ region: EAST });
    const first = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
    expect(first.ScalableTargets).toHaveLength(50);
    const second = await client.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', NextToken: first.NextToken }),
    );
    // The shop's five services and the 55 added.
    expect(second.ScalableTargets).toHaveLength(10);
    expect(second.NextToken).toBeUndefined();
  });

  test('UpdateService changes the desired count at once and the running count after ecsScaleSeconds', async () => {
    t = modelUnderTest();
    const ecs = new ECSClient({ region: EAST });
    const seen = async () =>
      await ecs.send(new DescribeServicesCommand({ cluster: t.shop.ecsCluster, services: ['orders', 'nope'] }));
    await ecs.send(new UpdateServiceCommand({ cluster: t.shop.ecsCluster, service: 'orders', desiredCount: 0 }));
    const during = await seen();
    expect(during.services?.map((s) => [s.serviceName, s.desiredCount, s.runningCount])).toEqual([['orders', 0, 2]]);
    expect(during.failures?.map((f) => f.reason)).toEqual(['MISSING']);
    advance(t.clock, t.model.timings.ecsScaleSeconds);
    expect((await seen()).services?.[0]?.runningCount).toBe(0);
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: t.shop.ecsCluster, service: 'nope', desiredCount: 0 })),
    ).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'other', services: ['orders'] })),
    ).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
    });
  });

  test('DescribeScalableTargets lists the ECS services with their capacity range', async () => {
    t = modelUnderTest();
    const answer = await new ApplicationAutoScalingClient({ region: WEST }).send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'ecs',
        ResourceIds: [`service/${t.shop.ecsCluster}/orders`],
      }),
    );
    expect(
      answer.ScalableTargets?.map((s) => [s.ResourceId, s.ScalableDimension, s.MinCapacity, s.MaxCapacity]),
    ).toEqual([['service/shop-dev/orders', 'ecs:service:DesiredCount', 2, 10]]);
  });
});
