import {
  ConflictException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-route53-recovery-cluster';
import { type SdkExceptionClass, serviceError, unmodelledError } from './aws-errors';
import type { AwsModelBehaviours } from './model-options';

/** One of the ARC cluster's Regional endpoints. */
export interface ArcClusterEndpoint {
  readonly region: string;
  /** e.g. `https://host-0a1b2c.route53-recovery-cluster.us-east-1.amazonaws.com/v1`. */
  readonly endpoint: string;
}

/** A routing control. */
export interface ArcRoutingControl {
  readonly arn: string;
  readonly name: string;
  readonly controlPanelArn: string;
  readonly controlPanelName: string;
  state: 'On' | 'Off';
}

/** An assertion safety rule: at least `threshold` of the asserted controls On (`ATLEAST`, not inverted). */
export interface ArcAssertionRule {
  readonly arn: string;
  readonly name: string;
  readonly assertedControls: readonly string[];
  readonly threshold: number;
}

type Input = Readonly<Record<string, unknown>>;

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The SDK does not export the pinned control-config client's exception class under the data-plane name. */
const controlPlaneNotFound = (message: string) =>
  unmodelledError('ResourceNotFoundException', message, { httpStatusCode: 404 });

/**
 * A Route 53 ARC cluster: five Regional endpoints (the data plane), a control panel, routing controls and an
 * assertion safety rule; plus the control-plane reads (us-west-2 only) that exist here so tests can assert that a
 * failover never needs them.
 *
 * "ARC ensures that at least three out of the five Regional cluster endpoints are always accessible"
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html): each endpoint is reachable
 * or not independently (and never when its Region is unreachable).
 */
export class ArcModel {
  readonly controls = new Map<string, ArcRoutingControl>();
  readonly rules: ArcAssertionRule[] = [];
  /** Endpoints marked unreachable on their own. */
  readonly endpointsDown = new Set<string>();

  constructor(
    readonly clusterArn: string,
    readonly clusterName: string,
    readonly endpoints: readonly ArcClusterEndpoint[],
    private readonly behaviours: AwsModelBehaviours,
  ) {}

  /** Adds a routing control. */
  addControl(control: ArcRoutingControl): void {
    this.controls.set(control.arn, control);
  }

  /** Adds an `ATLEAST` assertion rule. */
  addAssertionRule(rule: ArcAssertionRule): void {
    this.rules.push(rule);
  }

  /** The state of each control, by name. */
  statesByName(): Record<string, 'On' | 'Off'> {
    return Object.fromEntries([...this.controls.values()].map((c) => [c.name, c.state]));
  }

  /** The cluster endpoint a client's configured URL designates, if any. */
  endpointAt(url: string): ArcClusterEndpoint | undefined {
    const normal = (u: string) => u.replace(/\/+$/, '');
    return this.endpoints.find((e) => normal(e.endpoint) === normal(url));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Data plane (route53-recovery-cluster)

  /** GetRoutingControlState; an unknown ARN is ResourceNotFoundException (API_GetRoutingControlState, Errors). */
  getRoutingControlState(input: Input): unknown {
    const control = this.control(str(input.RoutingControlArn) ?? '');
    return {
      RoutingControlArn: control.arn,
      RoutingControlState: control.state,
      RoutingControlName: control.name,
    };
  }

  /**
   * UpdateRoutingControlStates: "Set multiple routing control states". An assertion rule judges the state "after
   * the transaction completes" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-route53recoverycontrol-safetyrule.html),
   * so all entries apply together or none does. A blocked update fails and "the error message includes the ARN of
   * the rule that blocked the update" (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.override-safety-rule.html);
   * its error code is {@link AwsModelBehaviours.safetyRuleError} (UNVERIFIED). `SafetyRulesToOverride` skips rules.
   */
  updateRoutingControlStates(input: Input): unknown {
    const entries = Array.isArray(input.UpdateRoutingControlStateEntries)
      ? (input.UpdateRoutingControlStateEntries as { RoutingControlArn?: string; RoutingControlState?: string }[])
      : [];
    return this.apply(
      entries.map((e) => ({ arn: e.RoutingControlArn ?? '', state: e.RoutingControlState ?? '' })),
      input.SafetyRulesToOverride,
    );
  }

  /** UpdateRoutingControlState: one control, same rules as {@link updateRoutingControlStates}. */
  updateRoutingControlState(input: Input): unknown {
    return this.apply(
      [{ arn: str(input.RoutingControlArn) ?? '', state: str(input.RoutingControlState) ?? '' }],
      input.SafetyRulesToOverride,
    );
  }

  /**
   * ListRoutingControls on the data plane: "If you specify a control panel ARN, this call lists the routing controls
   * in the control panel. Otherwise, it lists all the routing controls in the cluster"; MaxResults "The default value
   * is 500" (API_ListRoutingControls of route53-recovery-cluster).
   */
  listRoutingControls(input: Input): unknown {
    const panel = str(input.ControlPanelArn);
    const all = [...this.controls.values()].filter((c) => panel === undefined || c.controlPanelArn === panel);
    const size = typeof input.MaxResults === 'number' ? input.MaxResults : 500;
    const start = Number(str(input.NextToken) ?? '0');
    return {
      RoutingControls: all.slice(start, start + size).map((c) => ({
        ControlPanelArn: c.controlPanelArn,
        ControlPanelName: c.controlPanelName,
        RoutingControlArn: c.arn,
        RoutingControlName: c.name,
        RoutingControlState: c.state,
        Owner: this.clusterArn.split(':')[4],
      })),
      ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Control plane (route53-recovery-control-config, us-west-2)

  /** DescribeCluster: the cluster with its `ClusterEndpoints`. */
  describeCluster(input: Input): unknown {
    if (input.ClusterArn !== this.clusterArn)
      throw controlPlaneNotFound(`cluster ${String(input.ClusterArn)} not found`);
    return { Cluster: this.clusterView() };
  }

  /** ListClusters: the one cluster. */
  listClusters(): unknown {
    return { Clusters: [this.clusterView()] };
  }

  /** ListControlPanels of the cluster. */
  listControlPanels(): unknown {
    const panels = new Map<string, string>();
    for (const c of this.controls.values()) panels.set(c.controlPanelArn, c.controlPanelName);
    return {
      ControlPanels: [...panels].map(([ControlPanelArn, Name]) => ({
        ControlPanelArn,
        Name,
        ClusterArn: this.clusterArn,
        Status: 'DEPLOYED',
        DefaultControlPanel: false,
        RoutingControlCount: [...this.controls.values()].filter((c) => c.controlPanelArn === ControlPanelArn).length,
      })),
    };
  }

  /** ListRoutingControls on the control plane (names and ARNs, no states). */
  listControlPlaneRoutingControls(input: Input): unknown {
    return {
      RoutingControls: [...this.controls.values()]
        .filter((c) => c.controlPanelArn === input.ControlPanelArn)
        .map((c) => ({
          ControlPanelArn: c.controlPanelArn,
          Name: c.name,
          RoutingControlArn: c.arn,
          Status: 'DEPLOYED',
        })),
    };
  }

  // ---------------------------------------------------------------------------------------------------------------

  private clusterView() {
    return {
      ClusterArn: this.clusterArn,
      Name: this.clusterName,
      Status: 'DEPLOYED',
      ClusterEndpoints: this.endpoints.map((e) => ({ Endpoint: e.endpoint, Region: e.region })),
    };
  }

  private control(arn: string): ArcRoutingControl {
    const control = this.controls.get(arn);
    if (!control) throw serviceError(ResourceNotFoundException, `routing control ${arn} not found`, 404);
    return control;
  }

  private apply(entries: readonly { arn: string; state: string }[], overrides: unknown): unknown {
    const next = new Map<string, 'On' | 'Off'>();
    for (const e of entries) {
      this.control(e.arn);
      if (e.state !== 'On' && e.state !== 'Off') {
        throw serviceError(ValidationException, `RoutingControlState ${e.state} is not On or Off`);
      }
      next.set(e.arn, e.state);
    }
    const skipped = new Set(Array.isArray(overrides) ? (overrides as string[]) : []);
    for (const rule of this.rules) {
      if (skipped.has(rule.arn)) continue;
      const on = rule.assertedControls.filter((arn) => (next.get(arn) ?? this.controls.get(arn)?.state) === 'On');
      if (on.length < rule.threshold) {
        const type: SdkExceptionClass =
          this.behaviours.safetyRuleError === 'ConflictException' ? ConflictException : ValidationException;
        throw serviceError(
          type,
          `Routing control state update blocked by safety rule ${rule.arn} (${rule.name}): at least ${rule.threshold} of ${rule.assertedControls.length} routing controls must be On`,
          type === ConflictException ? 409 : 400,
        );
      }
    }
    for (const [arn, state] of next) this.controls.get(arn)!.state = state;
    return {};
  }
}
