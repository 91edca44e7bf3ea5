import { Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { UNVERSIONED_COMMIT } from '../.github/actions/rollback/deployed-commit-output';
import type { RoutingMode } from '../config';
import { ARC_CONTROL_PLANE_REGION } from './arc-control-plane-region';
import { DeployedCommit } from './deployed-commit';
import { stackNames } from './naming/stack-names';
import { RoutingStack } from './routing/routing-stack';

/** Properties of a {@link GlobalStage}. */
export interface GlobalStageProps {
  /** Application name, prefix of every stack and resource name. */
  readonly appName: string;
  /** Environment name, part of every stack and resource name. */
  readonly envName: string;
  /** The account to deploy to. */
  readonly account: string;
  /** The Region that takes traffic first. */
  readonly primaryRegion: string;
  /** The Region that takes over. */
  readonly standbyRegion: string;
  /** The shop's public zone. */
  readonly domainName: string;
  /** The shop's name inside the zone. */
  readonly hostName: string;
  /** How traffic is moved between Regions. */
  readonly routingMode: RoutingMode;
  /**
   * The share of the other Region's running tasks the Region switch plan scales each service to (routing mode
   * `region-switch`), in percent.
   *
   * @default 100
   */
  readonly peakSharePercent?: number;
  /**
   * The commit the routing stack runs, stamped on it as `DeployedCommit`: the standby's record and a rollback of
   * the routing stack verify it (review M5).
   *
   * @default UNVERSIONED_COMMIT
   */
  readonly deployedCommit?: string;
}

/**
 * The global routing stage, deployed to the ARC control-plane Region after both regional stages
 * (its records read the regional load balancers' stack outputs).
 */
export class GlobalStage extends Stage {
  /** The routing stack. */
  readonly routing: RoutingStack;

  constructor(scope: Construct, id: string, props: GlobalStageProps) {
    const env = { account: props.account, region: ARC_CONTROL_PLANE_REGION };
    super(scope, id, { env });
    this.routing = new RoutingStack(this, 'Routing', {
      env,
      stackName: stackNames(props.appName, props.envName).routing,
      description: `${props.appName} ${props.envName} global routing (Route 53 ARC and DNS)`,
      appName: props.appName,
      envName: props.envName,
      primaryRegion: props.primaryRegion,
      standbyRegion: props.standbyRegion,
      domainName: props.domainName,
      hostName: props.hostName,
      routingMode: props.routingMode,
      peakSharePercent: props.peakSharePercent,
    });
    new DeployedCommit(this.routing, 'DeployedCommit', { commit: props.deployedCommit ?? UNVERSIONED_COMMIT });
  }
}
