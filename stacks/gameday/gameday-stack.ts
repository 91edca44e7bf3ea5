import { CrossStackReferences, Fn, ReferenceStrength, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { automationDocumentName } from '../../.github/actions/failover/automation-document-name';
import { alarmNames } from '../naming/alarm-names';
import { gameDayNames } from '../naming/gameday-names';
import { runbookAutomationRoleName } from '../naming/runbook-names';
import { DATABASE_WRITER_SERVICES, ecsClusterName } from '../naming/service-names';
import { stackNames } from '../naming/stack-names';
import { SHOP_TABLES, tableNames } from '../naming/table-names';
import { GameDayExperiments } from './gameday-experiments';
import { ResilienceHubApp } from './resilience-hub-app';
import { SyntheticShopperFleet } from './synthetic-shopper-fleet';

/**
 * The output of the runbook stack (`stacks/runbooks/runbook-stack.ts`) this stack reads in both Regions: the other
 * Region's report bucket and this Region's own.
 */
export const PEER_REPORT_BUCKET_OUTPUT = 'ReportBucketName';

/** Properties of a {@link GameDayStack}. */
export interface GameDayStackProps extends StackProps {
  readonly appName: string;
  readonly envName: string;
  /** The other Region. */
  readonly peerRegion: string;
  /** This Region's VPC: its task subnets are isolated, and an internal load balancer is reached from inside it. */
  readonly vpc: ec2.IVpc;
  /** This Region's load balancer URL. */
  readonly regionalUrl: string;
  /** The shop's public URL. */
  readonly publicUrl: string;
  /** Whether the load balancer is internal (then the shopper runs in the VPC). */
  readonly internalLoadBalancer: boolean;
  /** Orders per minute of the synthetic shopper while a game day runs (config `gameDays.shopperRatePerMinute`). */
  readonly shopperRatePerMinute: number;
  /** Config `rtoTargetMinutes`. */
  readonly rtoTargetMinutes: number;
  /** Config `rpoTargetSeconds`. */
  readonly rpoTargetSeconds: number;
  /** ARNs of this Region's application stacks, for the Resilience Hub application. */
  readonly applicationStackArns: readonly string[];
  /**
   * The shopper handler module to bundle (tests pass another one).
   *
   * @default runbooks/gameday/shopper-handler.ts
   */
  readonly shopperEntry?: string;
}

/**
 * Everything a game day needs in one Region, created only when the config enables game days: the FIS experiment
 * templates (stopped by the other Region's canary alarm), the synthetic shopper fleet (its schedule created
 * DISABLED) and the Resilience Hub application and resiliency policy. Every resource is tagged
 * `gameday: <app>-<env>`.
 *
 * Values of the other Region are deterministic names, except its report bucket, read with `Fn::GetStackOutput`
 * ("It also supports cross-account and cross-region references", CloudFormation Template Reference): this stack
 * deploys only where the other Region's runbook stack exists. On a new environment, enable game days after the
 * first deploy of both Regions (README). Turning game days off leaves this stack in place (the pipeline deletes no
 * stack): delete `<app>-<env>-<region>-gameday` by hand.
 */
export class GameDayStack extends Stack {
  readonly experiments: GameDayExperiments;
  readonly shoppers: SyntheticShopperFleet;
  readonly resilience: ResilienceHubApp;

  constructor(scope: Construct, id: string, props: GameDayStackProps) {
    super(scope, id, props);
    // What this stack reads from the Region's other stacks (subnets, the load balancer, stack ids) is read with
    // Fn::GetStackOutput, never an export: game days can be turned off again without an export still in use blocking
    // the deploy of the data, network or services stack ("Fn::GetStackOutput creates a weak reference",
    // CloudFormation Template Reference). The stage's default (strong) stays for every other stack.
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    const names = gameDayNames(props.appName, props.envName, this.region);
    Tags.of(this).add(names.tag.key, names.tag.value);
    const stacks = stackNames(props.appName, props.envName);
    const cluster = ecsClusterName(props.appName, props.envName);
    const tables = tableNames(props.appName, props.envName);

    this.experiments = new GameDayExperiments(this, 'Experiments', {
      appName: props.appName,
      envName: props.envName,
      peerRegion: props.peerRegion,
      stopConditionAlarm: {
        region: props.peerRegion,
        alarmName: alarmNames(props.appName, props.envName, props.peerRegion).canaryLocal,
      },
      subnets: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets,
      vpcId: props.vpc.vpcId,
      globalTableNames: SHOP_TABLES.map((table) => tables[table]),
      ecsTargets: DATABASE_WRITER_SERVICES.map((service) => ({ cluster, service })),
      failoverDocumentArn: this.formatArn({
        service: 'ssm',
        region: props.peerRegion,
        resource: 'document',
        resourceName: automationDocumentName(props.appName, props.envName, 'failover'),
      }),
      failoverAutomationRoleArn: this.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: runbookAutomationRoleName(props.appName, props.envName, props.peerRegion),
      }),
    });

    this.shoppers = new SyntheticShopperFleet(this, 'Shoppers', {
      appName: props.appName,
      envName: props.envName,
      peerRegion: props.peerRegion,
      peerReportBucketName: Fn.getStackOutput(
        stacks.runbooks(props.peerRegion),
        PEER_REPORT_BUCKET_OUTPUT,
        props.peerRegion,
      ),
      // This Region's runbook stack, read the same weak way (no export to block its deploy).
      ownReportBucketName: Fn.getStackOutput(stacks.runbooks(this.region), PEER_REPORT_BUCKET_OUTPUT),
      publicUrl: props.publicUrl,
      regionalUrl: props.regionalUrl,
      ratePerMinute: props.shopperRatePerMinute,
      vpc: props.internalLoadBalancer ? props.vpc : undefined,
      entry: props.shopperEntry,
    });

    this.resilience = new ResilienceHubApp(this, 'Resilience', {
      appName: props.appName,
      envName: props.envName,
      rtoTargetMinutes: props.rtoTargetMinutes,
      rpoTargetSeconds: props.rpoTargetSeconds,
      stackArns: props.applicationStackArns,
    });
  }
}
