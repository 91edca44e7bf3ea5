type Input = Readonly<Record<string, unknown>>;

interface Query {
  readonly Id?: string;
  readonly MetricStat?: {
    readonly Metric?: {
      readonly Namespace?: string;
      readonly MetricName?: string;
      readonly Dimensions?: readonly { readonly Name?: string; readonly Value?: string }[];
    };
    readonly Period?: number;
  };
}

/** Where the CloudWatch model reads the current value of a metric. */
export interface MetricSource {
  /** Replication lag of a secondary cluster in ms, or undefined when Aurora publishes none for it. */
  lagMs(region: string, clusterIdentifier: string, metricName: string): number | undefined;
  /** Running tasks of an ECS service, or undefined. */
  runningTasks(region: string, cluster: string, service: string): number | undefined;
}

/**
 * CloudWatch GetMetricData for the metrics the runbooks read: `AWS/RDS` `AuroraGlobalDBRPOLag` and
 * `AuroraGlobalDBReplicationLag` by `DBClusterIdentifier` (published for secondary clusters — "use Amazon
 * CloudWatch to view the AuroraGlobalDBRPOLag metric for all secondary DB clusters",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html), and
 * `ECS/ContainerInsights` `RunningTaskCount` by `ClusterName` + `ServiceName`. Each period in the window carries the
 * metric's current value (model choice); a metric with no value has no data points. Results are newest first
 * ("TimestampDescending" is the default ScanBy — API_GetMetricData).
 */
export class CloudWatchModel {
  /** Metrics forced to have no data points, as `<region>/<namespace>/<name>/<dimension values>`. */
  readonly silenced = new Set<string>();

  constructor(private readonly source: MetricSource) {}

  /** GetMetricData over `[StartTime, EndTime)`. */
  getMetricData(input: Input, region: string): unknown {
    const start = new Date(input.StartTime as Date).getTime();
    const end = new Date(input.EndTime as Date).getTime();
    const queries = Array.isArray(input.MetricDataQueries) ? (input.MetricDataQueries as Query[]) : [];
    return {
      MetricDataResults: queries.map((q) => {
        const value = this.value(q, region);
        const period = (q.MetricStat?.Period ?? 60) * 1000;
        const timestamps: Date[] = [];
        if (value !== undefined) {
          for (let t = Math.floor((end - 1) / period) * period; t >= start; t -= period) timestamps.push(new Date(t));
        }
        return {
          Id: q.Id,
          Label: q.MetricStat?.Metric?.MetricName,
          Timestamps: timestamps,
          Values: timestamps.map(() => value!),
          StatusCode: 'Complete',
        };
      }),
      Messages: [],
    };
  }

  private value(q: Query, region: string): number | undefined {
    const metric = q.MetricStat?.Metric;
    const dims = Object.fromEntries((metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const key = `${region}/${metric?.Namespace}/${metric?.MetricName}/${Object.values(dims).join('/')}`;
    if (this.silenced.has(key)) return undefined;
    if (
      metric?.Namespace === 'AWS/RDS' &&
      (metric.MetricName === 'AuroraGlobalDBRPOLag' || metric.MetricName === 'AuroraGlobalDBReplicationLag') &&
      dims.DBClusterIdentifier
    ) {
      return this.source.lagMs(region, dims.DBClusterIdentifier, metric.MetricName);
    }
    if (metric?.Namespace === 'ECS/ContainerInsights' && metric.MetricName === 'RunningTaskCount') {
      if (!dims.ClusterName || !dims.ServiceName) return undefined;
      return this.source.runningTasks(region, dims.ClusterName, dims.ServiceName);
    }
    return undefined;
  }
}
