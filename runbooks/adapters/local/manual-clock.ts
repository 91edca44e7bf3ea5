import type { ClockPort } from '../../ports';

/** A clock that only moves when told to: `sleep` advances it at once, so waits in tests and demos take no time. */
export class ManualClock implements ClockPort {
  private current: number;

  constructor(start: Date | string = '2026-01-27T10:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  async sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
    // Yield, so a wait loop never starves other promises.
    await Promise.resolve();
  }

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.current += ms;
  }
}
