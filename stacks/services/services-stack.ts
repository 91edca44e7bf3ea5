import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { alarmNames } from '../naming/alarm-names';
import type { ShopDatabase } from '../naming/database-names';
import { gameDayNames } from '../naming/gameday-names';
import { resourcePrefix } from '../naming/resource-prefix';
import { DATABASE_WRITER_SERVICES, ecsClusterName } from '../naming/service-names';
import type { ShopTable } from '../naming/table-names';
import type { RegionRole } from '../region-role';
import { FisManagedInstanceRole } from './fis-ssm-agent-sidecar';
import { shopServiceImage } from './service-image';
import { ShopService } from './shop-service';
import { SHOP_SERVICE_PORT, SHOP_SERVICE_SPECS, SHOP_SERVICES, type ShopServiceName } from './shop-services';

/** How a service reaches one of the Region's databases. */
export interface DatabaseEndpoint {
  /** Master credentials (`username`, `password` JSON fields). */
  readonly secret: secretsmanager.ISecret;
  /** The cluster (writer) endpoint. */
  readonly writerHostname: string;
  /** The reader endpoint; in a secondary cluster it forwards writes to the primary. */
  readonly readerHostname: string;
  /** The PostgreSQL port. */
  readonly port: number;
  /** The database name inside the cluster. */
  readonly databaseName: string;
}

/** Stack output names the global routing stack reads with `Fn::GetStackOutput`. */
export const SERVICES_STACK_OUTPUTS = {
  loadBalancerDnsName: 'LoadBalancerDnsName',
  loadBalancerHostedZoneId: 'LoadBalancerCanonicalHostedZoneId',
} as const;

/** Properties of a {@link ServicesStack}. */
export interface ServicesStackProps extends StackProps {
  /** Application name, part of resource names. */
  readonly appName: string;
  /** Environment name, part of resource names. */
  readonly envName: string;
  /** The Region's role, passed to every service as `REGION_ROLE`. */
  readonly role: RegionRole;
  /** The Region's VPC. */
  readonly vpc: ec2.IVpc;
  /** Security group the database-owning services wear so the clusters admit them. */
  readonly databaseClientSecurityGroup: ec2.ISecurityGroup;
  /** The Region's databases. */
  readonly databases: Readonly<Record<ShopDatabase, DatabaseEndpoint>>;
  /** The Region's replicas of the global tables. */
  readonly tables: Readonly<Record<ShopTable, dynamodb.ITableV2>>;
  /** The images of the services. @default - built from `services/Dockerfile` with `SERVICE=<name>` */
  readonly images?: Readonly<Partial<Record<ShopServiceName, ecs.ContainerImage>>>;
  /**
   * ACM certificate for the load balancer; with one the ALB serves HTTPS and redirects HTTP to it.
   *
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /**
   * Whether the load balancer is reachable from the internet.
   *
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * The VPC's IPv4 range, which an internal load balancer admits.
   *
   * @default - the VPC's CIDR attribute (a token, which cdk-nag cannot evaluate)
   */
  readonly vpcCidr?: string;
  /**
   * Tasks per service in normal operation (and the autoscaling minimum).
   *
   * @default 2
   */
  readonly minTasks?: number;
  /**
   * How often the canaries walk the shop: the longest quiet gap the internal services can count on. Their deployment
   * alarms (missing data treated as missing) look back twice this long, so a healthy service between two canary runs
   * stays OK instead of INSUFFICIENT_DATA, which the bake gate refuses at the end of a bake (review M2).
   *
   * @default Duration.minutes(1)
   */
  readonly trafficInterval?: Duration;
  /**
   * The synthetic shopper's token, given to the ui as `SYNTHETIC_SHOPPER_TOKEN`: the canaries' orders are then marked
   * synthetic (services/README.md, "Synthetic shopper").
   *
   * @default - no token: the ui refuses every request that claims to be the synthetic shopper
   */
  readonly syntheticShopperToken?: secretsmanager.ISecret;
  /**
   * The key the ui signs customer cookies with, given to the ui as `CUSTOMER_COOKIE_SECRET` (a plain string secret).
   * Required: without it each ui task would make its own, and a cookie would be valid on one task only.
   */
  readonly customerCookieSecret: secretsmanager.ISecret;
  /**
   * Game days: every task definition accepts FIS fault injection, and the database writers (the ECS targets of the
   * game day's isolation experiment) run the SSM agent sidecar.
   *
   * @default false
   */
  readonly faultInjection?: boolean;
}

