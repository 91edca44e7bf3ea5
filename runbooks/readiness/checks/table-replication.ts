import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';

/**
 * Minutes of `ReplicationLatency` looked at. The metric is "the elapsed time between when an item is written to a
 * replica table, and when that item appears in another replica in the global table" and "is emitted for every
 * source- and destination-Region pair" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html):
 * it measures written items, so a table nobody wrote to has no data point (unverified: the page does not say so
 * outright). A short window would find nothing on a quiet table; an hour covers the readiness schedule twice and the
 * canaries, which put items in the carts, write far more often.
 */
export const TABLE_LATENCY_WINDOW_MINUTES = 60;

/**
 * `table-replication`: each DynamoDB global table of `readiness.tables` replicates both ways (`ReplicationLatency`
 * from each Region to the other, highest over the window) under `readiness.maxTableReplicationLatencySeconds`. No
 * data point is INCONCLUSIVE: a table with no writes in the window has none either.
 */
export const tableReplicationCheck: ReadinessCheck = {
  name: 'table-replication',
  title: 'Every DynamoDB global table replicates both ways under the latency target',
  scope: 'standing',
  whenRed:
    'A DynamoDB global table replicates slower than its target: after a failover the other Region would miss the latest items (carts, sessions). Look at the ReplicationLatency of the table and throttling in the sending Region.',
  uses: ['facts.tableReplicationLatencySeconds'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const { tables, maxTableReplicationLatencySeconds: max } = ctx.topology.readiness;
    if (tables.length === 0)
      return { failures: [], notes: ['no DynamoDB global tables configured (readiness.tables)'] };
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, Record<string, number | null>> = {};
    for (const table of tables) {
      evidence[table] = {};
      for (const [from, to] of [
        [target, other],
        [other, target],
      ] as const) {
        const latency = await ctx.ports.facts.tableReplicationLatencySeconds(
          from,
          table,
          to,
          TABLE_LATENCY_WINDOW_MINUTES,
        );
        evidence[table]![`${from}->${to}`] = latency ?? null;
        if (latency === undefined) {
          unknowns.push(
            `table ${table}: no ReplicationLatency data from ${from} to ${to} in the last ${TABLE_LATENCY_WINDOW_MINUTES} min`,
          );
        } else if (!Number.isFinite(latency)) {
          // NaN compares false with the target: it would pass as under it.
          unknowns.push(
            `table ${table}: ReplicationLatency from ${from} to ${to} read as ${latency}, which is not a number of seconds`,
          );
        } else if (latency > max) {
          failures.push(
            `table ${table}: ReplicationLatency from ${from} to ${to} reached ${latency} s; expected: at most ${max} s (readiness.maxTableReplicationLatencySeconds)`,
          );
        } else notes.push(`${table} ${from}→${to} ${latency} s`);
      }
    }
    return {
      failures,
      unknowns,
      notes,
      evidence: { maxSeconds: max, windowMinutes: TABLE_LATENCY_WINDOW_MINUTES, latency: evidence },
    };
  },
};
