import { z } from 'zod';
import { ROUTING_MODES } from '../config/shop-config';

/**
 * Longest identifier of a temporary cluster (`<app>-<env>-rcv-<db>-<yyyymmddhhmm>`): RDS allows 63 characters and
 * the instance identifier appends `-1`.
 */
const MAX_TEMPORARY_CLUSTER_ID = 61;

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'accepted: lowercase letters, digits and hyphens');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'accepted: a Region such as "us-east-1"');

const databaseSchema = z.object({
  /** Short name, e.g. `orders`; used in step names and temporary identifiers. */
  name,
  /** The Aurora global cluster identifier. */
  globalClusterIdentifier: z.string().min(1),
  /** Secret (name or ARN) with `username` and `password`, replicated to both Regions. */
  secretId: z.string().min(1),
  /** The Postgres database inside the cluster. */
  databaseName: z.string().min(1),
  /** Regional cluster identifiers, used when a Region's cluster is no longer a member of the global cluster. */
  clusterIdentifiers: z.record(z.string(), z.string()).default({}),
});

const recoverySchema = z.object({
  /** DB subnet group for temporary restored clusters. */
  subnetGroupName: z.string().min(1),
  /** Security groups of temporary restored clusters. */
  securityGroupIds: z.array(z.string().min(1)).min(1),
  /** KMS key (ARN or id) of this Region for snapshot copies and restored clusters. */
  kmsKeyId: z.string().min(1),
  /** Instance class of the temporary instance. */
  instanceClass: z.string().min(1).default('db.r6g.large'),
});

const regionSchema = z.object({
  /** URLs that answer 2xx when the Region's services are healthy (e.g. the ALB's `/health/ready`). */
  healthUrls: z.array(z.string().url()).default([]),
  /** ECS cluster whose services must have running tasks (Container Insights metrics). */
  ecsClusterName: z.string().min(1).optional(),
  services: z.array(z.string().min(1)).default([]),
  minimumRunningTasks: z.number().int().min(0).default(1),
  /** Secrets that must exist in the Region before it takes over. */
  secretIds: z.array(z.string().min(1)).default([]),
  /**
   * ECS services that hold database connections and write (catalog, orders): scaled to 0 in a failed Region when
   * its API answers (fencing, best effort), and restored to their autoscaling minimum before a planned move back.
   * Needs {@link ecsClusterName}.
   */
  writerServices: z.array(z.string().min(1)).default([]),
  /** Where a recovery restores temporary clusters; needed only in a Region that runs `recover`. */
  recovery: recoverySchema.optional(),
  /**
   * The autoscaling minimum each service of this Region is deployed with: a failback sets the minimums a scale-up
   * raised back to it. @default - {@link minimumRunningTasks}
   */
  baselineMinimumTasks: z.number().int().min(0).optional(),
  /** The CloudWatch alarms of this Region's canaries: green when every one is `OK`. */
  canaryAlarmNames: z.array(z.string().min(1)).default([]),
  /** The alarm the scheduled readiness raises in this Region when a check is red (see `runbooks/readiness`). */
  readinessAlarmName: z.string().min(1).optional(),
  /**
   * The SSM parameter holding the commit this Region's services stack runs (`/<stack name>/deployed-commit`): parity
   * checks tolerate a difference between the Regions while a release is between them (see
   * `ReadinessSettings.releaseGraceMinutes`). @default - no release awareness: every difference is red
   */
  deployedCommitParameterName: z
    .string()
    .regex(
      /^\/[A-Za-z0-9_./-]+$/,
      'accepted: an SSM parameter name such as "/shop-dev-us-east-1-services/deployed-commit"',
    )
    .optional(),
});

/**
 * What readiness, parity and capacity checks judge against, and how a move scales the Region that takes over. Every
 * field has a default, so a topology written before these checks still parses.
 */
