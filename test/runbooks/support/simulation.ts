import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { createLocalPorts, type LocalPorts } from '../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import type { SimulationTimings } from '../../../runbooks/adapters/local/simulated-world';
import { type RunResult, runOrchestration } from '../../../runbooks/core/engine';
import type { AnyOrchestration } from '../../../runbooks/core/step';
import type { ReconcilerPort, RunbookPorts } from '../../../runbooks/ports';
import type { Topology } from '../../../runbooks/topology';
import { type Crash, instrument, type PortCall } from './instrumented-ports';

/** A simulated two-Region world on a manual clock, with helpers to run orchestrations against it. */
export interface Simulation {
  readonly topology: Topology;
  readonly clock: ManualClock;
  readonly local: LocalPorts;
  /** Every port call made through {@link run}. */
  readonly calls: PortCall[];
  run(orchestration: AnyOrchestration, raw: Record<string, unknown>, options?: RunExtras): Promise<RunResult>;
}

/** Extra options of {@link Simulation.run}. */
export interface RunExtras {
  readonly dryRun?: boolean;
  readonly crash?: Crash;
  readonly executionId?: string;
  readonly stepAttempts?: number;
  readonly ports?: (ports: RunbookPorts) => RunbookPorts;
}

export const PRIMARY = 'us-east-1';
export const STANDBY = 'us-west-2';

/** A fresh simulation: writers and traffic in the primary Region. */
export function simulation(
  options: {
    reconciler?: ReconcilerPort;
    timings?: Partial<SimulationTimings>;
    /** Changes the demo topology (e.g. its readiness settings) before the world is built from it. */
    topology?: (demo: Topology) => Topology;
  } = {},
): Simulation {
  const demo = demoTopology(PRIMARY, STANDBY);
  const topology = options.topology ? options.topology(demo) : demo;
  const clock = new ManualClock('2026-01-27T10:00:00.000Z');
  const local = createLocalPorts({
    topology,
    clock,
    ...(options.reconciler ? { reconciler: options.reconciler } : {}),
    ...(options.timings ? { timings: options.timings } : {}),
  });
  const calls: PortCall[] = [];
  return {
    topology,
    clock,
    local,
    calls,
    run: (orchestration, raw, extras = {}) => {
      const base = extras.ports ? extras.ports(local.ports) : local.ports;
      return runOrchestration({
        orchestration,
        input: orchestration.parseInput(raw, topology),
        topology,
        ports: instrument(base, calls, extras.crash),
        reason: 'test',
        dryRun: extras.dryRun ?? false,
        ...(extras.executionId ? { executionId: extras.executionId } : {}),
        settings: { pollIntervalSeconds: 1, waitTimeoutSeconds: 600 },
        stepAttempts: extras.stepAttempts ?? 1,
        retryDelayMs: 1,
      });
    },
  };
}

/** The writer Region of each global database. */
export function writerRegions(sim: Simulation): Record<string, string | undefined> {
  const world = sim.local.world.snapshot();
  return Object.fromEntries(
    Object.entries(world.globalClusters).map(([id, cluster]) => [id, cluster.members.find((m) => m.isWriter)?.region]),
  );
}

/** The routing control state of each Region. */
export function routing(sim: Simulation): Record<string, string | undefined> {
  const world = sim.local.world.snapshot();
  return Object.fromEntries(
    [PRIMARY, STANDBY].map((region) => [region, world.routing[sim.topology.routing.controls[region]!]]),
  );
}
