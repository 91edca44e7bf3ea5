import { Stack, type Stage } from 'aws-cdk-lib';
import type { ShopConfig } from '../config';
import type { GlobalStage } from '../stacks/global-stage';
import type { RegionalStage } from '../stacks/regional-stage';
import type { BakeJobs } from './bake-jobs';
import { BAKE_VERDICT_OUTPUT } from './bake-verdict-outputs';
import { cliCommand } from './bundled-cli';
import { deployJobId, FREEZE_GUARD_STEP_ID, waveJobIds } from './deploy-job-ids';
import { JOB_TIMEOUT_MINUTES } from './job-limits';
import { STALE_RUN_OUTPUT } from './job-steps';
import type { RecordedRollback, RenderedStep } from './recorded-release';
import { freezeTargetEnv } from './wave-start';

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
    freezeCheck: rollbackFreezeCheck(config),
    frozenReport: rollbackFrozenReport(config, stage.region!),
    failureReport: rollbackFailureReport(config, stage.region!),
  };
}

/** A wave a rollback follows: its stage (approval, freeze guard, stack deploys) and the bakes that run after it. */
export interface RollbackWave {
  readonly stage: Stage;
  /** The bakes after the wave whose verdict the rollback reads. */
  readonly bakes?: readonly BakeJobs[];
}

/**
 * The rollback of a Region (its steps are built from the rendered deploy and bake jobs: recorded-release.ts). It
 * runs when, after one of the Region's rolled-back stacks was deployed,
 * - a stack deploy job of the Region's waves (for the primary: of every later wave too) failed (review M5: a later
 *   stack failing skips the bake), or
 * - a stack deploy or bake job of a wave that got past its freeze guard was cancelled (review M5: a cancelled bake is
 *   not a `failure()`), or
 * - a bake (for the primary: its own or one after routing, after which the release is confirmed) gave the verdict
 *   `failed` (review m3: a bake job that failed without a verdict, an AWS error (exit 3), OIDC, a failed record
 *   after a passed bake, is not a reason to roll a release back; its job says so and the run fails).
 *
 * Not a reason (review-12 D4, D12): a declined or cancelled approval, or a freeze guard that stopped its wave. Nothing
 * of that wave changed; the Regions already baked stay on their release, recorded as a candidate and not confirmed.
 * A cancellation counts only in a wave whose freeze guard passed: when a run is cancelled while an approval waits,
 * the jobs after it never start, and whether GitHub then reports them `cancelled` or `skipped` is unverified.
 *
 * Never for a stale re-run (review-12 D2): when a job it needs was stopped by the stale-run guard (output `stale`),
 * the run re-runs an old commit, and a rollback would redeploy the last known-good release over newer ones.
 *
 * A rollback that runs while a failover holds the deploy freeze marks the commit rolled back and redeploys nothing
 * (its first step reads the freeze: recorded-release.ts, review-12 D1).
 */
export function rollbackJob(
  stage: RegionalStage,
  waves: readonly RollbackWave[],
  stacks: readonly Stack[],
  watchMinutes: number,
): Record<string, unknown> {
  const region = stage.region!;
  const needs = waves.flatMap((wave) => [
    ...waveJobIds([wave.stage]),
    ...(wave.bakes ?? []).flatMap((bake) => bake.jobIds),
  ]);
  const changed = rollbackStacks(stage)
    .map((stack) => `needs.${deployJobId(stack)}.result != 'skipped'`)
    .join(' || ');
  const deploys = (wave: RollbackWave) => stageStacks(wave.stage).map((stack) => deployJobId(stack));
  const bakeIds = (wave: RollbackWave) => (wave.bakes ?? []).flatMap((bake) => bake.jobIds);
  const failedDeploy = waves.flatMap(deploys).map((id) => `needs.${id}.result == 'failure'`);
  const failedBake = waves.flatMap(bakeIds).map((id) => `needs.${id}.outputs.${BAKE_VERDICT_OUTPUT} == 'failed'`);
  const cancelled = waves.map((wave) => {
    const jobs = [...deploys(wave), ...bakeIds(wave)].map((id) => `needs.${id}.result == 'cancelled'`).join(' || ');
    return `(needs.${wave.stage.node.id}-${FREEZE_GUARD_STEP_ID}.result == 'success' && (${jobs}))`;
  });
  const reason = [...failedDeploy, ...cancelled, ...failedBake].join(' || ');
  const notStale = `!contains(needs.*.outputs.${STALE_RUN_OUTPUT}, 'true')`;
  return {
    name: `Roll back ${region} to its last known-good release`,
    needs,
    if: `\${{ always() && (${reason}) && (${changed}) && ${notStale} }}`,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': rollbackTimeoutMinutes(stacks.length, watchMinutes),
    permissions: { contents: 'read', 'id-token': 'write' },
  };
}

