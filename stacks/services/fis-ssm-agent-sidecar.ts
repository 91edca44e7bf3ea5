import { Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The image of the SSM agent sidecar (the repository the FIS User Guide's task definition example uses). */
export const SSM_AGENT_IMAGE = 'public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest';

/** The sidecar container's name. */
export const SSM_AGENT_CONTAINER = 'amazon-ssm-agent';

/**
 * What the sidecar runs: registers the task as an SSM managed instance tagged `ECS_TASK_ARN=<task arn>` (how FIS finds
 * the instance of a target task), runs the agent, and removes the activation and the managed instance when the task
 * stops. FIS User Guide, "Use the AWS FIS aws:ecs:task actions": "The container runs an AWS FIS defined script that
 * registers the Amazon ECS task as Managed Instance in the SSM service. Additionally, the script retrieves task
 * metadata to add tags to the Managed Instance." and "AWS FIS maps the target Amazon ECS tasks ... to a set of SSM
 * managed instances using a resource tag, ECS_TASK_ARN." This script is the project's own rendering of those steps
 * (unverified against AWS's script: check on the first game day that the tasks appear as managed instances).
 */
export const SSM_AGENT_SCRIPT = [
  'set -eu',
  'yum install -y -q jq procps awscli curl',
  'META=$(curl -fsS "${ECS_CONTAINER_METADATA_URI_V4}/task")',
  'TASK_ARN=$(echo "$META" | jq -er .TaskARN)',
  'ZONE=$(echo "$META" | jq -er .AvailabilityZone)',
  'REGION=${ZONE%?}',
  'ACTIVATION=$(aws ssm create-activation --region "$REGION" --iam-role "$MANAGED_INSTANCE_ROLE_NAME" --registration-limit 1 --default-instance-name "fis-${TASK_ARN##*/}" --tags "Key=ECS_TASK_ARN,Value=$TASK_ARN" "Key=ECS_TASK_AVAILABILITY_ZONE,Value=$ZONE")',
  'ACTIVATION_ID=$(echo "$ACTIVATION" | jq -er .ActivationId)',
  'amazon-ssm-agent -register -code "$(echo "$ACTIVATION" | jq -er .ActivationCode)" -id "$ACTIVATION_ID" -region "$REGION"',
  'stop_agent() { aws ssm delete-activation --region "$REGION" --activation-id "$ACTIVATION_ID" || true; INSTANCE=$(jq -r .ManagedInstanceID /var/lib/amazon/ssm/registration || true); [ -n "$INSTANCE" ] && aws ssm deregister-managed-instance --region "$REGION" --instance-id "$INSTANCE" || true; kill -TERM "$AGENT" 2>/dev/null || true; }',
  'trap stop_agent TERM INT',
  'amazon-ssm-agent & AGENT=$!',
  'wait "$AGENT"',
].join('\n');

/** Properties of {@link FisSsmAgentSidecar}. */
export interface FisSsmAgentSidecarProps {
  /** The task definition the sidecar joins. */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Where the sidecar logs (the service's log group). */
  readonly logGroup: logs.ILogGroup;
  /** The stream prefix of its logs. */
  readonly streamPrefix: string;
  /** The name of the role the task registers as a managed instance with (one per Region, see {@link FisManagedInstanceRole}). */
  readonly managedInstanceRole: iam.IRole;
}

/**
 * The SSM agent sidecar FIS's `aws:ecs:task-*` actions need: "To use aws:ecs:task actions, you will need to add a
 * container with an SSM Agent to your Amazon Elastic Container Service (Amazon ECS) task definition" (FIS User
 * Guide). Not essential: the service keeps serving if it stops. The task role gets what the FIS User Guide lists for
 * it ("ssm:CreateActivation, ssm:AddTagsToResource, iam:PassRole"), plus deleting its own activation and
 * deregistering its managed instance when the task stops.
 */
export class FisSsmAgentSidecar extends Construct {
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: FisSsmAgentSidecarProps) {
    super(scope, id);
    this.container = props.taskDefinition.addContainer(SSM_AGENT_CONTAINER, {
      image: ecs.ContainerImage.fromRegistry(SSM_AGENT_IMAGE),
      essential: false,
      memoryReservationMiB: 64,
      environment: { MANAGED_INSTANCE_ROLE_NAME: props.managedInstanceRole.roleName },
      entryPoint: ['/bin/bash', '-c'],
      command: [SSM_AGENT_SCRIPT],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: props.streamPrefix, logGroup: props.logGroup }),
    });
    const taskRole = props.taskDefinition.taskRole;
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'RegisterTaskAsManagedInstance',
          actions: ['ssm:CreateActivation', 'ssm:AddTagsToResource'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'RemoveItsRegistration',
          actions: ['ssm:DeleteActivation', 'ssm:DeregisterManagedInstance'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PassManagedInstanceRole',
          actions: ['iam:PassRole'],
          resources: [props.managedInstanceRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
        }),
      ],
    });
    policy.attachToRole(taskRole);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The task registers itself with SSM at start (CreateActivation and AddTagsToResource on an activation and a managed instance whose ids do not exist yet) and removes that registration when it stops; the ids cannot be named in advance.',
    });
  }
}

/**
 * The role a task's SSM agent acts as once registered (one per Region, shared by the services with the sidecar): the
 * FIS User Guide asks for it by name in the task definition ("set the environment variable MANAGED_INSTANCE_ROLE_NAME
 * to the name of the managed instance role"; the role is attached to the task registered as a managed instance).
 * Trusted by SSM, with AmazonSSMManagedInstanceCore (what an SSM managed instance's role usually carries; that it is
 * enough for the FIS documents is unverified).
 */
export class FisManagedInstanceRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { readonly roleName: string }) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'SSM managed instances of ECS tasks with the FIS SSM agent sidecar (game days)',
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'The FIS User Guide asks for AmazonSSMManagedInstanceCore on the role of the managed instances the ECS task sidecar registers; it is what the SSM agent needs to receive and report the fault commands.',
    });
  }
}
