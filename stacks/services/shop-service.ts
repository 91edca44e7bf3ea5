import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FisSsmAgentSidecar } from './fis-ssm-agent-sidecar';
import { SHOP_SERVICE_PORT, type ShopServiceName } from './shop-services';

/** The Service Connect port name every service's container exposes. */
export const SERVICE_CONNECT_PORT_NAME = 'http';

/** Properties of a {@link ShopService}. */
export interface ShopServiceProps {
  /** The service's name: its ECS service name, Service Connect DNS name and image folder under `services/`. */
  readonly name: ShopServiceName;
  /** The cluster (with a Service Connect namespace) the service runs in. */
  readonly cluster: ecs.ICluster;
  /** The image to run. */
  readonly image: ecs.ContainerImage;
  /** Plain configuration passed as environment variables (no secrets). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Values injected from Secrets Manager when a task starts.
   *
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;
  /**
   * Extra security groups besides the service's own, e.g. the database-clients group.
   *
   * @default - none
   */
  readonly extraSecurityGroups?: readonly ec2.ISecurityGroup[];
  /** Name of the alarm that rolls a deployment back; the alarm is created by this construct on `deploymentMetric`. */
  readonly deploymentAlarmName: string;
  /** The metric the deployment alarm watches: 5xx responses of this service, summed per minute. */
  readonly deploymentMetric: cloudwatch.IMetric;
  /**
   * What the deployment alarm makes of minutes without data. `NOT_BREACHING` where the metric is documented to be
   * reported only when not zero (silence means healthy); `MISSING` where that is not known, so that an alarm whose
   * metric is never published shows INSUFFICIENT_DATA instead of an OK that protects nothing. ECS rolls a deployment
   * back only on ALARM.
   *
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly deploymentAlarmTreatMissingData?: cloudwatch.TreatMissingData;
  /**
   * Minutes the deployment alarm looks back (one-minute periods); it alarms when 2 of them reach 5 errors. An alarm
   * that treats missing data as missing goes to INSUFFICIENT_DATA only when every period of this range is missing, so
   * the range must outlast the longest quiet gap between requests the service can count on.
   *
   * @default 3
   */
  readonly deploymentAlarmEvaluationMinutes?: number;
  /**
   * Tasks kept running in normal operation: the autoscaling minimum, which owns the service's count (the template
   * sets no DesiredCount).
   *
   * @default 2
   */
  readonly minTasks?: number;
  /**
   * Upper bound for CPU autoscaling.
   *
   * @default 10
   */
  readonly maxTasks?: number;
  /**
   * Whether ECS Exec is on for the service's tasks, so Session Manager can open a shell or forward a port through
   * them (how operators reach an internal load balancer).
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;
  /**
   * How long the service's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Game days: the task definition accepts FIS fault injection (`enableFaultInjection`), and with
   * `managedInstanceRole` runs the SSM agent sidecar FIS's `aws:ecs:task-*` actions need.
   *
   * @default - neither
   */
  readonly faultInjection?: { readonly managedInstanceRole?: iam.IRole };
}

/**
 * One shop service on Fargate: a task definition with health check and logs, a service with Service Connect,
 * a deployment circuit breaker and an alarm that both roll a failed deployment back, and CPU autoscaling.
 */
export class ShopService extends Construct {
  /** The Fargate service. */
  readonly service: ecs.FargateService;
  /** The task definition (its task role is the service's identity). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The container running the service. */
  readonly container: ecs.ContainerDefinition;
  /** The service's log group. */
  readonly logGroup: logs.LogGroup;
  /** The alarm that rolls deployments back. */
  readonly deploymentAlarm: cloudwatch.Alarm;
  /** The service's own security group (callers are admitted here, not on shared groups). */
  readonly securityGroup: ec2.SecurityGroup;
  /** The autoscaling minimum the service is deployed with (a failback restores it after a scale-up). */
  readonly minTasks: number;

