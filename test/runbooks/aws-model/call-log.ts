/** The AWS services the model serves, by the prefix IAM uses for them. */
export type ModelService =
  | 'rds'
  | 'route53-recovery-cluster'
  | 'route53-recovery-control-config'
  | 'ssm'
  | 's3'
  | 'cloudwatch'
  | 'secretsmanager'
  | 'ecs'
  | 'application-autoscaling'
  | 'fis'
  | 'scheduler'
  | 'lambda'
  | 'servicequotas'
  | 'arc-region-switch';

/** One request the model received. */
export interface ModelCall {
  /** Position in the log, from 0. */
  readonly seq: number;
  readonly service: ModelService;
  /** The API operation, e.g. `FailoverGlobalCluster`. */
  readonly operation: string;
  /** The Region of the client that sent it (for ARC data-plane calls, the Region of the cluster endpoint). */
  readonly region: string;
  /** The ARC cluster endpoint the data-plane client was configured with. */
  readonly endpoint?: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** Simulated time the request arrived. */
  readonly at: Date;
  /** `ok`, or the name (or code) of the error the request failed with. */
  readonly outcome: string;
}

/**
 * Every request the model received, in order, with helpers for the assertions scenarios make: which operations went
 * where, which control-plane calls happened, what happened between two moments.
 */
export class CallLog {
  private readonly calls: ModelCall[] = [];

  /** Records a request (the model calls this; tests read). */
  record(call: Omit<ModelCall, 'seq'>): ModelCall {
    const recorded = { ...call, seq: this.calls.length };
    this.calls.push(recorded);
    return recorded;
  }

  /** Every call so far. */
  all(): readonly ModelCall[] {
    return this.calls;
  }

  /** A marker for {@link since}: the number of calls so far. */
  mark(): number {
    return this.calls.length;
  }

  /** Calls made after {@link mark} returned `marker`. */
  since(marker: number): readonly ModelCall[] {
    return this.calls.slice(marker);
  }

  /** Calls whose simulated time is in `[from, to]`. */
  between(from: Date, to: Date): readonly ModelCall[] {
    return this.calls.filter((c) => c.at.getTime() >= from.getTime() && c.at.getTime() <= to.getTime());
  }

  /** Calls to the ARC control plane (`route53-recovery-control-config`), which a failover must never need. */
  controlPlaneCalls(calls: readonly ModelCall[] = this.calls): readonly ModelCall[] {
    return calls.filter((c) => c.service === 'route53-recovery-control-config');
  }

  /** Calls per Region: `{ 'us-west-2': 12, … }`. */
  countsByRegion(calls: readonly ModelCall[] = this.calls): Readonly<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const c of calls) counts[c.region] = (counts[c.region] ?? 0) + 1;
    return counts;
  }

  /** `rds:FailoverGlobalCluster us-west-2` for each call (optionally only successful ones), in order. */
  lines(calls: readonly ModelCall[] = this.calls, options: { readonly okOnly?: boolean } = {}): string[] {
    return calls.filter((c) => !options.okOnly || c.outcome === 'ok').map(describeCall);
  }

  /** Calls of one operation (optionally in one Region). */
  of(operation: string, region?: string, calls: readonly ModelCall[] = this.calls): readonly ModelCall[] {
    return calls.filter((c) => c.operation === operation && (region === undefined || c.region === region));
  }

  /** Forgets every call. */
  clear(): void {
    this.calls.length = 0;
  }
}

/** `rds:FailoverGlobalCluster us-west-2`, with ` !ThrottlingException` when the call failed. */
export function describeCall(call: ModelCall): string {
  return `${call.service}:${call.operation} ${call.region}${call.outcome === 'ok' ? '' : ` !${call.outcome}`}`;
}
