import { createAwsPorts } from '../../../runbooks/adapters/aws/aws-ports';
import { CloudWatchReadinessMetricsPublisher } from '../../../runbooks/adapters/aws/readiness-metrics-publisher';
import {
  createReadinessHandler,
  READINESS_EVENT,
  SCHEDULED_READINESS_CHECKS,
  scheduledReadinessMethods,
} from '../../../runbooks/lambda/readiness-handler';
import type { PortMethod, RunbookPorts } from '../../../runbooks/ports';
import type { ReadinessCheck } from '../../../runbooks/readiness/readiness-check';
import { READINESS_CHECKS } from '../../../runbooks/readiness/readiness-checks';
import { OVERALL_CHECK, READINESS_METRICS } from '../../../runbooks/readiness/readiness-metrics';
import {
  parseReadinessRecord,
  READINESS_LATEST_KEY,
  readinessRunKey,
} from '../../../runbooks/readiness/readiness-record';
import { parseTopology, type Topology } from '../../../runbooks/topology';
import { SHOP_SERVICES } from '../../../stacks/services/shop-services';
import { unmodelledError } from '../aws-model';
import { type ModelUnderTest, modelUnderTest } from '../aws-model/model-test-setup';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const NO_WAIT = { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 1 };
const context = { getRemainingTimeInMillis: () => 240_000 };

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

/** The topology the runbook stack gives the function in `region`: the other Region's services listed (parity). */
function stackTopology(region: string): Topology {
  const base = t.shop.topology(region);
  const peer = region === EAST ? WEST : EAST;
  return parseTopology(
    { ...base, regions: { ...base.regions, [peer]: { ...base.regions[peer], services: [...SHOP_SERVICES] } } },
    'test',
  );
}

function check(name: string, assess: ReadinessCheck['assess']): ReadinessCheck {
  return { name, title: name, scope: 'standing', whenRed: `${name} is red`, uses: [], assess };
}
const green = check('always-green', async () => ({ failures: [], notes: ['fine'], evidence: { read: 1 } }));
const red = check('always-red', async () => ({ failures: ['something differs'], notes: [] }));
const broken = check('always-throws', async () => {
  throw new Error('API said no');
});

interface SetupOptions {
  readonly region?: string;
  readonly checks?: readonly ReadinessCheck[];
  readonly wrap?: (ports: RunbookPorts) => RunbookPorts;
  readonly checkTimeoutMs?: number;
  readonly environment?: Record<string, string | undefined>;
}

/** The handler over the AWS model: real AWS adapters, real CloudWatch publisher, the stack's environment. */
function setup(options: SetupOptions = {}) {
  t = modelUnderTest();
  const region = options.region ?? WEST;
  const topology = stackTopology(region);
  const bucket = t.shop.buckets[region]!;
  const log: string[] = [];
  const handler = createReadinessHandler({
    environment: {
      RUNBOOK_TOPOLOGY: JSON.stringify(topology),
      RUNBOOK_BUCKET: bucket,
      AWS_REGION: region,
      ...options.environment,
    },
    clock: t.clock,
    portsFor: (top, r, b) =>
      (options.wrap ?? ((p) => p))(
        createAwsPorts({ topology: top, region: r, bucket: b, clock: t.clock, retry: NO_WAIT }),
      ),
    publisherFor: (top, r) =>
      new CloudWatchReadinessMetricsPublisher({
        region: r,
        appName: top.appName,
        envName: top.envName,
        retry: NO_WAIT,
      }),
    ...(options.checks ? { checks: options.checks } : {}),
    ...(options.checkTimeoutMs !== undefined ? { checkTimeoutMs: options.checkTimeoutMs } : {}),
    log: (line) => log.push(line),
  });
  return { handler, region, bucket, log, topology };
}

/** A stand-in for the other Region's peak until the AWS facts adapter reads it (its own tests cover the read). */
function withPeak(peak: (region: string) => Promise<Record<string, number | undefined>>) {
  return (ports: RunbookPorts): RunbookPorts => {
    const facts: RunbookPorts['facts'] = Object.create(ports.facts);
    facts.peakRunningTasks = (region) => peak(region);
    return { ...ports, facts };
  };
}

