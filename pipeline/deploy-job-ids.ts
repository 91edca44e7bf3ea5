import { Stack, type Stage } from 'aws-cdk-lib';

/** The job id cdk-pipelines-github gives the deploy of `stack`: `<stage id>-<stack name>-Deploy`. */
export function deployJobId(stack: Stack): string {
  const stage = stack.node.scope?.node.id;
  return `${stage}-${stack.stackName}-Deploy`;
}

/** The id of the rollback job of a Region. */
export function rollbackJobId(role: 'primary' | 'standby'): string {
  return `Rollback-${role === 'primary' ? 'Primary' : 'Standby'}`;
}

/** The id of every wave's approval step; its job is `<stage id>-Approve`. */
export const APPROVAL_STEP_ID = 'Approve';

/** The id of every wave's freeze guard step; its job is `<stage id>-FreezeGuard`. */
export const FREEZE_GUARD_STEP_ID = 'FreezeGuard';

/** The jobs of the waves that deploy `stages`: each wave's approval and freeze guard, and every stack's deploy. */
export function waveJobIds(stages: readonly Stage[]): string[] {
  return stages.flatMap((stage) => [
    `${stage.node.id}-${APPROVAL_STEP_ID}`,
    `${stage.node.id}-${FREEZE_GUARD_STEP_ID}`,
    ...stage.node
      .findAll()
      .filter((c): c is Stack => Stack.isStack(c))
      .map((stack) => deployJobId(stack)),
  ]);
}
