import { InvalidParameterValueException, MissingRequiredParameterException } from '@aws-sdk/client-cloudwatch';
import { serviceError } from './aws-errors';

type Input = Readonly<Record<string, unknown>>;

/** One data point received by PutMetricData, as the model keeps it. */
export interface PublishedDatapoint {
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly timestamp: Date;
  readonly value: number;
}

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

  /** Every data point PutMetricData accepted, in the order received. */
  readonly published: PublishedDatapoint[] = [];

  constructor(private readonly source: MetricSource) {}

  /**
   * PutMetricData with the limits API_PutMetricData documents: "Each request is also limited to no more than 1000
   * different metrics"; "You can use up to 30 dimensions per metric"; "Values must be in the range of -2^360 to
   * 2^360. In addition, special values (for example, NaN, +Infinity, -Infinity) are not supported"; and of
   * `Namespace`: "You cannot specify a namespace that begins with "AWS/"". A request that breaks one is refused
   * whole (model choice: the error names the first problem). Only single `Value` data points are modelled.
   */
  putMetricData(input: Input, region: string): unknown {
    const namespace = input.Namespace;
    if (typeof namespace !== 'string' || namespace === '') {
      throw serviceError(MissingRequiredParameterException, 'The parameter Namespace is required.');
    }
    if (namespace.startsWith('AWS/')) {
      throw serviceError(
        InvalidParameterValueException,
        `The value ${namespace} for parameter Namespace is invalid: namespaces that begin with "AWS/" are reserved.`,
      );
    }
    const data = Array.isArray(input.MetricData) ? (input.MetricData as Input[]) : [];
    if (data.length === 0)
      throw serviceError(MissingRequiredParameterException, 'The parameter MetricData is required.');
    const distinct = new Set(data.map((d) => JSON.stringify([d.MetricName, d.Dimensions ?? []])));
    if (distinct.size > 1000) {
      throw serviceError(
        InvalidParameterValueException,
        `The collection MetricData must not have a size greater than 1000 (it has ${distinct.size} metrics).`,
      );
    }
    const accepted: PublishedDatapoint[] = [];
    for (const [i, d] of data.entries()) {
      if (typeof d.MetricName !== 'string' || d.MetricName === '') {
        throw serviceError(
          MissingRequiredParameterException,
          `The parameter MetricData.member.${i + 1}.MetricName is required.`,
        );
      }
      const dimensions = Array.isArray(d.Dimensions) ? (d.Dimensions as { Name?: string; Value?: string }[]) : [];
      if (dimensions.length > 30) {
        throw serviceError(
          InvalidParameterValueException,
          `The collection MetricData.member.${i + 1}.Dimensions must not have a size greater than 30.`,
        );
      }
      const value = d.Value;
      if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 2 ** 360) {
        throw serviceError(
          InvalidParameterValueException,
          `The value ${String(value)} for parameter MetricData.member.${i + 1}.Value is invalid.`,
        );
      }
      accepted.push({
        region,
        namespace,
        metricName: d.MetricName,
        dimensions: Object.fromEntries(dimensions.map((x) => [x.Name ?? '', x.Value ?? ''])),
        timestamp: new Date((d.Timestamp as Date | undefined) ?? Date.now()),
        value,
      });
    }
    this.published.push(...accepted);
    return {};
  }

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
