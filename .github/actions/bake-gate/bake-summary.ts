import { formatDuration, formatTime } from '../cli-support/clock';
import type { JobSummary, SummaryBlock } from '../cli-support/job-summary';
import type { BakePlan } from './bake-plan';
import type { BakeResult } from './bake-verdict';

/** The job summary of a bake: verdict, window, one row per alarm, one row per canary. */
export function bakeSummary(result: BakeResult): JobSummary {
  const passed = result.failures.length === 0;
  const span = formatDuration(result.windowEnd.getTime() - result.windowStart.getTime());
  const blocks: SummaryBlock[] = [
    passed ? 'Result: passed' : 'Result: FAILED',
    ...result.failures,
    `Window: ${formatTime(result.windowStart)} to ${formatTime(result.windowEnd)} (${span} of a ${result.bakeMinutes}-minute bake)`,
    ...(result.definitionNotes ?? []),
  ];
  if (result.alarms.length > 0) {
    blocks.push({
      header: ['alarm', 'state at start', 'state', 'transitions in window'],
      rows: result.alarms.map((a) => [
        a.name,
        a.stateAtStart,
        a.stateNow,
        [String(a.transitions.length), ...a.transitions.map((t) => `${t.from}→${t.to} at ${formatTime(t.at)}`)].join(
          '; ',
        ),
      ]),
    });
  }
  if (result.evidenceChecked) {
    blocks.push({
      header: ['canary', 'runs in window', 'failed runs', 'required'],
      rows: result.canaryRuns.map((c) => [c.name, String(c.runs), String(c.failedRuns), String(result.minCanaryRuns)]),
    });
  } else if (passed) {
    blocks.push(
      'Evidence (INSUFFICIENT_DATA, last state OK, canary runs and their success) is checked over the whole bake by the verify-history job that follows.',
    );
  }
  return { title: `Bake gate ${result.mode} in ${result.region}`, blocks };
}

/** The job summary of `mode: plan`. */
export function planSummary(plan: BakePlan): JobSummary {
  const blocks: SummaryBlock[] =
    plan.waitMinutes === 0
      ? [`One job: watch for ${plan.watchMinutes} minutes (credentials last ${plan.credentialMinutes} minutes).`]
      : [
          `Split bake of ${plan.bakeMinutes} minutes (credentials last ${plan.credentialMinutes} minutes):`,
          `1. watch for ${plan.watchMinutes} minutes (watch_minutes=${plan.watchMinutes}, bake_minutes=${plan.bakeMinutes})`,
          `2. GitHub Environment wait timer of ${plan.waitMinutes} minutes`,
          `3. verify-history over the last ${plan.bakeMinutes} minutes`,
        ];
  return { title: `Bake plan: ${plan.modes.join(' + ')}`, blocks };
}
