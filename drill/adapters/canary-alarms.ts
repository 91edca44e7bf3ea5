import type { AlarmFacts } from '../../runbooks/ports';

/** The state of one Region's canary alarm. */
interface AlarmState {
  readonly state: AlarmFacts['state'];
  readonly since: Date;
}

/**
 * The drill's canary alarms, one per Region: the alarm of the Region's *global* canary (on AWS it runs in that
 * Region against the shop's global name, `alarmNames(...).canaryGlobal`). The drill runs one journey canary through
 * the front door, so every run is a data point for each Region that is up: a passed run makes the alarm `OK`, a
 * failed one `ALARM`. Before any run an alarm is `INSUFFICIENT_DATA`. `since` changes only when the state does, as
 * CloudWatch's `StateTransitionedTimestamp`. A Region that failed starts over when it is back: `INSUFFICIENT_DATA` from
 * then until the next run (its canary did not run while it was down). Readers ask through the readiness facts, which
 * answer nothing for a Region that is down.
 */
export class CanaryAlarms {
  private readonly states = new Map<string, AlarmState>();

  /**
   * @param regions both Regions
   * @param alarmName the name of a Region's canary alarm
   * @param isUp whether a Region is up (its canary runs)
   * @param now the clock
   */
  constructor(
    private readonly regions: readonly string[],
    readonly alarmName: (region: string) => string,
    private readonly isUp: (region: string) => boolean,
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const region of regions) this.states.set(region, { state: 'INSUFFICIENT_DATA', since: this.now() });
  }

  /** A canary run finished: a data point for every Region that is up. */
  recordRun(passed: boolean, at: Date = this.now()): void {
    for (const region of this.regions.filter((r) => this.isUp(r))) this.set(region, passed ? 'OK' : 'ALARM', at);
  }

  /** `region` is back after a failure: its alarm has had no data since it went down. */
  regionBack(region: string): void {
    this.states.set(region, { state: 'INSUFFICIENT_DATA', since: this.now() });
  }

  /** The alarms of `region` among `names`, as DescribeAlarms answers (unknown names are left out). */
  alarmsOf(region: string, names: readonly string[]): Record<string, AlarmFacts> {
    const name = this.alarmName(region);
    const state = this.states.get(region);
    if (!state || !names.includes(name)) return {};
    return { [name]: { name, state: state.state, since: state.since } };
  }

  private set(region: string, state: AlarmFacts['state'], at: Date): void {
    if (this.states.get(region)?.state !== state) this.states.set(region, { state, since: at });
  }
}