/**
 * Paths the load balancer answers itself with a 404, so the internet never reaches them: `/topology` (instance,
 * backends, chaos state, version), `/health/ready` (backend names) and `/chaos` (off in AWS anyway). Up to three
 * comparison strings per condition ("Listener rules for your Application Load Balancer", ELB User Guide); path
 * patterns are case sensitive, as the ui's router is. The target group's health check (`/health`) goes straight to
 * the targets, not through a listener, and `/ready` (the terse readiness the runbooks probe) is not matched.
 */
export const INTERNAL_PATH_PATTERNS = ['/topology*', '/health/ready*', '/chaos*'] as const;

/** The ui's public readiness path: 200 or 503 without details, probed through the load balancer by the runbooks. */
export const PUBLIC_READINESS_PATH = '/ready';

/**
 * The stateless application of one Region: an ECS cluster with a Service Connect namespace, the five shop
 * services on Fargate, and an Application Load Balancer in front of the ui.
 */
export class ServicesStack extends Stack {
  /** The ECS cluster. */
  readonly cluster: ecs.Cluster;
  /** The services by name. */
  readonly services: Readonly<Record<ShopServiceName, ShopService>>;
  /** The load balancer in front of the ui. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The ui's target group. */
  readonly uiTargetGroup: elbv2.ApplicationTargetGroup;
  /** The URL of the shop through this Region's load balancer. */
  readonly loadBalancerUrl: string;
  /**
   * Real orders placed per minute, counted from the orders service's `{"event":"order.placed"}` log lines whose
   * `synthetic` is false: the canaries' synthetic orders are left out.
   */
  readonly ordersPlaced: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const prefix = resourcePrefix(props.appName, props.envName);
    const alarms = alarmNames(props.appName, props.envName, this.region);
    const internetFacing = props.internetFacing ?? true;
    // The data stack deploys first: in the standby the services find the table and secret replicas by name, so
    // no reference would order the two stacks. Declared before any grant, so grants on data-stack resources land
    // in this stack's role policies rather than in resource policies over there.
    for (const producer of new Set(
      [...Object.values(props.databases).map((db) => db.secret), ...Object.values(props.tables)].map((c) =>
        Stack.of(c),
      ),
    )) {
      if (producer !== this) this.addStackDependency(producer);
    }

