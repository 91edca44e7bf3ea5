import type { AnyOrchestration, InputFieldSpec, Step } from '../core/step';
import { regionsOf, type Topology } from '../topology';

/** Longest an `aws:invokeLambdaFunction` step may run: SSM stops it at 300 s. */
export const SSM_LAMBDA_STEP_SECONDS = 300;

/** How long one Lambda invocation of a step may work before it hands back to SSM (which retries waits). */
export const LAMBDA_WORK_SECONDS = 270;

/** The Lambda functions and role an automation document refers to. */
export interface AutomationTargets {
  /** Function (name or ARN) that runs steps needing only AWS APIs. */
  readonly stepFunction: string;
  /** Function that runs steps needing database access (in the VPC). */
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

/** A named value a step exposes (`<step>.<name>`). */
export interface AutomationOutput {
  readonly Name: string;
  readonly Selector: string;
  readonly Type: 'String';
}

/** A document step. */
export interface AutomationStep {
  readonly name: string;
  readonly action: 'aws:invokeLambdaFunction' | 'aws:branch';
  readonly description?: string;
  readonly onFailure?: 'Abort';
  readonly isCritical?: boolean;
  readonly isEnd?: boolean;
  readonly maxAttempts?: number;
  readonly timeoutSeconds?: number;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs?: readonly AutomationOutput[];
}

/** The step output holding the link to the run's reports (the failover workflow reads `<step>.ReportUrl`). */
export const REPORT_URL_OUTPUT = 'ReportUrl';

/** `targetRegion` → `TargetRegion`: document parameters are PascalCase (the failover workflow's contract). */
export function parameterName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

/** Whether a step needs the database function (credentials and a network path to the clusters). */
export function needsDatabaseAccess(step: Step<unknown>): boolean {
  return step.uses.some((m) => m.startsWith('reconciler.') || m.startsWith('credentials.'));
}

/** SSM step names allow letters, digits and underscores: `shift-traffic` → `shift_traffic`. */
export function ssmStepName(step: string): string {
  return step.replace(/-/g, '_');
}

/** How many invocations a step may take: waits (and actions that wait) get enough for their whole timeout. */
export function attemptsFor(step: Step<unknown>, waitTimeoutSeconds: number): number {
  const waits = step.kind === 'wait' || step.uses.some((m) => m.startsWith('snapshots.delete'));
  if (!waits) return 3;
  const seconds = step.timeoutSeconds ?? waitTimeoutSeconds;
  return Math.max(3, Math.ceil(seconds / LAMBDA_WORK_SECONDS) + 1);
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

/**
 * Generates the SSM Automation document of an orchestration: a branch on `dryRun` (a `plan` step that runs the
 * whole orchestration as a dry run in one invocation), then one `aws:invokeLambdaFunction` step per orchestration
 * step, in order, each `onFailure: Abort`. Every invocation passes the orchestration, the step, the execution id and
 * the parameters; the Lambda runs exactly that step through the engine (journal, check, run).
 */
export function automationDocument(
  orchestration: AnyOrchestration,
  topology: Topology,
  targets: AutomationTargets,
  waitTimeoutSeconds = 30 * 60,
): AutomationDocument {
  const steps = orchestration.steps(topology) as readonly Step<unknown>[];
  const payload = (step: string | undefined, dryRun: boolean) => ({
    orchestration: orchestration.name,
    ...(step ? { step } : {}),
    executionId: '{{automation:EXECUTION_ID}}',
    resumeExecutionId: '{{ResumeExecutionId}}',
    dryRun: dryRun ? 'true' : 'false',
    reason: '{{Reason}}',
    ...Object.fromEntries(orchestration.inputs.map((f) => [f.name, `{{${parameterName(f.name)}}}`])),
  });
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

  const first = ssmStepName(steps[0]!.name);
  const mainSteps: AutomationStep[] = [
    {
      name: 'chooseMode',
      action: 'aws:branch',
      inputs: { Choices: [{ NextStep: 'plan', Variable: '{{DryRun}}', StringEquals: 'true' }], Default: first },
    },
    {
      name: 'plan',
      action: 'aws:invokeLambdaFunction',
      description: 'Dry run: print the plan and the checks; change nothing.',
      onFailure: 'Abort',
      isEnd: true,
      timeoutSeconds: SSM_LAMBDA_STEP_SECONDS,
      inputs: { FunctionName: targets.stepFunction, InputPayload: payload(undefined, true) },
    },
    ...steps.map(
      (step, index): AutomationStep => ({
        name: ssmStepName(step.name),
        action: 'aws:invokeLambdaFunction',
        description: `[${step.kind}] ${step.title}`,
        onFailure: 'Abort',
        isCritical: true,
        maxAttempts: attemptsFor(step, waitTimeoutSeconds),
        timeoutSeconds: SSM_LAMBDA_STEP_SECONDS,
        ...(index === steps.length - 1 ? { isEnd: true } : {}),
        inputs: {
          FunctionName: needsDatabaseAccess(step) ? targets.databaseFunction : targets.stepFunction,
          InputPayload: payload(step.name, false),
        },
        ...(step.name === 'store-summary'
          ? { outputs: [{ Name: REPORT_URL_OUTPUT, Selector: '$.Payload.reportUrl', Type: 'String' as const }] }
          : {}),
      }),
    ),
  ];
  const summary = steps.find((s) => s.name === 'store-summary');
  const description = [
    `# ${orchestration.name}`,
    orchestration.title,
    '',
    'Generated from runbooks/orchestrations; do not edit. Every step checks the state before acting, so running again',
    'after a failure resumes without repeating an action. DryRun=true (the default) only prints the plan.',
    '',
    ...steps.map((s, i) => `${i + 1}. **${s.name}** [${s.kind}]: ${s.title}`),
  ].join('\n');
  return {
    schemaVersion: '0.3',
    description,
    assumeRole: '{{AutomationAssumeRole}}',
    parameters,
    mainSteps,
    ...(summary ? { outputs: [`${ssmStepName(summary.name)}.${REPORT_URL_OUTPUT}`] } : {}),
  };
}
