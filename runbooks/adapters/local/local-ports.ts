import path from 'node:path';
import type { ClockPort, JournalPort, ReconcilerPort, ReportSinkPort, RunbookPorts } from '../../ports';
import type { Topology } from '../../topology';
import { FileJournal, MemoryJournal } from './journals';
import { PortsRegionSwitch } from './ports-region-switch';
import { LocalReportSink, MemoryReportSink } from './report-sinks';
import {
  SimulatedCredentials,
  SimulatedGlobalDatabase,
  SimulatedHealth,
  SimulatedRoutingControl,
  SimulatedServiceCapacity,
  SimulatedSnapshots,
} from './simulated-ports';
import { SimulatedReadinessFacts } from './simulated-readiness-facts';
import { SimulatedReconciler } from './simulated-reconciler';
import { FileWorldStore, MemoryWorldStore, SimulatedWorld, type SimulationTimings } from './simulated-world';

/** Options of {@link createLocalPorts}. */
export interface LocalPortsOptions {
  readonly topology: Topology;
  readonly clock: ClockPort;
  /**
   * Folder for the world state (`world.json`), journals and reports, so a demo survives between commands.
   * @default - everything in memory
   */
  readonly stateDir?: string;
  readonly timings?: Partial<SimulationTimings>;
  /** @default - a {@link SimulatedReconciler} */
  readonly reconciler?: ReconcilerPort;
}

/** The ports of the simulated world, with the world itself (to take Regions down and up). */
export interface LocalPorts {
  readonly ports: RunbookPorts;
  readonly world: SimulatedWorld;
  readonly journal: JournalPort;
  readonly reports: ReportSinkPort;
}

/** Builds every port over a simulated two-Region world (the CLI's `--adapter local`). */
export function createLocalPorts(options: LocalPortsOptions): LocalPorts {
  const dir = options.stateDir;
  const store = dir ? new FileWorldStore(path.join(dir, 'world.json')) : new MemoryWorldStore();
  const world = SimulatedWorld.open(store, options.clock, options.topology, options.timings);
  const journal = dir ? new FileJournal(path.join(dir, 'journal')) : new MemoryJournal();
  const reports = dir ? new LocalReportSink(path.join(dir, 'reports')) : new MemoryReportSink();
  const routing = new SimulatedRoutingControl(world);
  const globalDatabase = new SimulatedGlobalDatabase(world);
  return {
    world,
    journal,
    reports,
    ports: {
      routing,
      regionSwitch: new PortsRegionSwitch(options.topology, () => ({ globalDatabase, routing, clock: options.clock })),
      globalDatabase,
      snapshots: new SimulatedSnapshots(world),
      health: new SimulatedHealth(world),
      capacity: new SimulatedServiceCapacity(world),
      facts: new SimulatedReadinessFacts(world),
      credentials: new SimulatedCredentials(),
      reconciler: options.reconciler ?? new SimulatedReconciler(),
      reports,
      journal,
      clock: options.clock,
    },
  };
}
