import type { WorkflowValue } from './workflow-model';

// @actions/expressions ships only ES modules; jest compiles it to CommonJS (jest.config.js), so it is required, and
// its types are imported in "import" resolution mode.
type Expressions = typeof import('@actions/expressions', { with: { 'resolution-mode': 'import' }});
type ExpressionResults = typeof import('@actions/expressions/result', { with: { 'resolution-mode': 'import' }});
type FunctionDefinition = import('@actions/expressions/funcs/info', { with: {
  'resolution-mode': 'import',
}}).FunctionDefinition;
type ExpressionData = import('@actions/expressions', { with: { 'resolution-mode': 'import' }}).data.ExpressionData;
const { data, Evaluator, Lexer, Parser } = require('@actions/expressions') as Expressions;
const { truthy } = require('@actions/expressions/result') as ExpressionResults;

/** Plain data for a context (`github`, `inputs`, `needs`, `steps`, `env`, …). */
export type ContextValue = string | number | boolean | null | readonly ContextValue[] | { [key: string]: ContextValue };

/** What the status check functions answer where the expression is evaluated (a job's or a step's `if:`). */
export interface StatusView {
  /** `success()`. */
  readonly success: boolean;
  /** `failure()`. */
  readonly failure: boolean;
  /** `cancelled()`: the run was cancelled. */
  readonly cancelled: boolean;
}

const CONTEXTS = [
  'github',
  'inputs',
  'vars',
  'needs',
  'steps',
  'env',
  'job',
  'runner',
  'strategy',
  'matrix',
  'secrets',
];

function toData(value: ContextValue | undefined): ExpressionData {
  if (value === undefined || value === null) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map((item) => toData(item)));
  return new data.Dictionary(
    ...Object.entries(value as Record<string, ContextValue>).map(([key, item]) => ({ key, value: toData(item) })),
  );
}

// GitHub docs, "Evaluate expressions in workflows and actions" › "Status check functions": success(), always(),
// cancelled(), failure(). The evaluator of @actions/expressions knows only the general functions (contains,
// format, …); the status functions are supplied here from the StatusView of the job or step.
//  - always(): "Causes the step to always execute, and returns true, even when canceled."
//  - cancelled(): "Returns true if the workflow was canceled."
//  - failure(): "Returns true when any previous step of a job fails. If you have a chain of dependent jobs,
//    failure() returns true if any ancestor job fails."
//  - success(): "Returns true when all previous steps have succeeded." (for a job: its needs; see the simulator)
function statusFunctions(status: StatusView): Map<string, FunctionDefinition> {
  const fn = (name: string, value: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) },
  ];
  return new Map([
    fn('success', () => status.success),
    fn('failure', () => status.failure),
    fn('cancelled', () => status.cancelled),
    fn('always', () => true),
  ]);
}

const STATUS_INFO = ['success', 'failure', 'cancelled', 'always'].map((name) => ({ name, minArgs: 0, maxArgs: 0 }));

/** Evaluates one expression (the text inside `${{ }}`) with GitHub's expression evaluator. */
export function evaluateExpression(
  expression: string,
  contexts: Readonly<Record<string, ContextValue>>,
  status: StatusView = { success: true, failure: false, cancelled: false },
): ExpressionData {
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, CONTEXTS, STATUS_INFO).parse();
  const context = new data.Dictionary(
    ...CONTEXTS.map((key) => ({ key, value: toData((contexts[key] ?? {}) as ContextValue) })),
  );
  return new Evaluator(parsed, context, statusFunctions(status)).evaluate();
}

/** Whether an expression calls a status check function (outside string literals). */
export function callsStatusFunction(expression: string): boolean {
  const code = expression.replace(/'(?:[^']|'')*'/g, "''");
  return /\b(success|failure|cancelled|always)\s*\(/i.test(code);
}

/**
 * Evaluates an `if:` condition. GitHub docs, "Evaluate expressions in workflows and actions" › "Status check
 * functions": "A default status check of success() is applied unless you include one of these functions."
 */
export function conditionHolds(
  condition: string,
  contexts: Readonly<Record<string, ContextValue>>,
  status: StatusView,
): boolean {
  const expression = callsStatusFunction(condition) ? condition : `success() && (${condition})`;
  return truthy(evaluateExpression(expression, contexts, status));
}

/** Evaluates a workflow value (literal, expression, or a mapping/sequence of them) to plain data. */
export function evaluateValue(
  value: WorkflowValue | undefined,
  contexts: Readonly<Record<string, ContextValue>>,
): ContextValue {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, contexts));
  if ('expr' in value && typeof value.expr === 'string') {
    const result = evaluateExpression(value.expr, contexts);
    if (result instanceof data.BooleanData) return result.value;
    if (result instanceof data.NumberData) return result.value;
    if (result instanceof data.Null) return null;
    return result.coerceString();
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, WorkflowValue>).map(([key, item]) => [key, evaluateValue(item, contexts)]),
  );
}

/** Evaluates a value to the string a step sees (an `env:` variable, a `with:` input). */
export function evaluateString(value: WorkflowValue | undefined, contexts: Readonly<Record<string, ContextValue>>) {
  const result = evaluateValue(value, contexts);
  return result === null ? '' : typeof result === 'object' ? JSON.stringify(result) : String(result);
}
