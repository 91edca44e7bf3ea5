import {
  CopyDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsSnapshots } from '../../../../runbooks/adapters/aws/rds-snapshots';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { MemoryJournal } from '../../../../runbooks/adapters/local/journals';
import { runOrchestration } from '../../../../runbooks/core/engine';
import { recover } from '../../../../runbooks/orchestrations';
import type { PortMethod } from '../../../../runbooks/ports';
import { PRIMARY, STANDBY, simulation } from '../../support/simulation';
import { actionsSent, QUICK_RETRY, serviceError } from './sdk-calls';

const TAGS = { 'shop:purpose': 'failover-recovery' };

function setup() {
  const clients: Record<string, RDSClient> = {
    [PRIMARY]: new RDSClient({ region: PRIMARY }),
    [STANDBY]: new RDSClient({ region: STANDBY }),
  };
  const mocks = { east: mockClient(clients[PRIMARY]!), west: mockClient(clients[STANDBY]!) };
  const adapter = new AwsSnapshots({ clientFor: (region) => clients[region]!, retry: QUICK_RETRY });
  return { adapter, mocks };
}

const snapshot = (id: string, created: string, status = 'available') => ({
  DBClusterSnapshotIdentifier: id,
  DBClusterSnapshotArn: `arn:aws:rds:${PRIMARY}:111111111111:cluster-snapshot:${id}`,
  DBClusterIdentifier: 'shop-dev-orders',
  SnapshotCreateTime: new Date(created),
  Status: status,
  Engine: 'aurora-postgresql',
  EngineVersion: '16.6',
  SnapshotType: 'automated',
});

function declared(...methods: string[]): Set<string> {
  return new Set(methods.flatMap((m) => REQUIRED_ACTIONS[`snapshots.${m}` as PortMethod]));
}

