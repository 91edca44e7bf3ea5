import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

// @actions/workflow-parser ships only ES modules; jest compiles it to CommonJS (jest.config.js), so it is required,
// and its types are imported in "import" resolution mode.
type WorkflowParser = typeof import('@actions/workflow-parser', { with: { 'resolution-mode': 'import' }});
type TemplateToken = import('@actions/workflow-parser/templates/tokens/template-token', { with: {
  'resolution-mode': 'import',
}}).TemplateToken;
const { convertWorkflowTemplate, isBasicExpression, isMapping, isSequence, NoOperationTraceWriter, parseWorkflow } =
  require('@actions/workflow-parser') as WorkflowParser;

/** A value read from the workflow: a literal, or an expression (`${{ … }}`) to evaluate at run time. */
export type WorkflowValue =
  | string
  | number
  | boolean
  | null
  | WorkflowExpression
  | readonly WorkflowValue[]
  | { readonly [key: string]: WorkflowValue };

/** An expression as GitHub's parser holds it: `${{ a }}` is `a`, `x-${{ a }}` is `format('x-{0}', a)`. */
export interface WorkflowExpression {
  readonly expr: string;
}

/** A step of a job, as the runner sees it. */
export interface WorkflowStep {
  /** The step's `id`, or the parser's generated one (`__run`, `__actions_checkout`, …). */
  readonly id: string;
  readonly name?: string;
  /** The step's `if:` (GitHub's parser fills in `success()` when there is none). */
  readonly if: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env: Readonly<Record<string, WorkflowValue>>;
  readonly with: Readonly<Record<string, WorkflowValue>>;
  readonly continueOnError: boolean;
}

/** A job of a workflow: what the simulator needs to run it. */
export interface WorkflowJob {
  readonly id: string;
  readonly name?: WorkflowValue;
  readonly needs: readonly string[];
  /** The job's `if:` (GitHub's parser fills in `success()` when there is none). */
  readonly if: string;
  /** The Environment's name (literal or expression), when the job references one. */
  readonly environment?: WorkflowValue;
  readonly concurrency?: WorkflowValue;
  readonly timeoutMinutes?: WorkflowValue;
  readonly steps: readonly WorkflowStep[];
  readonly outputs: Readonly<Record<string, WorkflowValue>>;
}

/** A workflow parsed and validated by `@actions/workflow-parser`. */
export interface Workflow {
  readonly file: string;
  readonly name: string;
  /** Trigger names (`push`, `workflow_dispatch`, …). */
  readonly on: readonly string[];
  /** `workflow_dispatch` inputs: name → `{ type, default }`. */
  readonly dispatchInputs: Readonly<Record<string, { readonly type: string; readonly default?: unknown }>>;
  /** Workflow-level `concurrency` (a string is the group). */
  readonly concurrency?: WorkflowValue;
  readonly jobs: ReadonlyMap<string, WorkflowJob>;
}

/** Converts a parser token to a plain value, keeping expressions as {@link WorkflowExpression}. */
export function tokenValue(token: TemplateToken | undefined): WorkflowValue {
  if (token === undefined) return null;
  if (isBasicExpression(token)) return { expr: token.expression };
  if (isMapping(token)) {
    const out: Record<string, WorkflowValue> = {};
    for (let i = 0; i < token.count; i++) {
      const pair = token.get(i);
      out[String(tokenValue(pair.key))] = tokenValue(pair.value);
    }
    return out;
  }
  if (isSequence(token)) {
    const out: WorkflowValue[] = [];
    for (let i = 0; i < token.count; i++) out.push(tokenValue(token.get(i)));
    return out;
  }
  const json = token.toJSON();
  return json === undefined ? null : (json as WorkflowValue);
}

function asRecord(value: WorkflowValue): Record<string, WorkflowValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !('expr' in value)
    ? (value as Record<string, WorkflowValue>)
    : {};
}

function expressionText(token: TemplateToken | undefined): string {
  if (token === undefined) return 'success()';
  if (isBasicExpression(token)) return token.expression;
  return String(tokenValue(token));
}

