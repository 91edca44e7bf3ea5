import { throttlingError } from './aws-errors';
import type { ModelService } from './call-log';

/** What a fault rule matches: a service, an operation, a Region (each optional). */
export interface FaultMatch {
  readonly service?: ModelService;
  readonly operation?: string;
  readonly region?: string;
}

/** A request as the fault rules see it. */
export interface FaultRequest {
  readonly service: ModelService;
  readonly operation: string;
  readonly region: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * When an injected fault strikes: `before` the request reaches the service (nothing changes), or `after` the
 * service acted (the change happened, the answer is lost).
 */
export type FaultPhase = 'before' | 'after';

interface Rule {
  readonly match: FaultMatch & { readonly when?: (request: FaultRequest) => boolean };
  remaining: number;
  readonly error: (request: FaultRequest) => Error;
  readonly phase: FaultPhase;
}

const matches = (rule: Rule, request: FaultRequest) =>
  (rule.match.service === undefined || rule.match.service === request.service) &&
  (rule.match.operation === undefined || rule.match.operation === request.operation) &&
  (rule.match.region === undefined || rule.match.region === request.region) &&
  (rule.match.when === undefined || rule.match.when(request));

/**
 * Faults injected into the next matching requests: throttling, or any error. A matching request fails with the
 * fault instead of reaching the model (the state does not change), and the rule counts down; rules are tried in the
 * order they were added.
 */
export class InjectedFaults {
  private readonly rules: Rule[] = [];

  /** The next `times` requests matching `match` fail with the service's throttling error. */
  throttle(match: FaultMatch, times = 1): this {
    this.rules.push({ match, remaining: times, error: (r) => throttlingError(r.service), phase: 'before' });
    return this;
  }

  /**
   * The next `times` requests matching `match` (and `when`, if given) fail with `error`: `before` the service acts
   * (default), or `after` it acted (the answer is lost).
   */
  fail(
    match: FaultMatch & { readonly when?: (request: FaultRequest) => boolean },
    error: Error | ((request: FaultRequest) => Error),
    times = 1,
    phase: FaultPhase = 'before',
  ): this {
    this.rules.push({ match, remaining: times, error: typeof error === 'function' ? error : () => error, phase });
    return this;
  }

  /** The error for this request in this phase, consuming one use of the first matching rule; undefined if none. */
  take(request: FaultRequest, phase: FaultPhase = 'before'): Error | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.phase === phase && matches(r, request));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.error(request);
  }

  /** Uses left of every rule (0 when all were consumed). */
  pending(): number {
    return this.rules.reduce((sum, r) => sum + r.remaining, 0);
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.length = 0;
  }
}
