import { YamlFile } from 'cdk-pipelines-github';
import { MAX_WAIT_MINUTES, PHASE_MARGIN_MINUTES, RESUMABLE_PHASES } from '../.github/actions/gameday/gameday-inputs';
import type { ShopConfig } from '../config';
import type { GameDayPhase } from '../runbooks/gameday/gameday-phases';
import { pinActionsOf } from './action-pins';
import { cliCommand } from './bundled-cli';
import { FAILOVER_JOB_MINUTES } from './failover-workflow';
import { ACTIONS, checkoutBundles, ROLE_SESSION_NAME } from './job-steps';
import { pipelineNames, roleArn } from './pipeline-names';
import { GENERATED_HEADER } from './workflow-header';

/** Whether the configuration enables game days (`gameDays.enabled`, default false): only then is gameday.yml offered. */
export function gameDaysEnabled(config: Pick<ShopConfig, 'gameDays'>): boolean {
  return config.gameDays.enabled;
}

/** The minutes of setup a job has before it assumes its role (checkout of the bundles, Node): its limit adds them. */
const SETUP_MINUTES = 5;

/**
 * How long each phase job's credentials last, in minutes (every one within the hour a role session may last). The
 * failover, the old Region's return and recover follow an SSM automation or a wait: as long as the failover job.
 */
export const GAMEDAY_PHASE_MINUTES = {
  preflight: 30,
  inject: 30,
  failover: FAILOVER_JOB_MINUTES,
  'await-return': FAILOVER_JOB_MINUTES,
  recover: FAILOVER_JOB_MINUTES,
  score: 30,
  'clean-up': 30,
} as const;

/** A phase job of the workflow (its id): `inject` runs the phases `start-traffic` and `inject`. */
export type GameDayJob = keyof typeof GAMEDAY_PHASE_MINUTES;

/** The phases each phase job runs, in order: the contract's "start-traffic + inject" share one job. */
export const GAMEDAY_JOB_PHASES: Readonly<Record<GameDayJob, readonly GameDayPhase[]>> = {
  preflight: ['preflight'],
  inject: ['start-traffic', 'inject'],
  failover: ['failover'],
  'await-return': ['await-return'],
  recover: ['recover'],
  score: ['score'],
  'clean-up': ['clean-up'],
};

/**
 * The deadline of each phase of `job`, in minutes (the CLI's `phase_minutes`, `GameDaySettings.phaseMinutes`): its
 * credentials ({@link GAMEDAY_PHASE_MINUTES}) less {@link PHASE_MARGIN_MINUTES} for the record and the summary, shared
 * equally among the job's phases, so the phases of one job together end before its credentials do (review 16d G4).
 * The inject job's 12 minutes each hold start-traffic's 10-minute wait for the first acknowledgment (its warm-up is
 * shortened when that wait took more than 9) and inject's 5-minute wait for the experiment.
 */
export function gameDayPhaseMinutes(job: GameDayJob): number {
  return Math.floor((GAMEDAY_PHASE_MINUTES[job] - PHASE_MARGIN_MINUTES) / GAMEDAY_JOB_PHASES[job].length);
}

/** The job that validates the inputs (no credentials) and names the game day and its phases. */
export const VALIDATE_JOB = 'validate';
/** The job of the approval Environment (required reviewers; no credentials). */
export const APPROVE_JOB = 'approve';

/** The step id of a phase's CLI step (`steps.<id>.outputs`). */
const stepId = (phase: GameDayPhase) => phase.replace(/-/g, '_');

/** `phase` is among the phases the validate job said this dispatch runs (a JSON array of names, quoted). */
const runsPhase = (phase: GameDayPhase) => `contains(needs.${VALIDATE_JOB}.outputs.phases, '"${phase}"')`;

