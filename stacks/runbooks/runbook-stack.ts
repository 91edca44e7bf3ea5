import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  automationDocumentName,
  RUNBOOK_ACTIONS,
  type RunbookAction,
} from '../../.github/actions/failover/automation-document-name';
import type { RoutingMode } from '../../config';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from '../../runbooks/orchestrations';
import { automationDocument, SSM_LAMBDA_STEP_SECONDS } from '../../runbooks/ssm/automation-document';
import {
  DEFAULT_READINESS_SETTINGS,
  type ReadinessSettings,
  type Topology,
  temporaryIdentifierPrefix,
} from '../../runbooks/topology';
import { SHOP_POSTGRES_PORT } from '../data/global-aurora-database';
import { deployedCommitParameterName } from '../deployed-commit';
import { lambdaVpcAccessStatement } from '../lambda-vpc-access';
import { alarmNames } from '../naming/alarm-names';
import { databaseNames, SHOP_DATABASES } from '../naming/database-names';
import { resourcePrefix } from '../naming/resource-prefix';
import { routingNames } from '../naming/routing-names';
import { runbookAutomationRoleName } from '../naming/runbook-names';
import { DATABASE_WRITER_SERVICES, ecsClusterName } from '../naming/service-names';
import { stackNames } from '../naming/stack-names';
import { SHOP_TABLES, tableNames } from '../naming/table-names';
import type { RegionRole } from '../region-role';
import { SHOP_SERVICES } from '../services/shop-services';
import { RegionSwitchRecoverStart } from './region-switch-recover-start';
import { RUNBOOK_HANDLER, runbookCode } from './runbook-code';
import {
  type FunctionMethods,
  functionMethods,
  RUNBOOK_PERMISSION_WILDCARD_REASONS,
  runbookPolicyStatements,
} from './runbook-permissions';
import { RunbookReportsBucket } from './runbook-reports-bucket';
import { ScheduledReadiness } from './scheduled-readiness';
import { SnapshotPreservation } from './snapshot-preservation';
import { SyntheticOrdersRemoval } from './synthetic-orders-removal';
import { acknowledgeWildcardResources, type WildcardReasons } from './wildcard-acknowledgements';

/** One Aurora global database the runbooks act on. */
export interface RunbookDatabase {
  /** Short name used in step names, e.g. `orders`. */
  readonly name: string;
  readonly globalClusterIdentifier: string;
  /** The Regional cluster identifier (the same in both Regions). */
  readonly clusterIdentifier: string;
  /** Secrets Manager name of the credentials (`username`, `password`), replicated to both Regions. */
  readonly secretName: string;
  /** The Postgres database inside the cluster. */
  readonly databaseName: string;
}

/** Where the routing controls are. */
export interface RunbookRouting {
  /**
   * The SSM parameter (present in both Regions) with the ARC cluster endpoints and routing-control ARNs.
   *
   * @default - `routingNames(appName, envName).routingParameter` (the routing stack writes it)
   */
  readonly parameterName?: string;
  /** @default - `routingNames(appName, envName).controlPanel` */
  readonly controlPanelName?: string;
  /**
   * The routing control of each Region: an ARN, or a name the parameter resolves at run time.
   *
   * @default - `routingNames(appName, envName).routingControl(region)` for both Regions
   */
  readonly controls?: Readonly<Record<string, string>>;
  /**
   * The SSM parameter (present in both Regions) holding the Region switch plan's ARN (routing mode `region-switch`).
   *
   * @default - `routingNames(appName, envName).regionSwitchPlanParameter` (the routing stack writes it)
   */
  readonly regionSwitchPlanParameterName?: string;
}