/** The ARC Region switch plan the runbooks run in routing mode `region-switch`. */
const regionSwitchSchema = z.object({
  /** The plan's ARN (API_StartPlanExecution `planArn` pattern), when known without the parameter. */
  planArn: z
    .string()
    .regex(
      /^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan\/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})$/,
      'accepted: a Region switch plan ARN such as "arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123"',
    )
    .optional(),
  /**
   * SSM parameter, present in both Regions, holding the plan's ARN (written by the routing stack at deploy time): the
   * plan's ARN ends in a suffix AWS assigns, so the Regional stacks cannot know it at synth.
   */
  planParameterName: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]+$/, 'accepted: an SSM parameter name such as "/shop/dev/region-switch-plan"')
    .optional(),
  /**
   * Longest a runbook follows a plan execution before its step times out (a retry follows the same execution). At
   * most 6 hours: a move's journal unchanged longer no longer counts as running for readiness (routing-states'
   * `STALE_RUNNING_MOVE_HOURS`), and its SSM loop runs at most 100 invocations of 270 s.
   */
  timeoutMinutes: z.number().int().min(5).max(360).default(60),
});

const readinessSchema = z
  .object({
    /** Lowest acceptable Aurora backup retention of every cluster, in days (config `backupRetentionDays`). */
    minimumBackupRetentionDays: z.number().int().min(1).max(35).default(1),
    /** Highest acceptable DynamoDB `ReplicationLatency`, in seconds. */
    maxTableReplicationLatencySeconds: z.number().min(0).max(86400).default(30),
    /** DynamoDB global tables whose replication latency is checked (both Regions replicate them). */
    tables: z.array(z.string().min(1)).default([]),
    /** Hours of the other Region's load looked at for its peak task count. */
    peakWindowHours: z.number().int().min(1).max(168).default(24),
    /** Share of the other Region's peak task count a move raises the target Region's services to, in percent. */
    peakSharePercent: z.number().int().min(0).max(400).default(100),
    /** Longest an unplanned failover waits for the raised services before it moves traffic anyway, in seconds. */
    scaleUpBudgetSeconds: z.number().int().min(0).max(1800).default(120),
    /** Longest a planned move waits for the raised services before it gives up (nothing moved yet), in seconds. */
    scaleUpTimeoutSeconds: z.number().int().min(30).max(7200).default(900),
    /** How long a Region must have been healthy (alarms `OK`) before a failback moves to it, in minutes. */
    failbackHealthyMinutes: z.number().int().min(0).max(10080).default(60),
    /**
     * How long after the newer of the two Regions' deploys a parity difference is tolerated when the Regions report
     * different deployed commits (a release deploys one Region, bakes it, then deploys the other), in minutes; 0
     * tolerates nothing. The default is 2 x the default bake (20 minutes) + 60 (config `readiness.releaseGraceMinutes`).
     */
    releaseGraceMinutes: z.number().int().min(0).max(1440).default(100),
  })
  .prefault({});

