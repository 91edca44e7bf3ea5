import { randomUUID } from 'node:crypto';
import {
  type AutomationExecution,
  DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand,
  type SSMClient,
  StartAutomationExecutionCommand,
  type StepExecution,
} from '@aws-sdk/client-ssm';
import type { AwsCaller } from '../cli-support/aws-retry';
import { type Clock, formatDuration } from '../cli-support/clock';
import { CheckFailedError } from '../cli-support/exit-codes';
import {
  AUTOMATION_PARAMETERS,
  automationDocumentName,
  FAILOVER_AT_PARAMETER,
  OVERRIDES_PARAMETER,
  RESUME_EXECUTION_PARAMETER,
} from './automation-document-name';
import {
  type AutomationRun,
  type AutomationStep,
  executionConsoleUrl,
  isFinalStatus,
  stepLine,
} from './automation-report';
import type { FailoverInputs } from './failover-inputs';

/**
 * What starting and following one runbook automation needs of the failover inputs: the bake gate's readiness dry run
 * (`.github/actions/bake-gate/bake-readiness.ts`) passes these without the failover's other inputs.
 */
export type AutomationInputs = Pick<
  FailoverInputs,
  'action' | 'region' | 'dryRun' | 'reason' | 'appName' | 'envName' | 'pollSeconds' | 'timeoutMinutes'
> &
  Pick<Partial<FailoverInputs>, 'failoverAt' | 'overrides'>;

/** What following an automation needs from the outside world. */
export interface AutomationDependencies {
  readonly ssm: SSMClient;
  readonly call: AwsCaller;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** The idempotency token of the start request. @default - a random UUID */
  readonly clientToken?: string;
}

/** How following an automation ended. */
export interface FollowedAutomation {
  /** The execution as last seen. */
  readonly run: AutomationRun;
  /** `true` when it reached a final status; `false` when the job stopped following it after `timeoutMinutes`. */
  readonly ended: boolean;
}

function toStep(step: StepExecution, index: number): AutomationStep {
  return {
    key: step.StepExecutionId ?? String(index),
    name: step.StepName ?? `step ${index + 1}`,
    status: step.StepStatus ?? 'Pending',
    ...(step.Action ? { action: step.Action } : {}),
    ...(step.ExecutionStartTime ? { startedAt: step.ExecutionStartTime } : {}),
    ...(step.ExecutionEndTime ? { endedAt: step.ExecutionEndTime } : {}),
    ...(step.FailureMessage ? { failureMessage: step.FailureMessage } : {}),
    ...(step.Outputs ? { outputs: step.Outputs } : {}),
  };
}

function toRun(
  execution: AutomationExecution,
  executionId: string,
  documentName: string,
  steps: StepExecution[],
): AutomationRun {
  return {
    executionId,
    documentName,
    status: execution.AutomationExecutionStatus ?? 'Pending',
    steps: steps.map(toStep),
    outputs: execution.Outputs ?? {},
    ...(execution.Parameters ? { parameters: execution.Parameters } : {}),
    ...(execution.ExecutionStartTime ? { startedAt: execution.ExecutionStartTime } : {}),
    ...(execution.ExecutionEndTime ? { endedAt: execution.ExecutionEndTime } : {}),
    ...(execution.FailureMessage ? { failureMessage: execution.FailureMessage } : {}),
  };
}

/**
 * Starts the runbook's SSM Automation in the target Region. The start carries a client token, so a retried start
 * never launches a second execution. With `resumeExecutionId` the new execution resumes that earlier, unfinished
 * one from its journal (the documents' `ResumeExecutionId` parameter).
 *
 * @returns the new execution's id.
 */
