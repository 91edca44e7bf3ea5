import type { AnyOrchestration, InputFieldSpec, Step } from '../core/step';
import { regionsOf, type Topology } from '../topology';
import { OUTCOME_OUTPUTS, STEP_STATUS } from './step-outcome';

/**
 * Longest an `aws:invokeLambdaFunction` step may run.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-lamb.html: "Each
 * aws:invokeLambdaFunction action can run up to a maximum duration of 300 seconds (5 minutes)."
 */
export const SSM_LAMBDA_STEP_SECONDS = 300;

/** How long one Lambda invocation of a step may work before it hands back to SSM (whose loop invokes it again). */
export const LAMBDA_WORK_SECONDS = 270;

/**
 * Most iterations of an `aws:loop`.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-loop.html: "The maximum number of
 * iterations is 100." (MaxIterations: "Valid values: 1 - 100").
 */
export const MAX_LOOP_ITERATIONS = 100;

/** Invocations of an action (or check) step: a retriable failure is tried again twice. */
export const ACTION_INVOCATIONS = 3;

/**
 * `maxAttempts` of each invoke step: one more try when the invocation itself fails (Lambda throttled or
 * unavailable). The documentation shows 2 and 3 ("maxAttempts: 2" in the branching examples); the step outcome
 * itself never fails the invoke step (see step-outcome.ts).
 */
const INVOKE_MAX_ATTEMPTS = 2;

/**
 * How long the failing end step may take. The assertion is checked once ("The step fails if the instance state
 * isn't running", automation-aws-apis-calling.html); the bound only matters if it polled like
 * `aws:waitForAwsResourceProperty` (the older action page gave it a 3600 s default timeout).
 */
const FAILING_STEP_TIMEOUT_SECONDS = 60;

/** The Lambda functions and role an automation document refers to. */
export interface AutomationTargets {
  /** Function (name or ARN) that runs steps needing only AWS APIs. */
  readonly stepFunction: string;
  /** Function in the VPC that runs the steps needing the databases or the (possibly internal) health URLs. */
  readonly databaseFunction: string;
  /** Role SSM Automation assumes to invoke the functions. */
  readonly automationRoleArn: string;
}

/** The content of an SSM Automation document (schema 0.3). */
export interface AutomationDocument {
  readonly schemaVersion: '0.3';
  readonly description: string;
  readonly assumeRole: string;
  readonly parameters: Readonly<Record<string, AutomationParameter>>;
  readonly mainSteps: readonly AutomationStep[];
  /** Document outputs (`<step>.<output>`); the generated documents declare none. */
  readonly outputs?: readonly string[];
}

/** A document parameter. */
export interface AutomationParameter {
  readonly type: 'String';
  readonly description: string;
  readonly default?: string;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
}

/** A named value a step exposes (`<step>.<name>`), selected by JSONPath from the action's response. */
export interface AutomationOutput {
  readonly Name: string;
  readonly Selector: string;
  readonly Type: 'String' | 'Boolean' | 'Integer' | 'StringMap' | 'StringList' | 'MapList';
}

/** The actions the generated documents use. */
export type AutomationAction =
  | 'aws:invokeLambdaFunction'
  | 'aws:branch'
  | 'aws:loop'
  | 'aws:assertAwsResourceProperty'
  | 'aws:sleep';

/** A document step (the properties shared by all actions, then the action's inputs and outputs). */
export interface AutomationStep {
  readonly name: string;
  readonly action: AutomationAction;
  readonly description?: string;
  readonly onFailure?: 'Abort' | 'Continue' | `step:${string}`;
  readonly isCritical?: boolean;
  readonly isEnd?: boolean;
  readonly nextStep?: string;
  readonly maxAttempts?: number;
  readonly timeoutSeconds?: number;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs?: readonly AutomationOutput[];
}

/** `targetRegion` → `TargetRegion`: document parameters are PascalCase (the failover workflow's contract). */
export function parameterName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

/**
 * Whether a step runs in the VPC function: it reads database credentials and reconciles (the clusters are private),
 * or it probes the health URLs, which may be an internal load balancer's (review M9).
 */
