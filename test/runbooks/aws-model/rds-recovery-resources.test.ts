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
import { advance, type ModelUnderTest, modelUnderTest } from './model-test-setup';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const rds = (region: string) => new RDSClient({ region, maxAttempts: 1 });
const SOURCE = 'rds:unplanned-global-failover-shop-dev-orders-2026-01-27-09-00';

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

function withSourceSnapshot(status = 'available') {
  t = modelUnderTest();
  return t.model.rds.addSnapshot({
    identifier: SOURCE,
    region: EAST,
    clusterIdentifier: 'shop-dev-orders',
    status,
    type: 'automated',
    createdAt: new Date('2026-01-27T09:00:00Z'),
    engine: 'aurora-postgresql',
    engineVersion: '16.6',
  });
}

const copy = (sourceArn: string, target = 'shop-dev-rcv-orders-202601270900') =>
  rds(WEST).send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: target,
      KmsKeyId: 'arn:aws:kms:us-west-2:111122223333:key/data',
    }),
  );

describe('RDS snapshot and temporary-cluster model', () => {
  test('DescribeDBClusterSnapshots pages by MaxRecords and Marker, and finds one snapshot by identifier or ARN', async () => {
    t = modelUnderTest();
    for (let i = 0; i < 25; i++) {
      t.model.rds.addSnapshot({
        identifier: `rds:shop-dev-orders-2026-01-${String(i + 1).padStart(2, '0')}-03-00`,
        region: EAST,
        clusterIdentifier: 'shop-dev-orders',
        status: 'available',
        type: 'automated',
        createdAt: new Date(Date.UTC(2026, 0, i + 1, 3)),
        engine: 'aurora-postgresql',
        engineVersion: '16.6',
      });
    }
    const ids: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await rds(EAST).send(
        new DescribeDBClusterSnapshotsCommand({
          DBClusterIdentifier: 'shop-dev-orders',
          MaxRecords: 20,
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      ids.push(...(page.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier!));
      marker = page.Marker;
      pages++;
    } while (marker);
    expect({ pages, count: ids.length, distinct: new Set(ids).size }).toEqual({ pages: 2, count: 25, distinct: 25 });
    const one = await rds(EAST).send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: ids[3] }));
    const byArn = await rds(EAST).send(
      new DescribeDBClusterSnapshotsCommand({
        DBClusterSnapshotIdentifier: one.DBClusterSnapshots![0]!.DBClusterSnapshotArn,
      }),
    );
    expect(byArn.DBClusterSnapshots![0]!.DBClusterSnapshotIdentifier).toBe(ids[3]);
    await expect(
      rds(WEST).send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: ids[3] })),
    ).rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
  });

  test('CopyDBClusterSnapshot, sent to the target Region with the source ARN: copying, then available; a second copy is DBClusterSnapshotAlreadyExistsFault', async () => {
    const source = withSourceSnapshot();
    await copy(source.arn);
    const seen = async () =>
      (
        await rds(WEST).send(
          new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'shop-dev-rcv-orders-202601270900' }),
        )
      ).DBClusterSnapshots![0]!;
    expect(await seen()).toMatchObject({
      Status: 'copying',
      SnapshotType: 'manual',
      PercentProgress: 0,
      SourceDBClusterSnapshotArn: source.arn,
    });
    advance(t.clock, t.model.timings.copySeconds / 2);
    expect((await seen()).PercentProgress).toBe(50);
    advance(t.clock, t.model.timings.copySeconds / 2);
    expect(await seen()).toMatchObject({ Status: 'available', PercentProgress: 100 });
    await expect(copy(source.arn)).rejects.toMatchObject({ name: 'DBClusterSnapshotAlreadyExistsFault' });
  });

  test('a copy of a missing or unfinished source fails with the documented faults', async () => {
    const source = withSourceSnapshot('creating');
    await expect(copy(source.arn)).rejects.toMatchObject({ name: 'InvalidDBClusterSnapshotStateFault' });
    await expect(copy(source.arn.replace('09-00', '08-00'))).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
  });

  test('restore, instance, delete: creating → available, DeleteDBCluster refused while an instance is not being deleted', async () => {
    const source = withSourceSnapshot();
    await copy(source.arn, 'copy');
    const restore = () =>
      rds(WEST).send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: 'tmp',
          SnapshotIdentifier: 'copy',
          Engine: 'aurora-postgresql',
        }),
      );
    await expect(restore()).rejects.toMatchObject({ name: 'InvalidDBClusterSnapshotStateFault' });
    advance(t.clock, t.model.timings.copySeconds);
    await restore();
    await expect(restore()).rejects.toMatchObject({ name: 'DBClusterAlreadyExistsFault' });
    const cluster = async () =>
      (await rds(WEST).send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'tmp' }))).DBClusters![0]!;
    const creating = await cluster();
    expect([creating.Status, creating.Endpoint]).toEqual(['creating', undefined]);
    const create = () =>
      rds(WEST).send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'tmp-1',
          DBClusterIdentifier: 'tmp',
          Engine: 'aurora-postgresql',
          DBInstanceClass: 'db.r6g.large',
        }),
      );
    await create();
    await expect(create()).rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });
    advance(t.clock, Math.max(t.model.timings.restoreSeconds, t.model.timings.instanceSeconds));
    expect(await cluster()).toMatchObject({
      Status: 'available',
      Endpoint: expect.stringContaining('tmp.cluster-'),
      Port: 5432,
    });
    const instance = async () =>
      (await rds(WEST).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'tmp-1' }))).DBInstances![0]!
        .DBInstanceStatus;
    expect(await instance()).toBe('available');

    const deleteCluster = () =>
      rds(WEST).send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'tmp', SkipFinalSnapshot: true }));
    await expect(deleteCluster()).rejects.toMatchObject({
      name: 'InvalidDBClusterStateFault',
      message: 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
    });
    await rds(WEST).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'tmp-1' }));
    expect(await instance()).toBe('deleting');
    await deleteCluster();
    advance(t.clock, t.model.timings.deleteSeconds);
    await expect(instance()).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    await expect(cluster()).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
  });
});
