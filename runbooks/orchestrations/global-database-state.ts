import { NonRetriableError } from '../core/errors';
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

/**
 * Throws a {@link NonRetriableError} when Aurora is cancelling a move of the global cluster: nothing will finish, so a
 * check must not take it for a move in progress nor a wait poll it until its timeout. API_FailoverState:
 * "cancelling – The request to switch over or fail over the global cluster was cancelled".
 */
export function refuseCancelledMove(state: GlobalClusterState): void {
  if (state.failover?.status === 'cancelling') {
    throw new NonRetriableError(
      `global cluster "${state.identifier}": the move to ${regionOfArn(state.failover.toClusterArn) ?? 'another member'} is being cancelled (FailoverState cancelling); find out why in the RDS events, then run again`,
    );
  }
}