/**
 * The manual `gameday.yml` workflow (issue 16): a game day on real AWS, one job per phase of
 * `runbooks/gameday/gameday-phases.ts`, each running the bundled game-day CLI (`.github/actions/gameday/main.ts`)
 * with its own credentials of at most an hour; the game-day record in the surviving Region's report bucket carries
 * the state from one job to the next.
 *
 * - `validate` (no credentials, no Environment) checks the inputs with the CLI, so a bad dispatch stops before a
 *   reviewer is asked or a role assumed, and names the game day (a new id, or `game_day_id`) and the phases to run.
 * - `approve` references `<app>-<env>-gameday` (required reviewers) and holds no credentials. GitHub: "Jobs that
 *   reference an environment configured with required reviewers will wait for an approval before starting" (Reviewing
 *   deployments): one approval starts the game day; the phase jobs reference `<app>-<env>-gameday-run` instead (no
 *   reviewers, the deploy branch only), which the game-day role trusts, so no phase, the clean-up included, waits for
 *   a person.
 * - preflight → start-traffic + inject → failover → await-return → recover → score, each only after the previous one
 *   succeeded (a job ends non-zero for a failed or INCONCLUSIVE phase and for a FAILED or INCONCLUSIVE verdict);
 *   clean-up after all of them whenever the game day was approved (`always()`: after a failure or a cancellation
 *   too), except in a dry run, which changes nothing.
 * - The old Region's return can take hours: `await-return` follows it for at most {@link MAX_WAIT_MINUTES} minutes,
 *   then fails naming the game day; dispatch again with `game_day_id` and `resume_at: await-return` to go on with
 *   fresh credentials and a new approval. A resumed dispatch runs from `resume_at` on. "Re-run failed jobs" does not
 *   work: the approve job is not re-run, and every phase but clean-up refuses to act in an attempt it was not
 *   approved in (review 16d G1).
 *
 * The workflow has a concurrency group of its own (never cancelling): two game days of one environment never run at
 * once, and it shares no group with a deploy or a failover. Only generated when game days are enabled.
 */
