import { MONTHLY_COST_FILE } from '../cost/monthly-cost-file';
import { SYNTH_JOB_ID } from './bake-jobs';

/** The name of the synth job's step that writes the change in monthly cost to the run's summary. */
export const RELEASE_COST_STEP_NAME = 'Summarize the change in monthly cost';

/** The step after which the cost summary runs: cdk-pipelines-github's synth step (its ShellStep id). */
const AFTER_STEP_NAME = 'Build';

/**
 * The cost summary step: the previous commit's committed {@link MONTHLY_COST_FILE} (`git show <before>:<file>`)
 * against this commit's, by `cost/release-change.ts`, appended to `$GITHUB_STEP_SUMMARY`. No AWS call and no
 * credentials: both reports are committed files. `github.event.before` is "The SHA of the most recent commit on
 * ref before the push" (GitHub's push webhook payload); it is all zeros when the push created the branch (unverified
 * in GitHub's docs: the script treats zeros as none), empty under workflow_dispatch, and absent from the fetched history
 * after a force push: each of these is "no previous cost report".
 */
export function releaseCostStep(): {
  name: string;
  'continue-on-error': boolean;
  env: Record<string, string>;
  run: string;
} {
  return {
    name: RELEASE_COST_STEP_NAME,
    // Information, not a gate: a summary that cannot be written never fails the deploy.
    'continue-on-error': true,
    env: { BEFORE_SHA: '${{ github.event.before }}' },
    run: [
      '# Information, not a gate: never fails the deploy',
      '# (continue-on-error, and || below).',
      'before="$RUNNER_TEMP/previous-monthly-cost.json"',
      'rm -f "$before"',
      '# All zeros (a new branch), empty (workflow_dispatch) or not',
      '# fetched (a force push): no previous cost report.',
      'if [ -n "${BEFORE_SHA//0/}" ]; then',
      `  git show "$BEFORE_SHA:${MONTHLY_COST_FILE}" \\`,
      '    >"$before" 2>/dev/null || rm -f "$before"',
      'fi',
      'npx tsx cost/release-change.ts --before "$before" \\',
      `  --after ${MONTHLY_COST_FILE} >>"$GITHUB_STEP_SUMMARY" ||`,
      '  echo "::warning::the cost summary was not written (exit $?)"',
    ].join('\n'),
  };
}

type Step = { name?: string; uses?: string; with?: Record<string, unknown> };

/**
 * `jobs` with the cost summary after the synth job's synth step, and that job's checkout fetching the whole history
 * (`fetch-depth: 0`): actions/checkout's README, "Number of commits to fetch. 0 indicates all history for all branches
 * and tags. Default: 1" — with the default the previous commit is not there for `git show`.
 */
export function withReleaseCostSummary<J extends { steps?: Step[] }>(jobs: Record<string, J>): Record<string, J> {
  const job = jobs[SYNTH_JOB_ID];
  const steps = job?.steps ?? [];
  const at = steps.findIndex((step) => step.name === AFTER_STEP_NAME);
  if (job === undefined || at === -1) {
    throw new Error(
      `withReleaseCostSummary: no step "${AFTER_STEP_NAME}" in job ${SYNTH_JOB_ID}; accepted: the synth job cdk-pipelines-github generates`,
    );
  }
  const withHistory = steps.map((step) =>
    step.uses?.startsWith('actions/checkout@') ? { ...step, with: { ...step.with, 'fetch-depth': 0 } } : step,
  );
  return {
    ...jobs,
    [SYNTH_JOB_ID]: {
      ...job,
      steps: [...withHistory.slice(0, at + 1), releaseCostStep() as Step, ...withHistory.slice(at + 1)],
    },
  };
}
