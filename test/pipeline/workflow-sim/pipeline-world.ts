import { join } from 'node:path';
import { loadWorkflow, type Workflow, type WorkflowJob } from './workflow-model';
import type { JobRecord, RunRecord, StepCall, StepOracle, StepRecord } from './workflow-run-simulator';

/**
 * The generated workflows. `WORKFLOW_SIM_DIR` points the scenarios at other copies, e.g. the workflows of an older
 * commit (`git show <rev>:.github/workflows/deploy.yml`), to see a scenario fail before a fix.
 */
export const WORKFLOW_DIR =
  process.env['WORKFLOW_SIM_DIR'] ?? join(__dirname, '..', '..', '..', '.github', 'workflows');

/** Loads the generated deploy.yml and failover.yml with GitHub's parser. */
export async function loadPipeline(): Promise<{ deploy: Workflow; failover: Workflow }> {
  const [deploy, failover] = await Promise.all([
    loadWorkflow(join(WORKFLOW_DIR, 'deploy.yml')),
    loadWorkflow(join(WORKFLOW_DIR, 'failover.yml')),
  ]);
  return { deploy, failover };
}

export const PRIMARY = 'us-east-1';
export const STANDBY = 'us-west-2';

/** Commits used by the scenarios. */
export const COMMIT = {
  /** The last release that passed both bakes. */
  knownGood: 'a'.repeat(40),
  /** The commit being released. */
  release: 'b'.repeat(40),
  /** A commit pushed after it. */
  next: 'c'.repeat(40),
} as const;

const CLOUDFORMATION_DEPLOY = 'aws-actions/aws-cloudformation-github-deploy';

/** The CloudFormation stack a job deploys (the `name` input of its aws-cloudformation-github-deploy step). */
export function deployedStack(job: WorkflowJob): string | undefined {
  const step = job.steps.find((s) => s.uses?.startsWith(CLOUDFORMATION_DEPLOY));
  const name = step?.with['name'];
  return typeof name === 'string' ? name : undefined;
}

/** The Region a stack name lives in (`global` for the global stage). */
export function stackRegion(stack: string): string {
  return [PRIMARY, STANDBY].find((region) => stack.includes(`-${region}-`)) ?? 'global';
}

/** Whether a job rolls a Region back (its id or name says so). */
export function isRollbackJob(job: { id: string; name?: unknown }): boolean {
  return /rollback|roll back/i.test(`${job.id} ${String(job.name ?? '')}`);
}

/** Jobs of the workflow that deploy a CloudFormation stack of the release, with the stack and its Region. */
export function cloudFormationJobs(workflow: Workflow): { job: string; stack: string; region: string }[] {
  return [...workflow.jobs.values()].flatMap((job) => {
    const stack = isRollbackJob(job) ? undefined : deployedStack(job);
    return stack === undefined ? [] : [{ job: job.id, stack, region: stackRegion(stack) }];
  });
}

/** The stacks a rollback redeployed in this attempt, with the template each was given (`with.template`). */
export function redeployedStacks(run: RunRecord): { stack: string; template: string; job: string }[] {
  return ranSteps(run)
    .filter((step) => isRollbackJob({ id: step.job.id, name: run.workflow.jobs.get(step.job.id)?.name }))
    .filter((step) => step.uses?.startsWith(CLOUDFORMATION_DEPLOY) === true)
    .map((step) => ({ stack: step.with['name'] ?? '', template: step.with['template'] ?? '', job: step.job.id }));
}

/** Text of a step a reader would search (name, script, env names and values). */
function stepText(step: { name?: string; run?: string; env: Readonly<Record<string, unknown>> }): string {
  return [step.name ?? '', step.run ?? '', ...Object.keys(step.env), ...Object.values(step.env).map(String)].join('\n');
}

/** A step that ran in a run, with its job. */
export interface RanStep extends StepRecord {
  readonly job: JobRecord;
}

/** Steps that ran (not skipped) in a run, in job order. */
export function ranSteps(run: RunRecord): RanStep[] {
  return [...run.jobs.values()]
    .filter((job) => job.started && job.attempt === run.attempt)
    .flatMap((job) => job.steps.filter((step) => step.outcome !== 'skipped').map((step) => ({ ...step, job })));
}

/** Calls of the rollback CLI (`INPUT_COMMAND` record/plan/verify) that ran, with what they were asked. */
export function rollbackCliCalls(run: RunRecord, command?: string): RanStep[] {
  return ranSteps(run).filter(
    (step) =>
      step.env['INPUT_COMMAND'] !== undefined && (command === undefined || step.env['INPUT_COMMAND'] === command),
  );
}

/** Whether a job that rolls back `region` ran in this attempt (a job named or id'd "rollback" for that Region). */
export function rollbackRan(run: RunRecord, region: string): boolean {
  return [...run.jobs.values()].some(
    (job) =>
      job.started &&
      job.attempt === run.attempt &&
      /rollback|roll back/i.test(`${job.id} ${String(run.workflow.jobs.get(job.id)?.name ?? '')}`) &&
      job.steps.some((step) => step.outcome !== 'skipped' && step.env['INPUT_REGION'] === region),
  );
}

