import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GAMEDAY_EXPERIMENT_TAG, type GameDayExperiment, gameDayNames } from '../naming/gameday-names';
import { acknowledgeWildcardResources, type WildcardReasons } from '../runbooks/wildcard-acknowledgements';

/** The database port the ECS task fault blackholes (Aurora PostgreSQL). */
const DATABASE_PORT = 5432;

/**
 * The SSM document FIS runs in a task's SSM agent sidecar for `aws:ecs:task-network-blackhole-port` (FIS User Guide,
 * "Use the AWS FIS aws:ecs:task actions": "These actions use AWS Systems Manager (SSM) documents to inject faults").
 */
const BLACKHOLE_DOCUMENT = 'AWSFIS-Run-Network-Blackhole-Port-ECS';

/** Why each wildcard resource of the experiment role is needed (cdk-nag AwsSolutions-IAM5, one finding at a time). */
const EXPERIMENT_WILDCARDS: WildcardReasons = [
  [
    /^\*$/,
    'Describe calls, tag:GetResources, ssm:ListCommands and ssm:CancelCommand, log deliveries and CloudWatch Logs resource policies take no resource-level permission (Service Authorization Reference).',
  ],
  [
    /:(route-table|prefix-list)\/\*$/,
    'FIS creates the route tables and prefix lists of the isolation during the experiment, so their ids cannot be named; creating, changing and deleting them is limited by the managedByFIS tag.',
  ],
  [
    /:managed-instance\/\*$/,
    'Each task registers its SSM agent sidecar as a managed instance when it starts, under an id that cannot be known before, and FIS sends the fault command to it.',
  ],
  [
    /:(task|container-instance)\/[^/]+\/\*$/,
    'ECS task (and container instance) ids change with every task the services start; the resource names the cluster, and FIS selects the tasks of the named services.',
  ],
  [
    /:automation-(execution\/\*|definition\/.+:\*)$/,
    'The failover runbook execution FIS starts gets its id when it starts, and the automation definition is authorized per document version.',
  ],
];

/** An ECS service of the failed Region whose tasks get the database blackhole. */
export interface EcsFaultTarget {
  /** The ECS cluster name. */
  readonly cluster: string;
  /** The ECS service name. */
  readonly service: string;
}

/** Properties of {@link GameDayExperiments}. */
export interface GameDayExperimentsProps {
  readonly appName: string;
  readonly envName: string;
  /** The other Region: the destination the isolation cuts off, and the Region whose canary alarm stops the experiments. */
  readonly peerRegion: string;
  /**
   * The OTHER Region's canary alarm: the stop condition of every experiment here. Required: no experiment is created
   * without it, and an alarm of this Region is refused (a game day fails this Region; it must stop when the surviving
   * one suffers).
   */
  readonly stopConditionAlarm: { readonly region: string; readonly alarmName: string };
  /** The subnets whose outbound cross-Region traffic the isolation blocks (the Region's task subnets). */
  readonly subnets: readonly ec2.ISubnet[];
  /** The VPC of those subnets (FIS creates its temporary route tables in it). */
  readonly vpcId: string;
  /** The DynamoDB global tables whose replicas in this Region pause replicating. */
  readonly globalTableNames: readonly string[];
  /** The ECS services whose tasks lose their database connection (must run the SSM agent sidecar). */
  readonly ecsTargets: readonly EcsFaultTarget[];
  /** ARN of the surviving (other) Region's failover SSM Automation document. */
  readonly failoverDocumentArn: string;
  /** ARN of the role the failover document runs as (passed to SSM by FIS). */
  readonly failoverAutomationRoleArn: string;
  /**
   * How long the isolation lasts, ISO 8601. FIS User Guide, Cross-Region: Connectivity: "By default, the scenario
   * blocks traffic for 3 hours, which you can increase up to a maximum 12 Hour duration."
   *
   * @default 'PT1H'
   */
  readonly isolationDuration?: string;
}

/**
 * The FIS experiment templates of one Region, each tagged `gameday: <app>-<env>` and `gameday-experiment: <name>`,
 * stopped by the other Region's canary alarm, logging to CloudWatch Logs:
 *
 * - `region-isolation`: the actions of AWS's "Cross-Region: Connectivity" scenario that have targets here (route-table
 *   disruption of the task subnets towards the other Region, the DynamoDB global tables' replication paused; the
 *   project uses no transit gateway and replicates no S3 bucket, so those two actions have nothing to act on) and an
 *   ECS task fault: the database writers' tasks lose the Aurora port.
 * - `aurora-global-failover`: starts the project's own failover SSM Automation document of the other Region.
 */
