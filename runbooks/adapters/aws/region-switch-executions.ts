import type { RetryPolicy } from 'cockatiel';
import { NonRetriableError, WaitTimeoutError } from '../../core/errors';
import type {
  ClockPort,
  RegionSwitchActivateRequest,
  RegionSwitchExecutionSummary,
  RegionSwitchStepSummary,
} from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';

export type { RegionSwitchExecutionSummary, RegionSwitchMoveKind, RegionSwitchStepSummary } from '../../ports';

/**
 * The ARC Region switch data-plane operations the runbooks call, with the request and answer shapes of the
 * `@aws-sdk/client-arc-region-switch` commands of the same names (field names as in the SDK's `models_0.ts`).
 *
 * The SDK client package could not be installed here (the npm registry reachable from this workplace answers 404 for
 * `@aws-sdk/client-arc-region-switch`), so the adapter takes this narrow interface instead of the client. With the
 * client installed, each method is one line: `(input) => client.send(new StartPlanExecutionCommand(input))`, etc.
 */
export interface RegionSwitchApi {
  startPlanExecution(input: StartPlanExecutionInput): Promise<StartPlanExecutionOutput>;
  getPlanExecution(input: GetPlanExecutionInput): Promise<GetPlanExecutionOutput>;
  listPlanExecutions(input: ListPlanExecutionsInput): Promise<ListPlanExecutionsOutput>;
  listPlanExecutionEvents(input: ListPlanExecutionEventsInput): Promise<ListPlanExecutionEventsOutput>;
  cancelPlanExecution(input: CancelPlanExecutionInput): Promise<object>;
  getPlanEvaluationStatus(input: GetPlanEvaluationStatusInput): Promise<GetPlanEvaluationStatusOutput>;
}

/** `action`: "Valid Values: activate | deactivate | postRecovery" (API_StartPlanExecution). */
export type RegionSwitchAction = 'activate' | 'deactivate' | 'postRecovery';
/** `mode`: "Valid Values: graceful | ungraceful" (API_StartPlanExecution). */
export type RegionSwitchMode = 'graceful' | 'ungraceful';

