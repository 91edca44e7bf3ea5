import { checkEndpointsOverHttp } from '../../runbooks/adapters/http-health';
import type { EndpointHealth, HealthPort } from '../../runbooks/ports';
import type { LocalGlobalCluster } from './local-global-database';

/**
 * The drill's HealthPort: real HTTP checks of the services' health URLs; running "tasks" are the services the drill
 * runs in each Region (one instance each, or none while the Region is down); replication lag is read from the
 * heartbeat on both servers; secrets are always present (the local databases trust every local connection).
 */
export class LocalHealth implements HealthPort {
  /**
   * @param clusters the global databases, to measure replication lag
   * @param runningServices the services running in a Region now
   * @param timeoutMs how long a health URL may take to answer
   */
  constructor(
    private readonly clusters: readonly LocalGlobalCluster[],
    private readonly runningServices: (region: string) => readonly string[],
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
    const running = this.runningServices(region);
    return Object.fromEntries(services.map((s) => [s, running.includes(s) ? 1 : 0]));
  }

  async secretsPresent(_region: string, secretIds: readonly string[]): Promise<Readonly<Record<string, boolean>>> {
    return Object.fromEntries(secretIds.map((id) => [id, true]));
  }
}
