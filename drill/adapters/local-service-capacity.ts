import { NonRetriableError } from '../../runbooks/core/errors';
import type { ScalingLimits, ServiceCapacityPort, ServiceCount } from '../../runbooks/ports';
import type { RegionOutages } from './region-outages';

/** One change the drill's capacity stand-in accepted, in the order it came (drill.json `readiness.capacity_changes`). */
export interface CapacityChange {
  /** When it was accepted, ms since the epoch. */
  readonly at: number;
  readonly region: string;
  readonly service: string;
  /** `desired`: setDesiredCount; `minimum`: setScalingMinimum. */
  readonly kind: 'desired' | 'minimum';
  readonly from: number;
  readonly to: number;
}

/** Options of {@link LocalServiceCapacity}. */
export interface LocalServiceCapacityOptions {
  /** The services each Region has (ECS services of its cluster). */
  readonly services: readonly string[];
  /** The services whose process runs in a Region now (none while the Region is down or its services are stopped). */
  readonly runningServices: (region: string) => readonly string[];
  readonly outages: RegionOutages;
  /** Each Region's desired count and autoscaling minimum at the start (the topology's baseline). */
  readonly baseline: (region: string) => number;
  /** Each service's autoscaling maximum (drill-configured: the drill has no Application Auto Scaling). */
  readonly maximum: number;
  /**
   * How long after a desired count rises its new tasks count as running. An ECS task takes tens of seconds to start;
   * the drill keeps the order of events, not their length. @default 250
   */
  readonly taskStartMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The drill's ECS services and their Application Auto Scaling targets, as the capacity port sees them. The drill
 * runs one process per service and Region; the task counts are the drill's own bookkeeping around it: a desired
 * count and an autoscaling minimum per service (both the Region's baseline at the start), and a running count that
 * follows the desired count {@link LocalServiceCapacityOptions.taskStartMs} after it rose, while the service's
 * process runs (0 when it does not). So a failover's scale-up before traffic moves, and a failback's restore, are
 * visible in {@link describe}, {@link scalingMinimums} and {@link changes}, without starting more processes.
 * A Region that is down answers nothing, as the other local adapters.
 */
export class LocalServiceCapacity implements ServiceCapacityPort {
  private readonly desired = new Map<string, number>();
  private readonly minimum = new Map<string, number>();
  /** When each service's desired count last rose, and from what running count. */
  private readonly rising = new Map<string, { readonly at: number; readonly from: number }>();
  private readonly log: CapacityChange[] = [];
  private readonly now: () => number;

  constructor(private readonly options: LocalServiceCapacityOptions) {
    this.now = options.now ?? Date.now;
  }

  async describe(region: string, _cluster: string, services: readonly string[]): Promise<Record<string, ServiceCount>> {
    this.options.outages.requireUp(region, 'ECS');
    return Object.fromEntries(
      services
        .filter((s) => this.options.services.includes(s))
        .map((s) => [s, { desired: this.desiredOf(region, s), running: this.runningOf(region, s) }]),
    );
  }

  async setDesiredCount(region: string, _cluster: string, service: string, count: number): Promise<void> {
    this.options.outages.requireUp(region, 'ECS');
    this.requireService(region, service);
    requireCount('count', count);
    const from = this.desiredOf(region, service);
    if (count === from) return; // accepted, nothing changes (not logged)
    if (count > from) this.rising.set(key(region, service), { at: this.now(), from: this.runningOf(region, service) });
    this.desired.set(key(region, service), count);
    this.log.push({ at: this.now(), region, service, kind: 'desired', from, to: count });
  }

  async setScalingMinimum(region: string, _cluster: string, service: string, minimum: number): Promise<void> {
    this.options.outages.requireUp(region, 'Application Auto Scaling');
    this.requireService(region, service);
    // MinCapacity (https://docs.aws.amazon.com/goto/SdkForRubyV2/application-autoscaling-2016-02-06/ScalableTargetAction):
    // "For certain resources, the minimum value allowed is 0. This includes ... ECS services".
    requireCount('minimum', minimum);
    // The drill refuses a minimum above the maximum, so that a scale-up that forgets the cap shows here; whether
    // RegisterScalableTarget rejects one is unverified (its reference states no such rule).
    if (minimum > this.options.maximum) {
      throw new NonRetriableError(
        `minimum of ${service} in ${region}: ${minimum} is above its maximum ${this.options.maximum}; accepted: 0 to ${this.options.maximum}`,
      );
    }
    const from = this.minimumOf(region, service);
    if (minimum !== from) {
      this.minimum.set(key(region, service), minimum);
      this.log.push({ at: this.now(), region, service, kind: 'minimum', from, to: minimum });
    }
    // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html: "it changes
    // the resource's current capacity to a value that is inside of this range" (the service's process runs: active).
    const desired = this.desiredOf(region, service);
    if (desired < minimum && this.options.runningServices(region).includes(service)) {
      await this.setDesiredCount(region, _cluster, service, minimum);
    }
  }

  async scalingMinimums(
    region: string,
    _cluster: string,
    services: readonly string[],
  ): Promise<Record<string, number>> {
    this.options.outages.requireUp(region, 'Application Auto Scaling');
    return Object.fromEntries(
      services.filter((s) => this.options.services.includes(s)).map((s) => [s, this.minimumOf(region, s)]),
    );
  }

  /** Each service's autoscaling range in `region` (the readiness facts' `scalingLimits`). */
  scalingLimits(region: string, services: readonly string[]): Record<string, ScalingLimits> {
    this.options.outages.requireUp(region, 'Application Auto Scaling');
    return Object.fromEntries(
      services
        .filter((s) => this.options.services.includes(s))
        .map((s) => [s, { min: this.minimumOf(region, s), max: this.options.maximum }]),
    );
  }

  /** Running task counts in `region` (the drill's HealthPort answers `runningTasks` with them). */
  runningTasks(region: string, services: readonly string[]): Record<string, number> {
    return Object.fromEntries(services.map((s) => [s, this.runningOf(region, s)]));
  }

  /** Every change accepted so far, oldest first (a count set to what it was is not a change). */
  changes(): readonly CapacityChange[] {
    return [...this.log];
  }

  private desiredOf(region: string, service: string): number {
    return this.desired.get(key(region, service)) ?? this.options.baseline(region);
  }

  private minimumOf(region: string, service: string): number {
    return this.minimum.get(key(region, service)) ?? this.options.baseline(region);
  }

  private runningOf(region: string, service: string): number {
    if (!this.options.runningServices(region).includes(service)) return 0;
    const desired = this.desiredOf(region, service);
    const rose = this.rising.get(key(region, service));
    if (rose && this.now() - rose.at < (this.options.taskStartMs ?? 250)) return Math.min(desired, rose.from);
    return desired;
  }

  private requireService(region: string, service: string): void {
    if (!this.options.services.includes(service)) {
      throw new NonRetriableError(
        `service ${service} does not exist in ${region}; accepted: ${this.options.services.join(', ')}`,
      );
    }
  }
}

const key = (region: string, service: string) => `${region}/${service}`;

function requireCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new NonRetriableError(`${field}: ${value} is not accepted; accepted: an integer of at least 0`);
  }
}
