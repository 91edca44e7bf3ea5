import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

/** What {@link writeParameterInRegions} writes. */
export interface ParameterInRegionsProps {
  /** Name of the SSM parameter, e.g. `/shop/dev/arc-routing`. */
  readonly parameterName: string;
  /** Its value (may hold tokens, resolved at deploy). */
  readonly value: string;
  /** The Regions the parameter is written in, each where that Region's runbooks read it. */
  readonly regions: readonly string[];
  /**
   * Why the shared provider function's managed policy is acceptable, for the cdk-nag acknowledgement (names what
   * the explicit statements act on).
   */
  readonly providerReason: string;
}

/**
 * Writes an SSM `String` parameter into each of `regions` at deploy time (`PutParameter` sent to each Region through a
 * custom resource named `Parameter-<region>` under `scope`: a stack can only create native resources in its own
 * Region), and deletes it there with the stack. Each writer may put and delete exactly that parameter in its Region.
 */
export function writeParameterInRegions(scope: Construct, props: ParameterInRegionsProps): void {
  const stack = Stack.of(scope);
  for (const region of props.regions) {
    const parameterArn = stack.formatArn({
      service: 'ssm',
      region,
      resource: 'parameter',
      resourceName: props.parameterName.replace(/^\//, ''),
    });
    new cr.AwsCustomResource(scope, `Parameter-${region}`, {
      onUpdate: {
        service: 'SSM',
        action: 'putParameter',
        region,
        parameters: { Name: props.parameterName, Value: props.value, Type: 'String', Overwrite: true },
        physicalResourceId: cr.PhysicalResourceId.of(`${props.parameterName}@${region}`),
      },
      onDelete: {
        service: 'SSM',
        action: 'deleteParameter',
        region,
        parameters: { Name: props.parameterName },
        ignoreErrorCodesMatching: 'ParameterNotFound',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:PutParameter', 'ssm:DeleteParameter'], resources: [parameterArn] }),
      ]),
      installLatestAwsSdk: false,
    });
  }
  tidyCustomResourceProvider(stack, props.providerReason);
}

/**
 * The custom resources of a stack share one provider function, created by CDK with the managed basic-execution policy
 * (CloudWatch Logs only): acknowledges that for cdk-nag with `reason`, and drops the function's `DependsOn` on its
 * role, which its `Role` property (a GetAtt) already orders (cfn-lint W3005). The statements each custom resource
 * needs are ordered by the custom resources' own `DependsOn`.
 */
export function tidyCustomResourceProvider(stack: Stack, reason: string): void {
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  const role = provider?.node.tryFindChild('ServiceRole');
  const providerFunction = provider?.node.tryFindChild('Resource');
  if (providerFunction instanceof CfnResource) providerFunction.addDeletionOverride('DependsOn');
  if (role) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason,
    });
  }
}

/** The construct id CDK gives the shared provider function of `AwsCustomResource` in a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
