import { NonRetriableError } from '../../core/errors';
import type {
  AlarmFacts,
  ClusterFacts,
  ReadinessFactsPort,
  ScalingLimits,
  SecretReplication,
  ServiceFacts,
  VcpuQuota,
} from '../../ports';

const notYet = (method: string) => new NonRetriableError(`readiness facts: ${method} is not implemented yet`);

/** What readiness and parity checks read about the simulated world (the CLI's `--adapter local`). */
export class SimulatedReadinessFacts implements ReadinessFactsPort {
  async services(): Promise<Readonly<Record<string, ServiceFacts>>> {
    throw notYet('services');
  }
  async clusters(): Promise<Readonly<Record<string, ClusterFacts>>> {
    throw notYet('clusters');
  }
  async alarms(): Promise<Readonly<Record<string, AlarmFacts>>> {
    throw notYet('alarms');
  }
  async peakRunningTasks(): Promise<Readonly<Record<string, number | undefined>>> {
    throw notYet('peakRunningTasks');
  }
  async scalingLimits(): Promise<Readonly<Record<string, ScalingLimits>>> {
    throw notYet('scalingLimits');
  }
  async fargateVcpuQuota(): Promise<VcpuQuota> {
    throw notYet('fargateVcpuQuota');
  }
  async tableReplicationLatencySeconds(): Promise<number | undefined> {
    throw notYet('tableReplicationLatencySeconds');
  }
  async secretReplication(): Promise<Readonly<Record<string, SecretReplication>>> {
    throw notYet('secretReplication');
  }
}
