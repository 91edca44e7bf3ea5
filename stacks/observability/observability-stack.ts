import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { RoutingMode } from '../../config';
import { SCHEDULED_READINESS_CHECKS } from '../../runbooks/lambda/readiness-handler';
import { appliesInMode } from '../../runbooks/readiness/readiness-check';
import { OVERALL_CHECK, READINESS_METRICS, readinessDimensions } from '../../runbooks/readiness/readiness-metrics';
import { alarmNames } from '../naming/alarm-names';
import { canaryNames } from '../naming/canary-names';
import { databaseNames, SHOP_DATABASES } from '../naming/database-names';
import { resourcePrefix } from '../naming/resource-prefix';
import { syntheticShopperSecretName } from '../naming/secret-names';
import { SHOP_TABLES, tableNames } from '../naming/table-names';
import { JourneyCanary } from './journey-canary';
import { ShopDashboard } from './shop-dashboard';

/** Properties of an {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackProps {
  /** Application name, part of resource names. */
  readonly appName: string;
  /** Environment name, part of resource names. */
  readonly envName: string;
  /** The other Region (the receiving Region of DynamoDB replication graphed here). */
  readonly peerRegion: string;
  /** The Region's load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The ui's target group behind it. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /**
   * The shop's URL through this Region's load balancer. Its host is the load balancer's own DNS name, which an
   * HTTPS certificate (issued for the global name) does not cover: the local canary ignores certificate errors.
   */
  readonly localUrl: string;
  /** The shop's global URL (the Route 53 name). */
  readonly globalUrl: string;
  /** How often each canary runs. */
  readonly canaryRate: Duration;
  /** Real orders placed per minute (the canaries' synthetic orders left out). */
  readonly ordersPlaced: cloudwatch.IMetric;
  /** The synthetic shopper's token, which both canaries read to place their orders as the synthetic shopper. */
  readonly syntheticShopperToken: secretsmanager.ISecret;
  /**
   * Runs both canaries inside this VPC (private subnets with egress): required when the load balancer is internal,
   * which answers only its VPC's range.
   *
   * @default - the canaries run outside any VPC (an internet-facing load balancer)
   */
  readonly canaryVpc?: ec2.IVpc;
  /**
   * How often the runbook stack's scheduled readiness runs (config `readiness.scheduleMinutes`): the dashboard's
   * readiness row shows the lowest `CheckGreen` of each such period.
   *
   * @default Duration.minutes(30)
   */
  readonly readinessSchedule?: Duration;
  /**
   * How traffic moves (config `routingMode`): the readiness row shows only the checks of this mode (a check of the
   * other mode does not apply and is always GREEN: `appliesInMode`).
   *
   * @default 'arc-cluster'
   */
  readonly routingMode?: RoutingMode;
}

/**
 * What tells whether a Region works: two canaries (the Region's own load balancer, and the global name),
 * alarms on canary success and on the load balancer, and a dashboard. Alarm names are deterministic
 * (`alarmNames`), and so are canary names (`canaryNames`), because the pipeline's bake gate and the runbooks look
 * them up by name.
 */
export class ObservabilityStack extends Stack {
  /** Canary against the Region's load balancer. */
  readonly localCanary: JourneyCanary;
  /** Canary against the global name. */
  readonly globalCanary: JourneyCanary;
  /** Every alarm, by its key in `alarmNames`. */
  readonly alarms: Readonly<
    Record<
      | 'canaryLocal'
      | 'canaryGlobal'
      | 'loadBalancer5xx'
      | 'target5xx'
      | 'loadBalancer5xxRate'
      | 'latencyP99'
      | 'unhealthyHosts',
      cloudwatch.Alarm
    >
  >;
  /** The Region's dashboard. */
  readonly dashboard: ShopDashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const prefix = resourcePrefix(props.appName, props.envName);
    const names = alarmNames(props.appName, props.envName, this.region);
    const canaries = canaryNames(props.appName, props.envName);

