import type { RetryPolicy } from 'cockatiel';
import { messageOf } from '../../core/errors';
import type { RegionSwitchExecutionSummary, RegionSwitchPlanEvaluation, RegionSwitchPlanStatus } from '../../ports';
import { awsCall } from './aws-call';
import {
  type AbbreviatedExecutionShape,
  isEndedExecutionState,
  type RegionSwitchApi,
  type ResourceWarningShape,
} from './region-switch-executions';

/**
 * Pages read of one paginated answer before giving up (100 items a page: 5,000 warnings or executions). A plan's
 * executions are "both current and historical" (API_ListPlanExecutions), so the list only grows; a bound keeps a
 * readiness run from paging without end through a service that keeps answering a `nextToken`.
 */
export const PLAN_STATUS_MAX_PAGES = 50;

/** What {@link readRegionSwitchPlanStatus} reads with. */
export interface RegionSwitchPlanStatusRead {
  readonly planArn: string;
  /** The Region whose data plane is asked. */
  readonly region: string;
  /** That Region's data plane. */
  readonly api: RegionSwitchApi;
  readonly policy: RetryPolicy;
  /** The execution as GetPlanExecution shows it (every page of its steps), asked in {@link region}. */
  readonly describe: (executionId: string, targetRegion: string) => Promise<RegionSwitchExecutionSummary>;
}

/**
 * One warning of a plan evaluation as one line: `<action> workflow <name>, step <step>, <resource>: <message>`, each
 * part that the warning has (API_ResourceWarning: `workflow`, `stepName` and `resourceArn` are optional,
 * `warningMessage` "The warning message about what needs to be corrected" is required).
 */
export function describeResourceWarning(warning: ResourceWarningShape): string {
  const workflow = warning.workflow
    ? `${warning.workflow.action ? `${warning.workflow.action} ` : ''}workflow${warning.workflow.name ? ` ${warning.workflow.name}` : ''}`
    : undefined;
  const where = [workflow, warning.stepName ? `step ${warning.stepName}` : undefined, warning.resourceArn]
    .filter((part): part is string => part !== undefined)
    .join(', ');
  const message = warning.warningMessage ?? 'no message given';
  return where ? `${where}: ${message}` : message;
}

/**
 * What readiness reads of a Region switch plan, in the data plane of one Region, and nothing else:
 *
 * - GetPlanEvaluationStatus, every page: "Retrieves the evaluation status of a Region switch plan. The evaluation
 *   status provides information about the last time the plan was evaluated and any warnings or issues detected"
 *   (API_GetPlanEvaluationStatus; `evaluationState` "Valid Values: passed | actionRequired | pendingEvaluation |
 *   unknown", `lastEvaluationTime` "The time of the last time that Region switch ran an evaluation of the plan").
 *   Warnings whose `warningStatus` is `resolved` (API_ResourceWarning: "active | resolved") are left out; any other
 *   status counts as active.
 * - ListPlanExecutions, every page ("both current and historical executions", API_ListPlanExecutions): the
 *   executions that have not ended (the states after which the SDK's PlanExecutionCompleted waiter stops are the
 *   ends; `pausedByFailedStep`, `pausedByOperator`, `pendingManualApproval` … are not), each described with
 *   GetPlanExecution for its steps, newest first; and the execution that ended last.
 *
 * Both are data-plane operations: the User Guide's table "Region switch API operations" answers "Data plane API: Yes"
 * for "Get plan evaluation status" and for GetPlanExecution (read in the docs.amazonaws.cn edition of the page; the row
 * of ListPlanExecutions was not seen, and the docs.aws.amazon.com excerpt was cut before these rows).
 *
 * The two reads are independent: a part that cannot be read is left out and {@link RegionSwitchPlanStatus.error}
 * names it; an AWS error is never thrown.
 */
