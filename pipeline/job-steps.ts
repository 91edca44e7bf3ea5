import type { JobStep } from 'cdk-pipelines-github';
import { pinnedAction } from './action-pins';
import { BUNDLE_DIR } from './bundled-cli';
import { NODE_VERSION } from './workflow-header';

/**
 * The third-party actions the hand-written jobs use, pinned to a commit (`pipeline/action-pins.ts`; the rendered
 * workflow carries the release tag as a comment). The generator's own references are pinned when it renders.
 */
export const ACTIONS = {
  checkout: pinnedAction('actions/checkout@v6'),
  setupNode: pinnedAction('actions/setup-node@v6'),
  configureAwsCredentials: pinnedAction('aws-actions/configure-aws-credentials@v6'),
} as const;

/** How long the OIDC credentials of a hand-written job last: the same 30 minutes the generator gives its jobs. */
export const CREDENTIAL_SECONDS = 1800;

/**
 * The checkout step, without `persist-credentials`: no later step of a job fetches with the token (review m11; the
 * rollback redeploys recorded templates and checks out only the bundled CLIs, review M4).
 */
export function checkout(): JobStep {
  return { name: 'Checkout', uses: ACTIONS.checkout, with: { 'persist-credentials': false } };
}

/** Options of {@link setupNode}. */
export interface SetupNodeOptions {
  /**
   * Restore and save npm's download cache (`~/.npm`), keyed on `package-lock.json`.
   *
   * @default false - a job that runs only the bundled CLIs installs nothing, so a cache would only cost its download
   */
  readonly npmCache?: boolean;
}

/** Sets up Node {@link NODE_VERSION} (the runner's tool cache, or a download). */
export function setupNode(options: SetupNodeOptions = {}): JobStep {
  return {
    name: 'Set up Node.js',
    uses: ACTIONS.setupNode,
    with: { 'node-version': NODE_VERSION, ...(options.npmCache ? { cache: 'npm' } : {}) },
  };
}

/**
 * The steps of a job that runs only the bundled CLIs (`node .github/actions/dist/<cli>.cjs`, see
 * `pipeline/bundled-cli.ts`): a sparse checkout of the bundles and Node, no install (review M9). actions/checkout
 * fetches with `--filter=blob:none` when `sparse-checkout` is set (its `src/git-source-provider.ts`: `else if
 * (settings.sparseCheckout) fetchOptions.filter = 'blob:none'`), so only the blobs of the bundle directory and of
 * the repository root (cone mode always includes the root's files) are downloaded; BENCHMARKS.md has the bytes.
 */
export function checkoutBundles(): JobStep[] {
  return [
    {
      name: 'Checkout the bundled CLIs',
      uses: ACTIONS.checkout,
      with: { 'persist-credentials': false, 'sparse-checkout': BUNDLE_DIR },
    },
    setupNode(),
  ];
}

/**
 * The name of every role session a workflow opens: the run and its attempt, so CloudTrail ties each AWS call to a
 * GitHub run (review m2). At most about 25 characters (a role session name has 2 to 64), whatever the job id.
 */
export const ROLE_SESSION_NAME = 'gh-${{ github.run_id }}-${{ github.run_attempt }}';

/** Assumes `roleArn` through GitHub's OIDC token for `region` (no long-lived keys). */
export function assumeRole(roleArn: string, region: string): JobStep {
  return {
    name: 'Authenticate via OIDC role',
    uses: ACTIONS.configureAwsCredentials,
    with: {
      'aws-region': region,
      'role-to-assume': roleArn,
      'role-duration-seconds': CREDENTIAL_SECONDS,
      'role-skip-session-tagging': true,
      'role-session-name': ROLE_SESSION_NAME,
    },
  };
}

type GeneratedStep = { uses?: string; with?: object };

/** `jobs` with every step of every job passed through `change`. */
function mapSteps<J extends { steps?: GeneratedStep[] }>(
  jobs: Record<string, J>,
  change: (step: GeneratedStep) => GeneratedStep,
): Record<string, J> {
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => [id, job.steps ? { ...job, steps: job.steps.map(change) } : job]),
  );
}

/** The generator's credential steps (also the chained CDK deploy role's) with {@link ROLE_SESSION_NAME}. */
export function withRoleSessionNames<J extends { steps?: GeneratedStep[] }>(
  jobs: Record<string, J>,
): Record<string, J> {
  return mapSteps(jobs, (step) =>
    step.uses?.startsWith('aws-actions/configure-aws-credentials')
      ? { ...step, with: { ...step.with, 'role-session-name': ROLE_SESSION_NAME } }
      : step,
  );
}

/**
 * The generator's checkout steps (synthesis) with `persist-credentials: false`: no later step of those jobs uses the
 * token (review m11).
 */
