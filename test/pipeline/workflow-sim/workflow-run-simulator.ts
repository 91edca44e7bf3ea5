import {
  type ContextValue,
  conditionHolds,
  evaluateString,
  evaluateValue,
  type StatusView,
} from './workflow-expressions';
import type { Workflow, WorkflowJob, WorkflowStep } from './workflow-model';

/** `needs.<job_id>.result`: "Possible values are success, failure, cancelled, or skipped." (GitHub docs, Contexts). */
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';

/** What the table says of one job: its result, or where it fails, how long it takes, its steps' outputs. */
export interface JobPlan {
  /**
   * `failure`: a step fails (`failAt`, or the first step that runs). `cancelled`: the run is cancelled (by a
   * person, or a timeout) while this job runs, during step `failAt` (or its first step); the steps after it are
   * decided by their `if:` with `cancelled()` true. Default: every step succeeds.
   */
  readonly result?: 'success' | 'failure' | 'cancelled';
  /** The step that fails: its `id`, or a substring of its `name`. */
  readonly failAt?: string;
  /** How long the job runs, in minutes (default: the simulator's `jobMinutes`). */
  readonly minutes?: number;
  /** Outputs the steps write (`steps.<id>.outputs.<name>`), by step id. */
  readonly outputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A step about to run, with the `env:` and `with:` it passes, evaluated: what a CLI would be asked to do. */
export interface StepCall {
  readonly run: RunRecord;
  readonly job: WorkflowJob;
  readonly step: WorkflowStep;
  readonly env: Readonly<Record<string, string>>;
  readonly with: Readonly<Record<string, string>>;
  /** Minutes since the simulation started. */
  readonly time: number;
}

/** Decides a step's outcome where the table does not (the world outside GitHub: a CLI, AWS). */
export type StepOracle = (
  call: StepCall,
) =>
  | 'success'
  | 'failure'
  | { readonly outcome: 'success' | 'failure'; readonly outputs?: Record<string, string> }
  | undefined;

/** One step as it ran (or did not). */
export interface StepRecord {
  readonly id: string;
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  /** `skipped` when its `if:` was false; `cancelled` when the run was cancelled while it ran. */
  readonly outcome: 'success' | 'failure' | 'cancelled' | 'skipped';
  readonly env: Readonly<Record<string, string>>;
  readonly with: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

/** One job of one attempt. */
export interface JobRecord {
  readonly id: string;
  result: JobResult;
  /** Whether a runner picked it up (its `if:` held). */
  started: boolean;
  /** Attempt that produced this record (kept jobs of a re-run keep their old attempt). */
  readonly attempt: number;
  startedAt?: number;
  endedAt?: number;
  steps: StepRecord[];
  outputs: Record<string, string>;
  /** The Environment it referenced, evaluated. */
  environment?: string;
}

/** The event that started a run. */
export interface RunEvent {
  /** `push`, `workflow_dispatch`, … */
  readonly name: string;
  readonly sha: string;
  readonly ref?: string;
  /** `workflow_dispatch` inputs; missing ones take the workflow's defaults. */
  readonly inputs?: Readonly<Record<string, string | boolean>>;
}

/** A request for a run (a push, a dispatch) at a time. */
export interface RunRequest {
  readonly workflow: Workflow;
  readonly event: RunEvent;
  /** Minutes since the simulation started (default 0). */
  readonly at?: number;
  /** The outcome table, by job id. */
  readonly plan?: Readonly<Record<string, JobPlan | 'success' | 'failure' | 'cancelled'>>;
  /** A name for messages. */
  readonly label?: string;
}

/** One attempt of one workflow run. */
export interface RunRecord {
  readonly id: number;
  readonly label: string;
  readonly workflow: Workflow;
  readonly attempt: number;
  readonly github: Readonly<Record<string, ContextValue>>;
  readonly inputs: Readonly<Record<string, ContextValue>>;
  readonly queuedAt: number;
  /** `queued` → `pending` (waiting for its concurrency group) → `in_progress` → `completed`. */
  status: 'queued' | 'pending' | 'in_progress' | 'completed';
  /** `cancelled` also for a pending run that a newer one replaced (none of its jobs ran). */
  conclusion?: 'success' | 'failure' | 'cancelled';
  startedAt?: number;
  endedAt?: number;
  cancelledAt?: number;
  /** Why it was cancelled. */
  cancelledBy?: string;
  readonly group?: string;
  readonly jobs: Map<string, JobRecord>;
}

interface RunState {
  readonly record: RunRecord;
  readonly plan: Readonly<Record<string, JobPlan>>;
  readonly cancelInProgress: boolean;
  readonly queueMax: boolean;
  cancelled: boolean;
  /** Jobs still to be decided (pending their needs). */
  readonly waiting: Set<string>;
  /** Running jobs → when they end, with the result they end with. */
  readonly running: Map<string, { end: number; result: JobResult }>;
}

interface SimEvent {
  readonly time: number;
  readonly seq: number;
  readonly apply: () => void;
}

/** Options of a {@link WorkflowSimulator}. */
export interface SimulatorOptions {
  /** Decides step outcomes the table does not give. */
  readonly oracle?: StepOracle;
  /** How long a job runs when its plan does not say (default 1 minute). */
  readonly jobMinutes?: (workflow: Workflow, job: WorkflowJob) => number;
  /** The repository, for `github.repository` (default `octo/multi-region-shop`). */
  readonly repository?: string;
  /** Told of every run queued by {@link WorkflowSimulator.queue} (a push, a dispatch; not a re-run), when queued. */
  readonly onQueue?: (run: RunRecord) => void;
}

function normalizePlan(plan: RunRequest['plan']): Record<string, JobPlan> {
  const out: Record<string, JobPlan> = {};
  for (const [job, entry] of Object.entries(plan ?? {}))
    out[job] = typeof entry === 'string' ? { result: entry } : entry;
  return out;
}

function ancestors(workflow: Workflow, jobId: string, into = new Set<string>()): Set<string> {
  for (const need of workflow.jobs.get(jobId)?.needs ?? []) {
    if (!into.has(need)) {
      into.add(need);
      ancestors(workflow, need, into);
    }
  }
  return into;
}

/** Jobs that need `jobIds`, directly or through others. */
export function dependents(workflow: Workflow, jobIds: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const queue = [...jobIds];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const job of workflow.jobs.values()) {
      if (job.needs.includes(id) && !out.has(job.id)) {
        out.add(job.id);
        queue.push(job.id);
      }
    }
  }
  return out;
}