    const accessLogs = new s3.Bucket(this, 'ArtifactsAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const artifacts = new s3.Bucket(this, 'CanaryArtifacts', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'canary-artifacts/',
      lifecycleRules: [{ expiration: Duration.days(31) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // One group for both canaries: outbound only (the internal load balancer admits the VPC's range, and the canary
    // calls CloudWatch and S3 through the NAT gateways and endpoints).
    const canaryNetwork = props.canaryVpc
      ? {
          vpc: props.canaryVpc,
          securityGroups: [
            new ec2.SecurityGroup(this, 'CanarySecurityGroup', {
              vpc: props.canaryVpc,
              description: `Synthetics canaries of ${prefix} in this Region`,
              allowAllOutbound: true,
            }),
          ],
        }
      : {};
    const shopper = {
      syntheticShopperToken: props.syntheticShopperToken,
      syntheticShopperSecretName: syntheticShopperSecretName(props.appName, props.envName),
    };
    this.localCanary = new JourneyCanary(this, 'LocalCanary', {
      canaryName: canaries.local,
      targetUrl: props.localUrl,
      rate: props.canaryRate,
      artifactsBucket: artifacts,
      artifactsPrefix: 'local',
      ...shopper,
      ignoreCertificateErrors: true,
      ...canaryNetwork,
    });
    this.globalCanary = new JourneyCanary(this, 'GlobalCanary', {
      canaryName: canaries.global,
      targetUrl: props.globalUrl,
      rate: props.canaryRate,
      artifactsBucket: artifacts,
      artifactsPrefix: 'global',
      ...shopper,
      ...canaryNetwork,
    });
    const artifactsArn = `<${this.getLogicalId(artifacts.node.defaultChild as s3.CfnBucket)}.Arn>`;
    for (const [journey, prefix] of [
      [this.localCanary, 'local'],
      [this.globalCanary, 'global'],
    ] as const) {
      const canaryLogs = `arn:<AWS::Partition>:logs:${this.region}:${this.account}:log-group:/aws/lambda/cwsyn-*`;
      for (const finding of ['Resource::*', `Resource::${artifactsArn}/${prefix}/*`, `Resource::${canaryLogs}`]) {
        Validations.of(journey.canary.role).acknowledge({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason:
            'This is the execution role aws-cdk-lib generates for a Synthetics canary: s3:ListAllMyBuckets and cloudwatch:PutMetricData (limited to the CloudWatchSynthetics namespace) take no resource, the canary writes logs only to its own /aws/lambda/cwsyn-* log groups, and run artifacts only under its own prefix of the artifacts bucket.',
        });
      }
      if (props.canaryVpc) {
        Validations.of(journey.canary.role).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          reason:
            'This AWS-managed policy is what aws-cdk-lib attaches to a canary that runs in a VPC: it holds only the network-interface permissions Lambda needs to place the canary in the VPC, which take no resource-level scope.',
        });
      }
    }

    const canaryAlarm = (canary: JourneyCanary, alarmName: string, what: string) =>
      new cloudwatch.Alarm(canary, 'SuccessAlarm', {
        alarmName,
        alarmDescription: `Canary success rate against ${what} below 90 % for two runs`,
        metric: canary.canary.metricSuccessPercent({ period: props.canaryRate, statistic: cloudwatch.Stats.AVERAGE }),
        threshold: 90,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
    const perMinute = { period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM };
    const countAlarm = (id: string, alarmName: string, description: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, id, {
        alarmName,
        alarmDescription: description,
        metric,
        threshold: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.alarms = {
      canaryLocal: canaryAlarm(this.localCanary, names.canaryLocal, "the Region's load balancer"),
      canaryGlobal: canaryAlarm(this.globalCanary, names.canaryGlobal, 'the global name'),
      loadBalancer5xx: countAlarm(
        'LoadBalancer5xxAlarm',
        names.loadBalancer5xx,
        '5xx responses generated by the load balancer (no healthy target, target timeouts)',
        props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, perMinute),
      ),
      target5xx: countAlarm(
        'Target5xxAlarm',
        names.target5xx,
        '5xx responses returned by the ui tasks',
        props.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, perMinute),
      ),
      loadBalancer5xxRate: new cloudwatch.Alarm(this, 'LoadBalancer5xxRateAlarm', {
        alarmName: names.loadBalancer5xxRate,
        alarmDescription: `5xx responses (load balancer and ui targets) above ${RATE_ALARM_PERCENT} % of the requests over five minutes, judged with at least ${RATE_ALARM_MIN_REQUESTS} requests`,
        metric: loadBalancer5xxRate(props.loadBalancer),
        threshold: RATE_ALARM_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        // No requests, no 5xx: Elastic Load Balancing "reports metrics to CloudWatch only when requests are flowing
        // through the load balancer" (User Guide for Application Load Balancers, CloudWatch metrics).
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      latencyP99: new cloudwatch.Alarm(this, 'LatencyP99Alarm', {
        alarmName: names.latencyP99,
        alarmDescription: `p99 response time of the ui targets at or above ${LATENCY_ALARM_SECONDS} s over five minutes`,
        metric: props.loadBalancer.metrics.targetResponseTime({ period: Duration.minutes(5), statistic: 'p99' }),
        threshold: LATENCY_ALARM_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      unhealthyHosts: new cloudwatch.Alarm(this, 'UnhealthyHostsAlarm', {
        alarmName: names.unhealthyHosts,
        alarmDescription: 'ui targets failing the load balancer health check',
        metric: props.targetGroup.metrics.unhealthyHostCount({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };

    const dbNames = databaseNames(props.appName, props.envName);
    // What the scheduled readiness publishes (runbooks/readiness/readiness-metrics.ts): the lowest value of each run
    // period, so a RED run shows even when the next one is GREEN.
    const readinessMetric = (check: string) =>
      new cloudwatch.Metric({
        namespace: READINESS_METRICS.namespace,
        metricName: READINESS_METRICS.metricName,
        dimensionsMap: readinessDimensions(props.appName, props.envName, check),
        statistic: cloudwatch.Stats.MINIMUM,
        period: props.readinessSchedule ?? Duration.minutes(30),
      });
    const tables = tableNames(props.appName, props.envName);
    this.dashboard = new ShopDashboard(this, 'Dashboard', {
      dashboardName: `${prefix}-${this.region}`,
      databaseClusterIdentifiers: SHOP_DATABASES.map((db) => dbNames[db].clusterIdentifier),
      tableNames: SHOP_TABLES.map((table) => tables[table]),
      peerRegion: props.peerRegion,
      canarySuccess: {
        local: this.localCanary.canary.metricSuccessPercent({ period: props.canaryRate }),
        global: this.globalCanary.canary.metricSuccessPercent({ period: props.canaryRate }),
      },
      requests: props.loadBalancer.metrics.requestCount(perMinute),
      ordersPlaced: props.ordersPlaced,
      readiness: {
        overall: readinessMetric(OVERALL_CHECK),
        checks: Object.fromEntries(
          SCHEDULED_READINESS_CHECKS.filter((c) => appliesInMode(c, props.routingMode ?? 'arc-cluster')).map((c) => [
            c.name,
            readinessMetric(c.name),
          ]),
        ),
        // The runbook stack creates it (same deterministic name); the dashboard only shows its state.
        alarm: cloudwatch.Alarm.fromAlarmName(this, 'ReadinessAlarm', names.readiness),
      },
    });
  }
}

/** The 5xx share, in percent, at or above which the rate alarm counts a period as breaching. */
export const RATE_ALARM_PERCENT = 5;

/**
 * The fewest requests (load balancer 5xx included) in a five-minute period for the rate alarm to judge it: one 5xx
 * among two requests is not a 50 % error rate worth a rollback. A canary run of the journey alone makes more requests
 * than this (page loads and their assets), so canary traffic keeps the rate judged at low traffic.
 */
export const RATE_ALARM_MIN_REQUESTS = 10;

/** The p99 response time, in seconds, at or above which the latency alarm counts a period as breaching. */
export const LATENCY_ALARM_SECONDS = 2;

/**
 * The share of the load balancer's requests answered with a 5xx, in percent, per five minutes; 0 below
 * {@link RATE_ALARM_MIN_REQUESTS} requests.
 *
 * Each 5xx metric is reported only when it is not zero, and RequestCount only while requests flow (Elastic Load
 * Balancing "reports metrics to CloudWatch only when requests are flowing through the load balancer … If there are
 * no requests flowing through the load balancer or no data for a metric, the metric is not reported"), so each series
 * is filled with 0 (metric math `FILL`). The load balancer's own 5xx are added to the requests: a 503 for want of a
 * healthy target is, as far as can be read here (unverified: the RequestCount row was not read), not in
 * RequestCount, and with every target gone the rate must be 100 %, not a division by zero; a 502 or 504 that is in
 * both only lowers the rate (at most by half). `IF` gives 0 below the guard. Alarms on metric math: "Using math
 * expressions with CloudWatch metrics" (CloudWatch User Guide) and the `Metrics` property of AWS::CloudWatch::Alarm,
 * "associates it with the specified metric or metric math expression".
 */
function loadBalancer5xxRate(loadBalancer: elbv2.IApplicationLoadBalancer): cloudwatch.MathExpression {
  const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
  const total = 'FILL(requests, 0) + FILL(elb5xx, 0)';
  return new cloudwatch.MathExpression({
    expression: `IF(${total} >= ${RATE_ALARM_MIN_REQUESTS}, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (${total}), 0)`,
    usingMetrics: {
      requests: loadBalancer.metrics.requestCount(fiveMinutes),
      target5xx: loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, fiveMinutes),
      elb5xx: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, fiveMinutes),
    },
    label: '5xx % of requests',
    period: Duration.minutes(5),
  });
}
