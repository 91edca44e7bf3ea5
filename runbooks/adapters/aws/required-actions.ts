/**
 * The IAM actions each AWS adapter method calls, as plain data (no SDK import), so the runbook stack can derive its
 * policy at synth without loading the SDK. Each adapter exposes its table as `requiredActions`; the adapter tests check
 * that every request a method sends is listed here.
 */
import type { PortMethod } from '../../ports';

/**
 * Route 53 ARC routing controls: data plane only (no control-plane action: it may be down during the failover), plus
 * the SSM parameter in the runbook's Region that holds the cluster endpoints and routing-control ARNs.
 */
export const ROUTING_CONTROL_ACTIONS = {
  getStates: [
    'ssm:GetParameter',
    'route53-recovery-cluster:GetRoutingControlState',
    'route53-recovery-cluster:ListRoutingControls',
  ],
  setStates: [
    'ssm:GetParameter',
    'route53-recovery-cluster:UpdateRoutingControlStates',
    'route53-recovery-cluster:ListRoutingControls',
  ],
  describeConfiguration: ['ssm:GetParameter', 'route53-recovery-cluster:ListRoutingControls'],
} as const;

/** Aurora global databases. */
export const GLOBAL_DATABASE_ACTIONS = {
  describe: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
  failover: ['rds:FailoverGlobalCluster'],
  switchover: ['rds:SwitchoverGlobalCluster'],
  writerEndpoint: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
} as const;

/** Snapshots and temporary clusters; KMS for encrypted copies and restores (RDS creates grants on the key). */
export const SNAPSHOT_ACTIONS = {
  findUnplannedFailoverSnapshots: ['rds:DescribeDBClusterSnapshots'],
  describeSnapshot: ['rds:DescribeDBClusterSnapshots'],
  copySnapshot: ['rds:CopyDBClusterSnapshot', 'rds:AddTagsToResource', 'kms:CreateGrant', 'kms:DescribeKey'],
  describeCluster: ['rds:DescribeDBClusters'],
  restoreCluster: ['rds:RestoreDBClusterFromSnapshot', 'rds:AddTagsToResource', 'kms:CreateGrant', 'kms:DescribeKey'],
  describeInstance: ['rds:DescribeDBInstances'],
  createInstance: ['rds:CreateDBInstance', 'rds:AddTagsToResource'],
  deleteInstance: ['rds:DeleteDBInstance'],
  deleteCluster: ['rds:DeleteDBCluster'],
} as const;

/** Readiness signals (health URLs need no IAM). */
export const HEALTH_ACTIONS = {
  checkEndpoints: [],
  replicationLagSeconds: ['cloudwatch:GetMetricData'],
  runningTasks: ['cloudwatch:GetMetricData'],
  secretsPresent: ['secretsmanager:DescribeSecret'],
} as const;

/** ECS service counts (fencing a failed Region, restoring one before a planned move) and their autoscaling minimums. */
export const SERVICE_CAPACITY_ACTIONS = {
  describe: ['ecs:DescribeServices'],
  setDesiredCount: ['ecs:UpdateService'],
  // ECS Developer Guide, "IAM permissions required for Amazon ECS service auto scaling": "In addition to the standard
  // IAM permissions for creating and updating services, the following permissions are required to interact with
  // Service Auto Scaling settings" — among them `ecs:DescribeServices` and `ecs:UpdateService` (the rest: alarms,
  // SNS and `iam:CreateServiceLinkedRole`, for creating policies and first registrations, which updating the minimum
  // of a registered target does not do). Which of the listed permissions RegisterScalableTarget itself checks is
  // UNVERIFIED (the page lists them for Service Auto Scaling as a whole).
  setScalingMinimum: ['application-autoscaling:RegisterScalableTarget', 'ecs:DescribeServices', 'ecs:UpdateService'],
  scalingMinimums: ['application-autoscaling:DescribeScalableTargets'],
} as const;

/**
 * What readiness and parity checks read (see `readiness-facts.ts`); every action is the API operation of the same
 * name (Service Authorization Reference of each service: ECS, RDS, CloudWatch, Application Auto Scaling, Service
 * Quotas, Secrets Manager, Systems Manager). Read only.
 */
