import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsHealth } from '../../../../runbooks/adapters/aws/health';
import { ManualClock } from '../../../../runbooks/adapters/local/manual-clock';
import { QUICK_RETRY, serviceError } from './sdk-calls';

function setup() {
  const cloudWatch = new CloudWatchClient({ region: 'us-west-2' });
  const secrets = new SecretsManagerClient({ region: 'us-west-2' });
  const cw = mockClient(cloudWatch);
  const sm = mockClient(secrets);
  const adapter = new AwsHealth({
    clock: new ManualClock('2026-01-27T10:00:00.000Z'),
    cloudWatchFor: () => cloudWatch,
    secretsFor: () => secrets,
    checkEndpoints: async (urls) => urls.map((url) => ({ url, healthy: true, detail: 'HTTP 200' })),
    retry: QUICK_RETRY,
  });
  return { adapter, cw, sm };
}

describe('AwsHealth', () => {
  test('replication lag is the highest AuroraGlobalDBRPOLag (ms) of the window, in seconds (m2: the metric AWS names for Aurora PostgreSQL)', async () => {
    const { adapter, cw } = setup();
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'lag', Values: [850, 1200, 400], StatusCode: 'Complete' }],
    });
    expect(await adapter.replicationLagSeconds('us-west-2', 'shop-dev-orders', 5)).toBe(1.2);
    expect(cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input).toEqual({
      MetricDataQueries: [
        {
          Id: 'lag',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'AuroraGlobalDBRPOLag',
              Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'shop-dev-orders' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
      StartTime: new Date('2026-01-27T09:55:00.000Z'),
      EndTime: new Date('2026-01-27T10:00:00.000Z'),
    });
  });

  test('no lag data point is reported as unknown, not as zero', async () => {
    const { adapter, cw } = setup();
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag', Values: [] }] });
    expect(await adapter.replicationLagSeconds('us-west-2', 'shop-dev-orders', 5)).toBeUndefined();
  });

  test('running tasks are the latest Container Insights RunningTaskCount of each service', async () => {
    const { adapter, cw } = setup();
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 's0', Values: [3, 2] },
        { Id: 's1', Values: [] },
      ],
    });
    expect(await adapter.runningTasks('us-west-2', 'shop-dev', ['ui', 'orders'])).toEqual({ ui: 3, orders: undefined });
    expect(cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries?.[1]).toEqual({
      Id: 's1',
      MetricStat: {
        Metric: {
          Namespace: 'ECS/ContainerInsights',
          MetricName: 'RunningTaskCount',
          Dimensions: [
            { Name: 'ClusterName', Value: 'shop-dev' },
            { Name: 'ServiceName', Value: 'orders' },
          ],
        },
        Period: 60,
        Stat: 'Minimum',
      },
    });
  });

  test('a secret is present unless it is missing or scheduled for deletion', async () => {
    const { adapter, sm } = setup();
    sm.on(DescribeSecretCommand, { SecretId: 'shop/dev/orders/master' })
      .resolves({ Name: 'shop/dev/orders/master' })
      .on(DescribeSecretCommand, { SecretId: 'shop/dev/catalog/master' })
      .resolves({ Name: 'shop/dev/catalog/master', DeletedDate: new Date('2026-01-26T00:00:00Z') })
      .on(DescribeSecretCommand, { SecretId: 'shop/dev/api-key' })
      .rejects(serviceError('ResourceNotFoundException'));
    expect(
      await adapter.secretsPresent('us-west-2', [
        'shop/dev/orders/master',
        'shop/dev/catalog/master',
        'shop/dev/api-key',
      ]),
    ).toEqual({
      'shop/dev/orders/master': true,
      'shop/dev/catalog/master': false,
      'shop/dev/api-key': false,
    });
  });

  test('throttled metric reads are retried', async () => {
    const { adapter, cw } = setup();
    cw.on(GetMetricDataCommand)
      .rejectsOnce(serviceError('Throttling', 'client', 'Rate exceeded'))
      .resolves({ MetricDataResults: [{ Id: 'lag', Values: [100] }] });
    expect(await adapter.replicationLagSeconds('us-west-2', 'c', 5)).toBe(0.1);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
  });
});
