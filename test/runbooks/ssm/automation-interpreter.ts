import { randomUUID } from 'node:crypto';
import type { AutomationDocument, AutomationStep } from '../../../runbooks/ssm/automation-document';
import { AutomationDocumentError, UndocumentedBehaviourError } from './automation-errors';
import {
  checkReferences,
  type LookupScope,
  resolveValue,
  type UnverifiedBehaviour,
  variablesIn,
} from './automation-variables';
import { parseJsonPath, selectJsonPath } from './json-path';

/**
 * An interpreter of the subset of the SSM Automation schema 0.3 the generated runbook documents use, for tests: it
 * validates a document the way SSM is documented to, then executes it against simulated Lambda functions (the real
 * step handler, in-process). Every rule cites the documentation it rests on; where the documentation is silent the
 * interpreter either throws {@link UndocumentedBehaviourError} (the document must not depend on it) or records an
 * {@link UnverifiedBehaviour} the result lists (the document does depend on it: `npm run aws:smoke` checks it).
 *
 * Documentation pages (https://docs.aws.amazon.com/systems-manager/latest/userguide/…):
 * - automation-actions.html ("Properties shared by all actions"): name, maxAttempts, timeoutSeconds, onFailure,
 *   isEnd, nextStep, isCritical;
 * - automation-branchdocs.html and automation-action-branch.html: aws:branch;
 * - automation-action-loop.html: aws:loop;
 * - automation-action-lamb.html: aws:invokeLambdaFunction;
 * - automation-aws-apis-calling.html: aws:assertAwsResourceProperty, JSONPath selectors;
 * - automation-handling-timeouts.html: the status of an execution whose step timed out.
 */

export { AutomationDocumentError, UndocumentedBehaviourError };

/** The part of a Lambda context the runbook handler uses. */
export interface SimulatedInvocationContext {
  getRemainingTimeInMillis(): number;
}

/** A Lambda function the interpreter invokes: the handler and the function's configured timeout. */
export interface SimulatedFunction {
  readonly timeoutSeconds: number;
  invoke(event: unknown, context: SimulatedInvocationContext): Promise<unknown>;
}

/** Options of {@link executeAutomation}. */
export interface ExecutionOptions {
  readonly document: AutomationDocument;
  /** The execution's parameters (StartAutomationExecution `Parameters`, one value each). @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The functions the document may invoke, by `FunctionName`. */
  readonly functions: Readonly<Record<string, SimulatedFunction>>;
  /** Simulated time: the functions' waits advance it. */
  readonly clock: { now(): Date };
  /** `{{automation:EXECUTION_ID}}`. @default - a random UUID */
  readonly executionId?: string;
  /** AWS APIs an `aws:assertAwsResourceProperty` step may call, by `<service>:<Api>`. @default - sts:GetCallerIdentity */
  readonly awsApis?: Readonly<Record<string, (inputs: Readonly<Record<string, unknown>>) => unknown>>;
}

/** Final statuses of an execution. */
export type ExecutionStatus = 'Success' | 'Failed' | 'TimedOut';

/** One execution of one step (a step nested in a loop runs once per iteration). */
export interface StepRun {
  readonly name: string;
  readonly action: string;
  readonly status: ExecutionStatus;
  /** 1 for the first try; more with `maxAttempts`. */
  readonly attempt: number;
  /** The enclosing loop's `CurrentIteration`, for a nested step. */
  readonly iteration?: number;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly failureMessage?: string;
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/** What {@link executeAutomation} returns. */
export interface ExecutionResult {
  readonly executionId: string;
  readonly status: ExecutionStatus;
  /** The step whose failure ended the execution. */
  readonly failedStep?: string;
  readonly failureMessage?: string;
  readonly steps: readonly StepRun[];
  /** Every step output, `<step>.<output>`, with its last value. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Behaviours the execution relied on that the documentation does not state (each checked by `npm run aws:smoke`). */
  readonly unverified: readonly UnverifiedBehaviour[];
}

const DEFAULT_APIS: NonNullable<ExecutionOptions['awsApis']> = {
  'sts:GetCallerIdentity': () => ({
    Account: '111111111111',
    Arn: 'arn:aws:sts::111111111111:assumed-role/automation/session',
    UserId: 'AROAEXAMPLE:session',
  }),
};

/**
 * automation-action-lamb.html (Output): "StatusCode", "FunctionError", "LogResult", "Payload". automation-actions.html:
 * "You don't need to specify the outputs of an action or step. The outputs are predetermined by the action".
 * automation-action-loop.html (Output): "CurrentIteration", "CurrentIteratorValue" ("only present in for each loops").
 */
const PREDETERMINED_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  'aws:invokeLambdaFunction': ['StatusCode', 'FunctionError', 'LogResult', 'Payload'],
  'aws:loop': ['CurrentIteration'],
};

