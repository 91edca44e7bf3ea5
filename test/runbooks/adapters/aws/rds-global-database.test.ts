import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsGlobalDatabase } from '../../../../runbooks/adapters/aws/rds-global-database';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { demoTopology } from '../../../../runbooks/adapters/local/demo-topology';
import { createLocalPorts } from '../../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../../runbooks/adapters/local/manual-clock';
import { runOrchestration } from '../../../../runbooks/core/engine';
import { NonRetriableError } from '../../../../runbooks/core/errors';
import { failover } from '../../../../runbooks/orchestrations';
import { actionsSent, QUICK_RETRY, serviceError } from './sdk-calls';

const EAST = 'arn:aws:rds:us-east-1:111111111111:cluster:shop-dev-orders';
const WEST = 'arn:aws:rds:us-west-2:111111111111:cluster:shop-dev-orders';
const GLOBAL = 'shop-dev-orders-global';

function setup() {
  const clients: Record<string, RDSClient> = {
    'us-east-1': new RDSClient({ region: 'us-east-1' }),
    'us-west-2': new RDSClient({ region: 'us-west-2' }),
  };
  const mocks = { east: mockClient(clients['us-east-1']!), west: mockClient(clients['us-west-2']!) };
  const adapter = new AwsGlobalDatabase({ clientFor: (region) => clients[region]!, retry: QUICK_RETRY });
  return { adapter, mocks };
}

/** A `DescribeGlobalClusters` answer as documented: members, writer flag, FailoverState while moving. */
function globalCluster(writer: string, failover?: { Status: 'pending' | 'failing-over' | 'cancelling'; To: string }) {
  return {
    GlobalClusters: [
      {
        GlobalClusterIdentifier: GLOBAL,
        GlobalClusterArn: `arn:aws:rds::111111111111:global-cluster:${GLOBAL}`,
        Status: failover ? 'failing-over' : 'available',
        Engine: 'aurora-postgresql',
        Endpoint: `${GLOBAL}.global-abc123.global.rds.amazonaws.com`,
        GlobalClusterMembers: [
          { DBClusterArn: EAST, IsWriter: writer === EAST, Readers: writer === EAST ? [WEST] : [] },
          {
            DBClusterArn: WEST,
            IsWriter: writer === WEST,
            Readers: writer === WEST ? [EAST] : [],
            SynchronizationStatus: 'connected' as const,
          },
        ],
        ...(failover
          ? {
              FailoverState: {
                Status: failover.Status,
                FromDbClusterArn: writer,
                ToDbClusterArn: failover.To,
                IsDataLossAllowed: true,
              },
            }
          : {}),
      },
    ],
  };
}

