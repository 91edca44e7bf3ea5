import { checkRegions } from '../check-regions';
import type { ReadinessCheck } from '../readiness-check';

/**
 * `canaries-green`: every canary alarm of both Regions (`canaryAlarmNames`) is `OK`. `ALARM` or a missing alarm is
 * red; `INSUFFICIENT_DATA` (the canary is not reporting) is INCONCLUSIVE.
 */
export const canariesGreenCheck: ReadinessCheck = {
  name: 'canaries-green',
  title: "Both Regions' canary alarms are OK",
  scope: 'standing',
  whenRed:
    "A canary (a shopper journey run every few minutes) fails in a Region, or its alarm is gone: that Region does not serve shoppers correctly now, whichever one takes the traffic. Open the canary's last runs in that Region.",
  uses: ['facts.alarms'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const failures: string[] = [];
    const unknowns: string[] = [];
    const notes: string[] = [];
    const evidence: Record<string, unknown> = {};
    for (const region of [target, other]) {
      const names = ctx.topology.regions[region]?.canaryAlarmNames ?? [];
      if (names.length === 0) {
        notes.push(`no canary alarms configured for ${region}: not checked`);
        continue;
      }
      const alarms = await ctx.ports.facts.alarms(region, names);
      evidence[region] = Object.fromEntries(
        names.map((n) => [n, alarms[n] ? { state: alarms[n].state, since: alarms[n].since.toISOString() } : null]),
      );
      for (const name of names) {
        const alarm = alarms[name];
        if (!alarm) failures.push(`canary alarm ${name} does not exist in ${region}; expected: the alarm, OK`);
        else if (alarm.state === 'ALARM') {
          failures.push(`canary alarm ${name} in ${region} is ALARM since ${alarm.since.toISOString()}; expected: OK`);
        } else if (alarm.state === 'INSUFFICIENT_DATA') {
          unknowns.push(
            `canary alarm ${name} in ${region} is INSUFFICIENT_DATA since ${alarm.since.toISOString()}: the canary is not reporting`,
          );
        } else notes.push(`${name} OK`);
      }
    }
    return { failures, unknowns, notes, evidence };
  },
};
