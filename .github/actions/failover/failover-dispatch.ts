import { randomUUID } from 'node:crypto';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCaller } from '../cli-support/aws-retry';
import { formatTime } from '../cli-support/clock';
import { CheckFailedError } from '../cli-support/exit-codes';
import {
  type ClearedRecord,
  deployFreezeParameterName,
  FREEZING_ACTIONS,
  type FrozenRecord,
  LIFTING_ACTIONS,
} from '../freeze/freeze-record';
import { clearCommand } from '../freeze/freeze-report';
import { type FreezeDependencies, writeDeployFreeze, writeFreeze } from '../freeze/freeze-store';
import { automationDocumentName } from './automation-document-name';
import { describeExecution, executionById, type InFlightExecution, inFlightExecutions } from './automation-in-flight';
import { isFailedStatus } from './automation-report';
import {
  type AutomationDependencies,
  type FollowedAutomation,
  followAutomation,
  startAutomation,
} from './automation-run';
import {
  dispatchLockParameterName,
  type HeldLock,
  LOCK_LEASE_MINUTES,
  LOCK_POLL_SECONDS,
  type LockDependencies,
  LockHeldError,
  releaseDispatchLock,
  takeDispatchLock,
} from './dispatch-lock';
import type { FailoverInputs } from './failover-inputs';
import {
  runbookStacks,
  STACK_WAIT_MINUTES,
  type StackOperationDependencies,
  stacksInProgress,
  waitForStacks,
} from './stack-operations';

/** What a dispatch needs from the outside world. */
export interface DispatchDependencies extends Omit<AutomationDependencies, 'ssm'> {
  /** The SSM client of a Region. */
  readonly ssmFor: (region: string) => SSMClient;
  /** The CloudFormation client of a Region (the stacks in progress, review D6). */
  readonly cloudFormationFor: StackOperationDependencies['cloudFormationFor'];
  /** The caller for the Region not moved to, which may be the failed one (fewer attempts). */
  readonly otherRegionCall: AwsCaller;
  /** The GitHub Actions run, kept in the freeze record. */
  readonly runUrl?: string;
  /** The dispatch lock's token of this dispatch. @default - a random UUID */
  readonly lockToken?: string;
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
 * 0. a real failover, switchover or failback first takes the dispatch lock (review D10, {@link takeLock}) and
 *    releases it once its automation started, or it attached or refused;
 * 1. with `execution_id`: an execution of this document and target still running is followed; one that ended
 *    without succeeding is resumed (a new execution with `ResumeExecutionId`); one that succeeded is reported;
 * 2. any execution of an `<app>-<env>-*` document not yet ended, in the target Region or the other one (a failback
 *    runs in the Region it moves to), except a readiness dry run (a bake's readiness check: it changes nothing),
 *    stops the dispatch, unless it is the only one and is this very action, target
 *    and dry-run setting: the dispatch then attaches to it (a re-dispatch after a cancelled or timed-out job);
 *    the other Region may be the failed one, so when it cannot be read the dispatch goes on;
 * 3. a real failover, switchover or failback writes the deploy freeze in both Regions (at least one must take it)
 *    before `StartAutomationExecution`;
 * 4. a real failover, switchover or failback waits (a bounded time) for CloudFormation operations on the stacks the
 *    runbooks depend on in the target Region, then refuses unless `ignore_stack_updates` (review D6);
 * 5. a real failback that succeeded lifts the freeze in both Regions (the only place that decides it).
 */
export async function dispatchFailover(inputs: FailoverInputs, deps: DispatchDependencies): Promise<DispatchResult> {
  const { region, appName, envName, action } = inputs;
  const began = deps.clock.now().getTime();
  const ssm = deps.ssmFor(region);
  const automation: AutomationDependencies = { ...deps, ssm };
  const documentName = automationDocumentName(appName, envName, action);
  const dryRun = String(inputs.dryRun);
  const other = region === inputs.primaryRegion ? inputs.standbyRegion : inputs.primaryRegion;
  const isThisDispatch = (e: InFlightExecution) =>
    e.region === region && e.documentName === documentName && e.targetRegion === region && e.dryRun === dryRun;

  const freezeDeps: FreezeDependencies = {
    ssmFor: deps.ssmFor,
    call: deps.call,
    callFor: (r) => (r === region ? deps.call : deps.otherRegionCall),
    log: deps.log,
  };
  // The job's credentials cover timeout_minutes of following plus STACK_WAIT_MINUTES before it (failover.yml): time
  // spent before following beyond that wait (a lock held by a twin dispatch) is taken off the following.
  const follow = (executionId: string) => {
    const spentMinutes = (deps.clock.now().getTime() - began) / 60_000;
    const timeoutMinutes = Math.max(
      1,
      Math.floor(inputs.timeoutMinutes - Math.max(0, spentMinutes - STACK_WAIT_MINUTES)),
    );
    return followAutomation({ ...inputs, timeoutMinutes }, automation, executionId);
  };
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
      return liftFreezeAfter(inputs, await follow(given.executionId), deps, freezeDeps);
    }
    if (!isFailedStatus(given.status)) {
      deps.log(`${documentName} execution ${given.executionId} already ended ${given.status}; nothing to resume`);
      return liftFreezeAfter(inputs, await follow(given.executionId), deps, freezeDeps);
    }
    resumeExecutionId = given.executionId;
  }

