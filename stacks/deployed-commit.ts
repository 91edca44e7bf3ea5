import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DEPLOYED_COMMIT_OUTPUT } from '../.github/actions/rollback/deployed-commit-output';

/**
 * The SSM parameter holding the commit the stack named `stackName` runs: `/<stack name>/deployed-commit`. The runbooks'
 * parity checks read the services stack's (see `deployedCommitParameterName` in the runbook topology).
 */
export function deployedCommitParameterName(stackName: string): string {
  return `/${stackName}/deployed-commit`;
}

/** Properties of {@link DeployedCommit}. */
export interface DeployedCommitProps {
  /** The commit the stack is synthesized from (40 hex digits), or `unversioned` outside a workflow. */
  readonly commit: string;
}

/**
 * Stamps an application stack with the commit it runs: the stack output `DeployedCommit`, which the pipeline's
 * `record` checks before it records a release as known-good, and an SSM parameter holding the same value. The
 * parameter is what makes every deploy update the stack: CloudFormation does not update outputs alone ("During a stack
 * update, you cannot update outputs by themselves. You can update outputs only when you include changes that add,
 * modify, or delete resources", outputs-section-structure.html), so without it a release that changes nothing else in
 * the stack would leave the previous commit in the output and `record` would refuse it.
 */
export class DeployedCommit extends Construct {
  /** The parameter holding the commit. */
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: DeployedCommitProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: deployedCommitParameterName(stack.stackName),
      stringValue: props.commit,
      description: `The commit ${stack.stackName} runs (written by each deploy)`,
    });
    const output = new CfnOutput(this, 'Output', { value: props.commit, description: 'The commit this stack runs' });
    // The output key is exactly the name the pipeline reads.
    output.overrideLogicalId(DEPLOYED_COMMIT_OUTPUT);
  }
}
