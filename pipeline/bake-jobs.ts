import { GitHubActionStep, JobPermission, type JobStep } from 'cdk-pipelines-github';
import { planBake } from '../.github/actions/bake-gate/bake-plan';
import type { ShopConfig } from '../config';
import type { RegionalStage } from '../stacks/regional-stage';
import { cliCommand } from './bundled-cli';
import { assumeRole, checkoutBundles } from './job-steps';
import { pipelineNames } from './pipeline-names';
import { stackPairs } from './rollback-job';

/** What a Region's bake needs to know about it. */
export interface BakeTarget {
  readonly role: 'primary' | 'standby';
  readonly stage: RegionalStage;
  /** Alarms that must stay out of ALARM. */
  readonly alarms: readonly string[];
  /** Canaries that must have run often enough. */
  readonly canaries: readonly string[];
  /** The stage whose deploy the bake follows (its `post` steps). */
  readonly after: { readonly node: { readonly id: string } };
}

/** The jobs the bake of one Region added, so the rollback job can depend on them. */
export interface BakeJobs {
  readonly steps: readonly GitHubActionStep[];
  /** Their job ids: cdk-pipelines-github names a post step's job `<id of the stage it follows>-<step id>`. */
  readonly jobIds: readonly string[];
}

/** The id of the watch step of a bake; its job exposes the step's `window_start` as a job output. */
export const WATCH_STEP_ID = 'watch';

/**
 * The bake of a Region after `target.after` deploys: one job that watches the alarms and canaries and records the
 * Region as a known-good candidate, or (a bake longer than the credentials) a watch job and a history job behind the
 * Region's wait-timer Environment.
 */
export function bakeJobs(config: ShopConfig, deployRole: string, target: BakeTarget): BakeJobs {
  const names = pipelineNames(config);
  const region = target.stage.region!;
  const plan = planBake(config.bakeMinutes);
  const evidence = {
    INPUT_REGION: region,
    INPUT_ALARM_NAMES: target.alarms.join(','),
    INPUT_CANARY_NAMES: target.canaries.join(','),
    INPUT_BAKE_MINUTES: String(config.bakeMinutes),
    INPUT_MIN_CANARY_RUNS: String(config.minCanaryRuns),
  };
  const record: JobStep = {
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
  };
  // Two-phase known-good (review M5): `record` writes the Region's candidate; only the last bake, after its own
  // record, confirms both Regions' candidates, so a release that fails the standby bake is never what the primary
  // rolls back to.
  const confirm: JobStep[] =
    target.role === 'standby'
      ? [
          {
            name: `Confirm ${config.primaryRegion} and ${config.standbyRegion} as known-good`,
            run: cliCommand('rollback'),
            env: {
              INPUT_COMMAND: 'confirm',
              INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
              INPUT_APP_NAME: config.appName,
              INPUT_ENV_NAME: config.envName,
              INPUT_SHA: '${{ github.sha }}',
            },
          },
        ]
      : [];
  const permissions = { contents: JobPermission.READ, idToken: JobPermission.WRITE };
  const stageName = target.role === 'primary' ? 'Primary' : 'Standby';
  const watch = new GitHubActionStep(`Bake${stageName}`, {
    permissions,
    jobSteps: [
      ...checkoutBundles(),
      assumeRole(deployRole, region),
      {
        id: WATCH_STEP_ID,
        name: `Bake ${region} for ${plan.watchMinutes} minutes`,
        run: cliCommand('bake-gate'),
        env: { INPUT_MODE: 'watch', ...evidence, INPUT_WATCH_MINUTES: String(plan.watchMinutes) },
      },
      ...(plan.modes.length === 1 ? [record, ...confirm] : []),
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
  const verify = new GitHubActionStep(`Bake${stageName}History`, {
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
      record,
      ...confirm,
    ],
  });
  verify.addStepDependency(watch);
  return jobIds([watch, verify]);
}