/** Stacks whose CloudFormation deploy job started in this attempt. */
export function deployedStacks(run: RunRecord): string[] {
  return cloudFormationJobs(run.workflow)
    .filter(({ job }) => {
      const record = run.jobs.get(job);
      if (record?.started !== true || record.attempt !== run.attempt) return false;
      // A job stopped before its CloudFormation step (the stale-run guard) changed nothing; a job given a whole-job
      // outcome by the scenario's plan has no step records and counts as having deployed.
      return (
        record.steps.length === 0 ||
        record.steps.some((step) => step.uses?.startsWith(CLOUDFORMATION_DEPLOY) === true && step.outcome !== 'skipped')
      );
    })
    .map(({ stack }) => stack);
}

/**
 * The world outside GitHub that the scenarios need, and the contract the issue gives the CLIs:
 * - CloudFormation refuses a change set for a stack with a named IAM resource unless `capabilities` has
 *   `CAPABILITY_NAMED_IAM` (the runbooks stacks: `RoleName` in the synthesized template, review finding B1), when
 *   `checkCapabilities` is on;
 * - a **freeze** record: the failover CLI's step writes it for a real (not dry-run) failover or switchover, as does
 *   a failover-workflow step that mentions a freeze (`INPUT_COMMAND: clear` lifts it); a deploy-workflow step that
 *   mentions a freeze fails while it exists (issue 12, B2/M11: "a freeze record … that every deploy wave checks
 *   before it starts");
 * - the known-good record per Region, two-phase (issue 12, M4/M5: "known-good is two-phase (candidate after a
 *   Region's bake, confirmed after the last)"): `record` stores `INPUT_SHA` as the Region's candidate; `confirm`
 *   promotes the candidate of every Region in `INPUT_REGIONS` to confirmed, and fails, confirming nothing, when a
 *   candidate is another commit or the commit was rolled back; `plan` rolls back to the confirmed record and fails
 *   when none is stored ("nothing to roll back to"); a rollback job step that is given the run's commit marks it
 *   rolled back, and `record` refuses a marked commit (M1: "`record` verifies it, a rollback marks its commit");
 * - the branch head: a deploy step that is given the run's commit and says it checks the head (a stale-run guard,
 *   M1) fails when the commit is not the head.
 */
export class PipelineWorld {
  freezeWrittenAt: number | undefined;
  /**
   * The recorded templates per Region and commit (`<region> <commit>` → stack name → template URL): what `record`
   * was given (the URLs of the run's asset jobs) and what `plan` hands the rollback's redeploy (review M4). A
   * known-good commit given to the constructor has templates `https://known-good.example/<commit>/<stack>.json`.
   */
  readonly templates = new Map<string, Map<string, string>>();
  /** The confirmed known-good commit per Region: what `plan` rolls back to. */
  readonly knownGood = new Map<string, string>();
  /** The candidate per Region: written by `record`, promoted by `confirm`. */
  readonly candidates = new Map<string, string>();
  readonly rolledBack = new Set<string>();
  branchHead: string | undefined;
  checkCapabilities = false;
  /** Every step call, in order: what each CLI and action was asked to do. */
  readonly calls: StepCall[] = [];

  constructor(
    options: { knownGood?: string; frozen?: boolean; branchHead?: string; checkCapabilities?: boolean } = {},
  ) {
    if (options.knownGood !== undefined) {
      this.knownGood.set(PRIMARY, options.knownGood);
      this.knownGood.set(STANDBY, options.knownGood);
    }
    if (options.frozen === true) this.freezeWrittenAt = Number.NEGATIVE_INFINITY;
    this.branchHead = options.branchHead;
    this.checkCapabilities = options.checkCapabilities ?? false;
  }

