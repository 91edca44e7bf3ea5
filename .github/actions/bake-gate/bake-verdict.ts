import { formatDuration, formatTime } from '../cli-support/clock';
import { type AlarmInWindow, statesDuring } from './alarm-transitions';
import type { EvidenceInputs } from './bake-inputs';
import type { BakeMode } from './bake-plan';
import type { AlarmStatus, CloudWatchEvidence, SelectedAlarms } from './cloudwatch-evidence';

/** Runs of one canary inside the bake window. */
export interface CanaryRuns {
  readonly name: string;
  readonly runs: number;
  /** Runs below 100 % SuccessPercent (minutes with such a run: a canary runs at most once a minute). */
  readonly failedRuns: number;
  /** The minute of the first failed run. */
  readonly firstFailure?: Date;
}

/** What a bake-gate run found; `failures` is empty when the Region passed. */
export interface BakeResult {
  readonly mode: BakeMode;
  readonly region: string;
  readonly bakeMinutes: number;
  readonly windowStart: Date;
  /** The end of the window looked at: the planned end, or the moment the watch stopped at an ALARM. */
  readonly windowEnd: Date;
  /**
   * Whether the evidence checks (no alarm stuck in INSUFFICIENT_DATA, enough canary runs) were made here;
   * `false` for a watch that covers only the first part of the bake, or one that stopped at an ALARM.
   */
  readonly evidenceChecked: boolean;
  readonly alarms: readonly AlarmInWindow[];
  /** Runs per canary; empty when the evidence was not checked. */
  readonly canaryRuns: readonly CanaryRuns[];
  readonly minCanaryRuns: number;
  /** One sentence per reason the bake failed. */
  readonly failures: readonly string[];
  /** What the alarm-definition check said besides failures: accepted changes, or why nothing was compared. */
  readonly definitionNotes?: readonly string[];
}

/** When each CloudFormation stack was created (`undefined`: not known). */
export type StackCreationTimes = (stackNames: readonly string[]) => Promise<ReadonlyMap<string, Date | undefined>>;

/** What {@link definitionChanges} found. */
export interface DefinitionChanges {
  /** One sentence per redefined alarm: each fails the bake. */
  readonly failures: string[];
  /** Summary lines: the accepted changes, or why nothing was compared. */
  readonly notes: string[];
}

/**
 * The watched alarms this run redefined: `AlarmConfigurationUpdatedTimestamp` at or after `alarmDefinitionsSince`
 * (when the run started). DescribeAlarms reports it as "The time stamp of the last update to the alarm
 * configuration" (MetricAlarm, CompositeAlarm), and a CloudFormation update of an alarm "completely overwrites the
 * previous configuration of the alarm" (AWS::CloudWatch::Alarm), so a release that changed a definition shows here.
 * Each fails the bake (review M12: the release may not loosen the alarms that gate it), unless `acceptAlarmChanges`.
 * A Region's first deploy creates its alarms: when every stack of `alarmStacks` was created since the run started
 * (DescribeStacks `CreationTime`), nothing existed to loosen and nothing is compared.
 */
export async function definitionChanges(
  alarms: readonly AlarmStatus[],
  inputs: Pick<EvidenceInputs, 'alarmDefinitionsSince' | 'acceptAlarmChanges' | 'alarmStacks'>,
  stackCreationTimes: StackCreationTimes | undefined,
): Promise<DefinitionChanges> {
  const since = inputs.alarmDefinitionsSince;
  if (since === undefined) return { failures: [], notes: [] };
  const changed = alarms.filter((a) => a.definedAt !== undefined && a.definedAt.getTime() >= since.getTime());
  if (changed.length === 0) return { failures: [], notes: [] };
  if (inputs.alarmStacks !== undefined && stackCreationTimes !== undefined) {
    const created = await stackCreationTimes(inputs.alarmStacks);
    const all = inputs.alarmStacks.every((name) => (created.get(name)?.getTime() ?? 0) >= since.getTime());
    if (all) {
      return {
        failures: [],
        notes: [
          `Alarm definitions not compared: every stack that defines them (${inputs.alarmStacks.join(', ')}) was created by this run (the Region's first deploy)`,
        ],
      };
    }
  }
  const at = (a: AlarmStatus) => formatTime(a.definedAt!);
  if (inputs.acceptAlarmChanges) {
    return {
      failures: [],
      notes: [
        `Accepted alarm changes (accept_alarm_changes): ${changed.map((a) => `${a.name} redefined at ${at(a)}`).join('; ')}`,
      ],
    };
  }
  return {
    failures: changed.map(
      (a) =>
        `Alarm "${a.name}" was redefined at ${at(a)}, after this run started (${formatTime(since)}): a release may not change the alarms that gate it; if the change is intended, accept it (accept_alarm_changes: the commit message says "${ALARM_CHANGE_TRAILER}")`,
    ),
    notes: [],
  };
}

/** What a commit message says to accept the alarm changes of its release (the deploy workflow looks for it). */
export const ALARM_CHANGE_TRAILER = 'Alarm-Change: accepted';

/** The problems of an alarm selection: named alarms that do not exist, a prefix that matches nothing. */
export function selectionFailures(selected: SelectedAlarms, prefix: string | undefined, region: string): string[] {
  const failures = selected.missing.map(
    (name) => `Alarm "${name}" does not exist in ${region} (alarm_names); the bake cannot watch it`,
  );
  if (prefix !== undefined && selected.prefixMatches === 0) {
    failures.push(
      `No alarm in ${region} has a name starting with "${prefix}" (alarm_prefix); the bake needs alarms to watch`,
    );
  }
  return failures;
}

