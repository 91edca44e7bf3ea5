/**
 * The one configuration of multi-region-shop. Everything a platform team changes lives here; the values
 * are validated once by {@link loadConfig} and handed down as typed props. Only entry points read it: the CDK app
 * (`pipeline/main.ts`, and `pipeline/synth.ts` before it), `pipeline/bootstrap.ts`, `pipeline/github-oidc-app.ts` and
 * the drill (`drill/run-drill.ts`); stacks, services and runbooks never do.
 */
export interface ShopConfig {
  /** Name used as the prefix of every stack and resource name (lowercase letters, digits and hyphens). */
  readonly appName: string;
  /** Environment name, e.g. `dev` or `prod`; part of every stack name. */
  readonly envName: string;
  /** The 12-digit AWS account both Regions deploy to. */
  readonly account: string;
  /** The Region that holds the Aurora writers at first deploy and takes traffic first. */
  readonly primaryRegion: string;
  /** The Region that holds the replicas and takes over when the primary fails. */
  readonly standbyRegion: string;
  /**
   * Availability Zones used by each Region's VPC, given explicitly so synth never needs AWS credentials.
   * Keys are Regions; a Region that is not listed uses {@link defaultAvailabilityZones}.
   */
  readonly availabilityZones: Readonly<Record<string, readonly string[]>>;
  /** The Route 53 public hosted zone name that holds the shop's record, e.g. `example.com`. */
  readonly domainName: string;
  /** The shop's host name inside {@link domainName}, e.g. `shop` for `shop.example.com`. */
  readonly hostName: string;
  /**
   * Whether each Region's load balancer is reachable from the internet (`internet-facing`) or only inside its
   * VPC (`internal`; reach it with Session Manager port forwarding through a ui task, see README).
   */
  readonly loadBalancerScheme: LoadBalancerScheme;
  /** ACM certificate ARNs for the ALB listener, one per Region; a Region without one serves HTTP only. */
  readonly certificateArns: Readonly<Record<string, string>>;
  /**
   * How many days every Aurora cluster keeps its automated backups (1 to 35, the range Aurora accepts). The writes
   * an unplanned failover loses survive only in a system snapshot of the old primary, which "is subject to the
   * backup retention period configured on the old primary cluster" (Aurora User Guide, disaster recovery for
   * global databases): this is how long `recover` can still find them.
   */
  readonly backupRetentionDays: number;
  /** How long a Region bakes after a deploy before the pipeline moves on, in minutes. */
  readonly bakeMinutes: number;
  /** Minimum canary runs inside a bake window for the bake to count as evidence. */
  readonly minCanaryRuns: number;
  /** How often each canary runs, in minutes. */
  readonly canaryRateMinutes: number;
  /**
   * How traffic is switched between Regions: `arc-cluster` (Route 53 ARC routing controls and a safety rule, the
   * default), or `region-switch` (an ARC Region switch plan, without the cluster's hourly cost: the runbooks run its
   * `activate` workflow, which also scales the target Region's services and moves the Aurora writers).
   */
  readonly routingMode: RoutingMode;
  /** The GitHub repository (`owner/name`) whose workflows may assume the deploy role. */
  readonly githubRepository: string;
  /** The branch whose pushes deploy. */
  readonly deployBranch: string;
  /** Game days on real AWS (FIS experiments, the synthetic shopper fleet, evidence packs): off unless enabled. */
  readonly gameDays: GameDaysConfig;
  /**
   * The recovery time objective, in minutes: the game day's verdict and the Resilience Hub resiliency policy judge
   * against the same number.
   */
  readonly rtoTargetMinutes: number;
  /**
   * The recovery point objective, in seconds: the game day's verdict and the Resilience Hub resiliency policy judge
   * against the same number.
   */
  readonly rpoTargetSeconds: number;
  /** The scheduled readiness in AWS and how a move scales the Region that takes over. */
  readonly readiness: ReadinessConfig;
}