/** Properties of a {@link RunbookStack}. */
export interface RunbookStackProps extends StackProps {
  readonly appName: string;
  readonly envName: string;
  /** What this Region does at first deploy (the runbooks themselves work the same in both Regions). */
  readonly role: RegionRole;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The Region's VPC: the database function and temporary clusters live in it. */
  readonly vpc: ec2.IVpc;
  /** The security group the Aurora clusters admit; the database function wears it. */
  readonly databaseClientSecurityGroup: ec2.ISecurityGroup;
  /** This Region's data key: database secrets, snapshot copies and restored clusters. */
  readonly dataKey: kms.IKey;
  /**
   * Alias of the other Region's data key, which encrypts the snapshots copied from there.
   *
   * @default `alias/<app>-<env>/data` (the data stack's alias)
   */
  readonly peerDataKeyAlias?: string;
  /** @default - the shop's catalog and orders databases, as `databaseNames()` names them */
  readonly databases?: readonly RunbookDatabase[];
  /**
   * How traffic moves (config `routingMode`): the ARC routing controls (`arc-cluster`), or the ARC Region switch plan
   * (`region-switch`), which also moves the writers and scales this Region's services; in that mode this stack also
   * holds the function the plan invokes to start `recover` ({@link RegionSwitchRecoverStart}).
   *
   * @default 'arc-cluster'
   */
  readonly routingMode?: RoutingMode;
  /** @default - found by the names `routingNames()` gives, at run time */
  readonly routing?: RunbookRouting;
  /**
   * URLs answering 2xx when this Region's services are healthy. The scheduled readiness refuses to synthesize without
   * one (services-healthy would be GREEN without checking: `scheduledReadinessGaps`).
   * @default - none: synth fails
   */
  readonly healthUrls?: readonly string[];
  /**
   * The ECS cluster whose services readiness checks. The scheduled readiness refuses to synthesize without it
   * (capacity and parity would be GREEN without checking).
   * @default - none: synth fails
   */
  readonly ecsClusterName?: string;
  /** @default - every shop service, when {@link ecsClusterName} is given */
  readonly serviceNames?: readonly string[];
  /** @default 1 */
  readonly minimumRunningTasks?: number;
  /**
   * The autoscaling minimum the services are deployed with (both Regions alike): a failback sets the minimums a
   * scale-up raised back to it.
   *
   * @default - {@link minimumRunningTasks}
   */
  readonly baselineMinimumTasks?: number;
  /**
   * What readiness, parity and capacity checks judge against, and how a move scales the Region that takes over
   * (config `readiness.*`, `backupRetentionDays`).
   *
   * @default - DEFAULT_READINESS_SETTINGS, with the shop's DynamoDB global tables
   */
  readonly readiness?: Partial<ReadinessSettings>;
  /**
   * How often the scheduled readiness runs every check in this Region (config `readiness.scheduleMinutes`).
   *
   * @default Duration.minutes(30)
   */
  readonly readinessSchedule?: Duration;
  /** Secrets that must exist before this Region takes over. @default - the database secrets */
  readonly secretNames?: readonly string[];
  /** Instance class of temporary restored clusters. @default 'db.r6g.large' */
  readonly recoveryInstanceClass?: string;
  /** Object lock retention of reports. @default Duration.days(90) */
  readonly reportRetention?: Duration;
  /** @default - the runbook handler bundled with esbuild at synth (offline, about a second) */
  readonly code?: lambda.Code;
}

/** Why each wildcard resource of the runbook policies is needed, by pattern. */
const WILDCARD_REASONS: WildcardReasons = [
  [
    /^\*$/,
    'CloudWatch GetMetricData, Application Auto Scaling DescribeScalableTargets and the ARC data-plane ListRoutingControls (used only for a control the routing parameter does not name) take no resource ARN; neither do the ENI actions Lambda needs to attach a function to the VPC, ECS DescribeTaskDefinition and ListTasks (limited to the shop cluster by ecs:cluster), nor Service Quotas GetServiceQuota as far as documented; CloudWatch DescribeAlarms must be granted on * to read composite alarms.',
  ],
  [
    /:kms:[^:]+:[^:]+:key\/\*$/,
    "The source of a cross-Region snapshot copy is the other Region's data key, whose id is not known in this stack: the statement is limited to that key by its alias (kms:ResourceAliases) and, for grants, to RDS on behalf of AWS resources.",
  ],
  [
    /:rds:[^:]+:[^:]+:(cluster|db|cluster-snapshot):[a-z0-9-]+-rcv-\*$/,
    'The recover runbook creates temporary clusters, instances and snapshot copies at run time, named after the snapshot time; every one starts with <app>-<env>-rcv-, and nothing else may.',
  ],
  [
    /:cluster-snapshot:rds:unplanned-global-failover-[a-z0-9-]+-\*$/,
    "Aurora names the snapshot of a failed-over primary after the time it took it; the pattern is limited to each old cluster's snapshots.",
  ],
  [
    /:(cluster-pg|pg):default\.aurora-postgresql\*$|:og:default:aurora-postgresql\*$/,
    'A restored cluster and its instance use the default aurora-postgresql parameter and option groups, whose names carry the engine version of the snapshot.',
  ],
  [
    /:route53-recovery-control::[^:]+:controlpanel\/\*\/routingcontrol\/\*$/,
    'Routing control ARNs are generated by the global stack in the ARC control-plane Region, which deploys after this stack: it writes them into an SSM parameter of this Region that the runbook reads at run time, so the ARNs cannot be written into this policy.',
  ],
  [
    /\.Arn>\/(journal|runs)\/\*$/,
    "Journals and reports are written per execution under these two prefixes of the runbook's own bucket.",
  ],
  ...RUNBOOK_PERMISSION_WILDCARD_REASONS,
];

