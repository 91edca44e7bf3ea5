import { ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { actionsFor } from '../../runbooks/adapters/aws/required-actions';
import type { AnyOrchestration, Step } from '../../runbooks/core/step';
import type { PortMethod } from '../../runbooks/ports';
import { runsInVpcFunction } from '../../runbooks/ssm/automation-document';
import type { Topology } from '../../runbooks/topology';

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
  /** Routing control ARNs, when known at synth. @default - any routing control of the account */
  readonly routingControlArns?: readonly string[];
  /** The SSM parameter (in this Region) holding the ARC cluster endpoints and routing-control ARNs. */
  readonly routingParameterName: string;
  /** The ECS cluster (same name in both Regions) and its database writer services, fenced and restored. */
  readonly ecsClusterName: string;
  readonly writerServices: readonly string[];
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
  const writerServices = both.flatMap((r) =>
    scope.writerServices.map((service) =>
      stack.formatArn({
        service: 'ecs',
        region: r,
        resource: 'service',
        resourceName: `${scope.ecsClusterName}/${service}`,
      }),
    ),
  );
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
    'secretsmanager:DescribeSecret': [{ resources: secrets }],
    'cloudwatch:GetMetricData': [{ resources: ['*'] }],
    'route53-recovery-cluster:GetRoutingControlState': [{ resources: routingControls }],
    'route53-recovery-cluster:UpdateRoutingControlStates': [{ resources: routingControls }],
    'route53-recovery-cluster:ListRoutingControls': [{ resources: ['*'] }],
    'ecs:DescribeServices': [{ resources: writerServices }],
    'ecs:UpdateService': [{ resources: writerServices }],
    'application-autoscaling:DescribeScalableTargets': [{ resources: ['*'] }],
    'ssm:GetParameter': [
      {
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: scope.routingParameterName.replace(/^\//, ''),
          }),
        ],
      },
    ],
    's3:GetObject': [{ resources: [`${scope.bucketArn}/journal/*`, `${scope.bucketArn}/runs/*`] }],
    's3:PutObject': [{ resources: [`${scope.bucketArn}/journal/*`, `${scope.bucketArn}/runs/*`] }],
    's3:ListBucket': [{ resources: [scope.bucketArn] }],
  };
}

/**
 * The policy statements granting exactly the actions the given port methods need (see `REQUIRED_ACTIONS`), each on
 * the resources it acts on; actions with the same resources and conditions share a statement.
 */
export function runbookPolicyStatements(methods: readonly PortMethod[], scope: PermissionScope): iam.PolicyStatement[] {
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