/** See {@link ShopConfig.readiness}. */
export interface ReadinessConfig {
  /**
   * How often each Region's scheduled readiness runs every check (EventBridge Scheduler `rate(N minutes)`), in
   * minutes. Its alarm looks at periods of twice this, so one late or lost run does not page, two do.
   */
  readonly scheduleMinutes: number;
  /**
   * The share of the other Region's peak running task count (over the last 24 hours) a failover or switchover raises
   * the target Region's services to before traffic moves, in percent; capacity readiness checks the same share.
   */
  readonly peakSharePercent: number;
  /**
   * The longest an unplanned failover waits for the raised services to run before it moves traffic anyway, in
   * seconds.
   */
  readonly scaleUpBudgetSeconds: number;
  /** How long the returning Region's alarms must have been `OK` before a failback moves to it, in minutes. */
  readonly failbackHealthyMinutes: number;
  /**
   * How long after the newer of the two Regions' deploys the parity checks (`image-parity`, `task-settings-parity`)
   * tolerate a difference while the Regions report different deployed commits (a release deploys the primary, bakes
   * it for {@link ShopConfig.bakeMinutes}, then deploys the standby), in minutes. When not set: 2 x `bakeMinutes` + 60
   * (100 with the default bake). At least `bakeMinutes`, at most 1440.
   */
  readonly releaseGraceMinutes: number;
}

/** See {@link ShopConfig.gameDays}. */
export interface GameDaysConfig {
  /**
   * Whether the game-day resources exist (per Region: FIS experiment templates, the synthetic shopper fleet, the
   * Resilience Hub application and policy, ECS task definitions prepared for FIS). When false nothing of them is
   * synthesized.
   */
  readonly enabled: boolean;
  /** How many days each game day's evidence pack (`gamedays/<id>/evidence/*`) stays under object lock. */
  readonly evidenceRetentionDays: number;
  /** How many orders each Region's synthetic shopper places per minute while a game day runs. */
  readonly shopperRatePerMinute: number;
}

/** The ways the routing stack can move traffic between the two Regions (see {@link ShopConfig.routingMode}). */
export const ROUTING_MODES = ['arc-cluster', 'region-switch'] as const;

/** See {@link ShopConfig.routingMode}. */
export type RoutingMode = (typeof ROUTING_MODES)[number];

/** Where the load balancers can be reached from. */
export const LOAD_BALANCER_SCHEMES = ['internet-facing', 'internal'] as const;

/** See {@link ShopConfig.loadBalancerScheme}. */
export type LoadBalancerScheme = (typeof LOAD_BALANCER_SCHEMES)[number];

/** Account used when none is configured, so that `npm run synth` works on a machine without credentials. */
export const PLACEHOLDER_ACCOUNT = '111111111111';

/**
 * Availability Zones of the Regions whose zone letters do not start at `a, b` (the zone letters that exist
 * for every account in them); every other Region defaults to `<region>a`, `<region>b`.
 */
const AZ_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  'us-west-1': ['us-west-1b', 'us-west-1c'],
  'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c'],
};

/** The Availability Zones a Region's VPC uses when the config does not list them. */
export function defaultAvailabilityZones(region: string): readonly string[] {
  return AZ_EXCEPTIONS[region] ?? [`${region}a`, `${region}b`];
}

/** The values used for every field that neither the config file, the environment nor cdk context sets. */
export const DEFAULT_CONFIG: ShopConfig = {
  appName: 'shop',
  envName: 'dev',
  account: PLACEHOLDER_ACCOUNT,
  primaryRegion: 'us-east-1',
  standbyRegion: 'us-west-2',
  availabilityZones: {},
  domainName: 'shop.example.com',
  hostName: 'www',
  loadBalancerScheme: 'internet-facing',
  certificateArns: {},
  backupRetentionDays: 35,
  bakeMinutes: 20,
  minCanaryRuns: 3,
  canaryRateMinutes: 5,
  routingMode: 'arc-cluster',
  githubRepository: 'example-org/multi-region-shop',
  deployBranch: 'main',
  gameDays: { enabled: false, evidenceRetentionDays: 400, shopperRatePerMinute: 6 },
  rtoTargetMinutes: 15,
  rpoTargetSeconds: 60,
  readiness: {
    scheduleMinutes: 30,
    peakSharePercent: 100,
    scaleUpBudgetSeconds: 120,
    failbackHealthyMinutes: 60,
    // 2 x bakeMinutes + 60 of this default; loadConfig derives it from the bake it loads when nothing sets it.
    releaseGraceMinutes: 100,
  },
};