/** The schema of {@link Topology}. */
export const topologySchema = z
  .object({
    appName: name,
    envName: name,
    primaryRegion: region,
    standbyRegion: region,
    databases: z.array(databaseSchema).min(1),
    routing: z.object({
      /**
       * How traffic moves: `arc-cluster` sets the ARC routing controls below; `region-switch` runs the ARC Region
       * switch plan ({@link regionSwitchSchema}), which also moves the writers and scales the target Region.
       */
      mode: z.enum(ROUTING_MODES).default('arc-cluster'),
      /** The Region switch plan (mode `region-switch`). */
      regionSwitch: regionSwitchSchema.optional(),
      /** ARN of the ARC cluster (for reports; requests go to its endpoints). */
      clusterArn: z.string().startsWith('arn:').optional(),
      /**
       * SSM parameter, present in both Regions, holding the cluster's endpoints and the routing-control ARNs (written by
       * the routing stack at deploy time). Read in the Region the runbook runs in: no ARC control-plane call at failover.
       */
      parameterName: z
        .string()
        .regex(/^\/[A-Za-z0-9_./-]+$/, 'accepted: an SSM parameter name such as "/shop/dev/arc-routing"')
        .optional(),
      /** The cluster's Regional endpoints, when known without the parameter (e.g. a topology file for the CLI). */
      endpoints: z.array(z.object({ region, endpoint: z.string().url() })).optional(),
      /** Name of the control panel holding the routing controls; tells controls of the same name apart. */
      controlPanelName: z.string().min(1).optional(),
      /**
       * The routing control of each Region, keyed by Region: an ARN, or its name (resolved from the parameter).
       * Required in mode `arc-cluster`; in mode `region-switch` only a drill gives them (its local DNS stand-in).
       */
      controls: z.record(z.string(), z.string().min(1)).default({}),
    }),
    regions: z.record(z.string(), regionSchema),
    readiness: readinessSchema,
  })
  .superRefine((t, ctx) => {
    const both = [t.primaryRegion, t.standbyRegion];
    if (Object.values(t.routing.controls).some((c) => !c.startsWith('arn:')) && !t.routing.parameterName) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'parameterName'],
        message:
          'missing; accepted: the SSM parameter holding the routing-control ARNs (required when a routing control is given by name)',
      });
    }
    if (t.primaryRegion === t.standbyRegion) {
      ctx.addIssue({
        code: 'custom',
        path: ['standbyRegion'],
        message: `"${t.standbyRegion}" equals primaryRegion; accepted: the other Region`,
      });
    }
    if (
      t.routing.mode === 'region-switch' &&
      !t.routing.regionSwitch?.planArn &&
      !t.routing.regionSwitch?.planParameterName
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'regionSwitch'],
        message:
          'missing; accepted: { planArn } or { planParameterName } (the ARC Region switch plan, required in routing mode "region-switch")',
      });
    }
    for (const r of both) {
      if (t.routing.mode === 'arc-cluster' && !t.routing.controls[r]) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'controls', r],
          message: `missing; accepted: the ARN of ${r}'s routing control`,
        });
      }
      if (!t.regions[r]) {
        ctx.addIssue({ code: 'custom', path: ['regions', r], message: 'missing; accepted: an object (may be {})' });
      }
    }
    const names = new Set<string>();
    for (const db of t.databases) {
      if (names.has(db.name)) {
        ctx.addIssue({ code: 'custom', path: ['databases'], message: `database "${db.name}" is listed twice` });
      }
      names.add(db.name);
      const longest = temporaryIdentifier(t.appName, t.envName, db.name, '000000000000');
      if (longest.length > MAX_TEMPORARY_CLUSTER_ID) {
        ctx.addIssue({
          code: 'custom',
          path: ['databases'],
          message: `temporary cluster identifier "${longest}" is ${longest.length} characters; accepted: at most ${MAX_TEMPORARY_CLUSTER_ID} (shorten appName, envName or the database name)`,
        });
      }
    }
  });

/** Where everything the runbooks act on lives. Built by the stack (Lambda) or read from a file (CLI). */
export type Topology = z.infer<typeof topologySchema>;

/** One database of a {@link Topology}. */
export type TopologyDatabase = Topology['databases'][number];

/** What readiness, parity and capacity checks judge against (see {@link readinessSchema}). */
export type ReadinessSettings = Topology['readiness'];

/** The readiness settings of a topology that gives none. */
export const DEFAULT_READINESS_SETTINGS: ReadinessSettings = readinessSchema.parse(undefined);

/** Settings of the Region that restores temporary clusters. */
export type RecoverySettings = z.infer<typeof recoverySchema>;

/** Thrown when a topology is invalid; lists every problem with its path. */
export class TopologyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid runbook topology (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TopologyError';
  }
}

/** Validates a topology, naming `source` (a file, an environment variable) in the error. */
export function parseTopology(value: unknown, source: string): Topology {
  const result = topologySchema.safeParse(value);
  if (result.success) return result.data;
  throw new TopologyError(
    source,
    result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  );
}

/** The two Regions of a topology, primary first. */
export function regionsOf(topology: Topology): readonly [string, string] {
  return [topology.primaryRegion, topology.standbyRegion];
}

/** The Region of a topology that is not `region`. */
export function otherRegion(topology: Topology, region: string): string {
  return region === topology.primaryRegion ? topology.standbyRegion : topology.primaryRegion;
}

/**
 * Identifier of the temporary cluster (and of the snapshot copy) restored for `database`; deterministic, so a
 * re-run finds what an earlier run created instead of creating another.
 */
export function temporaryIdentifier(appName: string, envName: string, database: string, stamp: string): string {
  return `${appName}-${envName}-rcv-${database}-${stamp}`;
}

/** The prefix every temporary identifier of a topology starts with (IAM policies are scoped to it). */
export function temporaryIdentifierPrefix(appName: string, envName: string): string {
  return `${appName}-${envName}-rcv-`;
}
