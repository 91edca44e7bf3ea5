import { type App, Stack, type Stage } from 'aws-cdk-lib';
import { ShellStep } from 'aws-cdk-lib/pipelines';
import {
  AwsCredentials,
  GitHubActionStep,
  GitHubWorkflow,
  JobPermission,
  type JobStep,
  JsonPatch,
  StackCapabilities,
} from 'cdk-pipelines-github';
import { planBake } from '../.github/actions/bake-gate/bake-plan';
import { PLACEHOLDER_ACCOUNT, type ShopConfig } from '../config';
import type { ShopStages } from '../stacks/build-stages';
import { alarmNames } from '../stacks/naming/alarm-names';
import { canaryNames } from '../stacks/naming/canary-names';
import type { RegionalStage } from '../stacks/regional-stage';
import { CDK_ASSETS_VERSION, pinActionsOf } from './action-pins';
import { JOB_TIMEOUT_MINUTES, limitDeployJobs } from './job-limits';
import {
  ACTIONS,
  assumeRole,
  checkoutAndInstall,
  ROLE_SESSION_NAME,
  withoutPersistedCheckoutCredentials,
  withRoleSessionNames,
  withStaleRunGuard,
} from './job-steps';
import { pipelineNames, roleArn } from './pipeline-names';
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

