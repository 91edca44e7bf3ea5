import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { routingNames } from '../stacks/naming/routing-names';
import {
  DEFAULT_CONFIG,
  type GameDaysConfig,
  LOAD_BALANCER_SCHEMES,
  type ReadinessConfig,
  ROUTING_MODES,
  type RoutingMode,
  type ShopConfig,
} from './shop-config';

/**
 * Values that replace the defaults: any top-level field, and any part of {@link ShopConfig.gameDays} and
 * {@link ShopConfig.readiness}.
 */
export type ConfigBase = Omit<Partial<ShopConfig>, 'gameDays' | 'readiness'> & {
  readonly gameDays?: Partial<GameDaysConfig>;
  readonly readiness?: Partial<ReadinessConfig>;
};

/** Where {@link loadConfig} reads overrides from; both default to nothing so tests can pass exactly what they mean. */
export interface ConfigSources {
  /** Environment variables, e.g. `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** CDK context values, e.g. from `app.node.tryGetContext`. */
  readonly context?: (key: string) => unknown;
  /** Values that replace the defaults before any override, e.g. a team's own settings. */
  readonly base?: ConfigBase;
}

/** Thrown when the configuration is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Commercial Regions (partition `aws`): the ARC control plane this project uses lives in that partition. */
export const KNOWN_REGIONS: readonly string[] = RegionInfo.regions
  .filter((r) => r.partition === 'aws')
  .map((r) => r.name)
  .sort();

/**
 * Each overridable field (a dotted path for a nested one), the environment variable and the cdk context key that set
 * it, and how a string from either is read.
 */
const OVERRIDES: ReadonlyArray<{ field: string; env: string; context: string; numeric?: boolean; flag?: boolean }> = [
  { field: 'appName', env: 'APP_NAME', context: 'appName' },
  { field: 'envName', env: 'ENV_NAME', context: 'envName' },
  { field: 'account', env: 'AWS_ACCOUNT_ID', context: 'account' },
  { field: 'primaryRegion', env: 'PRIMARY_REGION', context: 'primaryRegion' },
  { field: 'standbyRegion', env: 'STANDBY_REGION', context: 'standbyRegion' },
  { field: 'domainName', env: 'DOMAIN_NAME', context: 'domainName' },
  { field: 'backupRetentionDays', env: 'BACKUP_RETENTION_DAYS', context: 'backupRetentionDays', numeric: true },
  { field: 'bakeMinutes', env: 'BAKE_MINUTES', context: 'bakeMinutes', numeric: true },
  { field: 'canaryRateMinutes', env: 'CANARY_RATE_MINUTES', context: 'canaryRateMinutes', numeric: true },
  { field: 'routingMode', env: 'ROUTING_MODE', context: 'routingMode' },
  { field: 'loadBalancerScheme', env: 'LOAD_BALANCER_SCHEME', context: 'loadBalancerScheme' },
  { field: 'gameDays.enabled', env: 'GAMEDAYS_ENABLED', context: 'gameDays.enabled', flag: true },
  {
    field: 'gameDays.evidenceRetentionDays',
    env: 'GAMEDAYS_EVIDENCE_RETENTION_DAYS',
    context: 'gameDays.evidenceRetentionDays',
    numeric: true,
  },
  {
    field: 'gameDays.shopperRatePerMinute',
    env: 'GAMEDAYS_SHOPPER_RATE_PER_MINUTE',
    context: 'gameDays.shopperRatePerMinute',
    numeric: true,
  },
  { field: 'rtoTargetMinutes', env: 'RTO_TARGET_MINUTES', context: 'rtoTargetMinutes', numeric: true },
  { field: 'rpoTargetSeconds', env: 'RPO_TARGET_SECONDS', context: 'rpoTargetSeconds', numeric: true },
  {
    field: 'readiness.scheduleMinutes',
    env: 'READINESS_SCHEDULE_MINUTES',
    context: 'readiness.scheduleMinutes',
    numeric: true,
  },
  {
    field: 'readiness.peakSharePercent',
    env: 'READINESS_PEAK_SHARE_PERCENT',
    context: 'readiness.peakSharePercent',
    numeric: true,
  },
  {
    field: 'readiness.scaleUpBudgetSeconds',
    env: 'READINESS_SCALE_UP_BUDGET_SECONDS',
    context: 'readiness.scaleUpBudgetSeconds',
    numeric: true,
  },
  {
    field: 'readiness.failbackHealthyMinutes',
    env: 'READINESS_FAILBACK_HEALTHY_MINUTES',
    context: 'readiness.failbackHealthyMinutes',
    numeric: true,
  },
  {
    field: 'readiness.releaseGraceMinutes',
    env: 'READINESS_RELEASE_GRACE_MINUTES',
    context: 'readiness.releaseGraceMinutes',
    numeric: true,
  },
];