export async function startAutomation(
  inputs: AutomationInputs,
  deps: AutomationDependencies,
  resumeExecutionId?: string,
): Promise<string> {
  const { ssm, call, log } = deps;
  const region = inputs.region;
  const documentName = automationDocumentName(inputs.appName, inputs.envName, inputs.action);
  const clientToken = deps.clientToken ?? randomUUID();
  const started = await call(`SSM StartAutomationExecution ${documentName} in ${region}`, () =>
    ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: documentName,
        Parameters: {
          [AUTOMATION_PARAMETERS.targetRegion]: [region],
          [AUTOMATION_PARAMETERS.dryRun]: [String(inputs.dryRun)],
          [AUTOMATION_PARAMETERS.reason]: [inputs.reason],
          ...(resumeExecutionId ? { [RESUME_EXECUTION_PARAMETER]: [resumeExecutionId] } : {}),
          ...(inputs.failoverAt ? { [FAILOVER_AT_PARAMETER]: [inputs.failoverAt] } : {}),
          // Only failback declares Overrides (the CLI refuses it with any other action); none given: the document's
          // default, every condition must hold.
          ...(inputs.overrides && inputs.overrides.length > 0
            ? { [OVERRIDES_PARAMETER]: [inputs.overrides.join(',')] }
            : {}),
        },
        ClientToken: clientToken,
      }),
    ),
  );
  const executionId = started.AutomationExecutionId;
  if (!executionId)
    throw new CheckFailedError(`SSM StartAutomationExecution ${documentName} in ${region} returned no execution id`);
  const resuming = resumeExecutionId ? `, resuming ${resumeExecutionId}` : '';
  log(`Started ${documentName} in ${region}${inputs.dryRun ? ' (dry run)' : ''}: execution ${executionId}${resuming}`);
  log(executionConsoleUrl(region, executionId));
  return executionId;
}

/** Starts the runbook's SSM Automation and follows it: {@link startAutomation}, then {@link followAutomation}. */
export async function runAutomation(
  inputs: AutomationInputs,
  deps: AutomationDependencies,
): Promise<FollowedAutomation> {
  return followAutomation(inputs, deps, await startAutomation(inputs, deps));
}

/**
 * Follows an execution in the target Region until it ends: one `GetAutomationExecution` every `pollSeconds` (SSM
 * has no waiter for it), a line for every step whose status changes.
 *
 * @returns the execution as it ended (successful or not), or as last seen when it has not ended after
 *   `timeoutMinutes` (the automation keeps running in SSM).
 */
export async function followAutomation(
  inputs: AutomationInputs,
  deps: AutomationDependencies,
  executionId: string,
): Promise<FollowedAutomation> {
  const { ssm, call, clock, log } = deps;
  const region = inputs.region;
  const since = clock.now();
  const documentName = automationDocumentName(inputs.appName, inputs.envName, inputs.action);
  const deadline = since.getTime() + inputs.timeoutMinutes * 60_000;
  const seen = new Map<string, string>();
  let status = '';
  for (;;) {
    const now = clock.now();
    const { AutomationExecution: execution } = await call(
      `SSM GetAutomationExecution ${executionId} in ${region}`,
      () => ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId })),
    );
    if (!execution)
      throw new CheckFailedError(`SSM GetAutomationExecution ${executionId} in ${region} returned no execution`);
    const steps = execution.StepExecutionsTruncated
      ? await allSteps(ssm, call, region, executionId)
      : (execution.StepExecutions ?? []);
    const run = toRun(execution, executionId, documentName, steps);
    for (const step of run.steps) {
      if (seen.get(step.key) !== step.status && !(step.status === 'Pending' && !seen.has(step.key))) {
        log(stepLine(step, now.getTime() - since.getTime()));
      }
      seen.set(step.key, step.status);
    }
    if (run.status !== status) {
      log(`[+${formatDuration(now.getTime() - since.getTime())}] automation: ${run.status}`);
      status = run.status;
    }
    if (isFinalStatus(run.status)) return { run, ended: true };
    if (now.getTime() >= deadline) {
      log(`Stopped following ${documentName} after ${inputs.timeoutMinutes} minutes; it keeps running in SSM`);
      return { run, ended: false };
    }
    await clock.sleep(Math.min(inputs.pollSeconds * 1000, deadline - now.getTime()));
  }
}

/** Every step of an execution whose `StepExecutions` came back truncated. */
async function allSteps(
  ssm: SSMClient,
  call: AwsCaller,
  region: string,
  executionId: string,
): Promise<StepExecution[]> {
  const steps: StepExecution[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(`SSM DescribeAutomationStepExecutions ${executionId} in ${region}`, () =>
      ssm.send(
        new DescribeAutomationStepExecutionsCommand({
          AutomationExecutionId: executionId,
          MaxResults: 50,
          NextToken: nextToken,
        }),
      ),
    );
    steps.push(...(page.StepExecutions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return steps;
}