export class GameDayExperiments extends Construct {
  /** The role FIS runs the experiments with. */
  readonly role: iam.Role;
  /** Where the experiments log. */
  readonly logGroup: logs.LogGroup;
  /** The templates, by experiment name. */
  readonly templates: Readonly<Record<GameDayExperiment, fis.CfnExperimentTemplate>>;

  constructor(scope: Construct, id: string, props: GameDayExperimentsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarm = props.stopConditionAlarm;
    if (!alarm?.alarmName || alarm.region === stack.region || alarm.region !== props.peerRegion) {
      throw new Error(
        `stopConditionAlarm: ${JSON.stringify(alarm)} is not accepted; accepted: a CloudWatch alarm of the other Region (${props.peerRegion}), never one of ${stack.region}`,
      );
    }
    const stopConditionAlarmArn = stack.formatArn({
      service: 'cloudwatch',
      region: alarm.region,
      resource: 'alarm',
      resourceName: alarm.alarmName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const names = gameDayNames(props.appName, props.envName, stack.region);
    const duration = props.isolationDuration ?? 'PT1H';

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: names.experimentLogGroup,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: names.experimentRole,
      description: `FIS runs the ${names.tag.value} game-day experiments of ${stack.region} with this role`,
      // FIS User Guide, "Prevent cross-service confused deputy": use aws:SourceAccount in the role's trust policy.
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.grant(stack, props);

    // FIS API, CreateExperimentTemplateStopConditionInput: "Specify aws:cloudwatch:alarm if the stop condition is
    // defined by a CloudWatch alarm"; value: "The Amazon Resource Name (ARN) of the CloudWatch alarm."
    const stopConditions = [{ source: 'aws:cloudwatch:alarm', value: stopConditionAlarmArn }];
    // "The current schema version is 2." (FIS User Guide, Experiment logging.)
    const logConfiguration = {
      logSchemaVersion: 2,
      // The property is untyped in aws-cdk-lib (passed through as written): CloudFormation's own casing.
      cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn },
    };
    const tags = (experiment: GameDayExperiment) => ({
      [names.tag.key]: names.tag.value,
      [GAMEDAY_EXPERIMENT_TAG]: experiment,
      Name: `${names.tag.value}-${stack.region}-${experiment}`,
    });
    // A missing target is a broken game day, not a skipped action: resolution fails loudly.
    const experimentOptions = { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' };

    const isolationTargets: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty> = {
      Subnets: {
        resourceType: 'aws:ec2:subnet',
        resourceArns: props.subnets.map((subnet) => this.subnetArn(stack, subnet.subnetId)),
        selectionMode: 'ALL',
      },
      GlobalTables: {
        resourceType: 'aws:dynamodb:global-table',
        resourceArns: props.globalTableNames.map((table) =>
          stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: table }),
        ),
        selectionMode: 'ALL',
      },
    };
    const isolationActions: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateActionProperty> = {
      // FIS User Guide, Cross-Region: Connectivity: "It includes blocking network traffic from the experiment Region
      // to the destination Region by targeting transit gateways and route tables." The project's VPCs use no transit
      // gateway, so only the route-table action has targets (the scenario itself: "By default, actions for which no
      // targets are found will be skipped").
      DisruptSubnetConnectivity: {
        actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
        description: `Blocks traffic from the task subnets to ${props.peerRegion}`,
        parameters: { duration, region: props.peerRegion },
        targets: { Subnets: 'Subnets' },
      },
      // Same scenario: "It also pauses cross-Region replication for S3 and DynamoDB." (No S3 bucket of the project is
      // replicated: the report buckets are per Region, so aws:s3:bucket-pause-replication has nothing to pause.)
      PauseGlobalTableReplication: {
        actionId: 'aws:dynamodb:global-table-pause-replication',
        description: 'Pauses replication of the global tables to and from this Region',
        parameters: { duration },
        targets: { Tables: 'GlobalTables' },
      },
    };
    props.ecsTargets.forEach((target, index) => {
      const key = `Tasks${index}`;
      isolationTargets[key] = {
        resourceType: 'aws:ecs:task',
        parameters: { cluster: target.cluster, service: target.service },
        selectionMode: 'ALL',
      };
      // FIS User Guide, "Use the AWS FIS aws:ecs:task actions": "These actions use AWS Systems Manager (SSM) documents
      // to inject faults. To use aws:ecs:task actions, you will need to add a container with an SSM Agent to your
      // Amazon Elastic Container Service (Amazon ECS) task definition." useEcsFaultInjectionEndpoints uses the ECS
      // fault injection endpoints, which "only accept requests from tasks that have enabled fault injection" (ECS
      // Developer Guide, "Amazon ECS fault injection endpoints").
      isolationActions[`BlackholeDatabase${index}`] = {
        actionId: 'aws:ecs:task-network-blackhole-port',
        description: `${target.service} tasks lose the database port ${DATABASE_PORT}`,
        parameters: {
          duration,
          port: String(DATABASE_PORT),
          protocol: 'tcp',
          trafficType: 'egress',
          useEcsFaultInjectionEndpoints: 'true',
        },
        targets: { Tasks: key },
      };
    });

    const regionIsolation = new fis.CfnExperimentTemplate(this, 'RegionIsolation', {
      description: `Game day: isolate ${stack.region} from ${props.peerRegion} (Cross-Region: Connectivity) and cut its database writers off`,
      roleArn: this.role.roleArn,
      stopConditions,
      targets: isolationTargets,
      actions: isolationActions,
      logConfiguration,
      experimentOptions,
      tags: tags('region-isolation'),
    });

    const auroraFailover = new fis.CfnExperimentTemplate(this, 'AuroraGlobalFailover', {
      description: `Game day: fail the Aurora global databases over to ${props.peerRegion} with the project's failover runbook`,
      roleArn: this.role.roleArn,
      stopConditions,
      // aws:ssm:start-automation-execution takes the document's ARN and parameters and no target (FIS actions
      // reference). The document lives in the other Region: whether FIS starts it there is unverified (README).
      targets: {},
      actions: {
        StartFailoverRunbook: {
          actionId: 'aws:ssm:start-automation-execution',
          description: `Runs the failover runbook of ${props.peerRegion} (TargetRegion ${props.peerRegion})`,
          parameters: {
            documentArn: props.failoverDocumentArn,
            documentParameters: JSON.stringify({
              AutomationAssumeRole: props.failoverAutomationRoleArn,
              TargetRegion: props.peerRegion,
              // The document's optional FailedRegion: the Region this experiment fails (its own).
              FailedRegion: stack.region,
              DryRun: 'false',
              Reason: `FIS game-day experiment: Aurora global failover from ${stack.region}`,
            }),
            maxDuration: 'PT2H',
          },
        },
      },
      logConfiguration,
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
      tags: tags('aurora-global-failover'),
    });
    this.templates = { 'region-isolation': regionIsolation, 'aurora-global-failover': auroraFailover };
  }

