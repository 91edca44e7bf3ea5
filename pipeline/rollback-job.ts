import type { Stack } from 'aws-cdk-lib';
import type { ShopConfig } from '../config';
import type { RegionalStage } from '../stacks/regional-stage';
import type { BakeJobs } from './bake-jobs';
import { cliCommand } from './bundled-cli';
import { deployJobId, FREEZE_GUARD_STEP_ID } from './deploy-job-ids';
import { JOB_TIMEOUT_MINUTES } from './job-limits';
import { assumeRole, checkout, setupNode } from './job-steps';
import { synthEnvironment } from './synth-environment';

/**
 * The application stacks of a Region: what a rollback redeploys. Network and data stacks are never redeployed
 * from an old commit (the data has moved on; the network is shared by both).
 */
export function applicationStacks(stage: RegionalStage): readonly Stack[] {
  return [stage.services, stage.observability];
}

/** `<cdk id>=<stack name>` pairs the rollback CLI records and redeploys (cdk selects by id, CloudFormation by name). */
export function stackPairs(stage: RegionalStage): string {
  return applicationStacks(stage)
    .map((stack) => `${stack.node.path}=${stack.stackName}`)
    .join(' ');
}

/**
 * The rollback of a Region: runs when any job of the Region's waves or its bake (for the primary: or any later job,
 * up to the standby bake) failed or was cancelled after one of its application stacks was deployed (review M5: a
 * later stack of the wave failing skips the bake, a cancelled bake is not a `failure()`, and a failed last bake
 * leaves the primary on a release that is not known-good; either way the Region would stay on it). It does not run when nothing
 * of the Region changed (a refused approval, a freeze, a stack failing before the application stacks).
 */
export function rollbackJob(
  config: ShopConfig,
  deployRole: string,
  stage: RegionalStage,
  bake: BakeJobs,
  waveJobs: readonly string[],
): object {
  const region = stage.region!;
  const needs = [...waveJobs, ...bake.jobIds];
  const changed = applicationStacks(stage)
    .map((stack) => `needs.${deployJobId(stack)}.result != 'skipped'`)
    .join(' || ');
  // A wave stopped by the deploy freeze is not a failed release: a failover is running, and nothing may deploy
  // until it is done (review B2/M11); the Region stays on its baked (unconfirmed) release.
  const notFrozen = needs
    .filter((id) => id.endsWith(`-${FREEZE_GUARD_STEP_ID}`))
    .map((id) => `needs.${id}.result != 'failure'`)
    .join(' && ');
  return {
    name: `Roll back ${region}'s application stacks`,
    needs,
    if: `\${{ always() && (contains(needs.*.result, 'failure') || contains(needs.*.result, 'cancelled')) && (${changed}) && ${notFrozen} }}`,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': JOB_TIMEOUT_MINUTES.rollback,
    permissions: { contents: 'read', 'id-token': 'write' },
    // In a cancelled run a step's default `success()` is false: `!failure()` runs each step unless an earlier one
    // of this job failed, so a rollback started after a cancellation does its work and is not cut short by it.
    steps: untilAStepFails([
      // The redeploy fetches the known-good commit with the job's token, and installs that commit's dependencies in
      // its worktree (npm's cache helps there); the CLI steps run the bundles of this commit.
      checkout({ persistCredentials: true }),
      setupNode({ npmCache: true }),
      assumeRole(deployRole, region),
      {
        id: 'plan',
        name: `Find ${region}'s last known-good version`,
        run: cliCommand('rollback'),
        env: {
          INPUT_COMMAND: 'plan',
          INPUT_REGION: region,
          INPUT_APP_NAME: config.appName,
          INPUT_ENV_NAME: config.envName,
          // Marked rolled back first: record never records it afterwards, not even from a re-run bake (M1).
          INPUT_FAILED_SHA: '${{ github.sha }}',
        },
      },
      {
        name: 'Redeploy the known-good application stacks',
        // A worktree, so the verify step below still runs this commit's CLI.
        run: [
          'git fetch --no-tags --depth 1 origin "$SHA"',
          'git worktree add --detach "$RUNNER_TEMP/known-good" "$SHA"',
          'cd "$RUNNER_TEMP/known-good"',
          'npm ci',
          '$DEPLOY_COMMAND',
        ].join('\n'),
        env: {
          SHA: '${{ steps.plan.outputs.sha }}',
          DEPLOY_COMMAND: '${{ steps.plan.outputs.deploy_command }}',
          // The rebuilt stacks' DeployedCommit: the known-good commit (a step cannot override GITHUB_SHA).
          DEPLOY_COMMIT: '${{ steps.plan.outputs.sha }}',
          ...synthEnvironment(config),
        },
      },
      {
        name: 'Verify the redeployed stacks',
        run: cliCommand('rollback'),
        env: { INPUT_COMMAND: 'verify', INPUT_REGION: region, INPUT_STACKS: '${{ steps.plan.outputs.stack_names }}' },
      },
    ]),
  };
}

/** The steps, each with `if: !failure()` (see the rollback job). */
function untilAStepFails<T extends object>(steps: T[]): T[] {
  return steps.map((step) => ({ ...step, if: '${{ !failure() }}' }));
}