/** automation-aws-apis-calling.html lists String, Boolean, Integer, StringList, StringMap and MapList results. */
const OUTPUT_TYPES = new Set(['String', 'Boolean', 'Integer', 'StringList', 'StringMap', 'MapList']);

/** automation-action-lamb.html: "Each aws:invokeLambdaFunction action can run up to a maximum duration of 300 seconds". */
const MAX_INVOKE_SECONDS = 300;

/** The actions this interpreter implements. */
const ACTIONS = new Set(['aws:invokeLambdaFunction', 'aws:branch', 'aws:loop', 'aws:assertAwsResourceProperty']);

/** The choice operators this interpreter implements (automation-action-branch.html lists more). */
const OPERATORS = ['StringEquals', 'BooleanEquals'] as const;

/** Where a step is: its list (the main steps, or a loop's `Steps`), its position, and its loop. */
interface Placement {
  readonly step: AutomationStep;
  readonly list: readonly AutomationStep[];
  readonly index: number;
  /** The enclosing `aws:loop` step, for a nested step. */
  readonly loop?: AutomationStep;
}

type Choice = Readonly<Record<string, unknown>>;

const stepsOf = (loop: AutomationStep) => (loop.inputs.Steps ?? []) as readonly AutomationStep[];

/** Every step of the document with where it is. */
function placements(document: AutomationDocument): Map<string, Placement> {
  const found = new Map<string, Placement>();
  const visit = (list: readonly AutomationStep[], loop?: AutomationStep) => {
    list.forEach((step, index) => {
      // automation-actions.html (name): "An identifier that must be unique across all step names in the document."
      if (found.has(step.name)) {
        throw new AutomationDocumentError(
          `step name "${step.name}" is used twice; step names are unique in a document`,
        );
      }
      found.set(step.name, { step, list, index, ...(loop ? { loop } : {}) });
      if (step.action === 'aws:loop') visit(stepsOf(step), step);
    });
  };
  visit(document.mainSteps);
  return found;
}

/** The steps a jump may name from `placement`: the steps of the same list (the main steps, or the loop's own). */
function checkJump(placements: Map<string, Placement>, from: Placement, target: unknown, what: string): void {
  const to = typeof target === 'string' ? placements.get(target) : undefined;
  if (!to) {
    throw new AutomationDocumentError(
      `step ${from.step.name}: ${what} "${String(target)}" is not a step of the document; accepted: ${from.list.map((s) => s.name).join(', ')}`,
    );
  }
  if (to.list !== from.list) {
    throw new AutomationDocumentError(
      `step ${from.step.name}: ${what} "${String(target)}" is in another step list (a loop's steps "function like a nested runbook"); jumps stay in their list`,
    );
  }
}

