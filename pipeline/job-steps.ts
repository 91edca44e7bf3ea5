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

/** Options of {@link checkout}. */
export interface CheckoutOptions {
  /**
   * Keep the job's GitHub token in `.git/config` after checkout, for a later `git fetch` (the rollback job).
   *
   * @default false - nothing later in the job can use the token (review m11)
   */
  readonly persistCredentials?: boolean;
}

/** The checkout step: without `persist-credentials` unless the job fetches later. */
export function checkout(options: CheckoutOptions = {}): JobStep {
  return options.persistCredentials
    ? { name: 'Checkout', uses: ACTIONS.checkout }
    : { name: 'Checkout', uses: ACTIONS.checkout, with: { 'persist-credentials': false } };
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

/** The generator's credential steps (also the chained CDK deploy role's) with {@link ROLE_SESSION_NAME}. */
export function withRoleSessionNames<J extends { steps?: Array<{ uses?: string; with?: object }> }>(
  jobs: Record<string, J>,
): Record<string, J> {
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => [
      id,
      job.steps
        ? {
            ...job,
            steps: job.steps.map((step) =>
              step.uses?.startsWith('aws-actions/configure-aws-credentials')
                ? { ...step, with: { ...step.with, 'role-session-name': ROLE_SESSION_NAME } }
                : step,
            ),
          }
        : job,
    ]),
  );
}

/**
 * The generator's checkout steps (synthesis) with `persist-credentials: false`: no later step of those jobs uses the
 * token (review m11).
 */
export function withoutPersistedCheckoutCredentials<J extends { steps?: Array<{ uses?: string; with?: object }> }>(
  jobs: Record<string, J>,
): Record<string, J> {
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => [
      id,
      job.steps
        ? {
            ...job,
            steps: job.steps.map((step) =>
              step.uses?.startsWith('actions/checkout@') && !(step.with && 'persist-credentials' in step.with)
                ? { ...step, with: { ...step.with, 'persist-credentials': false } }
                : step,
            ),
          }
        : job,
    ]),
  );
}

/** The name of the stale-run guard step (the workflow simulator and the tests look for it). */
export const STALE_RUN_GUARD_NAME = 'Stale-run guard: stop unless this run deploys the head of the deploy branch';

/**
 * Every stack deploy job (`<stage>-<stack>-Deploy`) first checks that the run's commit is the head of the deploy
 * branch (review M1): "Re-run failed jobs" keeps the run's `GITHUB_SHA` and re-runs only the failed jobs and their
 * dependents ("Re-running workflows and jobs"), so the check must sit in the jobs that change something, not in a
 * job that ran once before; otherwise an old run re-run days later deploys an old commit over a newer release. The
 * branch's head comes from the GitHub API with the job's token (`contents: read`), so no checkout is needed.
 */
export function withStaleRunGuard<J extends { steps?: object[] }>(
  jobs: Record<string, J>,
  deployBranch: string,
): Record<string, J> {
  const guard = {
    name: STALE_RUN_GUARD_NAME,
    run: [
      'head=$(gh api "repos/$REPOSITORY/branches/$BRANCH" --jq .commit.sha)',
      'if [ "$head" != "$SHA" ]; then',
      '  echo "::error::This run deploys $SHA, but the head of $BRANCH is $head: a re-run of an old run never deploys. Push or re-run the head instead."',
      '  exit 1',
      'fi',
    ].join('\n'),
    env: {
      SHA: '${{ github.sha }}',
      BRANCH: deployBranch,
      REPOSITORY: '${{ github.repository }}',
      GH_TOKEN: '${{ github.token }}',
    },
  };
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) =>
      id.endsWith('-Deploy') && job.steps ? [id, { ...job, steps: [guard, ...job.steps] }] : [id, job],
    ),
  );
}