  readonly oracle: StepOracle = (call) => {
    this.calls.push(call);
    const { run, job, step, env } = call;
    const sha = String(run.github['sha']);
    const text = stepText(step);
    const isFailover = run.workflow.on.includes('workflow_dispatch') && !run.workflow.on.includes('push');
    const inRollbackJob = /rollback|roll back/i.test(`${job.id} ${String(job.name ?? '')}`);
    if (step.uses?.startsWith(CLOUDFORMATION_DEPLOY)) {
      const stack = call.with['name'] ?? '';
      const capabilities = call.with['capabilities'] ?? 'CAPABILITY_IAM'; // the action's default (review, B1)
      if (this.checkCapabilities && stack.endsWith('-runbooks') && !capabilities.includes('CAPABILITY_NAMED_IAM')) {
        return 'failure'; // InsufficientCapabilities
      }
      return 'success';
    }
    if (
      isFailover &&
      env['INPUT_ACTION'] !== undefined &&
      env['INPUT_VALIDATE_ONLY'] === undefined &&
      env['INPUT_COMMAND'] === undefined
    ) {
      // The failover CLI (bb685e3): "a real failover/switchover writes the deploy freeze in both Regions before
      // StartAutomationExecution".
      if (env['INPUT_DRY_RUN'] === 'false' && /^(failover|switchover)$/.test(env['INPUT_ACTION'] ?? '')) {
        this.freezeWrittenAt ??= call.time;
      }
      return 'success';
    }
    // A deploy step checks the freeze when it runs the freeze CLI, from source or as its bundle (an approval job that
    // only says the guard comes next is not a check).
    const checksFreeze = isFailover
      ? /freeze/i.test(text)
      : /\.github\/actions\/(freeze\/|dist\/freeze\.)/.test(step.run ?? '');
    if (checksFreeze) {
      if (isFailover) {
        if (env['INPUT_COMMAND'] === 'clear') this.freezeWrittenAt = undefined;
        else this.freezeWrittenAt ??= call.time;
        return 'success';
      }
      return this.freezeWrittenAt !== undefined && this.freezeWrittenAt <= call.time ? 'failure' : 'success';
    }
    // cdk-assets publishes each asset job's asset and the job outputs its hash (cdk-pipelines-github's publish step).
    if (step.id === 'Publish' && job.id.startsWith('Assets-')) {
      const outputs: Record<string, string> = { 'asset-hash': `${job.id.toLowerCase()}-${sha.slice(0, 7)}` };
      return { outcome: 'success', outputs };
    }
    // The bake gate's readiness dry run passes unless the table says otherwise; the watch after it gives the job's
    // one verdict for both (bake-watch.ts, review M12): readiness `failed` is the verdict `failed` at once, `none`
    // (the readiness step gave no outcome: an AWS error) fails the job without a verdict.
    if (env['INPUT_MODE'] === 'readiness') return { outcome: 'success', outputs: { readiness: 'passed' } };
    if (env['INPUT_MODE'] === 'watch' && env['INPUT_READINESS'] === 'failed') {
      return { outcome: 'failure', outputs: { result: 'failed' } };
    }
    if (env['INPUT_MODE'] === 'watch' && env['INPUT_READINESS'] === 'none') return 'failure';
    if (inRollbackJob && Object.values(env).includes(sha)) this.rolledBack.add(sha);
    const command = env['INPUT_COMMAND'];
    const region = env['INPUT_REGION'] ?? '';
    if (command === 'plan') {
      const good = this.knownGood.get(region);
      if (good === undefined) return 'failure'; // "No known-good version is recorded … fix forward instead." (R1)
      const stacks = (env['INPUT_STACKS'] ?? `shop-dev-${region}-services`).split(/\s+/).filter((s) => s !== '');
      const recorded = this.templates.get(`${region} ${good}`);
      const templates = Object.fromEntries(
        stacks.map((stack) => [stack, recorded?.get(stack) ?? `https://known-good.example/${good}/${stack}.json`]),
      );
      return {
        outcome: 'success',
        outputs: { sha: good, stack_names: stacks.join(' '), templates: JSON.stringify(templates) },
      };
    }
    if (command?.startsWith('record') === true) {
      const candidate = env['INPUT_SHA'] ?? '';
      if (this.rolledBack.has(candidate)) return 'failure';
      this.candidates.set(region, candidate);
      const templates = (env['INPUT_TEMPLATES'] ?? '')
        .split(/\s+/)
        .filter((item) => item.includes('='))
        .map((item) => item.split(/=(.*)/s).slice(0, 2) as [string, string]);
      this.templates.set(`${region} ${candidate}`, new Map(templates));
      return 'success';
    }
    if (command === 'confirm') {
      const commit = env['INPUT_SHA'] ?? '';
      const regions = (env['INPUT_REGIONS'] ?? '').split(',').filter((r) => r !== '');
      if (regions.length === 0 || this.rolledBack.has(commit)) return 'failure';
      if (regions.some((r) => this.candidates.get(r) !== commit)) return 'failure';
      for (const r of regions) this.knownGood.set(r, commit);
      return 'success';
    }
    if (
      !isFailover &&
      !inRollbackJob &&
      this.branchHead !== undefined &&
      Object.values(env).includes(sha) &&
      /head|stale|guard/i.test(text)
    ) {
      return sha === this.branchHead ? 'success' : 'failure';
    }
    return 'success';
  };
}

/** Minutes a job takes: its bake (`INPUT_BAKE_MINUTES`), 5 per stack deploy, 10 for a failover runbook, else 2. */
export function jobMinutes(_workflow: Workflow, job: WorkflowJob): number {
  const bake = job.steps.map((step) => step.env['INPUT_BAKE_MINUTES']).find((value) => value !== undefined);
  if (bake !== undefined) return Number(bake);
  if (deployedStack(job) !== undefined) return 5;
  if (job.steps.some((step) => step.env['INPUT_ACTION'] !== undefined)) return 10;
  return 2;
}
