/** Why a move runs the plan: a planned move (switchover, failback) `graceful`, an unplanned failover `ungraceful`. */
export type RegionSwitchMoveKind = 'planned' | 'unplanned';

/** One step of a Region switch plan execution, as the runbooks report it. */
export interface RegionSwitchStepSummary {
  readonly name: string;
  /** StepState status: `notStarted`, `running`, `completed`, `failed`, `canceled`, `skipped`, `pendingApproval`. */
  readonly status: string;
  readonly mode?: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  /** The `error` of the step's `stepFailed` event (ListPlanExecutionEvents), when the step failed. */
  readonly error?: string;
}

/** An execution of the plan, as the runbooks report it. */
export interface RegionSwitchExecutionSummary {
  readonly planArn: string;
  readonly executionId: string;
  readonly action: string;
  readonly targetRegion: string;
  readonly mode: string;
  /** ExecutionState, e.g. `inProgress`, `completed`, `pausedByFailedStep`. */
  readonly state: string;
  /** The Region whose Region switch data plane was called. */
  readonly apiRegion: string;
  /** True when an execution already running for the same target and action was followed instead of a new one. */
  readonly adopted: boolean;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly steps: readonly RegionSwitchStepSummary[];
}

/** What {@link RegionSwitchPort.activate} is asked. */
export interface RegionSwitchActivateRequest {
  /** The Region the plan activates (traffic, writers and capacity move there). */
  readonly targetRegion: string;
  readonly kind: RegionSwitchMoveKind;
  /** Sent as the execution's `comment`. */
  readonly comment?: string;
  /**
   * Sent as `clientToken` (the runbook's execution id and step): a retried or resumed start returns the execution the
   * first start began, never a second one.
   */
  readonly clientToken?: string;
  /** Longest wait for the execution to end, in seconds. */
  readonly timeoutSeconds: number;
  /** The wait also ends here when earlier (a step's deadline, e.g. the end of a Lambda invocation). */
  readonly deadline?: Date;
  /** Told each time what the execution shows changes. */
  readonly progress?: (line: string) => void;
}

/**
 * The plan's evaluation as Region switch reports it (`GetPlanEvaluationStatus`): Region switch evaluates a plan
 * every 30 minutes and reports warnings (a missing resource, a permission the execution role lacks, a capacity
 * shortfall) per workflow and step.
 */
export interface RegionSwitchPlanEvaluation {
  /** `passed`, `actionRequired`, `pendingEvaluation` or `unknown` (API_GetPlanEvaluationStatus). */
  readonly state: string;
  readonly lastEvaluatedAt?: Date;
  /** Each warning, as one line naming its workflow, step and resource. */
  readonly warnings: readonly string[];
}

/** What readiness reads of the plan (read-only, data plane of the Region asked). */
export interface RegionSwitchPlanStatus {
  readonly planArn: string;
  /** The Region whose data plane answered. */
  readonly apiRegion: string;
  /** Undefined when the evaluation could not be read (then `error` says why). */
  readonly evaluation?: RegionSwitchPlanEvaluation;
  /** Executions that have not ended (any action), newest first. */
  readonly running: readonly RegionSwitchExecutionSummary[];
  /** The newest execution that ended, when there is one. */
  readonly lastEnded?: RegionSwitchExecutionSummary;
  /** Why something could not be read. */
  readonly error?: string;
}

/**
 * Runs the ARC Region switch plan (routing mode `region-switch`): the plan scales the target Region's services, moves
 * every Aurora global database (switchover when graceful, failover with data loss when ungraceful) and DNS. Only the
 * Region switch data plane of a plan Region is called, never its control plane (us-east-1). A drill implements it
 * over its local stand-ins.
 */
export interface RegionSwitchPort {
  /**
   * Starts an `activate` execution of the plan for the target Region (`graceful` for a planned move, `ungraceful`
   * for an unplanned one), or follows the one already running for the same move, until it ends. Resolves with the
   * execution when it completed; rejects naming the failed step otherwise (a timeout is retriable: a new call follows
   * the same execution).
   */
  activate(request: RegionSwitchActivateRequest): Promise<RegionSwitchExecutionSummary>;
  /** The plan's evaluation and executions, asked in `region` (read-only): the readiness check of this mode. */
  describePlan(region: string): Promise<RegionSwitchPlanStatus>;
}