describe('AwsSnapshots', () => {
  test('finds the unplanned-failover snapshots of the old cluster across pages, automated and manual, newest first', async () => {
    const { adapter, mocks } = setup();
    mocks.east
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: 'shop-dev-orders' }, true)
      .resolves({
        DBClusterSnapshots: [
          snapshot('rds:shop-dev-orders-2026-01-27-03-10', '2026-01-27T03:10:00Z'),
          snapshot('rds:unplanned-global-failover-shop-dev-orders-2026-01-20-08-00', '2026-01-20T08:00:00Z'),
        ],
        Marker: 'page-2',
      })
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: 'shop-dev-orders', Marker: 'page-2' }, true)
      .resolves({
        DBClusterSnapshots: [
          snapshot('rds:unplanned-global-failover-shop-dev-orders-2026-01-27-10-20', '2026-01-27T10:20:00Z'),
          snapshot('rds:unplanned-global-failover-shop-dev-orders-archive-2026-01-27-10-20', '2026-01-27T10:21:00Z'),
        ],
      });
    const found = await adapter.findUnplannedFailoverSnapshots(PRIMARY, 'shop-dev-orders');
    expect(found.map((s) => s.identifier)).toEqual([
      'rds:unplanned-global-failover-shop-dev-orders-2026-01-27-10-20',
      'rds:unplanned-global-failover-shop-dev-orders-2026-01-20-08-00',
    ]);
    expect(found[0]).toEqual({
      identifier: 'rds:unplanned-global-failover-shop-dev-orders-2026-01-27-10-20',
      arn: `arn:aws:rds:${PRIMARY}:111111111111:cluster-snapshot:rds:unplanned-global-failover-shop-dev-orders-2026-01-27-10-20`,
      region: PRIMARY,
      clusterIdentifier: 'shop-dev-orders',
      status: 'available',
      createdAt: new Date('2026-01-27T10:20:00Z'),
      engine: 'aurora-postgresql',
      engineVersion: '16.6',
    });
    // No SnapshotType: RDS then returns both automated and manual snapshots.
    expect(mocks.east.commandCalls(DescribeDBClusterSnapshotsCommand)[0]!.args[0].input).toEqual({
      DBClusterIdentifier: 'shop-dev-orders',
    });
  });

  test('copies cross-Region: sent to the target Region, source by ARN, target Region KMS key, tags', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(CopyDBClusterSnapshotCommand).resolves({});
    const source = `arn:aws:rds:${PRIMARY}:111111111111:cluster-snapshot:rds:unplanned-global-failover-shop-dev-orders-2026-01-27-10-20`;
    await adapter.copySnapshot({
      sourceArn: source,
      sourceRegion: PRIMARY,
      targetRegion: STANDBY,
      targetIdentifier: 'shop-dev-rcv-orders-202601271020',
      kmsKeyId: `arn:aws:kms:${STANDBY}:111111111111:key/k-west`,
      tags: TAGS,
    });
    expect(mocks.east).not.toHaveReceivedAnyCommand();
    expect(mocks.west.commandCalls(CopyDBClusterSnapshotCommand)[0]!.args[0].input).toEqual({
      SourceDBClusterSnapshotIdentifier: source,
      TargetDBClusterSnapshotIdentifier: 'shop-dev-rcv-orders-202601271020',
      KmsKeyId: `arn:aws:kms:${STANDBY}:111111111111:key/k-west`,
      Tags: [{ Key: 'shop:purpose', Value: 'failover-recovery' }],
    });
  });

  test('a copy that already exists (an earlier request whose answer was lost) counts as done', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(CopyDBClusterSnapshotCommand).rejects(serviceError('DBClusterSnapshotAlreadyExistsFault'));
    await expect(
      adapter.copySnapshot({
        sourceArn: 'arn:x',
        sourceRegion: PRIMARY,
        targetRegion: STANDBY,
        targetIdentifier: 'c',
        kmsKeyId: 'k',
        tags: {},
      }),
    ).resolves.toBeUndefined();
  });

  test('restores the copy as a temporary cluster in the recovery subnet group, then creates its instance', async () => {
    const { adapter, mocks } = setup();
    mocks.west.on(RestoreDBClusterFromSnapshotCommand).resolves({}).on(CreateDBInstanceCommand).resolves({});
    await adapter.restoreCluster({
      region: STANDBY,
      clusterIdentifier: 'shop-dev-rcv-orders-202601271020',
      snapshotIdentifier: 'shop-dev-rcv-orders-202601271020',
      engine: 'aurora-postgresql',
      engineVersion: '16.6',
      subnetGroupName: 'shop-dev-recovery',
      securityGroupIds: ['sg-1'],
      kmsKeyId: 'arn:aws:kms:us-west-2:111111111111:key/k-west',
      tags: TAGS,
    });
    await adapter.createInstance({
      region: STANDBY,
      instanceIdentifier: 'shop-dev-rcv-orders-202601271020-1',
      clusterIdentifier: 'shop-dev-rcv-orders-202601271020',
      engine: 'aurora-postgresql',
      instanceClass: 'db.r6g.large',
      tags: TAGS,
    });
    expect(mocks.west.commandCalls(RestoreDBClusterFromSnapshotCommand)[0]!.args[0].input).toEqual({
      DBClusterIdentifier: 'shop-dev-rcv-orders-202601271020',
      SnapshotIdentifier: 'shop-dev-rcv-orders-202601271020',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.6',
      DBSubnetGroupName: 'shop-dev-recovery',
      VpcSecurityGroupIds: ['sg-1'],
      KmsKeyId: 'arn:aws:kms:us-west-2:111111111111:key/k-west',
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
      Tags: [{ Key: 'shop:purpose', Value: 'failover-recovery' }],
    });
    expect(mocks.west.commandCalls(CreateDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'shop-dev-rcv-orders-202601271020-1',
      DBClusterIdentifier: 'shop-dev-rcv-orders-202601271020',
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.r6g.large',
      PubliclyAccessible: false,
      Tags: [{ Key: 'shop:purpose', Value: 'failover-recovery' }],
    });
  });

  test('describes: a missing snapshot, cluster or instance is undefined; an existing one is mapped', async () => {
    const { adapter, mocks } = setup();
    mocks.west
      .on(DescribeDBClusterSnapshotsCommand)
      .rejects(serviceError('DBClusterSnapshotNotFoundFault'))
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: 'gone' })
      .rejects(serviceError('DBClusterNotFoundFault'))
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: 'tmp' })
      .resolves({
        DBClusters: [{ Status: 'available', Endpoint: 'tmp.cluster-x.us-west-2.rds.amazonaws.com', Port: 5432 }],
      })
      .on(DescribeDBInstancesCommand)
      .rejects(serviceError('DBInstanceNotFoundFault'));
    expect(await adapter.describeSnapshot(STANDBY, 'nope')).toBeUndefined();
    expect(await adapter.describeCluster(STANDBY, 'gone')).toBeUndefined();
    expect(await adapter.describeCluster(STANDBY, 'tmp')).toEqual({
      identifier: 'tmp',
      status: 'available',
      endpoint: { host: 'tmp.cluster-x.us-west-2.rds.amazonaws.com', port: 5432 },
    });
    expect(await adapter.describeInstance(STANDBY, 'tmp-1')).toBeUndefined();
  });

  test('deletes the instance, and the cluster without a final snapshot; already gone counts as deleted', async () => {
    const { adapter, mocks } = setup();
    mocks.west
      .on(DeleteDBInstanceCommand)
      .resolves({})
      .on(DeleteDBClusterCommand)
      .rejects(serviceError('DBClusterNotFoundFault'));
    await adapter.deleteInstance(STANDBY, 'tmp-1');
    await adapter.deleteCluster(STANDBY, 'tmp');
    expect(mocks.west.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'tmp-1',
    });
    expect(mocks.west.commandCalls(DeleteDBClusterCommand)[0]!.args[0].input).toEqual({
      DBClusterIdentifier: 'tmp',
      SkipFinalSnapshot: true,
    });
  });

  test('a missing unplanned-failover snapshot stops recover with a clear error before anything is created', async () => {
    // GIVEN the old Region is back but RDS lists only scheduled snapshots of the old cluster
    const { adapter, mocks } = setup();
    mocks.east.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('rds:shop-dev-orders-us-east-1-2026-01-27-03-10', '2026-01-27T03:10:00Z')],
    });
    const sim = simulation();
    const ports = { ...sim.local.ports, snapshots: adapter, journal: new MemoryJournal() };
    // WHEN recover runs for orders
    const result = await runOrchestration({
      orchestration: recover,
      input: recover.parseInput(
        { targetRegion: STANDBY, failoverAt: '2026-01-27T10:00:00Z', databases: 'orders' },
        sim.topology,
      ),
      topology: sim.topology,
      ports,
      reason: 'test',
      retryDelayMs: 1,
    });
    // THEN it names the snapshot it looked for, where, and since when
    expect(result.error).toEqual({
      step: 'find-orders-snapshot',
      retriable: false,
      message: `no snapshot rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-* taken after the failover at 2026-01-27T10:00:00.000Z in ${PRIMARY}. Aurora takes it when ${PRIMARY} is back and shop-dev-orders-${PRIMARY} has been rebuilt as a secondary; it expires with the cluster's backup retention.`,
    });
    expect(mocks.east).toHaveReceivedCommandWith(DescribeDBClusterSnapshotsCommand, {
      DBClusterIdentifier: `shop-dev-orders-${PRIMARY}`,
    });
    expect(mocks.west).not.toHaveReceivedAnyCommand();
  });

  test('the actions it sends are the ones it declares for IAM', async () => {
    const { adapter, mocks } = setup();
    mocks.west.onAnyCommand().resolves({});
    mocks.east.onAnyCommand().resolves({});
    await adapter.findUnplannedFailoverSnapshots(PRIMARY, 'c');
    await adapter.describeSnapshot(STANDBY, 's');
    await adapter.copySnapshot({
      sourceArn: 'arn:x',
      sourceRegion: PRIMARY,
      targetRegion: STANDBY,
      targetIdentifier: 'c',
      kmsKeyId: 'k',
      tags: {},
    });
    await adapter.describeCluster(STANDBY, 'c');
    await adapter.describeInstance(STANDBY, 'i');
    await adapter.deleteInstance(STANDBY, 'i');
    await adapter.deleteCluster(STANDBY, 'c');
    const sent = actionsSent('rds', mocks.east, mocks.west);
    const all = declared(...Object.keys(AwsSnapshots.requiredActions));
    expect(sent.filter((a) => !all.has(a))).toEqual([]);
  });
});