  private subnetArn(stack: Stack, subnetId: string): string {
    return stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnetId });
  }

  /**
   * The least the actions need, scoped to this account, this Region and the targets where the action allows it. The
   * statements follow AWS's published policy for these actions (Resilience Hub User Guide, "Multi-Region: isolation":
   * https://docs.aws.amazon.com/resilience-hub/latest/userguide/next-gen-resilience-testing-iam-sa-multi-region-isolation.html)
   * and the FIS User Guide's ECS task action requirements ("Add the following permissions to the AWS FIS experiment
   * role: ecs:DescribeTasks, ssm:SendCommand, ssm:ListCommands, ssm:CancelCommand").
   */
  private grant(stack: Stack, props: GameDayExperimentsProps): void {
    const ec2Arn = (resource: string, name = '*') => stack.formatArn({ service: 'ec2', resource, resourceName: name });
    const managedByFis = (key: 'aws:RequestTag/managedByFIS' | 'aws:ResourceTag/managedByFIS') => ({
      StringEquals: { [key]: 'true' },
    });
    const subnets = props.subnets.map((subnet) => this.subnetArn(stack, subnet.subnetId));
    const vpc = ec2Arn('vpc', props.vpcId);
    const statements = [
      new iam.PolicyStatement({
        sid: 'RouteTableDisruptCrossRegion',
        actions: [
          'ec2:AssociateRouteTable',
          'ec2:DisassociateRouteTable',
          'ec2:ReplaceRouteTableAssociation',
          'ec2:CreateRoute',
        ],
        resources: [ec2Arn('route-table'), ...subnets],
      }),
      new iam.PolicyStatement({
        sid: 'RouteTableManagedCreate',
        actions: ['ec2:CreateRouteTable'],
        resources: [ec2Arn('route-table')],
        conditions: managedByFis('aws:RequestTag/managedByFIS'),
      }),
      new iam.PolicyStatement({
        sid: 'RouteTableManagedCreateOnVpc',
        actions: ['ec2:CreateRouteTable'],
        resources: [vpc],
      }),
      new iam.PolicyStatement({
        sid: 'RouteTableManagedDelete',
        actions: ['ec2:DeleteRouteTable'],
        resources: [ec2Arn('route-table'), vpc],
        conditions: managedByFis('aws:ResourceTag/managedByFIS'),
      }),
      new iam.PolicyStatement({
        sid: 'PrefixListManagedCreate',
        actions: ['ec2:CreateManagedPrefixList'],
        resources: [ec2Arn('prefix-list')],
        conditions: managedByFis('aws:RequestTag/managedByFIS'),
      }),
      new iam.PolicyStatement({
        sid: 'PrefixListManagedModifyDelete',
        actions: ['ec2:DeleteManagedPrefixList', 'ec2:ModifyManagedPrefixList'],
        resources: [ec2Arn('prefix-list')],
        conditions: managedByFis('aws:ResourceTag/managedByFIS'),
      }),
      new iam.PolicyStatement({
        sid: 'FisCreateTags',
        actions: ['ec2:CreateTags'],
        resources: [ec2Arn('route-table'), ec2Arn('prefix-list')],
        conditions: managedByFis('aws:RequestTag/managedByFIS'),
      }),
      new iam.PolicyStatement({
        sid: 'Ec2NetworkDescribeAndRead',
        // Describe calls take no resource-level permission.
        actions: [
          'ec2:DescribeRouteTables',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:DescribeVpcPeeringConnections',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeManagedPrefixLists',
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeSecurityGroups',
          'ec2:GetManagedPrefixListEntries',
          'ec2:DescribeTransitGateways',
          'ec2:DescribeTransitGatewayAttachments',
          'ec2:DescribeTransitGatewayPeeringAttachments',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DynamoDbGlobalTablePauseReplication',
        actions: [
          'dynamodb:PutResourcePolicy',
          'dynamodb:GetResourcePolicy',
          'dynamodb:DeleteResourcePolicy',
          'dynamodb:DescribeTable',
          'dynamodb:InjectError',
        ],
        resources: props.globalTableNames.map((table) =>
          stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: table }),
        ),
      }),
      new iam.PolicyStatement({
        sid: 'EcsTaskFaultSendCommand',
        actions: ['ssm:SendCommand'],
        resources: [
          stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: BLACKHOLE_DOCUMENT }),
          stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' }),
          ...props.ecsTargets.map((t) =>
            stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${t.cluster}/*` }),
          ),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'EcsTaskFaultCommands',
        // ListCommands and CancelCommand take no resource-level permission.
        actions: ['ssm:ListCommands', 'ssm:CancelCommand'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'EcsDescribeForTargetResolution',
        actions: ['ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:DescribeContainerInstances'],
        resources: [
          ...new Set(
            props.ecsTargets.flatMap((t) => [
              stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${t.cluster}/*` }),
              stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${t.cluster}/*` }),
              stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: t.cluster }),
            ]),
          ),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'TargetResolution',
        // tag:GetResources takes no resource-level permission.
        actions: ['tag:GetResources'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'StartFailoverRunbook',
        actions: ['ssm:StartAutomationExecution'],
        resources: [
          props.failoverDocumentArn,
          // StartAutomationExecution names the automation definition (document and version) as a resource too
          // (Service Authorization Reference for Systems Manager; unverified here).
          `${props.failoverDocumentArn.replace(':document/', ':automation-definition/')}:*`,
        ],
      }),
      new iam.PolicyStatement({
        sid: 'WatchFailoverRunbook',
        actions: ['ssm:GetAutomationExecution', 'ssm:StopAutomationExecution'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            region: props.peerRegion,
            resource: 'automation-execution',
            resourceName: '*',
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'PassFailoverRunbookRole',
        actions: ['iam:PassRole'],
        resources: [props.failoverAutomationRoleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ExperimentLogDelivery',
        // CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs": the caller needs logs:CreateLogDelivery and,
        // on the destination, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups;
        // log deliveries have no resource-level permission.
        actions: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ExperimentLogGroupAccess',
        actions: ['logs:DescribeResourcePolicies', 'logs:PutResourcePolicy', 'logs:DescribeLogGroups'],
        // Resource policies and DescribeLogGroups are account-level in CloudWatch Logs.
        resources: ['*'],
      }),
    ];
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);
    acknowledgeWildcardResources(stack, [policy], EXPERIMENT_WILDCARDS, 'GameDayExperiments');
  }
}
