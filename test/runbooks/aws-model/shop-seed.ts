import { createHash } from 'node:crypto';
import { parseTopology, type Topology } from '../../../runbooks/topology';
import { alarmNames } from '../../../stacks/naming/alarm-names';
import { databaseNames, SHOP_DATABASES } from '../../../stacks/naming/database-names';
import { routingNames } from '../../../stacks/naming/routing-names';
import { DATABASE_WRITER_SERVICES, ecsClusterName } from '../../../stacks/naming/service-names';
import { stackNames } from '../../../stacks/naming/stack-names';
import { SHOP_SERVICES } from '../../../stacks/services/shop-services';
import type { AwsModel } from './aws-model';

/** Options of {@link seedShop}. */
export interface ShopSeedOptions {
  /** @default 'shop' */
  readonly appName?: string;
  /** @default 'dev' */
  readonly envName?: string;
  /** Where the writers and the traffic are. @default 'us-east-1' */
  readonly primaryRegion?: string;
  /** @default 'us-west-2' */
  readonly standbyRegion?: string;
  /** BackupRetentionPeriod of the Aurora clusters, in days (the data stack's today). @default 7 */
  readonly backupRetentionDays?: number;
  /** Tasks each ECS service runs (and its autoscaling minimum). @default 2 */
  readonly tasksPerService?: number;
  /**
   * The SSM parameter the routing stack writes the ARC endpoints and routing-control ARNs to, in both Regions.
   * @default - `routingNames(app, env).routingParameter` (`/<app>/<env>/arc-routing`)
   */
  readonly arcParameterName?: string;
  /** Whether to write that parameter (a stack deployed before the parameter existed has none). @default true */
  readonly writeArcParameter?: boolean;
  /**
   * The routing controls: `primary-on` (traffic in the primary Region), or `all-off`, as right after the first deploy
   * ("The routing controls are off by default", review m1). @default 'primary-on'
   */
  readonly routing?: 'primary-on' | 'all-off';
  /** The applied Fargate On-Demand vCPU quota of each Region (model choice for a default). @default 4000 */
  readonly fargateVcpuQuota?: number;
  /**
   * The commit both Regions' services stacks run: the `/<stack name>/deployed-commit` SSM parameter each deploy
   * writes (stacks/deployed-commit.ts), written at seed time. @default SEEDED_COMMIT
   */
  readonly deployedCommit?: string;
}

/** The commit the seeded shop runs in both Regions (see {@link ShopSeedOptions.deployedCommit}). */
export const SEEDED_COMMIT = '1111111111111111111111111111111111111111';

/** What {@link seedShop} built, with the names the runbook stack uses. */
export interface ShopFixture {
  readonly appName: string;
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The runbook report bucket of each Region. */
  readonly buckets: Readonly<Record<string, string>>;
  readonly arcParameterName: string;
  /** Routing-control ARN of each Region. */
  readonly controlArns: Readonly<Record<string, string>>;
  /** Routing-control name of each Region. */
  readonly controlNames: Readonly<Record<string, string>>;
  /** The ARN of the "at least one Region on" safety rule. */
  readonly safetyRuleArn: string;
  /** Global cluster identifier of each database (`catalog`, `orders`). */
  readonly globalClusters: Readonly<Record<string, string>>;
  /** Regional cluster identifier of each database (the same in both Regions). */
  readonly clusters: Readonly<Record<string, string>>;
  readonly ecsCluster: string;
  /** The canary alarms of each Region (`canary-local`, `canary-global`), seeded OK, listed in the topology. */
  readonly canaryAlarms: Readonly<Record<string, readonly string[]>>;
  /** The task definition ARN each service runs, by `<region>/<service>`. */
  readonly taskDefinitions: Readonly<Record<string, string>>;
  /** Each Region's services stack's deployed-commit SSM parameter (in that Region), listed in the topology. */
  readonly deployedCommitParameters: Readonly<Record<string, string>>;
  /** The image digest every service's container (`app`) runs, by service: the same in both Regions. */
  readonly imageDigests: Readonly<Record<string, string>>;
  /**
   * The topology the runbook stack gives its Lambda in `region` (the shape of `stacks/runbooks/runbook-stack.ts`):
   * controls by name, resolved through the ARC parameter; recovery settings for `region`; the other Region's
   * writer services (for fencing). Fields a schema version does not know are dropped by its parser.
   */
  topology(region: string): Topology;
  /** Routing-control state of each Region. */
  routing(): Record<string, string>;
  /** Writer Region of each global cluster, once every transition due by now has happened. */
  writers(): Record<string, string | undefined>;
}

