import { unmodelledError } from './aws-errors';
import type { Timeline } from './model-timeline';

/**
 * ARC Region switch (API version 2022-07-26): plans, their workflows and the executions of the data-plane operations
 * StartPlanExecution, GetPlanExecution, ListPlanExecutions, ListPlanExecutionEvents and CancelPlanExecution, and the
 * plans' evaluations (GetPlanEvaluationStatus).
 *
 * Sources: the API Reference (API_StartPlanExecution, API_StepState, API_AbbreviatedExecution), the service model the
 * SDKs are generated from (`aws-models/arc-region-switch.json`: shapes, errors, the PlanExecutionCompleted waiter,
 * the endpoint rules), and the User Guide ("Data and control planes for Region switch", "Region switch API
 * operations"). What those leave open is a {@link RegionSwitchModelOptions} member marked UNVERIFIED.
 */

/** One step of a workflow: one execution block. */
export interface ModelRegionSwitchStep {
  readonly name: string;
  /** Simulated seconds the block runs before it completes (model choice). */
  readonly seconds: number;
  /**
   * What an `ungraceful` execution does with the block: run it, or skip it ("Specifing `ungraceful` mode either
   * changes the behavior of the execution blocks in a workflow or skips specific execution blocks",
   * API_StartPlanExecution). @default 'run'
   */
  readonly ungraceful?: 'run' | 'skip';
  /**
   * What the block does when it starts, for blocks that act on the rest of the model (an Aurora block moves the
   * writer, a DNS block moves the traffic): an `error` fails the step; `done` is polled every
   * {@link RegionSwitchModel.effectPollSeconds} after `seconds`, and the step completes once it says true (an Aurora
   * block "waits for the switchover or failover to complete" — model choice, the User Guide's block description).
   */
  readonly effect?: (execution: ModelPlanExecution) => { readonly error?: string; readonly done?: () => boolean };
}

/**
 * A workflow: the steps that activate or deactivate a Region ("A workflow is made up of steps that contain execution
 * blocks, which you specify to be run in parallel or in sequence, to complete the activation or deactivation of a
 * Region", User Guide, Region switch components). This model runs steps in sequence.
 */
export interface ModelRegionSwitchWorkflow {
  readonly action: 'activate' | 'deactivate';
  /** The Region the workflow targets; undefined: any of the plan's Regions ("one workflow that can be used to activate either of your Regions"). */
  readonly targetRegion?: string;
  readonly steps: readonly ModelRegionSwitchStep[];
}

/** A Region switch plan. */
export interface ModelRegionSwitchPlan {
  /** `arn:aws:arc-region-switch::<account>:plan/<name>:<6 chars>` (the planArn pattern: no Region in it). */
  readonly arn: string;
  readonly regions: readonly string[];
  readonly workflows: readonly ModelRegionSwitchWorkflow[];
}

type StepStatus = 'notStarted' | 'running' | 'failed' | 'completed' | 'canceled' | 'skipped' | 'pendingApproval';

/** One execution. */
export interface ModelPlanExecution {
  readonly executionId: string;
  readonly planArn: string;
  readonly targetRegion: string;
  readonly action: 'activate' | 'deactivate';
  readonly mode: 'graceful' | 'ungraceful';
  readonly comment?: string;
  readonly clientToken?: string;
  /** The Region whose data plane received StartPlanExecution. */
  readonly startedIn: string;
  readonly startTime: Date;
  /** ExecutionState (API_AbbreviatedExecution lists its values). */
  state: string;
  endTime?: Date;
  updatedAt: Date;
  steps: { name: string; status: StepStatus; startTime?: Date; endTime?: Date; stepMode: 'graceful' | 'ungraceful' }[];
  events: {
    eventId: string;
    timestamp: Date;
    type: string;
    stepName?: string;
    error?: string;
    description?: string;
  }[];
}

/**
 * A warning a plan evaluation reports (API_ResourceWarning: `workflow`, `stepName`, `resourceArn`, `warningMessage`
 * "The warning message about what needs to be corrected", `warningStatus` "active | resolved").
 */
export interface ModelPlanWarning {
  readonly workflow?: { readonly action: 'activate' | 'deactivate'; readonly name?: string };
  readonly stepName?: string;
  readonly resourceArn?: string;
  readonly message: string;
}

