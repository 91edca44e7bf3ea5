import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../../.github/actions/cli-support/clock';
import { alarmNames } from '../../../stacks/naming/alarm-names';
import { databaseNames, SHOP_DATABASES } from '../../../stacks/naming/database-names';
import { GAMEDAY_EXPERIMENT_TAG, gameDayNames } from '../../../stacks/naming/gameday-names';
import { syntheticOrdersFunctionName } from '../../../stacks/naming/runbook-names';
import { syntheticShopperSecretName } from '../../../stacks/naming/secret-names';
import { stackNames } from '../../../stacks/naming/stack-names';
import type { GameDayLog, GameDayPorts, GameDaySettings } from '../../gameday/gameday-ports';
import type { shopRequest } from '../../gameday/shop-request';
import { awsCall, DEFAULT_RETRY, type RetrySettings, retryPolicy } from './aws-call';
import { AwsFaultInjection } from './fis';
import { AwsReportBuckets } from './gameday-buckets';
import { AwsRegionFacts } from './gameday-region-facts';
import { AwsRunbookDispatch } from './gameday-runbooks';
import { ShopOrdersThroughUi } from './gameday-shop-orders';
import { AwsSyntheticOrdersRemoval } from './gameday-synthetic-orders';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';
import { AwsShopperSchedules } from './scheduler';

/** The stack outputs the game day reads (stacks/runbooks/runbook-stack.ts, stacks/services/services-stack.ts). */
export const GAMEDAY_STACK_OUTPUTS = {
  reportBucket: 'ReportBucketName',
  loadBalancerDnsName: 'LoadBalancerDnsName',
} as const;

/** The experiment the inject phase starts (stacks/gameday/gameday-experiments.ts). */
export const INJECTED_EXPERIMENT = 'region-isolation';

/** Options of {@link gameDayAwsPorts}. */
export interface GameDayAwsPortsOptions {
  readonly appName: string;
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Config `gameDays.evidenceRetentionDays`. */
  readonly evidenceRetentionDays: number;
  /** Config `rtoTargetMinutes` × 60 and `rpoTargetSeconds`. */
  readonly targets: { readonly rtoSeconds: number; readonly rpoSeconds: number };
  readonly log: GameDayLog;
  /** @default - the system clock */
  readonly clock?: Clock;
  /** The GitHub Actions run (kept in the deploy freeze record of the failover). */
  readonly runUrl?: string;
  readonly settings?: Partial<GameDaySettings>;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
  /**
   * The shop's public host name (`<hostName>.<domainName>` of the config). With {@link httpsRegions}, requests to
   * those Regions' load balancers go over HTTPS with this name as Host and TLS server name (their certificate is the
   * shop's, not the load balancer's own name).
   * @default - the load balancers are reached over HTTP
   */
  readonly publicHostName?: string;
  /** Regions whose load balancer has a certificate (config `certificateArns`). @default - none */
  readonly httpsRegions?: readonly string[];
  /** @default shopRequest (tests pass one that answers like the model's Regions) */
  readonly request?: typeof shopRequest;
}

const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Every port of a game day over AWS (SDK v3), for the game-day CLI. The report buckets and the load balancers are
 * found from the stacks' outputs (DescribeStacks of `<app>-<env>-<region>-runbooks` and `-services`), the FIS
 * template by its tags (`gameday: <app>-<env>`, `gameday-experiment: region-isolation`), the shopper schedule and
 * the databases and the function that removes the synthetic orders (`<app>-<env>-remove-synthetic-orders`, invoked in the
 * surviving Region) by their deterministic names. No request is sent until a port method is called.
 */
