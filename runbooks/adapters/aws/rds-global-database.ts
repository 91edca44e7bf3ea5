import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import type { RetryPolicy } from 'cockatiel';
import { NonRetriableError, RetriableError } from '../../core/errors';
import type { DatabaseEndpoint, GlobalClusterMember, GlobalClusterState, GlobalDatabasePort } from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';
import { GLOBAL_DATABASE_ACTIONS } from './required-actions';

/** Options of the RDS-based adapters. */
export interface RdsAdapterOptions {
  /** @default - an RDS client per Region with `maxAttempts: 1` */
  readonly clientFor?: (region: string) => RDSClient;
  readonly retry?: Partial<RetrySettings>;
}

/** A cache of RDS clients per Region. */
export function rdsClients(clientFor?: (region: string) => RDSClient): (region: string) => RDSClient {
  return perRegion(
    (region) =>
      clientFor?.(region) ??
      new RDSClient({ region, maxAttempts: 1, requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS) }),
  );
}

const regionOf = (arn: string) => arn.split(':')[3] ?? '';
const idOf = (arn: string) => arn.split(':').pop() ?? arn;

/**
 * Aurora Global Database over RDS. `failover`/`switchover` return as soon as RDS accepts the request; the
 * orchestration polls {@link describe} until `FailoverState` is gone and the target is the writer.
 */
export class AwsGlobalDatabase implements GlobalDatabasePort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = GLOBAL_DATABASE_ACTIONS;

  private readonly rds: (region: string) => RDSClient;
  private readonly policy: RetryPolicy;

  constructor(options: RdsAdapterOptions = {}) {
    this.rds = rdsClients(options.clientFor);
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async describe(globalClusterId: string, region: string): Promise<GlobalClusterState> {
    const cluster = await this.globalCluster(globalClusterId, region);
    const members: GlobalClusterMember[] = [];
    for (const m of cluster.GlobalClusterMembers ?? []) {
      if (!m.DBClusterArn) continue;
      const memberRegion = regionOf(m.DBClusterArn);
      // Only members in the Region we talk to: the other Region may be the one that failed.
      const clusterStatus = memberRegion === region ? await this.clusterStatus(m.DBClusterArn, region) : undefined;
      members.push({
        clusterArn: m.DBClusterArn,
        clusterIdentifier: idOf(m.DBClusterArn),
        region: memberRegion,
        isWriter: m.IsWriter === true,
        ...(m.SynchronizationStatus ? { synchronization: m.SynchronizationStatus } : {}),
        ...(clusterStatus ? { clusterStatus } : {}),
      });
    }
    const failover = cluster.FailoverState;
    return {
      identifier: globalClusterId,
      status: cluster.Status ?? 'unknown',
      ...(failover?.Status
        ? {
            failover: {
              status: failover.Status,
              ...(failover.FromDbClusterArn ? { fromClusterArn: failover.FromDbClusterArn } : {}),
              ...(failover.ToDbClusterArn ? { toClusterArn: failover.ToDbClusterArn } : {}),
              dataLossAllowed: failover.IsDataLossAllowed === true,
            },
          }
        : {}),
      members,
    };
  }

  async failover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void> {
    await awsCall(this.policy, `FailoverGlobalCluster ${globalClusterId} → ${targetClusterArn}`, () =>
      this.rds(region).send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: globalClusterId,
          TargetDbClusterIdentifier: targetClusterArn,
          AllowDataLoss: true,
        }),
      ),
    );
  }

  async switchover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void> {
    await awsCall(this.policy, `SwitchoverGlobalCluster ${globalClusterId} → ${targetClusterArn}`, () =>
      this.rds(region).send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: globalClusterId,
          TargetDbClusterIdentifier: targetClusterArn,
        }),
      ),
    );
  }

  async writerEndpoint(globalClusterId: string, region: string): Promise<DatabaseEndpoint> {
    const cluster = await this.globalCluster(globalClusterId, region);
    const writer = cluster.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn;
    if (!writer) throw new RetriableError(`global cluster "${globalClusterId}" has no writer right now`);
    const answer = await awsCall(this.policy, `DescribeDBClusters ${writer}`, () =>
      this.rds(regionOf(writer)).send(new DescribeDBClustersCommand({ DBClusterIdentifier: idOf(writer) })),
    );
    const described = answer.DBClusters?.[0];
    if (!described?.Endpoint || !described.Port)
      throw new RetriableError(`writer cluster ${writer} has no endpoint yet`);
    // The global writer endpoint follows the writer across Regions; fall back to the writer cluster's own.
    return { host: cluster.Endpoint ?? described.Endpoint, port: described.Port };
  }

  private async globalCluster(globalClusterId: string, region: string): Promise<GlobalCluster> {
    const answer = await awsCall(this.policy, `DescribeGlobalClusters ${globalClusterId} in ${region}`, async () => {
      try {
        return await this.rds(region).send(
          new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }),
        );
      } catch (error) {
        if (hasName(error, 'GlobalClusterNotFoundFault')) {
          throw new NonRetriableError(`global cluster "${globalClusterId}" does not exist (asked in ${region})`);
        }
        throw error;
      }
    });
    const cluster = answer.GlobalClusters?.[0];
    if (!cluster)
      throw new NonRetriableError(`global cluster "${globalClusterId}" does not exist (asked in ${region})`);
    return cluster;
  }

  private async clusterStatus(clusterArn: string, region: string): Promise<string | undefined> {
    const answer = await awsCall(this.policy, `DescribeDBClusters ${clusterArn}`, async () => {
      try {
        return await this.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: idOf(clusterArn) }));
      } catch (error) {
        if (hasName(error, 'DBClusterNotFoundFault')) return { DBClusters: [] };
        throw error;
      }
    });
    return answer.DBClusters?.[0]?.Status;
  }
}
