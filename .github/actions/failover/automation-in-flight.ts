import {
  type AutomationExecutionStatus,
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsCaller } from '../cli-support/aws-retry';
import { AUTOMATION_PARAMETERS } from './automation-document-name';
import { executionConsoleUrl, isFinalStatus } from './automation-report';

/**
 * The automation statuses of an execution that has not ended: every `AutomationExecutionStatus` that is not final
 * (SSM API reference, AutomationExecution: "Pending | InProgress | Waiting | Success | TimedOut | Cancelling |
 * Cancelled | Failed | PendingApproval | Approved | Rejected | Scheduled | RunbookInProgress |
 * PendingChangeCalendarOverride | ChangeCalendarOverrideApproved | ChangeCalendarOverrideRejected |
 * CompletedWithSuccess | CompletedWithFailure | Exited"). Ten: the most one filter takes ("Maximum number of 10
 * items", AutomationExecutionFilter).
 */
export const IN_FLIGHT_STATUSES: readonly AutomationExecutionStatus[] = [
  'Pending',
  'InProgress',
  'Waiting',
  'Cancelling',
  'PendingApproval',
  'Approved',
  'Scheduled',
  'RunbookInProgress',
  'PendingChangeCalendarOverride',
  'ChangeCalendarOverrideApproved',
];

/** An execution of one of the deployment's runbook documents that has not ended. */
export interface InFlightExecution {
  readonly region: string;
  readonly executionId: string;
  readonly documentName: string;
  readonly status: string;
  /** Its `TargetRegion` parameter, when it has one. */
  readonly targetRegion?: string;
  /** Its `DryRun` parameter (`true`/`false`), when it has one. */
  readonly dryRun?: string;
  readonly startedAt?: Date;
}

/** An execution as read by id: what attaching or resuming checks. */
export interface ExecutionById extends InFlightExecution {
  readonly ended: boolean;
}

/**
 * The executions of any `<app>-<env>-*` document not yet ended in `region`: `DescribeAutomationExecutions` with the
 * filters `DocumentNamePrefix` and `ExecutionStatus` (AutomationExecutionFilter keys), then `GetAutomationExecution`
 * of each for its parameters (the execution metadata the list returns carries none).
 */
export async function inFlightExecutions(
  ssm: SSMClient,
  call: AwsCaller,
  region: string,
  documentPrefix: string,
): Promise<InFlightExecution[]> {
  const listed: InFlightExecution[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(`SSM DescribeAutomationExecutions ${documentPrefix}* in ${region}`, () =>
      ssm.send(
        new DescribeAutomationExecutionsCommand({
          Filters: [
            { Key: 'DocumentNamePrefix', Values: [documentPrefix] },
            { Key: 'ExecutionStatus', Values: [...IN_FLIGHT_STATUSES] },
          ],
          MaxResults: 50,
          NextToken: nextToken,
        }),
      ),
    );
    for (const item of page?.AutomationExecutionMetadataList ?? []) {
      if (!item.AutomationExecutionId || !item.DocumentName?.startsWith(documentPrefix)) continue;
      listed.push({
        region,
        executionId: item.AutomationExecutionId,
        documentName: item.DocumentName,
        status: item.AutomationExecutionStatus ?? 'Pending',
        ...(item.ExecutionStartTime ? { startedAt: item.ExecutionStartTime } : {}),
      });
    }
    nextToken = page?.NextToken;
  } while (nextToken);
  const withParameters: InFlightExecution[] = [];
  for (const execution of listed) {
    const read = await executionById(ssm, call, region, execution.executionId);
    withParameters.push(read ?? execution);
  }
  return withParameters;
}

/** An execution by id in `region`, with its parameters; `undefined` when SSM returns none. */
export async function executionById(
  ssm: SSMClient,
  call: AwsCaller,
  region: string,
  executionId: string,
): Promise<ExecutionById | undefined> {
  const result = await call(`SSM GetAutomationExecution ${executionId} in ${region}`, () =>
    ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId })),
  );
  const execution = result?.AutomationExecution;
  if (!execution) return undefined;
  const status = execution.AutomationExecutionStatus ?? 'Pending';
  const targetRegion = execution.Parameters?.[AUTOMATION_PARAMETERS.targetRegion]?.[0];
  const dryRun = execution.Parameters?.[AUTOMATION_PARAMETERS.dryRun]?.[0];
  return {
    region,
    executionId,
    documentName: execution.DocumentName ?? '',
    status,
    ended: isFinalStatus(status),
    ...(targetRegion ? { targetRegion } : {}),
    ...(dryRun ? { dryRun } : {}),
    ...(execution.ExecutionStartTime ? { startedAt: execution.ExecutionStartTime } : {}),
  };
}

/** One line naming an execution: document, id, status, Region, target and a console link. */
export function describeExecution(execution: InFlightExecution): string {
  const target = execution.targetRegion ? `, target ${execution.targetRegion}` : '';
  const dry = execution.dryRun === 'true' ? ', dry run' : '';
  return `${execution.documentName} (${execution.executionId}) is ${execution.status} in ${execution.region}${target}${dry}: ${executionConsoleUrl(execution.region, execution.executionId)}`;
}
