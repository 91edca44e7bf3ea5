import { formatDuration, formatTime } from '../cli-support/clock';
import type { JobSummary, SummaryBlock } from '../cli-support/job-summary';
import type { EnvironmentApproval } from '../cli-support/run-approvals';
import { REPORT_URL_OUTPUT } from './automation-document-name';
import type { FailoverInputs } from './failover-inputs';
import { overridesBlocks } from './overrides-report';
import { recoveryBlocks } from './recovery-report';
import { returnedObject } from './returned-object';
import { trafficBlocks } from './traffic-report';

/** One step of an automation execution, as the CLI follows it. */
export interface AutomationStep {
  /** `StepExecutionId`, or the step's position when SSM gives none. */
  readonly key: string;
  readonly name: string;
  readonly action?: string;
  readonly status: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly failureMessage?: string;
  /** The step's outputs (`StepExecution.Outputs`); an `aws:invokeLambdaFunction` step has `Payload`. */
  readonly outputs?: Readonly<Record<string, readonly string[]>>;
}

/** An automation execution as last seen. */
export interface AutomationRun {
  readonly executionId: string;
  readonly documentName: string;
  readonly status: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly steps: readonly AutomationStep[];
  readonly outputs: Readonly<Record<string, readonly string[]>>;
  readonly failureMessage?: string;
  /** The execution's parameters (`AutomationExecution.Parameters`), when read. */
  readonly parameters?: Readonly<Record<string, readonly string[]>>;
}

/** Final statuses of a successful automation. */
const SUCCEEDED = new Set(['Success', 'CompletedWithSuccess']);
/** Final statuses of an automation that did not do its job. */
const FAILED = new Set([
  'Failed',
  'Cancelled',
  'TimedOut',
  'CompletedWithFailure',
  'Rejected',
  'ChangeCalendarOverrideRejected',
  'Exited',
]);

/** Whether an automation or step status is final. */
export function isFinalStatus(status: string): boolean {
  return SUCCEEDED.has(status) || FAILED.has(status);
}

/** Whether an automation status is final and a failure. */
export function isFailedStatus(status: string): boolean {
  return FAILED.has(status);
}

/** The console page of an execution. */
export function executionConsoleUrl(region: string, executionId: string): string {
  return `https://${region}.console.aws.amazon.com/systems-manager/automation/execution/${executionId}?region=${region}`;
}

const isLink = (value: unknown): value is string => typeof value === 'string' && /^(https:\/\/|s3:\/\/)/.test(value);

/**
 * The link to the missing-transaction report: the `ReportUrl` field of the object the runbook function returned (the
 * latest step whose `Payload` has one), or, for documents generated before, the document output `ReportUrl` or
 * `<Step>.ReportUrl`. Only an `https://` or `s3://` link counts (SSM shows an output it could not resolve as a
 * sentence).
 */
export function reportUrlOf(run: Pick<AutomationRun, 'steps' | 'outputs'>): string | undefined {
  for (const step of [...run.steps].reverse()) {
    const link = returnedObject(step)?.[REPORT_URL_OUTPUT];
    if (isLink(link)) return link;
  }
  const key = Object.keys(run.outputs)
    .sort()
    .find((k) => k === REPORT_URL_OUTPUT || k.endsWith(`.${REPORT_URL_OUTPUT}`));
  const value = key === undefined ? undefined : run.outputs[key]?.[0];
  return isLink(value) ? value : undefined;
}

/**
 * What the runbook itself said about the steps that did not succeed: the runbook function never fails its SSM step
 * (it returns `Status` and `Detail`), so the step that fails the execution is a generic assertion and the reason is
 * in the returned object.
 */
function runbookFailures(run: AutomationRun): string[] {
  const seen = new Map<string, string>();
  for (const step of run.steps) {
    const returned = returnedObject(step);
    if (!returned || typeof returned.Status !== 'string' || returned.Status === 'succeeded') continue;
    const name = typeof returned.Step === 'string' && returned.Step ? returned.Step : step.name;
    seen.set(name, `  - runbook step ${name}: ${returned.Status}: ${String(returned.Detail ?? '')}`);
  }
  return [...seen.values()];
}

const span = (from?: Date, to?: Date) => (from && to ? formatDuration(to.getTime() - from.getTime()) : '');

/** The progress line printed when a step's status changes; `elapsed` is the time since the CLI started it. */
export function stepLine(step: AutomationStep, elapsedMs: number): string {
  const action = step.action ? ` (${step.action})` : '';
  const took =
    isFinalStatus(step.status) && step.startedAt && step.endedAt ? ` after ${span(step.startedAt, step.endedAt)}` : '';
  const failure = step.failureMessage && step.status !== 'Success' ? `: ${step.failureMessage}` : '';
  return `[+${formatDuration(elapsedMs)}] step ${step.name}${action}: ${step.status}${took}${failure}`;
}