export function runsInVpcFunction(step: Step<unknown>): boolean {
  return step.uses.some(
    (m) => m.startsWith('reconciler.') || m.startsWith('credentials.') || m === 'health.checkEndpoints',
  );
}

/** SSM step names allow letters, digits and underscores: `shift-traffic` → `shift_traffic`. */
export function ssmStepName(step: string): string {
  return step.replace(/-/g, '_');
}

/** The invoke step inside a step's loop: `shift-traffic` → `shift_traffic_invoke`. */
export function invokeStepName(step: string): string {
  return `${ssmStepName(step)}_invoke`;
}

/**
 * How many invocations a step may take (its loop's `MaxIterations`): waits (and actions that wait: those deleting
 * snapshots, and any action that declares its own `timeoutSeconds`, such as the Region switch plan's, which follows
 * the plan's execution) get enough for their whole timeout, other steps {@link ACTION_INVOCATIONS}.
 *
 * @throws Error when a wait needs more than {@link MAX_LOOP_ITERATIONS} invocations (synth fails).
 */
export function invocationsFor(step: Step<unknown>, waitTimeoutSeconds: number): number {
  const waits =
    step.kind === 'wait' ||
    step.timeoutSeconds !== undefined ||
    step.uses.some((m) => m.startsWith('snapshots.delete'));
  if (!waits) return ACTION_INVOCATIONS;
  const seconds = step.timeoutSeconds ?? waitTimeoutSeconds;
  const invocations = Math.max(ACTION_INVOCATIONS, Math.ceil(seconds / LAMBDA_WORK_SECONDS) + 1);
  if (invocations > MAX_LOOP_ITERATIONS) {
    throw new Error(
      `step ${step.name}: a wait of ${seconds} s needs ${invocations} invocations of ${LAMBDA_WORK_SECONDS} s; an aws:loop runs at most ${MAX_LOOP_ITERATIONS} iterations; accepted: a timeoutSeconds of at most ${(MAX_LOOP_ITERATIONS - 1) * LAMBDA_WORK_SECONDS} s`,
    );
  }
  return invocations;
}

function parameterFor(field: InputFieldSpec, topology: Topology): AutomationParameter {
  const description = `${field.description}${field.defaultText ? ` Default: ${field.defaultText}.` : ''}`;
  const optional = field.required ? {} : { default: '' };
  switch (field.type) {
    case 'region':
      return field.required
        ? { type: 'String', description, allowedValues: [...regionsOf(topology)] }
        : { type: 'String', description, ...optional, allowedPattern: `^(${regionsOf(topology).join('|')})?$` };
    case 'number':
      return { type: 'String', description, ...optional, allowedPattern: '^(\\d+(\\.\\d+)?)?$' };
    case 'timestamp':
      return {
        type: 'String',
        description,
        ...optional,
        allowedPattern: '^(\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(Z|[+-]\\d\\d:\\d\\d))?$',
      };
    case 'list':
      return { type: 'String', description, ...optional, allowedPattern: '^[a-z0-9,-]*$' };
  }
}

/** The outputs of an invoke step, selected from the function's returned object as in the `aws:loop` example. */
const RETRY_OUTPUT = { Name: OUTCOME_OUTPUTS.retry, Selector: `$.${OUTCOME_OUTPUTS.retry}`, Type: 'Boolean' } as const;
const STATUS_OUTPUT = {
  Name: OUTCOME_OUTPUTS.status,
  Selector: `$.${OUTCOME_OUTPUTS.status}`,
  Type: 'String',
} as const;

const statusOf = (invoke: string) => `{{ ${invoke}.${OUTCOME_OUTPUTS.status} }}`;

/**
 * The step that ends an execution as Failed. `aws:assertAwsResourceProperty` on STS `GetCallerIdentity` (which
 * needs no permission: "No permissions are required to perform this operation", STS API reference) with a desired
 * value an account id never has.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-aws-apis-calling.html: "Uses the
 * aws:assertAwsResourceProperty action ... to assert that the instance is in the running state. The step fails if
 * the instance state isn't running." With `isCritical` (default true) "If a step with this designation fails, then
 * Automation reports the final status of the Automation as Failed" (automation-actions.html).
 */
