import { ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RoutingMode } from '../../config';
import { actionsFor, REGION_SWITCH_ACTIONS } from '../../runbooks/adapters/aws/required-actions';
import type { AnyOrchestration, Step } from '../../runbooks/core/step';
import type { PortMethod } from '../../runbooks/ports';
import { runsInVpcFunction } from '../../runbooks/ssm/automation-document';
import type { Topology } from '../../runbooks/topology';
import type { WildcardReasons } from './wildcard-acknowledgements';

/**
 * Why the wildcard resources {@link runbookPolicyStatements} grants for readiness and the scale-up are needed (see
 * `acknowledgeWildcardResources`); a stack whose policy holds them adds these to its own reasons.
 */
export const RUNBOOK_PERMISSION_WILDCARD_REASONS: WildcardReasons = [
  [
    /:ecs:[^:]+:[^:]+:task\/[^/*]+\/\*$/,
    "ECS starts a service's tasks with generated ids: DescribeTasks is limited to the tasks of the shop's ECS cluster in either Region (and by the ecs:cluster condition).",
  ],
  [
    /:application-autoscaling:[^:]+:[^:]+:scalable-target\/\*$/,
    "Application Auto Scaling names a registered scalable target with an id it generates: raising a service's scaling minimum updates the target of one of the shop's services, which ECS authorizes on the service itself (ecs:DescribeServices and ecs:UpdateService, granted on the shop's services only).",
  ],
  [
    /:arc-region-switch::[^:]+:plan\/[a-z0-9-]+[:/]\*$/,
    "The ARN of the shop's Region switch plan ends in a suffix AWS assigns when it creates the plan, in the global routing stack that deploys after this one: the runbook reads the ARN from the plan's SSM parameter at run time, and the policy names the plan by name with any suffix.",
  ],
  [
    /(\.Arn>|^arn:[^:]+:s3:::[^/]+)\/readiness\/\*$/,
    "A failover reads the latest readiness record under readiness/ of the runbook's own bucket (the other Region's peak task counts) when the other Region's CloudWatch does not answer.",
  ],
];

/** The Region switch data-plane actions of the adapter (`REGION_SWITCH_ACTIONS`), all granted on the plan. */
const REGION_SWITCH_PLAN_ACTIONS: readonly string[] = [
  ...new Set(
    Object.values(REGION_SWITCH_ACTIONS).flatMap((actions) =>
      actions.filter((a) => a.startsWith('arc-region-switch:')),
    ),
  ),
];

/** Port methods the engine itself calls on every invocation (the journal). */
export const ENGINE_METHODS: readonly PortMethod[] = ['journal.load', 'journal.save', 'journal.latest'];

/** Which port methods each runbook function calls, derived from the steps the SSM documents route to it. */
export interface FunctionMethods {
  /** The step function: every step without database access, and the dry-run plans of all steps (checks only). */
  readonly step: readonly PortMethod[];
  /** The database function (in the VPC): the steps that read credentials and reconcile, and the health probes. */
  readonly database: readonly PortMethod[];
}

/**
 * Splits the port methods of every step of `orchestrations` between the two functions. A plan (dry run) runs in the
 * step function and calls only the checks of database steps, which never touch credentials or the reconciler.
 */
export function functionMethods(orchestrations: readonly AnyOrchestration[], topology: Topology): FunctionMethods {
  const step = new Set<PortMethod>(ENGINE_METHODS);
  const database = new Set<PortMethod>(ENGINE_METHODS);
  for (const orchestration of orchestrations) {
    for (const s of orchestration.steps(topology) as readonly Step<unknown>[]) {
      if (runsInVpcFunction(s)) {
        for (const m of s.uses) database.add(m);
        for (const m of s.uses) if (!m.startsWith('credentials.') && !m.startsWith('reconciler.')) step.add(m);
      } else {
        for (const m of s.uses) step.add(m);
      }
    }
  }
  return { step: [...step].sort(), database: [...database].sort() };
}

/** What the runbook acts on, for scoping each action to its resources. */
export interface PermissionScope {
  readonly stack: Stack;
  /** The Region the functions run in. */
  readonly region: string;
  /** The other Region. */
  readonly peerRegion: string;
  /** Identifiers of the Aurora global clusters. */
  readonly globalClusterIdentifiers: readonly string[];
  /** Identifiers of the Regional member clusters (the same in both Regions). */
  readonly clusterIdentifiers: readonly string[];
  /** Names of the secrets the runbook reads or checks (in this Region). */
  readonly secretNames: readonly string[];
  /** Prefix of every temporary identifier (clusters, instances, snapshot copies). */
  readonly temporaryPrefix: string;
  /** The DB subnet group of temporary clusters. */
  readonly recoverySubnetGroupName: string;
  /** This Region's data key (secrets, snapshot copies, restored clusters). */
  readonly dataKeyArn: string;
  /** The alias of the other Region's data key (the source of cross-Region snapshot copies). */
  readonly peerDataKeyAlias: string;
  /** The report bucket and its key. */
  readonly bucketArn: string;
  readonly bucketKeyArn: string;
  /**
   * How traffic moves (config `routingMode`): the port of the other mode has nothing to act on, so its methods are
   * granted nothing (see {@link runbookPolicyStatements}).
   * @default 'arc-cluster'
   */
  readonly routingMode?: RoutingMode;
  /** Routing control ARNs, when known at synth. @default - any routing control of the account */
  readonly routingControlArns?: readonly string[];
  /**
   * The SSM parameter (in this Region) holding the ARC cluster endpoints and routing-control ARNs (routing mode
   * `arc-cluster`). @default - none: a role whose steps use the routing controls cannot be granted (synth fails)
   */
  readonly routingParameterName?: string;
  /**
   * The Region switch plan (routing mode `region-switch`): its name, and the SSM parameter (in this Region) holding its
   * ARN. @default - none: a role whose steps use the plan cannot be granted (synth fails)
   */
  readonly regionSwitchPlan?: { readonly planName: string; readonly parameterName: string };
  /**
   * The SSM parameter holding the commit each Region's services stack runs, by Region (`/<stack name>/deployed-commit`,
   * stacks/deployed-commit.ts): the parity checks' release awareness reads them (`facts.deployedCommit`).
   * @default - none: a role whose steps read a deployed commit cannot be granted (synth fails naming this field)
   */
  readonly deployedCommitParameters?: Readonly<Record<string, string>>;
  /** The ECS cluster (same name in both Regions) and its database writer services, fenced and restored. */
  readonly ecsClusterName: string;
  readonly writerServices: readonly string[];
  /**
   * Every ECS service of the cluster that readiness reads and a move scales up before traffic moves (issue 17), in
   * both Regions.
   * @default - the writer services only
   */
  readonly services?: readonly string[];
}

interface Grant {
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * The resources (and conditions) each action is allowed on. Every action a runbook adapter declares must have an
 * entry: {@link runbookPolicyStatements} throws on one that has none, so a new adapter call cannot ship unscoped.
 */
function grants(scope: PermissionScope): Record<string, Grant[]> {
  const { stack, region, peerRegion } = scope;
  const rdsArn = (r: string, type: string, name: string) =>
    stack.formatArn({
      service: 'rds',
      region: r,
      resource: type,
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  const both = [region, peerRegion];
  const globalClusters = scope.globalClusterIdentifiers.map((id) =>
    stack.formatArn({
      service: 'rds',
      region: '',
      resource: 'global-cluster',
      resourceName: id,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  );
  const members = both.flatMap((r) => scope.clusterIdentifiers.map((id) => rdsArn(r, 'cluster', id)));
  const tmp = scope.temporaryPrefix;
  const temporaryClusters = rdsArn(region, 'cluster', `${tmp}*`);
  const temporaryInstances = rdsArn(region, 'db', `${tmp}*`);
  const temporarySnapshots = rdsArn(region, 'cluster-snapshot', `${tmp}*`);
  const failoverSnapshots = scope.clusterIdentifiers.map((id) =>
    rdsArn(peerRegion, 'cluster-snapshot', `rds:unplanned-global-failover-${id}-*`),
  );
  const peerMembers = scope.clusterIdentifiers.map((id) => rdsArn(peerRegion, 'cluster', id));
  const subnetGroup = rdsArn(region, 'subgrp', scope.recoverySubnetGroupName);
  const defaultGroups = [
    rdsArn(region, 'cluster-pg', 'default.aurora-postgresql*'),
    rdsArn(region, 'pg', 'default.aurora-postgresql*'),
    rdsArn(region, 'og', 'default:aurora-postgresql*'),
  ];
  const peerKeys = stack.formatArn({ service: 'kms', region: peerRegion, resource: 'key', resourceName: '*' });
  const secrets = scope.secretNames.map((name) =>
    stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${name}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  );
  const routingControls = scope.routingControlArns ?? [
    stack.formatArn({
      service: 'route53-recovery-control',
      region: '',
      resource: 'controlpanel',
      resourceName: '*/routingcontrol/*',
    }),
  ];
  const shopServices = [...new Set([...scope.writerServices, ...(scope.services ?? [])])];
  const services = both.flatMap((r) =>
    shopServices.map((service) =>
      stack.formatArn({
        service: 'ecs',
        region: r,
        resource: 'service',
        resourceName: `${scope.ecsClusterName}/${service}`,
      }),
    ),
  );
  const ecsClusters = both.map((r) =>
    stack.formatArn({ service: 'ecs', region: r, resource: 'cluster', resourceName: scope.ecsClusterName }),
  );
  const inShopCluster = { ArnEquals: { 'ecs:cluster': ecsClusters } };
  const tasks = both.map((r) =>
    stack.formatArn({ service: 'ecs', region: r, resource: 'task', resourceName: `${scope.ecsClusterName}/*` }),
  );
  // Secrets of the same name in both Regions: readiness asks the primary Region of a replicated secret for its
  // replicas' status (DescribeSecret), which may be the other Region.
  const secretsInBoth = both.flatMap((r) =>
    scope.secretNames.map((name) =>
      stack.formatArn({
        service: 'secretsmanager',
        region: r,
        resource: 'secret',
        resourceName: `${name}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ),
  );
  const scalableTargets = both.map((r) =>
    stack.formatArn({ service: 'application-autoscaling', region: r, resource: 'scalable-target', resourceName: '*' }),
  );
  const parameterInRegion = (name: string | undefined) =>
    name ? [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') })] : [];
  // The plan's ARN ends in a suffix AWS assigns at creation: `plan/<name>:<suffix>` in the Region switch API's planArn
  // pattern (API_StartPlanExecution), `plan/<name>/<suffix>` in the User Guide's "Region switch plan execution block
  // sample policy" (Resource "arn:aws:arc-region-switch::123456789012:plan/child-plan-1/abcde1"). Which one IAM sees is
  // UNVERIFIED here: both forms, each limited to the shop's plan name.
  const planArns = scope.regionSwitchPlan
    ? [':', '/'].map((separator) =>
        stack.formatArn({
          service: 'arc-region-switch',
          region: '',
          resource: 'plan',
          resourceName: `${scope.regionSwitchPlan!.planName}${separator}*`,
        }),
      )
    : [];
  const onlyForAwsResources = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
  const viaRds = (r: string) => ({ StringEquals: { 'kms:ViaService': `rds.${r}.amazonaws.com` } });
  return {
    'rds:DescribeGlobalClusters': [{ resources: globalClusters }],
    'rds:FailoverGlobalCluster': [{ resources: [...globalClusters, ...members] }],
    'rds:SwitchoverGlobalCluster': [{ resources: [...globalClusters, ...members] }],
    'rds:DescribeDBClusters': [{ resources: [...members, temporaryClusters] }],
    'rds:DescribeDBClusterSnapshots': [{ resources: [...peerMembers, ...failoverSnapshots, temporarySnapshots] }],
    'rds:CopyDBClusterSnapshot': [{ resources: [...failoverSnapshots, temporarySnapshots] }],
    'rds:RestoreDBClusterFromSnapshot': [
      { resources: [temporaryClusters, temporarySnapshots, subnetGroup, ...defaultGroups] },
    ],
    'rds:CreateDBInstance': [{ resources: [temporaryInstances, temporaryClusters, subnetGroup, ...defaultGroups] }],
    'rds:AddTagsToResource': [{ resources: [temporaryClusters, temporaryInstances, temporarySnapshots] }],
    'rds:DescribeDBInstances': [{ resources: [temporaryInstances] }],
    'rds:DeleteDBInstance': [{ resources: [temporaryInstances] }],
    'rds:DeleteDBCluster': [{ resources: [temporaryClusters] }],
    'kms:DescribeKey': [
      { resources: [scope.dataKeyArn] },
      {
        resources: [peerKeys],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': scope.peerDataKeyAlias } },
      },
    ],
    'kms:CreateGrant': [
      { resources: [scope.dataKeyArn], conditions: { ...onlyForAwsResources, ...viaRds(region) } },
      {
        resources: [peerKeys],
        conditions: {
          ...onlyForAwsResources,
          ...viaRds(peerRegion),
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': scope.peerDataKeyAlias },
        },
      },
    ],
    // Per port: only the credentials read decrypts with the data key (through Secrets Manager); journals and
    // reports decrypt with the bucket key. A function that never reads a secret gets no grant on the data key.
    'kms:Decrypt@credentials': [
      {
        resources: [scope.dataKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      },
    ],
    'kms:Decrypt': [{ resources: [scope.bucketKeyArn] }],
    'kms:GenerateDataKey': [{ resources: [scope.bucketKeyArn] }],
    'secretsmanager:GetSecretValue': [{ resources: secrets }],
    'secretsmanager:DescribeSecret': [{ resources: secretsInBoth }],
    'cloudwatch:GetMetricData': [{ resources: ['*'] }],
    // API_DescribeAlarms: "To use this operation and return information about composite alarms, you must be signed on
    // with the cloudwatch:DescribeAlarms permission that is scoped to *. You can't return information about composite
    // alarms if your cloudwatch:DescribeAlarms permission has a narrower scope." Readiness reads composite alarms too.
    'cloudwatch:DescribeAlarms': [{ resources: ['*'] }],
    // UNVERIFIED whether GetServiceQuota accepts a quota ARN as its resource (no AWS page found that states it): the
    // Fargate vCPU quota is read with "*". Read only.
    'servicequotas:GetServiceQuota': [{ resources: ['*'] }],
    // Likewise for the AWS default, read when no applied value is available (GetServiceQuota: "For some quotas, only
    // the default values are available").
    'servicequotas:GetAWSDefaultServiceQuota': [{ resources: ['*'] }],
    'route53-recovery-cluster:GetRoutingControlState': [{ resources: routingControls }],
    'route53-recovery-cluster:UpdateRoutingControlStates': [{ resources: routingControls }],
    'route53-recovery-cluster:ListRoutingControls': [{ resources: ['*'] }],
    'ecs:DescribeServices': [{ resources: services }],
    'ecs:UpdateService': [{ resources: services }],
    // ECS Developer Guide, "Identity-based policy examples", Task definition examples: "Task definition IAM policies do
    // not support resource-level permissions".
    'ecs:DescribeTaskDefinition': [{ resources: ['*'] }],
    // Same page, "List and describe task examples": ListTasks on Resource "*" with Condition ArnEquals ecs:cluster;
    // DescribeTasks on the cluster's task ARNs (task/<cluster>/<id>) with the same condition.
    'ecs:ListTasks': [{ resources: ['*'], conditions: inShopCluster }],
    'ecs:DescribeTasks': [{ resources: tasks, conditions: inShopCluster }],
    'application-autoscaling:DescribeScalableTargets': [{ resources: ['*'] }],
    // Raising a service's scaling minimum updates its registered scalable target, whose ARN ends in an id Application
    // Auto Scaling generates (scalable-target/<id>): any target of the account in either Region. ECS then checks
    // ecs:DescribeServices and ecs:UpdateService on the service (granted above, on the shop's services only; see
    // SERVICE_CAPACITY_ACTIONS). UNVERIFIED: that RegisterScalableTarget accepts the scalable-target ARN as its resource
    // for an update (the Service Authorization Reference lists the ScalableTarget type for the scaling-policy actions).
    'application-autoscaling:RegisterScalableTarget': [{ resources: scalableTargets }],
    'ssm:GetParameter': [{ resources: parameterInRegion(scope.routingParameterName) }],
    // Routing mode region-switch: the plan's ARN from its parameter in this Region, then the Region switch data plane on
    // the shop's plan alone.
    'ssm:GetParameter@regionSwitch': [{ resources: parameterInRegion(scope.regionSwitchPlan?.parameterName) }],
    ...Object.fromEntries(REGION_SWITCH_PLAN_ACTIONS.map((action) => [action, [{ resources: planArns }]])),
    // The parity checks' release awareness reads each Region's deployed-commit parameter, in that Region, and nothing
    // else of Parameter Store (the routing parameter above is the routing port's).
    'ssm:GetParameter@facts': [
      {
        resources: Object.entries(scope.deployedCommitParameters ?? {}).map(([r, name]) =>
          stack.formatArn({ service: 'ssm', region: r, resource: 'parameter', resourceName: name.replace(/^\//, '') }),
        ),
      },
    ],
    // readiness/*: a failover reads the latest readiness record (`readiness/latest.json`, the other Region's peak)
    // when the other Region's CloudWatch does not answer. The scheduled readiness grants its own writes there.
    's3:GetObject': [
      { resources: [`${scope.bucketArn}/journal/*`, `${scope.bucketArn}/runs/*`, `${scope.bucketArn}/readiness/*`] },
    ],
    's3:PutObject': [{ resources: [`${scope.bucketArn}/journal/*`, `${scope.bucketArn}/runs/*`] }],
    's3:ListBucket': [{ resources: [scope.bucketArn] }],
  };
}

/**
 * The policy statements granting exactly the actions the given port methods need (see `REQUIRED_ACTIONS`), each on
 * the resources it acts on; actions with the same resources and conditions share a statement.
 */
export function runbookPolicyStatements(
  requested: readonly PortMethod[],
  scope: PermissionScope,
): iam.PolicyStatement[] {
  const mode = scope.routingMode ?? 'arc-cluster';
  // The port of the other routing mode has nothing to act on (no routing controls in region-switch mode, no plan in
  // arc-cluster mode): its methods get no permission, so a step that called it would be refused (fails closed).
  const otherModePort = mode === 'arc-cluster' ? 'regionSwitch.' : 'routing.';
  const methods = requested.filter((m) => !m.startsWith(otherModePort));
  const routingMethods = methods.filter((m) => m.startsWith('routing.'));
  if (routingMethods.length > 0 && !scope.routingParameterName) {
    throw new Error(
      `runbook permissions: routingParameterName: ${JSON.stringify(scope.routingParameterName)} names no parameter; accepted: the SSM parameter of the ARC cluster endpoints and routing-control ARNs (${routingMethods.join(', ')} read it)`,
    );
  }
  const planMethods = methods.filter((m) => m.startsWith('regionSwitch.'));
  if (planMethods.length > 0 && !scope.regionSwitchPlan) {
    throw new Error(
      `runbook permissions: regionSwitchPlan: ${JSON.stringify(scope.regionSwitchPlan)} names no plan; accepted: { planName, parameterName } of the Region switch plan (${planMethods.join(', ')} call it)`,
    );
  }
  if (methods.includes('facts.deployedCommit') && Object.keys(scope.deployedCommitParameters ?? {}).length === 0) {
    throw new Error(
      `runbook permissions: deployedCommitParameters: ${JSON.stringify(scope.deployedCommitParameters)} names no parameter; accepted: the deployed-commit SSM parameter of each Region (facts.deployedCommit reads them)`,
    );
  }
  const table = grants(scope);
  const groups = new Map<string, { actions: string[]; grant: Grant }>();
  const add = (action: string, grant: Grant) => {
    const key = JSON.stringify(scope.stack.resolve({ r: grant.resources, c: grant.conditions }));
    const group = groups.get(key) ?? { actions: [], grant };
    if (!group.actions.includes(action)) group.actions.push(action);
    groups.set(key, group);
  };
  for (const method of [...methods].sort()) {
    const port = method.slice(0, method.indexOf('.'));
    for (const action of actionsFor([method])) {
      // A grant specific to the port (`kms:Decrypt@credentials`) wins over the action's general one.
      const entries = table[`${action}@${port}`] ?? table[action];
      if (!entries)
        throw new Error(`runbook permissions: no resource scope is defined for ${action}; add it to grants()`);
      for (const grant of entries) add(action, grant);
    }
  }
  return [...groups.values()].map(
    ({ actions, grant }) =>
      new iam.PolicyStatement({
        actions: [...actions].sort(),
        resources: [...grant.resources],
        ...(grant.conditions ? { conditions: grant.conditions } : {}),
      }),
  );
}
