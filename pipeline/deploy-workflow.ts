import type { App } from 'aws-cdk-lib';
import { ShellStep } from 'aws-cdk-lib/pipelines';
import { AwsCredentials, GitHubWorkflow, JsonPatch, StackCapabilities } from 'cdk-pipelines-github';
import { planBake } from '../.github/actions/bake-gate/bake-plan';
import { PLACEHOLDER_ACCOUNT, type ShopConfig } from '../config';
import type { ShopStages } from '../stacks/build-stages';
import { alarmNames } from '../stacks/naming/alarm-names';
import { canaryNames } from '../stacks/naming/canary-names';
import { CDK_ASSETS_VERSION, pinActionsOf } from './action-pins';
import {
  bakeJobs,
  confirmJob,
  READINESS_STEP_ID,
  REBAKE_PRIMARY_STEP_ID,
  RUN_START_STEP_ID,
  RUN_STARTED_OUTPUT,
  SYNTH_JOB_ID,
  WATCH_STEP_ID,
} from './bake-jobs';
import { withBakeVerdicts } from './bake-verdict-outputs';
import { APPROVAL_STEP_ID, deployJobId, FREEZE_GUARD_STEP_ID, rollbackJobId } from './deploy-job-ids';
import { limitDeployJobs } from './job-limits';
import {
  ACTIONS,
  ROLE_SESSION_NAME,
  withoutPersistedCheckoutCredentials,
  withRoleSessionNames,
  withStaleRunGuard,
} from './job-steps';
import { pipelineNames, roleArn } from './pipeline-names';
import { withRecordedReleases } from './recorded-release';
import { withReleaseCostSummary } from './release-cost-step';
import { bakeErrorReport, recordedRollback, rollbackJob, rollbackStacks } from './rollback-job';
import { synthEnvironment } from './synth-environment';
import { waveStart } from './wave-start';
import { GENERATED_HEADER, NODE_VERSION } from './workflow-header';

/**
 * The capabilities every deploy job acknowledges. The runbook stacks name their automation role (the failover
 * role's `iam:PassRole` names it), and CloudFormation: "If you have IAM resources with custom names, you must
 * specify CAPABILITY_NAMED_IAM. If you don't specify this parameter, this action returns an InsufficientCapabilities
 * error." (CreateChangeSet API reference, Capabilities). aws-cloudformation-github-deploy defaults to
 * `CAPABILITY_IAM` only, and cdk-pipelines-github passes capabilities only from `stackCapabilities`.
 */
export const STACK_CAPABILITIES: readonly StackCapabilities[] = [StackCapabilities.IAM, StackCapabilities.NAMED_IAM];

/** Properties of {@link addDeployWorkflow}. */
export interface DeployWorkflowProps {
  /** The validated configuration. */
  readonly config: ShopConfig;
  /** The stages to deploy, from `buildStages`. */
  readonly stages: ShopStages;
  /**
   * Where the workflow file is written, relative to the working directory (cdk-pipelines-github requires a
   * `.github/workflows/` path).
   *
   * @default '.github/workflows/deploy.yml'
   */
  readonly workflowPath?: string;
}

/**
 * Adds the deploy workflow (`deploy.yml`): synth → assets → primary Region → bake → standby Region → global
 * routing → bake, a concurrency group of its own that never cancels, OIDC credentials only, a GitHub Environment
 * per Region, and a rollback job per Region that redeploys the last known-good application stacks when that
 * Region's bake fails. cdk-pipelines-github has no bake, alarm gate or rollback: they are `GitHubActionStep`s
 * running this repository's CLIs (`.github/actions/`) plus a patched-in rollback job.
 */