/** The failure message of an automation that ended in a failed status, naming its failed steps. */
export function automationFailure(run: AutomationRun, region: string): string {
  const failedSteps = run.steps.filter((s) => FAILED.has(s.status));
  const lines = failedSteps.map(
    (s) => `  - step ${s.name}: ${s.status}${s.failureMessage ? `: ${s.failureMessage}` : ''}`,
  );
  const why = run.failureMessage ? `: ${run.failureMessage}` : '';
  return [
    `Automation ${run.documentName} (${run.executionId}) ended ${run.status} in ${region}${why}`,
    ...lines,
    ...runbookFailures(run),
  ].join('\n');
}

/** The failure message when the job stopped following an automation that is still running. */
export function stillRunningMessage(run: AutomationRun, region: string, timeoutMinutes: number): string {
  return `Automation ${run.documentName} (${run.executionId}) is still ${run.status} in ${region} after ${timeoutMinutes} minutes; the job stopped following it but it keeps running: follow it at ${executionConsoleUrl(region, run.executionId)}`;
}

/**
 * Whether this run moves traffic or writers, so its duration, when it succeeded, is a recovery time (readiness checks,
 * recover reports: neither moves anything).
 */
const movesTheRegion = (inputs: FailoverInputs) =>
  ['failover', 'switchover', 'failback'].includes(inputs.action) && !inputs.dryRun;

/** Who asked for this run and where it was approved: what the summary says about the people (review m4). */
export interface DispatchContext {
  /** `GITHUB_ACTOR`: who dispatched the workflow. */
  readonly actor?: string;
  /** `GITHUB_TRIGGERING_ACTOR`: who started this attempt (differs from the actor on a re-run). */
  readonly triggeringActor?: string;
  /** The GitHub Environment the job ran in (its required reviewers approve the job before it starts). */
  readonly environment?: string;
  /** The run's page, where GitHub shows who approved it. */
  readonly runUrl?: string;
  /** What the run's review history says about {@link environment} (when the job's token could read it). */
  readonly approval?: EnvironmentApproval;
}

/** The approval line of the summary. */
function approvalLine(environment: string, approval: EnvironmentApproval | undefined, runUrl?: string): string {
  switch (approval?.kind) {
    case 'approved':
      return `Approval: approved in the ${environment} Environment by ${approval.by
        .map((a) => (a.comment ? `${a.login} (“${a.comment}”)` : a.login))
        .join(', ')}`;
    case 'none':
      return `Approval: none recorded for the ${environment} Environment in the run’s review history (no required reviewers, or none asked)`;
    case 'unreadable':
      return `Approval: the run’s review history could not be read (${approval.error}); the job ran in the ${environment} Environment, see the run page`;
    default:
      return `Approval: the job ran in the ${environment} Environment; with required reviewers, one of them approved it before it started (who and when: the run's review history${runUrl ? '' : ' on the run page'})`;
  }
}

/**
 * The summary lines on who dispatched, re-ran and approved the run. GitHub: `github.actor` is "The username of the
 * user that triggered the initial workflow run. If the workflow run is a re-run, this value may differ from
 * github.triggering_actor" (Contexts reference, github context). The approver is not in any context or variable:
 * GitHub keeps it in the run's review history (REST `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`,
 * and the run's page): the CLI reads it when the job gives it a token (`readEnvironmentApproval`, cli-support), and the
 * summary links the run either way.
 */
export function dispatchBlocks(context: DispatchContext): SummaryBlock[] {
  const blocks: SummaryBlock[] = [];
  if (context.actor) {
    const rerun =
      context.triggeringActor && context.triggeringActor !== context.actor
        ? `; this attempt started by ${context.triggeringActor}`
        : '';
    blocks.push(`Dispatched by: ${context.actor}${rerun}`);
  }
  if (context.environment) blocks.push(approvalLine(context.environment, context.approval, context.runUrl));
  if (context.runUrl) blocks.push({ label: 'Run (review history)', href: context.runUrl });
  return blocks;
}

/**
 * The job summary: result, reason, who dispatched and approved, link to the execution, the recovery time (RTO:
 * only for a real move that succeeded; any other run shows its duration), one row per step, and the report link.
 * `lastReadiness`: a dry run's lines of the last scheduled readiness verdicts and their age (issue 17,
 * readiness/last-readiness.ts), shown after the reason.
 */
