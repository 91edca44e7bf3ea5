import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { RetryPolicy } from 'cockatiel';
import { NonRetriableError } from '../../core/errors';
import type {
  AlarmFacts,
  ClockPort,
  ClusterFacts,
  DeployedCommitFacts,
  ReadinessFactsPort,
  ScalingLimits,
  SecretReplication,
  ServiceFacts,
  VcpuQuota,
} from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { type EcsFactsContext, ecsScalingLimits, ecsServiceFacts } from './readiness-facts-ecs';
import {
  alarmFacts,
  fargateVcpuUsageQuery,
  type MetricFactsContext,
  metricMaxima,
  periodFor,
  replicationLatencyQuery,
  runningTaskCountQuery,
} from './readiness-facts-metrics';
import { REGION_SPECIFIC_ENVIRONMENT } from './readiness-facts-task-settings';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';
import { READINESS_FACTS_ACTIONS } from './required-actions';

/**
 * The Service Quotas codes of the Fargate On-Demand vCPU quota. No AWS page found states the code (UNVERIFIED): it
 * is the code public tooling uses with `aws service-quotas get-service-quota --service-code fargate`.
 */
export const FARGATE_ON_DEMAND_VCPU_QUOTA = { serviceCode: 'fargate', quotaCode: 'L-3032A538' } as const;

/** Options of {@link AwsReadinessFacts}. */
export interface AwsReadinessFactsOptions {
  /** Where "the last N hours" ends. */
  readonly clock: ClockPort;
  /** @default - a client of each service per Region, one attempt, bounded by REGIONAL_REQUEST_LIMITS */
  readonly ecsFor?: (region: string) => ECSClient;
  readonly autoScalingFor?: (region: string) => ApplicationAutoScalingClient;
  readonly rdsFor?: (region: string) => RDSClient;
  readonly cloudWatchFor?: (region: string) => CloudWatchClient;
  readonly secretsFor?: (region: string) => SecretsManagerClient;
  readonly serviceQuotasFor?: (region: string) => ServiceQuotasClient;
  readonly ssmFor?: (region: string) => SSMClient;
  /**
   * Environment variables that differ between the Regions by design, left out of `ServiceFacts.settings`.
   * @default REGION_SPECIFIC_ENVIRONMENT (`REGION_ROLE`, `DB_HOST`)
   */
  readonly regionSpecificEnvironment?: readonly string[];
  /** Retries of transient errors (throttling, a Region that does not answer). @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

const REQUEST_HANDLER = requestHandlerOptions(REGIONAL_REQUEST_LIMITS);

/**
 * What readiness and parity checks read about a Region, over AWS (SDK v3): ECS services, their task definitions and
 * running image digests; Aurora clusters; CloudWatch alarms and metrics (Container Insights, DynamoDB replication,
 * Fargate usage); Application Auto Scaling ranges; the Fargate vCPU quota (Service Quotas); secret replication.
 * Only reads. A thing that does not exist is left out; a request that fails after retries throws (the check that
 * asked is then INCONCLUSIVE, with the error as its reason).
 */
export class AwsReadinessFacts implements ReadinessFactsPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = READINESS_FACTS_ACTIONS;

  private readonly ecsContext: EcsFactsContext;
  private readonly metricContext: MetricFactsContext;
  private readonly rds: (region: string) => RDSClient;
  private readonly secrets: (region: string) => SecretsManagerClient;
  private readonly quotas: (region: string) => ServiceQuotasClient;
  private readonly ssm: (region: string) => SSMClient;
  private readonly policy: RetryPolicy;

  constructor(options: AwsReadinessFactsOptions) {
    const client =
      <C>(make: new (config: object) => C) =>
      (region: string) =>
        new make({ region, maxAttempts: 1, requestHandler: REQUEST_HANDLER });
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
    this.ecsContext = {
      ecs: perRegion(options.ecsFor ?? client(ECSClient)),
      autoScaling: perRegion(options.autoScalingFor ?? client(ApplicationAutoScalingClient)),
      policy: this.policy,
      regionSpecificEnvironment: options.regionSpecificEnvironment ?? REGION_SPECIFIC_ENVIRONMENT,
    };
    this.metricContext = {
      cloudWatch: perRegion(options.cloudWatchFor ?? client(CloudWatchClient)),
      policy: this.policy,
      clock: options.clock,
    };
    this.rds = perRegion(options.rdsFor ?? client(RDSClient));
    this.secrets = perRegion(options.secretsFor ?? client(SecretsManagerClient));
    this.quotas = perRegion(options.serviceQuotasFor ?? client(ServiceQuotasClient));
    this.ssm = perRegion(options.ssmFor ?? client(SSMClient));
  }