export function addDeployWorkflow(app: App, props: DeployWorkflowProps): GitHubWorkflow {
  const { config, stages } = props;
  const names = pipelineNames(config);
  const deployRole = roleArn(config.account, names.deployRole);
  const env = synthEnvironment(config);

  const workflow = new GitHubWorkflow(app, 'Pipeline', {
    workflowName: 'deploy',
    workflowPath: props.workflowPath ?? '.github/workflows/deploy.yml',
    workflowTriggers: { push: { branches: [config.deployBranch] }, workflowDispatch: {} },
    // A group of its own, never cancelling: a newer push waits for the running deploy (and replaces an older pending
    // one, which is fine: it deploys a newer commit). A failover never shares it; it stops deploys through the
    // freeze record instead, at a wave boundary.
    concurrency: { group: names.deployConcurrencyGroup, cancelInProgress: false },
    synth: new ShellStep('Build', { commands: ['npm ci', 'npx cdk synth --quiet'], env }),
    preBuildSteps: [
      { name: 'Set up Node.js', uses: ACTIONS.setupNode, with: { 'node-version': NODE_VERSION, cache: 'npm' } },
    ],
    awsCreds: AwsCredentials.fromOpenIdConnect({ gitHubActionRoleArn: deployRole, roleSessionName: ROLE_SESSION_NAME }),
    publishAssetsAuthRegion: config.primaryRegion,
    // Unpinned, `npm install --no-save cdk-assets` would run whatever is newest with deploy credentials (review M13).
    cdkAssetsVersion: CDK_ASSETS_VERSION,
  });
  workflow.workflowFile.commentAtTop = GENERATED_HEADER;
  pinActionsOf(workflow.workflowFile);

  const primaryAlarms = alarmNames(config.appName, config.envName, config.primaryRegion);
  const standbyAlarms = alarmNames(config.appName, config.envName, config.standbyRegion);
  const canaries = canaryNames(config.appName, config.envName);

  // The global name only resolves once the routing stage exists, which deploys after the standby Region: the
  // primary's first bake watches its own load balancer, services and canary. After routing both Regions are baked
  // side by side, each in its own CloudWatch with every alarm and both canaries (review M2(5): the routing change
  // reaches the primary too, and its canary-global was never watched); both Regions' candidates are confirmed only
  // when both passed.
  const primaryBake = bakeJobs(config, deployRole, {
    role: 'primary',
    stage: stages.primary,
    alarms: primaryAlarms.regionalBakeGate,
    canaries: [canaries.local],
    after: stages.primary,
    beforeRouting: true,
  });
  const standbyBake = bakeJobs(config, deployRole, {
    role: 'standby',
    stage: stages.standby,
    alarms: standbyAlarms.bakeGate,
    canaries: [canaries.local, canaries.global],
    after: stages.global,
    confirm: false,
  });
  const primaryRebake = bakeJobs(config, deployRole, {
    role: 'primary',
    id: REBAKE_PRIMARY_STEP_ID,
    stage: stages.primary,
    alarms: primaryAlarms.bakeGate,
    canaries: [canaries.local, canaries.global],
    after: stages.global,
    // Its candidate was recorded by its first bake; a failure here rolls both Regions back.
    record: false,
  });
  const confirm = confirmJob(config, deployRole, stages.global, [standbyBake, primaryRebake]);
  /** Every job after the routing stage: a failure in either Region leaves both on a release that is not confirmed. */
  const lastBakes = {
    steps: [...standbyBake.steps, ...primaryRebake.steps, ...confirm.steps],
    jobIds: [...standbyBake.jobIds, ...primaryRebake.jobIds, ...confirm.jobIds],
  };
  /** The bakes after routing whose verdict a rollback reads (the confirm job gives none: a failed confirm is no verdict). */
  const lastBakeVerdicts = {
    steps: [...standbyBake.steps, ...primaryRebake.steps],
    jobIds: [...standbyBake.jobIds, ...primaryRebake.jobIds],
  };

  workflow.addStageWithGitHubOptions(stages.primary, {
    stackCapabilities: [...STACK_CAPABILITIES],
    pre: waveStart(config, deployRole, names.approvalEnvironment(config.primaryRegion)),
    post: [...primaryBake.steps],
  });
  workflow.addStageWithGitHubOptions(stages.standby, {
    stackCapabilities: [...STACK_CAPABILITIES],
    pre: waveStart(config, deployRole, names.approvalEnvironment(config.standbyRegion)),
  });
  workflow.addStageWithGitHubOptions(stages.global, {
    stackCapabilities: [...STACK_CAPABILITIES],
    pre: waveStart(config, deployRole, names.globalApprovalEnvironment),
    post: [...lastBakes.steps],
  });

  // Generated jobs carry `needs: []` and `env: {}`, which actionlint flags.
  // Synth needs no AWS access: its job gets no OIDC token.
  workflow.workflowFile.patch(
    JsonPatch.remove('/jobs/Build-Build/needs'),
    JsonPatch.replace('/jobs/Build-Build/permissions', { contents: 'read' }),
  );
  // When the run started (review M12): a gate alarm redefined after it was redefined by this release.
  workflow.workflowFile.patch(
    JsonPatch.add(`/jobs/${SYNTH_JOB_ID}/steps/0`, {
      id: RUN_START_STEP_ID,
      name: 'Note when the run started',
      run: `echo "${RUN_STARTED_OUTPUT}=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"`,
    }),
    JsonPatch.add(`/jobs/${SYNTH_JOB_ID}/outputs`, {
      [RUN_STARTED_OUTPUT]: `\${{ steps.${RUN_START_STEP_ID}.outputs.${RUN_STARTED_OUTPUT} }}`,
    }),
  );
  for (const id of confirm.jobIds) {
    workflow.workflowFile.patch(
      JsonPatch.remove(`/jobs/${id}/env`),
      JsonPatch.replace(`/jobs/${id}/name`, 'Confirm both Regions as known-good'),
    );
  }
  for (const bake of [primaryBake, standbyBake, primaryRebake]) {
    // Every bake job already needs the synth job (cdk-pipelines-github makes each job need it), whose output
    // RUN_STARTED_OUTPUT the bake reads.
    for (const id of bake.jobIds) workflow.workflowFile.patch(JsonPatch.remove(`/jobs/${id}/env`));
    workflow.workflowFile.patch(
      JsonPatch.add(
        `/jobs/${bake.jobIds[0]}/outputs/${READINESS_STEP_ID}`,
        `\${{ steps.${READINESS_STEP_ID}.outputs.readiness }}`,
      ),
    );
    // The watch's start, for a history check in a later job (a split bake); beside the verdict (withBakeVerdicts).
    workflow.workflowFile.patch(
      JsonPatch.add(
        `/jobs/${bake.jobIds[0]}/outputs/window_start`,
        `\${{ steps.${WATCH_STEP_ID}.outputs.window_start }}`,
      ),
    );
  }
  const waves = [
    [stages.primary, names.approvalEnvironment(config.primaryRegion)],
    [stages.standby, names.approvalEnvironment(config.standbyRegion)],
    [stages.global, names.globalApprovalEnvironment],
  ] as const;
  for (const [stage, wave] of waves) {
    const job = (step: string) => `/jobs/${stage.node.id}-${step}`;
    workflow.workflowFile.patch(
      JsonPatch.remove(`${job(APPROVAL_STEP_ID)}/env`),
      JsonPatch.replace(`${job(APPROVAL_STEP_ID)}/name`, `Approve the ${wave} wave`),
      JsonPatch.remove(`${job(FREEZE_GUARD_STEP_ID)}/env`),
      JsonPatch.replace(`${job(FREEZE_GUARD_STEP_ID)}/name`, `Deploy freeze check before the ${wave} wave`),
    );
  }
  // Every generated job gets a time limit; the data stacks get longer credentials and termination protection
  // (review M8, m8). A post-pass over the rendered jobs: cdk-pipelines-github has no per-job timeout or
  // credential duration, and the job ids of its asset jobs are known only when it renders.
  const kinds = {
    dataStackDeploys: [stages.primary, stages.standby].map((stage) => deployJobId(stage.data)),
    bakes: [...primaryBake.jobIds, ...lastBakes.jobIds],
  };
  // The rollback of each Region redeploys the templates its last known-good release's deploy jobs used (review M4),
  // recorded by its bake: the stacks a rollback redeploys, the routing stack with the standby (M5, M12).
  const watchMinutes = planBake(config.bakeMinutes).watchMinutes;
  const primaryStacks = rollbackStacks(stages.primary);
  const standbyStacks = rollbackStacks(stages.standby, stages.global);
  const rollbacks = [
    recordedRollback(
      config,
      stages.primary,
      primaryStacks,
      primaryBake,
      rollbackJobId('primary'),
      // Everything after the primary's bake too: a failed or cancelled standby wave, routing or standby bake leaves
      // the primary on a release that never passed the last bake (review M5).
      rollbackJob(
        stages.primary,
        [
          { stage: stages.primary, bakes: [primaryBake] },
          { stage: stages.standby },
          { stage: stages.global, bakes: [lastBakeVerdicts] },
        ],
        primaryStacks,
        watchMinutes,
      ),
    ),
    recordedRollback(
      config,
      stages.standby,
      standbyStacks,
      standbyBake,
      rollbackJobId('standby'),
      rollbackJob(
        stages.standby,
        // The primary's bake after routing too: a primary broken by the routing change or by the standby's release
        // fails a release both Regions run (review M2(5)).
        [{ stage: stages.standby }, { stage: stages.global, bakes: [lastBakeVerdicts] }],
        standbyStacks,
        watchMinutes,
      ),
    ),
  ];
  const file = workflow.workflowFile;
  const update = file.update.bind(file);
  file.update = (obj: { jobs: Parameters<typeof limitDeployJobs>[0] }) =>
    update({
      ...obj,
      jobs: withStaleRunGuard(
        withRoleSessionNames(
          withoutPersistedCheckoutCredentials(
            // The change in monthly cost this release brings, in the run's summary (issue 18's cost view).
            withReleaseCostSummary(
              withRecordedReleases(withBakeVerdicts(limitDeployJobs(obj.jobs, kinds), bakeErrorReport), rollbacks),
            ),
          ),
        ),
        config.deployBranch,
        // Every job that writes to AWS: the stack deploys (by their id), the bakes (record, confirm) and the
        // rollbacks (review M1, review-12 D2).
        [...kinds.bakes, ...rollbacks.map((rollback) => rollback.rollbackJobId)],
      ),
    });
  if (config.account === PLACEHOLDER_ACCOUNT) {
    // Fail fast and say why, instead of failing later at the OIDC step (review m10).
    workflow.workflowFile.patch(
      JsonPatch.add('/jobs/Build-Build/steps/0', {
        name: 'Refuse the placeholder account',
        run: `echo "::error::deploy.yml was generated for the placeholder account ${PLACEHOLDER_ACCOUNT}: set AWS_ACCOUNT_ID (or config/shop-config.ts account) to your 12-digit account id, run npm run synth and commit .github/workflows" && exit 1`,
      }),
    );
  }
  return workflow;
}
