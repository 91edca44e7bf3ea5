import type { Stack } from 'aws-cdk-lib';
import type { ShopConfig } from '../config';
import type { GlobalStage } from '../stacks/global-stage';
import type { RegionalStage } from '../stacks/regional-stage';
import type { BakeJobs } from './bake-jobs';
import { deployJobId, FREEZE_GUARD_STEP_ID } from './deploy-job-ids';
import { JOB_TIMEOUT_MINUTES } from './job-limits';
import type { RecordedRollback, RenderedStep } from './recorded-release';

/**
 * The stacks of a Region a rollback redeploys, in deploy order: services, observability and the runbooks (the DR
 * mechanism, review M12), plus the global routing stack when it lives in the Region and deploys after it (the
 * standby: review M5). Network and data stacks are never redeployed from an old release (the data has moved on;
 * the network is shared by both).
 */
export function rollbackStacks(stage: RegionalStage, routing?: GlobalStage): readonly Stack[] {
  const regional = [stage.services, stage.observability, stage.runbooks];
  return routing !== undefined && routing.routing.region === stage.region ? [...regional, routing.routing] : regional;
}

/**
 * `<cdk id>=<stack name>` pairs of the Region's regional rollback stacks (the bake's `record` input; the deploy
 * workflow's post-pass sets the full set, routing included, with the template of each: recorded-release.ts).
 */
export function stackPairs(stage: RegionalStage): string {
  return rollbackStacks(stage)
    .map((stack) => `${stack.node.path}=${stack.stackName}`)
    .join(' ');
}

/** What the deploy workflow's post-pass needs to record and roll back `stacks` (see recorded-release.ts). */
export function recordedRollback(
  config: ShopConfig,
  stage: RegionalStage,
  stacks: readonly Stack[],
  bake: BakeJobs,
  rollbackJobId: string,
  job: Record<string, unknown>,
): RecordedRollback {
  return {
    region: stage.region!,
    stacks: stacks.map((stack) => ({
      cdkId: stack.node.path,
      stackName: stack.stackName,
      deployJobId: deployJobId(stack),
    })),
    bakeJobIds: bake.jobIds,
    rollbackJobId,
    job,
    failureReport: rollbackFailureReport(config, stage.region!),
  };
}

/**
 * The rollback of a Region (its steps are built from the rendered deploy and bake jobs: recorded-release.ts). It
 * runs when, after one of the Region's rolled-back stacks was deployed,
 * - a deploy job of the Region's waves (for the primary: of every later wave too) failed, or any job it needs was
 *   cancelled (review M5: a later stack failing skips the bake; a cancelled bake is not a `failure()`), or
 * - a bake (for the primary: its own or the standby's, after which the release is confirmed) gave the verdict
 *   `failed` (review m3: a bake job that failed without a verdict, an AWS error (exit 3), OIDC, a failed record
 *   after a passed bake, is not a reason to roll a release back; its job says so and the run fails).
 * It does not run when nothing of the Region changed (a refused approval, a freeze, a stack failing before the
 * application stacks), nor while a failover holds the deploy freeze.
 */
export function rollbackJob(
  stage: RegionalStage,
  bakes: readonly BakeJobs[],
  waveJobs: readonly string[],
  stacks: readonly Stack[],
  watchMinutes: number,
): Record<string, unknown> {
  const region = stage.region!;
  const bakeJobIds = bakes.flatMap((bake) => bake.jobIds);
  const needs = [...waveJobs, ...bakeJobIds];
  const changed = rollbackStacks(stage)
    .map((stack) => `needs.${deployJobId(stack)}.result != 'skipped'`)
    .join(' || ');
  const failedDeploy = waveJobs.map((id) => `needs.${id}.result == 'failure'`);
  const failedBake = bakeJobIds.map((id) => `needs.${id}.outputs.verdict == 'failed'`);
  // A wave stopped by the deploy freeze is not a failed release: a failover is running, and nothing may deploy
  // until it is done (review B2/M11); the Region stays on its baked (unconfirmed) release.
  const notFrozen = needs
    .filter((id) => id.endsWith(`-${FREEZE_GUARD_STEP_ID}`))
    .map((id) => `needs.${id}.result != 'failure'`)
    .join(' && ');
  const reason = ["contains(needs.*.result, 'cancelled')", ...failedDeploy, ...failedBake].join(' || ');
  return {
    name: `Roll back ${region} to its last known-good release`,
    needs,
    if: `\${{ always() && (${reason}) && (${changed}) && ${notFrozen} }}`,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': rollbackTimeoutMinutes(stacks.length, watchMinutes),
    permissions: { contents: 'read', 'id-token': 'write' },
  };
}

/**
 * How long a rollback may run: setup, each stack's redeploy under its own fresh 30-minute credentials (as its deploy
 * job had), the rollback's own bake, and a margin for the verify and the report.
 */
export function rollbackTimeoutMinutes(stacks: number, bakeMinutes: number): number {
  return JOB_TIMEOUT_MINUTES.rollbackSetup + stacks * JOB_TIMEOUT_MINUTES.stackDeploy + bakeMinutes + 5;
}

/**
 * The last step of a rollback job: when any step failed (nothing to roll back to, an artifact gone, a redeploy,
 * the verify or the rollback's own bake failed), an error annotation and a job summary that say the Region is still
 * broken and who to page. It never asks a reviewer for anything (review M7).
 */
export function rollbackFailureReport(config: ShopConfig, region: string): RenderedStep {
  const message = `The rollback of ${region} did not restore it: the Region may still run the failed release, or the known-good release did not pass its bake after the redeploy. Page the on-call of ${config.appName}-${config.envName} now (docs/break-glass.md: failing over to the other Region is the next step); the steps above say what failed.`;
  return {
    name: `Report that ${region} is still broken`,
    if: '${{ failure() }}',
    run: [
      'echo "::error title=Rollback failed in $REGION::$MESSAGE"',
      '{',
      '  echo "## Rollback of $REGION FAILED: the Region is still broken"',
      '  echo ""',
      '  echo "$MESSAGE"',
      '  echo ""',
      '  echo "Run: $RUN_URL"',
      '} >> "$GITHUB_STEP_SUMMARY"',
    ].join('\n'),
    env: {
      REGION: region,
      MESSAGE: message,
      RUN_URL: '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
    },
  };
}

/**
 * The last step of a bake job (review m3): when the job failed without the verdict `failed` (an AWS error after the
 * retries, the OIDC step, a failed record after a passed bake), it says that this is not a reason to roll back and
 * that nothing is rolled back for it; the run fails and the Region keeps the new, unconfirmed release.
 */
export function bakeErrorReport(region: string, verdictStepId: string): RenderedStep {
  const message = `The bake of ${region} stopped without a failed verdict (an AWS or runner error, or a failed record after a passed bake): the release was not rolled back for it and is not confirmed. Re-run this job; a bake that finds the Region broken rolls it back.`;
  return {
    name: `Say that ${region} was not rolled back for a bake error`,
    if: `\${{ failure() && steps.${verdictStepId}.outputs.result != 'failed' }}`,
    run: [
      'echo "::error title=Bake error in $REGION, not rolled back::$MESSAGE"',
      'echo "$MESSAGE" >> "$GITHUB_STEP_SUMMARY"',
    ].join('\n'),
    env: { REGION: region, MESSAGE: message },
  };
}
