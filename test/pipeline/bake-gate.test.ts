import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmHistoryCommand,
  type DescribeAlarmHistoryInput,
  DescribeAlarmsCommand,
  type DescribeAlarmsInput,
  GetMetricDataCommand,
  type GetMetricDataInput,
  InternalServiceFault,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConstantBackoff } from 'cockatiel';
import type { AlarmState } from '../../.github/actions/bake-gate/alarm-transitions';
import { readBakeGateInputs } from '../../.github/actions/bake-gate/bake-inputs';
import { planBake } from '../../.github/actions/bake-gate/bake-plan';
import { run } from '../../.github/actions/bake-gate/main';
import { InputError } from '../../.github/actions/cli-support/action-inputs';
import { FakeClock, minutes, runAction } from './action-harness';

const START = new Date('2025-03-01T12:00:00Z');
const CANARY_ALARM = 'shop-dev-use1-canary-success';
const ALB_ALARM = 'shop-dev-use1-alb-5xx';
const TARGETS_ALARM = 'shop-dev-use1-unhealthy-targets';
const CANARY = 'shop-dev-use1-browse';
const THRESHOLD_REASON =
  'Threshold Crossed: 1 datapoint [12.0 (01/03/25 12:02:00)] was greater than the threshold (5.0).';

const cloudWatch = mockClient(CloudWatchClient);
const cloudFormation = mockClient(CloudFormationClient);
let clock: FakeClock;

interface FakeAlarm {
  readonly name: string;
  readonly initial: AlarmState;
  /** State changes, `at` in milliseconds after START. */
  readonly changes?: ReadonlyArray<{ readonly at: number; readonly to: AlarmState }>;
  /** What DescribeAlarms says of its definition beyond the state; a 5xx count alarm on the load balancer otherwise. */
  readonly definition?: Partial<MetricAlarm>;
}

/**
 * A CloudWatch of one Region over a timeline: DescribeAlarms answers each alarm's state at the fake clock's now,
 * DescribeAlarmHistory the changes between StartDate and EndDate, GetMetricData the canary runs per minute.
 */
