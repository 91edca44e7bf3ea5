import { CrossStackReferences, type Duration, ReferenceStrength, Stage } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { UNVERSIONED_COMMIT } from '../.github/actions/rollback/deployed-commit-output';
import type { RoutingMode } from '../config';
import type { ReadinessSettings } from '../runbooks/topology';
import { DataStack } from './data/data-stack';
import { DeployedCommit } from './deployed-commit';
import { GameDayStack } from './gameday/gameday-stack';
import { gameDayNames } from './naming/gameday-names';
import { stackNames } from './naming/stack-names';
import { NetworkStack } from './network/network-stack';
import { ObservabilityStack } from './observability/observability-stack';
import type { RegionRole } from './region-role';
import { RunbookStack } from './runbooks';
import { PUBLIC_READINESS_PATH, ServicesStack } from './services/services-stack';
import type { ShopServiceName } from './services/shop-services';

/** Properties of a {@link RegionalStage}. */
export interface RegionalStageProps {
  /** Application name, prefix of every stack and resource name. */
  readonly appName: string;
  /** Environment name, part of every stack and resource name. */
  readonly envName: string;
  /** The account to deploy to. */
  readonly account: string;
  /** The Region to deploy to. */
  readonly region: string;
  /** What this Region does in the global resources. */
  readonly role: RegionRole;
  /** The other Region. */
  readonly peerRegion: string;
  /** The Availability Zones of the Region's VPC. */
  readonly availabilityZones: readonly string[];
  /**
   * The VPC's IPv4 range.
   *
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * ACM certificate for the load balancer in this Region.
   *
   * @default - the load balancer serves HTTP only
   */
  readonly certificateArn?: string;
  /**
   * Whether the load balancer is internet-facing.
   *
   * @default true
   */
  readonly internetFacing?: boolean;
  /** The shop's global URL, which the global canary walks. */
  readonly globalUrl: string;
  /** How often each canary runs. */
  readonly canaryRate: Duration;
  /**
   * The commit the stacks a rollback redeploys (services, observability, runbooks) run, stamped on each as
   * `DeployedCommit`.
   *
   * @default UNVERSIONED_COMMIT
   */
  readonly deployedCommit?: string;
  /**
   * How long every Aurora cluster keeps its automated backups, and with them the snapshot of the writes an unplanned
   * failover loses.
   *
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
  /**
   * The scheduled readiness of the Region and how a move scales the Region that takes over (config `readiness`).
   *
   * @default - every 30 minutes; the runbook topology's defaults
   */
  readonly readiness?: RegionalReadinessProps;
  /**
   * Images of the services.
   *
   * @default - built from `services/Dockerfile` with `SERVICE=<name>`
   */
  readonly images?: Readonly<Partial<Record<ShopServiceName, ecs.ContainerImage>>>;
  /**
   * Game days (config `gameDays.enabled`): the game-day stack, evidence under object lock in the report bucket, and
   * task definitions prepared for FIS task actions.
   *
   * @default - none of it exists
   */
  readonly gameDays?: RegionalGameDayProps;
  /**
   * How traffic moves between the Regions (config `routingMode`): the runbooks drive the ARC routing controls, or run
   * the ARC Region switch plan (and this Region's runbook stack holds the function the plan invokes to start recover).
   *
   * @default 'arc-cluster'
   */
  readonly routingMode?: RoutingMode;
}

/** The readiness settings of a {@link RegionalStage} (config `readiness`). */
export interface RegionalReadinessProps
  extends Partial<
    Pick<
      ReadinessSettings,
      'peakSharePercent' | 'scaleUpBudgetSeconds' | 'failbackHealthyMinutes' | 'releaseGraceMinutes'
    >
  > {
  /**
   * How often every readiness check runs in the Region (its alarm looks at twice this).
   *
   * @default Duration.minutes(30)
   */
  readonly schedule?: Duration;
}