/**
 * Parses a workflow with GitHub's own parser (`parseWorkflow` + `convertWorkflowTemplate`, the code behind the
 * Actions VS Code extension and language server). Any error it reports, and a `needs` naming a job that does not
 * exist, throws with the file and the parser's messages.
 */
export async function parseWorkflowText(file: string, content: string): Promise<Workflow> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parsed.value === undefined || errors.length > 0) {
    throw new Error(`${file}: GitHub's workflow parser reported: ${errors.join('; ') || 'no workflow'}`);
  }
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  const converted = (template.errors ?? []).map((error) => error.Message);
  if (converted.length > 0) throw new Error(`${file}: GitHub's workflow parser reported: ${converted.join('; ')}`);

  // The converted model has no `timeout-minutes`, step `with:` or `continue-on-error`: read them from the tokens.
  const root = parsed.value;
  const rawJobs = isMapping(root) ? root.find('jobs') : undefined;
  const rawJob = (id: string) => (rawJobs !== undefined && isMapping(rawJobs) ? rawJobs.find(id) : undefined);

  const jobs = new Map<string, WorkflowJob>();
  for (const job of template.jobs) {
    if (job.type !== 'job') throw new Error(`${file}: job ${job.id.value} calls a reusable workflow; not simulated`);
    const raw = rawJob(job.id.value);
    const rawSteps = raw !== undefined && isMapping(raw) ? raw.find('steps') : undefined;
    const steps: WorkflowStep[] = job.steps.map((step, index) => {
      const rawStep = rawSteps !== undefined && isSequence(rawSteps) ? rawSteps.get(index) : undefined;
      const field = (key: string) => (rawStep !== undefined && isMapping(rawStep) ? rawStep.find(key) : undefined);
      const s = step as unknown as Record<string, unknown>;
      return {
        id: step.id,
        ...(step.name === undefined ? {} : { name: String(tokenValue(step.name)) }),
        if: expressionText(step.if),
        ...(typeof s['run'] === 'object' ? { run: String(tokenValue(s['run'] as TemplateToken)) } : {}),
        ...(typeof s['uses'] === 'object' ? { uses: String(tokenValue(s['uses'] as TemplateToken)) } : {}),
        env: asRecord(tokenValue(s['env'] as TemplateToken | undefined)),
        with: asRecord(tokenValue(field('with'))),
        continueOnError: tokenValue(field('continue-on-error')) === true,
      };
    });
    const timeout = raw !== undefined && isMapping(raw) ? raw.find('timeout-minutes') : undefined;
    const environment = tokenValue(job.environment);
    jobs.set(job.id.value, {
      id: job.id.value,
      ...(job.name === undefined ? {} : { name: tokenValue(job.name) }),
      needs: (job.needs ?? []).map((need) => need.value),
      if: expressionText(job.if),
      ...(environment === null ? {} : { environment: asRecord(environment)['name'] ?? environment }),
      ...(job.concurrency === undefined ? {} : { concurrency: tokenValue(job.concurrency) }),
      ...(timeout === undefined ? {} : { timeoutMinutes: tokenValue(timeout) }),
      steps,
      outputs: asRecord(tokenValue(job.outputs)),
    });
  }
  for (const job of jobs.values()) {
    for (const need of job.needs) {
      if (!jobs.has(need))
        throw new Error(`${file}: job ${job.id} needs "${need}", which is not a job of the workflow`);
    }
  }

  const rawName = isMapping(root) ? root.find('name') : undefined;
  const dispatch = template.events.workflow_dispatch?.inputs ?? {};
  return {
    file,
    name: rawName === undefined ? basename(file) : String(tokenValue(rawName)),
    on: Object.keys(template.events),
    dispatchInputs: Object.fromEntries(
      Object.entries(dispatch).map(([key, input]) => [
        key,
        { type: input.type, ...(input.default === undefined ? {} : { default: input.default }) },
      ]),
    ),
    ...(template.concurrency === undefined ? {} : { concurrency: tokenValue(template.concurrency) }),
    jobs,
  };
}

/** Reads and parses a workflow file (see {@link parseWorkflowText}). */
export function loadWorkflow(path: string): Promise<Workflow> {
  return parseWorkflowText(basename(path), readFileSync(path, 'utf8'));
}
