import type { AlarmHistoryItem } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { formatTime } from '../cli-support/clock';

/** The states of a CloudWatch alarm. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

/** See {@link ALARM_STATES}. */
export type AlarmState = (typeof ALARM_STATES)[number];

/** One state change of an alarm, read from its history. */
export interface AlarmTransition {
  readonly at: Date;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** Why CloudWatch changed the state (`newState.stateReason`), when the history says. */
  readonly reason?: string;
}

/** `HistoryData` of a `StateUpdate` history item (metric and composite alarms share this shape). */
const stateUpdate = z.object({
  oldState: z.object({ stateValue: z.enum(ALARM_STATES) }),
  newState: z.object({ stateValue: z.enum(ALARM_STATES), stateReason: z.string().optional() }),
});

/** `HistorySummary` of a `StateUpdate` item, e.g. `Alarm updated from OK to ALARM`. */
const SUMMARY = /from (OK|ALARM|INSUFFICIENT_DATA) to (OK|ALARM|INSUFFICIENT_DATA)\b/;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads a `StateUpdate` history item. An item the gate cannot read is an error, never skipped: it might be the
 * transition to ALARM.
 *
 * @throws Error naming the alarm, the time and the item's summary.
 */
export function transitionOf(item: AlarmHistoryItem): AlarmTransition {
  const at = item.Timestamp;
  const data = stateUpdate.safeParse(parseJson(item.HistoryData ?? ''));
  if (at && data.success) {
    const { oldState, newState } = data.data;
    const transition = { at, from: oldState.stateValue, to: newState.stateValue };
    return newState.stateReason ? { ...transition, reason: newState.stateReason } : transition;
  }
  const summary = SUMMARY.exec(item.HistorySummary ?? '');
  if (at && summary) return { at, from: summary[1] as AlarmState, to: summary[2] as AlarmState };
  const when = at ? formatTime(at) : 'an unknown time';
  throw new Error(
    `Cannot read the state change of alarm "${item.AlarmName}" at ${when} (summary: ${JSON.stringify(item.HistorySummary ?? '')}); the bake cannot rule out an ALARM`,
  );
}

/** An alarm over a bake window: the state it had when the window started, and its changes inside the window. */
export interface AlarmInWindow {
  readonly name: string;
  readonly stateAtStart: AlarmState;
  /** Changes inside the window, oldest first. */
  readonly transitions: readonly AlarmTransition[];
  /** The last known state: at the window end, or at the last poll when watching. */
  readonly stateNow: AlarmState;
  /** The reason CloudWatch gives for `stateNow`, when known. */
  readonly reason?: string;
  /** What INSUFFICIENT_DATA means for this alarm, from its definition (see `AlarmStatus.noData`). */
  readonly noData?: string;
}

/** Every state the alarm was in during the window. */
export function statesDuring(alarm: AlarmInWindow): ReadonlySet<AlarmState> {
  return new Set([alarm.stateAtStart, ...alarm.transitions.map((t) => t.to), alarm.stateNow]);
}

/**
 * Places an alarm in the window [start, end] from its current state and its changes since `start` (oldest first,
 * possibly reaching past `end`): the state at the start is the `from` of the first change, or the current state
 * when nothing changed.
 */
export function alarmInWindow(
  name: string,
  current: { readonly state: AlarmState; readonly reason?: string; readonly noData?: string },
  sinceStart: readonly AlarmTransition[],
  end: Date,
): AlarmInWindow {
  const transitions = sinceStart.filter((t) => t.at.getTime() <= end.getTime());
  const stateAtStart = sinceStart[0]?.from ?? current.state;
  const stateNow = transitions.at(-1)?.to ?? stateAtStart;
  const reason = transitions.length === sinceStart.length ? current.reason : undefined;
  return {
    name,
    stateAtStart,
    transitions,
    stateNow,
    ...(reason === undefined ? {} : { reason }),
    ...(current.noData === undefined ? {} : { noData: current.noData }),
  };
}
