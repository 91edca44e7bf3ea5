import { Construct } from 'constructs';
import { writeParameterInRegions } from './parameter-in-regions';
import type { RegionSwitchPlan } from './region-switch-plan';

/** Properties of {@link RegionSwitchPlanParameter}. */
export interface RegionSwitchPlanParameterProps {
  /** The plan whose ARN is written. */
  readonly plan: RegionSwitchPlan;
  /** Name of the SSM parameter, e.g. `/shop/dev/region-switch-plan`. */
  readonly parameterName: string;
  /** The workload Regions: the parameter is written in each, where that Region's runbooks read it. */
  readonly regions: readonly string[];
}

/**
 * Writes the Region switch plan's ARN into an SSM parameter in each workload Region at deploy time (routing mode
 * `region-switch`), as `ArcRoutingParameter` does for the ARC cluster: the plan's ARN ends in a suffix AWS assigns
 * when it creates the plan, and the Regional runbook stacks deploy before this stack, so each Region's runbooks read
 * the ARN from this parameter in their own Region at run time (runbooks/adapters/aws/aws-region-switch.ts) and call
 * only that Region's Region switch data plane, never the control plane.
 */
export class RegionSwitchPlanParameter extends Construct {
  constructor(scope: Construct, id: string, props: RegionSwitchPlanParameterProps) {
    super(scope, id);
    writeParameterInRegions(this, {
      parameterName: props.parameterName,
      value: props.plan.plan.attrArn,
      regions: props.regions,
      providerReason:
        "CDK creates the AwsCustomResource provider function with the AWS managed basic-execution policy (writing its own logs only); its API permissions are the explicit statements on the plan ARN's parameter in each Region.",
    });
  }
}