export async function readRegionSwitchPlanStatus(read: RegionSwitchPlanStatusRead): Promise<RegionSwitchPlanStatus> {
  const [evaluation, executions] = await Promise.allSettled([readEvaluation(read), readExecutions(read)]);
  const errors = [evaluation, executions].flatMap((r) => (r.status === 'rejected' ? [messageOf(r.reason)] : []));
  const found = executions.status === 'fulfilled' ? executions.value : { running: [], errors: [] };
  errors.push(...found.errors);
  return {
    planArn: read.planArn,
    apiRegion: read.region,
    ...(evaluation.status === 'fulfilled' ? { evaluation: evaluation.value } : {}),
    running: found.running,
    ...(found.lastEnded ? { lastEnded: found.lastEnded } : {}),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}

async function readEvaluation(read: RegionSwitchPlanStatusRead): Promise<RegionSwitchPlanEvaluation> {
  const what = `GetPlanEvaluationStatus ${read.planArn} in ${read.region}`;
  let state: string | undefined;
  let lastEvaluatedAt: Date | undefined;
  const warnings: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (++pages > PLAN_STATUS_MAX_PAGES) {
      throw new Error(`${what}: still answering a nextToken after ${PLAN_STATUS_MAX_PAGES} pages of warnings`);
    }
    const page = await awsCall(read.policy, what, () =>
      read.api.getPlanEvaluationStatus({ planArn: read.planArn, ...(nextToken ? { nextToken } : {}) }),
    );
    state ??= page.evaluationState;
    lastEvaluatedAt ??= page.lastEvaluationTime;
    for (const warning of page.warnings ?? []) {
      if (warning.warningStatus !== 'resolved') warnings.push(describeResourceWarning(warning));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  if (!state) throw new Error(`${what}: Region switch answered without an evaluationState`);
  return { state, ...(lastEvaluatedAt ? { lastEvaluatedAt } : {}), warnings };
}

const startOf = (e: AbbreviatedExecutionShape) => e.startTime?.getTime() ?? Number.NEGATIVE_INFINITY;
const endOf = (e: AbbreviatedExecutionShape) => e.endTime?.getTime() ?? startOf(e);

async function readExecutions(read: RegionSwitchPlanStatusRead): Promise<{
  running: RegionSwitchExecutionSummary[];
  lastEnded?: RegionSwitchExecutionSummary;
  errors: string[];
}> {
  const what = `ListPlanExecutions ${read.planArn} in ${read.region}`;
  const items: AbbreviatedExecutionShape[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (++pages > PLAN_STATUS_MAX_PAGES) {
      throw new Error(`${what}: still answering a nextToken after ${PLAN_STATUS_MAX_PAGES} pages of executions`);
    }
    const page = await awsCall(read.policy, what, () =>
      read.api.listPlanExecutions({ planArn: read.planArn, ...(nextToken ? { nextToken } : {}) }),
    );
    items.push(...(page.items ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  // The order ListPlanExecutions answers in is not documented: sorted here by start (running) and end (ended).
  // An execution without a state is not known to have ended: it counts as running.
  const running = items
    .filter((e) => !e.executionState || !isEndedExecutionState(e.executionState))
    .sort((a, b) => startOf(b) - startOf(a));
  const ended = items.filter((e) => e.executionState && isEndedExecutionState(e.executionState));
  const last = ended.sort((a, b) => endOf(b) - endOf(a))[0];
  const errors: string[] = [];
  // Each running execution and the last ended one with their steps (the plan step's check reads which blocks of the
  // last one completed). What cannot be described keeps what the list said, and the error is named.
  const withSteps = async (e: AbbreviatedExecutionShape): Promise<RegionSwitchExecutionSummary> => {
    if (!e.executionId) return abbreviated(read, e);
    try {
      // Which Region `executionRegion` ("The Amazon Web Services Region for a plan execution") names is
      // UNVERIFIED: read as the execution's target Region, as RegionSwitchExecutions does.
      return await read.describe(e.executionId, e.executionRegion ?? 'unknown');
    } catch (error) {
      errors.push(messageOf(error));
      return abbreviated(read, e);
    }
  };
  const described = await Promise.all(running.map(withSteps));
  return { running: described, ...(last ? { lastEnded: await withSteps(last) } : {}), errors };
}

function abbreviated(read: RegionSwitchPlanStatusRead, e: AbbreviatedExecutionShape): RegionSwitchExecutionSummary {
  return {
    planArn: e.planArn ?? read.planArn,
    executionId: e.executionId ?? '(no id)',
    action: e.executionAction ?? 'unknown',
    targetRegion: e.executionRegion ?? 'unknown',
    mode: e.mode ?? 'unknown',
    state: e.executionState ?? 'unknown',
    apiRegion: read.region,
    adopted: false,
    ...(e.startTime ? { startedAt: e.startTime } : {}),
    ...(e.endTime ? { endedAt: e.endTime } : {}),
    steps: [],
  };
}
