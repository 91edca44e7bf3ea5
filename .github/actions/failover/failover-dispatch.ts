import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCaller } from '../cli-support/aws-retry';
import { formatTime } from '../cli-support/clock';
import { CheckFailedError } from '../cli-support/exit-codes';
import { deployFreezeParameterName, FREEZING_ACTIONS, type FrozenRecord } from '../freeze/freeze-record';
import { writeDeployFreeze } from '../freeze/freeze-store';
import { automationDocumentName } from './automation-document-name';
import { describeExecution, executionById, type InFlightExecution, inFlightExecutions } from './automation-in-flight';
import { isFailedStatus } from './automation-report';
import {
  type AutomationDependencies,
  type FollowedAutomation,
  followAutomation,
  startAutomation,
} from './automation-run';
import type { FailoverInputs } from './failover-inputs';

/** What a dispatch needs from the outside world. */
export interface DispatchDependencies extends Omit<AutomationDependencies, 'ssm'> {
  /** The SSM client of a Region. */
  readonly ssmFor: (region: string) => SSMClient;
  /** The caller for the Region not moved to, which may be the failed one (fewer attempts). */
  readonly otherRegionCall: AwsCaller;
  /** The GitHub Actions run, kept in the freeze record. */
  readonly runUrl?: string;
}

/**
 * Whether an execution is a readiness dry run, such as the one every bake starts (the bake gate's readiness check):
 * it only reads, so it conflicts with no runbook (review D3). Its `DryRun` comes from `GetAutomationExecution` (the
 * list's `AutomationExecutionMetadata` carries no parameters; `AutomationExecution.Parameters`: "The key-value map of
 * execution parameters, which were supplied when calling StartAutomationExecution"); an execution whose parameters
 * could not be read has none and still counts (fail closed).
 */
function isReadinessDryRun(execution: InFlightExecution, readinessDocument: string): boolean {
  return execution.documentName === readinessDocument && execution.dryRun === 'true';
}

/** Whether this dispatch moves traffic and writers, so it freezes deploys first. */
function freezes(inputs: FailoverInputs): boolean {
  return !inputs.dryRun && (FREEZING_ACTIONS as readonly string[]).includes(inputs.action);
}

/**
 * Runs one dispatch of the failover workflow, never two automations at once:
 *
 * 1. with `execution_id`: an execution of this document and target still running is followed; one that ended
 *    without succeeding is resumed (a new execution with `ResumeExecutionId`); one that succeeded is reported;
 * 2. any execution of an `<app>-<env>-*` document not yet ended, in the target Region or the other one (a failback
 *    runs in the Region it moves to), except a readiness dry run (a bake's readiness check: it changes nothing),
 *    stops the dispatch, unless it is the only one and is this very action, target
 *    and dry-run setting: the dispatch then attaches to it (a re-dispatch after a cancelled or timed-out job);
 *    the other Region may be the failed one, so when it cannot be read the dispatch goes on;
 * 3. a real failover or switchover writes the deploy freeze in both Regions (at least one must take it) before
 *    `StartAutomationExecution`.
 */