export function gameDayWorkflow(config: ShopConfig, workflowPath = '.github/workflows/gameday.yml'): YamlFile {
  const names = pipelineNames(config);
  const regions = [config.primaryRegion, config.standbyRegion];
  const surviving = `\${{ inputs.failed_region == '${config.primaryRegion}' && '${config.standbyRegion}' || '${config.primaryRegion}' }}`;
  const dispatchEnv = {
    INPUT_FAILED_REGION: '${{ inputs.failed_region }}',
    INPUT_DRY_RUN: '${{ inputs.dry_run }}',
    INPUT_REASON: '${{ inputs.reason }}',
    INPUT_GAME_DAY_ID: '${{ inputs.game_day_id }}',
    INPUT_RESUME_AT: '${{ inputs.resume_at }}',
    INPUT_PRIMARY_REGION: config.primaryRegion,
    INPUT_STANDBY_REGION: config.standbyRegion,
    INPUT_APP_NAME: config.appName,
    INPUT_ENV_NAME: config.envName,
    INPUT_EVIDENCE_RETENTION_DAYS: String(config.gameDays.evidenceRetentionDays),
    INPUT_RTO_TARGET_MINUTES: String(config.rtoTargetMinutes),
    INPUT_RPO_TARGET_SECONDS: String(config.rpoTargetSeconds),
    // Named in the job summaries as the approver's Environment; GitHub gives no variable for the approver.
    INPUT_ENVIRONMENT: names.gameDayApprovalEnvironment,
    // How the runner reaches the load balancers (review 16d G5): a Region with a certificate only redirects port 80,
    // and its certificate names the shop, so such a Region is reached over HTTPS under this name.
    INPUT_PUBLIC_HOST_NAME: `${config.hostName}.${config.domainName}`,
    INPUT_HTTPS_REGIONS: regions.filter((region) => config.certificateArns[region]).join(','),
  };
  const phaseStep = (phase: GameDayPhase, extra: Record<string, string> = {}, condition?: string) => ({
    id: stepId(phase),
    name: `Game day: ${phase}`,
    ...(condition === undefined ? {} : { if: condition }),
    run: cliCommand('gameday'),
    env: {
      ...dispatchEnv,
      INPUT_PHASE: phase,
      INPUT_RUN_GAME_DAY_ID: `\${{ needs.${VALIDATE_JOB}.outputs.game_day_id }}`,
      // The attempt the approval was given in: the CLI refuses to act in another one (a re-run, review 16d G1).
      INPUT_APPROVED_ATTEMPT: `\${{ needs.${APPROVE_JOB}.outputs.attempt }}`,
      ...extra,
      GITHUB_TOKEN: '${{ github.token }}',
    },
  });
  const phaseJobIds = Object.keys(GAMEDAY_PHASE_MINUTES) as GameDayJob[];
  const verdictOfEarlierJobs = phaseJobIds
    .filter((id) => id !== 'clean-up')
    .reverse()
    .map((id) => `needs.${id}.outputs.verdict`)
    .join(' || ');
  const phaseJob = (id: GameDayJob, previous: GameDayJob | undefined) => {
    const phases = GAMEDAY_JOB_PHASES[id];
    const cleanUp = id === 'clean-up';
    const minutes = GAMEDAY_PHASE_MINUTES[id];
    const needs = cleanUp
      ? [VALIDATE_JOB, APPROVE_JOB, ...phaseJobIds.filter((other) => other !== 'clean-up')]
      : [VALIDATE_JOB, APPROVE_JOB, ...(previous ? [previous] : [])];
    // A phase runs when nothing before it failed or was cancelled and this dispatch runs it (a resumed one skips the
    // phases before `resume_at`: a skipped job is no failure, so the next one still runs). Clean-up runs after any
    // outcome once the game day was approved: `always()` keeps it from being skipped or cancelled.
    const condition = cleanUp
      ? `\${{ always() && needs.${APPROVE_JOB}.result == 'success' && ${runsPhase('clean-up')} }}`
      : `\${{ !cancelled() && !failure() && (${phases.map(runsPhase).join(' || ')}) }}`;
    // After a cancellation a step's implied `success()` is false: the clean-up's steps run unless one of them failed.
    const cleanUpStep = cleanUp ? '${{ !failure() }}' : undefined;
    const steps = phases.map((phase) =>
      phaseStep(
        phase,
        {
          INPUT_PHASE_MINUTES: String(gameDayPhaseMinutes(id)),
          ...(phase === 'await-return' ? { INPUT_WAIT_MINUTES: String(MAX_WAIT_MINUTES) } : {}),
          ...(cleanUp ? { INPUT_VERDICT: `\${{ ${verdictOfEarlierJobs} }}` } : {}),
        },
        // In a job of several phases, each step runs only when the dispatch runs its phase (`success()` is implied:
        // a failed first phase stops the second).
        phases.length > 1 ? `\${{ ${runsPhase(phase)} }}` : cleanUpStep,
      ),
    );
    const stepOutput = (name: string) =>
      `\${{ ${[...phases]
        .reverse()
        .map((phase) => `steps.${stepId(phase)}.outputs.${name}`)
        .join(' || ')} }}`;
    return {
      name: phases.length > 1 ? phases.join(' + ') : phases[0],
      'runs-on': 'ubuntu-latest',
      needs,
      if: condition,
      environment: names.gameDayEnvironment,
      'timeout-minutes': minutes + SETUP_MINUTES,
      // actions: read lets the CLI read the run's review history, to name the approver in its summary.
      permissions: { contents: 'read', 'id-token': 'write', actions: 'read' },
      outputs: { verdict: stepOutput('verdict'), evidence_url: stepOutput('evidence_url') },
      steps: [
        ...checkoutBundles().map((step) => (cleanUpStep ? { ...step, if: cleanUpStep } : step)),
        {
          name: 'Authenticate via OIDC role',
          ...(cleanUpStep ? { if: cleanUpStep } : {}),
          uses: ACTIONS.configureAwsCredentials,
          with: {
            'aws-region': surviving,
            'role-to-assume': roleArn(config.account, names.gameDayRole),
            'role-duration-seconds': minutes * 60,
            'role-skip-session-tagging': true,
            'role-session-name': ROLE_SESSION_NAME,
          },
        },
        ...steps,
      ],
    };
  };
  const workflow = {
    name: 'gameday',
    on: {
      workflow_dispatch: {
        inputs: {
          failed_region: {
            description: 'The Region the fault hits (today’s primary); the other Region takes over',
            required: true,
            type: 'choice',
            options: regions,
            default: config.primaryRegion,
          },
          dry_run: {
            description: 'Plan and run the preflight checks only, change nothing',
            required: true,
            type: 'boolean',
            default: true,
          },
          reason: {
            description: 'Why (change or ticket id); recorded with the game day',
            required: true,
            type: 'string',
          },
          game_day_id: {
            description:
              'Optional: the game day to resume (gd-…, from an earlier run’s summary); empty starts a new game day',
            required: false,
            type: 'string',
            default: '',
          },
          resume_at: {
            description: `With game_day_id: the phase to resume at, as the earlier run’s summary names it (one of ${RESUMABLE_PHASES.join(', ')}); preflight for a new game day`,
            required: false,
            type: 'choice',
            options: ['preflight', ...RESUMABLE_PHASES],
            default: 'preflight',
          },
        },
      },
    },
    permissions: {},
    concurrency: { group: `${config.appName}-${config.envName}-gameday`, 'cancel-in-progress': false },
    jobs: {
      [VALIDATE_JOB]: {
        name: 'Validate inputs (no AWS call)',
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 10,
        permissions: { contents: 'read' },
        outputs: {
          game_day_id: '${{ steps.validate.outputs.game_day_id }}',
          phases: '${{ steps.validate.outputs.phases }}',
        },
        steps: [
          ...checkoutBundles(),
          {
            id: 'validate',
            name: 'Validate inputs and name the game day',
            run: cliCommand('gameday'),
            env: { ...dispatchEnv, INPUT_PHASE: 'preflight', INPUT_VALIDATE_ONLY: 'true' },
          },
        ],
      },
      [APPROVE_JOB]: {
        name: 'Approve the game day ${{ needs.validate.outputs.game_day_id }}',
        'runs-on': 'ubuntu-latest',
        needs: [VALIDATE_JOB],
        environment: names.gameDayApprovalEnvironment,
        'timeout-minutes': 5,
        permissions: {},
        // The attempt in which this job ran, i.e. was approved. GitHub: "Jobs that aren't included keep their outputs
        // from the previous attempt" (Re-running workflows and jobs): after "Re-run failed jobs" this output still
        // names the approved attempt while GITHUB_RUN_ATTEMPT ("increments with each re-run", Variables reference)
        // has moved on, and every phase but clean-up refuses (gameday-approval.ts, review 16d G1).
        outputs: { attempt: '${{ steps.approved.outputs.attempt }}' },
        steps: [
          {
            id: 'approved',
            name: 'Approved',
            // Every job summary names the verdict: here, that there is none yet.
            run: [
              'echo "Game day $GAME_DAY_ID approved: failing $FAILED_REGION, phases $PHASES"',
              'printf \'## Game day `%s` approved\\n\\nFault in: `%s`; phases: %s\\n\\nVerdict: not yet (the score phase gives it).\\n\' "$GAME_DAY_ID" "$FAILED_REGION" "$PHASES" >> "$GITHUB_STEP_SUMMARY"',
              'printf \'attempt=%s\\n\' "$GITHUB_RUN_ATTEMPT" >> "$GITHUB_OUTPUT"',
            ].join('\n'),
            env: {
              GAME_DAY_ID: `\${{ needs.${VALIDATE_JOB}.outputs.game_day_id }}`,
              FAILED_REGION: '${{ inputs.failed_region }}',
              PHASES: `\${{ needs.${VALIDATE_JOB}.outputs.phases }}`,
            },
          },
        ],
      },
      ...Object.fromEntries(phaseJobIds.map((id, index) => [id, phaseJob(id, phaseJobIds[index - 1])])),
    },
  };
  const file = new YamlFile(workflowPath, { obj: workflow });
  file.commentAtTop = GENERATED_HEADER;
  return pinActionsOf(file);
}