/** The stacks of a stage, in construct order. */
function stageStacks(stage: Stage): Stack[] {
  return stage.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/** The id of a rollback's freeze check step; its output `frozen` decides whether anything is redeployed. */
export const ROLLBACK_FREEZE_STEP_ID = 'freeze';

/**
 * The first step of a rollback after its credentials (review-12 D1): the freeze CLI's `check` in both Regions. A
 * failover dispatched while a bake runs is when a failing bake is most likely (the Region is the one failing), and
 * the wave freeze guards of the run had passed before it. The step never fails the job (`continue-on-error`); its
 * output `frozen` is `false` only when no Region holds a freeze and every Region could be read, so a rollback
 * redeploys only then (fail closed: `true`, `unknown` and no output all count as frozen).
 */
export function rollbackFreezeCheck(config: ShopConfig): RenderedStep & { readonly 'continue-on-error': true } {
  return {
    id: ROLLBACK_FREEZE_STEP_ID,
    name: 'Read the deploy freeze: while a failover holds it, nothing is redeployed',
    run: cliCommand('freeze'),
    env: freezeTargetEnv(config, 'check'),
    'continue-on-error': true,
  };
}

/** The `if:` of every rollback step that changes or judges the Region: no step failed and no freeze (fail closed). */
export const UNFROZEN = `\${{ !failure() && steps.${ROLLBACK_FREEZE_STEP_ID}.outputs.frozen == 'false' }}`;

/**
 * The step of a rollback that found the freeze held (review-12 D1): the commit is already marked rolled back by the
 * plan (never recorded or confirmed), nothing was redeployed, and an error annotation and the job summary say so,
 * that the Region stays on the release, and what to do after the failback. The job itself succeeds.
 */
export function rollbackFrozenReport(config: ShopConfig, region: string): RenderedStep {
  const message = `A failover holds the deploy freeze (or the freeze could not be read, which counts as held), so this rollback redeployed nothing in ${region}: ${region} stays on this release. The release is marked rolled back, so it is never recorded or confirmed as known-good. After the failback has lifted the freeze: if this commit is still the head of ${config.deployBranch}, re-run this job to roll ${region} back to its last known-good release; otherwise push a fix, which deploys through the waves. Until then, fail back to ${region} only knowing it runs this release. The freeze check above names the failover.`;
  return summaryErrorStep({
    name: `Say that a failover holds the deploy freeze: ${region} was not redeployed`,
    if: `\${{ !failure() && steps.${ROLLBACK_FREEZE_STEP_ID}.outputs.frozen != 'false' }}`,
    title: 'Rollback of $REGION held by the deploy freeze',
    heading: 'Rollback of $REGION: not redeployed, a failover holds the deploy freeze (frozen: ${FROZEN:-no answer})',
    region,
    message,
    env: { FROZEN: `\${{ steps.${ROLLBACK_FREEZE_STEP_ID}.outputs.frozen }}` },
  });
}

/** A step that writes `message` as an error annotation and as a job summary under `heading`, with the run's link. */
function summaryErrorStep(step: {
  name: string;
  if: string;
  title: string;
  heading: string;
  region: string;
  message: string;
  env?: Record<string, string>;
}): RenderedStep {
  return {
    name: step.name,
    if: step.if,
    run: [
      `echo "::error title=${step.title}::$MESSAGE"`,
      '{',
      `  echo "## ${step.heading}"`,
      '  echo ""',
      '  echo "$MESSAGE"',
      '  echo ""',
      '  echo "Run: $RUN_URL"',
      '} >> "$GITHUB_STEP_SUMMARY"',
    ].join('\n'),
    env: {
      REGION: step.region,
      MESSAGE: step.message,
      ...step.env,
      RUN_URL: '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
    },
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
  return summaryErrorStep({
    name: `Report that ${region} is still broken`,
    if: '${{ failure() }}',
    title: 'Rollback failed in $REGION',
    heading: 'Rollback of $REGION FAILED: the Region is still broken',
    region,
    message,
  });
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
