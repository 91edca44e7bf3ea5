/** The two states of a Route 53 ARC routing control: `On` sends the Region traffic, `Off` takes it away. */
export type RoutingControlState = 'On' | 'Off';

/** One routing control and the state it should have. */
export interface RoutingControlChange {
  /** The routing control as the topology names it: its ARN, or its name in the control panel. */
  readonly control: string;
  /** The state to set. */
  readonly state: RoutingControlState;
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
}
