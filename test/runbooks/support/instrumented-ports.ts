import type { PortMethod, RunbookPorts } from '../../../runbooks/ports';
import { MUTATING_METHODS, RECORDING_METHODS } from '../../../runbooks/ports';

/** One call of a port method. */
export interface PortCall {
  readonly method: PortMethod;
  readonly args: readonly unknown[];
  /** Whether the call took effect (false when a crash was injected before it). */
  readonly effective: boolean;
}

/** Where to crash: the n-th port call (clock excluded), before it takes effect or after it (its answer is lost). */
export interface Crash {
  readonly at: number;
  readonly when: 'before' | 'after';
}

/** Thrown by an injected crash. */
export class InjectedCrash extends Error {
  constructor(method: string, when: string) {
    super(`injected crash ${when} ${method}`);
    this.name = 'InjectedCrash';
  }
}

/**
 * Wraps every port (except the clock) to record each call and, optionally, crash once at the n-th call: the
 * stand-in for a process that dies, or a response that is lost, at any point of an orchestration.
 */
export function instrument(ports: RunbookPorts, calls: PortCall[], crash?: Crash): RunbookPorts {
  let count = 0;
  const wrap = <T extends object>(portName: string, port: T): T =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const method = `${portName}.${String(property)}` as PortMethod;
        return async (...args: unknown[]) => {
          const index = count++;
          if (crash?.at === index && crash.when === 'before') {
            calls.push({ method, args, effective: false });
            throw new InjectedCrash(method, 'before');
          }
          const result = await value.apply(target, args);
          calls.push({ method, args, effective: true });
          if (crash?.at === index && crash.when === 'after') throw new InjectedCrash(method, 'after');
          return result;
        };
      },
    });
  return {
    routing: wrap('routing', ports.routing),
    regionSwitch: wrap('regionSwitch', ports.regionSwitch),
    globalDatabase: wrap('globalDatabase', ports.globalDatabase),
    snapshots: wrap('snapshots', ports.snapshots),
    health: wrap('health', ports.health),
    capacity: wrap('capacity', ports.capacity),
    facts: wrap('facts', ports.facts),
    credentials: wrap('credentials', ports.credentials),
    reconciler: wrap('reconciler', ports.reconciler),
    reports: wrap('reports', ports.reports),
    journal: wrap('journal', ports.journal),
    clock: ports.clock,
  };
}

/** A call's identity for "happened exactly once": method and arguments, without tags (they carry execution ids). */
export function callKey(call: PortCall): string {
  const args = call.args.map((a) => {
    if (a && typeof a === 'object' && 'tags' in a) {
      const { tags: _tags, ...rest } = a as Record<string, unknown>;
      return rest;
    }
    return a;
  });
  return `${call.method} ${JSON.stringify(args)}`;
}

/** Effective calls that change the environment. */
export function mutations(calls: readonly PortCall[]): string[] {
  return calls.filter((c) => c.effective && MUTATING_METHODS.includes(c.method)).map(callKey);
}

/** Calls (effective or not) that mutate or record: a dry run must make none. */
export function writes(calls: readonly PortCall[]): PortCall[] {
  return calls.filter((c) => MUTATING_METHODS.includes(c.method) || RECORDING_METHODS.includes(c.method));
}
