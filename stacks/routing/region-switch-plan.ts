import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as arcregionswitch from 'aws-cdk-lib/aws-arcregionswitch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PLAN_BLOCKS } from '../../runbooks/orchestrations/region-switch-steps';
import type { DatabaseNames } from '../naming/database-names';
import { acknowledgeWildcardResources, type WildcardReasons } from '../runbooks/wildcard-acknowledgements';

/** Properties of a {@link RegionSwitchPlan}. */
export interface RegionSwitchPlanProps {
  /** The plan's name. */
  readonly planName: string;
  /** The Region that is active at first deploy. */
  readonly primaryRegion: string;
  /** The Region the plan can switch to. */
  readonly standbyRegion: string;
  /** The Aurora global databases the plan switches over (graceful) or fails over (ungraceful). */
  readonly databases: readonly DatabaseNames[];
  /** The hosted zone of the shop's record. */
  readonly hostedZoneId: string;
  /** The record whose failover records the plan's Route 53 health checks steer. */
  readonly recordName: string;
  /** The ECS cluster of the shop's services: the same name in both Regions. */
  readonly ecsClusterName: string;
  /** The ECS services (names) the plan scales up in the Region it activates. */
  readonly services: readonly string[];
  /**
   * The share of the other Region's running tasks each service is scaled to in the Region activated, in percent
   * (config `readiness.peakSharePercent`).
   */
  readonly targetPercent: number;
  /** The Lambda function, the same name in both Regions, that starts the `recover` runbook in its Region. */
  readonly recoverFunctionName: string;
}

/**
 * How long the custom action block waits for the recover-start function and how often it retries it, in minutes.
 * The function only starts the runbook (SSM Automation) and returns; the runbook reports on its own.
 */
const RECOVER_START = { timeoutMinutes: 5, retryIntervalMinutes: 1 } as const;

/**
 * Why the plan's execution role holds `*` resources (cdk-nag AwsSolutions-IAM5), as the Region switch user guide's ECS
 * sample policy grants them.
 */
const EXECUTION_ROLE_WILDCARD_REASONS: WildcardReasons = [
  [
    /^\*$/,
    'The Region switch ECS service scaling block lists services, reads and registers Application Auto Scaling targets and reads CloudWatch task metrics; the Region switch user guide (Amazon ECS service scaling execution block sample policy) grants ecs:ListServices, application-autoscaling:DescribeScalableTargets, application-autoscaling:RegisterScalableTarget and cloudwatch:GetMetricStatistics on all resources, and a scalable target ARN carries an identifier AWS assigns, unknown at synth.',
  ],
];

/**
 * The ARC Region switch plan of routing mode `region-switch`: an `activate` workflow for each Region that scales the
 * shop's services there, switches every Aurora global database over to it (or fails it over with data loss in an
 * ungraceful run), moves DNS with the plan's Route 53 health checks, and starts `recover` there in a graceful run.
 * Cheaper than an ARC cluster, but the plan creates its Route 53 health checks itself, so their ids are only known
 * after the plan exists; attaching them to the failover records is a step of the first switch, not of this stack.
 *
 * Property references: AWS CloudFormation Template Reference, `AWS::ARCRegionSwitch::Plan` and its property types
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-arcregionswitch-plan.html).
 */
