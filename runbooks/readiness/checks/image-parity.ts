import { checkRegions, listed } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';
import { withReleaseGrace } from '../release-grace';
import { missingServices, readServicePair } from '../service-pair';

const short = (digests: readonly string[]) => (digests.length === 0 ? 'nothing' : digests.join(' + '));

/** The Region whose digests strictly contain the other's (a rolling deployment there), else undefined. */
function supersetSide(left: readonly string[], right: readonly string[], leftRegion: string, rightRegion: string) {
  const contains = (big: readonly string[], small: readonly string[]) =>
    small.length > 0 && big.length > small.length && small.every((d) => big.includes(d));
  if (contains(left, right)) return leftRegion;
  if (contains(right, left)) return rightRegion;
  return undefined;
}

/**
 * `image-parity`: the same image digests run in both Regions, per service and container. A service with no running
 * task in a Region cannot be compared (INCONCLUSIVE), never counted equal.
 */
export const imageParityCheck: ReadinessCheck = {
  name: 'image-parity',
  title: 'Both Regions run the same image digests, per service and container',
  scope: 'standing',
  whenRed:
    'The Regions run different code: a failover would serve shoppers another version than the one that was tested and baked. Finish (or roll back) the deployment so both Regions run the same images. It is not red while a release is between the Regions (they report different deployed commits and the newer deploy is younger than readiness.releaseGraceMinutes), nor while the Region deployed last still replaces its tasks (earlier images beside the new ones, within the same grace): red means drift, a release stuck past that, or a deployed commit that could not be read.',
  uses: ['facts.services', 'facts.deployedCommit'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const pair = await readServicePair(ctx);
    if (pair.notChecked) return { failures: [], notes: [pair.notChecked] };
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    const supersets: (string | undefined)[] = [];
    for (const { service, failure } of missingServices(pair, [target, other])) {
      if (failure) {
        failures.push(failure);
        supersets.push(undefined);
        continue;
      }
      const a = pair.facts[target]![service]!.runningDigests;
      const b = pair.facts[other]![service]!.runningDigests;
      evidence[service] = { [target]: a, [other]: b };
      const idle = [target, other].filter((r) => Object.keys(pair.facts[r]![service]!.runningDigests).length === 0);
      if (idle.length > 0) {
        unknowns.push(
          `service ${service}: no running task in ${listed(idle)}, so its image digests could not be compared`,
        );
        continue;
      }
      let same = true;
      for (const container of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        const left = [...(a[container] ?? [])].sort();
        const right = [...(b[container] ?? [])].sort();
        if (left.join() !== right.join()) {
          same = false;
          supersets.push(supersetSide(left, right, target, other));
          failures.push(
            `service ${service}, container ${container}: ${target} runs ${short(left)}, ${other} runs ${short(right)}; expected: the same image digests in both Regions`,
          );
        }
      }
      if (same) notes.push(`${service}: same images in both Regions`);
    }
    const rolling = new Set(supersets);
    const rollingRegion = rolling.size === 1 && unknowns.length === 0 ? [...rolling][0] : undefined;
    return withReleaseGrace(ctx, { failures, unknowns, notes, evidence, rollingRegion });
  },
};