/** What the model keeps of a plan's evaluations. */
interface PlanEvaluations {
  readonly createdAt: number;
  /** Evaluations stop here (a test's {@link RegionSwitchModel.stopEvaluations}): the last one grows old. */
  stoppedAt?: number;
  /** Answered instead of the computed state (e.g. `unknown`). */
  state?: string;
  readonly warnings: { readonly warning: ModelPlanWarning; readonly since: number; resolvedAt?: number }[];
}

/** Behaviours of the model the AWS documentation leaves open; every default is a model choice, UNVERIFIED. */
export interface RegionSwitchModelOptions {
  /**
   * Which Regions' data planes answer about a plan: the plan's own Regions (`plan-regions`) or every Region (`any`).
   * The User Guide says only "Region switch has independent data planes in each AWS Region". UNVERIFIED.
   * @default 'plan-regions'
   */
  readonly dataPlaneRegions: 'plan-regions' | 'any';
  /**
   * Whether every data plane of the plan sees an execution started through another one. UNVERIFIED (the documents do
   * not say how executions are replicated between the Regional data planes).
   * @default true
   */
  readonly executionsVisibleInEveryRegion: boolean;
  /**
   * What a failed step does to the execution: pause it (`pausedByFailedStep`, an ExecutionState of the API) or end
   * it (`failed`). Which one AWS does, and when, is UNVERIFIED.
   * @default 'pausedByFailedStep'
   */
  readonly failedStepLeaves: 'pausedByFailedStep' | 'failed';
  /** Simulated seconds an execution stays `pending` before its first step runs (model choice). @default 5 */
  readonly pendingSeconds: number;
  /**
   * Minutes between two evaluations of a plan. The User Guide ("Plan evaluation for Region switch plans") says only
   * "Region switch automatically evaluates your plan multiple times per hour": 30 is the longest interval that
   * allows. UNVERIFIED. @default 30
   */
  readonly evaluationIntervalMinutes: number;
  /**
   * Seconds after a plan is added until its first evaluation ("Whenever you create, or update, a plan, Region switch
   * performs a plan evaluation", About Region switch; how soon is UNVERIFIED); until then the evaluation state is
   * `pendingEvaluation`. @default 60
   */
  readonly firstEvaluationSeconds: number;
}

/** Defaults of {@link RegionSwitchModelOptions}. */
export const DEFAULT_REGION_SWITCH_OPTIONS: RegionSwitchModelOptions = {
  dataPlaneRegions: 'plan-regions',
  executionsVisibleInEveryRegion: true,
  failedStepLeaves: 'pausedByFailedStep',
  pendingSeconds: 5,
  evaluationIntervalMinutes: 30,
  firstEvaluationSeconds: 60,
};

type Input = Readonly<Record<string, unknown>>;

/** States after which nothing more happens (the SDK's PlanExecutionCompleted waiter: success or failure). */
const ENDED = new Set(['completed', 'completedWithExceptions', 'failed', 'canceled', 'planExecutionTimedOut']);

/**
 * Errors of the service model ("IllegalArgumentException: The request processing has an invalid argument.",
 * "IllegalStateException: The operation failed because the current state of the resource doesn't allow the operation
 * to proceed. HTTP Status Code: 400", "ResourceNotFoundException: The specified resource was not found. HTTP Status
 * Code: 404"). Thrown with the error's name, as the SDK's deserialised exceptions carry it.
 */
const illegalArgument = (message: string) => unmodelledError('IllegalArgumentException', message);
const illegalState = (message: string) => unmodelledError('IllegalStateException', message);
const notFound = (message: string) => unmodelledError('ResourceNotFoundException', message, { httpStatusCode: 404 });

/** The ARC Region switch data planes of the model. See the file's header for the sources. */
export class RegionSwitchModel {
  readonly plans = new Map<string, ModelRegionSwitchPlan>();
  readonly executions = new Map<string, ModelPlanExecution>();
  readonly options: RegionSwitchModelOptions;
  /** How often a step with an {@link ModelRegionSwitchStep.effect} looks whether it is done, in simulated seconds. */
  effectPollSeconds = 5;
  /** Items per page when a request gives no `maxResults` (model choice; a test lowers it to exercise paging). */
  pageSize = 100;
  /** Steps that fail when they run next: step name → error, optionally only in one mode. */
  private readonly failures = new Map<string, { error: string; mode?: 'graceful' | 'ungraceful' }>();
  private readonly evaluations = new Map<string, PlanEvaluations>();
  private count = 0;