function fakeCloudWatch(
  alarms: readonly FakeAlarm[],
  canaryRuns: Readonly<Record<string, readonly CanaryRun[]>>,
  faults: { readonly alarms?: Error[]; readonly history?: Error[] } = {},
): void {
  const stateAt = (alarm: FakeAlarm, time: number) => {
    const passed = (alarm.changes ?? []).filter((c) => START.getTime() + c.at <= time);
    const last = passed.at(-1);
    return last
      ? { state: last.to, changedAt: new Date(START.getTime() + last.at) }
      : { state: alarm.initial, changedAt: new Date(START.getTime() - minutes(60)) };
  };
  const describe = (alarm: FakeAlarm): MetricAlarm => {
    const { state, changedAt } = stateAt(alarm, clock.now().getTime());
    return {
      AlarmName: alarm.name,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm.name}`,
      StateValue: state,
      StateReason: state === 'ALARM' ? THRESHOLD_REASON : 'Threshold Crossed: no datapoints were received.',
      StateUpdatedTimestamp: changedAt,
      StateTransitionedTimestamp: changedAt,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      ...alarm.definition,
    };
  };
  cloudWatch.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsInput) => {
    const fault = faults.alarms?.shift();
    if (fault) return Promise.reject(fault);
    const selected = alarms.filter((a) =>
      input.AlarmNamePrefix !== undefined
        ? a.name.startsWith(input.AlarmNamePrefix)
        : input.AlarmNames?.includes(a.name),
    );
    return { MetricAlarms: selected.map(describe), CompositeAlarms: [] };
  });
  cloudWatch.on(DescribeAlarmHistoryCommand).callsFake((input: DescribeAlarmHistoryInput) => {
    const fault = faults.history?.shift();
    if (fault) return Promise.reject(fault);
    const alarm = alarms.find((a) => a.name === input.AlarmName)!;
    const items = [];
    let from = alarm.initial;
    for (const change of alarm.changes ?? []) {
      const at = new Date(START.getTime() + change.at);
      if (at >= input.StartDate! && at <= input.EndDate! && at <= clock.now()) {
        items.push({
          AlarmName: alarm.name,
          AlarmType: 'MetricAlarm' as const,
          Timestamp: at,
          HistoryItemType: 'StateUpdate' as const,
          HistorySummary: `Alarm updated from ${from} to ${change.to}`,
          HistoryData: JSON.stringify({
            version: '1.0',
            oldState: { stateValue: from, stateReason: 'previous' },
            newState: { stateValue: change.to, stateReason: change.to === 'ALARM' ? THRESHOLD_REASON : 'recovered' },
          }),
        });
      }
      from = change.to;
    }
    return { AlarmHistoryItems: items };
  });
  cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
      const name = query.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '';
      const stat = query.MetricStat?.Stat;
      // GetMetricData rounds a recent StartTime down to the whole minute.
      const from = Math.floor(input.StartTime!.getTime() / 60_000) * 60_000;
      const perMinute = new Map<number, number>();
      for (const run of canaryRuns[name] ?? []) {
        const { at: offset, percent } = typeof run === 'number' ? { at: run, percent: 100 } : run;
        const at = START.getTime() + offset;
        if (at < from || at >= input.EndTime!.getTime()) continue;
        const minute = Math.floor(at / 60_000) * 60_000;
        const before = perMinute.get(minute);
        perMinute.set(minute, stat === 'Minimum' ? Math.min(before ?? 100, percent) : (before ?? 0) + 1);
      }
      const minutesWithRuns = [...perMinute.keys()].sort((a, b) => b - a);
      return {
        Id: query.Id,
        Label: 'SuccessPercent',
        Timestamps: minutesWithRuns.map((m) => new Date(m)),
        Values: minutesWithRuns.map((m) => perMinute.get(m)!),
        StatusCode: 'Complete' as const,
      };
    }),
  }));
}

/** A canary run at an offset from START (ms), successful, or with its SuccessPercent. */
type CanaryRun = number | { readonly at: number; readonly percent: number };

const healthy = (name: string): FakeAlarm => ({ name, initial: 'OK' });
/** A canary on a 5-minute schedule, first run one minute into the bake. */
const everyFiveMinutes = [1, 6, 11, 16, 21, 26, 31].map(minutes);

const watchInputs = {
  mode: 'watch',
  region: 'us-east-1',
  alarm_names: `${CANARY_ALARM}, ${ALB_ALARM}\n${TARGETS_ALARM}`,
  canary_names: CANARY,
  bake_minutes: '20',
  min_canary_runs: '3',
  poll_seconds: '60',
};

const runGate = (inputs: Record<string, string>) =>
  runAction(() => run({ clock, retry: { backoff: new ConstantBackoff(0) } }), inputs);

beforeEach(() => {
  cloudWatch.reset();
  cloudFormation.reset();
  clock = new FakeClock(START);
});

describe('planBake', () => {
  test.each([
    [5, 30, ['watch'], 5, 0],
    [25, 30, ['watch'], 25, 0],
    [26, 30, ['watch', 'verify-history'], 25, 1],
    [60, 30, ['watch', 'verify-history'], 25, 35],
    [360, 30, ['watch', 'verify-history'], 25, 335],
    [60, 60, ['watch', 'verify-history'], 55, 5],
    [55, 60, ['watch'], 55, 0],
    [20, 15, ['watch', 'verify-history'], 10, 10],
  ])(
    'a %i-minute bake with %i-minute credentials runs %j: watch %i minutes, wait %i',
    (bake, credentials, modes, watch, wait) => {
      expect(planBake(bake, credentials)).toEqual({
        bakeMinutes: bake,
        credentialMinutes: credentials,
        modes,
        watchMinutes: watch,
        waitMinutes: wait,
      });
    },
  );

  test('credentials default to the 30 minutes of the generated jobs', () => {
    expect(planBake(30).modes).toEqual(['watch', 'verify-history']);
    expect(planBake(25).modes).toEqual(['watch']);
  });

  test.each([
    [0, 30, 'planBake: bakeMinutes 0 is out of range; accepted: a whole number from 1 to 43200'],
    [2.5, 30, 'planBake: bakeMinutes 2.5 is out of range; accepted: a whole number from 1 to 43200'],
    [20, 10, 'planBake: credentialMinutes 10 is out of range; accepted: a whole number from 15 to 60'],
    [20, 61, 'planBake: credentialMinutes 61 is out of range; accepted: a whole number from 15 to 60'],
  ])('refuses bakeMinutes %p with credentialMinutes %p', (bake, credentials, message) => {
    expect(() => planBake(bake, credentials)).toThrow(new RangeError(message));
  });
});

describe('bake-gate inputs', () => {
  const problemsOf = (inputs: Record<string, string>, now = START): readonly string[] => {
    try {
      readBakeGateInputs((name) => inputs[name] ?? '', now);
    } catch (error) {
      if (error instanceof InputError) return error.problems;
      throw error;
    }
    throw new Error('expected an InputError');
  };

  test('a missing mode is reported alone, with the accepted modes', () => {
    expect(problemsOf({})).toEqual([
      'mode: no value given; accepted: "watch", "verify-history", "readiness" or "plan"',
    ]);
  });

  test('every bad value is named with the value received and what is accepted', () => {
    expect(
      problemsOf({
        mode: 'watch',
        region: 'us-east',
        alarm_names: 'a,b',
        canary_names: 'Browse Canary',
        bake_minutes: 'twenty',
        min_canary_runs: '0',
        poll_seconds: '1',
      }),
    ).toEqual([
      'region: "us-east" is not a Region name; accepted: a Region such as "us-east-1"',
      'canary_names: "Browse Canary" has an item "Browse Canary" that is not a canary name; accepted: a list of 1 to 100 items separated by commas or new lines, each a canary name (lowercase letters, digits, hyphens, underscores)',
      'bake_minutes: "twenty" is not a whole number; accepted: a whole number from 1 to 43200',
      'min_canary_runs: "0" is out of range; accepted: a whole number from 1 to 100',
      'poll_seconds: "1" is out of range; accepted: a whole number from 5 to 300',
    ]);
  });

  test('an alarm selection is required', () => {
    const { alarm_names: _, ...withoutAlarms } = watchInputs;
    expect(problemsOf(withoutAlarms)).toEqual([
      'alarm_names, alarm_prefix: neither given; accepted: alarm names, an alarm-name prefix, or both (at least one)',
    ]);
  });

  test('a live watch longer than the credentials is refused, pointing at the split bake', () => {
    expect(problemsOf({ ...watchInputs, bake_minutes: '40' })).toEqual([
      'bake_minutes (watch_minutes not given): "40" would outlast the job\'s 30-minute credentials; accepted: at most 25 minutes of live watching (split the bake: watch, then verify-history after a GitHub Environment wait timer, as planBake says)',
    ]);
    expect(problemsOf({ ...watchInputs, bake_minutes: '40', watch_minutes: '41' })).toEqual([
      'watch_minutes: "41" is longer than the bake; accepted: at most bake_minutes (40)',
    ]);
  });

  // Review-12 D11: both roles a bake job assumes last at most an hour (maxSessionDuration 1 h in
  // github-oidc-stack.ts), and STS AssumeRole: "Role chaining limits your Amazon Web Services CLI or Amazon Web
  // Services API role session to a maximum of one hour" (API reference, DurationSeconds).
  test.each(['watch', 'plan'])(
    'credential_minutes above 60 is refused in %s, naming the field, value and range',
    (mode) => {
      expect(problemsOf({ ...watchInputs, mode, credential_minutes: '61' })).toEqual([
        'credential_minutes: "61" is out of range; accepted: a whole number from 15 to 60 (an hour: the roles\' maximum session and the role-chaining maximum)',
      ]);
      const inputs: Record<string, string> = { ...watchInputs, mode, credential_minutes: '60' };
      expect(readBakeGateInputs((name) => inputs[name] ?? '', START)).toMatchObject({ credentialMinutes: 60 });
    },
  );

  test('verify-history refuses a window shorter than the bake, or ending in the future', () => {
    const verify = { ...watchInputs, mode: 'verify-history' };
    expect(problemsOf({ ...verify, window_start: '2025-03-01T11:50:00Z' })).toEqual([
      'window_start: "2025-03-01T11:50:00Z" is only 10m00s before the window end (2025-03-01T12:00:00Z); accepted: a time at least bake_minutes (20) before it — did the Environment wait timer run?',
    ]);
    expect(problemsOf({ ...verify, window_start: '2025-03-01T11:00:00Z', window_end: '2025-03-01T12:05:00Z' })).toEqual(
      [
        'window_end: "2025-03-01T12:05:00Z" is in the future; accepted: a time not after now (2025-03-01T12:00:00Z), or nothing for now',
      ],
    );
    expect(problemsOf({ ...verify, window_start: 'yesterday' })).toEqual([
      'window_start: "yesterday" is not an ISO 8601 time with a time zone and a date and time that exist; accepted: the watch job\'s window_start output (when the bake started), an ISO 8601 time with a time zone, such as "2025-01-31T12:00:00Z"',
    ]);
  });

  test('a time that does not exist (February 30, 24:00) is refused, not rolled over into another day', () => {
    const verify = { ...watchInputs, mode: 'verify-history' };
    for (const impossible of ['2025-02-30T11:00:00Z', '2025-03-01T24:00:00Z', '2025-03-01T11:00:00+24:00']) {
      const problems = problemsOf({ ...verify, window_start: impossible });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`window_start: "${impossible}" is not an ISO 8601 time`);
    }
  });

  test('verify-history checks from the watch start it is given up to now', () => {
    const inputs = readBakeGateInputs(
      (name) => ({ ...watchInputs, mode: 'verify-history', window_start: '2025-03-01T11:35:00Z' })[name] ?? '',
      START,
    );
    expect(inputs).toMatchObject({ windowStart: new Date('2025-03-01T11:35:00Z'), windowEnd: START });
  });

  test('bad inputs stop the run before any AWS call, with exit code 2', async () => {
    const result = await runGate({ ...watchInputs, region: 'moon-1' });
    expect(result.failure).toBe(
      'Invalid inputs (nothing was called):\n  - region: "moon-1" is not a Region name; accepted: a Region such as "us-east-1"',
    );
    expect(result.exitCode).toBe(2);
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});

describe('bake-gate watch', () => {
  test('all alarms OK for the whole window and enough canary runs: the bake passes', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM), healthy(ALB_ALARM), healthy(TARGETS_ALARM)], { [CANARY]: everyFiveMinutes });

    const result = await runGate(watchInputs);

    expect(result.failure).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 21);
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 0);
    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: START,
      EndTime: new Date('2025-03-01T12:20:00Z'),
    });
    expect(clock.sleeps).toEqual(Array(20).fill(60_000));
    const progress = result.lines.filter((line) => line.startsWith('['));
    expect(progress).toHaveLength(21);
    expect(progress[0]).toBe(`[0s/20m00s] ${ALB_ALARM}=OK ${CANARY_ALARM}=OK ${TARGETS_ALARM}=OK`);
    expect(progress[20]).toBe(`[20m00s/20m00s] ${ALB_ALARM}=OK ${CANARY_ALARM}=OK ${TARGETS_ALARM}=OK`);
    expect(result.lines).toContain('Bake gate (watch) passed in us-east-1');
    expect(result.outputs).toEqual({
      result: 'passed',
      window_start: '2025-03-01T12:00:00Z',
      window_end: '2025-03-01T12:20:00Z',
    });
    expect(result.summary).toBe(
      [
        '<h2>Bake gate watch in us-east-1</h2>',
        '<p>Result: passed</p>',
        '<p>Window: 2025-03-01T12:00:00Z to 2025-03-01T12:20:00Z (20m00s of a 20-minute bake)</p>',
        '<table><tr><th>alarm</th><th>state at start</th><th>state</th><th>transitions in window</th></tr>' +
          `<tr><td>${ALB_ALARM}</td><td>OK</td><td>OK</td><td>0</td></tr>` +
          `<tr><td>${CANARY_ALARM}</td><td>OK</td><td>OK</td><td>0</td></tr>` +
          `<tr><td>${TARGETS_ALARM}</td><td>OK</td><td>OK</td><td>0</td></tr></table>`,
        `<table><tr><th>canary</th><th>runs in window</th><th>failed runs</th><th>required</th></tr><tr><td>${CANARY}</td><td>4</td><td>0</td><td>3</td></tr></table>`,
        '',
      ].join('\n'),
    );
  });

  test('an alarm going to ALARM mid-window fails the bake at once and stops polling', async () => {
    fakeCloudWatch(
      [
        healthy(CANARY_ALARM),
        healthy(TARGETS_ALARM),
        { name: ALB_ALARM, initial: 'OK', changes: [{ at: minutes(2.5), to: 'ALARM' }] },
      ],
      { [CANARY]: everyFiveMinutes },
    );

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${ALB_ALARM}" went to ALARM at 2025-03-01T12:02:30Z, 2m30s into the bake window: ${THRESHOLD_REASON}`,
    );
    expect(result.exitCode).toBe(1);
    // Polls at 0, 1, 2 and 3 minutes; the fourth sees the ALARM and nothing follows.
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 4);
    expect(clock.sleeps).toEqual([60_000, 60_000, 60_000]);
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 1);
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, {
      AlarmName: ALB_ALARM,
      HistoryItemType: 'StateUpdate',
      StartDate: START,
      EndDate: new Date('2025-03-01T12:03:00Z'),
    });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    expect(result.lines.filter((line) => line.startsWith('[')).at(-1)).toBe(
      `[3m00s/20m00s] ${ALB_ALARM}=ALARM ${CANARY_ALARM}=OK ${TARGETS_ALARM}=OK`,
    );
    expect(result.lines).toContain('Stopping the watch: an alarm in ALARM');
    expect(result.outputs['result']).toBe('failed');
    expect(result.outputs['window_end']).toBe('2025-03-01T12:03:00Z');
    expect(result.summary).toContain('<p>Result: FAILED</p>');
    expect(result.summary).toContain(
      `<tr><td>${ALB_ALARM}</td><td>OK</td><td>ALARM</td><td>1; OK→ALARM at 2025-03-01T12:02:30Z</td></tr>`,
    );
  });

  test('an ALARM shorter than the poll interval is caught from the alarm history', async () => {
    fakeCloudWatch(
      [
        healthy(CANARY_ALARM),
        healthy(TARGETS_ALARM),
        {
          name: ALB_ALARM,
          initial: 'OK',
          changes: [
            { at: minutes(4) + 10_000, to: 'ALARM' },
            { at: minutes(4) + 40_000, to: 'OK' },
          ],
        },
      ],
      { [CANARY]: everyFiveMinutes },
    );

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${ALB_ALARM}" went to ALARM at 2025-03-01T12:04:10Z, 4m10s into the bake window: ${THRESHOLD_REASON}`,
    );
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 6);
  });

  test('an alarm already in ALARM when the watch starts fails the first poll', async () => {
    fakeCloudWatch([{ name: CANARY_ALARM, initial: 'ALARM' }, healthy(ALB_ALARM), healthy(TARGETS_ALARM)], {
      [CANARY]: everyFiveMinutes,
    });

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${CANARY_ALARM}" was already in ALARM when the bake window started (2025-03-01T12:00:00Z): ${THRESHOLD_REASON}`,
    );
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(clock.sleeps).toEqual([]);
  });

  test('an alarm stuck in INSUFFICIENT_DATA for the whole window fails the bake: no evidence', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM), healthy(ALB_ALARM), { name: TARGETS_ALARM, initial: 'INSUFFICIENT_DATA' }], {
      [CANARY]: everyFiveMinutes,
    });

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${TARGETS_ALARM}" stayed in INSUFFICIENT_DATA for the whole bake window (2025-03-01T12:00:00Z to 2025-03-01T12:20:00Z): it gave no evidence that the Region is healthy; check that its metric is published (and that the alarm treats missing data as notBreaching where silence means healthy)`,
    );
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 21);
  });

  test('an alarm that leaves INSUFFICIENT_DATA during the window counts as evidence', async () => {
    fakeCloudWatch(
      [
        healthy(CANARY_ALARM),
        healthy(ALB_ALARM),
        { name: TARGETS_ALARM, initial: 'INSUFFICIENT_DATA', changes: [{ at: minutes(3), to: 'OK' }] },
      ],
      { [CANARY]: everyFiveMinutes },
    );

    const result = await runGate(watchInputs);

    expect(result.failure).toBeUndefined();
    expect(result.summary).toContain(
      `<tr><td>${TARGETS_ALARM}</td><td>INSUFFICIENT_DATA</td><td>OK</td><td>1; INSUFFICIENT_DATA→OK at 2025-03-01T12:03:00Z</td></tr>`,
    );
  });

  test('too few canary runs in the window fail the bake', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM)], { [CANARY]: [minutes(1), minutes(16)] });

    const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM });

    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Canary "${CANARY}" ran 2 times in the bake window (2025-03-01T12:00:00Z to 2025-03-01T12:20:00Z); at least 3 runs are required`,
    );
    expect(result.summary).toContain(`<tr><td>${CANARY}</td><td>2</td><td>0</td><td>3</td></tr>`);
  });

  test('a canary that never ran is reported with 0 runs', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM)], {});

    const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM });

    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Canary "${CANARY}" ran 0 times in the bake window (2025-03-01T12:00:00Z to 2025-03-01T12:20:00Z); at least 3 runs are required`,
    );
  });

  test('a named alarm that does not exist, or a prefix matching nothing, fails before watching', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM)], { [CANARY]: everyFiveMinutes });

    const result = await runGate({
      ...watchInputs,
      alarm_names: `${CANARY_ALARM},shop-dev-use1-typo`,
      alarm_prefix: 'shop-dev-usw2-',
    });

    expect(result.failure).toBe(
      'Bake gate (watch) failed in us-east-1:\n' +
        '  - Alarm "shop-dev-use1-typo" does not exist in us-east-1 (alarm_names); the bake cannot watch it\n' +
        '  - No alarm in us-east-1 has a name starting with "shop-dev-usw2-" (alarm_prefix); the bake needs alarms to watch',
    );
    expect(clock.sleeps).toEqual([]);
  });

  test('alarms selected by prefix are watched', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM), healthy(ALB_ALARM), healthy('shop-dev-usw2-alb-5xx')], {
      [CANARY]: everyFiveMinutes,
    });

    const result = await runGate({ ...watchInputs, alarm_names: '', alarm_prefix: 'shop-dev-use1-' });

    expect(result.failure).toBeUndefined();
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNamePrefix: 'shop-dev-use1-',
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(result.lines[0]).toBe(`[0s/20m00s] ${ALB_ALARM}=OK ${CANARY_ALARM}=OK`);
  });

  test('a watch shorter than the bake leaves the evidence checks to verify-history', async () => {
    fakeCloudWatch([{ name: TARGETS_ALARM, initial: 'INSUFFICIENT_DATA' }], {});

    const result = await runGate({
      ...watchInputs,
      alarm_names: TARGETS_ALARM,
      bake_minutes: '60',
      watch_minutes: '25',
    });

    expect(result.failure).toBeUndefined();
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 26);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    expect(result.summary).toContain(
      '<p>Evidence (INSUFFICIENT_DATA, last state OK, canary runs and their success) is checked over the whole bake by the verify-history job that follows.</p>',
    );
    expect(result.outputs['window_start']).toBe('2025-03-01T12:00:00Z');
  });
});

