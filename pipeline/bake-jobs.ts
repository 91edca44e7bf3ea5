import { GitHubActionStep, JobPermission, type JobStep } from 'cdk-pipelines-github';
import { planBake } from '../.github/actions/bake-gate/bake-plan';
import { ALARM_CHANGE_TRAILER } from '../.github/actions/bake-gate/bake-verdict';
import type { ShopConfig } from '../config';
import { stackNames } from '../stacks/naming/stack-names';
import type { RegionalStage } from '../stacks/regional-stage';
import { cliCommand } from './bundled-cli';
import { assumeRole, checkoutBundles } from './job-steps';
import { pipelineNames } from './pipeline-names';
import { stackPairs } from './rollback-job';
import { routingParameterOf } from './routing-parameter';

/** What a Region's bake needs to know about it. */
export interface BakeTarget {
  readonly role: 'primary' | 'standby';
  readonly stage: RegionalStage;
  /** Alarms that must stay out of ALARM and end OK. */
  readonly alarms: readonly string[];
  /** Canaries that must have run often enough, every run successful. */
  readonly canaries: readonly string[];
  /** The stage whose deploy the bake follows (its `post` steps). */
  readonly after: { readonly node: { readonly id: string } };
  /**
   * The id of the bake's step, so its job is `<after id>-<id>`.
   *
   * @default `BakePrimary` or `BakeStandby`
   */
  readonly id?: string;
  /**
   * Whether the bake records the Region as a known-good candidate once it passed.
   *
   * @default true
   */
  readonly record?: boolean;
  /**
   * Whether the bake runs before the routing stage (the primary's first bake): its readiness dry run is deferred
   * while the routing stack's parameter does not exist in the Region (a first deploy). The bakes after routing
   * never defer.
   *
   * @default false
   */
  readonly beforeRouting?: boolean;
  /**
   * Whether this bake's job confirms both Regions' candidates after its record (the last bake of a release). Off
   * when a separate {@link confirmJob} waits for every last bake.
   *
   * @default - the standby's bake
   */
  readonly confirm?: boolean;
}

/** The jobs the bake of one Region added, so the rollback job can depend on them. */
export interface BakeJobs {
  readonly steps: readonly GitHubActionStep[];
  /** Their job ids: cdk-pipelines-github names a post step's job `<id of the stage it follows>-<step id>`. */
  readonly jobIds: readonly string[];
}

/** The id of the watch step of a bake; its job exposes the step's `window_start` and `result` as job outputs. */
export const WATCH_STEP_ID = 'watch';

/** The id of the readiness dry-run step of a bake; its job exposes the step's `readiness` as a job output. */
export const READINESS_STEP_ID = 'readiness';

/** The id of the primary's second bake, after the routing stage (review M2(5)); its job is `Global-RebakePrimary`. */
export const REBAKE_PRIMARY_STEP_ID = 'RebakePrimary';

/** The id of the synth job's first step, which notes when the run started ({@link RUN_STARTED_OUTPUT}). */
export const RUN_START_STEP_ID = 'run-start';

/** The synth job, which every bake job also needs for {@link RUN_STARTED_OUTPUT}. */
export const SYNTH_JOB_ID = 'Build-Build';

/**
 * The output of the synth job that says when the run started (its first step's clock): a gate alarm redefined at
 * or after it was redefined by the release being baked (review M12).
 */
export const RUN_STARTED_OUTPUT = 'started_at';

/**
 * The commit-message line that accepts the alarm changes of a release: without it a bake fails when the release
 * redefined an alarm that gates it. The same text as the bake gate's `ALARM_CHANGE_TRAILER`.
 */
export { ALARM_CHANGE_TRAILER } from '../.github/actions/bake-gate/bake-verdict';

/**
 * The bake of a Region after `target.after` deploys: one job that runs the Region's readiness runbook as a dry run,
 * watches the alarms and canaries and records the Region as a known-good candidate, or (a bake longer than the
 * credentials) a watch job and a history job behind the Region's wait-timer Environment.
 */