  constructor(
    private readonly timeline: Timeline,
    options: Partial<RegionSwitchModelOptions> = {},
  ) {
    this.options = { ...DEFAULT_REGION_SWITCH_OPTIONS, ...options };
  }

  /** The executions, the plans' evaluations and the id counter, for {@link AwsModel.checkpoint}. */
  saved(): {
    readonly executions: Map<string, ModelPlanExecution>;
    readonly evaluations: Map<string, PlanEvaluations>;
    readonly count: number;
  } {
    return {
      executions: structuredClone(this.executions),
      evaluations: structuredClone(this.evaluations),
      count: this.count,
    };
  }

  /** Puts back what {@link saved} returned (injected step failures are forgotten). */
  restoreSaved(saved: {
    readonly executions: ReadonlyMap<string, ModelPlanExecution>;
    readonly evaluations: ReadonlyMap<string, PlanEvaluations>;
    readonly count: number;
  }): void {
    this.executions.clear();
    for (const [id, execution] of structuredClone(saved.executions)) this.executions.set(id, execution);
    this.evaluations.clear();
    for (const [arn, evaluations] of structuredClone(saved.evaluations)) this.evaluations.set(arn, evaluations);
    this.count = saved.count;
    this.failures.clear();
  }

  /**
   * Adds a plan (what CreatePlan, a control-plane operation, made). By default the plan is as deployed a while ago:
   * its first evaluation ran now (it `passed`, nothing found yet). `created: 'now'` adds a plan just created, not
   * evaluated before `firstEvaluationSeconds` (`pendingEvaluation` until then).
   */
  addPlan(plan: ModelRegionSwitchPlan, options: { readonly created?: 'now' | 'evaluated' } = {}): void {
    this.plans.set(plan.arn, plan);
    const now = this.timeline.now();
    const createdAt = options.created === 'now' ? now : now - this.options.firstEvaluationSeconds * 1000;
    this.evaluations.set(plan.arn, { createdAt, warnings: [] });
  }

  /** From now on, the plan's evaluations find `warning` (until {@link resolveWarning}); the next one reports it. */
  addWarning(planArn: string, warning: ModelPlanWarning): void {
    this.evaluationsOf(planArn).warnings.push({ warning, since: this.timeline.now() });
  }

  /** The warnings of `stepName` are corrected now: the next evaluation reports them `resolved`. */
  resolveWarning(planArn: string, stepName: string): void {
    for (const w of this.evaluationsOf(planArn).warnings) {
      if (w.warning.stepName === stepName && w.resolvedAt === undefined) w.resolvedAt = this.timeline.now();
    }
  }

  /** No evaluation of the plan runs after now: the last one grows old (a fault of the model, for tests). */
  stopEvaluations(planArn: string): void {
    this.evaluationsOf(planArn).stoppedAt = this.timeline.now();
  }

  /** GetPlanEvaluationStatus answers `state` (e.g. `unknown`) instead of the one computed from the warnings. */
  setEvaluationState(planArn: string, state: string | undefined): void {
    this.evaluationsOf(planArn).state = state;
  }

