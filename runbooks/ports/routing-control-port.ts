/** The two states of a Route 53 ARC routing control: `On` sends the Region traffic, `Off` takes it away. */
export type RoutingControlState = 'On' | 'Off';

/** One routing control and the state it should have. */
export interface RoutingControlChange {
  /** The routing control as the topology names it: its ARN, or its name in the control panel. */
  readonly control: string;
  /** The state to set. */
  readonly state: RoutingControlState;
}

/** What one ARC cluster endpoint answered when asked for the routing controls it serves. */
export interface RoutingEndpointAnswer {
  /** The endpoint's Region. */
  readonly region: string;
  /** The endpoint URL. */
  readonly endpoint: string;
  /** The routing controls the endpoint listed (`ListRoutingControls`); undefined when it did not answer. */
  readonly controls?: readonly { readonly arn: string; readonly name: string }[];
  /** Why the endpoint did not answer. */
  readonly error?: string;
}

/** The ARC configuration the runbooks hold, and what each cluster endpoint answers. */
export interface RoutingConfiguration {
  /**
   * The ARN the runbooks hold for each control, keyed as given: the control itself when it is an ARN, else the ARN
   * the routing parameter lists for that name; undefined when they hold none.
   */
  readonly held: Readonly<Record<string, string | undefined>>;
  /** Every endpoint the runbooks hold, each asked on its own (not the first that answers). */
  readonly endpoints: readonly RoutingEndpointAnswer[];
}

/**
 * Reads and sets routing controls (the ARC data plane). Controls are identified as in the topology (an ARN, or a
 * name the adapter resolves). A drill implements it over a local front door that sends traffic to the Region whose
 * control is `On`.
 */
export interface RoutingControlPort {
  /** The current state of each control, keyed as given. */
  getStates(controls: readonly string[]): Promise<Readonly<Record<string, RoutingControlState>>>;
  /**
   * Sets several controls in ONE request, so a safety rule ("at least one Region on") judges the final state, never
   * an intermediate one with both Regions off.
   */
  setStates(changes: readonly RoutingControlChange[]): Promise<void>;
  /**
   * Asks EVERY cluster endpoint the runbooks hold for the routing controls it lists, and says which ARN the runbooks
   * hold for each of `controls`: the readiness check that the configuration still matches the cluster. Read-only.
   */
  describeConfiguration(controls: readonly string[]): Promise<RoutingConfiguration>;
}
