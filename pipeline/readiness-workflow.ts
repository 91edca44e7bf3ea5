import { YamlFile } from 'cdk-pipelines-github';
import { MAX_AGE_RANGE } from '../.github/actions/readiness/readiness-inputs';
import type { ShopConfig } from '../config';
import { pinActionsOf } from './action-pins';
import { cliCommand } from './bundled-cli';
import { ACTIONS, checkoutBundles, ROLE_SESSION_NAME } from './job-steps';
import { pipelineNames, roleArn } from './pipeline-names';
import { GENERATED_HEADER } from './workflow-header';

/** How often the scheduled readiness runs in AWS and readiness.yml reads its verdicts, by default (issue 17). */
export const DEFAULT_READINESS_SCHEDULE_MINUTES = 30;

/** The job that reads the verdicts and keeps the issue. */
export const READINESS_JOB = 'readiness';

/** The step id of the credentials step, whose `outcome` the CLI is given (a role that cannot be assumed is not green). */
export const CREDENTIALS_STEP_ID = 'credentials';

/**
 * The readiness role's credentials: the minimum an AssumeRoleWithWebIdentity session may ask for ("The value can
 * range from 900 seconds (15 minutes) up to the maximum session duration setting for the role", STS API Reference,
 * AssumeRoleWithWebIdentity, DurationSeconds); the job reads two objects.
 */
export const READINESS_CREDENTIAL_SECONDS = 900;

/**
 * The minutes between two scheduled readiness runs in AWS: `readiness.scheduleMinutes` of the configuration (the AWS
 * schedule, stacks/runbooks/scheduled-readiness.ts, uses the same value).
 */
export function readinessScheduleMinutes(config: ShopConfig): number {
  return config.readiness.scheduleMinutes;
}

/**
 * The intervals a GitHub cron repeats evenly at, in minutes: a step of `*\/n` minutes restarts every hour and one of
 * `*\/n` hours every day, so only divisors of 60 minutes and of 24 hours give the same gap between any two runs.
 */
export const EVEN_CRON_MINUTES = [5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720] as const;

/**
 * The cron readiness.yml runs at for an AWS schedule of every `minutes` minutes: the longest even interval (see
 * {@link EVEN_CRON_MINUTES}) not longer than `minutes`, so the workflow reads each record at least once; e.g. 45
 * minutes reads every 30. GitHub: "The shortest interval you can run scheduled workflows is once every 5 minutes"
 * (Events that trigger workflows, schedule). Staleness is judged against the AWS schedule, not this cron.
 *
 * @throws Error naming the value and what is accepted, for less than 5 minutes or more than 720, or a fraction.
 */
export function readinessCron(minutes: number): string {
  const interval = Number.isInteger(minutes) ? EVEN_CRON_MINUTES.filter((even) => even <= minutes).at(-1) : undefined;
  if (interval === undefined || minutes > 720) {
    throw new Error(
      `readiness.scheduleMinutes: ${minutes} cannot be a GitHub schedule; accepted: a whole number of minutes from 5 to 720`,
    );
  }
  if (interval < 60) return `*/${interval} * * * *`;
  return interval === 60 ? '0 * * * *' : `0 */${interval / 60} * * *`;
}

/**
 * The scheduled `readiness.yml` workflow (issue 17): every {@link readinessScheduleMinutes} minutes (and on
 * dispatch), one job reads the latest readiness verdict of both Regions (`readiness/latest.json`, readiness-record@1,
 * written by the scheduled readiness in AWS) with a read-only role, writes the job summary and keeps one GitHub issue
 * labelled `readiness` open while anything is not green, closing it once both are GREEN. A record older than
 * `max_age_minutes` (default twice the schedule: one missed run is tolerated), missing or unreadable is not green.
 *
 * - The job references the `<app>-<env>-readiness` Environment (no reviewers, the deploy branch only), which the
 *   readiness role alone trusts: no other workflow can read with it, and the role can do nothing but read.
 * - `issues: write` only in this job (the issue), `id-token: write` (OIDC); nothing at the top.
 * - The credentials step may fail (`continue-on-error`): the CLI is told its outcome and judges both Regions
 *   UNREADABLE, so a role that cannot be assumed still opens the issue.
 * - A concurrency group of its own (never cancelling): two runs never race to open two issues.
 *
 * GitHub: "Scheduled workflows will only run on the default branch" (so the deploy branch, the only one the
 * Environment admits, must be the default branch), they may be delayed under load, and in a public repository they
 * are disabled after 60 days without activity (Events that trigger workflows, schedule). The AWS-side schedule keeps
 * running either way, with its own alarm: this workflow only reports what it wrote.
 */
export function readinessWorkflow(config: ShopConfig, workflowPath = '.github/workflows/readiness.yml'): YamlFile {
  const names = pipelineNames(config);
  const scheduleMinutes = readinessScheduleMinutes(config);
  const defaultMaxAge = Math.min(MAX_AGE_RANGE.max, 2 * scheduleMinutes);
  const env = {
    INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
    INPUT_APP_NAME: config.appName,
    INPUT_ENV_NAME: config.envName,
    // A scheduled run has no inputs: the expression gives the default.
    INPUT_MAX_AGE_MINUTES: `\${{ inputs.max_age_minutes || '${defaultMaxAge}' }}`,
  };
  const workflow = {
    name: 'readiness',
    on: {
      schedule: [{ cron: readinessCron(scheduleMinutes) }],
      workflow_dispatch: {
        inputs: {
          max_age_minutes: {
            description: `A record older than this many minutes is stale, not green (${MAX_AGE_RANGE.min} to ${MAX_AGE_RANGE.max}; default twice the ${scheduleMinutes}-minute schedule)`,
            required: false,
            type: 'string',
            default: String(defaultMaxAge),
          },
        },
      },
    },
    permissions: {},
    concurrency: { group: `${config.appName}-${config.envName}-readiness`, 'cancel-in-progress': false },
    jobs: {
      [READINESS_JOB]: {
        name: 'Readiness of both Regions',
        'runs-on': 'ubuntu-latest',
        environment: names.readinessEnvironment,
        'timeout-minutes': 10,
        permissions: { contents: 'read', 'id-token': 'write', issues: 'write' },
        steps: [
          ...checkoutBundles(),
          {
            name: 'Validate inputs (no AWS call)',
            run: cliCommand('readiness'),
            env: { ...env, INPUT_VALIDATE_ONLY: 'true' },
          },
          {
            id: CREDENTIALS_STEP_ID,
            name: 'Authenticate via OIDC role (read-only)',
            uses: ACTIONS.configureAwsCredentials,
            'continue-on-error': true,
            with: {
              'aws-region': config.primaryRegion,
              'role-to-assume': roleArn(config.account, names.readinessRole),
              'role-duration-seconds': READINESS_CREDENTIAL_SECONDS,
              'role-skip-session-tagging': true,
              'role-session-name': ROLE_SESSION_NAME,
            },
          },
          {
            id: 'judge',
            name: 'Judge the latest readiness of both Regions and keep the readiness issue',
            run: cliCommand('readiness'),
            env: {
              ...env,
              INPUT_CREDENTIALS: `\${{ steps.${CREDENTIALS_STEP_ID}.outcome }}`,
              GITHUB_TOKEN: '${{ github.token }}',
            },
          },
        ],
      },
    },
  };
  const file = new YamlFile(workflowPath, { obj: workflow });
  file.commentAtTop = GENERATED_HEADER;
  return pinActionsOf(file);
}
