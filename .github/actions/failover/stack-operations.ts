import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ARC_CONTROL_PLANE_REGION } from '../../../stacks/arc-control-plane-region';
import { stackNames } from '../../../stacks/naming/stack-names';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';
import type { Clock } from '../cli-support/clock';

/**
 * How long a failover, switchover or failback waits for CloudFormation to finish changing a stack of the target
 * Region before it refuses (review D6): a stack update of this pipeline takes a few minutes (the deploy freeze the
 * dispatch wrote first stops the next wave, so no new one starts meanwhile), and an incident cannot wait longer.
 */
export const STACK_WAIT_MINUTES = 5;

/** Seconds between two reads of the stacks while waiting. */
export const STACK_POLL_SECONDS = 15;

/** A CloudFormation stack a runbook depends on, and the Region it lives in. */
export interface RunbookStack {
  readonly region: string;
  readonly stackName: string;
}

/**
 * The stacks the runbooks depend on when they move traffic and writers to `targetRegion`: its network, data,
 * services and runbooks stacks, and the global routing stack in the ARC control-plane Region (named by
 * `stacks/naming/stack-names.ts`, as the stacks themselves are).
 */
export function runbookStacks(appName: string, envName: string, targetRegion: string): RunbookStack[] {
  const names = stackNames(appName, envName);
  return [
    ...[names.network, names.data, names.services, names.runbooks].map((name) => ({
      region: targetRegion,
      stackName: name(targetRegion),
    })),
    { region: ARC_CONTROL_PLANE_REGION, stackName: names.routing },
  ];
}

/** A stack CloudFormation is still changing. */
export interface StackInProgress extends RunbookStack {
  /** Its `StackStatus`, one ending `_IN_PROGRESS`. */
  readonly status: string;
}

/** What reading the stacks needs from the outside world. */
export interface StackOperationDependencies {
  /** The CloudFormation client of a Region. */
  readonly cloudFormationFor: (region: string) => CloudFormationClient;
  /** The caller for a Region (fewer attempts for one that may be the failed one). */
  readonly callFor: (region: string) => AwsCaller;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/**
 * Whether a stack status is an operation not yet ended. CloudFormation, "Stack status codes": every status ending
 * `_IN_PROGRESS` is ongoing (`CREATE_IN_PROGRESS` "Ongoing creation of one or more stacks", `UPDATE_IN_PROGRESS`
 * "Ongoing update of one or more stacks", `UPDATE_COMPLETE_CLEANUP_IN_PROGRESS` "Ongoing removal of old resources
 * for one or more stacks after a successful stack update", `ROLLBACK_IN_PROGRESS`, `DELETE_IN_PROGRESS`,
 * `REVIEW_IN_PROGRESS`, `IMPORT_IN_PROGRESS`, ...).
 */
export function isInProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS');
}

/**
 * Reads each stack with `DescribeStacks` (by name) and returns those in progress. A stack that does not exist
 * (CloudFormation answers `ValidationError` "Stack with id <name> does not exist", e.g. a routing stack never
 * deployed) changes nothing. A stack of the target Region that cannot be read stops the dispatch (the start would
 * fail there too); one in another Region (the routing stack's, which may be the failed Region) is logged and skipped.
 */
export async function stacksInProgress(
  stacks: readonly RunbookStack[],
  targetRegion: string,
  deps: StackOperationDependencies,
): Promise<StackInProgress[]> {
  const read = await Promise.all(
    stacks.map(async (stack): Promise<StackInProgress | undefined> => {
      try {
        const result = await deps.callFor(stack.region)(
          `CloudFormation DescribeStacks ${stack.stackName} in ${stack.region}`,
          () => deps.cloudFormationFor(stack.region).send(new DescribeStacksCommand({ StackName: stack.stackName })),
        );
        const status = result?.Stacks?.[0]?.StackStatus;
        return status && isInProgress(status) ? { ...stack, status } : undefined;
      } catch (error) {
        const failure = (error instanceof AwsCallError ? error.failure : error) as { name?: string; message?: string };
        if (failure?.name === 'ValidationError' && /does not exist/.test(failure.message ?? '')) return undefined;
        if (stack.region === targetRegion) throw error;
        deps.log(
          `Could not read ${stack.stackName} in ${stack.region} (that Region may be the failed one); going on: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      }
    }),
  );
  return read.filter((stack): stack is StackInProgress => stack !== undefined);
}

/**
 * Reads the stacks every {@link STACK_POLL_SECONDS} until none is in progress or `waitMinutes` have passed.
 *
 * @returns the stacks still in progress after the wait (none: go on).
 */
export async function waitForStacks(
  stacks: readonly RunbookStack[],
  targetRegion: string,
  waitMinutes: number,
  deps: StackOperationDependencies,
): Promise<StackInProgress[]> {
  const deadline = deps.clock.now().getTime() + waitMinutes * 60_000;
  let inProgress = await stacksInProgress(stacks, targetRegion, deps);
  if (inProgress.length > 0) {
    deps.log(
      `Waiting for CloudFormation in ${targetRegion} (at most ${waitMinutes} minutes): ${inProgress.map(describeStack).join(', ')}`,
    );
  }
  while (inProgress.length > 0 && deps.clock.now().getTime() < deadline) {
    await deps.clock.sleep(Math.min(STACK_POLL_SECONDS * 1000, deadline - deps.clock.now().getTime()));
    inProgress = await stacksInProgress(stacks, targetRegion, deps);
  }
  return inProgress;
}

/** `<stack> is <status>`, with the Region when it is not the target's. */
export function describeStack(stack: StackInProgress): string {
  return `${stack.stackName} is ${stack.status}`;
}