/** The longest release grace accepted, in minutes: a difference older than a day is drift, not a release. */
const MAX_RELEASE_GRACE_MINUTES = 1440;

/** The release grace when nothing sets it: the bake, the standby's deploy and the primary's (an hour for both). */
export function derivedReleaseGraceMinutes(bakeMinutes: number): number {
  return 2 * bakeMinutes + 60;
}

/** Every environment variable that overrides a configuration field (for a clean environment in tests and docs). */
export const CONFIG_ENVIRONMENT_VARIABLES: readonly string[] = OVERRIDES.map((o) => o.env);

/** Every cdk context key that overrides a configuration field (`-c key=value`); the app reads no other. */
export const CONFIG_CONTEXT_KEYS: readonly string[] = OVERRIDES.map((o) => o.context);

const NAME = /^[a-z][a-z0-9-]{0,19}$/;
const REGION_SHAPE = /^[a-z]{2}(-[a-z]+)+-\d$/;

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

function regionField(field: string) {
  return z.string().superRefine((value, ctx) => {
    if (!REGION_SHAPE.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: ${show(value)} is not a Region name; accepted: a Region such as "us-east-1"`,
      });
    } else if (!KNOWN_REGIONS.includes(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: ${show(value)} is not a known AWS Region; accepted: one of ${KNOWN_REGIONS.join(', ')}`,
      });
    }
  });
}

function wholeNumber(field: string, min: number, max: number) {
  return z.number().superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: ${show(value)} is out of range; accepted: a whole number from ${min} to ${max}`,
      });
    }
  });
}

function flag(field: string) {
  return z.unknown().superRefine((value, ctx) => {
    if (typeof value !== 'boolean') {
      ctx.addIssue({ code: 'custom', message: `${field}: ${show(value)} is not a boolean; accepted: true or false` });
    }
  });
}

function matching(field: string, pattern: RegExp, accepted: string) {
  return z.string().superRefine((value, ctx) => {
    if (!pattern.test(value)) ctx.addIssue({ code: 'custom', message: `${field}: ${show(value)} ${accepted}` });
  });
}

function oneOf(field: string, what: string, accepted: readonly string[]) {
  return z.string().superRefine((value, ctx) => {
    if (!accepted.includes(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: ${show(value)} is not a ${what}; accepted: ${accepted.map(show).join(' or ')}`,
      });
    }
  });
}

/**
 * Routing modes the stacks can build but a configuration may not choose yet, with the reason: none now. Routing mode
 * `region-switch` was refused until the runbooks could drive it (review B2); issue 18 completed it: the plan
 * (stacks/routing/region-switch-plan.ts), its ARN written into an SSM parameter of each Region, the runbook roles on the
 * plan's data plane, and the function the plan invokes to start `recover`.
 */
const UNRELEASED_ROUTING_MODES: Readonly<Partial<Record<RoutingMode, string>>> = {};

/**
 * Longest name of a Region switch plan: the API's planArn pattern
 * (`plan/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})`, API_StartPlanExecution) allows 32 characters.
 */
const MAX_REGION_SWITCH_PLAN_NAME = 32;

function routingModeField() {
  const accepted = ROUTING_MODES.filter((mode) => UNRELEASED_ROUTING_MODES[mode] === undefined);
  return z.string().superRefine((value, ctx) => {
    const unreleased = UNRELEASED_ROUTING_MODES[value as RoutingMode];
    if (unreleased !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `routingMode: ${show(value)} is not supported yet: ${unreleased}; accepted: ${accepted.map(show).join(' or ')}`,
      });
    } else if (!(accepted as readonly string[]).includes(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `routingMode: ${show(value)} is not a routing mode; accepted: ${accepted.map(show).join(' or ')}`,
      });
    }
  });
}

