import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  type AlarmHistoryItem,
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { AwsCaller } from '../cli-support/aws-retry';
import { type AlarmState, type AlarmTransition, transitionOf } from './alarm-transitions';
import type { AlarmSelection } from './bake-inputs';

/** An alarm as `DescribeAlarms` reports it. */
export interface AlarmStatus {
  readonly name: string;
  readonly state: AlarmState;
  readonly reason: string;
  /** When the state last changed (`StateTransitionedTimestamp`, else `StateUpdatedTimestamp`). */
  readonly changedAt?: Date;
  /**
   * For a metric alarm that treats missing data as missing: what its INSUFFICIENT_DATA means, in words (no data point
   * in its whole evaluation range), for the bake's failure message.
   */
  readonly noData?: string;
  /** When its definition last changed (`AlarmConfigurationUpdatedTimestamp`). */
  readonly definedAt?: Date;
}

/** The alarms a selection found, and what it asked for but did not find. */
export interface SelectedAlarms {
  readonly found: readonly AlarmStatus[];
  /** Alarm names given explicitly that do not exist. */
  readonly missing: readonly string[];
  /** Alarms whose name starts with the prefix; `undefined` without a prefix. */
  readonly prefixMatches?: number;
}

/** What the metrics say about one canary's runs in a window. */
export interface CanaryEvidence {
  /** Runs in the window. */
  readonly runs: number;
  /** The minutes (period start) in which a run had a SuccessPercent below 100, oldest first. */
  readonly failedRunMinutes: readonly Date[];
}

/** The namespace and metric CloudWatch Synthetics publishes once per canary run. */
export const CANARY_RUN_METRIC = { namespace: 'CloudWatchSynthetics', metricName: 'SuccessPercent' } as const;