/** The game-day settings of a {@link RegionalStage}. */
export interface RegionalGameDayProps {
  /** Orders per minute of the synthetic shopper while a game day runs. */
  readonly shopperRatePerMinute: number;
  /** How long an evidence pack stays under object lock. */
  readonly evidenceRetention: Duration;
  /** The recovery time objective, in minutes. */
  readonly rtoTargetMinutes: number;
  /** The recovery point objective, in seconds. */
  readonly rpoTargetSeconds: number;
  /**
   * The shopper handler module to bundle (tests pass another one).
   *
   * @default runbooks/gameday/shopper-handler.ts
   */
  readonly shopperEntry?: string;
}

/**
 * Everything one Region runs, as separate stacks: network, data (stateful, termination-protected),
 * services, observability. The same class builds the primary and the standby; `role` decides which side of
 * each global resource (Aurora global database, DynamoDB global table) this Region creates.
 */
export class RegionalStage extends Stage {
  /** What this Region does in the global resources. */
  readonly role: RegionRole;
  /** VPC, subnets, endpoints. */
  readonly network: NetworkStack;
  /** KMS key, Aurora members, global tables. */
  readonly data: DataStack;
  /** ECS services and the load balancer. */
  readonly services: ServicesStack;
  /** Canaries, alarms, dashboard. */
  readonly observability: ObservabilityStack;
  /** Runbook functions, SSM Automation documents and the report bucket: runs from the surviving Region. */
  readonly runbooks: RunbookStack;
  /** FIS experiments, synthetic shoppers, Resilience Hub: only when game days are enabled. */
  readonly gameday?: GameDayStack;

