import { NonRetriableError } from '../../runbooks/core/errors';
import type { ServiceCapacityPort, ServiceCount } from '../../runbooks/ports';

/**
 * The drill's services as the capacity port sees them: each running service counts one task. The drill's topology
 * names no writer services, so the failover neither fences nor restores anything here (the crashed Region's
 * services are stopped by the fault itself); scaling is refused with a message saying so.
 */
export class LocalServiceCapacity implements ServiceCapacityPort {
  constructor(private readonly runningServices: (region: string) => readonly string[]) {}

  async describe(region: string, _cluster: string, services: readonly string[]): Promise<Record<string, ServiceCount>> {
    const running = new Set(this.runningServices(region));
    return Object.fromEntries(
      services.map((s) => [s, running.has(s) ? { desired: 1, running: 1 } : { desired: 0, running: 0 }]),
    );
  }

  async setDesiredCount(region: string, _cluster: string, service: string, count: number): Promise<void> {
    throw new NonRetriableError(
      `the drill does not scale services (asked to set ${service} in ${region} to ${count}); its Region faults stop and start them`,
    );
  }

  async setScalingMinimum(region: string, _cluster: string, service: string, minimum: number): Promise<void> {
    throw new NonRetriableError(
      `the drill does not scale services (asked to set the minimum of ${service} in ${region} to ${minimum}); its Region faults stop and start them`,
    );
  }

  async scalingMinimums(): Promise<Record<string, number>> {
    return {};
  }
}