export function automationSummary(
  inputs: FailoverInputs,
  run: AutomationRun,
  stillRunning = false,
  context: DispatchContext = {},
  lastReadiness: readonly string[] = [],
): JobSummary {
  const result = stillRunning ? `still ${run.status} (the job stopped following it)` : run.status;
  const blocks: SummaryBlock[] = [
    `Result: ${result}`,
    ...(run.failureMessage ? [run.failureMessage] : []),
    `Reason: ${inputs.reason}`,
    // A failback shows the readiness conditions it was allowed to go on without, and those it did (issue 17).
    ...(inputs.action === 'failback' ? overridesBlocks(inputs, run) : []),
    ...lastReadiness,
    ...dispatchBlocks(context),
    `Document ${run.documentName}, execution ${run.executionId}`,
    { label: 'Execution', href: executionConsoleUrl(inputs.region, run.executionId) },
  ];
  if (run.startedAt && run.endedAt) {
    // A failed, cancelled or timed-out automation recovered nothing: its duration is not a recovery time.
    const recovered = movesTheRegion(inputs) && !stillRunning && SUCCEEDED.has(run.status);
    const label = recovered ? 'RTO (automation start → end)' : 'Duration (automation start → end)';
    blocks.push(`${label}: ${span(run.startedAt, run.endedAt)}`);
  }
  blocks.push({
    header: ['step', 'action', 'status', 'started', 'ended', 'duration'],
    rows: run.steps.map((s) => [
      s.name,
      s.action ?? '',
      s.status,
      s.startedAt ? formatTime(s.startedAt) : '',
      s.endedAt ? formatTime(s.endedAt) : '',
      span(s.startedAt, s.endedAt),
    ]),
  });
  blocks.push(...trafficBlocks(run));
  if (inputs.action === 'recover') {
    blocks.push(...recoveryBlocks(run, inputs.region, inputs.dryRun));
  }
  if (inputs.action !== 'readiness') {
    // The ReportUrl of every runbook is the folder of its run summary (JSON): for recover the reports sit in it,
    // for the others it is no missing-transaction report (that is recover's, once the failed Region is back).
    const reportUrl = reportUrlOf(run);
    blocks.push(
      reportUrl
        ? { label: 'Run summary (JSON) in the report bucket', href: reportUrl }
        : `Run summary: none in the automation outputs (${REPORT_URL_OUTPUT})${inputs.dryRun ? ': a dry run writes none' : ''}`,
    );
  }
  if (inputs.action === 'failover' && !inputs.dryRun && SUCCEEDED.has(run.status)) {
    blocks.push(
      `Missing-transaction report: a failover writes none. Once ${inputs.region === inputs.primaryRegion ? inputs.standbyRegion : inputs.primaryRegion} is back, dispatch this workflow with action recover and region ${inputs.region}: it restores the old primary's snapshot, compares it with the writer here and links the report in its summary.`,
    );
  }
  const mode = inputs.dryRun ? ' (dry run)' : '';
  return { title: `${inputs.action}${mode} to ${inputs.region}`, blocks };
}

/** How a dispatch ended without an automation summary: invalid inputs, or an error on the way. */
export type DispatchStop =
  | { readonly kind: 'invalid-inputs'; readonly problems: readonly string[] }
  | { readonly kind: 'stopped'; readonly message: string; readonly exitCode: number };

/**
 * The job summary of a dispatch that ended without reporting an automation: invalid inputs (exit 2, every problem
 * listed, nothing called), or a refusal or an AWS error on the way (the message says what was and was not started).
 * The inputs may be invalid, so the title is made from their raw values.
 */
export function stoppedSummary(
  raw: { readonly action: string; readonly region: string; readonly dryRun: string; readonly reason: string },
  stop: DispatchStop,
  context: DispatchContext = {},
): JobSummary {
  const mode = raw.dryRun === 'false' ? '' : ' (dry run)';
  const what = `${raw.action || '(no action)'}${mode} to ${raw.region || '(no region)'}`;
  const reason = raw.reason ? [`Reason: ${raw.reason}`] : [];
  if (stop.kind === 'invalid-inputs') {
    return {
      title: `${what}: inputs invalid, nothing started`,
      blocks: [
        'Result: invalid inputs; no AWS call was made (exit 2)',
        { header: ['problem'], rows: stop.problems.map((problem) => [problem]) },
        ...reason,
        ...dispatchBlocks(context),
      ],
    };
  }
  return {
    title: `${what}: stopped`,
    blocks: [`Result: stopped (exit ${stop.exitCode})`, stop.message, ...reason, ...dispatchBlocks(context)],
  };
}
