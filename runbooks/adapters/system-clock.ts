import { setTimeout as delay } from 'node:timers/promises';
import type { ClockPort } from '../ports';

/** The real clock. */
export class SystemClock implements ClockPort {
  now(): Date {
    return new Date();
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) await delay(ms);
  }
}
