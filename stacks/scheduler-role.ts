import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** Properties of {@link schedulerRole}. */
export interface SchedulerRoleProps {
  readonly description: string;
  /** @default - a name CloudFormation generates */
  readonly roleName?: string;
}

/**
 * The role an EventBridge Scheduler schedule of this stack uses to reach its target. Only schedules of this account's
 * default schedule group may assume it (confused-deputy prevention: the conditions CDK's own LambdaInvoke role
 * carries; EventBridge Scheduler User Guide, document history: "how the execution role is applied to a schedule group
 * resource when you implement confused deputy prevention"). The target adds what the role may do.
 */
export function schedulerRole(scope: Construct, id: string, props: SchedulerRoleProps): iam.Role {
  const stack = Stack.of(scope);
  return new iam.Role(scope, id, {
    ...(props.roleName ? { roleName: props.roleName } : {}),
    description: props.description,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: 'default',
          }),
        },
      },
    }),
  });
}
