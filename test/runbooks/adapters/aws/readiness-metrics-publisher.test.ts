import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchReadinessMetricsPublisher,
  PUT_METRIC_DATA_MAX_METRICS,
  type ReadinessDatapoint,
} from '../../../../runbooks/adapters/aws/readiness-metrics-publisher';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { OVERALL_CHECK, READINESS_METRICS } from '../../../../runbooks/readiness/readiness-metrics';
import { type ModelUnderTest, modelUnderTest } from '../../aws-model/model-test-setup';

const WEST = 'us-west-2';
const NO_WAIT = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 1 };

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

function publisher(region = WEST) {
  return new CloudWatchReadinessMetricsPublisher({ region, appName: 'shop', envName: 'dev', retry: NO_WAIT });
}

describe('CloudWatchReadinessMetricsPublisher', () => {
  test('publishes one CheckGreen data point per check and the overall one, with App, Env and Check, in its Region', async () => {
    t = modelUnderTest();
    const at = new Date('2026-01-27T10:00:00.000Z');
    // WHEN a run with one red check publishes
    await publisher().publish(at, [
      { check: 'image-parity', value: 1 },
      { check: 'backup-retention', value: 0 },
      { check: OVERALL_CHECK, value: 0 },
    ]);
    // THEN CloudWatch of this Region holds exactly these, in the names the alarm and the dashboard read
    expect(t.model.cloudWatch.published).toEqual(
      [
        ['image-parity', 1],
        ['backup-retention', 0],
        [OVERALL_CHECK, 0],
      ].map(([check, value]) => ({
        region: WEST,
        namespace: READINESS_METRICS.namespace,
        metricName: READINESS_METRICS.metricName,
        dimensions: { App: 'shop', Env: 'dev', Check: check },
        timestamp: at,
        value,
      })),
    );
    expect(t.model.calls.of('PutMetricData')).toHaveLength(1);
  });

  test(`more than ${PUT_METRIC_DATA_MAX_METRICS} data points go in several requests, each within the limit`, async () => {
    t = modelUnderTest();
    const many: ReadinessDatapoint[] = Array.from({ length: 2 * PUT_METRIC_DATA_MAX_METRICS + 1 }, (_, i) => ({
      check: `check-${i}`,
      value: 1,
    }));
    await publisher().publish(new Date('2026-01-27T10:00:00.000Z'), many);
    const requests = t.model.calls.of('PutMetricData');
    expect(requests.map((c) => (c.input.MetricData as unknown[]).length)).toEqual([1000, 1000, 1]);
    expect(t.model.cloudWatch.published).toHaveLength(many.length);
  });

  test('throttling is retried; an error that stays fails the call, naming the request and the Region', async () => {
    t = modelUnderTest();
    t.model.faults.throttle({ service: 'cloudwatch', operation: 'PutMetricData' });
    await publisher().publish(new Date(), [{ check: OVERALL_CHECK, value: 1 }]);
    expect(t.model.cloudWatch.published).toHaveLength(1);

    t.model.regionDown(WEST);
    await expect(publisher().publish(new Date(), [{ check: OVERALL_CHECK, value: 1 }])).rejects.toThrow(
      `PutMetricData ${READINESS_METRICS.namespace} (1 data points) in ${WEST}: Error: connect ETIMEDOUT cloudwatch.${WEST}.amazonaws.com:443 (still failing after retries)`,
    );
  });

  test('declares exactly the action it calls', () => {
    expect(CloudWatchReadinessMetricsPublisher.requiredActions).toEqual({ publish: ['cloudwatch:PutMetricData'] });
    // Not a port method: the stack grants it with its own namespace condition, not through REQUIRED_ACTIONS.
    expect(Object.values(REQUIRED_ACTIONS).flat()).not.toContain('cloudwatch:PutMetricData');
  });
});

describe('CloudWatch model, PutMetricData limits (API_PutMetricData)', () => {
  const send = (input: ConstructorParameters<typeof PutMetricDataCommand>[0]) =>
    new CloudWatchClient({ region: WEST, maxAttempts: 1 }).send(new PutMetricDataCommand(input));
  const datum = (i: number, dimensions = 1) => ({
    MetricName: 'M',
    Dimensions: Array.from({ length: dimensions }, (_, d) => ({ Name: `D${d}`, Value: String(i) })),
    Value: 1,
  });

  test('a namespace that begins with "AWS/" is refused', async () => {
    t = modelUnderTest();
    await expect(send({ Namespace: 'AWS/ECS', MetricData: [datum(0)] })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    expect(t.model.cloudWatch.published).toEqual([]);
  });

  test('1000 different metrics are accepted, 1001 refused', async () => {
    t = modelUnderTest();
    await send({ Namespace: 'N', MetricData: Array.from({ length: 1000 }, (_, i) => datum(i)) });
    await expect(
      send({ Namespace: 'N', MetricData: Array.from({ length: 1001 }, (_, i) => datum(i)) }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    expect(t.model.cloudWatch.published).toHaveLength(1000);
  });

  test('30 dimensions are accepted, 31 refused', async () => {
    t = modelUnderTest();
    await send({ Namespace: 'N', MetricData: [datum(0, 30)] });
    await expect(send({ Namespace: 'N', MetricData: [datum(0, 31)] })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  test.each([Number.NaN, Number.POSITIVE_INFINITY, 2 ** 361])('the value %p is refused', async (value) => {
    t = modelUnderTest();
    await expect(send({ Namespace: 'N', MetricData: [{ MetricName: 'M', Value: value }] })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });
});
