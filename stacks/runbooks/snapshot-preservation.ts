import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { PRESERVATION_EVENT } from '../../runbooks/lambda/preserve-snapshots-handler';
import { preserveSnapshots } from '../../runbooks/orchestrations/preserve-snapshots';
import type { PortMethod } from '../../runbooks/ports';
import type { Topology } from '../../runbooks/topology';
import { dependsOnPolicyOnly } from '../lambda-depends-on-policy';
import { schedulerRole } from '../scheduler-role';
import { PRESERVE_SNAPSHOTS_HANDLER } from './runbook-code';
import {
  functionMethods,
  type PermissionScope,
  RUNBOOK_PERMISSION_WILDCARD_REASONS,
  runbookPolicyStatements,
} from './runbook-permissions';
import { acknowledgeWildcardResources, type WildcardReasons } from './wildcard-acknowledgements';

/** Properties of {@link SnapshotPreservation}. */
export interface SnapshotPreservationProps {
  /** The runbook topology (databases, Regions, this Region's recovery key). */
  readonly topology: Topology;
  /** What the runbook of this Region acts on: the function's policy is scoped with it. */
  readonly permissions: PermissionScope;
  /** The runbook Lambda bundle; it exports `preserveSnapshotsHandler`. */
  readonly code: lambda.Code;
  /** The runbook functions' environment (`RUNBOOK_TOPOLOGY`, `RUNBOOK_BUCKET`). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How often the other Region's unplanned-failover snapshots are looked for and copied.
   *
   * @default Duration.minutes(15)
   */
  readonly period?: Duration;
}

/** Longest a run may take: it only starts copies (it never waits for them), in seconds it is done. */
const FUNCTION_TIMEOUT = Duration.minutes(5);

/** Lambda keeps an undelivered asynchronous event at most this long. */
const LAMBDA_MAX_EVENT_AGE = Duration.hours(6);

/** Why each wildcard resource of the preservation policies is needed, by pattern. */
const WILDCARD_REASONS: WildcardReasons = [
  [
    /:cluster-snapshot:rds:unplanned-global-failover-[a-z0-9-]+-\*$/,
    "Aurora names the snapshot of a failed-over primary after the time it took it; the pattern is limited to each old cluster's snapshots in the other Region.",
  ],
  [
    /:rds:[^:]+:[^:]+:(cluster|db|cluster-snapshot):[a-z0-9-]+-rcv-\*$/,
    'The copies are named after the time of the snapshot they copy, as the recover runbook names them; every one starts with <app>-<env>-rcv-, and nothing else may.',
  ],
  [
    /:kms:[^:]+:[^:]+:key\/\*$/,
    "The source of a cross-Region snapshot copy is the other Region's data key, whose id is not known in this stack: the statement is limited to that key by its alias (kms:ResourceAliases) and, for grants, to RDS on behalf of AWS resources.",
  ],
  [
    /(\.Arn>|^arn:[^:]+:s3:::[^/]+)\/(journal|runs)\/\*$/,
    "Journals and the records of preserved copies are written per execution and per copy under these two prefixes of the runbook's own bucket.",
  ],
  [
    /^<SnapshotPreservationFunction[A-Za-z0-9]*\.Arn>:\*$/,
    'The schedule invokes the unqualified preservation function; grantInvoke also covers its versions and aliases, which are the same code.',
  ],
];

/**
 * Copies the other Region's unplanned-failover snapshots into this Region as soon as they appear: an EventBridge
 * Scheduler schedule invokes a small function (the runbook bundle's preservation handler, with its own role granting
 * exactly what the `preserve-snapshots` steps call) that runs the whole orchestration in one invocation. Restoring
 * and reconciling stay with the `recover` runbook, which a person starts.
 *
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html: "The
 * snapshot of the old storage volume is a system snapshot that's subject to the backup retention period configured
 * on the old primary cluster. To preserve this snapshot outside of the retention period, you can copy it to save it
 * as a manual snapshot."
 */
export class SnapshotPreservation extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly schedule: scheduler.Schedule;
  /** The port methods the function may call (what its policy grants). */
  readonly methods: readonly PortMethod[];

  constructor(scope: Construct, id: string, props: SnapshotPreservationProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(15);
    const minutes = period.toSeconds() / 60;
    if (!period.isUnresolved() && (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60)) {
      throw new Error(
        `period: ${period.toHumanString()} is not accepted; accepted: whole minutes from 1 minute to 1 day (the system snapshot lasts as long as the backup retention, at least a day)`,
      );
    }
    const stack = Stack.of(this);
    const prefix = `${props.topology.appName}-${props.topology.envName}`;

    // What the steps declare, as for the other runbook functions (none of them needs database access).
    this.methods = functionMethods([preserveSnapshots], props.topology).step;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Copies the ${prefix} unplanned-failover snapshots of the other Region into this one`,
    });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        ...runbookPolicyStatements(this.methods, props.permissions),
      ],
    });
    policy.attachToRole(this.role);

    this.function = new lambda.Function(this, 'Function', {
      description: `${prefix} runbook: copy the other Region's unplanned-failover snapshots before they expire`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: PRESERVE_SNAPSHOTS_HANDLER,
      code: props.code,
      role: this.role,
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT,
      environment: { ...props.environment },
      logGroup,
      // Every run is complete and idempotent, so the next scheduled run is the retry; a stale event is dropped.
      retryAttempts: 0,
      maxEventAge: period.toSeconds() < LAMBDA_MAX_EVENT_AGE.toSeconds() ? period : LAMBDA_MAX_EVENT_AGE,
    });
    dependsOnPolicyOnly(this.function, policy);

    const scheduleRole = schedulerRole(this, 'ScheduleRole', {
      description: `Lets EventBridge Scheduler start the ${prefix} snapshot preservation`,
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `${prefix}: copy the other Region's unplanned-failover snapshots to manual snapshots here`,
      schedule: scheduler.ScheduleExpression.rate(period),
      target: new targets.LambdaInvoke(this.function, {
        input: scheduler.ScheduleTargetInput.fromObject(PRESERVATION_EVENT),
        role: scheduleRole,
        // Retries of the delivery (the Invoke call), not of the run; no older than one period.
        retryAttempts: 2,
        maxEventAge: period,
      }),
    });

    acknowledgeWildcardResources(
      stack,
      [policy, scheduleRole.node.findChild('DefaultPolicy') as iam.Policy],
      [...WILDCARD_REASONS, ...RUNBOOK_PERMISSION_WILDCARD_REASONS],
      'SnapshotPreservation',
    );
  }
}