/**
 * Writes the ARC parameter the way the routing stack does: `{"clusterArn", "endpoints": [{"Region", "Endpoint"}],
 * "routingControls": {<routing-control name>: <ARN>}}` (the shape of CloudFormation's `ClusterEndpoints` attribute
 * and of `runbooks/adapters/aws/arc-routing-parameter.ts`), into each of `regions`.
 */
export function writeArcRoutingParameter(model: AwsModel, name: string, regions: readonly string[]): string {
  const value = JSON.stringify({
    clusterArn: model.arc.clusterArn,
    endpoints: model.arc.endpoints.map((e) => ({ Region: e.region, Endpoint: e.endpoint })),
    routingControls: Object.fromEntries([...model.arc.controls.values()].map((c) => [c.name, c.arn])),
  });
  for (const region of regions) model.ssm.put(region, name, value);
  return value;
}

/**
 * Builds the shop's default state in the model, as the stacks deploy it: for `catalog` and `orders`, an Aurora
 * global database (`shop-dev-<db>-global`) with its writer cluster `shop-dev-<db>` in the primary Region and a
 * connected secondary of the same name in the standby Region, two instances each; the ARC cluster with one routing
 * control per Region (primary On, standby Off) under an "at least one On" assertion rule; the ARC parameter in both
 * Regions; a runbook bucket, the master secrets, the ECS cluster and services (with autoscaling targets) per Region.
 */
