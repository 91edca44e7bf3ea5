/**
 * How long a chained role session may last. The deploy jobs assume the CDK deploy role from the OIDC role's session;
 * IAM: "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour. [...] if you assume a
 * role using role chaining and provide a DurationSeconds parameter value greater than one hour, the operation
 * fails." (STS AssumeRole, DurationSeconds).
 */
export const CHAINED_SESSION_MAX_SECONDS = 3600;

/**
 * The credentials a data-stack deploy keeps: the longest a chained session may last. An Aurora global cluster or
 * a DynamoDB global table change routinely takes more than the generator's 30 minutes; the CloudFormation action
 * polls the stack with these credentials until it ends (aws-actions/aws-cloudformation-github-deploy#101: the job
 * fails at the credential expiry while CloudFormation carries on). A change longer than an hour still outlives
 * them: see pipeline/README.md (M8) for what then happens and what to do.
 */
export const DATA_STACK_CREDENTIAL_SECONDS = CHAINED_SESSION_MAX_SECONDS;

/** Time limits of the deploy workflow's jobs, in minutes, by what the job does. */
export const JOB_TIMEOUT_MINUTES = {
  /** Synthesis: `npm ci` and `cdk synth`. */
  synth: 30,
  /** One asset job: `npm install cdk-assets`, a Docker build or a file upload, under 30-minute credentials. */
  assets: 30,
  /** A wave's approval: it starts once a reviewer approved (waiting for approval is not running) and echoes. */
  approval: 5,
  /** A wave's freeze guard: a sparse checkout of the CLI bundles, Node, two SSM reads. */
  freezeGuard: 15,
  /** A stack deploy under the generator's 30-minute credentials. */
  stackDeploy: 30,
  /** A data-stack deploy: as long as its credentials ({@link DATA_STACK_CREDENTIAL_SECONDS}). */
  dataStackDeploy: DATA_STACK_CREDENTIAL_SECONDS / 60,
  /**
   * A bake job: a few minutes of checkout and Node (no `npm ci`), a readiness dry run followed for at most 5 minutes
   * (`READINESS_TIMEOUT_MINUTES`), then, with fresh 30-minute credentials, a watch of at most 25 minutes.
   */
  bake: 40,
  /**
   * The setup of a rollback before its first redeploy (checkout of the bundled CLIs, Node, the plan); the job's
   * limit adds each stack's redeploy and its own bake (`rollbackTimeoutMinutes` in rollback-job.ts).
   */
  rollbackSetup: 10,
} as const;

/** A job of a workflow as cdk-pipelines-github renders it (keys already in GitHub's spelling). */
type RenderedJob = Record<string, unknown> & { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> };

/** What {@link limitDeployJobs} needs to know about the deploy workflow's job ids. */
export interface DeployJobKinds {
  /** The data stacks' deploy jobs. */
  readonly dataStackDeploys: readonly string[];
  /** The bake jobs (watch and history). */
  readonly bakes: readonly string[];
}

/** The time limit of a job of the deploy workflow, from its id. */
export function deployJobTimeout(id: string, kinds: DeployJobKinds): number {
  if (id === 'Build-Build') return JOB_TIMEOUT_MINUTES.synth;
  if (id.startsWith('Assets-')) return JOB_TIMEOUT_MINUTES.assets;
  if (id.endsWith('-Approve')) return JOB_TIMEOUT_MINUTES.approval;
  if (id.endsWith('-FreezeGuard')) return JOB_TIMEOUT_MINUTES.freezeGuard;
  if (kinds.dataStackDeploys.includes(id)) return JOB_TIMEOUT_MINUTES.dataStackDeploy;
  if (id.endsWith('-Deploy')) return JOB_TIMEOUT_MINUTES.stackDeploy;
  if (kinds.bakes.includes(id)) return JOB_TIMEOUT_MINUTES.bake;
  throw new Error(`job ${JSON.stringify(id)} has no time limit; accepted: a job kind listed in JOB_TIMEOUT_MINUTES`);
}

/**
 * Gives every generated job of the deploy workflow its `timeout-minutes` (placed before its steps), and the
 * data-stack deploys their longer credentials (both the OIDC step and the chained CDK deploy role) and termination
 * protection, found by the action they use rather than by step index.
 */
export function limitDeployJobs(jobs: Record<string, RenderedJob>, kinds: DeployJobKinds): Record<string, RenderedJob> {
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => {
      const { steps, ...rest } = job;
      const data = kinds.dataStackDeploys.includes(id);
      const limited: RenderedJob = {
        ...rest,
        'timeout-minutes': deployJobTimeout(id, kinds),
        ...(steps ? { steps: data ? steps.map(dataStackStep) : steps } : {}),
      };
      return [id, limited];
    }),
  );
}

function dataStackStep(step: { uses?: string; with?: Record<string, unknown> }) {
  if (step.uses?.startsWith('aws-actions/configure-aws-credentials')) {
    return { ...step, with: { ...step.with, 'role-duration-seconds': DATA_STACK_CREDENTIAL_SECONDS } };
  }
  if (step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy')) {
    // Applied when the stack is created; CloudFormation keeps it for later updates.
    return { ...step, with: { ...step.with, 'termination-protection': '1' } };
  }
  return step;
}