function checkCondition(step: AutomationStep, condition: Choice, where: string): void {
  const nested = (['And', 'Or'] as const).filter((k) => k in condition);
  if (nested.length > 0) {
    for (const part of condition[nested[0]!] as Choice[]) checkCondition(step, part, `${where}.${nested[0]}`);
    return;
  }
  if ('Not' in condition) {
    checkCondition(step, condition.Not as Choice, `${where}.Not`);
    return;
  }
  const operators = Object.keys(condition).filter((k) => k !== 'Variable' && k !== 'NextStep');
  if (typeof condition.Variable !== 'string' || operators.length !== 1) {
    throw new AutomationDocumentError(`step ${step.name}: ${where} needs a Variable and one operation`);
  }
  if (!(OPERATORS as readonly string[]).includes(operators[0]!)) {
    throw new AutomationDocumentError(
      `step ${step.name}: ${where} uses ${operators[0]}; this interpreter implements ${OPERATORS.join(', ')}, And, Or, Not`,
    );
  }
}

function checkStep(placements: Map<string, Placement>, placement: Placement): void {
  const { step } = placement;
  // The SSM document schema allows letters, digits and underscores in step names.
  if (!/^[A-Za-z0-9_]+$/.test(step.name)) {
    throw new AutomationDocumentError(`step name "${step.name}": accepted: letters, digits and _`);
  }
  if (!ACTIONS.has(step.action)) {
    throw new AutomationDocumentError(
      `step ${step.name}: action ${step.action} is not implemented by this interpreter; accepted: ${[...ACTIONS].join(', ')}`,
    );
  }
  if (step.nextStep !== undefined) checkJump(placements, placement, step.nextStep, 'nextStep');
  if (step.onFailure?.startsWith('step:')) checkJump(placements, placement, step.onFailure.slice(5), 'onFailure');
  if (step.maxAttempts !== undefined && (!Number.isInteger(step.maxAttempts) || step.maxAttempts < 1)) {
    throw new AutomationDocumentError(`step ${step.name}: maxAttempts ${step.maxAttempts}; accepted: an integer ≥ 1`);
  }
  for (const output of step.outputs ?? []) {
    parseJsonPath(output.Selector);
    if (!OUTPUT_TYPES.has(output.Type)) {
      throw new AutomationDocumentError(`step ${step.name}: output ${output.Name} has type ${output.Type}`);
    }
    // The documented selectors of an invoke step apply to the object the function returned (`$.Retry` in the
    // aws:loop example); `Payload` is documented only as "The JSON representation of the object returned".
    if (step.action === 'aws:invokeLambdaFunction' && /^\$\.Payload(\.|\[|$)/.test(output.Selector)) {
      throw new AutomationDocumentError(
        `step ${step.name}: output ${output.Name} selects ${output.Selector}; the documentation shows invoke step selectors on the returned object ($.Retry), not inside Payload`,
      );
    }
  }
  switch (step.action) {
    case 'aws:invokeLambdaFunction': {
      if (typeof step.inputs.FunctionName !== 'string') {
        throw new AutomationDocumentError(`step ${step.name}: FunctionName is required`);
      }
      if (step.timeoutSeconds !== undefined && step.timeoutSeconds > MAX_INVOKE_SECONDS) {
        throw new AutomationDocumentError(
          `step ${step.name}: timeoutSeconds ${step.timeoutSeconds}; an aws:invokeLambdaFunction action runs at most ${MAX_INVOKE_SECONDS} s`,
        );
      }
      break;
    }
    case 'aws:branch': {
      const choices = step.inputs.Choices as Choice[] | undefined;
      if (!Array.isArray(choices) || choices.length === 0) {
        throw new AutomationDocumentError(`step ${step.name}: Choices is required`);
      }
      choices.forEach((choice, i) => {
        checkJump(placements, placement, choice.NextStep, `Choices[${i}].NextStep`);
        checkCondition(step, choice, `Choices[${i}]`);
      });
      if (step.inputs.Default !== undefined) checkJump(placements, placement, step.inputs.Default, 'Default');
      break;
    }
    case 'aws:loop': {
      // automation-action-loop.html: "only specify either the Iterators or LoopCondition input parameter"; this
      // interpreter implements the do-while form.
      if (step.inputs.Iterators !== undefined || step.inputs.LoopCondition === undefined) {
        throw new AutomationDocumentError(`step ${step.name}: a do-while aws:loop needs LoopCondition (no Iterators)`);
      }
      checkCondition(step, step.inputs.LoopCondition as Choice, 'LoopCondition');
      // "MaxIterations ... Valid values: 1 - 100"; its default is not documented, so it is required here.
      const max = step.inputs.MaxIterations;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) {
        throw new AutomationDocumentError(
          `step ${step.name}: MaxIterations ${String(max)}; accepted: an integer from 1 to 100`,
        );
      }
      if (stepsOf(step).length === 0) throw new AutomationDocumentError(`step ${step.name}: Steps is required`);
      break;
    }
    case 'aws:assertAwsResourceProperty': {
      for (const input of ['Service', 'Api', 'PropertySelector', 'DesiredValues']) {
        if (step.inputs[input] === undefined)
          throw new AutomationDocumentError(`step ${step.name}: ${input} is required`);
      }
      parseJsonPath(step.inputs.PropertySelector as string);
      break;
    }
  }
}