describe('bake-gate AWS errors', () => {
  const throttled = () =>
    new CloudWatchServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
  const serverError = () =>
    new InternalServiceFault({ $metadata: { httpStatusCode: 500 }, message: 'Request processing has failed' });

  test('throttling and 5xx errors are retried, and the bake carries on', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM)], { [CANARY]: everyFiveMinutes }, { alarms: [throttled(), serverError()] });

    const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM });

    expect(result.failure).toBeUndefined();
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 23);
  });

  test('a call still throttled after 5 attempts fails the run with a clear message and exit code 3', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(throttled());

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      'CloudWatch DescribeAlarms in us-east-1 failed after 5 attempts: ThrottlingException: Rate exceeded',
    );
    expect(result.exitCode).toBe(3);
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 5);
  });

  test('a persistent 5xx on the history fails the run after 5 attempts', async () => {
    fakeCloudWatch(
      [{ name: ALB_ALARM, initial: 'OK', changes: [{ at: minutes(1), to: 'INSUFFICIENT_DATA' }] }],
      { [CANARY]: everyFiveMinutes },
      { history: Array.from({ length: 10 }, serverError) },
    );

    const result = await runGate({ ...watchInputs, alarm_names: ALB_ALARM });

    expect(result.failure).toBe(
      'CloudWatch DescribeAlarmHistory in us-east-1 failed after 5 attempts: InternalServiceFault: Request processing has failed',
    );
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmHistoryCommand, 5);
  });

  test('an access error is not retried', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(
      new CloudWatchServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: cloudwatch:DescribeAlarms',
      }),
    );

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      'CloudWatch DescribeAlarms in us-east-1 failed: AccessDenied: User is not authorized to perform: cloudwatch:DescribeAlarms (not retried: not a throttling, server or network error)',
    );
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
  });

  test('expired credentials are named as such', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(
      new CloudWatchServiceException({
        name: 'ExpiredToken',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'The security token included in the request is expired',
      }),
    );

    const result = await runGate(watchInputs);

    expect(result.failure).toBe(
      "CloudWatch DescribeAlarms in us-east-1 failed: ExpiredToken: The security token included in the request is expired (the job's AWS credentials expired: keep the step shorter than the credential lifetime)",
    );
  });
});