export function failingStep(name: string, step: string, invoke: string): AutomationStep {
  return {
    name,
    action: 'aws:assertAwsResourceProperty',
    description: `Ends the execution as Failed: step ${step} did not succeed (its Status and Detail are in the Payload output of ${invoke}).`,
    onFailure: 'Abort',
    isCritical: true,
    isEnd: true,
    timeoutSeconds: FAILING_STEP_TIMEOUT_SECONDS,
    inputs: {
      Service: 'sts',
      Api: 'GetCallerIdentity',
      PropertySelector: '$.Account',
      DesiredValues: [`${step} did not succeed`],
    },
  };
}

/**
 * A branch that ends the execution unless the step succeeded: a choice jumps to the failing step when the status is
 * anything but `succeeded`, and `isEnd` stops the execution otherwise. This is the shape of the documented example
 * `branchFromResults` (automation-actions.html: a `Not` choice and `isEnd: true`); automation-branchdocs.html: "If
 * none of the Choices are true and no Default value is specified, then the Automation workflow stops at the end of
 * the step" when `isEnd` is set.
 */
export function endBranch(name: string, invoke: string, failed: string): AutomationStep {
  return {
    name,
    action: 'aws:branch',
    isEnd: true,
    inputs: {
      Choices: [{ NextStep: failed, Not: { Variable: statusOf(invoke), StringEquals: STEP_STATUS.succeeded } }],
    },
  };
}

/**
 * The invoke step of a step's loop: the function, the payload, and the outputs selected from the object the
 * function returns (`$.Retry` Boolean, `$.Status` String, as in the aws:loop example).
 */
export function invokeStep(
  name: string,
  functionName: string,
  payload: Readonly<Record<string, unknown>>,
  outputs: readonly AutomationOutput[] = [RETRY_OUTPUT, STATUS_OUTPUT],
): AutomationStep {
  return {
    name,
    action: 'aws:invokeLambdaFunction',
    onFailure: 'Abort',
    maxAttempts: INVOKE_MAX_ATTEMPTS,
    timeoutSeconds: SSM_LAMBDA_STEP_SECONDS,
    inputs: { FunctionName: functionName, InputPayload: payload },
    outputs,
  };
}

/**
 * A do-while `aws:loop` around one invoke step, repeated while the function answers `Retry: true`, at most
 * `iterations` times (automation-action-loop.html: "If the condition is true and the MaxIterations value has not
 * been reached, the steps in the loop run again").
 */
export function invokeLoop(
  name: string,
  description: string,
  iterations: number,
  invoke: AutomationStep,
): AutomationStep {
  return {
    name,
    action: 'aws:loop',
    description,
    inputs: {
      MaxIterations: iterations,
      LoopCondition: { Variable: `{{ ${invoke.name}.${OUTCOME_OUTPUTS.retry} }}`, BooleanEquals: true },
      Steps: [invoke],
    },
  };
}

/** The branch after a loop: on to `next` when the step succeeded, else to the failing step (automation-action-branch.html). */
export function outcomeBranch(name: string, invoke: string, next: string, failed: string): AutomationStep {
  return {
    name,
    action: 'aws:branch',
    inputs: {
      Choices: [{ NextStep: next, Variable: statusOf(invoke), StringEquals: STEP_STATUS.succeeded }],
      Default: failed,
    },
  };
}

/**
 * Generates the SSM Automation document of an orchestration, from documented constructs only:
 *
 * - `chooseMode` branches on `DryRun`: `plan` runs the whole orchestration as a dry run in one invocation.
 * - Each orchestration step is an `aws:loop` (do-while) around one `aws:invokeLambdaFunction` step. The function
 *   never throws for a step's outcome: it returns `{Status, Retry, Detail}`; the loop invokes it again while
 *   `Retry` is true (a wait still waiting, a retriable failure), at most `MaxIterations` times.
 * - After each loop, an `aws:branch` on the invoke step's `Status` goes to the next step's loop when it is
 *   `succeeded`; otherwise (`failed`, or `pending` after the last iteration) to an assertion that cannot hold, which
 *   ends the execution as Failed at that step.
 *
 * Every invocation passes the orchestration, the step, the execution id, the iteration and the parameters; the
 * Lambda runs exactly that step through the engine (journal, check, run).
 */
