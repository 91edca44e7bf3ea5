import { NonRetriableError } from '../core/errors';
import type { Step } from '../core/step';
import type { TargetInput } from './database-steps';
import { memberIn } from './global-database-state';

/**
 * Checks the input against the live global databases: each must have a member in the target Region (the input's
 * Regions were already checked against the topology when it was parsed). Read-only, so it also runs in dry runs.
 */
export function validateTarget<I extends TargetInput>(extra?: (input: I) => string): Step<I> {
  return {
    name: 'validate-input',
    kind: 'check',
    title: 'Validate the input: each global database has a member in the target Region',
    uses: ['globalDatabase.describe'],
    describe: (ctx) =>
      `check the global databases have members in ${ctx.input.targetRegion}${extra ? `; ${extra(ctx.input)}` : ''}`,
    run: async (ctx) => {
      const target = ctx.input.targetRegion;
      const missing: string[] = [];
      const found: string[] = [];
      for (const db of ctx.topology.databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, target);
        const member = memberIn(state, target);
        if (member) found.push(`${db.name}: ${member.clusterIdentifier}`);
        else
          missing.push(
            `${db.globalClusterIdentifier} (members: ${state.members.map((m) => m.region).join(', ') || 'none'})`,
          );
      }
      if (missing.length > 0) {
        throw new NonRetriableError(`targetRegion: ${target} has no member of ${missing.join('; ')}`);
      }
      return { detail: `members in ${target}: ${found.join(', ')}` };
    },
  };
}
