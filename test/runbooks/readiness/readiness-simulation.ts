import type { RunbookPorts } from '../../../runbooks/ports';
import { type CheckEvaluation, evaluateReadiness } from '../../../runbooks/readiness/evaluate-readiness';
import type { ReadinessCheck, ReadinessContext } from '../../../runbooks/readiness/readiness-check';
import type { ReadinessSettings } from '../../../runbooks/topology';
import { type Simulation, STANDBY } from '../support/simulation';

/** What a readiness check sees in `sim`: `target` would take over (the standby by default). */
export function readinessContext(
  sim: Simulation,
  options: {
    target?: string;
    maxLagSeconds?: number;
    ports?: (ports: RunbookPorts) => RunbookPorts;
    readiness?: Partial<ReadinessSettings>;
  } = {},
): ReadinessContext {
  const ports = options.ports ? options.ports(sim.local.ports) : sim.local.ports;
  return {
    input: { targetRegion: options.target ?? STANDBY, maxLagSeconds: options.maxLagSeconds ?? 60 },
    topology: { ...sim.topology, readiness: { ...sim.topology.readiness, ...options.readiness } },
    ports,
  };
}

/** Evaluates one check as the scheduled run and the drill do (a check that throws is INCONCLUSIVE). */
export async function evaluate(
  sim: Simulation,
  check: ReadinessCheck,
  options: Parameters<typeof readinessContext>[1] = {},
): Promise<CheckEvaluation> {
  const { checks } = await evaluateReadiness(readinessContext(sim, options), [check]);
  return checks[0]!;
}

/** `ports` with one method of one port replaced by one that fails as an API that does not answer. */
export function failing<P extends keyof RunbookPorts>(port: P, method: keyof RunbookPorts[P] & string) {
  return (ports: RunbookPorts): RunbookPorts => ({
    ...ports,
    [port]: new Proxy(ports[port] as object, {
      get: (target, name, receiver) =>
        name === method
          ? async () => {
              throw new Error(`${String(port)}.${method}: connect ETIMEDOUT (simulated)`);
            }
          : Reflect.get(target, name, receiver),
    }),
  });
}