describe('bake-gate verify-history', () => {
  // Verify runs at 13:05 over the window from the watch's start (12:05): the last 60 minutes.
  const verifyInputs = {
    ...watchInputs,
    mode: 'verify-history',
    bake_minutes: '60',
    window_start: '2025-03-01T12:05:00Z',
  };
  const verifyAt = () => {
    clock = new FakeClock(new Date(START.getTime() + minutes(65)));
  };
  const hourOfRuns = Array.from({ length: 13 }, (_, i) => minutes(5 * i + 6));

  test('no ALARM in the window, no silent alarm, enough canary runs: the bake passes', async () => {
    verifyAt();
    fakeCloudWatch(
      [
        healthy(CANARY_ALARM),
        healthy(TARGETS_ALARM),
        { name: ALB_ALARM, initial: 'INSUFFICIENT_DATA', changes: [{ at: minutes(2), to: 'OK' }] },
      ],
      { [CANARY]: hourOfRuns },
    );

    const result = await runGate(verifyInputs);

    expect(result.failure).toBeUndefined();
    expect(result.outputs).toEqual({
      result: 'passed',
      window_start: '2025-03-01T12:05:00Z',
      window_end: '2025-03-01T13:05:00Z',
    });
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, {
      AlarmName: CANARY_ALARM,
      StartDate: new Date('2025-03-01T12:05:00Z'),
      EndDate: new Date('2025-03-01T13:05:00Z'),
    });
    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date('2025-03-01T12:05:00Z'),
      EndTime: new Date('2025-03-01T13:05:00Z'),
    });
    expect(result.summary).toContain(`<tr><td>${CANARY}</td><td>12</td><td>0</td><td>3</td></tr>`);
    expect(clock.sleeps).toEqual([]);
  });

  test('a transition to ALARM inside the window fails the bake, even when the alarm is OK again', async () => {
    verifyAt();
    fakeCloudWatch(
      [
        healthy(CANARY_ALARM),
        healthy(TARGETS_ALARM),
        {
          name: ALB_ALARM,
          initial: 'OK',
          changes: [
            { at: minutes(40), to: 'ALARM' },
            { at: minutes(42), to: 'OK' },
          ],
        },
      ],
      { [CANARY]: hourOfRuns },
    );

    const result = await runGate(verifyInputs);

    expect(result.failure).toBe(
      `Bake gate (verify-history) failed in us-east-1:\n  - Alarm "${ALB_ALARM}" went to ALARM at 2025-03-01T12:40:00Z, 35m00s into the bake window: ${THRESHOLD_REASON}`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain(
      `<tr><td>${ALB_ALARM}</td><td>OK</td><td>OK</td><td>2; OK→ALARM at 2025-03-01T12:40:00Z; ALARM→OK at 2025-03-01T12:42:00Z</td></tr>`,
    );
  });

  test('an explicit window is checked as given; a change after its end tells the state inside it', async () => {
    verifyAt();
    fakeCloudWatch([{ name: ALB_ALARM, initial: 'ALARM', changes: [{ at: minutes(62), to: 'OK' }] }], {
      [CANARY]: hourOfRuns,
    });

    const result = await runGate({
      ...verifyInputs,
      alarm_names: ALB_ALARM,
      window_start: '2025-03-01T12:00:00Z',
      window_end: '2025-03-01T13:00:00Z',
    });

    expect(result.failure).toBe(
      `Bake gate (verify-history) failed in us-east-1:\n  - Alarm "${ALB_ALARM}" was already in ALARM when the bake window started (2025-03-01T12:00:00Z)`,
    );
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, {
      StartDate: START,
      EndDate: new Date('2025-03-01T13:05:00Z'),
    });
  });

  test('silence and too few runs over the window are both reported', async () => {
    verifyAt();
    fakeCloudWatch([{ name: TARGETS_ALARM, initial: 'INSUFFICIENT_DATA' }], { [CANARY]: [minutes(30)] });

    const result = await runGate({ ...verifyInputs, alarm_names: TARGETS_ALARM });

    expect(result.failure).toBe(
      'Bake gate (verify-history) failed in us-east-1:\n' +
        `  - Alarm "${TARGETS_ALARM}" stayed in INSUFFICIENT_DATA for the whole bake window (2025-03-01T12:05:00Z to 2025-03-01T13:05:00Z): it gave no evidence that the Region is healthy; check that its metric is published (and that the alarm treats missing data as notBreaching where silence means healthy)\n` +
        `  - Canary "${CANARY}" ran 1 time in the bake window (2025-03-01T12:05:00Z to 2025-03-01T13:05:00Z); at least 3 runs are required`,
    );
  });
});

