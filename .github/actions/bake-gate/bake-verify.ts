import { type AlarmInWindow, alarmInWindow } from './alarm-transitions';
import type { VerifyHistoryInputs } from './bake-inputs';
import {
  alarmFailure,
  type BakeResult,
  definitionChanges,
  judgeCanaries,
  lastStateFailure,
  selectionFailures,
  silenceFailure,
} from './bake-verdict';
import type { BakeDependencies } from './bake-watch';

/**
 * Checks a bake after the fact, for the window [windowStart, windowEnd]: no alarm was in ALARM at any time of it
 * (its state at the start, or any change in `DescribeAlarmHistory`), none stayed in INSUFFICIENT_DATA throughout,
 * and each canary ran at least `minCanaryRuns` times. Used after a GitHub Environment wait timer, when the bake is
 * longer than the job's credentials last.
 */
export async function verifyBakeHistory(inputs: VerifyHistoryInputs, deps: BakeDependencies): Promise<BakeResult> {
  const { clock, evidence, log } = deps;
  const start = inputs.windowStart;
  const end = inputs.windowEnd;
  const now = clock.now();
  const base = {
    mode: 'verify-history' as const,
    region: inputs.region,
    bakeMinutes: inputs.bakeMinutes,
    windowStart: start,
    windowEnd: end,
    minCanaryRuns: inputs.minCanaryRuns,
  };

  const selected = await evidence.alarms(inputs.alarms);
  const problems = selectionFailures(selected, inputs.alarms.prefix, inputs.region);
  if (problems.length > 0) {
    return { ...base, evidenceChecked: false, alarms: [], canaryRuns: [], failures: problems };
  }
  const redefined = await definitionChanges(selected.found, inputs, deps.stackCreationTimes);
  if (redefined.failures.length > 0) {
    return { ...base, evidenceChecked: false, alarms: [], canaryRuns: [], failures: redefined.failures };
  }
  const alarms: AlarmInWindow[] = [];
  for (const status of selected.found) {
    // Read up to now, not to the window end: the first change after the window tells the state inside it.
    const sinceStart = await evidence.transitions(status.name, start, now);
    const alarm = alarmInWindow(status.name, status, sinceStart, end);
    log(
      `${alarm.name}: ${alarm.stateAtStart} at the window start, ${alarm.transitions.length} change(s) in the window`,
    );
    alarms.push(alarm);
  }
  const alarmFailures = alarms.flatMap((alarm) => alarmFailure(alarm, start, end) ?? []);
  const silent = alarms.flatMap((alarm) => silenceFailure(alarm, start, end) ?? lastStateFailure(alarm) ?? []);
  const canaries = await judgeCanaries(inputs, evidence, start, end);
  return {
    ...base,
    evidenceChecked: true,
    alarms,
    canaryRuns: canaries.canaryRuns,
    failures: [...alarmFailures, ...silent, ...canaries.failures],
    ...(redefined.notes.length > 0 ? { definitionNotes: redefined.notes } : {}),
  };
}
