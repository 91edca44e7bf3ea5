import type { SeededRandom } from './seeded-random';
import {
  type AcknowledgedOrder,
  type JourneyOutcome,
  newShopper,
  runShopperJourney,
  type ShopperRequest,
} from './shopper-journey';

/** Options of {@link TrafficGenerator}. */
export interface TrafficGeneratorOptions {
  /** The shop's single address (the front door). */
  readonly baseUrl: string;
  /** Journeys started per second; each journey places at most one order. */
  readonly ordersPerSecond: number;
  readonly random: SeededRandom;
  /** Most journeys in flight at once; a tick that finds this many skips its start. @default 3 × rate, at least 4 */
  readonly maxInFlight?: number;
  /** Deadline of each request, in milliseconds. @default 10000 */
  readonly requestTimeoutMs?: number;
}

/**
 * Shopper journeys at a fixed rate (open loop: a new journey every 1/rate seconds, whatever happened to the
 * previous ones, up to {@link TrafficGeneratorOptions.maxInFlight}), recording every request and every order the
 * shop acknowledged. It can pause, and resume with a number of permits: then it starts journeys only while
 * permits last, a journey that ends without an acknowledged order gives its permit back, so exactly that many
 * orders get acknowledged.
 */
export class TrafficGenerator {
  /** Every request made, in the order the answers came. */
  readonly requests: ShopperRequest[] = [];
  /** Every acknowledged order, in the order the acknowledgments came. */
  readonly orders: AcknowledgedOrder[] = [];
  /** Every finished journey. */
  readonly journeys: JourneyOutcome[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private paused = true;
  private permits: number | undefined;
  private skipped = 0;
  private readonly intervalMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: TrafficGeneratorOptions) {
    this.intervalMs = 1000 / options.ordersPerSecond;
    this.maxInFlight = options.maxInFlight ?? Math.max(4, Math.ceil(options.ordersPerSecond * 3));
  }

  /** Ticks that found {@link TrafficGeneratorOptions.maxInFlight} journeys running and started none. */
  get skippedTicks(): number {
    return this.skipped;
  }

  /** Journeys running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /** Journeys whose "Place order" got no acknowledgment: such an order may exist without the shopper knowing. */
  get unacknowledgedSubmits(): number {
    return this.journeys.filter((j) => j.unacknowledgedSubmit).length;
  }

  /**
   * Starts (or resumes) journeys. With `permits`, at most that many more orders will be acknowledged; without,
   * journeys run until {@link pause}.
   */
  resume(permits?: number): void {
    this.permits = permits;
    this.paused = false;
    if (this.timer) return;
    let next = Date.now();
    const tick = () => {
      next += this.intervalMs;
      this.tick();
      if (this.timer) this.timer = setTimeout(tick, Math.max(0, next - Date.now()));
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Starts no new journey; those in flight finish. */
  pause(): void {
    this.paused = true;
  }

  /** Resolves when no journey is in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Pauses, waits for the journeys in flight, and stops the clock. */
  async stop(): Promise<void> {
    this.pause();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain();
  }

  /** Resolves when `done()` holds, checking every 25 ms; rejects after `timeoutMs` naming `what`. */
  async waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private tick(): void {
    if (this.paused) return;
    if (this.permits !== undefined && this.permits <= 0) return;
    if (this.inFlight.size >= this.maxInFlight) {
      this.skipped++;
      return;
    }
    const limited = this.permits !== undefined;
    if (limited) this.permits! -= 1;
    const shopper = newShopper(this.options.random);
    const journey = runShopperJourney(this.options.baseUrl, shopper, {
      timeoutMs: this.options.requestTimeoutMs ?? 10_000,
      onRequest: (request) => this.requests.push(request),
    }).then((outcome) => {
      this.journeys.push(outcome);
      if (outcome.order) this.orders.push(outcome.order);
      else if (limited && this.permits !== undefined) this.permits += 1;
    });
    this.inFlight.add(journey);
    void journey.finally(() => this.inFlight.delete(journey));
  }
}
