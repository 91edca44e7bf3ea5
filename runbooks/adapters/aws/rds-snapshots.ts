import {
  CopyDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  type DBClusterSnapshot,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import type { RetryPolicy } from 'cockatiel';
import type {
  ClusterSnapshot,
  CopySnapshotRequest,
  CreateInstanceRequest,
  ResourceTags,
  RestoreClusterRequest,
  RestoredCluster,
  RestoredInstance,
  SnapshotPort,
} from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, retryPolicy } from './aws-call';
import { type RdsAdapterOptions, rdsClients } from './rds-global-database';
import { SNAPSHOT_ACTIONS } from './required-actions';

const UNPLANNED_PREFIX = 'rds:unplanned-global-failover-';

const toTags = (tags: ResourceTags): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function toSnapshot(s: DBClusterSnapshot, region: string): ClusterSnapshot {
  return {
    identifier: s.DBClusterSnapshotIdentifier ?? '',
    arn: s.DBClusterSnapshotArn ?? '',
    region,
    clusterIdentifier: s.DBClusterIdentifier ?? '',
    status: s.Status ?? 'unknown',
    createdAt: s.SnapshotCreateTime ?? new Date(0),
    engine: s.Engine ?? '',
    engineVersion: s.EngineVersion ?? '',
    ...(s.PercentProgress !== undefined ? { percentProgress: s.PercentProgress } : {}),
  };
}

/**
 * Snapshots and temporary clusters over RDS. Creates that find the resource already there and deletes that find it
 * gone succeed, so repeating a request whose answer was lost is harmless.
 */
