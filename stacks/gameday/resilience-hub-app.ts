import { Stack } from 'aws-cdk-lib';
import * as resiliencehub from 'aws-cdk-lib/aws-resiliencehub';
import { Construct } from 'constructs';
import { gameDayNames } from '../naming/gameday-names';

/** The disruption types of a Resilience Hub resiliency policy, each given the same targets. */
export const RESILIENCY_DISRUPTIONS = ['Software', 'Hardware', 'AZ', 'Region'] as const;

/** Properties of {@link ResilienceHubApp}. */
export interface ResilienceHubAppProps {
  readonly appName: string;
  readonly envName: string;
  /** The recovery time objective, in minutes (config `rtoTargetMinutes`). */
  readonly rtoTargetMinutes: number;
  /** The recovery point objective, in seconds (config `rpoTargetSeconds`). */
  readonly rpoTargetSeconds: number;
  /** The ARNs of this Region's stacks the application is made of. */
  readonly stackArns: readonly string[];
}

/**
 * A Resilience Hub resiliency policy generated from the configured RTO and RPO (the same numbers a game day's
 * verdict judges against) and an application mapped onto this Region's CloudFormation stacks, assessed against it.
 * The assessment itself is run by a person or on the daily schedule Resilience Hub offers; it is not turned on here.
 */
export class ResilienceHubApp extends Construct {
  readonly policy: resiliencehub.CfnResiliencyPolicy;
  readonly app: resiliencehub.CfnApp;

  constructor(scope: Construct, id: string, props: ResilienceHubAppProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = gameDayNames(props.appName, props.envName, stack.region);
    const target = { rtoInSecs: props.rtoTargetMinutes * 60, rpoInSecs: props.rpoTargetSeconds };
    this.policy = new resiliencehub.CfnResiliencyPolicy(this, 'Policy', {
      policyName: names.resiliencyPolicy,
      policyDescription: `${names.tag.value}: RTO ${props.rtoTargetMinutes} min, RPO ${props.rpoTargetSeconds} s (config rtoTargetMinutes, rpoTargetSeconds), the targets of the game days`,
      tier: 'Critical',
      // AWS::ResilienceHub::ResiliencyPolicy Policy: one FailurePolicy (RpoInSecs, RtoInSecs) per disruption type.
      policy: Object.fromEntries(RESILIENCY_DISRUPTIONS.map((disruption) => [disruption, target])),
      tags: { [names.tag.key]: names.tag.value },
    });
    this.app = new resiliencehub.CfnApp(this, 'App', {
      name: names.resilienceApp,
      description: `${names.tag.value} in ${stack.region}, assessed against ${names.resiliencyPolicy}`,
      resiliencyPolicyArn: this.policy.attrPolicyArn,
      appAssessmentSchedule: 'Disabled',
      appTemplateBody: JSON.stringify({ resources: [], appComponents: [], excludedResources: {}, version: 2 }),
      // AWS::ResilienceHub::App ResourceMapping MappingType CfnStack: the application is made of these stacks.
      resourceMappings: props.stackArns.map((arn) => ({
        mappingType: 'CfnStack',
        physicalResourceId: { identifier: arn, type: 'Arn', awsRegion: stack.region, awsAccountId: stack.account },
      })),
      tags: { [names.tag.key]: names.tag.value },
    });
  }
}
