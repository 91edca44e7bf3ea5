import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { ArcRoutingControls } from './arc-routing-controls';
import { writeParameterInRegions } from './parameter-in-regions';

/** Properties of {@link ArcRoutingParameter}. */
export interface ArcRoutingParameterProps {
  /** The cluster and routing controls whose endpoints and ARNs are written. */
  readonly arc: ArcRoutingControls;
  /** Name of the SSM parameter, e.g. `/shop/dev/arc-routing`. */
  readonly parameterName: string;
  /** The workload Regions: the parameter is written in each, where that Region's runbook reads it. */
  readonly regions: readonly string[];
}

/**
 * How many Regional endpoints an ARC cluster has. "A cluster is a set of five redundant Regional endpoints"
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/introduction-components-routing.html).
 */
export const ARC_CLUSTER_ENDPOINT_COUNT = 5;

/**
 * Writes the ARC cluster's five endpoints and the routing-control ARNs into an SSM parameter in each workload Region,
 * at deploy time, so a runbook never needs the ARC control plane (`ARC_CONTROL_PLANE_REGION`) during a failover. ARC's guidance
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/route53-arc-best-practices.regional.html): "Bookmark or hard
 * code your five Regional cluster endpoints and routing control ARNs".
 *
 * The endpoints come from `DescribeCluster` (a custom resource: CloudFormation's `ClusterEndpoints` attribute is a
 * list of objects, which no plain intrinsic can take apart); the parameters are written with `PutParameter` sent to
 * each Region (a stack can only create native resources in its own Region). The value's shape is
 * `runbooks/adapters/aws/arc-routing-parameter.ts`.
 */
export class ArcRoutingParameter extends Construct {
  /** The parameter's value (a JSON string with tokens, resolved at deploy). */
  readonly value: string;

  constructor(scope: Construct, id: string, props: ArcRoutingParameterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const clusterArn = props.arc.cluster.attrClusterArn;
    const describe = new cr.AwsCustomResource(this, 'DescribeCluster', {
      onUpdate: {
        service: 'Route53RecoveryControlConfig',
        action: 'describeCluster',
        parameters: { ClusterArn: clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(clusterArn),
        outputPaths: Array.from({ length: ARC_CLUSTER_ENDPOINT_COUNT }, (_, i) => [
          `Cluster.ClusterEndpoints.${i}.Endpoint`,
          `Cluster.ClusterEndpoints.${i}.Region`,
        ]).flat(),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['route53-recovery-control-config:DescribeCluster'],
          resources: [clusterArn],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    const routingControls: Record<string, string> = {};
    for (const region of props.regions) {
      const control = props.arc.routingControls[region];
      if (!control) throw new Error(`ArcRoutingParameter: no routing control for ${region}; accepted: one per Region`);
      routingControls[control.name] = control.attrRoutingControlArn;
    }
    this.value = stack.toJsonString({
      clusterArn,
      endpoints: Array.from({ length: ARC_CLUSTER_ENDPOINT_COUNT }, (_, i) => ({
        Region: describe.getResponseField(`Cluster.ClusterEndpoints.${i}.Region`),
        Endpoint: describe.getResponseField(`Cluster.ClusterEndpoints.${i}.Endpoint`),
      })),
      routingControls,
    });

    writeParameterInRegions(this, {
      parameterName: props.parameterName,
      value: this.value,
      regions: props.regions,
      providerReason:
        'CDK creates the AwsCustomResource provider function with the AWS managed basic-execution policy (writing its own logs only); its API permissions are the explicit statements on the parameters and the cluster.',
    });
  }
}