  async services(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceFacts>>> {
    return services.length === 0 ? {} : ecsServiceFacts(this.ecsContext, region, ecsClusterName, services);
  }

  async clusters(
    region: string,
    clusterIdentifiers: readonly string[],
  ): Promise<Readonly<Record<string, ClusterFacts>>> {
    const facts: Record<string, ClusterFacts> = {};
    for (const id of clusterIdentifiers) {
      const cluster = await awsCall(this.policy, `DescribeDBClusters ${id} in ${region}`, async () => {
        try {
          const answer = await this.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
          return answer.DBClusters?.[0];
        } catch (error) {
          // "DBClusterNotFoundFault: DBClusterIdentifier doesn't refer to an existing DB cluster. HTTP Status Code:
          // 404" (RDS API Reference, DescribeDBClusters, Errors).
          if (hasName(error, 'DBClusterNotFoundFault')) return undefined;
          throw error;
        }
      });
      if (!cluster?.Engine || !cluster.EngineVersion || cluster.BackupRetentionPeriod === undefined) continue;
      facts[id] = {
        clusterIdentifier: id,
        engine: cluster.Engine,
        engineVersion: cluster.EngineVersion,
        // "BackupRetentionPeriod: The number of days for which automatic DB snapshots are retained." (API_DBCluster).
        backupRetentionDays: cluster.BackupRetentionPeriod,
        status: cluster.Status ?? 'unknown',
      };
    }
    return facts;
  }

  alarms(region: string, alarmNames: readonly string[]): Promise<Readonly<Record<string, AlarmFacts>>> {
    return alarmNames.length === 0 ? Promise.resolve({}) : alarmFacts(this.metricContext, region, alarmNames);
  }

  async peakRunningTasks(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
    hours: number,
  ): Promise<Readonly<Record<string, number | undefined>>> {
    if (services.length === 0) return {};
    const minutes = hours * 60;
    const period = periodFor(minutes);
    const queries = services.map((s, i) => runningTaskCountQuery(`s${i}`, ecsClusterName, s, period));
    const maxima = await metricMaxima(this.metricContext, region, minutes, queries);
    return Object.fromEntries(services.map((s, i) => [s, maxima.get(`s${i}`)]));
  }

  scalingLimits(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ScalingLimits>>> {
    return ecsScalingLimits(this.ecsContext, region, ecsClusterName, services);
  }

  async fargateVcpuQuota(region: string): Promise<VcpuQuota> {
    const { serviceCode, quotaCode } = FARGATE_ON_DEMAND_VCPU_QUOTA;
    const request = { ServiceCode: serviceCode, QuotaCode: quotaCode };
    // NoSuchResourceException: "The specified resource does not exist." (Service Quotas API Reference): no value.
    const quotaValue = async (command: GetServiceQuotaCommand | GetAWSDefaultServiceQuotaCommand) => {
      try {
        const answer = await this.quotas(region).send(command as GetServiceQuotaCommand);
        const value = answer.Quota?.Value;
        return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
      } catch (error) {
        if (hasName(error, 'NoSuchResourceException')) return undefined;
        throw error;
      }
    };
    const applied = await awsCall(this.policy, `GetServiceQuota ${serviceCode} ${quotaCode} in ${region}`, () =>
      quotaValue(new GetServiceQuotaCommand(request)),
    );
    // GetServiceQuota: "For some quotas, only the default values are available. If the applied quota value is not
    // available for a quota, the quota is not retrieved"; then the AWS default is what applies, as
    // GetAWSDefaultServiceQuota says: "Retrieves the default value for the specified quota. The default value does not
    // reflect any quota increases." Neither: unknown, not zero.
    const fallback =
      applied === undefined
        ? await awsCall(this.policy, `GetAWSDefaultServiceQuota ${serviceCode} ${quotaCode} in ${region}`, () =>
            quotaValue(new GetAWSDefaultServiceQuotaCommand(request)),
          )
        : undefined;
    // Fargate usage is published per minute; the Maximum over the last hour is what was in use at its highest.
    const used = (await metricMaxima(this.metricContext, region, 60, [fargateVcpuUsageQuery('vcpu')])).get('vcpu');
    if (applied !== undefined) return { limit: applied, used, source: 'applied' };
    if (fallback !== undefined) return { limit: fallback, used, source: 'default' };
    return { limit: undefined, used };
  }

  async tableReplicationLatencySeconds(
    region: string,
    tableName: string,
    receivingRegion: string,
    windowMinutes: number,
  ): Promise<number | undefined> {
    const maxima = await metricMaxima(this.metricContext, region, windowMinutes, [
      replicationLatencyQuery('latency', tableName, receivingRegion),
    ]);
    const ms = maxima.get('latency');
    return ms === undefined ? undefined : ms / 1000;
  }

  async secretReplication(
    region: string,
    secretIds: readonly string[],
  ): Promise<Readonly<Record<string, SecretReplication>>> {
    const facts: Record<string, SecretReplication> = {};
    for (const id of secretIds) {
      const here = await this.describeSecret(region, id);
      if (!here) continue;
      // "PrimaryRegion: The Region the secret is in. If a secret is replicated to other Regions, the replicas are
      // listed in ReplicationStatus." (API_DescribeSecret). A replica names its primary's Region; the replicas'
      // statuses are asked there, where the primary lists them.
      const primaryRegion = here.PrimaryRegion ?? region;
      const primary = primaryRegion === region ? here : await this.describeSecret(primaryRegion, here.Name ?? id);
      if (!primary) continue;
      facts[id] = {
        secretId: id,
        primaryRegion,
        // ReplicationStatusType.Status: "The status can be InProgress, Failed, or InSync." (API_ReplicationStatusType).
        replicas: (primary.ReplicationStatus ?? [])
          .filter((r) => r.Region)
          .map((r) => ({
            region: r.Region!,
            status: r.Status ?? 'unknown',
            ...(r.StatusMessage ? { message: r.StatusMessage } : {}),
          })),
      };
    }
    return facts;
  }

  async deployedCommit(region: string, parameterName: string): Promise<DeployedCommitFacts | undefined> {
    const parameter = await awsCall(this.policy, `GetParameter ${parameterName} in ${region}`, async () => {
      try {
        const answer = await this.ssm(region).send(new GetParameterCommand({ Name: parameterName }));
        // API_Parameter: "Value: The parameter value." and "LastModifiedDate: Date the parameter was last changed or
        // updated and the parameter version was created." Both are "Required: No": an answer without them is not
        // read as a commit or a time (the parity check then does not excuse a difference: fail closed).
        if (!answer.Parameter?.Value || !answer.Parameter.LastModifiedDate) {
          throw new NonRetriableError(
            `GetParameter ${parameterName} in ${region}: the answer has no Value or LastModifiedDate; expected: the commit the stack deployed and when`,
          );
        }
        return answer.Parameter;
      } catch (error) {
        // API_GetParameter, Errors: "ParameterNotFound: The parameter couldn't be found. Verify the name and try
        // again." The stack has not written it (deployed before it existed, or not deployed).
        if (hasName(error, 'ParameterNotFound')) return undefined;
        throw error;
      }
    });
    return parameter ? { commit: parameter.Value!, since: parameter.LastModifiedDate! } : undefined;
  }

  /** DescribeSecret; undefined for a secret that does not exist or is scheduled for deletion. */
  private describeSecret(region: string, id: string): Promise<DescribeSecretCommandOutput | undefined> {
    return awsCall(this.policy, `DescribeSecret ${id} in ${region}`, async () => {
      try {
        const secret = await this.secrets(region).send(new DescribeSecretCommand({ SecretId: id }));
        // "DeletedDate: The date the secret is scheduled for deletion." (API_DescribeSecret): as good as gone.
        return secret.DeletedDate === undefined ? secret : undefined;
      } catch (error) {
        // "ResourceNotFoundException: Secrets Manager can't find the resource that you asked for." (Errors).
        if (hasName(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    });
  }
}