export function gameDayAwsPorts(options: GameDayAwsPortsOptions): GameDayPorts {
  const clock = options.clock ?? systemClock;
  const retry = options.retry ? { retry: options.retry } : {};
  const policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  const handler = requestHandlerOptions(REGIONAL_REQUEST_LIMITS);
  const cloudFormation = perRegion(
    (region) => new CloudFormationClient({ region, maxAttempts: 1, requestHandler: handler }),
  );
  const secrets = perRegion((region) => new SecretsManagerClient({ region, maxAttempts: 1, requestHandler: handler }));
  const stacks = stackNames(options.appName, options.envName);
  const outputs = new Map<string, Promise<string>>();
  const output = (stackName: string, region: string, key: string): Promise<string> => {
    const cacheKey = `${region}/${stackName}/${key}`;
    let found = outputs.get(cacheKey);
    if (!found) {
      found = awsCall(policy, `DescribeStacks ${stackName} in ${region}`, () =>
        cloudFormation(region).send(new DescribeStacksCommand({ StackName: stackName })),
      ).then((answer) => {
        const value = answer.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
        if (!value) {
          throw new Error(
            `stack ${stackName} in ${region} has no output ${key}; accepted: the stack as this repository deploys it`,
          );
        }
        return value;
      });
      found.catch(() => outputs.delete(cacheKey));
      outputs.set(cacheKey, found);
    }
    return found;
  };
  const secure = (region: string) =>
    options.publicHostName !== undefined && (options.httpsRegions ?? []).includes(region);
  const loadBalancerUrl = async (region: string) =>
    `${secure(region) ? 'https' : 'http'}://${await output(stacks.services(region), region, GAMEDAY_STACK_OUTPUTS.loadBalancerDnsName)}`;
  const names = gameDayNames(options.appName, options.envName, options.primaryRegion);
  const dbNames = databaseNames(options.appName, options.envName);
  const web = {
    ...(options.publicHostName ? { publicHostName: options.publicHostName } : {}),
    ...(options.request ? { request: options.request } : {}),
  };
  return {
    clock,
    log: options.log,
    application: `${options.appName}-${options.envName}`,
    evidenceRetentionDays: options.evidenceRetentionDays,
    targets: options.targets,
    ...(options.settings ? { settings: options.settings } : {}),
    faults: new AwsFaultInjection({
      templateTags: { [names.tag.key]: names.tag.value, [GAMEDAY_EXPERIMENT_TAG]: INJECTED_EXPERIMENT },
      ...retry,
    }),
    schedules: new AwsShopperSchedules({ scheduleName: names.shopperSchedule, ...retry }),
    buckets: new AwsReportBuckets({
      bucketFor: (region) => output(stacks.runbooks(region), region, GAMEDAY_STACK_OUTPUTS.reportBucket),
      ...retry,
    }),
    runbooks: new AwsRunbookDispatch({
      appName: options.appName,
      envName: options.envName,
      primaryRegion: options.primaryRegion,
      standbyRegion: options.standbyRegion,
      clock,
      log: options.log,
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    }),
    regions: new AwsRegionFacts({
      databases: SHOP_DATABASES.map((name) => ({ name, clusterIdentifier: dbNames[name].clusterIdentifier })),
      serviceUrlFor: loadBalancerUrl,
      detectionAlarmFor: (region) => alarmNames(options.appName, options.envName, region).canaryGlobal,
      ...web,
      ...retry,
    }),
    orders: new ShopOrdersThroughUi({
      baseUrlFor: loadBalancerUrl,
      tokenFor: async (region) => {
        const secretId = syntheticShopperSecretName(options.appName, options.envName);
        const answer = await awsCall(policy, `GetSecretValue ${secretId} in ${region}`, () =>
          secrets(region).send(new GetSecretValueCommand({ SecretId: secretId })),
        );
        if (!answer.SecretString) throw new Error(`secret ${secretId} in ${region} has no SecretString`);
        return answer.SecretString;
      },
      remover: new AwsSyntheticOrdersRemoval({
        functionName: syntheticOrdersFunctionName(options.appName, options.envName),
        ...retry,
      }),
      ...web,
    }),
  };
}