  constructor(scope: Construct, id: string, props: ShopServiceProps) {
    super(scope, id);
    const minTasks = props.minTasks ?? 2;
    this.minTasks = minTasks;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      // ECS Developer Guide, "Use fault injection with your Amazon ECS and Fargate workloads": "You need to opt-in in
      // order to use fault injection by setting the enableFaultInjection task definition parameter value to true."
      // Absent (ECS's default, false) unless game days are enabled, so the template is unchanged without them.
      enableFaultInjection: props.faultInjection ? true : undefined,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.container = this.taskDefinition.addContainer('app', {
      image: props.image,
      essential: true,
      environment: { ...props.environment },
      secrets: props.secrets ? { ...props.secrets } : undefined,
      portMappings: [
        { name: SERVICE_CONNECT_PORT_NAME, containerPort: SHOP_SERVICE_PORT, appProtocol: ecs.AppProtocol.http },
      ],
      healthCheck: {
        // The images are Node.js images without curl: fetch is built into Node 18+.
        command: [
          'CMD-SHELL',
          `node -e "fetch('http://127.0.0.1:${SHOP_SERVICE_PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: props.name, logGroup: this.logGroup }),
      readonlyRootFilesystem: false,
    });

    if (props.faultInjection?.managedInstanceRole) {
      // FIS User Guide, ECS task actions: "If you have enabled Amazon ECS Exec, you must disable it before you can
      // use these actions."
      if (props.enableExecuteCommand) {
        throw new Error(
          `faultInjection: the SSM agent sidecar of ${props.name} is not accepted with enableExecuteCommand; accepted: one of them`,
        );
      }
      new FisSsmAgentSidecar(this, 'FisSsmAgent', {
        taskDefinition: this.taskDefinition,
        logGroup: this.logGroup,
        streamPrefix: `${props.name}-ssm-agent`,
        managedInstanceRole: props.faultInjection.managedInstanceRole,
      });
    }

    this.deploymentAlarm = new cloudwatch.Alarm(this, 'DeploymentAlarm', {
      alarmName: props.deploymentAlarmName,
      alarmDescription: `5xx responses of ${props.name} during or after a deployment; ECS rolls the deployment back when it fires`,
      metric: props.deploymentMetric,
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: props.deploymentAlarmEvaluationMinutes ?? 3,
      datapointsToAlarm: 2,
      treatMissingData: props.deploymentAlarmTreatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `Tasks of the ${props.name} service`,
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: props.name,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      // No desiredCount: a count in the template would reset an autoscaled service on every stack update that
      // touches it (each image deploy; worst in a standby that scaled out after a failover). Without one,
      // CloudFormation creates the service with 1 task and leaves an existing service's count alone, and the
      // scalable target below raises it to minTasks (aws-cdk PR https://github.com/aws/aws-cdk/pull/13130:
      // "When updating a service using the AWS-CDK, the service would then be scaled down to the original
      // desiredCount, leading to potential outages.").
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup, ...(props.extraSecurityGroups ?? [])],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      deploymentAlarms: {
        alarmNames: [props.deploymentAlarmName],
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      },
      serviceConnectConfiguration: {
        services: [
          {
            portMappingName: SERVICE_CONNECT_PORT_NAME,
            discoveryName: props.name,
            dnsName: props.name,
            port: SHOP_SERVICE_PORT,
          },
        ],
      },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      enableExecuteCommand: props.enableExecuteCommand ?? false,
    });
    if (props.enableExecuteCommand) {
      Validations.of(this.taskDefinition.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ECS Exec needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, which have no resource-level permissions; it is on only for ui tasks behind an internal load balancer.',
      });
    }
    // ECS checks that the alarm exists when the service is created or updated.
    this.service.node.addDependency(this.deploymentAlarm);

    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only non-secret configuration (port, Region role, service URLs, database host names, table names); credentials are injected from Secrets Manager as container secrets.',
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The task execution role needs ecr:GetAuthorizationToken, which has no resource-level permissions; image pulls and log writes are scoped to the image repository and the log group.',
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: minTasks, maxCapacity: props.maxTasks ?? 10 });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
  }
}
