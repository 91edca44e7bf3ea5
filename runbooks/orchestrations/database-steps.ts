import { NonRetriableError, RetriableError } from '../core/errors';
import type { Step } from '../core/step';
import { waitUntil } from '../core/wait-until';
import type { GlobalClusterState } from '../ports';
import type { TopologyDatabase } from '../topology';
import {
  describeState,
  memberIn,
  refuseCancelledMove,
  regionOfArn,
  writerOf,
  writerSettledIn,
} from './global-database-state';

/** Input every orchestration that moves writers has. */
export interface TargetInput {
  /** The Region that gets the writers and the traffic. */
  readonly targetRegion: string;
}

/** How a writer moves: an unplanned `failover` (data loss allowed) or a planned `switchover` (none). */
export type WriterMove = 'failover' | 'switchover';

/**
 * Starts moving `database`'s writer to the target Region. The check looks at the global cluster first: a writer
 * already there, or a move to it already in progress, means there is nothing to start.
 */
export function startWriterMove<I extends TargetInput>(database: TopologyDatabase, move: WriterMove): Step<I> {
  const id = database.globalClusterIdentifier;
  return {
    name: `${move}-${database.name}-database`,
    kind: 'action',
    title:
      move === 'failover'
        ? `Fail over the ${database.name} global database to the target Region, allowing data loss`
        : `Switch over the ${database.name} global database to the target Region, without data loss`,
    uses: ['globalDatabase.describe', `globalDatabase.${move}`],
    describe: (ctx) =>
      `${move === 'failover' ? 'FailoverGlobalCluster with AllowDataLoss' : 'SwitchoverGlobalCluster'} of ${id} to its member in ${ctx.input.targetRegion}`,
    check: async (ctx) => {
      const target = ctx.input.targetRegion;
      const state = await ctx.ports.globalDatabase.describe(id, target);
      refuseCancelledMove(state);
      if (state.failover) {
        if (regionOfArn(state.failover.toClusterArn) === target) {
          return {
            state: 'done',
            detail: `a move of ${id} to ${target} is already in progress (${state.failover.status})`,
          };
        }
        throw new NonRetriableError(
          `global cluster "${id}": a move to ${state.failover.toClusterArn ?? 'another member'} is in progress (${state.failover.status}); wait for it to finish or cancel it, then run again`,
        );
      }
      const writer = writerOf(state);
      if (writer?.region === target) {
        return { state: 'done', detail: `the writer of ${id} is already ${writer.clusterIdentifier} in ${target}` };
      }
      return { state: 'pending', detail: describeState(state) };
    },
    run: async (ctx) => {
      const target = ctx.input.targetRegion;
      const state = await ctx.ports.globalDatabase.describe(id, target);
      const member = memberIn(state, target);
      if (!member) {
        throw new NonRetriableError(
          `global cluster "${id}" has no member in ${target}; members: ${state.members.map((m) => m.clusterArn).join(', ') || 'none'}`,
        );
      }
      if (move === 'switchover' && member.synchronization === 'pending-resync') {
        throw new NonRetriableError(
          `global cluster "${id}": the member in ${target} is pending-resync; a switchover needs it connected (run readiness, or failback once it has rejoined)`,
        );
      }
      const requestedAt = ctx.ports.clock.now().toISOString();
      if (move === 'failover') {
        // AWS CLI docs (aurora-global-database-disaster-recovery.html), failover: "--region – Specify the AWS
        // Region where the secondary DB cluster that you want to be the new primary … is running."
        await ctx.ports.globalDatabase.failover(id, member.clusterArn, target);
      } else {
        // Switchover: "--region – Specify the AWS Region where the primary DB cluster of the Aurora global database
        // is running." A switchover needs both Regions up, so the writer's Region answers.
        const writer = writerOf(state);
        if (!writer) {
          throw new NonRetriableError(
            `global cluster "${id}" has no writer; a switchover needs one (run failover for an unplanned move)`,
          );
        }
        await ctx.ports.globalDatabase.switchover(id, member.clusterArn, writer.region);
      }
      return {
        detail: `${move} of ${id} to ${member.clusterIdentifier} requested`,
        outputs: { requestedAt, targetClusterArn: member.clusterArn },
      };
    },
  };
}

/**
 * How long after the request a move may be invisible (no FailoverState, the writer still elsewhere) before the wait
 * takes it for a move Aurora cancelled or refused: a margin for the request to show in DescribeGlobalClusters.
 */
export const VANISHED_MOVE_GRACE_MS = 2 * 60_000;

/**
 * Throws a {@link NonRetriableError} when, {@link VANISHED_MOVE_GRACE_MS} after the request, no move is in progress and
 * the writer is still outside `target`: Aurora finished cancelling it (or never started it), so waiting longer only
 * burns the timeout, and a resumed run must ask for the move again (a new execution).
 */
