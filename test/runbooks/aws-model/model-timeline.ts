/** Where the model reads the time: a `ManualClock` (runbooks/adapters/local/manual-clock.ts) fits. */
export interface ModelClock {
  now(): Date;
}

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly action: () => void;
}

/**
 * Lazily run transitions: an action scheduled for a simulated time runs at the first request (or {@link runDue})
 * at or after that time, in time order. Long operations therefore progress with the clock, without timers.
 */
export class Timeline {
  private readonly queue: Scheduled[] = [];
  private seq = 0;
  /** While a due action runs: its scheduled time, so that what it records and schedules is dated then. */
  private running?: number;

  constructor(readonly clock: ModelClock) {}

  /** Simulated now, in ms (inside a running action: the time it was scheduled for). */
  now(): number {
    return this.running ?? this.clock.now().getTime();
  }

  /** {@link now} as a Date. */
  date(): Date {
    return new Date(this.now());
  }

  /** Runs `action` once simulated time reaches now + `seconds`. */
  after(seconds: number, action: () => void): void {
    this.queue.push({ at: this.now() + seconds * 1000, seq: this.seq++, action });
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /**
   * Runs every action due by now (actions scheduled by those actions too, when due). Called from inside a running
   * action (e.g. a fault that takes a Region down, which runs the due transitions first), it runs only what was due
   * by that action's time, and the action keeps reading its own time afterwards.
   */
  runDue(): void {
    const outer = this.running;
    const now = outer ?? this.clock.now().getTime();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const due = this.queue.shift()!;
      this.running = due.at;
      try {
        due.action();
      } finally {
        this.running = outer;
      }
    }
  }

  /** Forgets every scheduled action. */
  clear(): void {
    this.queue.length = 0;
  }

  /** Simulated time of the next scheduled action, if any. */
  next(): Date | undefined {
    return this.queue[0] ? new Date(this.queue[0].at) : undefined;
  }
}
