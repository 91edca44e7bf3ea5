import { memberIn } from '../../orchestrations/global-database-state';
import type { ReadinessCheck } from '../readiness-check';

/** Minutes of replication-lag metrics looked at. */
const LAG_WINDOW_MINUTES = 5;

/** `replication`: every global database has a connected, available, caught-up member in the target Region. */
export const replicationCheck: ReadinessCheck = {
  name: 'replication',
  title: 'Every global database has a connected, available member in the target Region with low replication lag',
  scope: 'takeover',
  whenRed:
    "A global database has no healthy, caught-up member in the Region that would take over: a move now would lose writes or fail. Wait for replication, or look at the cluster's events.",
  uses: ['globalDatabase.describe', 'health.replicationLagSeconds'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    for (const db of ctx.topology.databases) {
      const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, region);
      const member = memberIn(state, region);
      if (!member) {
        failures.push(`${db.globalClusterIdentifier}: no member in ${region}`);
        evidence[db.name] = { member: null };
        continue;
      }
      if (member.isWriter) {
        notes.push(`${db.name}: ${member.clusterIdentifier} in ${region} is already the writer`);
        evidence[db.name] = { member: member.clusterIdentifier, writer: true };
        continue;
      }
      if (member.synchronization === 'pending-resync') {
        failures.push(`${db.globalClusterIdentifier}: member ${member.clusterIdentifier} is pending-resync`);
      }
      if (member.clusterStatus !== undefined && member.clusterStatus !== 'available') {
        failures.push(`${db.globalClusterIdentifier}: member ${member.clusterIdentifier} is ${member.clusterStatus}`);
      }
      const lag = await ctx.ports.health.replicationLagSeconds(region, member.clusterIdentifier, LAG_WINDOW_MINUTES);
      evidence[db.name] = {
        member: member.clusterIdentifier,
        synchronization: member.synchronization ?? null,
        status: member.clusterStatus ?? null,
        lagSeconds: lag ?? null,
      };
      if (lag === undefined) {
        unknowns.push(
          `${db.name}: no AuroraGlobalDBRPOLag data for ${member.clusterIdentifier} in the last ${LAG_WINDOW_MINUTES} min`,
        );
      } else if (!Number.isFinite(lag)) {
        // NaN compares false with the target: it would pass as caught up.
        unknowns.push(
          `${db.name}: AuroraGlobalDBRPOLag of ${member.clusterIdentifier} in ${region} read as ${lag}, not a number of seconds`,
        );
      } else if (lag > ctx.input.maxLagSeconds) {
        failures.push(`${db.name}: replication lag ${lag} s exceeds ${ctx.input.maxLagSeconds} s`);
      } else notes.push(`${db.name} lag ${lag} s`);
    }
    return { failures, unknowns, notes, evidence: { region, maxLagSeconds: ctx.input.maxLagSeconds, ...evidence } };
  },
};