function refuseVanishedMove(state: GlobalClusterState, target: string, sinceRequestMs: number): void {
  if (state.failover || writerOf(state)?.region === target || sinceRequestMs < VANISHED_MOVE_GRACE_MS) return;
  throw new NonRetriableError(
    `global cluster "${state.identifier}": no move is in progress ${Math.round(sinceRequestMs / 1000)} s after it was requested and ${describeState(state)}; Aurora cancelled or refused it (see the RDS events), run the orchestration again to request it anew`,
  );
}

/** Waits until `database`'s FailoverState is gone and its writer is in the target Region. */
export function waitForWriterMove<I extends TargetInput>(database: TopologyDatabase, move: WriterMove): Step<I> {
  const id = database.globalClusterIdentifier;
  return {
    name: `wait-for-${database.name}-${move}`,
    kind: 'wait',
    title: `Wait until the ${database.name} global database has no FailoverState and its writer is in the target Region`,
    uses: ['globalDatabase.describe'],
    describe: (ctx) =>
      `poll DescribeGlobalClusters ${id} until FailoverState is gone and the writer is in ${ctx.input.targetRegion}`,
    check: async (ctx) => {
      const state = await ctx.ports.globalDatabase.describe(id, ctx.input.targetRegion);
      refuseCancelledMove(state);
      return writerSettledIn(state, ctx.input.targetRegion)
        ? { state: 'done', detail: describeState(state), outputs: { writerClusterArn: writerOf(state)!.clusterArn } }
        : { state: 'pending', detail: describeState(state) };
    },
    run: async (ctx) => {
      const target = ctx.input.targetRegion;
      const requested = ctx.optionalOutput(`${move}-${database.name}-database`, 'requestedAt');
      const since = typeof requested === 'string' ? Date.parse(requested) : ctx.ports.clock.now().getTime();
      const seen = await waitUntil(ctx, {
        what: `the ${move} of global cluster "${id}" to ${target}`,
        timeoutSeconds: ctx.settings.waitTimeoutSeconds,
        probe: async () => {
          const state = await ctx.ports.globalDatabase.describe(id, target);
          refuseCancelledMove(state);
          refuseVanishedMove(state, target, ctx.ports.clock.now().getTime() - since);
          return {
            done: writerSettledIn(state, target),
            detail: describeState(state),
            value: writerOf(state)?.clusterArn,
          };
        },
      });
      return { detail: seen.detail, outputs: { writerClusterArn: seen.value ?? '' } };
    },
  };
}

/**
 * Verifies that every global database's writer is in the target Region: the target member is the writer, nothing is
 * moving, and the writer cluster is `available`. The global cluster's own status is reported, not required: what it
 * shows while the old primary's Region is still down is not documented, and the writers have moved either way. A
 * writer elsewhere is non-retriable (the move was cancelled or reversed); a writer cluster not yet `available` is
 * retriable.
 */
export function verifyWriters<I extends TargetInput>(databases: readonly TopologyDatabase[]): Step<I> {
  return {
    name: 'verify-writers',
    kind: 'verify',
    title: 'Verify every global database has an available writer in the target Region',
    uses: ['globalDatabase.describe'],
    describe: (ctx) =>
      `check ${databases.map((d) => d.globalClusterIdentifier).join(', ')}: writer in ${ctx.input.targetRegion}, no FailoverState, writer cluster available`,
    run: async (ctx) => {
      const target = ctx.input.targetRegion;
      const wrongWriter: string[] = [];
      const notReady: string[] = [];
      const otherStatus: string[] = [];
      const outputs: Record<string, string> = {};
      for (const db of databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, target);
        const writer = writerOf(state);
        if (writer?.region !== target && !state.failover) {
          wrongWriter.push(`${db.globalClusterIdentifier}: ${describeState(state)}`);
        } else if (!writer || state.failover || (writer.clusterStatus ?? 'available') !== 'available') {
          notReady.push(
            `${db.globalClusterIdentifier}: ${describeState(state)}; writer cluster status ${writer?.clusterStatus ?? 'unknown'}`,
          );
        } else {
          outputs[`${db.name}Writer`] = writer.clusterArn;
          if (state.status !== 'available') otherStatus.push(`${db.globalClusterIdentifier} ${state.status}`);
        }
      }
      if (wrongWriter.length > 0) {
        throw new NonRetriableError(`the writer is not in ${target}: ${wrongWriter.join(' | ')}`);
      }
      if (notReady.length > 0) throw new RetriableError(`not yet available in ${target}: ${notReady.join(' | ')}`);
      const note = otherStatus.length > 0 ? ` (global cluster status: ${otherStatus.join(', ')})` : '';
      return { detail: `writers in ${target}: ${Object.values(outputs).join(', ')}${note}`, outputs };
    },
  };
}
