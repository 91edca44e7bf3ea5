import { NonRetriableError } from '../../runbooks/core/errors';
import type {
  RoutingConfiguration,
  RoutingControlChange,
  RoutingControlPort,
  RoutingControlState,
} from '../../runbooks/ports';

/** One routing control of the drill: the control's identifier (as the topology names it) and its Region. */
export interface LocalRoutingControlSpec {
  readonly control: string;
  readonly region: string;
  readonly initialState: RoutingControlState;
}

/**
 * The drill's Route 53 ARC data plane: routing-control states held in memory, changed only through
 * {@link setStates}, with the control panel's assertion safety rule "at least one Region on" — a change that would
 * leave every control Off is rejected as a whole, as ARC rejects it. The front door reads {@link activeRegion} for
 * every request, which is what DNS answers with the routing controls' health checks.
 */
export class LocalRoutingControl implements RoutingControlPort {
  private readonly states = new Map<string, RoutingControlState>();
  private readonly regionOf = new Map<string, string>();

  /**
   * @param controls every control, in the order DNS prefers their Regions when more than one is On (primary first)
   * @param onChange receives every accepted change (for the drill's timeline)
   */
  constructor(
    controls: readonly LocalRoutingControlSpec[],
    private readonly onChange?: (states: Readonly<Record<string, RoutingControlState>>) => void,
  ) {
    if (!controls.some((c) => c.initialState === 'On')) {
      throw new Error('controls: every initial state is Off; accepted: at least one control On (the safety rule)');
    }
    for (const c of controls) {
      this.states.set(c.control, c.initialState);
      this.regionOf.set(c.control, c.region);
    }
  }

  async getStates(controls: readonly string[]): Promise<Readonly<Record<string, RoutingControlState>>> {
    const result: Record<string, RoutingControlState> = {};
    for (const control of controls) result[control] = this.stateOf(control);
    return result;
  }

  async setStates(changes: readonly RoutingControlChange[]): Promise<void> {
    const next = new Map(this.states);
    for (const change of changes) {
      this.stateOf(change.control);
      next.set(change.control, change.state);
    }
    if (![...next.values()].includes('On')) {
      throw new NonRetriableError(
        `the safety rule "at least one Region on" rejects this change (${changes
          .map((c) => `${this.regionOf.get(c.control)} ${c.state}`)
          .join(', ')} would leave every routing control Off)`,
      );
    }
    for (const [control, state] of next) this.states.set(control, state);
    this.onChange?.(this.byRegion());
  }

  /**
   * The drill's one in-process data plane stands for every cluster endpoint: it lists each control it holds under the
   * identifier the topology gives it (the drill has no separate ARN).
   */
  async describeConfiguration(controls: readonly string[]): Promise<RoutingConfiguration> {
    return {
      held: Object.fromEntries(controls.map((c) => [c, this.states.has(c) ? c : undefined])),
      endpoints: [
        {
          region: 'local',
          endpoint: 'drill routing controls (in process)',
          controls: [...this.states.keys()].map((c) => ({ arn: c, name: c })),
        },
      ],
    };
  }

  /** The Region that takes traffic: the first Region whose control is On. */
  activeRegion(): string {
    for (const [control, state] of this.states) if (state === 'On') return this.regionOf.get(control)!;
    // Unreachable while the safety rule holds; kept explicit for the type checker.
    throw new Error('no routing control is On');
  }

  /** Every control's state, by Region. */
  byRegion(): Readonly<Record<string, RoutingControlState>> {
    return Object.fromEntries([...this.states].map(([control, state]) => [this.regionOf.get(control)!, state]));
  }

  private stateOf(control: string): RoutingControlState {
    const state = this.states.get(control);
    if (!state) {
      throw new NonRetriableError(
        `routing control ${control} does not exist; accepted: ${[...this.states.keys()].join(', ')}`,
      );
    }
    return state;
  }
}
