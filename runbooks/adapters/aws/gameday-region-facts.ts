import { CloudWatchClient, DescribeAlarmHistoryCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { RetryPolicy } from 'cockatiel';
import type { DatabaseBackup, QuotaUsage, RegionAnswer, RegionFactsPort } from '../../gameday/gameday-ports';
import { shopRequest } from '../../gameday/shop-request';
import { awsCall, DEFAULT_RETRY, describeError, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';

/** IAM actions each method of {@link AwsRegionFacts} needs. */
export const REGION_FACTS_ACTIONS = {
  quotas: ['rds:DescribeAccountAttributes'],
  latestBackups: ['rds:DescribeDBClusterSnapshots'],
  answers: ['rds:DescribeDBClusters'],
  rpoLagBeforeMs: ['cloudwatch:GetMetricData'],
  detectedAt: ['cloudwatch:DescribeAlarmHistory'],
} as const;

/** One database as the game day checks it. */
export interface GameDayDatabase {
  /** e.g. `orders`. */
  readonly name: string;
  /** The Regional cluster identifier (the same in both Regions), e.g. `shop-dev-orders`. */
  readonly clusterIdentifier: string;
}

/** Options of {@link AwsRegionFacts}. */
export interface AwsRegionFactsOptions {
  readonly databases: readonly GameDayDatabase[];
  /** The URL that answers when the Region's services do (its load balancer), by Region. */
  readonly serviceUrlFor: (region: string) => Promise<string>;
  /** The shop's public host name: sent as Host and TLS server name to an HTTPS load balancer (see shopRequest). */
  readonly publicHostName?: string;
  /** The alarm whose first ALARM after the fault is the detection (the canary against the public name), by Region. */
  readonly detectionAlarmFor?: (region: string) => string;
  /** @default shopRequest (tests pass one that answers like the model's Regions) */
  readonly request?: typeof shopRequest;
  /** @default 5000 */
  readonly httpTimeoutMs?: number;
  readonly rdsFor?: (region: string) => RDSClient;
  readonly cloudWatchFor?: (region: string) => CloudWatchClient;
  readonly retry?: Partial<RetrySettings>;
}

/**
 * The account quotas the recovery needs headroom in, one of each per database (recover restores a temporary
 * cluster with one instance). `DBInstances` is the quota the RDS API Reference's DescribeAccountAttributes example
 * shows; `DBClusters` is taken from the SDKs' list of account quotas (UNVERIFIED against an account).
 */
const RECOVERY_QUOTAS = ['DBClusters', 'DBInstances'] as const;

/** Quotas, backups, reachability and replication lag of a Region (RDS, CloudWatch, HTTP). */
export class AwsRegionFacts implements RegionFactsPort {
  static readonly requiredActions = REGION_FACTS_ACTIONS;

  private readonly rds: (region: string) => RDSClient;
  private readonly cloudWatch: (region: string) => CloudWatchClient;
  private readonly policy: RetryPolicy;
  /** Short: the Region asked may be the failed one. */
  private readonly onceOnly: RetryPolicy;

  constructor(private readonly options: AwsRegionFactsOptions) {
    const handler = requestHandlerOptions(REGIONAL_REQUEST_LIMITS);
    this.rds = perRegion(
      options.rdsFor ?? ((region) => new RDSClient({ region, maxAttempts: 1, requestHandler: handler })),
    );
    this.cloudWatch = perRegion(
      options.cloudWatchFor ?? ((region) => new CloudWatchClient({ region, maxAttempts: 1, requestHandler: handler })),
    );
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
    this.onceOnly = retryPolicy({ ...DEFAULT_RETRY, ...options.retry, maxRetries: 0 });
  }

  databases(): readonly string[] {
    return this.options.databases.map((d) => d.name);
  }

  async quotas(region: string): Promise<readonly QuotaUsage[]> {
    // "The attributes include Amazon RDS quotas for the account [...] the quota name, current usage toward that
    // quota, and the quota's maximum value." (RDS API Reference, DescribeAccountAttributes)
    const answer = await awsCall(this.policy, `DescribeAccountAttributes in ${region}`, () =>
      this.rds(region).send(new DescribeAccountAttributesCommand({})),
    );
    const needed = this.options.databases.length;
    const usages: QuotaUsage[] = [];
    for (const name of RECOVERY_QUOTAS) {
      const quota = answer.AccountQuotas?.find((q) => q.AccountQuotaName === name);
      if (quota?.Max !== undefined && quota.Used !== undefined) {
        usages.push({ name, used: quota.Used, max: quota.Max, needed });
      }
    }
    return usages;
  }

  async latestBackups(region: string): Promise<readonly DatabaseBackup[]> {
    const backups: DatabaseBackup[] = [];
    for (const db of this.options.databases) {
      let newest: DatabaseBackup | undefined;
      let marker: string | undefined;
      do {
        const page = await awsCall(this.policy, `DescribeDBClusterSnapshots ${db.clusterIdentifier} in ${region}`, () =>
          this.rds(region).send(
            new DescribeDBClusterSnapshotsCommand({
              DBClusterIdentifier: db.clusterIdentifier,
              ...(marker ? { Marker: marker } : {}),
            }),
          ),
        );
        for (const s of page.DBClusterSnapshots ?? []) {
          if (s.Status !== 'available' || !s.SnapshotCreateTime || !s.DBClusterSnapshotIdentifier) continue;
          if (!newest || s.SnapshotCreateTime > newest.createdAt) {
            newest = { database: db.name, identifier: s.DBClusterSnapshotIdentifier, createdAt: s.SnapshotCreateTime };
          }
        }
        marker = page.Marker;
      } while (marker);
      if (newest) backups.push(newest);
    }
    return backups;
  }

  async answers(region: string): Promise<RegionAnswer> {
    const problems: string[] = [];
    let servicesAnswer = false;
    try {
      const url = await this.options.serviceUrlFor(region);
      const response = await (this.options.request ?? shopRequest)({
        method: 'GET',
        url,
        headers: {},
        timeoutMs: this.options.httpTimeoutMs ?? 5000,
        ...(this.options.publicHostName && url.startsWith('https:') ? { hostName: this.options.publicHostName } : {}),
      });
      // The home page needs the ui and the catalog behind the load balancer: only a 2xx is the services answering (a
      // redirect is the load balancer's own listener, with nothing behind it necessarily).
      servicesAnswer = response.status >= 200 && response.status < 300;
      if (!servicesAnswer) problems.push(`${url}: HTTP ${response.status}`);
    } catch (error) {
      problems.push(`services of ${region}: no answer (${error instanceof Error ? error.message : String(error)})`);
    }
    let databasesAnswer = true;
    for (const db of this.options.databases) {
      try {
        const answer = await awsCall(this.onceOnly, `DescribeDBClusters ${db.clusterIdentifier} in ${region}`, () =>
          this.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.clusterIdentifier })),
        );
        const status = answer.DBClusters?.[0]?.Status;
        if (status !== 'available') {
          databasesAnswer = false;
          problems.push(`database ${db.clusterIdentifier} in ${region}: ${status ?? 'not listed'}`);
        }
      } catch (error) {
        databasesAnswer = false;
        problems.push(
          `database ${db.clusterIdentifier} in ${region}: ${hasName(error, 'DBClusterNotFoundFault') ? 'not found' : describeError(error)}`,
        );
      }
    }
    return { servicesAnswer, databasesAnswer, problems };
  }

  async rpoLagBeforeMs(region: string, at: Date): Promise<number | null> {
    // "use Amazon CloudWatch to view the AuroraGlobalDBRPOLag metric for all secondary DB clusters" (Aurora User
    // Guide, disaster recovery): read in the surviving Region, whose clusters were the secondaries before the fault.
    const start = new Date(at.getTime() - 5 * 60_000);
    const answer = await awsCall(this.policy, `GetMetricData AuroraGlobalDBRPOLag in ${region}`, () =>
      this.cloudWatch(region).send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: at,
          MetricDataQueries: this.options.databases.map((db, i) => ({
            Id: `lag${i}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/RDS',
                MetricName: 'AuroraGlobalDBRPOLag',
                Dimensions: [{ Name: 'DBClusterIdentifier', Value: db.clusterIdentifier }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          })),
        }),
      ),
    );
    const values = (answer.MetricDataResults ?? []).flatMap((r) => r.Values ?? []);
    return values.length > 0 ? Math.max(...values) : null;
  }

  async detectedAt(region: string, after: Date): Promise<Date | null> {
    const alarm = this.options.detectionAlarmFor?.(region);
    if (!alarm) return null;
    // AlarmHistoryItem: "HistoryData — Data about the alarm, in JSON format", a StateUpdate's newState.stateValue
    // (as the CLI's describe-alarm-history example shows it); oldest first with ScanBy TimestampAscending.
    let nextToken: string | undefined;
    do {
      const page = await awsCall(this.policy, `DescribeAlarmHistory ${alarm} in ${region}`, () =>
        this.cloudWatch(region).send(
          new DescribeAlarmHistoryCommand({
            AlarmName: alarm,
            HistoryItemType: 'StateUpdate',
            StartDate: after,
            EndDate: new Date(after.getTime() + 24 * 3_600_000),
            ScanBy: 'TimestampAscending',
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const item of page.AlarmHistoryItems ?? []) {
        let state: unknown;
        try {
          state = (JSON.parse(item.HistoryData ?? '{}') as { newState?: { stateValue?: unknown } }).newState
            ?.stateValue;
        } catch {
          state = undefined;
        }
        if (state === 'ALARM' && item.Timestamp && item.Timestamp >= after) return item.Timestamp;
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return null;
  }
}
