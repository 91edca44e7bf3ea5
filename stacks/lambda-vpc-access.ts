import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What Lambda needs to attach a function to a VPC: the actions of the managed policy AWSLambdaVPCAccessExecutionRole,
 * written out so the role holds no managed policy (cdk-nag AwsSolutions-IAM4). Network interfaces are not known
 * before Lambda creates them, hence `*`.
 */
export function lambdaVpcAccessStatement(sid?: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    ...(sid ? { sid } : {}),
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}