/** Reads the bake evidence of one Region from CloudWatch: alarm states, alarm history, canary runs. */
export class CloudWatchEvidence {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly region: string,
    private readonly call: AwsCaller,
  ) {}

  /** The alarms (metric and composite) of a selection, sorted by name. */
  async alarms(selection: AlarmSelection): Promise<SelectedAlarms> {
    const byName = new Map<string, AlarmStatus>();
    for (let i = 0; i < selection.names.length; i += 100) {
      for (const alarm of await this.describe({ AlarmNames: selection.names.slice(i, i + 100) })) {
        byName.set(alarm.name, alarm);
      }
    }
    let prefixMatches: number | undefined;
    if (selection.prefix !== undefined) {
      const matched = await this.describe({ AlarmNamePrefix: selection.prefix });
      prefixMatches = matched.length;
      for (const alarm of matched) byName.set(alarm.name, alarm);
    }
    const found = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    const missing = selection.names.filter((name) => !byName.has(name));
    return prefixMatches === undefined ? { found, missing } : { found, missing, prefixMatches };
  }

  /** The state changes of one alarm between `start` and `end`, oldest first. */
  async transitions(alarmName: string, start: Date, end: Date): Promise<AlarmTransition[]> {
    const items: AlarmHistoryItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(`CloudWatch DescribeAlarmHistory in ${this.region}`, () =>
        this.client.send(
          new DescribeAlarmHistoryCommand({
            AlarmName: alarmName,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            HistoryItemType: 'StateUpdate',
            StartDate: start,
            EndDate: end,
            ScanBy: 'TimestampAscending',
            MaxRecords: 100,
            NextToken: nextToken,
          }),
        ),
      );
      items.push(...(page.AlarmHistoryItems ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return items.map(transitionOf).sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /**
   * Each canary's runs between `start` and `end`: how many (the sample count of its `SuccessPercent` metric, which
   * Synthetics publishes once per run, passed or failed) and which minutes had a run below 100 % (its `Minimum`).
   * Only runs after `start` count: GetMetricData rounds a StartTime of less than 15 days ago "down to the nearest
   * whole minute" (API reference, GetMetricData StartTime), so the query starts at the next whole minute, and a run
   * of the old version in the minute the watch started is never counted.
   */
  async canaryRuns(canaryNames: readonly string[], start: Date, end: Date): Promise<Map<string, CanaryEvidence>> {
    const query = (name: string, id: string, stat: 'SampleCount' | 'Minimum'): MetricDataQuery => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: CANARY_RUN_METRIC.namespace,
          MetricName: CANARY_RUN_METRIC.metricName,
          Dimensions: [{ Name: 'CanaryName', Value: name }],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: true,
    });
    const queries = canaryNames.flatMap((name, i) => [
      query(name, `runs${i}`, 'SampleCount'),
      query(name, `worst${i}`, 'Minimum'),
    ]);
    const evidence = new Map(canaryNames.map((name) => [name, { runs: 0, failedRunMinutes: [] as Date[] }]));
    const startTime = new Date(Math.ceil(start.getTime() / 60_000) * 60_000);
    let nextToken: string | undefined;
    do {
      const page = await this.call(`CloudWatch GetMetricData in ${this.region}`, () =>
        this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: startTime,
            EndTime: end,
            NextToken: nextToken,
          }),
        ),
      );
      for (const result of page.MetricDataResults ?? []) {
        const match = /^(runs|worst)(\d+)$/.exec(result.Id ?? '');
        const name = match ? canaryNames[Number(match[2])] : undefined;
        const canary = name === undefined ? undefined : evidence.get(name);
        if (!match || !canary) continue;
        const values = result.Values ?? [];
        if (match[1] === 'runs') {
          canary.runs += values.reduce((sum, v) => sum + v, 0);
        } else {
          values.forEach((value, i) => {
            const at = result.Timestamps?.[i];
            if (value < 100 && at) canary.failedRunMinutes.push(at);
          });
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    for (const canary of evidence.values()) canary.failedRunMinutes.sort((a, b) => a.getTime() - b.getTime());
    return evidence;
  }

  private async describe(filter: { AlarmNames?: string[]; AlarmNamePrefix?: string }): Promise<AlarmStatus[]> {
    const alarms: AlarmStatus[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(`CloudWatch DescribeAlarms in ${this.region}`, () =>
        this.client.send(
          new DescribeAlarmsCommand({
            ...filter,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: 100,
            NextToken: nextToken,
          }),
        ),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (!alarm.AlarmName) continue;
        const changedAt = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
        const noData = 'TreatMissingData' in alarm ? noDataMeaning(alarm) : undefined;
        alarms.push({
          name: alarm.AlarmName,
          state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
          reason: alarm.StateReason ?? '',
          ...(changedAt ? { changedAt } : {}),
          ...(noData ? { noData } : {}),
          ...(alarm.AlarmConfigurationUpdatedTimestamp ? { definedAt: alarm.AlarmConfigurationUpdatedTimestamp } : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return alarms;
  }
}

/**
 * What INSUFFICIENT_DATA means for a metric alarm that treats missing data as missing: "If all data points in the
 * alarm evaluation range are missing, the alarm transitions to INSUFFICIENT_DATA" (CloudWatch User Guide,
 * "Configuring how CloudWatch alarms treat missing data"). The internal services' deployment alarms are such alarms
 * (stacks/services/shop-service.ts): their Service Connect 5xx metric has data only while requests reach the service,
 * so their silence is either a service nobody called or a metric that is not published. `undefined` for other alarms.
 */
export function noDataMeaning(alarm: MetricAlarm): string | undefined {
  if (alarm.TreatMissingData !== 'missing') return undefined;
  const stats = (alarm.Metrics ?? []).flatMap((query) => (query.MetricStat ? [query.MetricStat] : []));
  const measured = stats.length
    ? stats.map((stat) => `${stat.Metric?.Namespace} ${stat.Metric?.MetricName}`)
    : [`${alarm.Namespace} ${alarm.MetricName}`];
  const period = alarm.Period ?? stats[0]?.Period ?? (alarm.Metrics ?? []).find((q) => q.Period)?.Period;
  const range =
    period && alarm.EvaluationPeriods
      ? `its last ${(period * alarm.EvaluationPeriods) / 60} minutes`
      : 'its evaluation range';
  return `it treats missing data as missing, and none of ${range} had a data point of ${[...new Set(measured)].join(' or ')}: no request reached what it measures in that time (a service without traffic: the canary journey must exercise it), or the metric is not published under the dimensions the alarm names`;
}

/**
 * When each stack was created (DescribeStacks `CreationTime`), for the alarm-definition check's first-deploy rule. A
 * stack that does not exist is an error (CloudFormation answers a ValidationError): the bake fails closed.
 */
export function stackCreationTimes(client: CloudFormationClient, region: string, call: AwsCaller) {
  return async (stackNames: readonly string[]): Promise<ReadonlyMap<string, Date | undefined>> => {
    const times = new Map<string, Date | undefined>();
    for (const stackName of stackNames) {
      const result = await call(`CloudFormation DescribeStacks ${stackName} in ${region}`, () =>
        client.send(new DescribeStacksCommand({ StackName: stackName })),
      );
      times.set(stackName, result.Stacks?.[0]?.CreationTime);
    }
    return times;
  };
}