/**
 * Runs GitHub Actions workflows from outcome tables, on a simulated clock, with GitHub's documented rules:
 *
 * - **Job order.** A job starts when every job in its `needs` has finished. GitHub docs, "Workflow syntax"
 *   › `jobs.<job_id>.needs`: "If a job fails or is skipped, all jobs that need it are skipped unless the jobs use a
 *   conditional expression that causes the job to continue." Its `if:` is evaluated then, with the needs' results.
 * - **Status functions** (see workflow-expressions.ts): for a job, `success()` is true when the run is not cancelled
 *   and every job in `needs` succeeded; `failure()` when any ancestor job failed (the docs' "if any ancestor job
 *   fails"); `cancelled()` when the run was cancelled. For a step: `success()` when no earlier step of the job
 *   failed, `failure()` when one did.
 * - **Cancelling a run.** GitHub docs, "Workflow cancellation reference": "the server re-evaluates if conditions for
 *   all currently running jobs. If the condition evaluates to true, the job will not get canceled." A running job
 *   whose `if:` no longer holds ends `cancelled`; a job that had not started is decided by its `if:` with
 *   `cancelled()` true (it runs if that holds, else it ends `cancelled`: unverified whether GitHub shows such a job as
 *   cancelled or skipped; nothing here depends on the difference).
 * - **Re-run failed jobs** ({@link rerunFailedJobs}). GitHub docs, "Re-running workflows and jobs": re-runs use "the
 *   same GITHUB_SHA (commit SHA) and GITHUB_REF (git ref) of the original event"; "When you re-run failed jobs or a
 *   specific job, GitHub also re-runs the jobs that depend on them. Jobs that aren't included keep their outputs
 *   from the previous attempt". Failed jobs are those that ended `failure` or `cancelled` (GitHub's button offers the
 *   re-run for a cancelled run too; counting cancelled jobs as failed is unverified).
 * - **Concurrency** (workflow-level `concurrency`). GitHub docs, "Control the concurrency of workflows and jobs":
 *   "there can be at most one running and one pending job in a concurrency group at any time. When a concurrent job
 *   or workflow is queued, if another job or workflow using the same concurrency group in the repository is in
 *   progress, the queued job or workflow will be pending. Any existing pending job or workflow in the same
 *   concurrency group, if it exists, will be canceled and the new queued job or workflow will take its place. To
 *   also cancel any currently running job or workflow in the same concurrency group, specify cancel-in-progress:
 *   true." "The concurrency group name is case insensitive." `queue: max` (GitHub changelog 2026-05-07, as quoted in
 *   the review) keeps up to 100 pending runs in order instead of replacing. The `cancel-in-progress` of the run
 *   being queued decides. A cancelled pending run runs no job.
 *
 * Not simulated: job-level `concurrency`, matrices, Environment approvals and wait timers (a job starts when its
 * needs are done), runner queueing, step timing inside a job (every step of a job is decided when it starts).
 */