  // Review D10: the in-flight check and the start are separate calls, so two dispatches approved together could both
  // pass the check. A real failover, switchover or failback takes a lock in AWS first (a compare-and-set) and keeps
  // it until its automation started (or it refused); a dispatch finding the lock held waits to attach to the same
  // runbook and target, or refuses another.
  const lockDeps: LockDependencies = {
    ssmFor: deps.ssmFor,
    callFor: (r) => (r === region ? deps.call : deps.otherRegionCall),
    clock: deps.clock,
    log: deps.log,
  };
  const startOrAttach = async (): Promise<string> => {
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
      return only.executionId;
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

    const parameterName = deployFreezeParameterName(appName, envName);
    const regions = [inputs.primaryRegion, inputs.standbyRegion];
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
      const write = await writeDeployFreeze({ regions, parameterName, record }, freezeDeps);
      if (write.failed.length > 0) {
        deps.log(
          `The deploy freeze is set in ${write.written.join(', ')} only (deploys read both Regions, so one is enough)`,
        );
      }
    }
    if (freezes(inputs)) await checkStacks(inputs, deps, documentName);
    return startAutomation(inputs, automation, resumeExecutionId);
  };
  const lock = freezes(inputs) ? await takeLock(inputs, deps, lockDeps, documentName) : undefined;
  let executionId: string;
  try {
    executionId = await startOrAttach();
  } finally {
    if (lock) await releaseDispatchLock(lock, lockDeps);
  }
  return liftFreezeAfter(inputs, await follow(executionId), deps, freezeDeps);
}

/**
 * Takes the dispatch lock ({@link takeDispatchLock}). Held by a dispatch of the same runbook and target (two people
 * dispatched the same failover): waits, every {@link LOCK_POLL_SECONDS}, for it to be released (its automation then
 * runs, and this dispatch attaches to it), at most {@link LOCK_LEASE_MINUTES}. Held for anything else: refuses.
 *
 * @throws CheckFailedError naming the holder.
 */
async function takeLock(
  inputs: FailoverInputs,
  deps: DispatchDependencies,
  lockDeps: LockDependencies,
  documentName: string,
): Promise<HeldLock> {
  const parameterName = dispatchLockParameterName(inputs.appName, inputs.envName);
  const deadline = deps.clock.now().getTime() + LOCK_LEASE_MINUTES * 60_000;
  const record = {
    token: deps.lockToken ?? randomUUID(),
    action: inputs.action,
    targetRegion: inputs.region,
    ...(deps.runUrl ? { runUrl: deps.runUrl } : {}),
  };
  for (;;) {
    try {
      return await takeDispatchLock(
        [inputs.primaryRegion, inputs.standbyRegion],
        inputs.region,
        parameterName,
        record,
        lockDeps,
      );
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      const same = error.holder.action === inputs.action && error.holder.targetRegion === inputs.region;
      if (!same || deps.clock.now().getTime() >= deadline) {
        throw new CheckFailedError(
          `Not starting ${documentName} to ${inputs.region}: ${error.message}. Two runbooks must never start at once: ${same ? `it has not released the lock in ${LOCK_LEASE_MINUTES} minutes; dispatch again (a lock older than that is taken over)` : 'wait for its runbook to end, or follow it (dispatch that action and Region with execution_id set to its execution)'}. Nothing was started`,
        );
      }
      deps.log(`Waiting to attach to the same runbook: ${error.message}`);
      await deps.clock.sleep(LOCK_POLL_SECONDS * 1000);
    }
  }
}