/** StartPlanExecutionRequest. */
export interface StartPlanExecutionInput {
  readonly planArn: string;
  readonly targetRegion: string;
  readonly action: RegionSwitchAction;
  readonly mode?: RegionSwitchMode;
  readonly comment?: string;
  readonly clientToken?: string;
}
/** StartPlanExecutionResponse. */
export interface StartPlanExecutionOutput {
  readonly executionId?: string;
  readonly plan?: string;
  readonly planVersion?: string;
  readonly activateRegion?: string;
  readonly deactivateRegion?: string;
}
/** GetPlanExecutionRequest (paginated over `stepStates`). */
export interface GetPlanExecutionInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
/** StepState: "Valid Values: notStarted | running | failed | completed | canceled | skipped | pendingApproval". */
export interface StepStateShape {
  readonly name?: string;
  readonly status?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly stepMode?: string;
}
/** GetPlanExecutionResponse (the members the runbooks read). */
export interface GetPlanExecutionOutput {
  readonly planArn?: string;
  readonly executionId?: string;
  readonly comment?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly mode?: string;
  readonly executionState?: string;
  readonly executionAction?: string;
  readonly executionRegion?: string;
  readonly stepStates?: readonly StepStateShape[];
  readonly nextToken?: string;
}
/** ListPlanExecutionsRequest. */
export interface ListPlanExecutionsInput {
  readonly planArn: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
  readonly state?: string;
}
/** AbbreviatedExecution. */
export interface AbbreviatedExecutionShape {
  readonly planArn?: string;
  readonly executionId?: string;
  readonly comment?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly mode?: string;
  readonly executionState?: string;
  readonly executionAction?: string;
  readonly executionRegion?: string;
}
/** ListPlanExecutionsResponse. */
export interface ListPlanExecutionsOutput {
  readonly items?: readonly AbbreviatedExecutionShape[];
  readonly nextToken?: string;
}
/** ListPlanExecutionEventsRequest. */
export interface ListPlanExecutionEventsInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
  readonly name?: string;
}
/** ExecutionEvent (the members the runbooks read). */
export interface ExecutionEventShape {
  readonly timestamp?: Date;
  readonly type?: string;
  readonly stepName?: string;
  readonly error?: string;
  readonly description?: string;
  readonly eventId?: string;
}
/** ListPlanExecutionEventsResponse. */
export interface ListPlanExecutionEventsOutput {
  readonly items?: readonly ExecutionEventShape[];
  readonly nextToken?: string;
}
/** CancelPlanExecutionRequest. */
export interface CancelPlanExecutionInput {
  readonly planArn: string;
  readonly executionId: string;
  readonly comment?: string;
}
/** GetPlanEvaluationStatusRequest (paginated over `warnings`; `maxResults` 1 to 100). */
export interface GetPlanEvaluationStatusInput {
  readonly planArn: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
/** ResourceWarning: "Represents a warning about a resource in a Region switch plan." */
export interface ResourceWarningShape {
  /** MinimalWorkflow. */
  readonly workflow?: { readonly action?: string; readonly name?: string };
  readonly version?: string;
  readonly stepName?: string;
  readonly resourceArn?: string;
  /** "Valid Values: active | resolved". */
  readonly warningStatus?: string;
  readonly warningUpdatedTime?: Date;
  /** "The warning message about what needs to be corrected." */
  readonly warningMessage?: string;
}
/** GetPlanEvaluationStatusResponse. */
export interface GetPlanEvaluationStatusOutput {
  readonly planArn?: string;
  /** "The time of the last time that Region switch ran an evaluation of the plan." */
  readonly lastEvaluationTime?: Date;
  readonly lastEvaluatedVersion?: string;
  readonly region?: string;
  /** "Valid Values: passed | actionRequired | pendingEvaluation | unknown". */
  readonly evaluationState?: string;
  readonly warnings?: readonly ResourceWarningShape[];
  readonly nextToken?: string;
}

/**
 * IAM actions each method of {@link RegionSwitchExecutions} needs, on the plan's ARN. The first four and
 * `CancelPlanExecution` are those of the User Guide's "Region switch plan execution block sample policy"
 * (`arc-region-switch:StartPlanExecution`, `GetPlanExecution`, `CancelPlanExecution`, `ListPlanExecutions`);
 * `arc-region-switch:ListPlanExecutionEvents` follows the operation's name and is UNVERIFIED (not in that policy).
 * `REQUIRED_ACTIONS` grants them through the port's methods (`REGION_SWITCH_ACTIONS`, required-actions.ts).
 */
export const REGION_SWITCH_EXECUTION_ACTIONS = {
  start: ['arc-region-switch:ListPlanExecutions', 'arc-region-switch:StartPlanExecution'],
  follow: ['arc-region-switch:GetPlanExecution', 'arc-region-switch:ListPlanExecutionEvents'],
  cancel: ['arc-region-switch:CancelPlanExecution'],
} as const;

/**
 * Execution states after which nothing more happens: the SDK's `PlanExecutionCompleted` waiter (generated from the
 * service model) succeeds on `completed` and `completedWithExceptions` and fails on `failed`, `canceled` and
 * `planExecutionTimedOut`.
 */
const SUCCEEDED = new Set(['completed', 'completedWithExceptions']);
const FAILED = new Set(['failed', 'canceled', 'planExecutionTimedOut']);
/**
 * `pausedByFailedStep`: the execution waits for an operator (UpdatePlanExecutionStep `skip` / `switchToUngraceful`,
 * UpdatePlanExecution, CancelPlanExecution). It is not an end for AWS, but following it longer cannot help.
 */
const NEEDS_OPERATOR = new Set(['pausedByFailedStep']);

/** The execution did not succeed: {@link summary} says how far it got; the message names the failed step. */
export class RegionSwitchExecutionError extends NonRetriableError {
  constructor(
    message: string,
    readonly summary: RegionSwitchExecutionSummary,
  ) {
    super(message);
    this.name = 'RegionSwitchExecutionError';
  }
}

/** Options of {@link RegionSwitchExecutions}. */
export interface RegionSwitchExecutionsOptions {
  /** `arn:aws:arc-region-switch::<account>:plan/<name>:<suffix>` (API_StartPlanExecution `planArn` pattern). */
  readonly planArn: string;
  /** The plan's Regions (its `regions`); every target must be one of them. */
  readonly planRegions: readonly string[];
  readonly clock: ClockPort;
  /** The Region switch data-plane API of a Region (see {@link RegionSwitchApi}). */
  readonly apiFor: (region: string) => RegionSwitchApi;
  /** @default 15 (the SDK's PlanExecutionCompleted waiter polls every 30 to 120 s) */
  readonly pollIntervalSeconds?: number;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

/**
 * What {@link RegionSwitchExecutions.run} is asked: the port's request (`comment` up to 1024 characters and
 * `clientToken`, "If this token matches a previous request, the service ignores the request and returns the result of
 * the original successful request", API_StartPlanExecution) and the action.
 */
export interface RegionSwitchRunRequest extends RegionSwitchActivateRequest {
  readonly action: 'activate' | 'deactivate';
}

/** What {@link RegionSwitchExecutions.start} did. */
export interface RegionSwitchStart {
  readonly executionId: string;
  readonly apiRegion: string;
  readonly adopted: boolean;
}

const ACTIVE_STATES_NOTE =
  'an execution that has not ended (not completed, completedWithExceptions, failed, canceled or planExecutionTimedOut)';

/** Whether an execution state is an end (success or failure) for the SDK waiter. */
export function isEndedExecutionState(state: string): boolean {
  return SUCCEEDED.has(state) || FAILED.has(state);
}

/**
 * Starts, follows and reports ARC Region switch plan executions, through the Region switch **data plane** only.
 *
 * AWS (User Guide, "Data and control planes for Region switch"): "The control plane for Region switch is located in
 * US East (N. Virginia) Region (us-east-1) and is meant to only be used for service management, that is, creating and
 * updating plans, not for recovery, that is, executing plans", and "Region switch has independent data planes in each
 * AWS Region. You should use the data plane for recovery actions, that is, for executing Region switch plans. […] you
 * can use the console in the Region that you're activating to execute plans for application recovery." Every call
 * therefore goes to the Region being activated (for `deactivate`, to the plan's other Region, never the one being
 * deactivated); the SDK's endpoint rules send these operations to `arc-region-switch.<Region>.api.aws`
 * (only the control-plane operations carry `UseControlPlaneEndpoint`).
 *
 * Mode: `graceful` for a planned move, `ungraceful` for an unplanned failover ("Specifing `ungraceful` mode either
 * changes the behavior of the execution blocks in a workflow or skips specific execution blocks", API_StartPlanExecution).
 *
 * Idempotent start: an execution of the plan that has not ended, for the same target Region and action, is followed
 * instead of starting another; one for a different target or action is refused with an error naming it.
 */
export class RegionSwitchExecutions {
  static readonly requiredActions = REGION_SWITCH_EXECUTION_ACTIONS;

