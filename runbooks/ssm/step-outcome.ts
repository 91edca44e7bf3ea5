/**
 * What the runbook Lambda returns for one invocation, and what the SSM document reads from it. The function never
 * throws for a step's outcome: SSM's documentation does not say what a thrown error does to an
 * `aws:invokeLambdaFunction` step, but it does document a do-while `aws:loop` on a Boolean the function returns
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-loop.html: an invoke step with
 * `outputs: [{Name: ShouldRetry, Selector: $.Retry, Type: Boolean}]` and
 * `LoopCondition: {Variable: "{{ invokeMyLambda.ShouldRetry }}", BooleanEquals: true}`).
 */

/** How a step ended in one invocation. */
export type StepStatus = 'succeeded' | 'pending' | 'failed';

/** The values of {@link StepStatus}. */
export const STEP_STATUS = { succeeded: 'succeeded', pending: 'pending', failed: 'failed' } as const;

/**
 * The object the runbook Lambda returns. Field names are PascalCase because the document selects them with
 * JSONPath (`$.Retry`, `$.Status`) on the returned object, the way the `aws:loop` example does.
 */
export interface StepOutcome {
  /** `succeeded` (or already done); `pending`: a wait still waiting; `failed`: the step failed. */
  readonly Status: StepStatus;
  /** Whether the loop should invoke the function again: a wait still waiting, or a retriable failure, while invocations remain. */
  readonly Retry: boolean;
  /** One or more sentences: what the step did, or why it failed. */
  readonly Detail: string;
  /** The folder of the execution's reports, from the `store-summary` step (the failover workflow links it). */
  readonly ReportUrl?: string;
  readonly Orchestration?: string;
  /** The orchestration step (kebab-case), or `plan` for a dry run. */
  readonly Step?: string;
  /** The journal's execution id (the SSM execution id, or the one resumed). */
  readonly ExecutionId?: string;
  /** Which invocation of the step this was (the loop's `CurrentIteration`), when the document passed it. */
  readonly Attempt?: number;
  /** The invocations the loop allows (its `MaxIterations`), when the document passed it. */
  readonly MaxAttempts?: number;
  /** Values the step produced (journal outputs). */
  readonly Outputs?: Readonly<Record<string, string | number | boolean>>;
}

/** The output names the document declares on every invoke step (`<invoke step>.Retry`, `<invoke step>.Status`). */
export const OUTCOME_OUTPUTS = { retry: 'Retry', status: 'Status' } as const;