/**
 * Longest a runbook follows a Region switch plan execution (the topology's `routing.regionSwitch.timeoutMinutes`, at
 * its default).
 */
const REGION_SWITCH_TIMEOUT_MINUTES = 60;

/** Length of each Lambda invocation: SSM stops an `aws:invokeLambdaFunction` step at 300 s. */
const FUNCTION_TIMEOUT = Duration.seconds(SSM_LAMBDA_STEP_SECONDS - 10);

/**
 * The runbooks of one Region: SSM Automation documents (one per orchestration, generated from the runbook
 * definitions) whose steps invoke two Lambda functions — one for AWS API steps, one in the VPC for the steps that
 * read the databases — an S3 bucket for reports and journals, and IAM roles granting exactly the actions the steps
 * call (derived from the same definitions, and tested against them). Deployed in both Regions: a runbook runs in the
 * Region that takes over. Beside them, two schedules: the copy of the other Region's unplanned-failover snapshots
 * ({@link SnapshotPreservation}) and every readiness check for this Region ({@link ScheduledReadiness}).
 */
export class RunbookStack extends Stack {
  readonly reports: RunbookReportsBucket;
  readonly stepFunction: lambda.Function;
  readonly databaseFunction: lambda.Function;
  readonly automationRole: iam.Role;
  /** The SSM document of each orchestration. */
  readonly documents: Readonly<Record<string, ssm.CfnDocument>>;
  /** The security group of temporary restored clusters (admits the database clients). */
  readonly recoverySecurityGroup: ec2.SecurityGroup;
  /** The port methods each function may call (what its policy grants). */
  readonly methods: FunctionMethods;
  /** The topology the functions receive (tokens resolved at deploy). */
  readonly topology: Topology;
  /** The function a game day's clean-up invokes to delete its synthetic orders (when there is an `orders` database). */
  readonly syntheticOrdersRemoval?: SyntheticOrdersRemoval;
  /** Every readiness check of this Region on a schedule: its function, schedule and alarm. */
  readonly scheduledReadiness: ScheduledReadiness;
  /** The function the Region switch plan invokes to start `recover` here (routing mode `region-switch`). */
  readonly regionSwitchRecoverStart?: RegionSwitchRecoverStart;