  private readonly policy: RetryPolicy;
  private readonly pollMs: number;

  constructor(private readonly options: RegionSwitchExecutionsOptions) {
    if (options.planRegions.length < 2) {
      throw new NonRetriableError(
        `planRegions: ${JSON.stringify(options.planRegions)} is not a Region switch plan's Regions; accepted: at least two Regions`,
      );
    }
    const every = options.pollIntervalSeconds ?? 15;
    if (!(every > 0)) {
      throw new NonRetriableError(`pollIntervalSeconds: ${every} is not accepted; accepted: a number of seconds > 0`);
    }
    this.pollMs = every * 1000;
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  /** The Region whose data plane is called for a move to (`activate`) or away from (`deactivate`) `targetRegion`. */
  apiRegion(targetRegion: string, action: 'activate' | 'deactivate'): string {
    this.checkTarget(targetRegion);
    if (action === 'activate') return targetRegion;
    return this.options.planRegions.find((r) => r !== targetRegion)!;
  }

  /** Starts the execution (or adopts the one already running for the same move), follows it to its end, reports it. */
  async run(request: RegionSwitchRunRequest): Promise<RegionSwitchExecutionSummary> {
    const started = await this.start(request);
    return this.follow(started, request);
  }

  /** Starts an execution in the mode the move needs, unless one for the same target and action is running. */
  async start(request: RegionSwitchRunRequest): Promise<RegionSwitchStart> {
    const apiRegion = this.apiRegion(request.targetRegion, request.action);
    const running = await this.runningExecution(apiRegion);
    if (running) return this.adoptOrRefuse(running, request, apiRegion);
    const mode: RegionSwitchMode = request.kind === 'planned' ? 'graceful' : 'ungraceful';
    const what = `StartPlanExecution ${request.action} ${request.targetRegion} (${mode}) in ${apiRegion}`;
    try {
      const answer = await awsCall(this.policy, what, () =>
        this.api(apiRegion).startPlanExecution({
          planArn: this.options.planArn,
          targetRegion: request.targetRegion,
          action: request.action,
          mode,
          ...(request.comment ? { comment: request.comment.slice(0, 1024) } : {}),
          ...(request.clientToken ? { clientToken: request.clientToken } : {}),
        }),
      );
      if (!answer.executionId) throw new NonRetriableError(`${what}: Region switch answered without an executionId`);
      return { executionId: answer.executionId, apiRegion, adopted: false };
    } catch (error) {
      // Another start won the race between our list and our start: look again, so the same move is followed.
      if (!hasName((error as { cause?: unknown }).cause, 'IllegalStateException')) throw error;
      const now = await this.runningExecution(apiRegion);
      if (!now) throw error;
      return this.adoptOrRefuse(now, request, apiRegion);
    }
  }

  /**
   * Polls GetPlanExecution (through the clock port) until the execution ends, then reports it. Succeeds on
   * `completed` and `completedWithExceptions`; throws a {@link RegionSwitchExecutionError} naming the failed step on
   * `failed`, `canceled`, `planExecutionTimedOut` and `pausedByFailedStep`; a {@link WaitTimeoutError} (retriable: the
   * execution may still finish) at the timeout.
   */
  async follow(
    started: RegionSwitchStart,
    request: Pick<RegionSwitchRunRequest, 'targetRegion' | 'action' | 'timeoutSeconds' | 'deadline' | 'progress'>,
  ): Promise<RegionSwitchExecutionSummary> {
    const clock = this.options.clock;
    const start = clock.now().getTime();
    let deadline = start + request.timeoutSeconds * 1000;
    const limitedByInvocation = request.deadline !== undefined && request.deadline.getTime() < deadline;
    if (limitedByInvocation) deadline = request.deadline!.getTime();
    let last = '';
    for (;;) {
      const summary = await this.describe(started, request.targetRegion);
      const seen = `${summary.state}; ${summary.steps.map((s) => `${s.name} ${s.status}`).join(', ')}`;
      if (seen !== last) request.progress?.(`Region switch execution ${started.executionId}: ${seen}`);
      last = seen;
      if (SUCCEEDED.has(summary.state)) return summary;
      if (FAILED.has(summary.state) || NEEDS_OPERATOR.has(summary.state)) {
        const failed = await this.withErrors(summary);
        throw new RegionSwitchExecutionError(this.failureMessage(failed), failed);
      }
      const now = clock.now().getTime();
      if (now >= deadline) {
        throw new WaitTimeoutError(
          `Region switch execution ${started.executionId} (${request.action} ${request.targetRegion}) did not end ` +
            `${limitedByInvocation ? 'before the end of this invocation' : `within ${request.timeoutSeconds} s`} ` +
            `(waited ${Math.round((now - start) / 1000)} s); last seen: ${seen}. It may still finish: run again to keep ` +
            'following it (a new run adopts it), or look at it in the Region switch console of ' +
            `${started.apiRegion}.`,
        );
      }
      await clock.sleep(Math.min(this.pollMs, deadline - now));
    }
  }

  /** The execution as GetPlanExecution shows it now (every page of its steps). */
  async describe(started: RegionSwitchStart, targetRegion: string): Promise<RegionSwitchExecutionSummary> {
    const { executionId, apiRegion } = started;
    const what = `GetPlanExecution ${executionId} in ${apiRegion}`;
    const steps: RegionSwitchStepSummary[] = [];
    let first: GetPlanExecutionOutput | undefined;
    let nextToken: string | undefined;
    do {
      const page = await awsCall(this.policy, what, () =>
        this.api(apiRegion).getPlanExecution({
          planArn: this.options.planArn,
          executionId,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      first ??= page;
      for (const s of page.stepStates ?? []) {
        steps.push({
          name: s.name ?? '(unnamed step)',
          status: s.status ?? 'unknown',
          ...(s.stepMode ? { mode: s.stepMode } : {}),
          ...(s.startTime ? { startedAt: s.startTime } : {}),
          ...(s.endTime ? { endedAt: s.endTime } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (!first?.executionState)
      throw new NonRetriableError(`${what}: Region switch answered without an executionState`);
    return {
      planArn: this.options.planArn,
      executionId,
      action: first.executionAction ?? 'unknown',
      targetRegion,
      mode: first.mode ?? 'unknown',
      state: first.executionState,
      apiRegion,
      adopted: started.adopted,
      ...(first.startTime ? { startedAt: first.startTime } : {}),
      ...(first.endTime ? { endedAt: first.endTime } : {}),
      steps,
    };
  }

  private checkTarget(targetRegion: string): void {
    if (!this.options.planRegions.includes(targetRegion)) {
      throw new NonRetriableError(
        `targetRegion: ${targetRegion} is not a Region of plan ${this.options.planArn}; accepted: ${this.options.planRegions.join(', ')}`,
      );
    }
  }

  private api(region: string): RegionSwitchApi {
    return this.options.apiFor(region);
  }

  /** The plan's execution that has not ended, if any (every page of ListPlanExecutions). */
  private async runningExecution(apiRegion: string): Promise<AbbreviatedExecutionShape | undefined> {
    const what = `ListPlanExecutions ${this.options.planArn} in ${apiRegion}`;
    let nextToken: string | undefined;
    do {
      const page = await awsCall(this.policy, what, () =>
        this.api(apiRegion).listPlanExecutions({ planArn: this.options.planArn, ...(nextToken ? { nextToken } : {}) }),
      );
      const found = (page.items ?? []).find((e) => e.executionState && !isEndedExecutionState(e.executionState));
      if (found) return found;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  /**
   * The same move already running is followed. Which Region an AbbreviatedExecution's `executionRegion` ("The Amazon
   * Web Services Region for a plan execution") names is UNVERIFIED: read here as the execution's target Region.
   */
  private adoptOrRefuse(
    running: AbbreviatedExecutionShape,
    request: RegionSwitchRunRequest,
    apiRegion: string,
  ): RegionSwitchStart {
    const id = running.executionId ?? '(no id)';
    const wanted: RegionSwitchMode = request.kind === 'planned' ? 'graceful' : 'ungraceful';
    const sameMove = running.executionAction === request.action && running.executionRegion === request.targetRegion;
    if (sameMove && running.mode === wanted) return { executionId: id, apiRegion, adopted: true };
    if (sameMove) {
      // The same move in the other mode is not followed: a failover must not wait on a graceful execution (its
      // switchover waits for the writer's Region, the one that failed), and a planned move (no data loss) must not
      // pass off a failover with data loss as its own. UpdatePlanExecution "switchToUngraceful" changes a running
      // execution's mode (API_UpdatePlanExecution): on-call does it in the console, then runs again.
      throw new NonRetriableError(
        `plan ${this.options.planArn}: execution ${id} (${running.executionAction} ${running.executionRegion}, ` +
          `${running.mode ?? 'mode unknown'}, ${running.executionState}) is the same move but not ${wanted}; this ` +
          `${request.kind} move does not follow it. ${
            wanted === 'ungraceful'
              ? `Switch it to ungraceful (UpdatePlanExecution switchToUngraceful, in the Region switch console of ${apiRegion}) or cancel it, then run again.`
              : 'Let it end (it moves with data loss: run recover afterwards), then run again.'
          }`,
      );
    }
    throw new NonRetriableError(
      `plan ${this.options.planArn} already has ${ACTIVE_STATES_NOTE}: execution ${id} ` +
        `(${running.executionAction} ${running.executionRegion}, ${running.mode}, ${running.executionState}, started ` +
        `${running.startTime?.toISOString() ?? 'at an unknown time'}); refusing to start ${request.action} ` +
        `${request.targetRegion}. Let it end, or cancel it (CancelPlanExecution) in the Region switch console, then run again.`,
    );
  }

  /** Adds to each failed step the error of its `stepFailed` event (StepState has no error member). */
  private async withErrors(summary: RegionSwitchExecutionSummary): Promise<RegionSwitchExecutionSummary> {
    if (!summary.steps.some((s) => s.status === 'failed')) return summary;
    const what = `ListPlanExecutionEvents ${summary.executionId} in ${summary.apiRegion}`;
    const errors = new Map<string, string>();
    let nextToken: string | undefined;
    do {
      const page = await awsCall(this.policy, what, () =>
        this.api(summary.apiRegion).listPlanExecutionEvents({
          planArn: this.options.planArn,
          executionId: summary.executionId,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const e of page.items ?? []) {
        if (e.type === 'stepFailed' && e.stepName) errors.set(e.stepName, e.error ?? e.description ?? 'no error given');
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return {
      ...summary,
      steps: summary.steps.map((s) =>
        s.status === 'failed' && errors.has(s.name) ? { ...s, error: errors.get(s.name)! } : s,
      ),
    };
  }

  private failureMessage(summary: RegionSwitchExecutionSummary): string {
    const failed = summary.steps.filter((s) => s.status === 'failed');
    const steps = failed.length
      ? failed.map((s) => `step "${s.name}" failed: ${s.error ?? 'no error given'}`).join('; ')
      : 'no step failed';
    const next =
      summary.state === 'pausedByFailedStep'
        ? ' The execution is paused: retry or skip the step, switch it to ungraceful, or cancel it in the Region switch console.'
        : '';
    return (
      `Region switch execution ${summary.executionId} (${summary.action} ${summary.targetRegion}, ${summary.mode}) ` +
      `ended ${summary.state}: ${steps}.${next}`
    );
  }
}