export async function dispatchFailover(
  inputs: FailoverInputs,
  deps: DispatchDependencies,
): Promise<FollowedAutomation> {
  const { region, appName, envName, action } = inputs;
  const ssm = deps.ssmFor(region);
  const automation: AutomationDependencies = { ...deps, ssm };
  const documentName = automationDocumentName(appName, envName, action);
  const dryRun = String(inputs.dryRun);
  const other = region === inputs.primaryRegion ? inputs.standbyRegion : inputs.primaryRegion;
  const isThisDispatch = (e: InFlightExecution) =>
    e.region === region && e.documentName === documentName && e.targetRegion === region && e.dryRun === dryRun;

  let resumeExecutionId: string | undefined;
  if (inputs.executionId) {
    const given = await executionById(ssm, deps.call, region, inputs.executionId);
    if (!given) {
      throw new CheckFailedError(
        `execution_id: "${inputs.executionId}" returned no execution in ${region}; nothing was started`,
      );
    }
    if (!isThisDispatch(given)) {
      throw new CheckFailedError(
        `execution_id: "${inputs.executionId}" is ${given.documentName} to ${given.targetRegion ?? 'no TargetRegion'}${given.dryRun === 'true' ? ' (dry run)' : ''}; accepted: an execution of ${documentName} to ${region} with DryRun ${dryRun}. Nothing was started`,
      );
    }
    if (!given.ended) {
      deps.log(`Attached to ${documentName} in ${region}: execution ${given.executionId} (already ${given.status})`);
      return followAutomation(inputs, automation, given.executionId);
    }
    if (!isFailedStatus(given.status)) {
      deps.log(`${documentName} execution ${given.executionId} already ended ${given.status}; nothing to resume`);
      return followAutomation(inputs, automation, given.executionId);
    }
    resumeExecutionId = given.executionId;
  }

  const prefix = `${appName}-${envName}-`;
  const [here, there] = await Promise.all([
    inFlightExecutions(ssm, deps.call, region, prefix),
    inFlightExecutions(deps.ssmFor(other), deps.otherRegionCall, other, prefix).catch((error: unknown) => {
      deps.log(
        `Could not list the automations in flight in ${other} (it may be the failed Region); going on: ${error instanceof Error ? error.message : String(error)}`,
      );
      return [] as InFlightExecution[];
    }),
  ]);
  const readinessDocument = automationDocumentName(appName, envName, 'readiness');
  const inFlight: InFlightExecution[] = [];
  for (const execution of [...here, ...there]) {
    if (isReadinessDryRun(execution, readinessDocument)) {
      deps.log(`Not counted as in flight: ${describeExecution(execution)} (a readiness dry run changes nothing)`);
    } else {
      inFlight.push(execution);
    }
  }
  const only = inFlight[0];
  if (inFlight.length === 1 && only && isThisDispatch(only) && resumeExecutionId === undefined) {
    deps.log(`Attached to ${documentName} in ${region}: execution ${only.executionId} (already ${only.status})`);
    return followAutomation(inputs, automation, only.executionId);
  }
  if (inFlight.length > 0) {
    const stop = inFlight
      .map((e) => `aws ssm stop-automation-execution --region ${e.region} --automation-execution-id ${e.executionId}`)
      .join('; ');
    throw new CheckFailedError(
      [
        `Not starting ${documentName} to ${region}: ${inFlight.length === 1 ? 'a runbook automation is' : 'runbook automations are'} still running, and two must never run at once:`,
        ...inFlight.map((e) => `  - ${describeExecution(e)}`),
        `Wait for it to end, follow it (dispatch the same action and Region with execution_id set to its id), or stop it if it must not go on (${stop}).`,
      ].join('\n'),
    );
  }

  if (freezes(inputs)) {
    const record: FrozenRecord = {
      schemaVersion: 1,
      frozen: true,
      action: action as FrozenRecord['action'],
      targetRegion: region,
      reason: inputs.reason,
      at: formatTime(deps.clock.now()),
      ...(deps.runUrl ? { runUrl: deps.runUrl } : {}),
    };
    const write = await writeDeployFreeze(
      {
        regions: [inputs.primaryRegion, inputs.standbyRegion],
        parameterName: deployFreezeParameterName(appName, envName),
        record,
      },
      {
        ssmFor: deps.ssmFor,
        call: deps.call,
        callFor: (r) => (r === region ? deps.call : deps.otherRegionCall),
        log: deps.log,
      },
    );
    if (write.failed.length > 0) {
      deps.log(
        `The deploy freeze is set in ${write.written.join(', ')} only (deploys read both Regions, so one is enough)`,
      );
    }
  }
  const executionId = await startAutomation(inputs, automation, resumeExecutionId);
  return followAutomation(inputs, automation, executionId);
}