export const READINESS_FACTS_ACTIONS = {
  services: ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:ListTasks', 'ecs:DescribeTasks'],
  clusters: ['rds:DescribeDBClusters'],
  alarms: ['cloudwatch:DescribeAlarms'],
  peakRunningTasks: ['cloudwatch:GetMetricData'],
  scalingLimits: ['application-autoscaling:DescribeScalableTargets'],
  fargateVcpuQuota: [
    'servicequotas:GetServiceQuota',
    'servicequotas:GetAWSDefaultServiceQuota',
    'cloudwatch:GetMetricData',
  ],
  tableReplicationLatencySeconds: ['cloudwatch:GetMetricData'],
  secretReplication: ['secretsmanager:DescribeSecret'],
  // Service Authorization Reference, AWS Systems Manager: the GetParameter action, on the `parameter` resource type.
  deployedCommit: ['ssm:GetParameter'],
} as const;

/** Database credentials; `kms:Decrypt` for secrets encrypted with a customer-managed key. */
export const CREDENTIALS_ACTIONS = { databaseCredentials: ['secretsmanager:GetSecretValue', 'kms:Decrypt'] } as const;

/** Reports in S3 (SSE-KMS: `kms:GenerateDataKey` to write, `kms:Decrypt` to read). */
export const REPORT_SINK_ACTIONS = {
  putJson: ['s3:PutObject', 'kms:GenerateDataKey'],
  putFolder: ['s3:PutObject', 'kms:GenerateDataKey'],
  getJson: ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt'],
} as const;

/**
 * The Region switch plan (routing mode `region-switch`): `ssm:GetParameter` reads the plan's ARN; the Region switch
 * data-plane actions are those of `REGION_SWITCH_EXECUTION_ACTIONS` (region-switch-executions.ts), where each is cited.
 * `GetPlanEvaluationStatus` follows the operation's name (UNVERIFIED: not in the User Guide's sample policy).
 */
export const REGION_SWITCH_ACTIONS = {
  activate: [
    'ssm:GetParameter',
    'arc-region-switch:ListPlanExecutions',
    'arc-region-switch:StartPlanExecution',
    'arc-region-switch:GetPlanExecution',
    'arc-region-switch:ListPlanExecutionEvents',
  ],
  describePlan: [
    'ssm:GetParameter',
    'arc-region-switch:GetPlanEvaluationStatus',
    'arc-region-switch:ListPlanExecutions',
    'arc-region-switch:GetPlanExecution',
  ],
} as const;

/** Journals in S3 (`s3:ListBucket` so a missing key answers 404, not 403). */
export const JOURNAL_ACTIONS = {
  load: ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt'],
  save: ['s3:PutObject', 'kms:GenerateDataKey'],
  latest: ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt'],
} as const;

type Prefixed<P extends string, T> = { readonly [K in keyof T & string as `${P}.${K}`]: readonly string[] };

function prefixed<P extends string, T extends Readonly<Record<string, readonly string[]>>>(
  port: P,
  table: T,
): Prefixed<P, T> {
  return Object.fromEntries(
    Object.entries(table).map(([method, actions]) => [`${port}.${method}`, actions]),
  ) as Prefixed<P, T>;
}

/**
 * The IAM actions each port method's AWS adapter calls. Typed over every port method, so a new method cannot be
 * added without saying what it needs; the runbook stack derives its policy from this table and the steps' `uses`.
 */
export const REQUIRED_ACTIONS: Readonly<Record<PortMethod, readonly string[]>> = {
  ...prefixed('routing', ROUTING_CONTROL_ACTIONS),
  ...prefixed('regionSwitch', REGION_SWITCH_ACTIONS),
  ...prefixed('globalDatabase', GLOBAL_DATABASE_ACTIONS),
  ...prefixed('snapshots', SNAPSHOT_ACTIONS),
  ...prefixed('health', HEALTH_ACTIONS),
  ...prefixed('capacity', SERVICE_CAPACITY_ACTIONS),
  ...prefixed('facts', READINESS_FACTS_ACTIONS),
  ...prefixed('credentials', CREDENTIALS_ACTIONS),
  ...prefixed('reports', REPORT_SINK_ACTIONS),
  ...prefixed('journal', JOURNAL_ACTIONS),
  'reconciler.reconcile': [],
  'clock.now': [],
  'clock.sleep': [],
};

/** The sorted, distinct actions the given port methods need. */
export function actionsFor(methods: Iterable<PortMethod>): string[] {
  const actions = new Set<string>();
  for (const method of methods) for (const action of REQUIRED_ACTIONS[method]) actions.add(action);
  return [...actions].sort();
}