export function automationDocument(
  orchestration: AnyOrchestration,
  topology: Topology,
  targets: AutomationTargets,
  waitTimeoutSeconds = 30 * 60,
): AutomationDocument {
  const steps = orchestration.steps(topology) as readonly Step<unknown>[];
  const inputs = Object.fromEntries(orchestration.inputs.map((f) => [f.name, `{{${parameterName(f.name)}}}`]));
  const common = {
    executionId: '{{automation:EXECUTION_ID}}',
    resumeExecutionId: '{{ResumeExecutionId}}',
  };
  const parameters: Record<string, AutomationParameter> = {
    AutomationAssumeRole: {
      type: 'String',
      description: 'Role SSM Automation assumes to invoke the runbook functions.',
      default: targets.automationRoleArn,
    },
    DryRun: {
      type: 'String',
      description: 'true: print the plan and the checks, change nothing. false: run.',
      allowedValues: ['true', 'false'],
      default: 'true',
    },
    Reason: {
      type: 'String',
      description: `Why this runs (kept in the journal and the summary).${orchestration.mutates ? ' Required unless DryRun is true.' : ''}`,
      default: '',
      allowedPattern: '^[^\\r\\n]{0,500}$',
    },
    ResumeExecutionId: {
      type: 'String',
      description:
        'Execution id of an earlier, unfinished run to resume (its journal). Default: this automation execution.',
      default: '',
      allowedPattern: '^[A-Za-z0-9-]{0,100}$',
    },
  };
  for (const field of orchestration.inputs) parameters[parameterName(field.name)] = parameterFor(field, topology);

  const loops = steps.map((step) => ssmStepName(step.name));
  const mainSteps: AutomationStep[] = [
    {
      name: 'chooseMode',
      action: 'aws:branch',
      inputs: { Choices: [{ NextStep: 'plan', Variable: '{{DryRun}}', StringEquals: 'true' }], Default: loops[0] },
    },
    {
      ...invokeStep(
        'plan',
        targets.stepFunction,
        { orchestration: orchestration.name, ...common, dryRun: 'true', reason: '{{Reason}}', ...inputs },
        [STATUS_OUTPUT],
      ),
      description: 'Dry run: print the plan and the checks; change nothing.',
    },
    endBranch('plan_outcome', 'plan', 'plan_failed'),
    failingStep('plan_failed', 'plan', 'plan'),
  ];
  steps.forEach((step, index) => {
    const loop = loops[index]!;
    const invoke = invokeStepName(step.name);
    const failed = `${loop}_failed`;
    const iterations = invocationsFor(step, waitTimeoutSeconds);
    mainSteps.push(
      invokeLoop(
        loop,
        `[${step.kind}] ${step.title}`,
        iterations,
        invokeStep(invoke, runsInVpcFunction(step) ? targets.databaseFunction : targets.stepFunction, {
          orchestration: orchestration.name,
          step: step.name,
          ...common,
          dryRun: 'false',
          reason: '{{Reason}}',
          // "You can also access an integer value of the current iteration for both loop types using the syntax
          // {{loopStepName.CurrentIteration}}" (automation-action-loop.html).
          attempt: `{{ ${loop}.CurrentIteration }}`,
          maxAttempts: String(iterations),
          ...inputs,
        }),
      ),
      index === steps.length - 1
        ? endBranch(`${loop}_outcome`, invoke, failed)
        : outcomeBranch(`${loop}_outcome`, invoke, loops[index + 1]!, failed),
      failingStep(failed, step.name, invoke),
    );
  });
  const description = [
    `# ${orchestration.name}`,
    orchestration.title,
    '',
    'Generated from runbooks/orchestrations; do not edit. Every step checks the state before acting, so running again',
    'after a failure resumes without repeating an action. DryRun=true (the default) only prints the plan.',
    '',
    ...steps.map((s, i) => `${i + 1}. **${s.name}** [${s.kind}]: ${s.title}`),
  ].join('\n');
  return { schemaVersion: '0.3', description, assumeRole: '{{AutomationAssumeRole}}', parameters, mainSteps };
}