describe('bake-gate plan', () => {
  test('prints the plan and sets its outputs without calling AWS', async () => {
    const result = await runGate({ mode: 'plan', bake_minutes: '60' });

    expect(result.failure).toBeUndefined();
    expect(result.outputs).toEqual({ modes: 'watch verify-history', watch_minutes: '25', wait_minutes: '35' });
    expect(result.summary).toBe(
      [
        '<h2>Bake plan: watch + verify-history</h2>',
        '<p>Split bake of 60 minutes (credentials last 30 minutes):</p>',
        '<p>1. watch for 25 minutes (watch_minutes=25, bake_minutes=60)</p>',
        '<p>2. GitHub Environment wait timer of 35 minutes</p>',
        '<p>3. verify-history over the last 60 minutes</p>',
        '',
      ].join('\n'),
    );
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});

describe('bake evidence: success, last state, window anchored to the watch (review M2/M3)', () => {
  test('GIVEN alarms OK at the start that go to INSUFFICIENT_DATA and stay (scenario B4) WHEN the bake ends THEN it fails', async () => {
    // A canary alarm that treats missing data as missing goes INSUFFICIENT_DATA when the canary stops publishing:
    // an OK from before the deploy is no evidence about the new version.
    fakeCloudWatch(
      [
        { name: CANARY_ALARM, initial: 'OK', changes: [{ at: minutes(1), to: 'INSUFFICIENT_DATA' }] },
        healthy(ALB_ALARM),
        healthy(TARGETS_ALARM),
      ],
      { [CANARY]: everyFiveMinutes },
    );

    const result = await runGate(watchInputs);

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${CANARY_ALARM}" ended the bake window in INSUFFICIENT_DATA (since 2025-03-01T12:01:00Z), not OK: its last state gives no evidence that the Region is healthy`,
    );
    expect(result.outputs['result']).toBe('failed');
  });

  test('GIVEN the same alarm in verify-history WHEN it ends INSUFFICIENT_DATA THEN the bake fails', async () => {
    clock = new FakeClock(new Date(START.getTime() + minutes(65)));
    fakeCloudWatch([{ name: CANARY_ALARM, initial: 'OK', changes: [{ at: minutes(10), to: 'INSUFFICIENT_DATA' }] }], {
      [CANARY]: Array.from({ length: 13 }, (_, i) => minutes(5 * i + 6)),
    });

    const result = await runGate({
      ...watchInputs,
      alarm_names: CANARY_ALARM,
      mode: 'verify-history',
      bake_minutes: '60',
      window_start: '2025-03-01T12:05:00Z',
    });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`Alarm "${CANARY_ALARM}" ended the bake window in INSUFFICIENT_DATA`);
  });

  test('GIVEN a canary failing every other run (its 2-of-2 alarm never fires) WHEN the bake ends THEN it fails on success, not runs', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM)], {
      [CANARY]: [minutes(1), { at: minutes(6), percent: 0 }, minutes(11), { at: minutes(16), percent: 0 }],
    });

    const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Canary "${CANARY}" had 2 failed runs in the bake window (2025-03-01T12:00:00Z to 2025-03-01T12:20:00Z), first in the minute of 2025-03-01T12:06:00Z; every run must succeed (SuccessPercent 100)`,
    );
    expect(result.summary).toContain(`<tr><td>${CANARY}</td><td>4</td><td>2</td><td>3</td></tr>`);
  });

  test('GIVEN a watch starting mid-minute WHEN a run happened earlier in that minute (before the deploy) THEN it is not counted', async () => {
    // GetMetricData rounds a StartTime of less than 15 days ago down to the whole minute, so the query starts at
    // the next whole minute after the watch's start.
    clock = new FakeClock(new Date(START.getTime() + 30_000));
    fakeCloudWatch([healthy(CANARY_ALARM)], { [CANARY]: [10_000, minutes(5) + 10_000, minutes(10) + 10_000] });

    const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`Canary "${CANARY}" ran 2 times in the bake window`);
    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date('2025-03-01T12:01:00Z'),
    });
  });

  // Review M2(4): an internal service's deployment alarm treats missing data as missing (stacks/services/shop-service.ts:
  // an alarm on a metric that is never published must not look OK). Silence fails the bake, closed, and says why.
  const ORDERS_ALARM = 'shop-dev-us-east-1-orders-deployment';
  const ordersAlarm = (changes: FakeAlarm['changes'], initial: AlarmState = 'OK'): FakeAlarm => ({
    name: ORDERS_ALARM,
    initial,
    ...(changes ? { changes } : {}),
    definition: {
      Namespace: undefined,
      MetricName: undefined,
      TreatMissingData: 'missing',
      EvaluationPeriods: 10,
      Metrics: [
        { Id: 'expr', Expression: 'SUM([checkout, ui])' },
        {
          Id: 'checkout',
          MetricStat: {
            Metric: { Namespace: 'AWS/ECS', MetricName: 'HTTPCode_Target_5XX_Count' },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
        {
          Id: 'ui',
          MetricStat: {
            Metric: { Namespace: 'AWS/ECS', MetricName: 'HTTPCode_Target_5XX_Count' },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    },
  });
  const NO_DATA_REASON =
    'it treats missing data as missing, and none of its last 10 minutes had a data point of AWS/ECS HTTPCode_Target_5XX_Count: no request reached what it measures in that time (a service without traffic: the canary journey must exercise it), or the metric is not published under the dimensions the alarm names';

  test('GIVEN an internal service alarm that ends the bake in INSUFFICIENT_DATA WHEN the bake ends THEN it fails, saying the service had no traffic or no metric', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM), ordersAlarm([{ at: minutes(12), to: 'INSUFFICIENT_DATA' }])], {
      [CANARY]: everyFiveMinutes,
    });

    const result = await runGate({ ...watchInputs, alarm_names: `${CANARY_ALARM},${ORDERS_ALARM}` });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${ORDERS_ALARM}" ended the bake window in INSUFFICIENT_DATA (since 2025-03-01T12:12:00Z), not OK: its last state gives no evidence that the Region is healthy; ${NO_DATA_REASON}`,
    );
  });

  test('GIVEN an internal service alarm silent for the whole window WHEN verify-history runs THEN it fails with the same reason', async () => {
    clock = new FakeClock(new Date(START.getTime() + minutes(65)));
    fakeCloudWatch([ordersAlarm(undefined, 'INSUFFICIENT_DATA')], {
      [CANARY]: Array.from({ length: 13 }, (_, i) => minutes(5 * i + 6)),
    });

    const result = await runGate({
      ...watchInputs,
      alarm_names: ORDERS_ALARM,
      mode: 'verify-history',
      bake_minutes: '60',
      window_start: '2025-03-01T12:05:00Z',
    });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(
      `Alarm "${ORDERS_ALARM}" stayed in INSUFFICIENT_DATA for the whole bake window (2025-03-01T12:05:00Z to 2025-03-01T13:05:00Z): it gave no evidence that the Region is healthy; ${NO_DATA_REASON}`,
    );
  });

  test('GIVEN an internal service alarm that ends OK WHEN the bake ends THEN it passes', async () => {
    fakeCloudWatch(
      [
        healthy(CANARY_ALARM),
        ordersAlarm([
          { at: minutes(3), to: 'INSUFFICIENT_DATA' },
          { at: minutes(6), to: 'OK' },
        ]),
      ],
      { [CANARY]: everyFiveMinutes },
    );

    const result = await runGate({ ...watchInputs, alarm_names: `${CANARY_ALARM},${ORDERS_ALARM}` });

    expect(result.exitCode).toBe(0);
  });

  // Review M12: the observability stack (and the services stack's deployment alarms) deploy with the release they
  // gate. A release that redefines a gate alarm (a higher threshold, missing data as notBreaching) must say so: the
  // bake fails when a watched alarm's AlarmConfigurationUpdatedTimestamp is not before this run started, unless the
  // change is accepted.
  const RUN_STARTED = '2025-03-01T11:30:00Z';
  const redefined = (name: string, at: string): FakeAlarm => ({
    name,
    initial: 'OK',
    definition: { AlarmConfigurationUpdatedTimestamp: new Date(at) },
  });

  test('GIVEN a release that redefined a gate alarm WHEN the watch starts THEN the bake fails at once, naming it', async () => {
    fakeCloudWatch([redefined(CANARY_ALARM, '2025-03-01T11:20:00Z'), redefined(ALB_ALARM, '2025-03-01T11:47:12Z')], {
      [CANARY]: everyFiveMinutes,
    });

    const result = await runGate({
      ...watchInputs,
      alarm_names: `${CANARY_ALARM},${ALB_ALARM}`,
      alarm_definitions_since: RUN_STARTED,
    });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      `Bake gate (watch) failed in us-east-1:\n  - Alarm "${ALB_ALARM}" was redefined at 2025-03-01T11:47:12Z, after this run started (${RUN_STARTED}): a release may not change the alarms that gate it; if the change is intended, accept it (accept_alarm_changes: the commit message says "Alarm-Change: accepted")`,
    );
    expect(clock.now()).toEqual(START);
  });

  test('GIVEN the alarm change is accepted WHEN the bake runs THEN it is judged by the new definition and passes', async () => {
    fakeCloudWatch([redefined(CANARY_ALARM, '2025-03-01T11:47:12Z')], { [CANARY]: everyFiveMinutes });

    const result = await runGate({
      ...watchInputs,
      alarm_names: CANARY_ALARM,
      alarm_definitions_since: RUN_STARTED,
      accept_alarm_changes: 'true',
    });

    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(
      `Accepted alarm changes (accept_alarm_changes): ${CANARY_ALARM} redefined at 2025-03-01T11:47:12Z`,
    );
  });

  test('GIVEN a redefined alarm WHEN verify-history checks the window THEN it fails too', async () => {
    clock = new FakeClock(new Date(START.getTime() + minutes(65)));
    fakeCloudWatch([redefined(CANARY_ALARM, '2025-03-01T11:47:12Z')], {
      [CANARY]: Array.from({ length: 13 }, (_, i) => minutes(5 * i + 6)),
    });

    const result = await runGate({
      ...watchInputs,
      alarm_names: CANARY_ALARM,
      mode: 'verify-history',
      bake_minutes: '60',
      window_start: '2025-03-01T12:05:00Z',
      alarm_definitions_since: RUN_STARTED,
    });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`Alarm "${CANARY_ALARM}" was redefined at 2025-03-01T11:47:12Z`);
  });

  // A Region's first deploy creates every alarm in the run: nothing existed to loosen. The stacks that define the
  // alarms (alarm_stacks) tell it: all of them created since the run started.
  test('GIVEN the alarm stacks were created in this run (first deploy) WHEN the bake starts THEN new alarms are not a change', async () => {
    fakeCloudWatch([redefined(CANARY_ALARM, '2025-03-01T11:47:12Z')], { [CANARY]: everyFiveMinutes });
    cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => ({
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(
            input.StackName.endsWith('services') ? '2025-03-01T11:35:00Z' : '2025-03-01T11:46:00Z',
          ),
        },
      ],
    }));

    const result = await runGate({
      ...watchInputs,
      alarm_names: CANARY_ALARM,
      alarm_definitions_since: RUN_STARTED,
      alarm_stacks: 'shop-dev-us-east-1-services,shop-dev-us-east-1-observability',
    });

    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(
      'Alarm definitions not compared: every stack that defines them (shop-dev-us-east-1-services, shop-dev-us-east-1-observability) was created by this run (the Region&#39;s first deploy)',
    );
  });

  test('GIVEN one alarm stack existed before the run WHEN an alarm was redefined THEN the bake fails', async () => {
    fakeCloudWatch([redefined(CANARY_ALARM, '2025-03-01T11:47:12Z')], { [CANARY]: everyFiveMinutes });
    cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => ({
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(
            input.StackName.endsWith('services') ? '2025-02-01T10:00:00Z' : '2025-03-01T11:46:00Z',
          ),
        },
      ],
    }));

    const result = await runGate({
      ...watchInputs,
      alarm_names: CANARY_ALARM,
      alarm_definitions_since: RUN_STARTED,
      alarm_stacks: 'shop-dev-us-east-1-services,shop-dev-us-east-1-observability',
    });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain(`Alarm "${CANARY_ALARM}" was redefined at 2025-03-01T11:47:12Z`);
  });

  // Review M12 and m3: the readiness dry run runs in its own step before the watch (continue-on-error) and the watch
  // gives the job's verdict: a failed readiness is a failed bake (output result=failed, which a rollback reads); a
  // readiness step that gave no outcome (an AWS error) fails the job without a verdict.
  test('GIVEN the readiness dry run failed WHEN the watch starts THEN the bake fails at once with result failed', async () => {
    fakeCloudWatch([healthy(CANARY_ALARM)], { [CANARY]: everyFiveMinutes });

    const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM, readiness: 'failed' });

    expect(result.exitCode).toBe(1);
    expect(result.failure).toBe(
      'Bake gate (watch) failed in us-east-1:\n  - The readiness dry run of us-east-1 failed (its step, before this one, says which check): the runbooks would not take over here',
    );
    expect(result.outputs['result']).toBe('failed');
    expect(cloudWatch.calls()).toHaveLength(0);
  });

  test.each(['passed', 'deferred'])(
    'GIVEN the readiness dry run %s WHEN the bake runs THEN it is judged on its alarms and canaries',
    async (outcome) => {
      fakeCloudWatch([healthy(CANARY_ALARM)], { [CANARY]: everyFiveMinutes });

      const result = await runGate({ ...watchInputs, alarm_names: CANARY_ALARM, readiness: outcome });

      expect(result.exitCode).toBe(0);
      expect(result.outputs['result']).toBe('passed');
    },
  );

  test('GIVEN the readiness step gave no outcome (an AWS error) WHEN the watch starts THEN it fails without a verdict (exit 3)', async () => {
    const result = await runGate({ ...watchInputs, readiness: 'none' });

    expect(result.exitCode).toBe(3);
    expect(result.failure).toBe(
      'The readiness dry run of us-east-1 gave no outcome (its step stopped on an error, see its log): the bake cannot judge the runbooks and gives no verdict',
    );
    expect(result.outputs['result']).toBeUndefined();
    expect(cloudWatch.calls()).toHaveLength(0);
  });

  test('GIVEN alarm_definitions_since that is not a time WHEN run THEN exit 2', async () => {
    const result = await runGate({ ...watchInputs, alarm_definitions_since: 'the run start' });
    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain('alarm_definitions_since: "the run start" is not an ISO 8601 time');
  });

  test('GIVEN verify-history without window_start WHEN run THEN exit 2: its window must be anchored to the watch start (scenario V1)', async () => {
    const result = await runGate({ ...watchInputs, mode: 'verify-history' });
    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain(
      "window_start: no value given; accepted: the watch job's window_start output (when the bake started)",
    );
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});