export function bakeJobs(config: ShopConfig, deployRole: string, target: BakeTarget): BakeJobs {
  const names = pipelineNames(config);
  const region = target.stage.region!;
  const plan = planBake(config.bakeMinutes);
  const id = target.id ?? `Bake${target.role === 'primary' ? 'Primary' : 'Standby'}`;
  const stacks = stackNames(config.appName, config.envName);
  const evidence = {
    INPUT_REGION: region,
    INPUT_ALARM_NAMES: target.alarms.join(','),
    INPUT_CANARY_NAMES: target.canaries.join(','),
    INPUT_BAKE_MINUTES: String(config.bakeMinutes),
    INPUT_MIN_CANARY_RUNS: String(config.minCanaryRuns),
    // Review M12: the release may not redefine the alarms that gate it, unless its commit says so; the stacks that
    // define them tell a first deploy (all created by this run) from a change.
    INPUT_ALARM_DEFINITIONS_SINCE: `\${{ needs.${SYNTH_JOB_ID}.outputs.${RUN_STARTED_OUTPUT} }}`,
    INPUT_ACCEPT_ALARM_CHANGES: `\${{ contains(github.event.head_commit.message, '${ALARM_CHANGE_TRAILER}') }}`,
    INPUT_ALARM_STACKS: `${stacks.services(region)},${stacks.observability(region)}`,
  };
  const record: JobStep[] =
    (target.record ?? true)
      ? [
          {
            name: `Record ${region} as a known-good candidate`,
            run: cliCommand('rollback'),
            env: {
              INPUT_COMMAND: 'record',
              INPUT_REGION: region,
              INPUT_APP_NAME: config.appName,
              INPUT_ENV_NAME: config.envName,
              INPUT_SHA: '${{ github.sha }}',
              INPUT_STACKS: stackPairs(target.stage),
            },
          },
        ]
      : [];
  if (target.confirm ?? target.role === 'standby') record.push(confirmStep(config));
  // Review M12: the runbooks redeploy with every wave; the bake checks they still work where they would run. The
  // automation is followed for up to 5 minutes, then the credentials are taken again, so the watch keeps its 25.
  // The step never fails the job itself: the watch step gives the one verdict of the job (its `result`, which the
  // rollback reads), failing at once when readiness failed and without a verdict when it gave no outcome.
  const readiness: JobStep = {
    id: READINESS_STEP_ID,
    name: `Readiness dry run of ${region}`,
    continueOnError: true,
    run: cliCommand('bake-gate'),
    env: {
      INPUT_MODE: 'readiness',
      INPUT_REGION: region,
      INPUT_APP_NAME: config.appName,
      INPUT_ENV_NAME: config.envName,
      INPUT_REASON: 'bake of ${{ github.sha }}',
      INPUT_TIMEOUT_MINUTES: String(READINESS_TIMEOUT_MINUTES),
      ...(target.beforeRouting ? { INPUT_ROUTING_PARAMETER: routingParameterOf(config) } : {}),
    },
  };
  const permissions = { contents: JobPermission.READ, idToken: JobPermission.WRITE };
  const watch = new GitHubActionStep(id, {
    permissions,
    jobSteps: [
      ...checkoutBundles(),
      assumeRole(deployRole, region),
      readiness,
      assumeRole(deployRole, region),
      {
        id: WATCH_STEP_ID,
        name: `Bake ${region} for ${plan.watchMinutes} minutes`,
        run: cliCommand('bake-gate'),
        env: {
          INPUT_MODE: 'watch',
          ...evidence,
          INPUT_WATCH_MINUTES: String(plan.watchMinutes),
          INPUT_READINESS: `\${{ steps.${READINESS_STEP_ID}.outputs.readiness || 'none' }}`,
        },
      },
      ...(plan.modes.length === 1 ? record : []),
    ],
  });
  const jobIds = (steps: GitHubActionStep[]) => ({
    steps,
    jobIds: steps.map((step) => `${target.after.node.id}-${step.id}`),
  });
  if (plan.modes.length === 1) return jobIds([watch]);
  const watchJobId = `${target.after.node.id}-${watch.id}`;

  // A bake longer than the job's credentials: the wait-timer Environment holds the run without credentials,
  // then the history of the whole window is checked with fresh ones.
  const verify = new GitHubActionStep(`${id}History`, {
    githubEnvironment: names.bakeWaitEnvironment(region),
    permissions,
    jobSteps: [
      ...checkoutBundles(),
      assumeRole(deployRole, region),
      {
        name: `Check ${region}'s alarm history over the last ${config.bakeMinutes} minutes`,
        run: cliCommand('bake-gate'),
        // The window starts when the watch did (M3): never "the last bake_minutes", which reaches back before the
        // deploy when the wait timer is missing.
        env: {
          INPUT_MODE: 'verify-history',
          ...evidence,
          INPUT_WINDOW_START: `\${{ needs.${watchJobId}.outputs.window_start }}`,
        },
      },
      ...record,
    ],
  });
  verify.addStepDependency(watch);
  return jobIds([watch, verify]);
}

/**
 * Minutes a bake follows its readiness dry run before it fails it: the runbook only reads (a few checks, seconds
 * each), and the bake job's 40 minutes must still hold a 25-minute watch (the credentials are taken again for it).
 */
export const READINESS_TIMEOUT_MINUTES = 5;

/**
 * Two-phase known-good (review M5): each bake records its Region's candidate; once every bake after the routing
 * stage passed (both Regions, review M2(5)), this job confirms both Regions' candidates, so a release that fails
 * any of them is never what a Region rolls back to.
 */
export function confirmJob(
  config: ShopConfig,
  deployRole: string,
  after: { readonly node: { readonly id: string } },
  bakes: readonly BakeJobs[],
): BakeJobs {
  const confirm = new GitHubActionStep(CONFIRM_STEP_ID, {
    permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
    jobSteps: [...checkoutBundles(), assumeRole(deployRole, config.standbyRegion), confirmStep(config)],
  });
  for (const bake of bakes) confirm.addStepDependency(bake.steps.at(-1)!);
  return { steps: [confirm], jobIds: [`${after.node.id}-${confirm.id}`] };
}

/** The id of the step (and `<stage>-<id>` job) that confirms both Regions' candidates after the last bakes. */
export const CONFIRM_STEP_ID = 'ConfirmKnownGood';

/** The rollback CLI's `confirm` of both Regions' candidates at the run's commit. */
function confirmStep(config: ShopConfig): JobStep {
  return {
    name: `Confirm ${config.primaryRegion} and ${config.standbyRegion} as known-good`,
    run: cliCommand('rollback'),
    env: {
      INPUT_COMMAND: 'confirm',
      INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
      INPUT_APP_NAME: config.appName,
      INPUT_ENV_NAME: config.envName,
      INPUT_SHA: '${{ github.sha }}',
    },
  };
}
