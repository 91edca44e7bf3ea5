import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RetryPolicy } from 'cockatiel';
import type { ClockPort, EndpointHealth, HealthPort } from '../../ports';
import { checkEndpointsOverHttp } from '../http-health';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';
import { HEALTH_ACTIONS } from './required-actions';

/** Options of {@link AwsHealth}. */
export interface AwsHealthOptions {
  readonly clock: ClockPort;
  /** @default - a CloudWatch client per Region */
  readonly cloudWatchFor?: (region: string) => CloudWatchClient;
  /** @default - a Secrets Manager client per Region */
  readonly secretsFor?: (region: string) => SecretsManagerClient;
  /** @default - HTTP GET with a 5 s timeout */
  readonly checkEndpoints?: (urls: readonly string[]) => Promise<readonly EndpointHealth[]>;
  readonly retry?: Partial<RetrySettings>;
}

/**
 * Readiness signals: health URLs over HTTP, Aurora `AuroraGlobalDBRPOLag` (milliseconds) and ECS Container
 * Insights `RunningTaskCount` from CloudWatch, secrets from Secrets Manager.
 */
export class AwsHealth implements HealthPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = HEALTH_ACTIONS;

  private readonly cloudWatch: (region: string) => CloudWatchClient;
  private readonly secrets: (region: string) => SecretsManagerClient;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: AwsHealthOptions) {
    this.cloudWatch = perRegion(
      options.cloudWatchFor ??
        ((region) =>
          new CloudWatchClient({
            region,
            maxAttempts: 1,
            requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
          })),
    );
    this.secrets = perRegion(
      options.secretsFor ??
        ((region) =>
          new SecretsManagerClient({
            region,
            maxAttempts: 1,
            requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
          })),
    );
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  checkEndpoints(urls: readonly string[]): Promise<readonly EndpointHealth[]> {
    return (this.options.checkEndpoints ?? checkEndpointsOverHttp)(urls);
  }

  async replicationLagSeconds(
    region: string,
    clusterIdentifier: string,
    windowMinutes: number,
  ): Promise<number | undefined> {
    const values = await this.metric(region, windowMinutes, [
      {
        Id: 'lag',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/RDS',
            // Aurora DR guide: "For all versions of Aurora PostgreSQL-based global databases … use Amazon
            // CloudWatch to view the AuroraGlobalDBRPOLag metric for all secondary DB clusters."
            MetricName: 'AuroraGlobalDBRPOLag',
            Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      },
    ]);
    const lag = values.get('lag') ?? [];
    return lag.length === 0 ? undefined : Math.max(...lag) / 1000;
  }

  async runningTasks(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number | undefined>>> {
    const queries: MetricDataQuery[] = services.map((service, index) => ({
      Id: `s${index}`,
      MetricStat: {
        Metric: {
          Namespace: 'ECS/ContainerInsights',
          MetricName: 'RunningTaskCount',
          Dimensions: [
            { Name: 'ClusterName', Value: ecsClusterName },
            { Name: 'ServiceName', Value: service },
          ],
        },
        Period: 60,
        Stat: 'Minimum',
      },
    }));
    const values = await this.metric(region, 5, queries);
    // GetMetricData returns newest first by default: the first value is the latest minute.
    return Object.fromEntries(services.map((service, index) => [service, values.get(`s${index}`)?.[0]]));
  }

  async secretsPresent(region: string, secretIds: readonly string[]): Promise<Readonly<Record<string, boolean>>> {
    const present: Record<string, boolean> = {};
    for (const id of secretIds) {
      present[id] = await awsCall(this.policy, `DescribeSecret ${id} in ${region}`, async () => {
        try {
          const secret = await this.secrets(region).send(new DescribeSecretCommand({ SecretId: id }));
          return secret.DeletedDate === undefined;
        } catch (error) {
          if (hasName(error, 'ResourceNotFoundException')) return false;
          throw error;
        }
      });
    }
    return present;
  }

  private async metric(
    region: string,
    windowMinutes: number,
    queries: MetricDataQuery[],
  ): Promise<Map<string, number[]>> {
    const end = this.options.clock.now();
    const start = new Date(end.getTime() - windowMinutes * 60_000);
    const answer = await awsCall(this.policy, `GetMetricData in ${region}`, () =>
      this.cloudWatch(region).send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end }),
      ),
    );
    return new Map((answer.MetricDataResults ?? []).map((r) => [r.Id ?? '', r.Values ?? []]));
  }
}
