import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Makes `fn` wait for `policy`: Lambda checks the role's permissions when it creates the function (and its ENIs in a
 * VPC). lambda.Function adds a DependsOn on the role too, which its Role property (a GetAtt) already orders (cfn-lint
 * W3005): the DependsOn is written as the policy alone.
 */
export function dependsOnPolicyOnly(fn: lambda.Function, policy: iam.Policy): void {
  (fn.node.defaultChild as lambda.CfnFunction).addOverride('DependsOn', [
    Stack.of(fn).getLogicalId(policy.node.defaultChild as iam.CfnPolicy),
  ]);
}
