import { type Clock, formatDuration } from '../cli-support/clock';
import { AwsUnavailableError } from '../cli-support/exit-codes';
import type { AlarmInWindow, AlarmTransition } from './alarm-transitions';
import type { WatchInputs } from './bake-inputs';
import {
  alarmFailure,
  type BakeResult,
  type CanaryRuns,
  definitionChanges,
  judgeCanaries,
  lastStateFailure,
  type StackCreationTimes,
  selectionFailures,
  silenceFailure,
} from './bake-verdict';
import type { AlarmStatus, CloudWatchEvidence } from './cloudwatch-evidence';

/** What the bake modes need from the outside world. */
export interface BakeDependencies {
  readonly evidence: Pick<CloudWatchEvidence, 'alarms' | 'transitions' | 'canaryRuns'>;
  readonly clock: Clock;
  /** Prints one progress line. */
  readonly log: (line: string) => void;
  /** Reads when the alarm stacks were created (CloudFormation); only needed with `alarm_stacks`. */
  readonly stackCreationTimes?: StackCreationTimes;
}

/**
 * Watches the Region's alarms live for `watchMinutes`, one poll every `pollSeconds`, and stops at the first
 * ALARM: an alarm in ALARM at a poll, or a change to ALARM in its history since the window started (which catches
 * an ALARM shorter than the poll interval). When the watch covers the whole bake it also requires evidence: no
 * alarm stuck in INSUFFICIENT_DATA, and `minCanaryRuns` runs of each canary. A shorter watch leaves those checks
 * to `verify-history`.
 */
export async function watchBake(inputs: WatchInputs, deps: BakeDependencies): Promise<BakeResult> {
  const { clock, evidence, log } = deps;
  const start = clock.now();
  const totalMs = inputs.watchMinutes * 60_000;
  const end = new Date(start.getTime() + totalMs);
  const firstState = new Map<string, AlarmStatus>();
  const latest = new Map<string, AlarmStatus>();
  const history = new Map<string, AlarmTransition[]>();
  const historyFor = new Map<string, number>();

  const alarmsAt = (): AlarmInWindow[] =>
    [...latest.values()].map((status) => {
      const transitions = history.get(status.name) ?? [];
      const stateAtStart = transitions[0]?.from ?? firstState.get(status.name)?.state ?? status.state;
      return {
        name: status.name,
        stateAtStart,
        transitions,
        stateNow: status.state,
        reason: status.reason,
        ...(status.noData ? { noData: status.noData } : {}),
      };
    });
  let definitionNotes: string[] = [];
  const result = (windowEnd: Date, failures: string[], evidenceChecked = false, canaryRuns: CanaryRuns[] = []) => ({
    ...(definitionNotes.length > 0 ? { definitionNotes } : {}),
    mode: 'watch' as const,
    region: inputs.region,
    bakeMinutes: inputs.bakeMinutes,
    windowStart: start,
    windowEnd,
    evidenceChecked,
    alarms: alarmsAt(),
    canaryRuns,
    minCanaryRuns: inputs.minCanaryRuns,
    failures,
  });

  if (inputs.readiness === 'none') {
    throw new AwsUnavailableError(
      `The readiness dry run of ${inputs.region} gave no outcome (its step stopped on an error, see its log): the bake cannot judge the runbooks and gives no verdict`,
    );
  }
  if (inputs.readiness === 'failed') {
    return result(start, [
      `The readiness dry run of ${inputs.region} failed (its step, before this one, says which check): the runbooks would not take over here`,
    ]);
  }
  for (let poll = 0; ; poll += 1) {
    const now = clock.now();
    const selected = await evidence.alarms(inputs.alarms);
    if (poll === 0) {
      const problems = selectionFailures(selected, inputs.alarms.prefix, inputs.region);
      if (problems.length > 0) return result(now, problems);
      const redefined = await definitionChanges(selected.found, inputs, deps.stackCreationTimes);
      definitionNotes = redefined.notes;
      if (redefined.failures.length > 0) return result(now, redefined.failures);
    }
    for (const status of selected.found) {
      if (!firstState.has(status.name)) firstState.set(status.name, status);
      latest.set(status.name, status);
      const changedAt = status.changedAt?.getTime();
      // History is read only for alarms whose state changed inside the window (and changed again since read).
      if (changedAt !== undefined && changedAt >= start.getTime() && historyFor.get(status.name) !== changedAt) {
        history.set(status.name, await evidence.transitions(status.name, start, now));
        historyFor.set(status.name, changedAt);
      }
    }
    const elapsed = `${formatDuration(now.getTime() - start.getTime())}/${formatDuration(totalMs)}`;
    log(`[${elapsed}] ${[...latest.values()].map((a) => `${a.name}=${a.state}`).join(' ')}`);

    const alarmed = alarmsAt().flatMap((alarm) => alarmFailure(alarm, start, now) ?? []);
    if (alarmed.length > 0) {
      log(`Stopping the watch: ${alarmed.length === 1 ? 'an alarm' : 'alarms'} in ALARM`);
      return result(now, alarmed);
    }
    if (now.getTime() >= end.getTime()) break;
    await clock.sleep(Math.min(inputs.pollSeconds * 1000, end.getTime() - now.getTime()));
  }

  // History can trail the state by a few seconds: read it once more, over the exact window, for every alarm that
  // changed, so the summary counts every transition and a late-recorded ALARM still fails the bake.
  for (const name of historyFor.keys()) history.set(name, await evidence.transitions(name, start, end));
  const failures = alarmsAt().flatMap((alarm) => alarmFailure(alarm, start, end) ?? []);
  if (failures.length > 0 || inputs.watchMinutes < inputs.bakeMinutes) return result(end, failures);

  const silent = alarmsAt().flatMap((alarm) => silenceFailure(alarm, start, end) ?? lastStateFailure(alarm) ?? []);
  const canaries = await judgeCanaries(inputs, evidence, start, end);
  return result(end, [...silent, ...canaries.failures], true, canaries.canaryRuns);
}