  /**
   * GetPlanEvaluationStatus: "Retrieves the evaluation status of a Region switch plan. The evaluation status provides
   * information about the last time the plan was evaluated and any warnings or issues detected." The evaluations run
   * every {@link RegionSwitchModelOptions.evaluationIntervalMinutes} from the first one; each sees the warnings found by
   * then. `evaluationState` (passed | actionRequired | pendingEvaluation | unknown): `pendingEvaluation` before the
   * first evaluation, `actionRequired` while an active warning is listed, else `passed` (which state goes with which
   * warnings is UNVERIFIED). Resolved warnings stay listed as `resolved` (for how long is UNVERIFIED). One page of
   * `warnings` (`maxResults`, `nextToken`). `region` ("The Amazon Web Services Region for the plan"): the Region asked
   * (UNVERIFIED).
   */
  getPlanEvaluationStatus(input: Input, region: string): unknown {
    const plan = this.plan(input.planArn, region);
    const evaluations = this.evaluationsOf(plan.arn);
    const interval = this.options.evaluationIntervalMinutes * 60_000;
    const first = evaluations.createdAt + this.options.firstEvaluationSeconds * 1000;
    const end = Math.min(this.timeline.now(), evaluations.stoppedAt ?? Number.POSITIVE_INFINITY);
    // The first evaluation after `t` (a change at the very time of an evaluation is seen by the next one).
    const evaluatedAt = (t: number) =>
      t < first ? first : first + (Math.floor((t - first) / interval) + 1) * interval;
    const max = Number(input.maxResults ?? this.pageSize);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    if (end < first) {
      return {
        planArn: plan.arn,
        region,
        evaluationState: evaluations.state ?? 'pendingEvaluation',
        warnings: [],
      };
    }
    const last = first + Math.floor((end - first) / interval) * interval;
    const seen = evaluations.warnings.filter((w) => evaluatedAt(w.since) <= last);
    const listed = seen.map((w) => {
      const resolved = w.resolvedAt !== undefined && evaluatedAt(w.resolvedAt) <= last;
      return {
        ...(w.warning.workflow ? { workflow: { ...w.warning.workflow } } : {}),
        version: '1',
        ...(w.warning.stepName ? { stepName: w.warning.stepName } : {}),
        ...(w.warning.resourceArn ? { resourceArn: w.warning.resourceArn } : {}),
        warningStatus: resolved ? 'resolved' : 'active',
        warningUpdatedTime: new Date(evaluatedAt(resolved ? w.resolvedAt! : w.since)),
        warningMessage: w.warning.message,
      };
    });
    const active = listed.some((w) => w.warningStatus === 'active');
    return {
      planArn: plan.arn,
      lastEvaluationTime: new Date(last),
      lastEvaluatedVersion: '1',
      region,
      evaluationState: evaluations.state ?? (active ? 'actionRequired' : 'passed'),
      warnings: listed.slice(start, start + max),
      ...(start + max < listed.length ? { nextToken: String(start + max) } : {}),
    };
  }

  /** The step named `stepName` fails with `error` the next time it runs (in `mode` only, when given). */
  failStep(stepName: string, error: string, mode?: 'graceful' | 'ungraceful'): void {
    this.failures.set(stepName, { error, ...(mode ? { mode } : {}) });
  }

  /**
   * StartPlanExecution, received by the data plane of `region`. An execution that has not ended refuses a new one
   * with IllegalStateException (a documented error of the operation; that this is what triggers it is UNVERIFIED).
   * `clientToken`: "If this token matches a previous request, the service ignores the request and returns the result
   * of the original successful request" (API_StartPlanExecution).
   */
  startPlanExecution(input: Input, region: string): unknown {
    const plan = this.plan(input.planArn, region);
    const targetRegion = String(input.targetRegion ?? '');
    const action = String(input.action ?? '');
    const mode = String(input.mode ?? 'graceful');
    if (action !== 'activate' && action !== 'deactivate') {
      // postRecovery is a valid value of the API; the model has no post-recovery workflows.
      throw illegalArgument(`action ${action} is not supported by this plan`);
    }
    if (mode !== 'graceful' && mode !== 'ungraceful') throw illegalArgument(`mode ${mode} is not valid`);
    if (!plan.regions.includes(targetRegion)) {
      throw illegalArgument(`targetRegion ${targetRegion} is not a Region of plan ${plan.arn}`);
    }
    const comment = input.comment === undefined ? undefined : String(input.comment);
    if (comment !== undefined && comment.length > 1024) throw illegalArgument('comment is longer than 1024');
    const clientToken = input.clientToken === undefined ? undefined : String(input.clientToken);
    if (clientToken) {
      const same = [...this.executions.values()].find((e) => e.planArn === plan.arn && e.clientToken === clientToken);
      if (same) return this.startAnswer(same, plan);
    }
    const active = [...this.executions.values()].find((e) => e.planArn === plan.arn && !ENDED.has(e.state));
    if (active) {
      throw illegalState(`Plan ${plan.arn} already has an active execution ${active.executionId} (${active.state})`);
    }
    const workflow = plan.workflows.find(
      (w) => w.action === action && (w.targetRegion === undefined || w.targetRegion === targetRegion),
    );
    // No workflow for the move: refused as an invalid argument (UNVERIFIED which error AWS answers).
    if (!workflow) throw illegalArgument(`plan ${plan.arn} has no ${action} workflow for ${targetRegion}`);
    const now = this.timeline.date();
    const execution: ModelPlanExecution = {
      executionId: `exec-${String(++this.count).padStart(6, '0')}`,
      planArn: plan.arn,
      targetRegion,
      action,
      mode,
      ...(comment !== undefined ? { comment } : {}),
      ...(clientToken ? { clientToken } : {}),
      startedIn: region,
      startTime: now,
      state: 'pending',
      updatedAt: now,
      steps: workflow.steps.map((s) => ({ name: s.name, status: 'notStarted', stepMode: mode })),
      events: [],
    };
    this.executions.set(execution.executionId, execution);
    this.event(execution, 'executionPending');
    this.timeline.after(this.options.pendingSeconds, () => {
      if (execution.state !== 'pending') return;
      execution.state = 'inProgress';
      this.event(execution, 'executionStarted');
      this.runStep(execution, workflow, 0);
    });
    return this.startAnswer(execution, plan);
  }