describe('AwsGlobalDatabase', () => {
  test('describe asks DescribeGlobalClusters in the given Region and the status of the member there only', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(DescribeGlobalClustersCommand).resolves(globalCluster(EAST, { Status: 'failing-over', To: WEST }));
    mocks.west
      .on(DescribeDBClustersCommand)
      .resolves({ DBClusters: [{ DBClusterIdentifier: 'shop-dev-orders', Status: 'available' }] });
    const state = await adapter.describe(GLOBAL, 'us-west-2');
    expect(mocks.west).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, { GlobalClusterIdentifier: GLOBAL });
    expect(mocks.west).toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: 'shop-dev-orders' });
    expect(mocks.west).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 1);
    expect(mocks.east).not.toHaveReceivedAnyCommand();
    expect(state).toEqual({
      identifier: GLOBAL,
      status: 'failing-over',
      failover: { status: 'failing-over', fromClusterArn: EAST, toClusterArn: WEST, dataLossAllowed: true },
      members: [
        { clusterArn: EAST, clusterIdentifier: 'shop-dev-orders', region: 'us-east-1', isWriter: true },
        {
          clusterArn: WEST,
          clusterIdentifier: 'shop-dev-orders',
          region: 'us-west-2',
          isWriter: false,
          synchronization: 'connected',
          clusterStatus: 'available',
        },
      ],
    });
  });

  test('failover sends FailoverGlobalCluster with AllowDataLoss and the target member ARN, in the target Region', async () => {
    const { adapter, mocks } = setup();
    mocks.west
      .on(FailoverGlobalClusterCommand)
      .resolves({ GlobalCluster: { GlobalClusterIdentifier: GLOBAL, Status: 'failing-over' } });
    await adapter.failover(GLOBAL, WEST, 'us-west-2');
    expect(mocks.west).toHaveReceivedCommandWith(FailoverGlobalClusterCommand, {
      GlobalClusterIdentifier: GLOBAL,
      TargetDbClusterIdentifier: WEST,
      AllowDataLoss: true,
    });
    expect(mocks.west.commandCalls(FailoverGlobalClusterCommand)[0]!.args[0].input).toEqual({
      GlobalClusterIdentifier: GLOBAL,
      TargetDbClusterIdentifier: WEST,
      AllowDataLoss: true,
    });
  });

  test('switchover sends SwitchoverGlobalCluster (no data loss) with the target member ARN', async () => {
    const { adapter, mocks } = setup();
    mocks.east.on(SwitchoverGlobalClusterCommand).resolves({});
    await adapter.switchover(GLOBAL, EAST, 'us-east-1');
    expect(mocks.east.commandCalls(SwitchoverGlobalClusterCommand)[0]!.args[0].input).toEqual({
      GlobalClusterIdentifier: GLOBAL,
      TargetDbClusterIdentifier: EAST,
    });
  });

  test('throttling is retried', async () => {
    const { adapter, mocks } = setup();
    mocks.west
      .on(FailoverGlobalClusterCommand)
      .rejectsOnce(serviceError('Throttling', 'client', 'Rate exceeded'))
      .resolves({});
    await adapter.failover(GLOBAL, WEST, 'us-west-2');
    expect(mocks.west).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 2);
  });

  test('an unknown global cluster is a non-retriable error naming it', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(DescribeGlobalClustersCommand).rejects(serviceError('GlobalClusterNotFoundFault'));
    const error = await adapter.describe(GLOBAL, 'us-west-2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(`global cluster "${GLOBAL}" does not exist (asked in us-west-2)`);
  });

  test('a rejected failover is non-retriable and says what was asked', async () => {
    const { adapter, mocks } = setup();
    mocks.west
      .on(FailoverGlobalClusterCommand)
      .rejects(serviceError('InvalidGlobalClusterStateFault', 'client', 'The global cluster is already failing over'));
    await expect(adapter.failover(GLOBAL, WEST, 'us-west-2')).rejects.toThrow(
      `FailoverGlobalCluster ${GLOBAL} → ${WEST}: InvalidGlobalClusterStateFault: The global cluster is already failing over`,
    );
  });

  test('the writer endpoint is the global writer endpoint with the writer cluster port', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(DescribeGlobalClustersCommand).resolves(globalCluster(WEST));
    mocks.west
      .on(DescribeDBClustersCommand)
      .resolves({ DBClusters: [{ Endpoint: 'shop-dev-orders.cluster-xyz.us-west-2.rds.amazonaws.com', Port: 5432 }] });
    expect(await adapter.writerEndpoint(GLOBAL, 'us-west-2')).toEqual({
      host: `${GLOBAL}.global-abc123.global.rds.amazonaws.com`,
      port: 5432,
    });
    expect(actionsSent('rds', mocks.west)).toEqual([...REQUIRED_ACTIONS['globalDatabase.writerEndpoint']].sort());
  });

  test('a failover that never completes fails the wait step with a timeout naming the cluster and the last FailoverState', async () => {
    // GIVEN RDS accepts the failover but FailoverState never clears
    const { adapter, mocks } = setup();
    const topology = demoTopology();
    mocks.west.on(DescribeGlobalClustersCommand).callsFake((input: { GlobalClusterIdentifier: string }) => {
      const db = input.GlobalClusterIdentifier.replace('shop-dev-', '');
      const east = `arn:aws:rds:us-east-1:111111111111:cluster:shop-dev-${db}-us-east-1`;
      const west = `arn:aws:rds:us-west-2:111111111111:cluster:shop-dev-${db}-us-west-2`;
      const started =
        mocks.west.commandCalls(FailoverGlobalClusterCommand, {
          GlobalClusterIdentifier: input.GlobalClusterIdentifier,
        }).length > 0;
      return {
        GlobalClusters: [
          {
            GlobalClusterIdentifier: input.GlobalClusterIdentifier,
            Status: started ? 'failing-over' : 'available',
            GlobalClusterMembers: [
              { DBClusterArn: east, IsWriter: true },
              { DBClusterArn: west, IsWriter: false, SynchronizationStatus: 'connected' },
            ],
            ...(started
              ? {
                  FailoverState: {
                    Status: 'failing-over',
                    FromDbClusterArn: east,
                    ToDbClusterArn: west,
                    IsDataLossAllowed: true,
                  },
                }
              : {}),
          },
        ],
      };
    });
    mocks.west.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'available' }] });
    mocks.west.on(FailoverGlobalClusterCommand).resolves({});
    const clock = new ManualClock();
    const ports = { ...createLocalPorts({ topology, clock }).ports, globalDatabase: adapter };
    // WHEN the failover runs with a 15-minute wait
    const result = await runOrchestration({
      orchestration: failover,
      input: failover.parseInput({ targetRegion: 'us-west-2' }, topology),
      topology,
      ports,
      reason: 'test',
      settings: { pollIntervalSeconds: 30, waitTimeoutSeconds: 900 },
      retryDelayMs: 1,
    });
    // THEN the wait fails, retriably, with what it waited for and what it saw last
    expect(result.error).toEqual({
      step: 'wait-for-catalog-failover',
      retriable: true,
      message:
        'the failover of global cluster "shop-dev-catalog" to us-west-2 did not finish within 15 min (waited 15 min); ' +
        'last seen: writer shop-dev-catalog-us-east-1 in us-east-1; FailoverState failing-over (→ us-west-2); status failing-over. ' +
        'It may still finish: run the orchestration again to keep waiting, or investigate in the console.',
    });
    expect(mocks.west).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 2);
    // 31 polls: at 0 s, every 30 s, and at 900 s.
    expect(
      mocks.west.commandCalls(DescribeGlobalClustersCommand, { GlobalClusterIdentifier: 'shop-dev-catalog' }).length,
    ).toBeGreaterThanOrEqual(31);
  });

  test('the actions it sends are the ones it declares for IAM', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(DescribeGlobalClustersCommand).resolves(globalCluster(EAST));
    mocks.west.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'available' }] });
    mocks.west.on(FailoverGlobalClusterCommand).resolves({});
    mocks.west.on(SwitchoverGlobalClusterCommand).resolves({});
    await adapter.describe(GLOBAL, 'us-west-2');
    await adapter.failover(GLOBAL, WEST, 'us-west-2');
    await adapter.switchover(GLOBAL, WEST, 'us-west-2');
    const declared = new Set(
      ['describe', 'failover', 'switchover'].flatMap(
        (m) => REQUIRED_ACTIONS[`globalDatabase.${m}` as 'globalDatabase.describe'],
      ),
    );
    expect(actionsSent('rds', mocks.west).filter((a) => !declared.has(a))).toEqual([]);
  });
});
