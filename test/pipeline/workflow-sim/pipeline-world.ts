import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
 * - a **freeze** record: the failover CLI's step writes it for a real (not dry-run) failover, switchover or failback
 *   and lifts it after a failback, as does a failover-workflow step that mentions a freeze (`INPUT_COMMAND: clear`
 *   lifts it); a deploy-workflow step that
 *   mentions a freeze fails while it exists (issue 12, B2/M11: "a freeze record … that every deploy wave checks
 *   before it starts");
 * - the known-good record per Region, two-phase (issue 12, M4/M5: "known-good is two-phase (candidate after a
 *   Region's bake, confirmed after the last)"): `record` stores `INPUT_SHA` as the Region's candidate; `confirm`
 *   promotes the candidate of every Region in `INPUT_REGIONS` to confirmed, and fails, confirming nothing, when a
 *   candidate is another commit or the commit was rolled back; `plan` rolls back to the confirmed record and fails
 *   when none is stored ("nothing to roll back to"); a rollback job step that is given the run's commit marks it
 *   rolled back, and `record` refuses a marked commit (M1: "`record` verifies it, a rollback marks its commit");
 * - the branch head: it moves when a push to `refs/heads/main` is queued (`onQueue`: GitHub docs, "Events that
 *   trigger workflows", push: the run's `GITHUB_SHA` is "the tip commit pushed to the ref"; the ref has moved before
 *   the run is queued). A step that calls the GitHub API (`gh api`, e.g. a stale-run guard, M1) is run in bash as
 *   GitHub runs it (`bash --noprofile --norc -eo pipefail`), with a `gh` that answers the branch head at the step's
 *   time (or fails when `githubApiDown`), and its `$GITHUB_OUTPUT` lines become the step's outputs;
 * - the freeze CLI's `check` outputs `frozen` (`true`, `false`, or `unknown` when `freezeUnreadable`: it cannot
 *   decide, exit 3), as freeze/main.ts does.
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
  /** The head of the deploy branch before the first push of the simulation (later pushes move it). */
  branchHead: string | undefined;
  /** Pushes to the deploy branch, in the order queued: the head at a time is the last one queued by then. */
  readonly pushes: { readonly sha: string; readonly at: number }[] = [];
  /** The GitHub API fails (a `gh api` call exits 1). */
  githubApiDown = false;
  /** The freeze parameter cannot be read in a Region, and no Region read holds a freeze (check: `unknown`). */
  freezeUnreadable = false;
  checkCapabilities = false;
  /**
   * Stacks CloudFormation keeps `*_IN_PROGRESS` past the failover CLI's wait (review D6): a real failover, switchover
   * or failback to their Region (or any, for the routing stack) writes the freeze, then refuses to start, unless the
   * dispatch says `ignore_stack_updates`.
   */
  readonly stuckStacks = new Set<string>();
  /** The runbook automations the failover CLI started: which run, what, and until when (review D10). */
  readonly automations: {
    run: string;
    action: string;
    target: string;
    dryRun: string;
    until: number;
  }[] = [];
  /** Failover runs whose CLI attached to another run's automation, and runs it refused (review D10). */
  readonly attached: string[] = [];
  readonly refused: string[] = [];
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

  /** Give to the simulator (`onQueue`): a push to the deploy branch moves its head when it is queued. */
  readonly onQueue = (run: RunRecord): void => {
    if (run.github['event_name'] === 'push' && run.github['ref'] === 'refs/heads/main') {
      this.pushes.push({ sha: String(run.github['sha']), at: run.queuedAt });
    }
  };

  /** The head of the deploy branch at `time`. */
  headAt(time: number): string | undefined {
    const pushed = this.pushes.filter((push) => push.at <= time);
    return pushed.length === 0 ? this.branchHead : pushed.reduce((a, b) => (b.at >= a.at ? b : a)).sha;
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
      // The failover CLI (bb685e3, review D5): a real failover, switchover or failback writes the deploy freeze in both
      // Regions before StartAutomationExecution; a failback that succeeded (every runbook succeeds here) lifts it.
      const action = env['INPUT_ACTION'] ?? '';
      // Review D10: under its dispatch lock (a compare-and-set in SSM) the in-flight check and the start act as one
      // step, even for two dispatches in the same minute: an automation of another run still running makes a dispatch
      // of the same runbook, target and dry-run setting attach to it, and any other refuse, writing nothing (a
      // readiness dry run neither counts nor is refused by another readiness dry run).
      const automation = {
        run: run.label,
        action,
        target: env['INPUT_REGION'] ?? '',
        dryRun: env['INPUT_DRY_RUN'] ?? 'true',
        until: call.time + RUNBOOK_MINUTES,
      };
      const readinessDryRun = (a: { action: string; dryRun: string }) =>
        a.action === 'readiness' && a.dryRun === 'true';
      const running = this.automations.filter((a) => a.until > call.time && !readinessDryRun(a));
      const same = (a: typeof automation) =>
        a.action === automation.action && a.target === automation.target && a.dryRun === automation.dryRun;
      if (running.length === 1 && same(running[0]!)) {
        this.attached.push(run.label);
        return 'success';
      }
      if (running.length > 0 && !readinessDryRun(automation)) {
        this.refused.push(run.label);
        return 'failure';
      }
      if (env['INPUT_DRY_RUN'] === 'false' && /^(failover|switchover|failback)$/.test(action)) {
        this.freezeWrittenAt ??= call.time;
        const target = env['INPUT_REGION'] ?? '';
        const stuck = [...this.stuckStacks].some(
          (stack) => stackRegion(stack) === target || stackRegion(stack) === 'global',
        );
        if (stuck && env['INPUT_IGNORE_STACK_UPDATES'] !== 'true') return 'failure';
        if (action === 'failback') this.freezeWrittenAt = undefined;
      }
      this.automations.push(automation);
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
      // freeze/main.ts: output `frozen` true/false/unknown; exit 1 when frozen, 3 when it cannot decide.
      if (this.freezeUnreadable) return { outcome: 'failure', outputs: { frozen: 'unknown' } };
      return this.freezeWrittenAt !== undefined && this.freezeWrittenAt <= call.time
        ? { outcome: 'failure', outputs: { frozen: 'true' } }
        : { outcome: 'success', outputs: { frozen: 'false' } };
    }
    if (/\bgh api\b/.test(step.run ?? '')) return this.runWithGitHubApi(call);
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
    if (inRollbackJob && env['INPUT_COMMAND'] !== undefined && Object.values(env).includes(sha)) {
      this.rolledBack.add(sha);
    }
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
    return 'success';
  };

  /** Runs a step's script that calls the GitHub API, with a `gh` that answers the branch head at the step's time. */
  private runWithGitHubApi(call: StepCall): { outcome: 'success' | 'failure'; outputs: Record<string, string> } {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-sim-'));
    try {
      const gh = join(dir, 'gh');
      // Answers `gh api repos/<repo>/branches/<branch> --jq .commit.sha` with the head's commit.
      writeFileSync(
        gh,
        '#!/bin/bash\nif [ "$SIM_GITHUB_API_DOWN" = 1 ]; then echo "gh: HTTP 503" >&2; exit 1; fi\n' +
          'case "$2" in repos/*/branches/*) echo "$SIM_BRANCH_HEAD" ;; *) echo "gh: unexpected $*" >&2; exit 1 ;; esac\n',
      );
      chmodSync(gh, 0o755);
      const output = join(dir, 'output');
      writeFileSync(output, '');
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', call.step.run ?? ''], {
        env: {
          PATH: `${dir}:${process.env['PATH'] ?? ''}`,
          ...call.env,
          GITHUB_OUTPUT: output,
          SIM_BRANCH_HEAD: this.headAt(call.time) ?? '',
          SIM_GITHUB_API_DOWN: this.githubApiDown ? '1' : '0',
        },
        encoding: 'utf8',
      });
      const outputs = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
      );
      return { outcome: result.status === 0 ? 'success' : 'failure', outputs };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Minutes a failover runbook job takes (and its automation runs) in the scenarios. */
export const RUNBOOK_MINUTES = 10;

/** Minutes a job takes: its bake (`INPUT_BAKE_MINUTES`), 5 per stack deploy, 10 for a failover runbook, else 2. */
export function jobMinutes(_workflow: Workflow, job: WorkflowJob): number {
  const bake = job.steps.map((step) => step.env['INPUT_BAKE_MINUTES']).find((value) => value !== undefined);
  if (bake !== undefined) return Number(bake);
  if (deployedStack(job) !== undefined) return 5;
  if (job.steps.some((step) => step.env['INPUT_ACTION'] !== undefined)) return RUNBOOK_MINUTES;
  return 2;
}