/** The steps that may run after `index` in its list (for the infinite-loop check). */
function successors(list: readonly AutomationStep[], index: number): string[] {
  const step = list[index]!;
  const next = list[index + 1]?.name;
  const after: string[] = [];
  if (step.action === 'aws:branch') {
    for (const choice of step.inputs.Choices as Choice[]) after.push(choice.NextStep as string);
    if (step.inputs.Default !== undefined) after.push(step.inputs.Default as string);
    else if (!step.isEnd && next) after.push(next);
  } else if (!step.isEnd) {
    if (step.nextStep) after.push(step.nextStep);
    else if (next) after.push(next);
  }
  if (step.onFailure?.startsWith('step:')) after.push(step.onFailure.slice(5));
  if (step.onFailure === 'Continue' && next && !step.isEnd) after.push(next);
  return after;
}

/**
 * automation-branchdocs.html: "Before processing an Automation document, the system verifies that the document does
 * not create an infinite loop. If an infinite loop is detected, Automation returns an error".
 */
function checkNoInfiniteLoop(list: readonly AutomationStep[]): void {
  const index = new Map(list.map((s, i) => [s.name, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new AutomationDocumentError(
        `the steps loop forever: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`,
      );
    }
    state.set(name, 'visiting');
    for (const next of successors(list, index.get(name)!)) visit(next, [...path, name]);
    state.set(name, 'done');
  };
  for (const step of list) visit(step.name, []);
}

/**
 * Checks a document as SSM is documented to before it runs one, plus the names SSM only resolves at run time: every
 * jump names a step of its list, every `{{ }}` names a declared parameter, a documented system variable, or an
 * output a step declares (or its action predetermines).
 *
 * @throws AutomationDocumentError naming the step, the value and what is accepted.
 */
export function validateAutomationDocument(document: AutomationDocument): void {
  // documents-syntax-data-elements-parameters.html: "Automation runbooks use schema version 0.3."
  if (document.schemaVersion !== '0.3') {
    throw new AutomationDocumentError(`schemaVersion "${String(document.schemaVersion)}"; accepted: "0.3"`);
  }
  for (const [name, parameter] of Object.entries(document.parameters)) {
    if (parameter.type !== 'String') {
      throw new AutomationDocumentError(
        `parameter ${name}: type ${parameter.type}; this interpreter implements String`,
      );
    }
    if (parameter.allowedPattern !== undefined) new RegExp(parameter.allowedPattern);
  }
  const all = placements(document);
  for (const placement of all.values()) checkStep(all, placement);
  checkNoInfiniteLoop(document.mainSteps);
  for (const list of [
    document.mainSteps,
    ...[...all.values()].filter((p) => p.step.action === 'aws:loop').map((p) => stepsOf(p.step)),
  ]) {
    checkNoInfiniteLoop(list);
  }
  const outputsOf = (step: string) => {
    const placement = all.get(step);
    if (!placement) return undefined;
    return [
      ...(placement.step.outputs ?? []).map((o) => o.Name),
      ...(PREDETERMINED_OUTPUTS[placement.step.action] ?? []),
    ];
  };
  for (const placement of all.values()) {
    const { step } = placement;
    const inputs = step.action === 'aws:loop' ? { ...step.inputs, Steps: undefined } : step.inputs;
    checkReferences(variablesIn(inputs), {
      where: `step ${step.name}`,
      parameters: Object.keys(document.parameters),
      outputsOf,
      loopOf: (name) => all.get(name)?.loop?.name,
      enclosingLoops: enclosingLoops(all, placement),
    });
  }
  checkReferences(
    (document.outputs ?? []).map((o) => `{{${o}}}`).flatMap((o) => variablesIn(o)),
    { where: 'document outputs', parameters: [], outputsOf, loopOf: () => undefined, enclosingLoops: [] },
  );
}

function enclosingLoops(all: Map<string, Placement>, placement: Placement): string[] {
  const loops: string[] = [];
  if (placement.step.action === 'aws:loop') loops.push(placement.step.name);
  let loop = placement.loop;
  while (loop) {
    loops.push(loop.name);
    loop = all.get(loop.name)?.loop;
  }
  return loops;
}

/** The parameters of an execution, checked and completed with defaults. */
function startParameters(
  document: AutomationDocument,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  // InvalidAutomationExecutionParametersException: "The supplied parameters for invoking the specified Automation
  // runbook are incorrect. For example, they may not match the set of parameters permitted for the specified
  // Automation document."
  for (const name of Object.keys(given)) {
    if (!(name in document.parameters)) {
      throw new AutomationDocumentError(
        `parameter ${name} is not declared by the document; accepted: ${Object.keys(document.parameters).join(', ')}`,
      );
    }
  }
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(document.parameters)) {
    const value = given[name] ?? parameter.default;
    if (value === undefined) throw new AutomationDocumentError(`parameter ${name} is required (it has no default)`);
    if (parameter.allowedValues && !parameter.allowedValues.includes(value)) {
      throw new AutomationDocumentError(
        `parameter ${name}: "${value}"; accepted: ${parameter.allowedValues.map((v) => `"${v}"`).join(', ')}`,
      );
    }
    if (parameter.allowedPattern !== undefined && !new RegExp(parameter.allowedPattern).test(value)) {
      throw new AutomationDocumentError(`parameter ${name}: "${value}" does not match ${parameter.allowedPattern}`);
    }
    values[name] = value;
  }
  return values;
}