export function seedShop(model: AwsModel, options: ShopSeedOptions = {}): ShopFixture {
  const appName = options.appName ?? 'shop';
  const envName = options.envName ?? 'dev';
  const primaryRegion = options.primaryRegion ?? 'us-east-1';
  const standbyRegion = options.standbyRegion ?? 'us-west-2';
  const regions = [primaryRegion, standbyRegion];
  const prefix = `${appName}-${envName}`;
  const dbNames = databaseNames(appName, envName);
  const routeNames = routingNames(appName, envName);
  const ecsCluster = ecsClusterName(appName, envName);
  const tasks = options.tasksPerService ?? 2;

  const globalClusters: Record<string, string> = {};
  const clusters: Record<string, string> = {};
  for (const db of SHOP_DATABASES) {
    const names = dbNames[db];
    globalClusters[db] = names.globalClusterIdentifier;
    clusters[db] = names.clusterIdentifier;
    const arns = regions.map((region) => {
      const cluster = model.rds.addCluster(region, names.clusterIdentifier, {
        backupRetentionPeriod: options.backupRetentionDays ?? 7,
        kmsKeyId: `arn:aws:kms:${region}:${model.accountId}:key/data-${region}`,
      });
      for (const instance of names.instanceIdentifiers)
        model.rds.addInstance(region, instance, names.clusterIdentifier);
      return cluster.arn;
    });
    model.rds.addGlobalCluster(names.globalClusterIdentifier, arns[0]!, arns.slice(1));
  }

  const panelArn = `${model.arc.clusterArn.replace(/:cluster\/.*/, '')}:controlpanel/0123456789abcdef0123456789abcdef`;
  const controlArns: Record<string, string> = {};
  const controlNames: Record<string, string> = {};
  for (const region of regions) {
    const name = routeNames.routingControl(region);
    const arn = `${panelArn}/routingcontrol/${region.replace(/-/g, '')}00000000`;
    controlArns[region] = arn;
    controlNames[region] = name;
    model.arc.addControl({
      arn,
      name,
      controlPanelArn: panelArn,
      controlPanelName: routeNames.controlPanel,
      state: region === primaryRegion && options.routing !== 'all-off' ? 'On' : 'Off',
    });
  }
  const safetyRuleArn = `${panelArn}/safetyrule/atleastone000000`;
  model.arc.addAssertionRule({
    arn: safetyRuleArn,
    name: routeNames.safetyRule,
    assertedControls: regions.map((r) => controlArns[r]!),
    threshold: 1,
  });
  const arcParameterName = options.arcParameterName ?? routeNames.routingParameter;
  if (options.writeArcParameter ?? true) writeArcRoutingParameter(model, arcParameterName, regions);

  const buckets: Record<string, string> = {};
  for (const region of regions) {
    buckets[region] = `${prefix}-${region}-runbook-reports`;
    model.s3.addBucket(buckets[region], region);
    for (const db of SHOP_DATABASES) {
      model.secrets.put(
        region,
        dbNames[db].secretName,
        JSON.stringify({ username: 'shop_admin', password: 'not-a-real-password' }),
      );
    }
    for (const service of SHOP_SERVICES) model.ecs.addService(region, ecsCluster, service, tasks, tasks, 10);
  }
  // The database secrets are the primary's, replicated to the standby (stacks/data/global-aurora-database.ts:
  // `replicaRegions: [{ region: props.peerRegion }]`).
  for (const db of SHOP_DATABASES) model.secrets.replicate(primaryRegion, dbNames[db].secretName, [standbyRegion]);

  // Each Region's task definitions as the services stack registers them (one container `app`, 0.25 vCPU, 512 MiB,
  // Region-specific values only in Region names, the account id and REGION_ROLE / DB_HOST), the same image digest.
  const taskDefinitions: Record<string, string> = {};
  const imageDigests: Record<string, string> = {};
  for (const service of SHOP_SERVICES) {
    imageDigests[service] = `sha256:${createHash('sha256').update(`${service}-image`).digest('hex')}`;
    for (const region of regions) {
      const arn = model.ecs.registerTaskDefinition(
        region,
        shopTaskDefinition(model.accountId, region, prefix, service, region === primaryRegion),
      );
      taskDefinitions[`${region}/${service}`] = arn;
      model.ecs.deploy(region, ecsCluster, service, arn, { app: imageDigests[service] });
    }
  }
  const canaryAlarms: Record<string, string[]> = {};
  for (const region of regions) {
    const names = alarmNames(appName, envName, region);
    canaryAlarms[region] = [names.canaryLocal, names.canaryGlobal];
    // OK for a day already: the shop as deployed has been healthy for a while (model choice), so a failback's
    // "healthy since" rule is met unless a test changes an alarm.
    const healthySince = new Date(model.clock.now().getTime() - 24 * 3_600_000);
    for (const alarm of canaryAlarms[region]) model.setAlarm(region, alarm, 'OK', 'MetricAlarm', healthySince);
    model.serviceQuotas.set(
      region,
      'fargate',
      'L-3032A538',
      options.fargateVcpuQuota ?? 4000,
      'Fargate On-Demand vCPU resource count',
    );
  }

  // What each Region's services stack writes on every deploy (stacks/deployed-commit.ts: `/<stack name>/deployed-commit`).
  const deployedCommitParameters: Record<string, string> = {};
  for (const region of regions) {
    deployedCommitParameters[region] = `/${stackNames(appName, envName).services(region)}/deployed-commit`;
    model.ssm.put(region, deployedCommitParameters[region], options.deployedCommit ?? SEEDED_COMMIT);
  }

  const topology = (region: string): Topology => {
    const peer = region === primaryRegion ? standbyRegion : primaryRegion;
    return parseTopology(
      {
        appName,
        envName,
        primaryRegion,
        standbyRegion,
        databases: SHOP_DATABASES.map((db) => ({
          name: db,
          globalClusterIdentifier: dbNames[db].globalClusterIdentifier,
          secretId: dbNames[db].secretName,
          databaseName: dbNames[db].databaseName,
          clusterIdentifiers: Object.fromEntries(regions.map((r) => [r, dbNames[db].clusterIdentifier])),
        })),
        routing: {
          clusterArn: model.arc.clusterArn,
          parameterName: arcParameterName,
          controlPanelName: routeNames.controlPanel,
          controls: controlNames,
        },
        regions: {
          // The other Region's writers are addressed by the deterministic ECS cluster name (fencing).
          [peer]: {
            healthUrls: [],
            ecsClusterName: ecsCluster,
            // Listed so that parity checks can read the peer's services (the runbook stack lists them too).
            services: [...SHOP_SERVICES],
            writerServices: [...DATABASE_WRITER_SERVICES],
            minimumRunningTasks: 1,
            secretIds: [],
            canaryAlarmNames: [...canaryAlarms[peer]!],
            deployedCommitParameterName: deployedCommitParameters[peer],
          },
          [region]: {
            healthUrls: [],
            ecsClusterName: ecsCluster,
            services: [...SHOP_SERVICES],
            writerServices: [...DATABASE_WRITER_SERVICES],
            minimumRunningTasks: 1,
            secretIds: SHOP_DATABASES.map((db) => dbNames[db].secretName),
            canaryAlarmNames: [...canaryAlarms[region]!],
            deployedCommitParameterName: deployedCommitParameters[region],
            recovery: {
              subnetGroupName: `${prefix}-recovery`,
              securityGroupIds: ['sg-0123456789abcdef0'],
              kmsKeyId: `arn:aws:kms:${region}:${model.accountId}:key/data-${region}`,
              instanceClass: 'db.r6g.large',
            },
          },
        },
      },
      `seedShop(${region})`,
    );
  };

  return {
    appName,
    envName,
    primaryRegion,
    standbyRegion,
    buckets,
    arcParameterName,
    controlArns,
    controlNames,
    safetyRuleArn,
    globalClusters,
    clusters,
    ecsCluster,
    canaryAlarms,
    taskDefinitions,
    deployedCommitParameters,
    imageDigests,
    topology,
    routing: () => Object.fromEntries(regions.map((r) => [r, model.arc.controls.get(controlArns[r]!)!.state])),
    writers: () => {
      model.settle();
      return model.rds.writerRegions();
    },
  };
}