export function withoutPersistedCheckoutCredentials<J extends { steps?: GeneratedStep[] }>(
  jobs: Record<string, J>,
): Record<string, J> {
  return mapSteps(jobs, (step) =>
    step.uses?.startsWith('actions/checkout@') && !(step.with && 'persist-credentials' in step.with)
      ? { ...step, with: { ...step.with, 'persist-credentials': false } }
      : step,
  );
}

/** The name of the stale-run guard step (the workflow simulator and the tests look for it). */
export const STALE_RUN_GUARD_NAME = 'Stale-run guard: stop a re-run of a commit that is no longer the head';

/** The id of the stale-run guard step. */
export const STALE_RUN_STEP_ID = 'stale_run';

/**
 * The job output (and step output) that says the stale-run guard stopped the job: `true`, else empty. A rollback
 * never runs when a job it needs says so (rollback-job.ts).
 */
export const STALE_RUN_OUTPUT = 'stale';

/** A step `if:` that can run after a failed step: `failure()` (not `!failure()`) or `always()`. */
const RUNS_AFTER_A_FAILURE = /(?<!!)\bfailure\(\)|\balways\(\)/;

/** `condition` (an `if:`, with or without `${{ }}`) and "the stale-run guard did not stop the job". */
function unlessStale(condition: string): string {
  const inner = condition.replace(/^\$\{\{\s*/, '').replace(/\s*\}\}$/, '');
  return `\${{ (${inner}) && steps.${STALE_RUN_STEP_ID}.outputs.${STALE_RUN_OUTPUT} != 'true' }}`;
}

/**
 * Puts the stale-run guard first in every stack deploy job (`<stage>-<stack>-Deploy`) and in `otherJobIds` (the bake,
 * confirm and rollback jobs: every job that writes to AWS), for review M1 and review-12 D2.
 *
 * A first attempt always goes on: it deploys the commit that was pushed, and newer pushes wait behind it in the
 * deploy concurrency group (which never cancels), so a push during a release neither fails nor rolls it back. A
 * re-run goes on only while the run's commit is the head of the deploy branch (`GITHUB_RUN_ATTEMPT`: "A unique number
 * for each attempt of a particular workflow run in a repository. This number begins at 1 for the workflow run's first
 * attempt, and increments with each re-run.", GitHub docs, "Variables reference"):
 * "Re-run failed jobs" keeps the run's `GITHUB_SHA` and re-runs the failed jobs and their dependents (GitHub docs,
 * "Re-running workflows and jobs"), so an old run re-run days later would deploy, record or roll back an old commit
 * over newer releases. The head comes from the GitHub API with the job's token (`contents: read`); when it cannot
 * be read, the re-run is stopped too (fail closed). A stopped job sets the step and job output `stale` to `true`
 * and fails; no later step of the job runs, its failure reports included, and no rollback runs for it.
 */
export function withStaleRunGuard<J extends { steps?: readonly object[]; outputs?: unknown }>(
  jobs: Record<string, J>,
  deployBranch: string,
  otherJobIds: readonly string[] = [],
): Record<string, J> {
  const guard = {
    id: STALE_RUN_STEP_ID,
    name: STALE_RUN_GUARD_NAME,
    run: [
      'if [ "$RUN_ATTEMPT" = 1 ]; then',
      '  echo "First attempt: this run deploys $SHA, the commit that was pushed (newer pushes wait behind it)"',
      '  exit 0',
      'fi',
      'head=$(gh api "repos/$REPOSITORY/branches/$BRANCH" --jq .commit.sha) || head=""',
      'if [ "$head" != "$SHA" ]; then',
      `  echo "${STALE_RUN_OUTPUT}=true" >> "$GITHUB_OUTPUT"`,
      '  echo "::error title=Stale re-run stopped::Attempt $RUN_ATTEMPT re-runs $SHA, but the head of $BRANCH is ${head:-unknown (the GitHub API did not answer)}: a re-run of an old commit never deploys, records or rolls back. Push a commit or re-run the head instead."',
      '  exit 1',
      'fi',
    ].join('\n'),
    env: {
      SHA: '${{ github.sha }}',
      RUN_ATTEMPT: '${{ github.run_attempt }}',
      BRANCH: deployBranch,
      REPOSITORY: '${{ github.repository }}',
      GH_TOKEN: '${{ github.token }}',
    },
  };
  const guarded = (id: string) => id.endsWith('-Deploy') || otherJobIds.includes(id);
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) =>
      guarded(id) && job.steps
        ? [
            id,
            {
              ...job,
              outputs: {
                ...((job.outputs as Record<string, string> | undefined) ?? {}),
                [STALE_RUN_OUTPUT]: `\${{ steps.${STALE_RUN_STEP_ID}.outputs.${STALE_RUN_OUTPUT} }}`,
              },
              steps: [
                guard,
                ...job.steps.map((step) => {
                  const condition = (step as { if?: unknown }).if;
                  return typeof condition === 'string' && RUNS_AFTER_A_FAILURE.test(condition)
                    ? { ...step, if: unlessStale(condition) }
                    : step;
                }),
              ],
            },
          ]
        : [id, job],
    ),
  );
}