/** How one run of a step list ended. */
type ListOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'ended' }
  | { readonly kind: 'aborted'; readonly status: ExecutionStatus; readonly step: string; readonly message: string };

/** What one try of a step's action did. */
interface ActionResult {
  readonly status: ExecutionStatus;
  readonly outputs: Record<string, unknown>;
  readonly message?: string;
  /** A branch's choice: the step to go to, or `end`. */
  readonly jump?: string | 'end';
}

class Execution {
  readonly steps: StepRun[] = [];
  readonly outputs: Record<string, unknown> = {};
  readonly unverified = new Set<UnverifiedBehaviour>();
  readonly iterations = new Map<string, number>();
  criticalFailure?: { status: ExecutionStatus; step: string; message: string };
  private readonly all: Map<string, Placement>;

  constructor(
    private readonly options: ExecutionOptions,
    readonly executionId: string,
    private readonly parameters: Record<string, string>,
  ) {
    this.all = placements(options.document);
  }

  private scope(placement: Placement): LookupScope {
    return {
      executionId: this.executionId,
      parameters: this.parameters,
      output: (step, name) => {
        const loops = enclosingLoops(this.all, placement);
        if (name === 'CurrentIteration' && loops.includes(step)) return this.iterations.get(step);
        const owner = this.all.get(step)?.loop?.name;
        // The aws:loop page reads a nested step's output only in the loop's LoopCondition; reading it after the
        // loop (the branch on the outcome does) is not stated.
        if (owner && !loops.includes(owner)) this.unverified.add('nested-output-read-after-loop');
        return this.outputs[`${step}.${name}`];
      },
      unverified: (behaviour) => this.unverified.add(behaviour),
    };
  }