const schema = z
  .object({
    appName: matching(
      'appName',
      NAME,
      'is not a valid name; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter',
    ),
    envName: matching(
      'envName',
      NAME,
      'is not a valid name; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter',
    ),
    account: matching('account', /^\d{12}$/, 'is not an AWS account id; accepted: exactly 12 digits'),
    primaryRegion: regionField('primaryRegion'),
    standbyRegion: regionField('standbyRegion'),
    availabilityZones: z.record(z.string(), z.array(z.string())),
    domainName: matching(
      'domainName',
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      'is not a DNS zone name; accepted: a lowercase name such as "shop.example.com"',
    ),
    hostName: matching('hostName', /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'is not a DNS label; accepted: e.g. "www"'),
    certificateArns: z.record(z.string(), z.string()),
    loadBalancerScheme: oneOf('loadBalancerScheme', 'load balancer scheme', LOAD_BALANCER_SCHEMES),
    // CreateDBCluster, BackupRetentionPeriod: "Must be a value from 1 to 35."
    backupRetentionDays: wholeNumber('backupRetentionDays', 1, 35),
    bakeMinutes: wholeNumber('bakeMinutes', 1, 360),
    minCanaryRuns: wholeNumber('minCanaryRuns', 1, 100),
    canaryRateMinutes: wholeNumber('canaryRateMinutes', 1, 60),
    routingMode: routingModeField(),
    githubRepository: matching(
      'githubRepository',
      /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
      'is not a GitHub repository; accepted: "owner/name"',
    ),
    deployBranch: matching('deployBranch', /^[A-Za-z0-9._/-]+$/, 'is not a branch name'),
    gameDays: z.object({
      enabled: flag('gameDays.enabled'),
      // Days an evidence pack stays under COMPLIANCE object lock; 36500 (100 years) is this project's bound, not one
      // S3 states.
      evidenceRetentionDays: wholeNumber('gameDays.evidenceRetentionDays', 1, 36500),
      // One scheduled invocation a minute places this many orders, about one a second at most (the Lambda's
      // one-minute budget): EventBridge Scheduler's rate expressions count whole minutes at the finest.
      shopperRatePerMinute: wholeNumber('gameDays.shopperRatePerMinute', 1, 60),
    }),
    rtoTargetMinutes: wholeNumber('rtoTargetMinutes', 1, 1440),
    rpoTargetSeconds: wholeNumber('rpoTargetSeconds', 1, 86400),
    readiness: z.object({
      // At least 5: a run (every check, both Regions' APIs) may take up to the function's 4-minute timeout, so two runs
      // never overlap. At most 720 (twice a day): the alarm's period is twice the schedule, which keeps it within a
      // day (PutMetricAlarm, Period: "Period multiplied by EvaluationPeriods can't be more than 604,800 seconds"), and
      // a slower schedule would leave drift unseen for longer than a working day.
      scheduleMinutes: wholeNumber('readiness.scheduleMinutes', 5, 720),
      // The bounds of the runbook topology's readiness settings (runbooks/topology.ts), so every accepted value is one
      // the runbooks accept: up to four times the other Region's peak, up to 30 minutes of unplanned scale-up
      // budget, up to a week of healthy time before a failback.
      peakSharePercent: wholeNumber('readiness.peakSharePercent', 0, 400),
      scaleUpBudgetSeconds: wholeNumber('readiness.scaleUpBudgetSeconds', 0, 1800),
      failbackHealthyMinutes: wholeNumber('readiness.failbackHealthyMinutes', 0, 10080),
      // The lower bound (bakeMinutes) is checked below, against the bake loaded with it.
      releaseGraceMinutes: z.number(),
    }),
  })
  .superRefine((c, ctx) => {
    // Shorter than the bake, every release would page during it; longer than a day, drift would hide as a release.
    const grace = c.readiness.releaseGraceMinutes;
    const least = Number.isInteger(c.bakeMinutes) ? c.bakeMinutes : 1;
    if (!Number.isInteger(grace) || grace < least || grace > MAX_RELEASE_GRACE_MINUTES) {
      ctx.addIssue({
        code: 'custom',
        message: `readiness.releaseGraceMinutes: ${show(grace)} is out of range; accepted: a whole number from ${least} (bakeMinutes: a shorter grace would not cover the bake) to ${MAX_RELEASE_GRACE_MINUTES}`,
      });
    }
    const plan = routingNames(c.appName, c.envName).regionSwitchPlan;
    if (c.routingMode === 'region-switch' && plan.length > MAX_REGION_SWITCH_PLAN_NAME) {
      const room = MAX_REGION_SWITCH_PLAN_NAME - (plan.length - c.appName.length - c.envName.length);
      ctx.addIssue({
        code: 'custom',
        message: `routingMode: "region-switch" names its plan ${show(plan)} (${plan.length} characters); accepted: a plan name of at most ${MAX_REGION_SWITCH_PLAN_NAME} characters (the planArn pattern of the Region switch API): shorten appName or envName to at most ${room} characters together`,
      });
    }
    if (c.primaryRegion === c.standbyRegion) {
      ctx.addIssue({
        code: 'custom',
        message: `standbyRegion: ${show(c.standbyRegion)} equals primaryRegion; accepted: a Region other than ${show(c.primaryRegion)}`,
      });
    }
    for (const [region, zones] of Object.entries(c.availabilityZones)) {
      const bad = zones.filter((zone) => !new RegExp(`^${region}[a-z]$`).test(zone));
      if (zones.length < 2 || bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `availabilityZones.${region}: ${show(zones)} is not a list of zones; accepted: two or more zones of ${region}, such as ["${region}a", "${region}b"]`,
        });
      }
    }
    for (const [region, arn] of Object.entries(c.certificateArns)) {
      if (!new RegExp(`^arn:aws:acm:${region}:\\d{12}:certificate/[0-9a-f-]{36}$`).test(arn)) {
        ctx.addIssue({
          code: 'custom',
          message: `certificateArns.${region}: ${show(arn)} is not an ACM certificate ARN in ${region}; accepted: arn:aws:acm:${region}:<account>:certificate/<uuid>`,
        });
      }
    }
  });