/**
 * Review D6: a real failover, switchover or failback does not start while CloudFormation is still changing a stack
 * the runbooks depend on in the target Region ({@link runbookStacks}): it waits up to {@link STACK_WAIT_MINUTES}
 * (after writing the freeze, so no new wave starts meanwhile), then refuses, unless `ignore_stack_updates` says to
 * start anyway (checked once, and said in the log).
 *
 * @throws CheckFailedError naming each stack still in progress, its status and the override.
 */
async function checkStacks(inputs: FailoverInputs, deps: DispatchDependencies, documentName: string): Promise<void> {
  const region = inputs.region;
  const stacks = runbookStacks(inputs.appName, inputs.envName, region);
  const stackDeps: StackOperationDependencies = {
    cloudFormationFor: deps.cloudFormationFor,
    callFor: (r) => (r === region ? deps.call : deps.otherRegionCall),
    clock: deps.clock,
    log: deps.log,
  };
  if (inputs.ignoreStackUpdates) {
    for (const stack of await stacksInProgress(stacks, region, stackDeps)) {
      deps.log(
        `ignore_stack_updates: starting although CloudFormation is still changing ${stack.stackName} in ${stack.region} (${stack.status})`,
      );
    }
    return;
  }
  const inProgress = await waitForStacks(stacks, region, STACK_WAIT_MINUTES, stackDeps);
  if (inProgress.length === 0) return;
  throw new CheckFailedError(
    [
      `Not starting ${documentName} to ${region}: CloudFormation is still changing a stack the runbooks depend on, after waiting ${STACK_WAIT_MINUTES} minutes:`,
      ...inProgress.map((stack) => `  - ${stack.stackName} in ${stack.region} is ${stack.status}`),
      'Wait for it to end and dispatch again, or dispatch with ignore_stack_updates true to start anyway (the runbook may then act on resources CloudFormation is still changing). The deploy freeze stays set.',
    ].join('\n'),
  );
}

/** How a dispatch ended: the automation as followed, and whether a freeze its success should lift stayed. */
export interface DispatchResult extends FollowedAutomation {
  /** Set when the automation succeeded and should have lifted the freeze, but a Region did not take the lifting. */
  readonly freezeNotLifted?: string;
}

/**
 * After a real failback that ended `Success` (the actions of {@link LIFTING_ACTIONS}), lifts the deploy freeze in
 * both Regions: traffic and writers are back where the pipeline deploys them (review D5). Anything else (a failback
 * that failed, timed out or is still running) leaves the freeze in force. Every Region must take the lifting: one
 * still holding the freeze keeps deploys frozen (the check reads both).
 */
async function liftFreezeAfter(
  inputs: FailoverInputs,
  followed: FollowedAutomation,
  deps: DispatchDependencies,
  freezeDeps: FreezeDependencies,
): Promise<DispatchResult> {
  const lifts = freezes(inputs) && LIFTING_ACTIONS.includes(inputs.action as FrozenRecord['action']);
  if (!lifts || !followed.ended || followed.run.status !== 'Success') return followed;
  const regions = [inputs.primaryRegion, inputs.standbyRegion];
  const record: ClearedRecord = {
    schemaVersion: 1,
    frozen: false,
    reason:
      `${inputs.action} to ${inputs.region} succeeded (execution ${followed.run.executionId}): ${inputs.reason}`.slice(
        0,
        2000,
      ),
    at: formatTime(deps.clock.now()),
    ...(deps.runUrl ? { runUrl: deps.runUrl } : {}),
  };
  const write = await writeFreeze(
    regions,
    deployFreezeParameterName(inputs.appName, inputs.envName),
    record,
    freezeDeps,
  );
  if (write.failed.length === 0) return followed;
  return {
    ...followed,
    freezeNotLifted: `The ${inputs.action} succeeded but the deploy freeze was NOT lifted in ${write.failed.map((f) => f.region).join(', ')} (deploys stay frozen until it is):\n${write.failed.map((f) => `  - ${f.region}: ${f.error}`).join('\n')}\nLift it with the failover or break-glass role: ${clearCommand(regions, inputs.appName, inputs.envName)}`,
  };
}