export class WorkflowSimulator {
  private readonly events: SimEvent[] = [];
  private seq = 0;
  private nextRunId = 1;
  private readonly runs: RunState[] = [];
  private readonly groups = new Map<string, { running?: RunState; pending: RunState[] }>();
  /** Minutes since the start of the simulation. */
  now = 0;

  constructor(private readonly options: SimulatorOptions = {}) {}

  /** Every run attempt so far, in the order they were queued. */
  get records(): RunRecord[] {
    return this.runs.map((run) => run.record);
  }

  /** Queues a run at `request.at`; the returned record fills in as the simulation proceeds. */
  queue(request: RunRequest): RunRecord {
    const workflow = request.workflow;
    const inputs: Record<string, ContextValue> = {};
    for (const [name, input] of Object.entries(workflow.dispatchInputs)) {
      const given = request.event.inputs?.[name];
      const value = given ?? (input.default as ContextValue | undefined) ?? '';
      inputs[name] = input.type === 'boolean' ? value === true || value === 'true' : value;
    }
    const id = this.nextRunId++;
    const github: Record<string, ContextValue> = {
      event_name: request.event.name,
      sha: request.event.sha,
      ref: request.event.ref ?? 'refs/heads/main',
      ref_name: (request.event.ref ?? 'refs/heads/main').replace(/^refs\/heads\//, ''),
      repository: this.options.repository ?? 'octo/multi-region-shop',
      server_url: 'https://github.com',
      workflow: workflow.name,
      run_id: String(id),
      run_number: String(id),
      run_attempt: '1',
      actor: 'octocat',
    };
    const record = this.enqueue(
      workflow,
      github,
      inputs,
      normalizePlan(request.plan),
      request.at ?? this.now,
      1,
      new Map(),
      request.label,
    );
    this.options.onQueue?.(record);
    return record;
  }

  /**
   * "Re-run failed jobs" on a completed run: a new attempt with the same `github.sha`/`ref`, in which the failed
   * and cancelled jobs and every job that depends on them run again (from `plan`), and the others keep their
   * result and outputs.
   */
  rerunFailedJobs(
    previous: RunRecord,
    options: { readonly at?: number; readonly plan?: RunRequest['plan'] } = {},
  ): RunRecord {
    if (previous.status !== 'completed') throw new Error(`run ${previous.label} is ${previous.status}, not completed`);
    const failed = [...previous.jobs.values()].filter((job) => job.result === 'failure' || job.result === 'cancelled');
    if (failed.length === 0) throw new Error(`run ${previous.label} has no failed job to re-run`);
    const again = new Set([
      ...failed.map((job) => job.id),
      ...dependents(
        previous.workflow,
        failed.map((job) => job.id),
      ),
    ]);
    const kept = new Map<string, JobRecord>();
    for (const [id, job] of previous.jobs) if (!again.has(id)) kept.set(id, job);
    const github = { ...previous.github, run_attempt: String(previous.attempt + 1) };
    return this.enqueue(
      previous.workflow,
      github,
      previous.inputs,
      normalizePlan(options.plan),
      options.at ?? this.now,
      previous.attempt + 1,
      kept,
      `${previous.label} attempt ${previous.attempt + 1}`,
      Number(previous.github['run_id']),
    );
  }

  /** Cancels a run at a time (the "Cancel workflow" button). */
  cancel(run: RunRecord, at: number, by = 'a person'): void {
    this.schedule(at, () => {
      const state = this.runs.find((candidate) => candidate.record === run);
      if (state !== undefined) this.cancelRun(state, by);
    });
  }

  /** Processes every event; returns the records. */
  runUntilIdle(): RunRecord[] {
    for (let guard = 0; this.events.length > 0; guard++) {
      if (guard > 100_000) throw new Error('simulation does not end');
      this.events.sort((a, b) => a.time - b.time || a.seq - b.seq);
      const event = this.events.shift()!;
      this.now = Math.max(this.now, event.time);
      event.apply();
    }
    return this.records;
  }

  private schedule(time: number, apply: () => void): void {
    this.events.push({ time, seq: this.seq++, apply });
  }

  private enqueue(
    workflow: Workflow,
    github: Record<string, ContextValue>,
    inputs: Readonly<Record<string, ContextValue>>,
    plan: Record<string, JobPlan>,
    at: number,
    attempt: number,
    kept: Map<string, JobRecord>,
    label?: string,
    runId?: number,
  ): RunRecord {
    const id = runId ?? Number(github['run_id']);
    const contexts = { github, inputs };
    const concurrency = evaluateValue(workflow.concurrency, contexts);
    const setting =
      concurrency === null
        ? undefined
        : typeof concurrency === 'object'
          ? (concurrency as Record<string, ContextValue>)
          : { group: concurrency };
    const group = setting?.['group'];
    const record: RunRecord = {
      id,
      label: label ?? `${workflow.name} #${id}`,
      workflow,
      attempt,
      github,
      inputs,
      queuedAt: at,
      status: 'queued',
      ...(group === undefined || group === null ? {} : { group: String(group) }),
      jobs: new Map(kept),
    };
    const state: RunState = {
      record,
      plan,
      cancelInProgress: setting?.['cancel-in-progress'] === true || setting?.['cancel-in-progress'] === 'true',
      queueMax: setting?.['queue'] === 'max',
      cancelled: false,
      waiting: new Set([...workflow.jobs.keys()].filter((job) => !kept.has(job))),
      running: new Map(),
    };
    this.runs.push(state);
    this.schedule(at, () => this.arrive(state));
    return record;
  }

  private arrive(state: RunState): void {
    const key = state.record.group?.toLowerCase();
    if (key === undefined) {
      this.start(state);
      return;
    }
    const group = this.groups.get(key) ?? { pending: [] };
    this.groups.set(key, group);
    if (group.running === undefined) {
      group.running = state;
      this.start(state);
      return;
    }
    state.record.status = 'pending';
    const limit = state.queueMax ? 100 : 1;
    group.pending.push(state);
    while (group.pending.length > limit) {
      const dropped = group.pending.shift()!;
      dropped.record.status = 'completed';
      dropped.record.conclusion = 'cancelled';
      dropped.record.cancelledAt = this.now;
      dropped.record.cancelledBy = `${state.record.label} (replaced the pending run)`;
      dropped.record.endedAt = this.now;
    }
    // Cancelling the running run may complete it at once, which starts the first pending run.
    if (state.cancelInProgress) this.cancelRun(group.running, `${state.record.label} (cancel-in-progress)`);
  }

  private release(groupName: string): void {
    const group = this.groups.get(groupName.toLowerCase());
    if (group === undefined) return;
    group.running = group.pending.shift();
    if (group.running !== undefined) this.start(group.running);
  }

  private start(state: RunState): void {
    state.record.status = 'in_progress';
    state.record.startedAt = this.now;
    this.advance(state);
  }

  private needsContext(state: RunState, job: WorkflowJob): Record<string, ContextValue> {
    const needs: Record<string, ContextValue> = {};
    for (const need of job.needs) {
      const record = state.record.jobs.get(need)!;
      needs[need] = { result: record.result, outputs: record.outputs };
    }
    return needs;
  }

  private jobStatus(state: RunState, job: WorkflowJob): StatusView {
    const results = (ids: Iterable<string>) => [...ids].map((id) => state.record.jobs.get(id)?.result);
    return {
      success: !state.cancelled && results(job.needs).every((result) => result === 'success'),
      failure: results(ancestors(state.record.workflow, job.id)).some((result) => result === 'failure'),
      cancelled: state.cancelled,
    };
  }

  /** Starts every waiting job whose needs are done; repeats until nothing changes. */
  private advance(state: RunState): void {
    const workflow = state.record.workflow;
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of [...state.waiting]) {
        const job = workflow.jobs.get(id)!;
        const done = job.needs.every((need) => {
          const record = state.record.jobs.get(need);
          return record !== undefined && !state.running.has(need) && !state.waiting.has(need);
        });
        if (!done) continue;
        state.waiting.delete(id);
        changed = true;
        this.startJob(state, job);
      }
    }
    if (state.waiting.size === 0 && state.running.size === 0 && state.record.status === 'in_progress')
      this.complete(state);
  }

  private startJob(state: RunState, job: WorkflowJob): void {
    const contexts = { github: state.record.github, inputs: state.record.inputs, needs: this.needsContext(state, job) };
    const record: JobRecord = {
      id: job.id,
      result: 'skipped',
      started: false,
      attempt: state.record.attempt,
      steps: [],
      outputs: {},
    };
    state.record.jobs.set(job.id, record);
    if (!conditionHolds(job.if, contexts, this.jobStatus(state, job))) {
      record.result = state.cancelled ? 'cancelled' : 'skipped';
      record.endedAt = this.now;
      return;
    }
    record.started = true;
    record.startedAt = this.now;
    if (job.environment !== undefined) record.environment = evaluateString(job.environment, contexts);
    const plan = state.plan[job.id] ?? {};
    const result = this.runSteps(state, job, record, plan, contexts);
    const minutes = plan.minutes ?? this.options.jobMinutes?.(state.record.workflow, job) ?? 1;
    const end = this.now + minutes;
    state.running.set(job.id, { end, result });
    record.result = result;
    if (plan.result === 'cancelled')
      this.schedule(this.now + minutes / 2, () => this.cancelRun(state, `a person, while ${job.id} ran`));
    this.schedule(end, () => {
      const running = state.running.get(job.id);
      if (running === undefined || running.end !== end) return;
      state.running.delete(job.id);
      record.endedAt = end;
      this.advance(state);
    });
  }

  private runSteps(
    state: RunState,
    job: WorkflowJob,
    record: JobRecord,
    plan: JobPlan,
    jobContexts: Record<string, ContextValue>,
  ): JobResult {
    let failed = false;
    let cancelled = state.cancelled;
    let firstRun = true;
    const steps: Record<string, ContextValue> = {};
    for (const step of job.steps) {
      const contexts = { ...jobContexts, steps };
      const status: StatusView = { success: !failed && !cancelled, failure: failed, cancelled };
      const env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, evaluateString(v, contexts)]));
      const withInputs = Object.fromEntries(
        Object.entries(step.with).map(([k, v]) => [k, evaluateString(v, contexts)]),
      );
      const base = {
        id: step.id,
        ...(step.name === undefined ? {} : { name: step.name }),
        ...(step.run === undefined ? {} : { run: step.run }),
        ...(step.uses === undefined ? {} : { uses: step.uses }),
        env,
        with: withInputs,
      };
      if (!conditionHolds(step.if, contexts, status)) {
        record.steps.push({ ...base, outcome: 'skipped', outputs: {} });
        steps[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
        continue;
      }
      const planned =
        plan.failAt !== undefined
          ? plan.failAt === step.id || (step.name ?? '').includes(plan.failAt)
          : plan.result !== undefined && plan.result !== 'success' && firstRun;
      firstRun = false;
      if (planned && plan.result === 'cancelled') {
        // GitHub docs, "Workflow cancellation reference": the step in progress gets SIGINT; "For jobs that continue
        // to run, the server re-evaluates if conditions for the unfinished steps."
        record.steps.push({ ...base, outcome: 'cancelled', outputs: {} });
        steps[step.id] = { outcome: 'cancelled', conclusion: 'cancelled', outputs: {} };
        cancelled = true;
        continue;
      }
      const answer = planned
        ? 'failure'
        : this.options.oracle?.({ run: state.record, job, step, env, with: withInputs, time: this.now });
      const outcome = typeof answer === 'object' ? answer.outcome : (answer ?? 'success');
      const outputs = {
        ...(typeof answer === 'object' ? (answer.outputs ?? {}) : {}),
        ...(plan.outputs?.[step.id] ?? {}),
      };
      record.steps.push({ ...base, outcome, outputs });
      steps[step.id] = {
        outcome,
        conclusion: outcome === 'failure' && step.continueOnError ? 'success' : outcome,
        outputs,
      };
      if (outcome === 'failure' && !step.continueOnError) failed = true;
    }
    const outputs = evaluateValue(job.outputs as never, { ...jobContexts, steps });
    record.outputs = Object.fromEntries(
      Object.entries((outputs ?? {}) as Record<string, ContextValue>).map(([k, v]) => [k, v === null ? '' : String(v)]),
    );
    return cancelled && !state.cancelled ? 'cancelled' : failed ? 'failure' : 'success';
  }

  private cancelRun(state: RunState, by: string): void {
    if (state.cancelled || state.record.status === 'completed') return;
    state.cancelled = true;
    state.record.cancelledAt = this.now;
    state.record.cancelledBy = by;
    if (state.record.status === 'pending') {
      const group = this.groups.get(state.record.group!.toLowerCase());
      if (group !== undefined) group.pending.splice(group.pending.indexOf(state), 1);
      state.record.status = 'completed';
      state.record.conclusion = 'cancelled';
      state.record.endedAt = this.now;
      return;
    }
    if (state.record.status !== 'in_progress') return;
    const workflow = state.record.workflow;
    for (const [id] of [...state.running]) {
      const job = workflow.jobs.get(id)!;
      const record = state.record.jobs.get(id)!;
      const contexts = {
        github: state.record.github,
        inputs: state.record.inputs,
        needs: this.needsContext(state, job),
      };
      if (conditionHolds(job.if, contexts, this.jobStatus(state, job))) continue;
      state.running.delete(id);
      record.result = 'cancelled';
      record.endedAt = this.now;
    }
    this.advance(state);
  }

  private complete(state: RunState): void {
    const record = state.record;
    record.status = 'completed';
    record.endedAt = this.now;
    const results = [...record.jobs.values()].map((job) => job.result);
    record.conclusion = state.cancelled ? 'cancelled' : results.includes('failure') ? 'failure' : 'success';
    if (record.group !== undefined) {
      const group = this.groups.get(record.group.toLowerCase());
      if (group?.running === state) this.release(record.group);
    }
  }
}

/** Simulates one run on its own (no other run, no concurrency effects). */
export function simulateRun(request: RunRequest, options: SimulatorOptions = {}): RunRecord {
  const simulator = new WorkflowSimulator(options);
  const run = simulator.queue(request);
  simulator.runUntilIdle();
  return run;
}