export class RegionSwitchPlan extends Construct {
  /** The plan. */
  readonly plan: arcregionswitch.CfnPlan;
  /** The role the plan runs as. */
  readonly executionRole: iam.Role;
  /** The execution role's permissions, exactly those of the plan's execution blocks. */
  readonly executionPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: RegionSwitchPlanProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const regions = [props.primaryRegion, props.standbyRegion];
    const clusterArn = (region: string, db: DatabaseNames) =>
      stack.formatArn({
        service: 'rds',
        region,
        resource: 'cluster',
        resourceName: db.clusterIdentifier,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const globalClusterArn = (db: DatabaseNames) =>
      stack.formatArn({
        service: 'rds',
        region: '',
        resource: 'global-cluster',
        resourceName: db.globalClusterIdentifier,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const ecsClusterArn = (region: string) =>
      stack.formatArn({ service: 'ecs', region, resource: 'cluster', resourceName: props.ecsClusterName });
    const ecsServiceArn = (region: string, service: string) =>
      stack.formatArn({
        service: 'ecs',
        region,
        resource: 'service',
        resourceName: `${props.ecsClusterName}/${service}`,
      });
    const recoverFunctionArn = (region: string) =>
      stack.formatArn({
        service: 'lambda',
        region,
        resource: 'function',
        resourceName: props.recoverFunctionName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const hostedZoneArn = stack.formatArn({
      service: 'route53',
      region: '',
      account: '',
      resource: 'hostedzone',
      resourceName: props.hostedZoneId,
    });

    // Region switch user guide, "Plan execution role trust policy": the role's trust policy authorizes the
    // arc-region-switch.amazonaws.com service principal to assume it.
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('arc-region-switch.amazonaws.com'),
      description: `Runs the ${props.planName} Region switch plan`,
    });
    this.executionPolicy = new iam.Policy(this, 'ExecutionPolicy', {
      statements: [
        // "Aurora Global Database execution block sample policy": Describe* (the sample grants them on *; scoped here
        // to the shop's clusters) and SwitchoverGlobalCluster/FailoverGlobalCluster on the global cluster and its
        // Regional members.
        new iam.PolicyStatement({
          actions: [
            'rds:SwitchoverGlobalCluster',
            'rds:FailoverGlobalCluster',
            'rds:DescribeGlobalClusters',
            'rds:DescribeDBClusters',
          ],
          resources: props.databases.flatMap((db) => [globalClusterArn(db), ...regions.map((r) => clusterArn(r, db))]),
        }),
        // "Amazon ECS service scaling execution block sample policy": DescribeServices/UpdateService on the services,
        // DescribeClusters on their clusters, and the list/scaling-target/metric reads on *.
        new iam.PolicyStatement({
          actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
          resources: regions.flatMap((r) => props.services.map((service) => ecsServiceArn(r, service))),
        }),
        new iam.PolicyStatement({ actions: ['ecs:DescribeClusters'], resources: regions.map(ecsClusterArn) }),
        new iam.PolicyStatement({
          actions: [
            'ecs:ListServices',
            'application-autoscaling:DescribeScalableTargets',
            'application-autoscaling:RegisterScalableTarget',
            'cloudwatch:GetMetricStatistics',
          ],
          resources: ['*'],
        }),
        // "Custom action Lambda execution block sample policy": GetFunction and InvokeFunction on the functions.
        new iam.PolicyStatement({
          actions: ['lambda:GetFunction', 'lambda:InvokeFunction'],
          resources: regions.map(recoverFunctionArn),
        }),
        // "Route 53 health check execution block sample policy": ListResourceRecordSets on the hosted zone. (The
        // guide: "The manual approval and Route 53 health check execution blocks do not assume the execution role as
        // part of a plan execution"; plan evaluation does.)
        new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [hostedZoneArn] }),
      ],
    });
    this.executionPolicy.attachToRole(this.executionRole);
    acknowledgeWildcardResources(stack, [this.executionPolicy], EXECUTION_ROLE_WILDCARD_REASONS, 'RegionSwitchPlan');

    // ECSServiceScaling: EcsCapacityIncreaseConfiguration "Services: ... Minimum: 2, Maximum: 2" (the service in each
    // Region); user guide "Amazon ECS service scaling execution block": "Percentage to match the source Region's task
    // count: Enter the desired percentage of running tasks in the source Region to match in the activated Region";
    // CapacityMonitoringApproach "Valid Values: sampledMaxInLast24Hours | containerInsightsMaxInLast24Hours" (the
    // sampled running task count needs no Container Insights).
    const scaleServices = {
      name: PLAN_BLOCKS.scale,
      executionBlockType: 'Parallel',
      // ParallelExecutionBlockConfiguration: "Configuration for steps that should be executed in parallel".
      executionBlockConfiguration: {
        parallelConfig: {
          steps: props.services.map((service) => ({
            name: `scale-${service}`,
            executionBlockType: 'ECSServiceScaling',
            executionBlockConfiguration: {
              ecsCapacityIncreaseConfig: {
                services: regions.map((r) => ({ clusterArn: ecsClusterArn(r), serviceArn: ecsServiceArn(r, service) })),
                targetPercent: props.targetPercent,
                capacityMonitoringApproach: 'sampledMaxInLast24Hours',
              },
            },
          })),
        },
      },
    };
    // AuroraGlobalDatabase: GlobalAuroraConfiguration "behavior ... switchoverOnly - Calls SwitchoverGlobalCluster for
    // a zero-data-loss switchover during graceful execution"; "ungraceful: The behavior to use when the plan runs in
    // ungraceful mode", GlobalAuroraUngraceful "Valid Values: failover", which calls FailoverGlobalCluster with
    // AllowDataLoss set to true. One block serves both execution modes.
    const switchDatabases = props.databases.map((db) => ({
      name: PLAN_BLOCKS.database(db.databaseName),
      executionBlockType: 'AuroraGlobalDatabase',
      executionBlockConfiguration: {
        globalAuroraConfig: {
          behavior: 'switchoverOnly',
          ungraceful: { ungraceful: 'failover' },
          globalClusterIdentifier: db.globalClusterIdentifier,
          databaseClusterArns: regions.map((r) => clusterArn(r, db)),
        },
      },
    }));
    const moveDns = {
      name: PLAN_BLOCKS.dns,
      executionBlockType: 'Route53HealthCheck',
      executionBlockConfiguration: {
        route53HealthCheckConfig: {
          hostedZoneId: props.hostedZoneId,
          recordName: props.recordName,
          recordSets: regions.map((r) => ({ recordSetIdentifier: r, region: r })),
        },
      },
    };
    // CustomActionLambda: "you're required to specify two Lambda functions for the step to execute—one in each of the
    // plan's Regions"; RegionToRun activatingRegion (the guide: running in the deactivating Region makes it a
    // dependency, which it does not recommend); LambdaUngraceful "The ungraceful behavior for a Lambda function, which
    // must be set to skip": in an ungraceful run the step is skipped, so after an unplanned failover recover is still
    // started once the failed Region is back, as in arc-cluster mode.
    const startRecover = {
      name: PLAN_BLOCKS.recover,
      executionBlockType: 'CustomActionLambda',
      executionBlockConfiguration: {
        customActionLambdaConfig: {
          lambdas: regions.map((r) => ({ arn: recoverFunctionArn(r) })),
          regionToRun: 'activatingRegion',
          retryIntervalMinutes: RECOVER_START.retryIntervalMinutes,
          timeoutMinutes: RECOVER_START.timeoutMinutes,
          ungraceful: { behavior: 'skip' },
        },
      },
    };

    this.plan = new arcregionswitch.CfnPlan(this, 'Plan', {
      name: props.planName,
      executionRole: this.executionRole.roleArn,
      recoveryApproach: 'activePassive',
      primaryRegion: props.primaryRegion,
      regions,
      // "If your Region switch plan is for an active/passive application deployment ... If you choose to have separate
      // activation workflows for each Region, you'll create two workflows: one for each Region."
      workflows: regions.map((region) => ({
        workflowTargetAction: 'activate',
        workflowTargetRegion: region,
        steps: [scaleServices, ...switchDatabases, moveDns, startRecover],
      })),
    });
    // The plan's evaluation assumes the role: the plan waits for its permissions.
    this.plan.node.addDependency(this.executionPolicy);
  }
}
