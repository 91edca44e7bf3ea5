/** Time, behind a port so that waits in tests take no time. */
export interface ClockPort {
  now(): Date;
  sleep(ms: number): Promise<void>;
}
