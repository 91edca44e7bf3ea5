import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { RoutingMode } from '../../config';
import { databaseNames, SHOP_DATABASES } from '../naming/database-names';
import { routingNames } from '../naming/routing-names';
import { regionSwitchRecoverFunctionName } from '../naming/runbook-names';
import { ecsClusterName } from '../naming/service-names';
import { stackNames } from '../naming/stack-names';
import { SERVICES_STACK_OUTPUTS } from '../services/services-stack';
import { SHOP_SERVICES } from '../services/shop-services';
import { ArcRoutingControls } from './arc-routing-controls';
import { ArcRoutingParameter } from './arc-routing-parameter';
import { FailoverRecords, type RegionalEndpoint } from './failover-records';
import { RegionSwitchPlan } from './region-switch-plan';
import { RegionSwitchPlanParameter } from './region-switch-plan-parameter';

/** Properties of a {@link RoutingStack}. */
export interface RoutingStackProps extends StackProps {
  /** Application name, part of resource names. */
  readonly appName: string;
  /** Environment name, part of resource names. */
  readonly envName: string;
  /** The Region that takes traffic first. */
  readonly primaryRegion: string;
  /** The Region that takes over. */
  readonly standbyRegion: string;
  /** The public hosted zone this stack creates, e.g. `shop.example.com`. */
  readonly domainName: string;
  /** The shop's name inside the zone, e.g. `www`. */
  readonly hostName: string;
  /** ARC routing controls and a safety rule (`arc-cluster`), or an ARC Region switch plan (`region-switch`). */
  readonly routingMode: RoutingMode;
  /**
   * The share of the other Region's running tasks the Region switch plan scales each service to in the Region it
   * activates, in percent (config `readiness.peakSharePercent`; routing mode `region-switch` only).
   *
   * @default 100
   */
  readonly peakSharePercent?: number;
}

/**
 * Global routing: the shop's public hosted zone, failover records pointing at each Region's load balancer,
 * and what moves traffic between them (ARC routing controls, or a Region switch plan).
 *
 * The load balancers live in the regional stages, which deploy before this stack; a CDK reference cannot cross
 * stages, so this stack reads their DNS names with `Fn::GetStackOutput` from the deterministically named services
 * stacks (no custom resource, no SSM copy). The hosted zone is created here (delegate it from the parent zone
 * once, using the `NameServers` output); an existing zone could be used instead by importing it by id.
 */
export class RoutingStack extends Stack {
  /** The shop's public hosted zone. */
  readonly zone: route53.PublicHostedZone;
  /** The ARC routing controls (routing mode `arc-cluster`). */
  readonly arc?: ArcRoutingControls;
  /** The SSM parameter in each workload Region with the cluster endpoints and control ARNs (`arc-cluster`). */
  readonly arcParameter?: ArcRoutingParameter;
  /** The Region switch plan (routing mode `region-switch`). */
  readonly regionSwitch?: RegionSwitchPlan;
  /** The SSM parameter in each workload Region with the plan's ARN (`region-switch`). */
  readonly regionSwitchParameter?: RegionSwitchPlanParameter;
  /** The failover records. */
  readonly records: FailoverRecords;

  constructor(scope: Construct, id: string, props: RoutingStackProps) {
    super(scope, id, props);
    const names = routingNames(props.appName, props.envName);
    const stacks = stackNames(props.appName, props.envName);
    const regions = [props.primaryRegion, props.standbyRegion];

    this.zone = new route53.PublicHostedZone(this, 'Zone', {
      zoneName: props.domainName,
      comment: `${props.appName} ${props.envName}: the shop's public name`,
    });

    if (props.routingMode === 'arc-cluster') {
      this.arc = new ArcRoutingControls(this, 'Arc', { names, regions });
      this.arcParameter = new ArcRoutingParameter(this, 'ArcRoutingParameter', {
        arc: this.arc,
        parameterName: names.routingParameter,
        regions,
      });
    } else {
      const dbNames = databaseNames(props.appName, props.envName);
      this.regionSwitch = new RegionSwitchPlan(this, 'RegionSwitch', {
        planName: names.regionSwitchPlan,
        primaryRegion: props.primaryRegion,
        standbyRegion: props.standbyRegion,
        databases: SHOP_DATABASES.map((db) => dbNames[db]),
        hostedZoneId: this.zone.hostedZoneId,
        recordName: `${props.hostName}.${props.domainName}`,
        ecsClusterName: ecsClusterName(props.appName, props.envName),
        services: [...SHOP_SERVICES],
        targetPercent: props.peakSharePercent ?? 100,
        recoverFunctionName: regionSwitchRecoverFunctionName(props.appName, props.envName),
      });
      this.regionSwitchParameter = new RegionSwitchPlanParameter(this, 'RegionSwitchPlanParameter', {
        plan: this.regionSwitch,
        parameterName: names.regionSwitchPlanParameter,
        regions,
      });
    }

    const endpoint = (region: string): RegionalEndpoint => ({
      region,
      dnsName: Fn.getStackOutput(stacks.services(region), SERVICES_STACK_OUTPUTS.loadBalancerDnsName, region),
      hostedZoneId: Fn.getStackOutput(stacks.services(region), SERVICES_STACK_OUTPUTS.loadBalancerHostedZoneId, region),
      healthCheck: this.arc?.healthChecks[region],
    });
    this.records = new FailoverRecords(this, 'Records', {
      zone: this.zone,
      recordName: props.hostName,
      primary: endpoint(props.primaryRegion),
      standby: endpoint(props.standbyRegion),
    });

    new CfnOutput(this, 'NameServers', {
      value: Fn.join(',', this.zone.hostedZoneNameServers ?? []),
      description: `Delegate ${props.domainName} to these name servers in its parent zone`,
    });
    if (this.arc) {
      new CfnOutput(this, 'ClusterArn', { value: this.arc.cluster.attrClusterArn });
      for (const region of regions) {
        new CfnOutput(this, `RoutingControlArn${region.replace(/-/g, '')}`, {
          value: this.arc.routingControls[region].attrRoutingControlArn,
          description: `Routing control of ${region}`,
        });
      }
    }
    if (this.regionSwitch) {
      new CfnOutput(this, 'RegionSwitchPlanArn', { value: this.regionSwitch.plan.attrArn });
    }
  }
}
