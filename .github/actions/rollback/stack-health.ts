import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';
import { DEPLOYED_COMMIT_OUTPUT } from './deployed-commit';

/** A stack's state after the redeploy. */
export interface StackHealth {
  readonly stackName: string;
  /** The `StackStatus`, or `DOES_NOT_EXIST`. */
  readonly status: string;
  readonly reason?: string;
  readonly lastUpdated?: Date;
  /** The commit the stack runs: its `DeployedCommit` output, else its `DeployedCommit` tag. */
  readonly deployedCommit?: string;
}

/** The status reported for a stack `DescribeStacks` does not know. */
export const STACK_DOES_NOT_EXIST = 'DOES_NOT_EXIST';

/**
 * Whether a stack status means the last operation succeeded: a `*_COMPLETE` status that is neither a rollback
 * (`ROLLBACK_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`, `IMPORT_ROLLBACK_COMPLETE`: the operation failed and was undone)
 * nor `DELETE_COMPLETE`.
 */
export function isHealthyStackStatus(status: string): boolean {
  return status.endsWith('_COMPLETE') && !status.includes('ROLLBACK') && status !== 'DELETE_COMPLETE';
}

/** Why a stack is not healthy, or `undefined` when it is. */
export function stackProblem(stack: StackHealth): string | undefined {
  if (stack.status === STACK_DOES_NOT_EXIST) return `Stack "${stack.stackName}" does not exist`;
  if (isHealthyStackStatus(stack.status)) return undefined;
  return `Stack "${stack.stackName}" is ${stack.status}${stack.reason ? `: ${stack.reason}` : ''}`;
}

/** Why `record` refuses a stack that runs another commit. */
export const RECORD_COMMIT_MISMATCH = 'a re-run after a rollback, or an old run, never records its commit';

/** Why `verify` fails a redeployed stack that runs another commit (review M4(3), R7: a no-op redeploy). */
export const ROLLBACK_COMMIT_MISMATCH = 'the redeploy did not put the known-good release back';

/**
 * Why a stack cannot be shown to run `sha`, or `undefined` when its `DeployedCommit` is `sha`; `why` ends the
 * message of a mismatch.
 */
export function commitProblem(
  stack: StackHealth,
  sha: string,
  why: string = RECORD_COMMIT_MISMATCH,
): string | undefined {
  if (stack.deployedCommit === undefined) {
    return `Stack "${stack.stackName}" has no ${DEPLOYED_COMMIT_OUTPUT} output or tag, so it cannot be shown to run ${sha}`;
  }
  if (stack.deployedCommit !== sha) {
    return `Stack "${stack.stackName}" runs commit ${stack.deployedCommit} (its ${DEPLOYED_COMMIT_OUTPUT}), not ${sha}: ${why}`;
  }
  return undefined;
}

/** Reads each stack's status with `DescribeStacks`, in the given order. */
export async function describeStackHealth(
  client: CloudFormationClient,
  region: string,
  call: AwsCaller,
  stackNames: readonly string[],
): Promise<StackHealth[]> {
  const health: StackHealth[] = [];
  for (const stackName of stackNames) {
    try {
      const result = await call(`CloudFormation DescribeStacks ${stackName} in ${region}`, () =>
        client.send(new DescribeStacksCommand({ StackName: stackName })),
      );
      const stack = result.Stacks?.[0];
      if (!stack?.StackStatus) {
        health.push({ stackName, status: STACK_DOES_NOT_EXIST });
        continue;
      }
      const lastUpdated = stack.LastUpdatedTime ?? stack.CreationTime;
      const deployedCommit =
        stack.Outputs?.find((o) => o.OutputKey === DEPLOYED_COMMIT_OUTPUT)?.OutputValue ??
        stack.Tags?.find((t) => t.Key === DEPLOYED_COMMIT_OUTPUT)?.Value;
      health.push({
        stackName,
        status: stack.StackStatus,
        ...(stack.StackStatusReason ? { reason: stack.StackStatusReason } : {}),
        ...(lastUpdated ? { lastUpdated } : {}),
        ...(deployedCommit ? { deployedCommit } : {}),
      });
    } catch (error) {
      // CloudFormation answers a missing stack with a ValidationError "Stack with id <name> does not exist".
      const failure = error instanceof AwsCallError ? (error.failure as { name?: string; message?: string }) : {};
      if (failure.name === 'ValidationError' && /does not exist/.test(failure.message ?? '')) {
        health.push({ stackName, status: STACK_DOES_NOT_EXIST });
        continue;
      }
      throw error;
    }
  }
  return health;
}