    const clusterName = ecsClusterName(props.appName, props.envName);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      // Deterministic and the same in both Regions: the runbook of one Region addresses the other Region's
      // services by name (fencing a failed Region), without a cross-Region reference.
      clusterName,
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: {
        name: `${props.appName}.${props.envName}.internal`,
        // Service Connect resolves names itself: an HTTP namespace needs no private hosted zone.
        type: servicediscovery.NamespaceType.HTTP,
        useForServiceConnect: true,
      },
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      dropInvalidHeaderFields: true,
      // Clients on an open connection keep reaching this Region after a failover moved the DNS name away, until the
      // connection closes: 3600 s by default. ARC best practices
      // (https://docs.aws.amazon.com/r53recovery/latest/dg/route53-arc-best-practices.html): "By default,
      // Application Load Balancers set the HTTP client keepalive duration value to 3600 seconds ... We suggest that
      // you lower the value ... for example, 300 seconds." (attribute client_keep_alive.seconds, 60 s to 7 days:
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html).
      clientKeepAlive: Duration.seconds(300),
    });
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs only support SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is itself the destination of the load balancer access logs; logging its own access would only log the log delivery.',
    });

    this.uiTargetGroup = new elbv2.ApplicationTargetGroup(this, 'UiTargets', {
      vpc: props.vpc,
      port: SHOP_SERVICE_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/health',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    const ports = this.addListeners(props.certificateArn, internetFacing);
    if (!internetFacing) {
      // An internal load balancer answers its own VPC only (port forwarding arrives from a ui task in it).
      for (const port of props.certificateArn ? [80, 443] : [80]) {
        this.loadBalancer.connections.allowFrom(
          ec2.Peer.ipv4(props.vpcCidr ?? props.vpc.vpcCidrBlock),
          ec2.Port.tcp(port),
          `VPC to the internal load balancer on ${port}`,
        );
      }
    }
    if (internetFacing) {
      Validations.of(this.loadBalancer).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: `The internet-facing load balancer is the shop's public entry point and must accept ${ports} from any address; the tasks behind it admit only the load balancer.`,
      });
    }

    const uiDeploymentMetric = this.uiTargetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.SUM,
    });
    const services = {} as Record<ShopServiceName, ShopService>;
    const managedInstanceRole = props.faultInjection
      ? new FisManagedInstanceRole(this, 'FisManagedInstance', {
          roleName: gameDayNames(props.appName, props.envName, this.region).managedInstanceRole,
        }).role
      : undefined;
    for (const name of SHOP_SERVICES) {
      const spec = SHOP_SERVICE_SPECS[name];
      const environment: Record<string, string> = {
        PORT: String(SHOP_SERVICE_PORT),
        REGION_ROLE: props.role,
        APP_NAME: props.appName,
        ENV_NAME: props.envName,
        // The chaos endpoints are for drills; in AWS the ui is on the internet, so they stay off unless a drill
        // turns them on through a deployment.
        CHAOS_ENABLED: 'false',
      };
      for (const callee of spec.calls) {
        environment[`${callee.toUpperCase()}_URL`] = `http://${callee}:${SHOP_SERVICE_PORT}`;
      }
      const secrets: Record<string, ecs.Secret> = {};
      let secretKey: secretsmanager.ISecret['encryptionKey'];
      if (spec.database) {
        const db = props.databases[spec.database];
        // A secret that carries the data stack's key would grant through the key policy, naming this stack's
        // roles from the data stack (a cycle): use the secret by ARN and grant the key in the role's policy.
        secretKey = db.secret.encryptionKey;
        const secret = secretKey
          ? secretsmanager.Secret.fromSecretAttributes(this, `${spec.database}DatabaseSecret`, {
              secretCompleteArn: db.secret.secretArn,
            })
          : db.secret;
        // A secondary's cluster endpoint is inactive until a failover, and its reader endpoint forwards writes to
        // the primary. Given both, a service uses the cluster endpoint while it accepts writes and the reader
        // endpoint otherwise, re-checking every few seconds: the standby Region writes locally as soon as a
        // failover has promoted its cluster (services/README.md, "Writer and reader endpoints"). DB_HOST is the
        // endpoint of the Region's role at deployment time, for tools that read one host.
        environment.DB_HOST = props.role === 'primary' ? db.writerHostname : db.readerHostname;
        environment.DB_WRITER_HOST = db.writerHostname;
        environment.DB_READER_HOST = db.readerHostname;
        environment.DB_PORT = String(db.port);
        environment.DB_NAME = db.databaseName;
        // Both Regions migrate on start: after a failover or switchover the standby Region holds the writer, and its
        // tasks are the only ones that can. A task whose database is a replica skips (services/platform/postgres.ts
        // checks pg_is_in_recovery(); forwarded writes are not for DDL), and concurrent tasks wait on an advisory lock
        // (services/db/migrate.ts).
        environment.DB_MIGRATE_ON_START = 'true';
        secrets.DB_USER = ecs.Secret.fromSecretsManager(secret, 'username');
        secrets.DB_PASSWORD = ecs.Secret.fromSecretsManager(secret, 'password');
      }
      if (spec.table) {
        environment[`${spec.table.toUpperCase()}_TABLE`] = props.tables[spec.table].tableName;
      }
      if (name === 'ui' && props.syntheticShopperToken) {
        secrets.SYNTHETIC_SHOPPER_TOKEN = ecs.Secret.fromSecretsManager(props.syntheticShopperToken);
      }
      if (name === 'ui') {
        secrets.CUSTOMER_COOKIE_SECRET = ecs.Secret.fromSecretsManager(props.customerCookieSecret);
      }

      const deploymentMetric = name === 'ui' ? uiDeploymentMetric : serviceConnect5xx(clusterName, name);
      services[name] = new ShopService(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}`, {
        name,
        cluster: this.cluster,
        image: props.images?.[name] ?? shopServiceImage(name),
        environment,
        secrets,
        extraSecurityGroups: spec.database ? [props.databaseClientSecurityGroup] : [],
        deploymentAlarmName: alarms.deployment(name),
        deploymentMetric,
        // The load balancer reports HTTPCode_Target_5XX_Count only when it is not zero, so silence means healthy.
        // For the Service Connect metrics that is unverified: silence shows as INSUFFICIENT_DATA, not as OK, and an
        // alarm bound to a dimension set ECS does not publish is seen instead of protecting nothing.
        deploymentAlarmTreatMissingData:
          name === 'ui' ? cloudwatch.TreatMissingData.NOT_BREACHING : cloudwatch.TreatMissingData.MISSING,
        // "missing – If all data points in the alarm evaluation range are missing, the alarm transitions to
        // INSUFFICIENT_DATA" (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data").
        deploymentAlarmEvaluationMinutes:
          name === 'ui' ? 3 : Math.max(3, 2 * (props.trafficInterval ?? Duration.minutes(1)).toMinutes()),
        minTasks: props.minTasks,
        // An internal load balancer is reached by port forwarding through a ui task (README).
        enableExecuteCommand: name === 'ui' && !internetFacing,
        faultInjection: props.faultInjection
          ? {
              managedInstanceRole: (DATABASE_WRITER_SERVICES as readonly string[]).includes(name)
                ? managedInstanceRole
                : undefined,
            }
          : undefined,
      });
      if (secretKey) {
        services[name].taskDefinition.obtainExecutionRole().addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [secretKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
          }),
        );
      }
      if (spec.table) {
        props.tables[spec.table].grantReadWriteData(services[name].taskDefinition.taskRole);
      }
    }
    for (const name of SHOP_SERVICES) {
      for (const callee of SHOP_SERVICE_SPECS[name].calls) {
        // On the callee's own group only: a shared group (database clients) would pull the rule into its stack.
        services[callee].securityGroup.addIngressRule(
          services[name].securityGroup,
          ec2.Port.tcp(SHOP_SERVICE_PORT),
          `${name} calls ${callee}`,
        );
      }
    }
    this.services = services;
    this.uiTargetGroup.addTarget(
      services.ui.service.loadBalancerTarget({ containerName: 'app', containerPort: SHOP_SERVICE_PORT }),
    );

    const ordersPlaced = new logs.MetricFilter(this, 'OrdersPlaced', {
      logGroup: services.orders.logGroup,
      // A business metric: the canaries' synthetic orders are left out. booleanValue is "A JSON log pattern that
      // matches if the field exists and equals the boolean value" (aws-cdk-lib FilterPattern); the orders service
      // writes `synthetic` on every order.placed line (services/orders/routes.ts).
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.event', '=', 'order.placed'),
        logs.FilterPattern.booleanValue('$.synthetic', false),
      ),
      metricNamespace: `${props.appName}/${props.envName}`,
      metricName: 'OrdersPlaced',
      metricValue: '1',
    });
    this.ordersPlaced = ordersPlaced.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });

    const scheme = props.certificateArn ? 'https' : 'http';
    this.loadBalancerUrl = `${scheme}://${this.loadBalancer.loadBalancerDnsName}`;
    new CfnOutput(this, SERVICES_STACK_OUTPUTS.loadBalancerDnsName, {
      value: this.loadBalancer.loadBalancerDnsName,
      description: `DNS name of the ${prefix} load balancer in this Region, read by the global routing stack`,
    });
    new CfnOutput(this, SERVICES_STACK_OUTPUTS.loadBalancerHostedZoneId, {
      value: this.loadBalancer.loadBalancerCanonicalHostedZoneId,
      description: 'Canonical hosted zone of the load balancer, for Route 53 alias records',
    });
  }

  /**
   * Adds HTTP (and, with a certificate, HTTPS plus a redirect) listeners; returns the ports opened, for humans. The
   * listener that forwards to the ui answers {@link INTERNAL_PATH_PATTERNS} itself with a 404.
   */
  private addListeners(certificateArn: string | undefined, open: boolean): string {
    if (!certificateArn) {
      this.refuseInternalPaths(
        this.loadBalancer.addListener('Http', {
          open,
          port: 80,
          protocol: elbv2.ApplicationProtocol.HTTP,
          defaultTargetGroups: [this.uiTargetGroup],
        }),
      );
      return 'HTTP on port 80';
    }
    const https = this.loadBalancer.addListener('Https', {
      open,
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [this.uiTargetGroup],
    });
    this.refuseInternalPaths(https);
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open });
    return 'HTTPS on port 443 (and port 80, which only redirects to HTTPS)';
  }

  /** "Each rule must include exactly one of the following actions: forward, redirect, or fixed-response" (ELB). */
  private refuseInternalPaths(listener: elbv2.ApplicationListener): void {
    new elbv2.ApplicationListenerRule(this, 'InternalPathsNotFound', {
      listener,
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns([...INTERNAL_PATH_PATTERNS])],
      action: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
    });
  }
}

