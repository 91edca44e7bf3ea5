import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';
import { withReleaseGrace } from '../release-grace';
import { missingServices, readServicePair } from '../service-pair';
import { regionNeutral, type SettingDifference, settingsDifferences } from '../settings-differences';

/** Differences named in one failure sentence; the evidence lists every one. */
const NAMED_IN_FAILURE = 8;

const shown = (value: string | undefined) =>
  value === undefined ? 'absent' : value.length > 80 ? `${value.slice(0, 77)}...` : value;

/**
 * `task-settings-parity`: each service runs a task definition with the same settings in both Regions (CPU, memory,
 * environment, secrets, ports, roles, logging …), Region names and account ids aside; the image is compared by
 * `image-parity`. The failure names every key that differs, with both values.
 */
export const taskSettingsParityCheck: ReadinessCheck = {
  name: 'task-settings-parity',
  title: 'Each service runs the same task definition settings in both Regions',
  scope: 'standing',
  whenRed:
    "A service's task definition differs between the Regions (CPU, memory, environment, secrets, roles …): after a failover it would behave differently from what runs today. Redeploy so both Regions get the same settings, or fix the setting named. It is not red while a release is between the Regions (they report different deployed commits and the newer deploy is younger than readiness.releaseGraceMinutes): red means drift, a release stuck past that, or a deployed commit that could not be read.",
  uses: ['facts.services', 'facts.deployedCommit'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const pair = await readServicePair(ctx);
    if (pair.notChecked) return { failures: [], notes: [pair.notChecked] };
    const failures: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    for (const { service, failure } of missingServices(pair, [target, other])) {
      if (failure) {
        failures.push(failure);
        continue;
      }
      const [a, b] = [target, other].map((region) => {
        const facts = pair.facts[region]![service]!;
        return regionNeutral({ ...facts.settings, vcpu: facts.vcpu, memoryMiB: facts.memoryMiB }, region);
      });
      const differences: SettingDifference[] = settingsDifferences(a, b);
      evidence[service] = {
        taskDefinitions: {
          [target]: pair.facts[target]![service]!.taskDefinitionArn,
          [other]: pair.facts[other]![service]!.taskDefinitionArn,
        },
        differences: differences.map((d) => ({ key: d.key, [target]: d.left ?? null, [other]: d.right ?? null })),
      };
      if (differences.length === 0) {
        notes.push(`${service}: same settings in both Regions`);
        continue;
      }
      const named = differences
        .slice(0, NAMED_IN_FAILURE)
        .map((d) => `${d.key} (${target}: ${shown(d.left)}, ${other}: ${shown(d.right)})`);
      const more = differences.length > NAMED_IN_FAILURE ? `, and ${differences.length - NAMED_IN_FAILURE} more` : '';
      failures.push(
        `service ${service}: task definition settings differ in ${differences.length} key${differences.length === 1 ? '' : 's'}: ${named.join(', ')}${more}; expected: the same settings in both Regions (Region names and account ids aside)`,
      );
    }
    return withReleaseGrace(ctx, { failures, notes, evidence });
  },
};