  /** GetPlanExecution: one page of `stepStates` (`maxResults`, `nextToken`). */
  getPlanExecution(input: Input, region: string): unknown {
    const execution = this.execution(input, region);
    const max = Number(input.maxResults ?? this.pageSize);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const steps = execution.steps.slice(start, start + max);
    return {
      planArn: execution.planArn,
      executionId: execution.executionId,
      ...(execution.comment !== undefined ? { comment: execution.comment } : {}),
      startTime: execution.startTime,
      ...(execution.endTime ? { endTime: execution.endTime } : {}),
      updatedAt: execution.updatedAt,
      mode: execution.mode,
      executionState: execution.state,
      executionAction: execution.action,
      executionRegion: execution.targetRegion,
      stepStates: steps.map((s) => ({
        name: s.name,
        status: s.status,
        stepMode: s.stepMode,
        ...(s.startTime ? { startTime: s.startTime } : {}),
        ...(s.endTime ? { endTime: s.endTime } : {}),
      })),
      ...(start + max < execution.steps.length ? { nextToken: String(start + max) } : {}),
    };
  }

  /**
   * ListPlanExecutions: "information about both current and historical executions", filtered by `state` when given,
   * newest first (the order is UNVERIFIED), one page of `maxResults`.
   */
  listPlanExecutions(input: Input, region: string): unknown {
    const plan = this.plan(input.planArn, region);
    const all = [...this.executions.values()]
      .filter((e) => e.planArn === plan.arn && this.visibleIn(e, region))
      .filter((e) => input.state === undefined || e.state === input.state)
      .sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || b.executionId.localeCompare(a.executionId));
    const max = Number(input.maxResults ?? this.pageSize);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    return {
      items: all.slice(start, start + max).map((e) => ({
        planArn: e.planArn,
        executionId: e.executionId,
        ...(e.comment !== undefined ? { comment: e.comment } : {}),
        startTime: e.startTime,
        ...(e.endTime ? { endTime: e.endTime } : {}),
        updatedAt: e.updatedAt,
        mode: e.mode,
        executionState: e.state,
        executionAction: e.action,
        // "The Amazon Web Services Region for a plan execution": the model puts the target Region here (UNVERIFIED).
        executionRegion: e.targetRegion,
      })),
      ...(start + max < all.length ? { nextToken: String(start + max) } : {}),
    };
  }

  /** ListPlanExecutionEvents: "a detailed timeline of the execution process"; a failed step's `error` is here. */
  listPlanExecutionEvents(input: Input, region: string): unknown {
    const execution = this.execution(input, region);
    const max = Number(input.maxResults ?? this.pageSize);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const events = execution.events.filter((e) => input.name === undefined || e.stepName === input.name);
    return {
      items: events.slice(start, start + max).map((e) => ({ ...e })),
      ...(start + max < events.length ? { nextToken: String(start + max) } : {}),
    };
  }

  /**
   * CancelPlanExecution: "Cancels an in-progress plan execution. This operation stops the execution of the plan and
   * prevents any further steps from being processed." A running step is marked `canceled`, steps not started stay
   * `notStarted` (UNVERIFIED). Cancelling an execution that has ended changes nothing (UNVERIFIED: the operation
   * documents no IllegalStateException).
   */
  cancelPlanExecution(input: Input, region: string): unknown {
    const execution = this.execution(input, region);
    if (ENDED.has(execution.state)) return {};
    const now = this.timeline.date();
    for (const step of execution.steps) {
      if (step.status === 'running' || step.status === 'pendingApproval') {
        step.status = 'canceled';
        step.endTime = now;
      }
    }
    execution.state = 'canceled';
    execution.endTime = now;
    execution.updatedAt = now;
    this.event(execution, 'executionCanceled', { description: String(input.comment ?? '') });
    return {};
  }

  private runStep(execution: ModelPlanExecution, workflow: ModelRegionSwitchWorkflow, index: number): void {
    if (execution.state !== 'inProgress') return;
    const definition = workflow.steps[index];
    const now = this.timeline.date();
    if (!definition) {
      execution.state = 'completed';
      execution.endTime = now;
      execution.updatedAt = now;
      this.event(execution, 'executionSucceeded');
      return;
    }
    const step = execution.steps[index]!;
    if (execution.mode === 'ungraceful' && definition.ungraceful === 'skip') {
      step.status = 'skipped';
      execution.updatedAt = now;
      this.event(execution, 'stepSkipped', { stepName: step.name });
      this.runStep(execution, workflow, index + 1);
      return;
    }
    step.status = 'running';
    step.startTime = now;
    execution.updatedAt = now;
    this.event(execution, 'stepStarted', { stepName: step.name });
    // A failure injected for this step fails it before its effect (the block did nothing).
    const injected = this.failures.get(step.name);
    const failsNow = injected && (injected.mode === undefined || injected.mode === execution.mode);
    const effect = failsNow ? undefined : definition.effect?.(execution);
    const finish = () => {
      if (execution.state !== 'inProgress' || step.status !== 'running') return;
      if (!effect?.error && effect?.done && !effect.done()) {
        this.timeline.after(this.effectPollSeconds, finish);
        return;
      }
      const at = this.timeline.date();
      step.endTime = at;
      execution.updatedAt = at;
      const failure = effect?.error ? { error: effect.error } : failsNow ? injected : undefined;
      if (failure) {
        if (failsNow) this.failures.delete(step.name);
        step.status = 'failed';
        this.event(execution, 'stepFailed', { stepName: step.name, error: failure.error });
        execution.state = this.options.failedStepLeaves;
        if (execution.state === 'failed') {
          execution.endTime = at;
          this.event(execution, 'executionFailed');
        } else this.event(execution, 'stepPausedByError', { stepName: step.name });
        return;
      }
      step.status = 'completed';
      this.event(execution, 'stepSucceeded', { stepName: step.name });
      this.runStep(execution, workflow, index + 1);
    };
    this.timeline.after(definition.seconds, finish);
  }

  private event(
    execution: ModelPlanExecution,
    type: string,
    extra: { stepName?: string; error?: string; description?: string } = {},
  ): void {
    const previous = execution.events.at(-1);
    execution.events.push({
      eventId: `${execution.executionId}-event-${execution.events.length + 1}`,
      ...(previous ? { previousEventId: previous.eventId } : {}),
      timestamp: this.timeline.date(),
      type,
      ...extra,
    });
  }

  private startAnswer(execution: ModelPlanExecution, plan: ModelRegionSwitchPlan) {
    const other = plan.regions.find((r) => r !== execution.targetRegion);
    const activate = execution.action === 'activate' ? execution.targetRegion : other;
    const deactivate = execution.action === 'activate' ? other : execution.targetRegion;
    return {
      executionId: execution.executionId,
      plan: plan.arn,
      planVersion: '1',
      ...(activate ? { activateRegion: activate } : {}),
      ...(deactivate ? { deactivateRegion: deactivate } : {}),
    };
  }

  private evaluationsOf(planArn: string): PlanEvaluations {
    const found = this.evaluations.get(planArn);
    if (!found) throw new Error(`Region switch model: no plan ${planArn} (addPlan first)`);
    return found;
  }

  private plan(arn: unknown, region: string): ModelRegionSwitchPlan {
    const plan = this.plans.get(String(arn ?? ''));
    const served = plan && (this.options.dataPlaneRegions === 'any' || plan.regions.includes(region));
    if (!plan || !served) throw notFound(`Plan ${String(arn)} not found in ${region}`);
    return plan;
  }

  private execution(input: Input, region: string): ModelPlanExecution {
    const plan = this.plan(input.planArn, region);
    const execution = this.executions.get(String(input.executionId ?? ''));
    if (!execution || execution.planArn !== plan.arn || !this.visibleIn(execution, region)) {
      throw notFound(`Execution ${String(input.executionId)} of plan ${plan.arn} not found in ${region}`);
    }
    return execution;
  }

  private visibleIn(execution: ModelPlanExecution, region: string): boolean {
    return this.options.executionsVisibleInEveryRegion || execution.startedIn === region;
  }
}