/**
 * 5xx responses of a backend service per minute, summed over the services that call it.
 *
 * Service Connect reports the HTTP codes of a service's application ("target") from its callers' proxies: under
 * `{ClusterName, ServiceName: <caller>, TargetDiscoveryName: <callee>}`. The set the alarm used before,
 * `{ClusterName, ServiceName, DiscoveryName}`, is the server side's, for which no source shows
 * `HTTPCode_Target_5XX_Count`. Unverified: the Service Connect rows of
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html could not be read here; an AWS
 * workshop shows both sets in the console ("Cluster, DiscoveryName, ServiceName" for traffic metrics, "Cluster,
 * ServiceName, TargetDiscoveryName" for additional metrics). Check after the first deploy with
 * `aws cloudwatch list-metrics --namespace AWS/ECS --metric-name HTTPCode_Target_5XX_Count` (stacks/README.md).
 * Scoped by ClusterName, unlike `TargetDiscoveryName` alone, which would add up every environment in the Region.
 */
function serviceConnect5xx(clusterName: string, callee: ShopServiceName): cloudwatch.IMetric {
  const callers = SHOP_SERVICES.filter((caller) => SHOP_SERVICE_SPECS[caller].calls.includes(callee));
  if (callers.length === 0) {
    throw new Error(`service: ${JSON.stringify(callee)} has no caller; accepted: a service another service calls`);
  }
  const fromCaller = (caller: ShopServiceName) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ECS',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensionsMap: { ClusterName: clusterName, ServiceName: caller, TargetDiscoveryName: callee },
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.SUM,
    });
  if (callers.length === 1) return fromCaller(callers[0]!);
  return new cloudwatch.MathExpression({
    expression: `SUM([${callers.join(', ')}])`,
    usingMetrics: Object.fromEntries(callers.map((caller) => [caller, fromCaller(caller)])),
    label: `${callee} 5xx as seen by ${callers.join(' and ')}`,
    period: Duration.minutes(1),
  });
}