  private resolve(value: unknown, placement: Placement, into: 'string-map' | 'any' = 'any'): unknown {
    return resolveValue(value, this.scope(placement), into);
  }

  private evaluate(condition: Choice, placement: Placement): boolean {
    if ('And' in condition) return (condition.And as Choice[]).every((c) => this.evaluate(c, placement));
    if ('Or' in condition) return (condition.Or as Choice[]).some((c) => this.evaluate(c, placement));
    if ('Not' in condition) return !this.evaluate(condition.Not as Choice, placement);
    const value = this.resolve(condition.Variable, placement);
    if ('StringEquals' in condition) {
      if (typeof value !== 'string') {
        throw new UndocumentedBehaviourError(
          `step ${placement.step.name}: StringEquals on ${String(condition.Variable)}, whose value ${JSON.stringify(value)} is not a String`,
        );
      }
      return value === condition.StringEquals;
    }
    if (typeof value !== 'boolean' || typeof condition.BooleanEquals !== 'boolean') {
      throw new UndocumentedBehaviourError(
        `step ${placement.step.name}: BooleanEquals on ${String(condition.Variable)}, whose value ${JSON.stringify(value)} is not a Boolean`,
      );
    }
    return value === condition.BooleanEquals;
  }

  async runList(list: readonly AutomationStep[]): Promise<ListOutcome> {
    let index = 0;
    while (index < list.length) {
      const step = list[index]!;
      const placement = this.all.get(step.name)!;
      const result = await this.runStep(placement);
      const at = (name: string) => list.findIndex((s) => s.name === name);
      if (result.status !== 'Success') {
        const onFailure = step.onFailure ?? 'Abort';
        // automation-actions.html (isCritical): "If a step with this designation fails, then Automation reports the
        // final status of the Automation as Failed. ... The default value for this option is true."
        const failure = { status: result.status, step: step.name, message: result.message ?? `${step.name} failed` };
        if (step.isCritical !== false && !this.criticalFailure) this.criticalFailure = failure;
        // onFailure: "Indicates whether the workflow should abort, continue, or go to a different step on failure.
        // The default value for this option is abort."
        if (onFailure === 'Abort') return { kind: 'aborted', ...failure };
        // isEnd: "The Automation execution stops if the step execution failed or succeeded."
        if (step.isEnd) return { kind: 'ended' };
        index = onFailure === 'Continue' ? index + 1 : at(onFailure.slice(5));
        continue;
      }
      if (result.jump === 'end') return { kind: 'ended' };
      if (result.jump !== undefined) {
        index = at(result.jump);
        continue;
      }
      if (step.isEnd) return { kind: 'ended' };
      // nextStep: "Specifies which step in an Automation workflow to process next after successfully completing a
      // step"; otherwise "the steps that you define in the mainSteps section run in sequential order"
      // (automation-branchdocs.html).
      index = step.nextStep ? at(step.nextStep) : index + 1;
    }
    return { kind: 'completed' };
  }

