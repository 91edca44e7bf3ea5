import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { RetryPolicy } from 'cockatiel';
import { READINESS_METRICS, readinessDimensions } from '../../readiness/readiness-metrics';
import { awsCall, DEFAULT_RETRY, type RetrySettings, retryPolicy } from './aws-call';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';

/** One data point of the scheduled readiness: a check (or {@link OVERALL_CHECK}) and 1 (GREEN) or 0 (not GREEN). */
export interface ReadinessDatapoint {
  readonly check: string;
  readonly value: 0 | 1;
}

/** Where the scheduled readiness publishes its data points (CloudWatch, or a test's list). */
export interface ReadinessMetricsPublisher {
  /** Publishes every data point of one run, stamped `timestamp`; throws when any could not be published. */
  publish(timestamp: Date, datapoints: readonly ReadinessDatapoint[]): Promise<void>;
}

/** Options of {@link CloudWatchReadinessMetricsPublisher}. */
export interface CloudWatchReadinessMetricsPublisherOptions {
  /** The Region the metrics go to: where the run happens, beside its alarm. */
  readonly region: string;
  readonly appName: string;
  readonly envName: string;
  /** @default - a CloudWatch client in `region` */
  readonly client?: CloudWatchClient;
  readonly retry?: Partial<RetrySettings>;
}

/**
 * "Each request is also limited to no more than 1000 different metrics" (API_PutMetricData): a run publishes one
 * metric per check and the overall one, far below; larger lists are sent in requests of this many.
 */
export const PUT_METRIC_DATA_MAX_METRICS = 1000;

/** IAM actions of {@link CloudWatchReadinessMetricsPublisher} (the stack scopes it by `cloudwatch:namespace`). */
export const READINESS_METRICS_ACTIONS = { publish: ['cloudwatch:PutMetricData'] } as const;

/**
 * Publishes the readiness data points with CloudWatch PutMetricData in the namespace, metric and dimensions of
 * `readiness-metrics.ts` (the alarm and the dashboard read the same names). Transient errors are retried; what is
 * left fails the call.
 */
export class CloudWatchReadinessMetricsPublisher implements ReadinessMetricsPublisher {
  /** IAM actions each method needs. */
  static readonly requiredActions = READINESS_METRICS_ACTIONS;

  private readonly client: CloudWatchClient;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: CloudWatchReadinessMetricsPublisherOptions) {
    this.client =
      options.client ??
      new CloudWatchClient({
        region: options.region,
        maxAttempts: 1,
        requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
      });
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async publish(timestamp: Date, datapoints: readonly ReadinessDatapoint[]): Promise<void> {
    const data: MetricDatum[] = datapoints.map((d) => ({
      MetricName: READINESS_METRICS.metricName,
      Dimensions: Object.entries(readinessDimensions(this.options.appName, this.options.envName, d.check)).map(
        ([Name, Value]) => ({ Name, Value }),
      ),
      Timestamp: timestamp,
      Value: d.value,
      Unit: 'None',
    }));
    for (let i = 0; i < data.length; i += PUT_METRIC_DATA_MAX_METRICS) {
      const batch = data.slice(i, i + PUT_METRIC_DATA_MAX_METRICS);
      await awsCall(
        this.policy,
        `PutMetricData ${READINESS_METRICS.namespace} (${batch.length} data points) in ${this.options.region}`,
        () => this.client.send(new PutMetricDataCommand({ Namespace: READINESS_METRICS.namespace, MetricData: batch })),
      );
    }
  }
}
