import type { RoutingMode } from '../config/shop-config';
import { LOCAL_PLAN_ARN } from '../runbooks/adapters/local/ports-region-switch';
import { parseTopology, type Topology } from '../runbooks/topology';
import { SHOP_TABLES } from './stand-ins/dynamodb-server';

/** The databases of the shop that are global databases (one Postgres pair each in the drill). */
export const DRILL_DATABASES = ['catalog', 'orders'] as const;

/** See {@link DRILL_DATABASES}. */
export type DrillDatabase = (typeof DRILL_DATABASES)[number];

/** The services the drill runs in each Region (the readiness capacity check counts them). */
export const DRILL_SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'] as const;

/** Names of the drill's pretend AWS resources. */
export const DRILL_NAMES = {
  appName: 'shop',
  envName: 'drill',
  globalCluster: (database: string) => `shop-drill-${database}`,
  cluster: (database: string, region: string) => `shop-drill-${database}-${region}`,
  routingControl: (region: string) =>
    `arn:aws:route53-recovery-control::000000000000:controlpanel/drill/routingcontrol/${region}`,
  /** The alarm of a Region's global canary (as `alarmNames(...).canaryGlobal` names it on AWS). */
  canaryAlarm: (region: string) => `shop-drill-${region}-canary-global`,
} as const;

/**
 * The readiness settings of the drill's topology. A failback does not wait for the returning Region to have been
 * healthy for an hour: the drill rebuilds it seconds before. The tables are the drill's dynalite tables. Backups are
 * kept at least 7 days (the drill-configured retention is 35: see DrillReadinessSettings). The rest are the defaults
 * (DEFAULT_READINESS_SETTINGS).
 */
export const DRILL_READINESS = {
  failbackHealthyMinutes: 0,
  minimumBackupRetentionDays: 7,
  tables: [...SHOP_TABLES],
} as const;

/**
 * The runbook topology of the drill: the same schema the CLI and the Lambda handlers read, describing the two
 * simulated Regions. Health URLs are the Regions' ui readiness URLs on this machine; identifiers and ARNs are
 * names the drill's local adapters understand (nothing is sent to AWS).
 */
export function drillTopology(options: {
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Base URL of each Region's ui. */
  readonly uiUrls: Readonly<Record<string, string>>;
  /** Whether the journey canary runs (each Region then has a canary alarm). @default false */
  readonly canary?: boolean;
  /**
   * `region-switch`: the runbooks run the plan (the drill's local stand-in, `PortsRegionSwitch`); the routing
   * controls stay in the topology as the front door's switch, which the plan's DNS block sets. @default 'arc-cluster'
   */
  readonly routingMode?: RoutingMode;
}): Topology {
  const { primaryRegion, standbyRegion } = options;
  const region = (name: string) => ({
    healthUrls: [`${options.uiUrls[name]}/health/ready`],
    ecsClusterName: `shop-drill-${name}`,
    services: [...DRILL_SERVICES],
    minimumRunningTasks: 1,
    canaryAlarmNames: options.canary ? [DRILL_NAMES.canaryAlarm(name)] : [],
    // Answered by the drill's readiness facts (LocalReadinessFacts.deployedCommit): the parity checks' release awareness.
    deployedCommitParameterName: `/shop-drill-${name}-services/deployed-commit`,
    secretIds: [],
    recovery: {
      subnetGroupName: 'drill-local',
      securityGroupIds: ['drill-local'],
      kmsKeyId: `arn:aws:kms:${name}:000000000000:key/drill-local`,
      instanceClass: 'drill.local',
    },
  });
  return parseTopology(
    {
      appName: DRILL_NAMES.appName,
      envName: DRILL_NAMES.envName,
      primaryRegion,
      standbyRegion,
      databases: DRILL_DATABASES.map((name) => ({
        name,
        globalClusterIdentifier: DRILL_NAMES.globalCluster(name),
        secretId: `shop-drill/${name}-db`,
        databaseName: name,
        clusterIdentifiers: {
          [primaryRegion]: DRILL_NAMES.cluster(name, primaryRegion),
          [standbyRegion]: DRILL_NAMES.cluster(name, standbyRegion),
        },
      })),
      routing: {
        mode: options.routingMode ?? 'arc-cluster',
        ...(options.routingMode === 'region-switch' ? { regionSwitch: { planArn: LOCAL_PLAN_ARN } } : {}),
        clusterArn: 'arn:aws:route53-recovery-control::000000000000:cluster/drill',
        controls: {
          [primaryRegion]: DRILL_NAMES.routingControl(primaryRegion),
          [standbyRegion]: DRILL_NAMES.routingControl(standbyRegion),
        },
      },
      regions: { [primaryRegion]: region(primaryRegion), [standbyRegion]: region(standbyRegion) },
      readiness: DRILL_READINESS,
    },
    'drill topology',
  );
}
