import * as route53 from 'aws-cdk-lib/aws-route53';
import * as arc from 'aws-cdk-lib/aws-route53recoverycontrol';
import { Construct } from 'constructs';
import type { RoutingNames } from '../naming/routing-names';
import type { ArcRoutingParameter } from './arc-routing-parameter';

/** Properties of {@link ArcRoutingControls}. */
export interface ArcRoutingControlsProps {
  /** Deterministic names of the routing resources. */
  readonly names: RoutingNames;
  /** The Regions traffic can be routed to, primary first. */
  readonly regions: readonly string[];
  /**
   * How long the safety rule waits before it evaluates a change, in milliseconds.
   *
   * @default 5000
   */
  readonly safetyRuleWaitPeriodMs?: number;
}

/**
 * Route 53 Application Recovery Controller: a cluster, a control panel, one routing control per Region, an
 * assertion safety rule that keeps at least one Region on, and one RECOVERY_CONTROL health check per Region that
 * mirrors its routing control into DNS. {@link ArcRoutingParameter} hands the cluster's five data-plane endpoints
 * and the control ARNs to the runbooks of both Regions.
 */
export class ArcRoutingControls extends Construct {
  /** The ARC cluster (about $2.5 per hour). */
  readonly cluster: arc.CfnCluster;
  /** The control panel holding the routing controls. */
  readonly controlPanel: arc.CfnControlPanel;
  /** The routing control of each Region. */
  readonly routingControls: Readonly<Record<string, arc.CfnRoutingControl>>;
  /** The assertion rule: at least one routing control on. */
  readonly safetyRule: arc.CfnSafetyRule;
  /** The health check of each Region: healthy exactly when its routing control is on. */
  readonly healthChecks: Readonly<Record<string, route53.HealthCheck>>;

  constructor(scope: Construct, id: string, props: ArcRoutingControlsProps) {
    super(scope, id);
    const { names } = props;
    this.cluster = new arc.CfnCluster(this, 'Cluster', { name: names.cluster });
    this.controlPanel = new arc.CfnControlPanel(this, 'ControlPanel', {
      name: names.controlPanel,
      clusterArn: this.cluster.attrClusterArn,
    });

    const routingControls: Record<string, arc.CfnRoutingControl> = {};
    const healthChecks: Record<string, route53.HealthCheck> = {};
    for (const region of props.regions) {
      const control = new arc.CfnRoutingControl(this, `RoutingControl-${region}`, {
        name: names.routingControl(region),
        clusterArn: this.cluster.attrClusterArn,
        controlPanelArn: this.controlPanel.attrControlPanelArn,
      });
      routingControls[region] = control;
      healthChecks[region] = new route53.HealthCheck(this, `HealthCheck-${region}`, {
        type: route53.HealthCheckType.RECOVERY_CONTROL,
        routingControl: control.attrRoutingControlArn,
      });
    }
    this.routingControls = routingControls;
    this.healthChecks = healthChecks;

    this.safetyRule = new arc.CfnSafetyRule(this, 'AtLeastOneRegion', {
      name: names.safetyRule,
      controlPanelArn: this.controlPanel.attrControlPanelArn,
      ruleConfig: { type: 'ATLEAST', threshold: 1, inverted: false },
      assertionRule: {
        assertedControls: props.regions.map((region) => routingControls[region].attrRoutingControlArn),
        waitPeriodMs: props.safetyRuleWaitPeriodMs ?? 5000,
      },
    });
  }
}
