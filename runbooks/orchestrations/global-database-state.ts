import type { GlobalClusterMember, GlobalClusterState } from '../ports';

/** The Region of an ARN (`arn:aws:rds:<region>:…`). */
export function regionOfArn(arn: string | undefined): string | undefined {
  return arn?.split(':')[3] || undefined;
}

/** The writer member, if any. */
export function writerOf(state: GlobalClusterState): GlobalClusterMember | undefined {
  return state.members.find((m) => m.isWriter);
}

/** The member in `region`, if any. */
export function memberIn(state: GlobalClusterState, region: string): GlobalClusterMember | undefined {
  return state.members.find((m) => m.region === region);
}

/** `writer shop-orders-east in us-east-1; FailoverState failing-over (→ us-west-2); status failing-over`. */
export function describeState(state: GlobalClusterState): string {
  const writer = writerOf(state);
  const parts = [writer ? `writer ${writer.clusterIdentifier} in ${writer.region}` : 'no writer'];
  if (state.failover) {
    parts.push(`FailoverState ${state.failover.status} (→ ${regionOfArn(state.failover.toClusterArn) ?? 'unknown'})`);
  } else {
    parts.push('no failover in progress');
  }
  parts.push(`status ${state.status}`);
  return parts.join('; ');
}

/** Whether the global cluster has finished moving its writer to `region`. */
export function writerSettledIn(state: GlobalClusterState, region: string): boolean {
  return !state.failover && writerOf(state)?.region === region;
}