  /** Runs a step, again on failure up to `maxAttempts`. */
  private async runStep(placement: Placement): Promise<ActionResult> {
    const { step } = placement;
    // maxAttempts: "The number of times the step should be retried in case of failure. If the value is greater than
    // 1, the step is not considered to have failed until all retry attempts have failed. The default value is 1."
    const attempts = step.maxAttempts ?? 1;
    let result: ActionResult = { status: 'Failed', outputs: {} };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const startedAt = this.options.clock.now();
      result = await this.runAction(placement);
      for (const [name, value] of Object.entries(result.outputs)) this.outputs[`${step.name}.${name}`] = value;
      this.steps.push({
        name: step.name,
        action: step.action,
        status: result.status,
        attempt,
        ...(placement.loop ? { iteration: this.iterations.get(placement.loop.name)! } : {}),
        outputs: result.outputs,
        ...(result.message !== undefined && result.status !== 'Success' ? { failureMessage: result.message } : {}),
        startedAt,
        endedAt: this.options.clock.now(),
      });
      if (result.status === 'Success') return result;
    }
    return result;
  }

  private async runAction(placement: Placement): Promise<ActionResult> {
    const { step } = placement;
    switch (step.action) {
      case 'aws:branch':
        return this.branch(placement);
      case 'aws:loop':
        return this.loop(placement);
      case 'aws:invokeLambdaFunction':
        return this.invoke(placement);
      case 'aws:assertAwsResourceProperty':
        return this.assert(placement);
      default:
        throw new AutomationDocumentError(`step ${step.name}: action ${step.action} is not implemented`);
    }
  }

  /**
   * automation-action-branch.html: "If the first choice is true, then the workflow jumps to the step designated for
   * that choice. ... If none of the choices are true, the workflow checks to see if the step contains a default
   * value ... If no default value is specified for the step, then the Automation workflow processes the next step
   * in the document." automation-branchdocs.html: "If none of the Choices are true and no Default value is
   * specified, then the Automation workflow stops at the end of the step" when the step sets isEnd.
   */
  private branch(placement: Placement): ActionResult {
    const { step } = placement;
    for (const choice of step.inputs.Choices as Choice[]) {
      if (this.evaluate(choice, placement)) return { status: 'Success', outputs: {}, jump: choice.NextStep as string };
    }
    if (step.inputs.Default !== undefined)
      return { status: 'Success', outputs: {}, jump: step.inputs.Default as string };
    return { status: 'Success', outputs: {}, ...(step.isEnd ? { jump: 'end' as const } : {}) };
  }

  /**
   * automation-action-loop.html (do while): the steps run, then "The condition is evaluated after the steps in the
   * loop complete. If the condition is true and the MaxIterations value has not been reached, the steps in the loop
   * run again." MaxIterations: "Once the value specified for this input is reached, the loop stops running even if
   * the LoopCondition is still true". CurrentIteration: "Iteration values start at 1." onFailure: "If you define
   * onFailure properties for the steps within a loop, the aws:loop action inherits those properties".
   */
  private async loop(placement: Placement): Promise<ActionResult> {
    const { step } = placement;
    const max = step.inputs.MaxIterations as number;
    for (let iteration = 1; ; iteration++) {
      this.iterations.set(step.name, iteration);
      const outcome = await this.runList(stepsOf(step));
      if (outcome.kind === 'ended') {
        throw new UndocumentedBehaviourError(`step ${step.name}: isEnd inside a loop; what it ends is not documented`);
      }
      if (outcome.kind === 'aborted') {
        return { status: outcome.status, outputs: { CurrentIteration: iteration }, message: outcome.message };
      }
      const again = this.evaluate(step.inputs.LoopCondition as Choice, placement);
      if (!again || iteration >= max) return { status: 'Success', outputs: { CurrentIteration: iteration } };
    }
  }

  /**
   * automation-action-lamb.html: invokes the function (RequestResponse) with the InputPayload; "Each
   * aws:invokeLambdaFunction action can run up to a maximum duration of 300 seconds"; Output "Payload: The JSON
   * representation of the object returned by the Lambda function", "StatusCode". Declared outputs select from the
   * returned object (the aws:loop example: `Selector: $.Retry`).
   */
  private async invoke(placement: Placement): Promise<ActionResult> {
    const { step } = placement;
    const name = step.inputs.FunctionName as string;
    const fn = this.options.functions[name];
    if (!fn) throw new Error(`the test gives no function ${name} (step ${step.name})`);
    const payload = this.resolve(step.inputs.InputPayload ?? {}, placement, 'string-map');
    const clock = this.options.clock;
    const started = clock.now().getTime();
    const timeoutMs = fn.timeoutSeconds * 1000;
    let returned: unknown;
    try {
      returned = await fn.invoke(payload, {
        getRemainingTimeInMillis: () => timeoutMs - (clock.now().getTime() - started),
      });
    } catch (error) {
      throw new UndocumentedBehaviourError(
        `step ${step.name}: the function threw (${error instanceof Error ? error.message : String(error)}); Lambda answers with a FunctionError, and what SSM does with the step then is not documented`,
      );
    }
    const elapsedMs = clock.now().getTime() - started;
    if (elapsedMs > timeoutMs) {
      throw new UndocumentedBehaviourError(
        `step ${step.name}: the function ran ${elapsedMs / 1000} s, past its ${fn.timeoutSeconds} s timeout; Lambda stops it with a FunctionError, and what SSM does then is not documented`,
      );
    }
    // timeoutSeconds: "The execution timeout value for the step."
    const stepTimeoutMs = Math.min(step.timeoutSeconds ?? MAX_INVOKE_SECONDS, MAX_INVOKE_SECONDS) * 1000;
    if (elapsedMs > stepTimeoutMs) {
      return { status: 'TimedOut', outputs: {}, message: `step ${step.name} timed out after ${elapsedMs / 1000} s` };
    }
    const outputs: Record<string, unknown> = { Payload: JSON.stringify(returned), StatusCode: 200 };
    for (const output of step.outputs ?? []) {
      const value = selectJsonPath(returned, output.Selector);
      if (value === undefined || !matchesType(value, output.Type)) {
        throw new UndocumentedBehaviourError(
          `step ${step.name}: output ${output.Name} (${output.Type}) selects ${output.Selector}, which is ${JSON.stringify(value)} in the returned object; what SSM does then is not documented`,
        );
      }
      outputs[output.Name] = value;
    }
    return { status: 'Success', outputs };
  }

  /**
   * automation-aws-apis-calling.html: "Uses the aws:assertAwsResourceProperty action to call ... to assert that the
   * instance is in the running state. The step fails if the instance state isn't running."
   */
  private assert(placement: Placement): ActionResult {
    const { step } = placement;
    const { Service, Api, PropertySelector, DesiredValues, ...rest } = step.inputs;
    const api = (this.options.awsApis ?? DEFAULT_APIS)[`${String(Service)}:${String(Api)}`];
    if (!api) throw new Error(`the test gives no AWS API ${String(Service)}:${String(Api)} (step ${step.name})`);
    const response = api(this.resolve(rest, placement) as Record<string, unknown>);
    const value = selectJsonPath(response, PropertySelector as string);
    const desired = (this.resolve(DesiredValues, placement) as unknown[]).map(String);
    if (value !== undefined && desired.includes(String(value))) return { status: 'Success', outputs: {} };
    return {
      status: 'Failed',
      outputs: {},
      message: `${String(PropertySelector)} is ${JSON.stringify(value)}; desired: ${desired.join(', ')}`,
    };
  }
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'String':
      return typeof value === 'string';
    case 'Boolean':
      return typeof value === 'boolean';
    case 'Integer':
      return Number.isInteger(value);
    case 'StringList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'StringMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object');
  }
}

/**
 * Validates a document and its parameters, then executes it from its first main step.
 *
 * @throws AutomationDocumentError when SSM would refuse the document or the start request, or a name is wrong.
 * @throws UndocumentedBehaviourError when the execution reaches a case the documentation does not settle.
 */
export async function executeAutomation(options: ExecutionOptions): Promise<ExecutionResult> {
  validateAutomationDocument(options.document);
  const parameters = startParameters(options.document, options.parameters ?? {});
  const execution = new Execution(options, options.executionId ?? randomUUID(), parameters);
  const outcome = await execution.runList(options.document.mainSteps);
  const failure = outcome.kind === 'aborted' ? outcome : execution.criticalFailure;
  return {
    executionId: execution.executionId,
    // automation-handling-timeouts.html: "By default, if an action times out, the automation execution status
    // will be Timed Out."
    status: failure ? failure.status : 'Success',
    ...(failure ? { failedStep: failure.step, failureMessage: failure.message } : {}),
    steps: execution.steps,
    outputs: execution.outputs,
    unverified: [...execution.unverified].sort(),
  };
}

export type { UnverifiedBehaviour };