  constructor(scope: Construct, id: string, props: RegionalStageProps) {
    super(scope, id, { env: { account: props.account, region: props.region } });
    this.role = props.role;
    // Stacks inside one Region reference each other with exports: the data stack cannot lose a value a
    // running service still imports. Stated explicitly rather than inherited from a default.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    const names = stackNames(props.appName, props.envName);
    const env = { account: props.account, region: props.region };
    const common = { appName: props.appName, envName: props.envName };

    this.network = new NetworkStack(this, 'Network', {
      env,
      stackName: names.network(props.region),
      description: `${props.appName} ${props.envName} network (${props.role})`,
      availabilityZones: props.availabilityZones,
      cidr: props.vpcCidr,
    });
    this.data = new DataStack(this, 'Data', {
      env,
      stackName: names.data(props.region),
      description: `${props.appName} ${props.envName} data (${props.role}); stateful, termination-protected`,
      ...common,
      role: props.role,
      peerRegion: props.peerRegion,
      vpc: this.network.vpc,
      databaseClientSecurityGroup: this.network.databaseClientSecurityGroup,
      backupRetention: props.backupRetention,
    });
    this.services = new ServicesStack(this, 'Services', {
      env,
      stackName: names.services(props.region),
      description: `${props.appName} ${props.envName} services (${props.role})`,
      ...common,
      role: props.role,
      vpc: this.network.vpc,
      databaseClientSecurityGroup: this.network.databaseClientSecurityGroup,
      databases: this.data.databases,
      tables: this.data.tables,
      certificateArn: props.certificateArn,
      internetFacing: props.internetFacing,
      vpcCidr: this.network.cidr,
      images: props.images,
      // The canaries' traffic is what keeps the internal services' deployment alarms evaluated (review M2).
      trafficInterval: props.canaryRate,
      syntheticShopperToken: this.data.syntheticShopperToken,
      customerCookieSecret: this.data.customerCookieSecret,
      faultInjection: props.gameDays !== undefined,
    });
    this.observability = new ObservabilityStack(this, 'Observability', {
      env,
      stackName: names.observability(props.region),
      description: `${props.appName} ${props.envName} canaries, alarms and dashboard (${props.role})`,
      ...common,
      peerRegion: props.peerRegion,
      loadBalancer: this.services.loadBalancer,
      targetGroup: this.services.uiTargetGroup,
      localUrl: this.services.loadBalancerUrl,
      globalUrl: props.globalUrl,
      canaryRate: props.canaryRate,
      ordersPlaced: this.services.ordersPlaced,
      // The canaries place their orders as the synthetic shopper (review M2).
      syntheticShopperToken: this.data.syntheticShopperToken,
      // An internal load balancer answers only its VPC: the canaries must run in it.
      canaryVpc: (props.internetFacing ?? true) ? undefined : this.network.vpc,
      readinessSchedule: props.readiness?.schedule,
      ...(props.routingMode ? { routingMode: props.routingMode } : {}),
    });
    // Every service is deployed with the same autoscaling minimum; a failback restores it after a scale-up.
    const minimums = [...new Set(Object.values(this.services.services).map((s) => s.minTasks))];
    if (minimums.length !== 1) {
      throw new Error(
        `services: autoscaling minimums ${minimums.join(', ')} differ; accepted: one minimum for every service (the runbooks restore one baseline)`,
      );
    }
    const { schedule: readinessSchedule, ...readiness } = props.readiness ?? {};
    this.runbooks = new RunbookStack(this, 'Runbooks', {
      env,
      stackName: names.runbooks(props.region),
      description: `${props.appName} ${props.envName} failover runbooks (${props.role})`,
      ...common,
      role: props.role,
      primaryRegion: props.role === 'primary' ? props.region : props.peerRegion,
      standbyRegion: props.role === 'primary' ? props.peerRegion : props.region,
      vpc: this.network.vpc,
      databaseClientSecurityGroup: this.network.databaseClientSecurityGroup,
      dataKey: this.data.key,
      // The ui's terse readiness: the load balancer answers /health/ready itself with a 404 (issue 14, review m8).
      healthUrls: [`${this.services.loadBalancerUrl}${PUBLIC_READINESS_PATH}`],
      ecsClusterName: this.services.cluster.clusterName,
      baselineMinimumTasks: minimums[0],
      readiness: {
        ...readiness,
        // The backup-retention check holds every cluster to what this configuration deploys.
        ...(props.backupRetention ? { minimumBackupRetentionDays: props.backupRetention.toDays() } : {}),
      },
      readinessSchedule,
      ...(props.routingMode ? { routingMode: props.routingMode } : {}),
    });
    // The pipeline records a release only when the stacks its rollback redeploys show they run its commit, and a
    // rollback is verified by the same stamp (the runbooks are the DR mechanism: rolled back too, review M12).
    for (const stack of [this.services, this.observability, this.runbooks]) {
      new DeployedCommit(stack, 'DeployedCommit', { commit: props.deployedCommit ?? UNVERSIONED_COMMIT });
    }
    if (props.gameDays) {
      this.runbooks.reports.requireEvidenceLock(props.gameDays.evidenceRetention);
      this.gameday = new GameDayStack(this, 'GameDay', {
        env,
        stackName: gameDayNames(props.appName, props.envName, props.region).stack,
        description: `${props.appName} ${props.envName} game days: FIS experiments, synthetic shoppers, Resilience Hub (${props.role})`,
        ...common,
        peerRegion: props.peerRegion,
        vpc: this.network.vpc,
        regionalUrl: this.services.loadBalancerUrl,
        publicUrl: props.globalUrl,
        internalLoadBalancer: !(props.internetFacing ?? true),
        shopperRatePerMinute: props.gameDays.shopperRatePerMinute,
        rtoTargetMinutes: props.gameDays.rtoTargetMinutes,
        rpoTargetSeconds: props.gameDays.rpoTargetSeconds,
        applicationStackArns: [this.network, this.data, this.services, this.observability, this.runbooks].map(
          (stack) => stack.stackId,
        ),
        shopperEntry: props.gameDays.shopperEntry,
      });
    }
  }
}
