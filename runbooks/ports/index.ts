import type { ClockPort } from './clock-port';
import type { CredentialsPort } from './credentials-port';
import type { GlobalDatabasePort } from './global-database-port';
import type { HealthPort } from './health-port';
import type { JournalPort } from './journal-port';
import type { ReadinessFactsPort } from './readiness-facts-port';
import type { ReconcilerPort } from './reconciler-port';
import type { RegionSwitchPort } from './region-switch-port';
import type { ReportSinkPort } from './report-sink-port';
import type { RoutingControlPort } from './routing-control-port';
import type { ServiceCapacityPort } from './service-capacity-port';
import type { SnapshotPort } from './snapshot-port';

export * from './clock-port';
export * from './credentials-port';
export * from './global-database-port';
export * from './health-port';
export * from './journal-port';
export * from './readiness-facts-port';
export * from './reconciler-port';
export * from './region-switch-port';
export * from './report-sink-port';
export * from './routing-control-port';
export * from './service-capacity-port';
export * from './snapshot-port';

/** Every side effect an orchestration may have, each behind a port with an AWS and a local implementation. */
export interface RunbookPorts {
  /** Routing mode `arc-cluster`: the ARC routing controls. */
  readonly routing: RoutingControlPort;
  /** Routing mode `region-switch`: the ARC Region switch plan. */
  readonly regionSwitch: RegionSwitchPort;
  readonly globalDatabase: GlobalDatabasePort;
  readonly snapshots: SnapshotPort;
  readonly health: HealthPort;
  readonly capacity: ServiceCapacityPort;
  /** What readiness and parity checks read about a Region (read-only). */
  readonly facts: ReadinessFactsPort;
  readonly credentials: CredentialsPort;
  readonly reconciler: ReconcilerPort;
  readonly reports: ReportSinkPort;
  readonly journal: JournalPort;
  readonly clock: ClockPort;
}

type MethodNames<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;

/** A port method as `port.method`, e.g. `globalDatabase.failover`: steps declare the ones they call. */
export type PortMethod = { [P in keyof RunbookPorts]: `${P}.${MethodNames<RunbookPorts[P]>}` }[keyof RunbookPorts];

/** Methods that change the environment (traffic, databases, clusters): never called by a dry run. */
export const MUTATING_METHODS: readonly PortMethod[] = [
  'routing.setStates',
  'regionSwitch.activate',
  'globalDatabase.failover',
  'globalDatabase.switchover',
  'capacity.setDesiredCount',
  'capacity.setScalingMinimum',
  'snapshots.copySnapshot',
  'snapshots.restoreCluster',
  'snapshots.createInstance',
  'snapshots.deleteInstance',
  'snapshots.deleteCluster',
];

/** Methods that write records (journal, reports): idempotent, but a dry run writes nothing either. */
export const RECORDING_METHODS: readonly PortMethod[] = ['reports.putJson', 'reports.putFolder', 'journal.save'];
