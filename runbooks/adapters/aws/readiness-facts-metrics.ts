import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { RetryPolicy } from 'cockatiel';
import type { AlarmFacts, ClockPort } from '../../ports';
import { awsCall } from './aws-call';

/** What the CloudWatch half of the readiness facts needs. */
export interface MetricFactsContext {
  readonly cloudWatch: (region: string) => CloudWatchClient;
  readonly policy: RetryPolicy;
  readonly clock: ClockPort;
}

/** "AlarmNames: The names of the alarms to retrieve information about. Array Members: Maximum number of 100 items." */
const ALARMS_PER_DESCRIBE = 100;
/** "You can include as many as 500 MetricDataQuery structures in one GetMetricData request." (API_GetMetricData). */
const QUERIES_PER_REQUEST = 500;

const STATES = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/** State of each alarm (metric or composite); an alarm that does not exist is left out. */
export async function alarmFacts(
  ctx: MetricFactsContext,
  region: string,
  names: readonly string[],
): Promise<Record<string, AlarmFacts>> {
  const facts: Record<string, AlarmFacts> = {};
  for (let i = 0; i < names.length; i += ALARMS_PER_DESCRIBE) {
    const batch = names.slice(i, i + ALARMS_PER_DESCRIBE);
    let nextToken: string | undefined;
    do {
      const page = await awsCall(ctx.policy, `DescribeAlarms ${batch.join(', ')} in ${region}`, () =>
        ctx.cloudWatch(region).send(
          new DescribeAlarmsCommand({
            AlarmNames: batch,
            // "If you omit this parameter, only metric alarms are returned, even if composite alarms exist in the
            // account." (API_DescribeAlarms, AlarmTypes).
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (!alarm.AlarmName || !alarm.StateValue || !STATES.has(alarm.StateValue)) continue;
        facts[alarm.AlarmName] = {
          name: alarm.AlarmName,
          state: alarm.StateValue as AlarmFacts['state'],
          // In this state since the StateValue last changed: "StateTransitionedTimestamp: The date and time that the
          // alarm's StateValue most recently changed." (API_MetricAlarm); "The timestamp of the last change to the
          // alarm's StateValue." (API_CompositeAlarm). Not StateUpdatedTimestamp, which also moves without a state
          // change: "The time stamp of the last update to the value of either the StateValue or EvaluationState
          // parameters." (API_MetricAlarm); "Tracks the timestamp of any state update, even if StateValue doesn't
          // change." (API_CompositeAlarm) — it is only the fallback (at worst too recent: fail closed). Both are
          // "Required: No": without either the state holds since now, never since long ago (a failback waits for a
          // Region that has been healthy long enough).
          since: alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp ?? ctx.clock.now(),
        };
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return facts;
}

/** The Maximum of each query over the last `minutes` (undefined without a data point), per query Id. */
export async function metricMaxima(
  ctx: MetricFactsContext,
  region: string,
  minutes: number,
  queries: readonly MetricDataQuery[],
): Promise<Map<string, number | undefined>> {
  const end = ctx.clock.now();
  const start = new Date(end.getTime() - minutes * 60_000);
  const values = new Map<string, number[]>();
  for (let i = 0; i < queries.length; i += QUERIES_PER_REQUEST) {
    const batch = queries.slice(i, i + QUERIES_PER_REQUEST);
    let nextToken: string | undefined;
    do {
      const page = await awsCall(ctx.policy, `GetMetricData in ${region}`, () =>
        ctx.cloudWatch(region).send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: start,
            EndTime: end,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const r of page.MetricDataResults ?? []) {
        const list = values.get(r.Id ?? '') ?? [];
        list.push(...(r.Values ?? []));
        values.set(r.Id ?? '', list);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return new Map(
    queries.map((q) => {
      const list = values.get(q.Id ?? '') ?? [];
      return [q.Id ?? '', list.length === 0 ? undefined : Math.max(...list)];
    }),
  );
}

/**
 * A period for a window of `minutes` that keeps the data points few: one hour for windows of a day or more, five
 * minutes for an hour or more, else one minute. "Period: The granularity, in seconds, of the returned data points.
 * For metrics with regular resolution, a period can be as short as one minute (60 seconds) and must be a multiple
 * of 60." (API_MetricStat).
 */
export function periodFor(minutes: number): number {
  if (minutes >= 24 * 60) return 3600;
  if (minutes >= 60) return 300;
  return 60;
}

/** Container Insights `RunningTaskCount` of one service (ECS/ContainerInsights, ClusterName + ServiceName). */
export function runningTaskCountQuery(id: string, cluster: string, service: string, period: number): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        // Container Insights for ECS: "RunningTaskCount — The number of tasks currently in the RUNNING state.
        // Dimensions: ClusterName, ServiceName" (Amazon ECS Container Insights metrics).
        Namespace: 'ECS/ContainerInsights',
        MetricName: 'RunningTaskCount',
        Dimensions: [
          { Name: 'ClusterName', Value: cluster },
          { Name: 'ServiceName', Value: service },
        ],
      },
      Period: period,
      Stat: 'Maximum',
    },
  };
}

/** DynamoDB global tables' `ReplicationLatency` (AWS/DynamoDB, TableName + ReceivingRegion), milliseconds. */
export function replicationLatencyQuery(id: string, table: string, receivingRegion: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        // "ReplicationLatency … is expressed in milliseconds and is emitted for every source- and destination-Region
        // pair" (DynamoDB Developer Guide, Monitoring global tables); dimensions TableName, ReceivingRegion (DynamoDB
        // Metrics and dimensions). UNVERIFIED: that the pair's data points are in the source Region's CloudWatch.
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReplicationLatency',
        Dimensions: [
          { Name: 'TableName', Value: table },
          { Name: 'ReceivingRegion', Value: receivingRegion },
        ],
      },
      Period: 60,
      Stat: 'Maximum',
    },
  };
}

/** Fargate On-Demand vCPU in use (AWS/Usage `ResourceCount`). */
export function fargateVcpuUsageQuery(id: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        // ECS Developer Guide, AWS Fargate usage metrics: namespace AWS/Usage, metric ResourceCount, dimensions
        // Service "Fargate", Type "Resource", Resource "vCPU", Class "Standard/OnDemand" (or Standard/Spot).
        Namespace: 'AWS/Usage',
        MetricName: 'ResourceCount',
        Dimensions: [
          { Name: 'Service', Value: 'Fargate' },
          { Name: 'Type', Value: 'Resource' },
          { Name: 'Resource', Value: 'vCPU' },
          { Name: 'Class', Value: 'Standard/OnDemand' },
        ],
      },
      Period: 60,
      Stat: 'Maximum',
    },
  };
}