/** A service's task definition in `region`, in the shape stacks/services/shop-service.ts registers. */
function shopTaskDefinition(account: string, region: string, prefix: string, service: string, primary: boolean) {
  const host = (role: string) =>
    `${prefix}-${service}.cluster-${role}c${region.replace(/-/g, '').slice(0, 8)}x.${region}.rds.amazonaws.com`;
  return {
    family: `${prefix}-${region.replace(/-/g, '')}-${service}`,
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${account}:role/${prefix}-${region}-${service}-execution`,
    taskRoleArn: `arn:aws:iam::${account}:role/${prefix}-${region}-${service}-task`,
    runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    containerDefinitions: [
      {
        name: 'app',
        image: `${account}.dkr.ecr.${region}.amazonaws.com/${prefix}/${service}:latest`,
        essential: true,
        portMappings: [{ name: 'http', containerPort: 8080, protocol: 'tcp' }],
        environment: [
          { name: 'PORT', value: '8080' },
          { name: 'REGION_ROLE', value: primary ? 'primary' : 'standby' },
          { name: 'DB_HOST', value: host(primary ? '' : 'ro-') },
          { name: 'DB_WRITER_HOST', value: host('') },
          { name: 'DB_READER_HOST', value: host('ro-') },
        ],
        secrets: [
          {
            name: 'DB_PASSWORD',
            valueFrom: primary
              ? `arn:aws:secretsmanager:${region}:${account}:secret:${prefix}-db-AbCdEf:password::`
              : `arn:aws:secretsmanager:${region}:${account}:secret:${prefix}-db:password::`,
          },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `${prefix}-${region}-${service}-Logs${primary ? 'A1B2' : 'C3D4'}`,
            'awslogs-region': region,
            'awslogs-stream-prefix': service,
          },
        },
      },
    ],
  };
}
