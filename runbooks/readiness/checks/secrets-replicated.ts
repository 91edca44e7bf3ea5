import type { SecretReplication } from '../../ports';
import { checkRegions, listed } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';

/**
 * `secrets-replicated`: each secret the services and runbooks need (both Regions' `secretIds` and the databases'
 * secrets) has its replica in the other Region `InSync`, as its primary Region reports it.
 */
export const secretsReplicatedCheck: ReadinessCheck = {
  name: 'secrets-replicated',
  title: 'Every secret is replicated to the other Region and in sync',
  scope: 'standing',
  whenRed:
    'A secret is not replicated, or its replica is not in sync: after a failover the services would connect with a stale or missing secret. Look at the replication status of the secret in its primary Region and retry the replication.',
  uses: ['facts.secretReplication'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const ids = [
      ...new Set([
        ...[target, other].flatMap((r) => ctx.topology.regions[r]?.secretIds ?? []),
        ...ctx.topology.databases.map((d) => d.secretId),
      ]),
    ];
    const answers: Record<string, Readonly<Record<string, SecretReplication>>> = {
      [target]: await ctx.ports.facts.secretReplication(target, ids),
      [other]: await ctx.ports.facts.secretReplication(other, ids),
    };
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    for (const id of ids) {
      const primary = answers[target]![id]?.primaryRegion ?? answers[other]![id]?.primaryRegion;
      if (!primary) {
        failures.push(`secret ${id}: not found in ${target} nor ${other}; expected: the secret in both Regions`);
        evidence[id] = null;
        continue;
      }
      if (primary !== target && primary !== other) {
        unknowns.push(
          `secret ${id}: its primary Region is ${primary}, outside this topology; its replicas were not read there`,
        );
        continue;
      }
      const replicaRegion = primary === target ? other : target;
      const view = answers[primary]![id];
      if (!view) {
        unknowns.push(
          `secret ${id}: its primary Region ${primary} did not describe it, so its replication could not be read`,
        );
        continue;
      }
      evidence[id] = { primaryRegion: primary, replicas: view.replicas };
      const replica = view.replicas.find((r) => r.region === replicaRegion);
      if (!replica) {
        failures.push(
          `secret ${id}: no replica in ${replicaRegion} (replicas: ${listed(view.replicas.map((r) => r.region))}); expected: a replica in ${replicaRegion}, InSync`,
        );
      } else if (replica.status !== 'InSync') {
        failures.push(
          `secret ${id}: its replica in ${replicaRegion} is ${replica.status}${replica.message ? ` (${replica.message})` : ''}; expected: InSync`,
        );
      } else notes.push(`${id} InSync in ${replicaRegion}`);
    }
    return { failures, unknowns, notes, evidence };
  },
};