export class AwsSnapshots implements SnapshotPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = SNAPSHOT_ACTIONS;

  private readonly rds: (region: string) => RDSClient;
  private readonly policy: RetryPolicy;

  constructor(options: RdsAdapterOptions = {}) {
    this.rds = rdsClients(options.clientFor);
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  /**
   * Lists the cluster's snapshots without `SnapshotType` (RDS then returns automated and manual ones) and keeps
   * those named `rds:unplanned-global-failover-<cluster>-…`, newest first.
   */
  async findUnplannedFailoverSnapshots(region: string, clusterIdentifier: string): Promise<readonly ClusterSnapshot[]> {
    const found: ClusterSnapshot[] = [];
    // The timestamp suffix is digits and hyphens; requiring it keeps `<cluster>-archive-…` of another cluster out.
    const name = new RegExp(
      `^${UNPLANNED_PREFIX}${clusterIdentifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d[\\d-]*$`,
    );
    let marker: string | undefined;
    do {
      const page = await awsCall(
        this.policy,
        `DescribeDBClusterSnapshots of ${clusterIdentifier} in ${region}`,
        async () => {
          try {
            return await this.rds(region).send(
              new DescribeDBClusterSnapshotsCommand({
                DBClusterIdentifier: clusterIdentifier,
                ...(marker ? { Marker: marker } : {}),
              }),
            );
          } catch (error) {
            // The old cluster may be gone while its snapshots remain; nothing to list then.
            if (hasName(error, 'DBClusterNotFoundFault')) return { DBClusterSnapshots: [], Marker: undefined };
            throw error;
          }
        },
      );
      for (const snapshot of page.DBClusterSnapshots ?? []) {
        if (name.test(snapshot.DBClusterSnapshotIdentifier ?? '')) {
          found.push(toSnapshot(snapshot, region));
        }
      }
      marker = page.Marker;
    } while (marker);
    return found.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async describeSnapshot(region: string, identifier: string): Promise<ClusterSnapshot | undefined> {
    const answer = await awsCall(this.policy, `DescribeDBClusterSnapshots ${identifier} in ${region}`, async () => {
      try {
        return await this.rds(region).send(
          new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }),
        );
      } catch (error) {
        if (hasName(error, 'DBClusterSnapshotNotFoundFault')) return { DBClusterSnapshots: [] };
        throw error;
      }
    });
    const snapshot = answer.DBClusterSnapshots?.[0];
    return snapshot ? toSnapshot(snapshot, region) : undefined;
  }

  /**
   * Sends `CopyDBClusterSnapshot` to the target Region with the source named by ARN. The SDK's RDS middleware sees
   * the ARN's other Region and adds the presigned URL itself (there is no `SourceRegion` input in SDK v3).
   */
  async copySnapshot(request: CopySnapshotRequest): Promise<void> {
    await awsCall(
      this.policy,
      `CopyDBClusterSnapshot ${request.sourceArn} → ${request.targetIdentifier} in ${request.targetRegion}`,
      async () => {
        try {
          await this.rds(request.targetRegion).send(
            new CopyDBClusterSnapshotCommand({
              SourceDBClusterSnapshotIdentifier: request.sourceArn,
              TargetDBClusterSnapshotIdentifier: request.targetIdentifier,
              KmsKeyId: request.kmsKeyId,
              Tags: toTags(request.tags),
            }),
          );
        } catch (error) {
          if (!hasName(error, 'DBClusterSnapshotAlreadyExistsFault')) throw error;
        }
      },
    );
  }

  async describeCluster(region: string, identifier: string): Promise<RestoredCluster | undefined> {
    const answer = await awsCall(this.policy, `DescribeDBClusters ${identifier} in ${region}`, async () => {
      try {
        return await this.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
      } catch (error) {
        if (hasName(error, 'DBClusterNotFoundFault')) return { DBClusters: [] };
        throw error;
      }
    });
    const cluster = answer.DBClusters?.[0];
    if (!cluster) return undefined;
    return {
      identifier,
      status: cluster.Status ?? 'unknown',
      ...(cluster.Endpoint && cluster.Port ? { endpoint: { host: cluster.Endpoint, port: cluster.Port } } : {}),
    };
  }

  async restoreCluster(request: RestoreClusterRequest): Promise<void> {
    await awsCall(
      this.policy,
      `RestoreDBClusterFromSnapshot ${request.snapshotIdentifier} → ${request.clusterIdentifier} in ${request.region}`,
      async () => {
        try {
          await this.rds(request.region).send(
            new RestoreDBClusterFromSnapshotCommand({
              DBClusterIdentifier: request.clusterIdentifier,
              SnapshotIdentifier: request.snapshotIdentifier,
              Engine: request.engine,
              EngineVersion: request.engineVersion,
              DBSubnetGroupName: request.subnetGroupName,
              VpcSecurityGroupIds: [...request.securityGroupIds],
              KmsKeyId: request.kmsKeyId,
              DeletionProtection: false,
              CopyTagsToSnapshot: false,
              Tags: toTags(request.tags),
            }),
          );
        } catch (error) {
          if (!hasName(error, 'DBClusterAlreadyExistsFault')) throw error;
        }
      },
    );
  }

  async describeInstance(region: string, identifier: string): Promise<RestoredInstance | undefined> {
    const answer = await awsCall(this.policy, `DescribeDBInstances ${identifier} in ${region}`, async () => {
      try {
        return await this.rds(region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      } catch (error) {
        if (hasName(error, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return { DBInstances: [] };
        throw error;
      }
    });
    const instance = answer.DBInstances?.[0];
    return instance ? { identifier, status: instance.DBInstanceStatus ?? 'unknown' } : undefined;
  }

  async createInstance(request: CreateInstanceRequest): Promise<void> {
    await awsCall(this.policy, `CreateDBInstance ${request.instanceIdentifier} in ${request.region}`, async () => {
      try {
        await this.rds(request.region).send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: request.instanceIdentifier,
            DBClusterIdentifier: request.clusterIdentifier,
            Engine: request.engine,
            DBInstanceClass: request.instanceClass,
            PubliclyAccessible: false,
            Tags: toTags(request.tags),
          }),
        );
      } catch (error) {
        if (!hasName(error, 'DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists')) throw error;
      }
    });
  }

  async deleteInstance(region: string, identifier: string): Promise<void> {
    await awsCall(this.policy, `DeleteDBInstance ${identifier} in ${region}`, async () => {
      try {
        await this.rds(region).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier }));
      } catch (error) {
        if (!hasName(error, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) throw error;
      }
    });
  }

  async deleteCluster(region: string, identifier: string): Promise<void> {
    await awsCall(this.policy, `DeleteDBCluster ${identifier} in ${region}`, async () => {
      try {
        await this.rds(region).send(
          new DeleteDBClusterCommand({ DBClusterIdentifier: identifier, SkipFinalSnapshot: true }),
        );
      } catch (error) {
        if (!hasName(error, 'DBClusterNotFoundFault')) throw error;
      }
    });
  }
}