/**
 * Builds the validated configuration: defaults, then `base`, then cdk context, then environment variables.
 *
 * @throws ConfigError naming every invalid field, the value received and what is accepted.
 */
export function loadConfig(sources: ConfigSources = {}): ShopConfig {
  const merged: Record<string, unknown> = {
    ...DEFAULT_CONFIG,
    ...sources.base,
    gameDays: { ...DEFAULT_CONFIG.gameDays, ...sources.base?.gameDays },
    // The release grace is derived from the bake below unless something sets it.
    readiness: { ...DEFAULT_CONFIG.readiness, releaseGraceMinutes: undefined, ...sources.base?.readiness },
  };
  const problems: string[] = [];
  const origins = new Map<string, string>();
  for (const { field, env, context, numeric, flag: isFlag } of OVERRIDES) {
    const fromContext = sources.context?.(context);
    const fromEnv = sources.env?.[env];
    const [raw, origin] =
      fromEnv !== undefined ? [fromEnv, `environment variable ${env}`] : [fromContext, `context key ${context}`];
    if (raw === undefined) continue;
    origins.set(field, origin);
    if (numeric && typeof raw === 'string') {
      const parsed = Number(raw);
      if (raw.trim() === '' || Number.isNaN(parsed)) {
        problems.push(`${field}: ${show(raw)} is not a number; accepted: a whole number (set by ${origin})`);
        continue;
      }
      setField(merged, field, parsed);
    } else if (isFlag && typeof raw === 'string') {
      if (raw !== 'true' && raw !== 'false') {
        problems.push(`${field}: ${show(raw)} is not a boolean; accepted: true or false (set by ${origin})`);
        continue;
      }
      setField(merged, field, raw === 'true');
    } else {
      setField(merged, field, raw);
    }
  }
  const readiness = merged.readiness as Record<string, unknown>;
  if (readiness.releaseGraceMinutes === undefined) {
    merged.readiness = {
      ...readiness,
      releaseGraceMinutes:
        typeof merged.bakeMinutes === 'number'
          ? derivedReleaseGraceMinutes(merged.bakeMinutes)
          : DEFAULT_CONFIG.readiness.releaseGraceMinutes,
    };
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const message = issue.code === 'custom' ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
      const origin = origins.get(message.slice(0, message.indexOf(':')));
      problems.push(origin ? `${message} (set by ${origin})` : message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data as ShopConfig;
}

/** Sets `path` (`a` or `a.b`) in `target`, copying the nested object it changes. */
function setField(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const inner = { ...(target[head] as Record<string, unknown> | undefined) };
  setField(inner, rest.join('.'), value);
  target[head] = inner;
}
