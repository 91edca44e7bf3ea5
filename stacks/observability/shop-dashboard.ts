import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** Properties of a {@link ShopDashboard}. */
export interface ShopDashboardProps {
  /** The dashboard's name. */
  readonly dashboardName: string;
  /** DB cluster identifiers whose `AuroraGlobalDBRPOLag` is graphed. */
  readonly databaseClusterIdentifiers: readonly string[];
  /** DynamoDB global tables whose `ReplicationLatency` towards `peerRegion` is graphed. */
  readonly tableNames: readonly string[];
  /** The Region the tables replicate to (`ReceivingRegion`). */
  readonly peerRegion: string;
  /** Canary success rates, labelled. */
  readonly canarySuccess: Readonly<Record<string, cloudwatch.IMetric>>;
  /** Requests reaching the Region's load balancer. */
  readonly requests: cloudwatch.IMetric;
  /** Real orders placed per minute (the canaries' synthetic orders are not business). */
  readonly ordersPlaced: cloudwatch.IMetric;
  /**
   * The scheduled readiness of the Region: a row with the overall `CheckGreen`, each check's, and its alarm.
   *
   * @default - no readiness row
   */
  readonly readiness?: ShopDashboardReadiness;
}

/** The readiness row of a {@link ShopDashboard}. */
export interface ShopDashboardReadiness {
  /** The run's overall `CheckGreen` (1 GREEN, 0 RED or INCONCLUSIVE). */
  readonly overall: cloudwatch.IMetric;
  /** Each check's `CheckGreen`, by check name, in the order the run evaluates them. */
  readonly checks: Readonly<Record<string, cloudwatch.IMetric>>;
  /** The alarm on the overall one. */
  readonly alarm: cloudwatch.IAlarm;
}

/**
 * The Region's dashboard: replication lag of both Aurora global databases and both DynamoDB global tables,
 * canary success, requests and orders per minute, and the scheduled readiness (overall, per check, its alarm) —
 * what an operator reads before and after a failover.
 */
export class ShopDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ShopDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    const auroraLag = props.databaseClusterIdentifiers.map(
      (cluster) =>
        new cloudwatch.Metric({
          namespace: 'AWS/RDS',
          // Aurora DR guide: for Aurora PostgreSQL global databases "use Amazon CloudWatch to view the
          // AuroraGlobalDBRPOLag metric for all secondary DB clusters" (the runbook's readiness reads it too).
          metricName: 'AuroraGlobalDBRPOLag',
          dimensionsMap: { DBClusterIdentifier: cluster },
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
          label: `${cluster} (ms)`,
        }),
    );
    const tableLatency = props.tableNames.map(
      (table) =>
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName: 'ReplicationLatency',
          dimensionsMap: { TableName: table, ReceivingRegion: props.peerRegion },
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
          label: `${table} → ${props.peerRegion} (ms)`,
        }),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Aurora global replication lag', left: auroraLag, width: 12 }),
          new cloudwatch.GraphWidget({ title: 'DynamoDB replication latency', left: tableLatency, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Canary success (%)',
            left: Object.entries(props.canarySuccess).map(([label, metric]) =>
              metric instanceof cloudwatch.Metric ? metric.with({ label }) : metric,
            ),
            leftYAxis: { min: 0, max: 100 },
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Load balancer requests', left: [props.requests], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Orders per minute (synthetic excluded)',
            left: [props.ordersPlaced],
            width: 8,
          }),
        ],
        ...(props.readiness ? [readinessRow(props.readiness)] : []),
      ],
    });
  }
}

/** Overall readiness over time, each check's latest value (1 GREEN, 0 not), and the alarm's state. */
function readinessRow(readiness: ShopDashboardReadiness): cloudwatch.IWidget[] {
  const labelled = (label: string, metric: cloudwatch.IMetric) =>
    metric instanceof cloudwatch.Metric ? metric.with({ label }) : metric;
  return [
    new cloudwatch.GraphWidget({
      title: 'Readiness, overall (1 = GREEN)',
      left: [labelled('overall', readiness.overall)],
      leftYAxis: { min: 0, max: 1 },
      width: 8,
    }),
    new cloudwatch.SingleValueWidget({
      title: 'Readiness per check (1 = GREEN, 0 = RED or INCONCLUSIVE)',
      metrics: Object.entries(readiness.checks).map(([name, metric]) => labelled(name, metric)),
      width: 12,
      height: 6,
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Readiness alarm', alarms: [readiness.alarm], width: 4, height: 6 }),
  ];
}
