import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as arcregionswitch from 'aws-cdk-lib/aws-arcregionswitch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { DatabaseNames } from '../naming/database-names';

/** Properties of a {@link RegionSwitchPlan}. */
export interface RegionSwitchPlanProps {
  /** The plan's name. */
  readonly planName: string;
  /** The Region that is active at first deploy. */
  readonly primaryRegion: string;
  /** The Region the plan can switch to. */
  readonly standbyRegion: string;
  /** The Aurora global databases the plan switches over. */
  readonly databases: readonly DatabaseNames[];
  /** The hosted zone of the shop's record. */
  readonly hostedZoneId: string;
  /** The record whose failover records the plan's Route 53 health checks steer. */
  readonly recordName: string;
}

/**
 * A minimal ARC Region switch plan (routing mode `region-switch`): activating a Region switches every Aurora
 * global database over to it, then moves DNS with the plan's Route 53 health checks. Cheaper than an ARC cluster,
 * but the plan creates its Route 53 health checks itself, so their ids are only known after the plan exists;
 * attaching them to the failover records is a step of the first switch, not of this stack.
 */
export class RegionSwitchPlan extends Construct {
  /** The plan. */
  readonly plan: arcregionswitch.CfnPlan;
  /** The role the plan runs as. */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: RegionSwitchPlanProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const regions = [props.primaryRegion, props.standbyRegion];
    const clusterArn = (region: string, db: DatabaseNames) =>
      stack.formatArn({
        service: 'rds',
        region,
        resource: 'cluster',
        resourceName: db.clusterIdentifier,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const globalClusterArn = (db: DatabaseNames) =>
      stack.formatArn({
        service: 'rds',
        region: '',
        resource: 'global-cluster',
        resourceName: db.globalClusterIdentifier,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('arc-region-switch.amazonaws.com'),
      description: `Runs the ${props.planName} Region switch plan`,
    });
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'rds:SwitchoverGlobalCluster',
          'rds:FailoverGlobalCluster',
          'rds:DescribeGlobalClusters',
          'rds:DescribeDBClusters',
        ],
        resources: props.databases.flatMap((db) => [globalClusterArn(db), ...regions.map((r) => clusterArn(r, db))]),
      }),
    );
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
        resources: [
          stack.formatArn({
            service: 'route53',
            region: '',
            account: '',
            resource: 'hostedzone',
            resourceName: props.hostedZoneId,
          }),
        ],
      }),
    );

    this.plan = new arcregionswitch.CfnPlan(this, 'Plan', {
      name: props.planName,
      executionRole: this.executionRole.roleArn,
      recoveryApproach: 'activePassive',
      primaryRegion: props.primaryRegion,
      regions,
      workflows: regions.map((region) => ({
        workflowTargetAction: 'activate',
        workflowTargetRegion: region,
        steps: [
          ...props.databases.map((db) => ({
            name: `switch-${db.databaseName}`,
            executionBlockType: 'AuroraGlobalDatabase',
            executionBlockConfiguration: {
              globalAuroraConfig: {
                behavior: 'switchoverOnly',
                globalClusterIdentifier: db.globalClusterIdentifier,
                databaseClusterArns: regions.map((r) => clusterArn(r, db)),
              },
            },
          })),
          {
            name: 'move-dns',
            executionBlockType: 'Route53HealthCheck',
            executionBlockConfiguration: {
              route53HealthCheckConfig: {
                hostedZoneId: props.hostedZoneId,
                recordName: props.recordName,
                recordSets: regions.map((r) => ({ recordSetIdentifier: r, region: r })),
              },
            },
          },
        ],
      })),
    });
  }
}