const recordAt = (s: ReturnType<typeof setup>, key: string) =>
  parseReadinessRecord(JSON.parse(t.model.s3.text(s.bucket, key) ?? 'null'), `s3://${s.bucket}/${key}`);

describe('scheduled readiness handler, on the AWS model', () => {
  test('writes a readiness-record@1 to the run key and latest.json, and one CheckGreen per check and overall', async () => {
    // GIVEN one green, one red and one broken check, and the other Region's peak readable
    const s = setup({
      checks: [green, red, broken],
      wrap: withPeak(async () => ({ ui: 4, catalog: 2.2, carts: undefined })),
    });
    const startedAt = t.clock.now();
    // WHEN the schedule invokes it
    const result = await s.handler(READINESS_EVENT, context);
    // THEN the run is RED, each check judged (the broken one INCONCLUSIVE: fail closed)
    expect(result).toEqual({
      verdict: 'RED',
      checks: { 'always-green': 'GREEN', 'always-red': 'RED', 'always-throws': 'INCONCLUSIVE' },
      record: `s3://${s.bucket}/${readinessRunKey(startedAt)}`,
      latest: `s3://${s.bucket}/${READINESS_LATEST_KEY}`,
      published: 4,
    });
    // AND both records are the same valid readiness-record@1 in this Region's report bucket
    const record = recordAt(s, readinessRunKey(startedAt));
    expect(recordAt(s, READINESS_LATEST_KEY)).toEqual(record);
    expect(record).toMatchObject({
      schema: 'readiness-record@1',
      appName: 'shop',
      envName: 'dev',
      region: WEST,
      targetRegion: WEST,
      otherRegion: EAST,
      startedAt: '2026-01-27T10:00:00.000Z',
      verdict: 'RED',
      // Counts are whole tasks: a fractional maximum is rounded up; a service without a data point is left out.
      otherRegionPeak: {
        region: EAST,
        hours: 24,
        measuredAt: '2026-01-27T10:00:00.000Z',
        tasks: { ui: 4, catalog: 3 },
      },
    });
    expect(record.checks.map((c) => [c.name, c.verdict, c.failures, c.unknowns])).toEqual([
      ['always-green', 'GREEN', [], []],
      ['always-red', 'RED', ['something differs'], []],
      ['always-throws', 'INCONCLUSIVE', [], ['always-throws could not run: API said no']],
    ]);
    expect(record.checks[0]).toMatchObject({ whenRed: 'always-green is red', notes: ['fine'], evidence: { read: 1 } });
    // AND CloudWatch in this Region has 1 for the green check and 0 for the others and for the run
    expect(
      t.model.cloudWatch.published.map((p) => [p.region, p.namespace, p.metricName, p.dimensions, p.value]),
    ).toEqual([
      [WEST, READINESS_METRICS.namespace, 'CheckGreen', { App: 'shop', Env: 'dev', Check: 'always-green' }, 1],
      [WEST, READINESS_METRICS.namespace, 'CheckGreen', { App: 'shop', Env: 'dev', Check: 'always-red' }, 0],
      [WEST, READINESS_METRICS.namespace, 'CheckGreen', { App: 'shop', Env: 'dev', Check: 'always-throws' }, 0],
      [WEST, READINESS_METRICS.namespace, 'CheckGreen', { App: 'shop', Env: 'dev', Check: OVERALL_CHECK }, 0],
    ]);
    expect(t.model.cloudWatch.published.every((p) => p.timestamp.getTime() === startedAt.getTime())).toBe(true);
  });

  test('an all-green run publishes 1 overall', async () => {
    const s = setup({ checks: [green] });
    expect((await s.handler(READINESS_EVENT, context)).verdict).toBe('GREEN');
    expect(t.model.cloudWatch.published.map((p) => [p.dimensions.Check, p.value])).toEqual([
      ['always-green', 1],
      [OVERALL_CHECK, 1],
    ]);
  });

  test('by default it runs every check of READINESS_CHECKS for its own Region, the record and the metrics agreeing', async () => {
    // GIVEN the shop as deployed, the handler's own check list
    const s = setup({ region: EAST });
    const result = await s.handler(READINESS_EVENT, context);
    const record = recordAt(s, READINESS_LATEST_KEY);
    // THEN every check is in the record, in order, with the Region it runs in as the target
    expect(record.checks.map((c) => c.name)).toEqual(READINESS_CHECKS.map((c) => c.name));
    expect([record.region, record.targetRegion, record.otherRegion]).toEqual([EAST, EAST, WEST]);
    // AND each metric is 1 exactly for a GREEN check; the overall one for a GREEN run
    expect(t.model.cloudWatch.published.map((p) => [p.dimensions.Check, p.value])).toEqual([
      ...record.checks.map((c) => [c.name, c.verdict === 'GREEN' ? 1 : 0]),
      [OVERALL_CHECK, record.verdict === 'GREEN' ? 1 : 0],
    ]);
    expect(result.verdict).toBe(record.verdict);
  });

  test("the other Region's peak not readable (its Region down): the record has no peak, and the log says why", async () => {
    const s = setup({
      checks: [green],
      wrap: withPeak(async (region) => {
        throw new Error(`connect ETIMEDOUT monitoring.${region}.amazonaws.com:443`);
      }),
    });
    t.model.regionDown(EAST);
    await s.handler(READINESS_EVENT, context);
    expect(recordAt(s, READINESS_LATEST_KEY).otherRegionPeak).toBeUndefined();
    expect(s.log).toContain(
      `other Region's peak: not read from ${EAST}: connect ETIMEDOUT monitoring.${EAST}.amazonaws.com:443`,
    );
  });

  test('no data point for any service of the other Region: no peak in the record', async () => {
    const s = setup({ checks: [green], wrap: withPeak(async () => ({ ui: undefined })) });
    await s.handler(READINESS_EVENT, context);
    expect(recordAt(s, READINESS_LATEST_KEY).otherRegionPeak).toBeUndefined();
  });

  test('a check that does not answer is INCONCLUSIVE after its budget, and the run goes on', async () => {
    const hangs = check('hangs', () => new Promise(() => undefined));
    const s = setup({ checks: [hangs, green], checkTimeoutMs: 20 });
    const result = await s.handler(READINESS_EVENT, context);
    expect(result.checks).toEqual({ hangs: 'INCONCLUSIVE', 'always-green': 'GREEN' });
    expect(recordAt(s, READINESS_LATEST_KEY).checks[0]!.unknowns).toEqual([
      'hangs could not run: no answer within 1 s',
    ]);
  });

  test('with no time left in the invocation, checks are not started but the record and the metrics are written', async () => {
    let started = false;
    const s = setup({
      checks: [
        check('late', async () => {
          started = true;
          return { failures: [], notes: [] };
        }),
      ],
    });
    const result = await s.handler(READINESS_EVENT, { getRemainingTimeInMillis: () => 10_000 });
    expect(started).toBe(false);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(recordAt(s, READINESS_LATEST_KEY).checks[0]!.unknowns).toEqual([
      'late could not run: not run: the invocation had no time left for it',
    ]);
    expect(t.model.cloudWatch.published.map((p) => p.value)).toEqual([0, 0]);
  });

  test('metrics that cannot be published fail the invocation, after both records were written', async () => {
    const s = setup({ checks: [green] });
    t.model.faults.fail(
      { service: 'cloudwatch', operation: 'PutMetricData' },
      unmodelledError('AccessDenied', 'not authorized to perform: cloudwatch:PutMetricData'),
    );
    await expect(s.handler(READINESS_EVENT, context)).rejects.toThrow(
      `readiness GREEN for ${WEST}, but the metrics were not published: PutMetricData ${READINESS_METRICS.namespace} (2 data points) in ${WEST}: AccessDenied: not authorized to perform: cloudwatch:PutMetricData`,
    );
    expect(recordAt(s, READINESS_LATEST_KEY).verdict).toBe('GREEN');
    expect(t.model.s3.keys(s.bucket, 'readiness/runs/')).toHaveLength(1);
  });

  test('a record that cannot be written fails the invocation, after the metrics and the other record went out', async () => {
    const s = setup({ checks: [red] });
    t.model.faults.fail(
      { service: 's3', operation: 'PutObject', when: (r) => r.input.Key === READINESS_LATEST_KEY },
      unmodelledError('AccessDenied', 'Access Denied', { httpStatusCode: 403 }),
    );
    await expect(s.handler(READINESS_EVENT, context)).rejects.toThrow(
      `readiness RED for ${WEST}, but ${READINESS_LATEST_KEY} was not written: PutObject s3://${s.bucket}/${READINESS_LATEST_KEY}: AccessDenied: Access Denied`,
    );
    expect(t.model.cloudWatch.published.map((p) => [p.dimensions.Check, p.value])).toEqual([
      ['always-red', 0],
      [OVERALL_CHECK, 0],
    ]);
    expect(t.model.s3.keys(s.bucket, 'readiness/runs/')).toHaveLength(1);
    expect(t.model.s3.text(s.bucket, READINESS_LATEST_KEY)).toBeUndefined();
  });

  test('every run has its own record; latest.json is the last', async () => {
    const s = setup({ checks: [green] });
    await s.handler(READINESS_EVENT, context);
    t.clock.advance(30 * 60_000);
    await s.handler(READINESS_EVENT, context);
    expect(t.model.s3.keys(s.bucket, 'readiness/runs/')).toEqual([
      'readiness/runs/2026/01/27/20260127T100000Z.json',
      'readiness/runs/2026/01/27/20260127T103000Z.json',
    ]);
    expect(recordAt(s, READINESS_LATEST_KEY).startedAt).toBe('2026-01-27T10:30:00.000Z');
  });

  test('refuses an event meant for another function, naming what it accepts', async () => {
    const s = setup({ checks: [green] });
    await expect(s.handler({ orchestration: 'preserve-snapshots' }, context)).rejects.toThrow(
      'invalid event {"orchestration":"preserve-snapshots"}; accepted: {"run":"readiness"} (the schedule\'s event)',
    );
    expect(t.model.cloudWatch.published).toEqual([]);
  });

  test("every port method a default run calls is in scheduledReadinessMethods() (the function's policy is derived from it)", async () => {
    // GIVEN the shop as deployed, the handler's own checks, every port call recorded
    const called = new Set<PortMethod>();
    const recording = (ports: RunbookPorts): RunbookPorts =>
      Object.fromEntries(
        Object.entries(ports).map(([port, adapter]) => [
          port,
          new Proxy(adapter as object, {
            get(target, method, receiver) {
              const value = Reflect.get(target, method, receiver);
              if (typeof value !== 'function' || typeof method !== 'string') return value;
              return (...args: unknown[]) => {
                called.add(`${port}.${method}` as PortMethod);
                return value.apply(target, args);
              };
            },
          }),
        ]),
      ) as unknown as RunbookPorts;
    const s = setup({ region: EAST, wrap: recording });
    // WHEN it runs
    await s.handler(READINESS_EVENT, context);
    // THEN it called the record writes and the other Region's peak read, and nothing the list leaves out
    expect(called).toContain('reports.putJson');
    expect(called).toContain('facts.peakRunningTasks');
    expect([...called].filter((m) => !scheduledReadinessMethods().includes(m))).toEqual([]);
    // AND the list is what the checks declare, plus those two and the clock stamping the peak
    expect(scheduledReadinessMethods()).toEqual(
      [
        ...new Set([
          'clock.now',
          'facts.peakRunningTasks',
          'reports.putJson',
          ...SCHEDULED_READINESS_CHECKS.flatMap((c) => c.uses),
        ] as PortMethod[]),
      ].sort(),
    );
  });

  test('refuses to run in a Region the topology does not know', async () => {
    const s = setup({ checks: [green], environment: { AWS_REGION: 'eu-west-1' } });
    await expect(s.handler(READINESS_EVENT, context)).rejects.toThrow(
      `targetRegion: "eu-west-1" is not a Region of this topology; accepted: ${EAST} or ${WEST}`,
    );
  });
});