/** Why an alarm fails the bake, if it was in ALARM at any time of the window that started at `start`. */
export function alarmFailure(alarm: AlarmInWindow, start: Date, at: Date): string | undefined {
  const because = (reason: string | undefined) => (reason ? `: ${reason}` : '');
  if (alarm.stateAtStart === 'ALARM') {
    const reason = alarm.transitions.length === 0 ? alarm.reason : undefined;
    return `Alarm "${alarm.name}" was already in ALARM when the bake window started (${formatTime(start)})${because(reason)}`;
  }
  const firstAlarm = alarm.transitions.find((t) => t.to === 'ALARM');
  if (firstAlarm) {
    const into = formatDuration(firstAlarm.at.getTime() - start.getTime());
    return `Alarm "${alarm.name}" went to ALARM at ${formatTime(firstAlarm.at)}, ${into} into the bake window${because(firstAlarm.reason)}`;
  }
  if (alarm.stateNow === 'ALARM') {
    // The state changed but the history does not show it yet.
    const into = formatDuration(at.getTime() - start.getTime());
    return `Alarm "${alarm.name}" is in ALARM ${into} into the bake window${because(alarm.reason)}`;
  }
  return undefined;
}

/** Why an alarm gives no evidence: it stayed in INSUFFICIENT_DATA for the whole window [start, end]. */
export function silenceFailure(alarm: AlarmInWindow, start: Date, end: Date): string | undefined {
  const states = statesDuring(alarm);
  if (states.size !== 1 || !states.has('INSUFFICIENT_DATA')) return undefined;
  const why =
    alarm.noData ??
    'check that its metric is published (and that the alarm treats missing data as notBreaching where silence means healthy)';
  return `Alarm "${alarm.name}" stayed in INSUFFICIENT_DATA for the whole bake window (${formatTime(start)} to ${formatTime(end)}): it gave no evidence that the Region is healthy; ${why}`;
}

/**
 * Why an alarm's last state is no evidence of health: it ended the window in INSUFFICIENT_DATA after having had data
 * (an alarm silent for the whole window is {@link silenceFailure}'s; one in ALARM is {@link alarmFailure}'s). An OK
 * from before the deploy followed by silence says nothing about the new version (review scenario B4).
 */
export function lastStateFailure(alarm: AlarmInWindow): string | undefined {
  if (alarm.stateNow !== 'INSUFFICIENT_DATA') return undefined;
  const states = statesDuring(alarm);
  if (states.size === 1) return undefined;
  const since = alarm.transitions.at(-1);
  const when = since?.to === 'INSUFFICIENT_DATA' ? ` (since ${formatTime(since.at)})` : '';
  const why = alarm.noData ? `; ${alarm.noData}` : '';
  return `Alarm "${alarm.name}" ended the bake window in INSUFFICIENT_DATA${when}, not OK: its last state gives no evidence that the Region is healthy${why}`;
}

/** Why a canary's runs show a problem: a run below 100 % SuccessPercent in [start, end]. */
export function canarySuccessFailure(canary: CanaryRuns, start: Date, end: Date): string | undefined {
  if (canary.failedRuns === 0) return undefined;
  const runs = canary.failedRuns === 1 ? 'failed run' : 'failed runs';
  const first = canary.firstFailure ? `, first in the minute of ${formatTime(canary.firstFailure)}` : '';
  return `Canary "${canary.name}" had ${canary.failedRuns} ${runs} in the bake window (${formatTime(start)} to ${formatTime(end)})${first}; every run must succeed (SuccessPercent 100)`;
}

/** Why a canary gives too little evidence: fewer than `minRuns` runs in [start, end]. */
export function canaryFailure(canary: CanaryRuns, minRuns: number, start: Date, end: Date): string | undefined {
  if (canary.runs >= minRuns) return undefined;
  const times = canary.runs === 1 ? 'time' : 'times';
  return `Canary "${canary.name}" ran ${canary.runs} ${times} in the bake window (${formatTime(start)} to ${formatTime(end)}); at least ${minRuns} runs are required`;
}

/** Counts each canary's runs in [start, end] and says which had a failed run or ran too few times. */
export async function judgeCanaries(
  inputs: EvidenceInputs,
  evidence: Pick<CloudWatchEvidence, 'canaryRuns'>,
  start: Date,
  end: Date,
): Promise<{ canaryRuns: CanaryRuns[]; failures: string[] }> {
  const counted = await evidence.canaryRuns(inputs.canaryNames, start, end);
  const canaryRuns = inputs.canaryNames.map((name): CanaryRuns => {
    const found = counted.get(name);
    const first = found?.failedRunMinutes[0];
    return {
      name,
      runs: found?.runs ?? 0,
      failedRuns: found?.failedRunMinutes.length ?? 0,
      ...(first ? { firstFailure: first } : {}),
    };
  });
  const failures = canaryRuns.flatMap((canary) =>
    [canarySuccessFailure(canary, start, end), canaryFailure(canary, inputs.minCanaryRuns, start, end)].filter(
      (failure): failure is string => failure !== undefined,
    ),
  );
  return { canaryRuns, failures };
}