describe('the SDK on the wire (no mock at send)', () => {
  test('CopyDBClusterSnapshot from another Region gets a presigned URL for the source Region', async () => {
    // The request handler captures the serialized request and answers like RDS does.
    const requests: { hostname: string; body: string }[] = [];
    const client = new RDSClient({
      region: STANDBY,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { hostname: string; body: string }) => {
          requests.push({ hostname: request.hostname, body: String(request.body) });
          const body =
            '<CopyDBClusterSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><CopyDBClusterSnapshotResult><DBClusterSnapshot><Status>copying</Status></DBClusterSnapshot></CopyDBClusterSnapshotResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CopyDBClusterSnapshotResponse>';
          const { Readable } = await import('node:stream');
          return {
            response: {
              statusCode: 200,
              headers: { 'content-type': 'text/xml' },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        },
      } as never,
    });
    const adapter = new AwsSnapshots({ clientFor: () => client, retry: QUICK_RETRY });
    const source = `arn:aws:rds:${PRIMARY}:111111111111:cluster-snapshot:rds:unplanned-global-failover-shop-dev-orders-2026-01-27-10-20`;
    await adapter.copySnapshot({
      sourceArn: source,
      sourceRegion: PRIMARY,
      targetRegion: STANDBY,
      targetIdentifier: 'shop-dev-rcv-orders-202601271020',
      kmsKeyId: 'k-west',
      tags: {},
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.hostname).toBe(`rds.${STANDBY}.amazonaws.com`);
    const form = new URLSearchParams(requests[0]!.body);
    expect(form.get('Action')).toBe('CopyDBClusterSnapshot');
    expect(form.get('SourceDBClusterSnapshotIdentifier')).toBe(source);
    const presigned = new URL(form.get('PreSignedUrl')!);
    expect(presigned.hostname).toBe(`rds.${PRIMARY}.amazonaws.com`);
    expect(presigned.searchParams.get('Action')).toBe('CopyDBClusterSnapshot');
    expect(presigned.searchParams.get('DestinationRegion')).toBe(STANDBY);
    expect(presigned.searchParams.get('KmsKeyId')).toBe('k-west');
    expect(presigned.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`/${PRIMARY}/rds/aws4_request$`));
  });
});
