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
    readonly Stat?: string;
  };
}

/** One CloudWatch alarm's state. */
export interface ModelAlarm {
  readonly name: string;
  readonly region: string;
  readonly type: 'MetricAlarm' | 'CompositeAlarm';
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /**
   * `StateTransitionedTimestamp`: moves only when `state` changes — "The date and time that the alarm's StateValue most
   * recently changed." (API_MetricAlarm); "The timestamp of the last change to the alarm's StateValue."
   * (API_CompositeAlarm). Undefined: the answer leaves it out (both mark it "Required: No").
   */
  since: Date | undefined;
  /**
   * `StateUpdatedTimestamp`: moves with `state` and also without it — "The time stamp of the last update to the value
   * of either the StateValue or EvaluationState parameters." (API_MetricAlarm); "Tracks the timestamp of any state
   * update, even if StateValue doesn't change." (API_CompositeAlarm). Undefined: left out ("Required: No").
   */
  updated: Date | undefined;
  /**
   * A metric alarm's `EvaluationState` (API_MetricAlarm: `PARTIAL_DATA`, `EVALUATION_ERROR`, `EVALUATION_FAILURE`);
   * undefined: left out. API_CompositeAlarm has no such field.
   */
  evaluationState?: 'PARTIAL_DATA' | 'EVALUATION_ERROR' | 'EVALUATION_FAILURE';
}

/** A metric's data point a test recorded (see {@link CloudWatchModel.record}). */
interface DataPoint {
  readonly at: number;
  readonly value: number;
}

/** Where the CloudWatch model reads the current value of a metric. */
export interface MetricSource {
  /** Replication lag of a secondary cluster in ms, or undefined when Aurora publishes none for it. */
  lagMs(region: string, clusterIdentifier: string, metricName: string): number | undefined;
  /** Running tasks of an ECS service, or undefined. */
  runningTasks(region: string, cluster: string, service: string): number | undefined;
  /** Fargate On-Demand vCPU in use in the Region. */
  fargateVcpu?(region: string): number | undefined;
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

  /** Alarms by `<region>/<name>`. */
  readonly alarms = new Map<string, ModelAlarm>();
  /**
   * DynamoDB global tables' `ReplicationLatency` (ms) by `<region>/<table>/<receiving Region>`: what the source Region's
   * CloudWatch reports for the pair (model choice: a value a test sets; none, no data point).
   */
  readonly tableReplicationLatencyMs = new Map<string, number>();
  /** Recorded data points by metric (see {@link record}). */
  private readonly recorded = new Map<string, DataPoint[]>();

  constructor(private readonly source: MetricSource) {}

  /**
   * Records a data point of a metric at `at` (e.g. the running task count a day ago). A metric with recorded points
   * is answered from them (aggregated per period with the query's statistic); one without, from its current value.
   */
  record(
    region: string,
    namespace: string,
    name: string,
    dimensions: Record<string, string>,
    at: Date,
    value: number,
  ): void {
    const key = seriesKey(region, namespace, name, dimensions);
    const list = this.recorded.get(key) ?? [];
    list.push({ at: at.getTime(), value });
    this.recorded.set(key, list);
  }

  /**
   * DescribeAlarms by `AlarmNames` (or every alarm of the Region). "AlarmTypes … If you omit this parameter, only
   * metric alarms are returned, even if composite alarms exist in the account." (API_DescribeAlarms). An unknown
   * name is not an error: it is absent from the answer (API_DescribeAlarms lists no not-found error).
   */
  describeAlarms(input: Input, region: string): unknown {
    const names = Array.isArray(input.AlarmNames) ? (input.AlarmNames as string[]) : undefined;
    const types = Array.isArray(input.AlarmTypes) ? (input.AlarmTypes as string[]) : ['MetricAlarm'];
    const found = [...this.alarms.values()].filter(
      (a) => a.region === region && (names === undefined || names.includes(a.name)) && types.includes(a.type),
    );
    const view = (a: ModelAlarm) => ({
      AlarmName: a.name,
      StateValue: a.state,
      StateReason: `model: ${a.state}`,
      ...(a.updated ? { StateUpdatedTimestamp: a.updated } : {}),
      ...(a.since ? { StateTransitionedTimestamp: a.since } : {}),
      ...(a.type === 'MetricAlarm' && a.evaluationState ? { EvaluationState: a.evaluationState } : {}),
    });
    return {
      MetricAlarms: found.filter((a) => a.type === 'MetricAlarm').map(view),
      CompositeAlarms: found.filter((a) => a.type === 'CompositeAlarm').map(view),
    };
  }

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
        const period = (q.MetricStat?.Period ?? 60) * 1000;
        const recorded = this.points(q, region);
        if (recorded) {
          const buckets = new Map<number, number[]>();
          for (const p of recorded) {
            if (p.at < start || p.at >= end) continue;
            const t = Math.floor(p.at / period) * period;
            buckets.set(t, [...(buckets.get(t) ?? []), p.value]);
          }
          const times = [...buckets.keys()].sort((a, b) => b - a);
          return {
            Id: q.Id,
            Label: q.MetricStat?.Metric?.MetricName,
            Timestamps: times.map((t) => new Date(t)),
            Values: times.map((t) => aggregate(buckets.get(t)!, q.MetricStat?.Stat)),
            StatusCode: 'Complete',
          };
        }
        const value = this.value(q, region);
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
    if (metric?.Namespace === 'AWS/DynamoDB' && metric.MetricName === 'ReplicationLatency') {
      return this.tableReplicationLatencyMs.get(`${region}/${dims.TableName}/${dims.ReceivingRegion}`);
    }
    // ECS Developer Guide, AWS Fargate usage metrics: AWS/Usage ResourceCount with Service Fargate, Type Resource,
    // Resource vCPU, Class Standard/OnDemand. The model sums its running Fargate tasks' vCPU (all tasks are On-Demand).
    if (
      metric?.Namespace === 'AWS/Usage' &&
      metric.MetricName === 'ResourceCount' &&
      dims.Service === 'Fargate' &&
      dims.Type === 'Resource' &&
      dims.Resource === 'vCPU' &&
      dims.Class === 'Standard/OnDemand'
    ) {
      return this.source.fargateVcpu?.(region);
    }
    return undefined;
  }

  private points(q: Query, region: string): readonly DataPoint[] | undefined {
    const metric = q.MetricStat?.Metric;
    const dims = Object.fromEntries((metric?.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
    return this.recorded.get(seriesKey(region, metric?.Namespace ?? '', metric?.MetricName ?? '', dims));
  }
}

function seriesKey(region: string, namespace: string, name: string, dimensions: Record<string, string>): string {
  const dims = Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${region}/${namespace}/${name}/${dims}`;
}

/** CloudWatch statistics over one period's data points (Maximum, Minimum, Sum, SampleCount, else Average). */
function aggregate(values: readonly number[], stat: string | undefined): number {
  if (stat === 'Maximum') return Math.max(...values);
  if (stat === 'Minimum') return Math.min(...values);
  if (stat === 'Sum') return values.reduce((a, b) => a + b, 0);
  if (stat === 'SampleCount') return values.length;
  return values.reduce((a, b) => a + b, 0) / values.length;
}