  constructor(scope: Construct, id: string, props: RunbookStackProps) {
    super(scope, id, props);
    const region = this.region;
    if (Token.isUnresolved(region)) {
      throw new Error('RunbookStack: env.region is not set; accepted: an explicit Region (the runbooks are Regional)');
    }
    const regions = [props.primaryRegion, props.standbyRegion];
    if (props.primaryRegion === props.standbyRegion) {
      throw new Error(`standbyRegion: "${props.standbyRegion}" equals primaryRegion; accepted: the other Region`);
    }
    if (!regions.includes(region)) {
      throw new Error(
        `env.region: "${region}" is neither primaryRegion nor standbyRegion; accepted: ${regions.join(' or ')}`,
      );
    }
    const expectedRole: RegionRole = region === props.primaryRegion ? 'primary' : 'standby';
    if (props.role !== expectedRole) {
      throw new Error(`role: "${props.role}" does not match the Region ${region}; accepted: "${expectedRole}"`);
    }
    const peerRegion = region === props.primaryRegion ? props.standbyRegion : props.primaryRegion;
    const prefix = resourcePrefix(props.appName, props.envName);

    const dbNames = databaseNames(props.appName, props.envName);
    const databases: readonly RunbookDatabase[] =
      props.databases ??
      SHOP_DATABASES.map((name) => ({
        name,
        globalClusterIdentifier: dbNames[name].globalClusterIdentifier,
        clusterIdentifier: dbNames[name].clusterIdentifier,
        secretName: dbNames[name].secretName,
        databaseName: dbNames[name].databaseName,
      }));
    const routeNames = routingNames(props.appName, props.envName);
    const routingMode = props.routingMode ?? 'arc-cluster';
    const arcRouting =
      routingMode === 'arc-cluster'
        ? {
            mode: 'arc-cluster' as const,
            parameterName: props.routing?.parameterName ?? routeNames.routingParameter,
            controlPanelName: props.routing?.controlPanelName ?? routeNames.controlPanel,
            controls:
              props.routing?.controls ?? Object.fromEntries(regions.map((r) => [r, routeNames.routingControl(r)])),
          }
        : undefined;
    for (const r of arcRouting ? regions : []) {
      if (!arcRouting!.controls[r])
        throw new Error(`routing.controls: no routing control for ${r}; accepted: one per Region`);
    }
    // Routing mode region-switch: the plan, by the SSM parameter the routing stack writes in each Region (no routing
    // controls, no ARC parameter).
    const regionSwitchPlan =
      routingMode === 'region-switch'
        ? {
            planName: routeNames.regionSwitchPlan,
            parameterName: props.routing?.regionSwitchPlanParameterName ?? routeNames.regionSwitchPlanParameter,
          }
        : undefined;
    const routing: Topology['routing'] = arcRouting ?? {
      mode: 'region-switch',
      regionSwitch: {
        planParameterName: regionSwitchPlan!.parameterName,
        timeoutMinutes: REGION_SWITCH_TIMEOUT_MINUTES,
      },
      controls: {},
    };

    this.reports = new RunbookReportsBucket(this, 'Reports', { prefix, retention: props.reportRetention });

    const subnetGroupName = `${prefix}-recovery`;
    new rds.SubnetGroup(this, 'RecoverySubnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      subnetGroupName,
      description: `Temporary clusters restored by the ${prefix} recover runbook`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.recoverySecurityGroup = new ec2.SecurityGroup(this, 'RecoveryDatabase', {
      vpc: props.vpc,
      description: `Temporary clusters restored by the ${prefix} recover runbook`,
      allowAllOutbound: false,
    });
    this.recoverySecurityGroup.addIngressRule(
      props.databaseClientSecurityGroup,
      ec2.Port.tcp(SHOP_POSTGRES_PORT),
      'PostgreSQL from database clients (the runbook database function)',
    );

    const secretNames = [...new Set([...(props.secretNames ?? []), ...databases.map((d) => d.secretName)])];
    const services = props.ecsClusterName ? (props.serviceNames ?? SHOP_SERVICES) : [];
    const ecsCluster = ecsClusterName(props.appName, props.envName);
    // A Region's canaries: the one walking its own load balancer (is this Region serving?) and the one walking the
    // global name from it (do shoppers reach the shop?), by the deterministic names the observability stack gives.
    const canaryAlarms = (r: string) => {
      const names = alarmNames(props.appName, props.envName, r);
      return [names.canaryLocal, names.canaryGlobal];
    };
    const baseline =
      props.baselineMinimumTasks === undefined ? {} : { baselineMinimumTasks: props.baselineMinimumTasks };
    // The commit each Region's services stack runs (stacks/deployed-commit.ts, by the deterministic stack name the
    // regional stage gives it): parity checks tolerate a difference while a release is between the Regions.
    const deployedCommitParameters = Object.fromEntries(
      regions.map((r) => [r, deployedCommitParameterName(stackNames(props.appName, props.envName).services(r))]),
    );
    this.topology = {
      appName: props.appName,
      envName: props.envName,
      primaryRegion: props.primaryRegion,
      standbyRegion: props.standbyRegion,
      databases: databases.map((d) => ({
        name: d.name,
        globalClusterIdentifier: d.globalClusterIdentifier,
        secretId: d.secretName,
        databaseName: d.databaseName,
        clusterIdentifiers: Object.fromEntries(regions.map((r) => [r, d.clusterIdentifier])),
      })),
      routing,
      readiness: {
        ...DEFAULT_READINESS_SETTINGS,
        tables: SHOP_TABLES.map((t) => tableNames(props.appName, props.envName)[t]),
        ...props.readiness,
      },
      regions: {
        // The other Region's services are addressed by the deterministic ECS cluster name: a failover run here fences
        // that Region's database writers (best effort), a planned move there restores them first; parity and
        // capacity checks read the same services there as here (both Regions run the same stacks).
        [peerRegion]: {
          healthUrls: [],
          ecsClusterName: ecsCluster,
          services: [...services],
          writerServices: [...DATABASE_WRITER_SERVICES],
          minimumRunningTasks: props.minimumRunningTasks ?? 1,
          ...baseline,
          secretIds: [],
          canaryAlarmNames: canaryAlarms(peerRegion),
          readinessAlarmName: alarmNames(props.appName, props.envName, peerRegion).readiness,
          deployedCommitParameterName: deployedCommitParameters[peerRegion],
        },
        [region]: {
          healthUrls: [...(props.healthUrls ?? [])],
          ecsClusterName: props.ecsClusterName ?? ecsCluster,
          services: [...services],
          writerServices: [...DATABASE_WRITER_SERVICES],
          minimumRunningTasks: props.minimumRunningTasks ?? 1,
          ...baseline,
          secretIds: secretNames,
          canaryAlarmNames: canaryAlarms(region),
          readinessAlarmName: alarmNames(props.appName, props.envName, region).readiness,
          deployedCommitParameterName: deployedCommitParameters[region],
          recovery: {
            subnetGroupName,
            securityGroupIds: [this.recoverySecurityGroup.securityGroupId],
            kmsKeyId: props.dataKey.keyArn,
            instanceClass: props.recoveryInstanceClass ?? 'db.r6g.large',
          },
        },
      },
    };

    const orchestrations = ORCHESTRATION_NAMES.map((name) => ORCHESTRATIONS[name]!);
    this.methods = functionMethods(orchestrations, this.topology);
    const permissionScope = {
      stack: this,
      region,
      peerRegion,
      globalClusterIdentifiers: databases.map((d) => d.globalClusterIdentifier),
      clusterIdentifiers: databases.map((d) => d.clusterIdentifier),
      secretNames,
      temporaryPrefix: temporaryIdentifierPrefix(props.appName, props.envName),
      recoverySubnetGroupName: subnetGroupName,
      dataKeyArn: props.dataKey.keyArn,
      peerDataKeyAlias: props.peerDataKeyAlias ?? `alias/${prefix}/data`,
      bucketArn: this.reports.bucket.bucketArn,
      bucketKeyArn: this.reports.key.keyArn,
      routingMode,
      ...(arcRouting && Object.values(arcRouting.controls).every((c) => c.startsWith('arn:'))
        ? { routingControlArns: Object.values(arcRouting.controls) }
        : {}),
      ...(arcRouting ? { routingParameterName: arcRouting.parameterName } : {}),
      ...(regionSwitchPlan ? { regionSwitchPlan } : {}),
      deployedCommitParameters,
      ecsClusterName: ecsCluster,
      writerServices: [...DATABASE_WRITER_SERVICES],
      services: [...services],
    };
    const code = props.code ?? runbookCode();
    const environment = {
      RUNBOOK_TOPOLOGY: this.toJsonString(this.topology),
      RUNBOOK_BUCKET: this.reports.bucket.bucketName,
      NODE_OPTIONS: '--enable-source-maps',
    };

    const makeFunction = (name: 'Step' | 'Database', inVpc: boolean) => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the ${prefix} runbook ${name === 'Step' ? 'steps' : 'database steps'}`,
      });
      const platform = new iam.Policy(this, `${name}PlatformPolicy`, {
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
          ...(inVpc ? [lambdaVpcAccessStatement()] : []),
        ],
      });
      platform.attachToRole(role);
      const steps = new iam.Policy(this, `${name}StepsPolicy`, {
        statements: runbookPolicyStatements(inVpc ? this.methods.database : this.methods.step, permissionScope),
      });
      steps.attachToRole(role);
      const fn = new lambda.Function(this, `${name}Function`, {
        description: `${prefix} runbook ${name === 'Step' ? 'steps (AWS APIs)' : 'database steps (reconcile)'}`,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: RUNBOOK_HANDLER,
        code,
        role,
        memorySize: inVpc ? 2048 : 512,
        timeout: FUNCTION_TIMEOUT,
        environment,
        logGroup,
        ...(inVpc
          ? {
              vpc: props.vpc,
              vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
              securityGroups: [props.databaseClientSecurityGroup],
            }
          : {}),
      });
      // Lambda checks the role's permissions when it creates the function (ENIs in the VPC): the function waits for
      // both policies. lambda.Function adds a DependsOn on the role too, which the Role property (a GetAtt of it)
      // already orders (cfn-lint W3005), so the DependsOn is written as the two policies alone.
      (fn.node.defaultChild as lambda.CfnFunction).addOverride(
        'DependsOn',
        [platform, steps].map((policy) => this.getLogicalId(policy.node.defaultChild as iam.CfnPolicy)),
      );
      return { fn, role, platform, steps };
    };
    const step = makeFunction('Step', false);
    const database = makeFunction('Database', true);
    this.stepFunction = step.fn;
    this.databaseFunction = database.fn;

    this.automationRole = new iam.Role(this, 'AutomationRole', {
      // Named: the failover workflow's GitHub role may pass exactly this role to SSM.
      roleName: runbookAutomationRoleName(props.appName, props.envName, this.region),
      description: `SSM Automation role of the ${prefix} runbooks: invokes the runbook functions`,
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' }),
          },
        },
      }),
    });
    new iam.Policy(this, 'AutomationPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.stepFunction.functionArn, this.databaseFunction.functionArn],
        }),
      ],
    }).attachToRole(this.automationRole);

    const documents: Record<string, ssm.CfnDocument> = {};
    for (const orchestration of orchestrations) {
      const name = (RUNBOOK_ACTIONS as readonly string[]).includes(orchestration.name)
        ? automationDocumentName(props.appName, props.envName, orchestration.name as RunbookAction)
        : `${prefix}-${orchestration.name}`;
      documents[orchestration.name] = new ssm.CfnDocument(
        this,
        `${orchestration.name[0]!.toUpperCase()}${orchestration.name.slice(1)}Document`,
        {
          name,
          documentType: 'Automation',
          documentFormat: 'JSON',
          updateMethod: 'NewVersion',
          content: automationDocument(orchestration, this.topology, {
            stepFunction: this.stepFunction.functionArn,
            databaseFunction: this.databaseFunction.functionArn,
            automationRoleArn: this.automationRole.roleArn,
          }),
        },
      );
    }
    this.documents = documents;

    acknowledgeWildcardResources(
      this,
      [step.platform, database.platform, step.steps, database.steps],
      WILDCARD_REASONS,
      'RunbookStack',
    );
    new SnapshotPreservation(this, 'SnapshotPreservation', {
      topology: this.topology,
      permissions: permissionScope,
      code,
      environment,
    });
    const ordersDatabase = databases.find((d) => d.name === 'orders');
    if (ordersDatabase) {
      this.syntheticOrdersRemoval = new SyntheticOrdersRemoval(this, 'SyntheticOrdersRemoval', {
        appName: props.appName,
        envName: props.envName,
        permissions: permissionScope,
        orders: ordersDatabase,
        code,
        environment,
        vpc: props.vpc,
        databaseClientSecurityGroup: props.databaseClientSecurityGroup,
      });
    }
    if (routingMode === 'region-switch') {
      this.regionSwitchRecoverStart = new RegionSwitchRecoverStart(this, 'RegionSwitchRecoverStart', {
        appName: props.appName,
        envName: props.envName,
        code,
        environment,
        bucketArn: this.reports.bucket.bucketArn,
        bucketKeyArn: this.reports.key.keyArn,
      });
    }
    this.scheduledReadiness = new ScheduledReadiness(this, 'ScheduledReadiness', {
      topology: this.topology,
      permissions: permissionScope,
      code,
      environment,
      vpc: props.vpc,
      schedule: props.readinessSchedule,
    });
    new CfnOutput(this, 'ReportBucketName', { value: this.reports.bucket.bucketName });
    new CfnOutput(this, 'FailoverDocumentName', { value: documents.failover!.ref });
  }
}