/** What a Region's bake needs to know about it. */
interface BakeTarget {
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
interface BakeJobs {
  readonly steps: readonly GitHubActionStep[];
  /** Their job ids: cdk-pipelines-github names a post step's job `<id of the stage it follows>-<step id>`. */
  readonly jobIds: readonly string[];
}

/**
 * The application stacks of a Region: what a rollback redeploys. Network and data stacks are never redeployed
 * from an old commit (the data has moved on; the network is shared by both).
 */
export function applicationStacks(stage: RegionalStage): readonly Stack[] {
  return [stage.services, stage.observability];
}

/** `<cdk id>=<stack name>` pairs the rollback CLI records and redeploys (cdk selects by id, CloudFormation by name). */
function stackPairs(stage: RegionalStage): string {
  return applicationStacks(stage)
    .map((stack) => `${stack.node.path}=${stack.stackName}`)
    .join(' ');
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
  // primary's bake watches its own load balancer and canary; the standby's bake, after routing, watches all.
  const primaryBake = bakeJobs(config, deployRole, {
    role: 'primary',
    stage: stages.primary,
    alarms: [
      primaryAlarms.canaryLocal,
      primaryAlarms.loadBalancer5xx,
      primaryAlarms.target5xx,
      primaryAlarms.unhealthyHosts,
    ],
    canaries: [canaries.local],
    after: stages.primary,
  });
  const standbyBake = bakeJobs(config, deployRole, {
    role: 'standby',
    stage: stages.standby,
    alarms: standbyAlarms.bakeGate,
    canaries: [canaries.local, canaries.global],
    after: stages.global,
  });

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
    post: [...standbyBake.steps],
  });

  // Generated jobs carry `needs: []` and `env: {}`, which actionlint flags.
  // Synth needs no AWS access: its job gets no OIDC token.
  workflow.workflowFile.patch(
    JsonPatch.remove('/jobs/Build-Build/needs'),
    JsonPatch.replace('/jobs/Build-Build/permissions', { contents: 'read' }),
  );
  for (const bake of [primaryBake, standbyBake]) {
    for (const id of bake.jobIds) workflow.workflowFile.patch(JsonPatch.remove(`/jobs/${id}/env`));
    // The watch's start, for a history check in a later job (a split bake).
    workflow.workflowFile.patch(
      JsonPatch.add(`/jobs/${bake.jobIds[0]}/outputs`, {
        window_start: `\${{ steps.${WATCH_STEP_ID}.outputs.window_start }}`,
      }),
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
    bakes: [...primaryBake.jobIds, ...standbyBake.jobIds],
  };
  const file = workflow.workflowFile;
  const update = file.update.bind(file);
  file.update = (obj: { jobs: Parameters<typeof limitDeployJobs>[0] }) =>
    update({
      ...obj,
      jobs: withStaleRunGuard(
        withRoleSessionNames(withoutPersistedCheckoutCredentials(limitDeployJobs(obj.jobs, kinds))),
        config.deployBranch,
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
  workflow.workflowFile.patch(
    JsonPatch.add(
      `/jobs/${rollbackJobId('primary')}`,
      // Everything after the primary's bake too: a failed or cancelled standby wave, routing or standby bake leaves
      // the primary on a release that never passed the last bake (review M5).
      rollbackJob(config, deployRole, stages.primary, primaryBake, [
        ...waveJobIds([stages.primary]),
        ...waveJobIds([stages.standby, stages.global]),
        ...standbyBake.jobIds,
      ]),
    ),
    JsonPatch.add(
      `/jobs/${rollbackJobId('standby')}`,
      rollbackJob(config, deployRole, stages.standby, standbyBake, waveJobIds([stages.standby, stages.global])),
    ),
  );
  return workflow;
}

/**
 * The configuration as the environment variables `loadConfig` reads: set on every job that synthesizes, so the
 * workflow deploys exactly the configuration it was generated from, whatever the defaults in the checkout are.
 */
export function synthEnvironment(config: ShopConfig): Record<string, string> {
  return {
    APP_NAME: config.appName,
    ENV_NAME: config.envName,
    AWS_ACCOUNT_ID: config.account,
    PRIMARY_REGION: config.primaryRegion,
    STANDBY_REGION: config.standbyRegion,
    DOMAIN_NAME: config.domainName,
    BACKUP_RETENTION_DAYS: String(config.backupRetentionDays),
    BAKE_MINUTES: String(config.bakeMinutes),
    CANARY_RATE_MINUTES: String(config.canaryRateMinutes),
    ROUTING_MODE: config.routingMode,
    LOAD_BALANCER_SCHEME: config.loadBalancerScheme,
  };
}

/** The job id cdk-pipelines-github gives the deploy of `stack`: `<stage id>-<stack name>-Deploy`. */
export function deployJobId(stack: Stack): string {
  const stage = stack.node.scope?.node.id;
  return `${stage}-${stack.stackName}-Deploy`;
}

/** The id of the rollback job of a Region. */
export function rollbackJobId(role: 'primary' | 'standby'): string {
  return `Rollback-${role === 'primary' ? 'Primary' : 'Standby'}`;
}

/** The id of every wave's approval step; its job is `<stage id>-Approve`. */
export const APPROVAL_STEP_ID = 'Approve';

/**
 * The jobs that open a wave: its one approval, then its freeze guard (read last, right before the stacks change).
 *
 * The approval job is the wave's only job in the reviewers Environment: GitHub asks for approval per job that
 * references an Environment with required reviewers, as each job becomes ready, so an Environment on every deploy
 * job asked about seven times per Region and made the rollback wait for a person (review M7). It has no
 * credentials and no token (`permissions: {}`). An Environment without reviewers lets it pass at once.
 */
function waveStart(config: ShopConfig, deployRole: string, approvalEnvironment: string): GitHubActionStep[] {
  const approve = new GitHubActionStep(APPROVAL_STEP_ID, {
    githubEnvironment: approvalEnvironment,
    permissions: {},
    jobSteps: [
      {
        name: `Approved in the ${approvalEnvironment} Environment`,
        run: `echo "The ${approvalEnvironment} wave may start: its freeze guard runs next"`,
      },
    ],
  });
  const guard = freezeGuard(config, deployRole);
  guard.addStepDependency(approve);
  return [approve, guard];
}

/** The id of every wave's freeze guard step; its job is `<stage id>-FreezeGuard`. */
export const FREEZE_GUARD_STEP_ID = 'FreezeGuard';

/**
 * The first job of a wave: it stops the wave, before any of its stacks changes, while a failover or switchover
 * holds the deploy freeze (`/<app>/<env>/deploy-freeze`, read in both Regions; the freeze CLI fails closed when it
 * cannot decide). A deploy running when the failover is dispatched therefore finishes the wave it is in and stops
 * at the next wave boundary, never in the middle of a CloudFormation update. No GitHub Environment: the job asks
 * nobody and presents the deploy branch to the deploy role's trust.
 */
function freezeGuard(config: ShopConfig, deployRole: string): GitHubActionStep {
  return new GitHubActionStep(FREEZE_GUARD_STEP_ID, {
    permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
    jobSteps: [
      ...checkoutAndInstall(),
      assumeRole(deployRole, config.primaryRegion),
      {
        name: 'Stop here while a failover holds the deploy freeze',
        run: 'npx tsx .github/actions/freeze/main.ts',
        env: freezeTargetEnv(config, 'check'),
      },
    ],
  });
}

/** The inputs of the freeze CLI that name the freeze: the command, both Regions, the app and environment. */
export function freezeTargetEnv(config: ShopConfig, command: 'check' | 'set' | 'clear'): Record<string, string> {
  return {
    INPUT_COMMAND: command,
    INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
    INPUT_APP_NAME: config.appName,
    INPUT_ENV_NAME: config.envName,
  };
}

/** The id of the watch step of a bake; its job exposes the step's `window_start` as a job output. */
const WATCH_STEP_ID = 'watch';

function bakeJobs(config: ShopConfig, deployRole: string, target: BakeTarget): BakeJobs {
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
    run: 'npx tsx .github/actions/rollback/main.ts',
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
            run: 'npx tsx .github/actions/rollback/main.ts',
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
      ...checkoutAndInstall(),
      assumeRole(deployRole, region),
      {
        id: WATCH_STEP_ID,
        name: `Bake ${region} for ${plan.watchMinutes} minutes`,
        run: 'npx tsx .github/actions/bake-gate/main.ts',
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
      ...checkoutAndInstall(),
      assumeRole(deployRole, region),
      {
        name: `Check ${region}'s alarm history over the last ${config.bakeMinutes} minutes`,
        run: 'npx tsx .github/actions/bake-gate/main.ts',
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

/** The jobs of the waves that deploy `stages`: each wave's approval and freeze guard, and every stack's deploy. */
function waveJobIds(stages: readonly Stage[]): string[] {
  return stages.flatMap((stage) => [
    `${stage.node.id}-${APPROVAL_STEP_ID}`,
    `${stage.node.id}-${FREEZE_GUARD_STEP_ID}`,
    ...stage.node
      .findAll()
      .filter((c): c is Stack => Stack.isStack(c))
      .map((stack) => deployJobId(stack)),
  ]);
}

/**
 * The rollback of a Region: runs when any job of the Region's waves or its bake (for the primary: or any later job,
 * up to the standby bake) failed or was cancelled after one of its application stacks was deployed (review M5: a
 * later stack of the wave failing skips the bake, a cancelled bake is not a `failure()`, and a failed last bake
 * leaves the primary on a release that is not known-good; either way the Region would stay on it). It does not run when nothing
 * of the Region changed (a refused approval, a freeze, a stack failing before the application stacks).
 */
function rollbackJob(
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
      // The redeploy fetches the known-good commit with the job's token.
      ...checkoutAndInstall({ persistCredentials: true }),
      assumeRole(deployRole, region),
      {
        id: 'plan',
        name: `Find ${region}'s last known-good version`,
        run: 'npx tsx .github/actions/rollback/main.ts',
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
        run: 'npx tsx .github/actions/rollback/main.ts',
        env: { INPUT_COMMAND: 'verify', INPUT_REGION: region, INPUT_STACKS: '${{ steps.plan.outputs.stack_names }}' },
      },
    ]),
  };
}

/** The steps, each with `if: !failure()` (see the rollback job). */
function untilAStepFails<T extends object>(steps: T[]): T[] {
  return steps.map((step) => ({ ...step, if: '${{ !failure() }}' }));
}
