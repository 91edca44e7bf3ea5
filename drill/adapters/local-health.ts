import { checkEndpointsOverHttp } from '../../runbooks/adapters/http-health';
import type { EndpointHealth, HealthPort } from '../../runbooks/ports';
import type { LocalGlobalCluster } from './local-global-database';

/**
 * The drill's HealthPort: real HTTP checks of the services' health URLs; running tasks are the drill's capacity
 * stand-in's counts (the desired count while the service's process runs, none while the Region or its services are
 * down: see LocalServiceCapacity); replication lag is read from the heartbeat on both servers; secrets are always
 * present (the local databases trust every local connection).
 */
export class LocalHealth implements HealthPort {
  /**
   * @param clusters the global databases, to measure replication lag
   * @param runningTasks the running task count of each of a Region's services now
   * @param timeoutMs how long a health URL may take to answer
   */
  constructor(
    private readonly clusters: readonly LocalGlobalCluster[],
    private readonly countRunning: (region: string, services: readonly string[]) => Readonly<Record<string, number>>,
    private readonly timeoutMs = 2000,
  ) {}

  checkEndpoints(urls: readonly string[]): Promise<readonly EndpointHealth[]> {
    return checkEndpointsOverHttp(urls, this.timeoutMs);
  }

  async replicationLagSeconds(region: string, clusterIdentifier: string): Promise<number | undefined> {
    const cluster = this.clusters.find((c) => c.memberIdentifier(region) === clusterIdentifier);
    return cluster?.replicationLagSeconds(region);
  }

  async runningTasks(
    region: string,
    _ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number | undefined>>> {
    return this.countRunning(region, services);
  }

  async secretsPresent(_region: string, secretIds: readonly string[]): Promise<Readonly<Record<string, boolean>>> {
    return Object.fromEntries(secretIds.map((id) => [id, true]));
  }
}
