import { messageOf } from '../core/errors';
import type { PhaseOutcome } from './gameday-phases';
import { inconclusive, iso } from './phase-waits';
import { finish, type PhaseContext } from './run-gameday-phase';

/**
 * preflight: can a game day start? Readiness (the project's readiness runbook, as a dry run) of both Regions, the
 * account quotas a failover and its recovery need, a fresh backup of every database in the failed Region, the
 * game day's FIS template in the failed Region, a shopper schedule in both Regions. Any unmet precondition ends the
 * game day INCONCLUSIVE, naming it. Writes the game-day record (not in a dry run).
 */
export async function preflightPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports, settings } = ctx;
  const unmet: string[] = [];
  const met: string[] = [];
  const regions = [input.failedRegion, input.survivingRegion];
  // Both readiness runs at once: each may take the phase's time, not half of it.
  const follow = ctx.minutesLeft();
  const readiness = await Promise.all(
    regions.map((region) =>
      ports.runbooks
        .run({
          runbook: 'readiness',
          region,
          reason: `game day ${input.gameDayId}: preflight`,
          dryRun: true,
          followMinutes: follow,
        })
        .then(
          (run) => ({ region, run }),
          (error: unknown) => ({ region, error }),
        ),
    ),
  );
  for (const result of readiness) {
    const region = result.region;
    if ('error' in result) unmet.push(`readiness of ${region}: could not run (${messageOf(result.error)})`);
    else if (result.run.succeeded) met.push(`readiness of ${region}: passed (execution ${result.run.executionId})`);
    else {
      const run = result.run;
      unmet.push(
        `readiness of ${region}: ${run.ended ? run.status : 'did not end in time'} (execution ${run.executionId})${run.failure ? `: ${run.failure}` : ''}`,
      );
    }
  }
  for (const region of regions) {
    try {
      for (const quota of await ports.regions.quotas(region)) {
        const free = quota.max - quota.used;
        if (free < quota.needed) {
          unmet.push(
            `quota ${quota.name} in ${region}: ${quota.used} of ${quota.max} used, ${quota.needed} needed free`,
          );
        } else met.push(`quota ${quota.name} in ${region}: ${free} free (${quota.needed} needed)`);
      }
    } catch (error) {
      unmet.push(`quotas of ${region}: could not be read (${messageOf(error)})`);
    }
    try {
      const enabled = await ports.schedules.isEnabled(region);
      if (enabled === undefined) unmet.push(`shopper schedule in ${region}: none (deploy with gameDays.enabled true)`);
      else if (enabled) {
        unmet.push(
          `shopper schedule in ${region}: already enabled (another game day's shoppers, or one never cleaned up, would mix into this one's ledger); run clean-up of that game day or disable the schedule`,
        );
      } else met.push(`shopper schedule in ${region}: present, disabled`);
    } catch (error) {
      unmet.push(`shopper schedule in ${region}: could not be read (${messageOf(error)})`);
    }
  }
  try {
    const backups = await ports.regions.latestBackups(input.failedRegion);
    const now = ports.clock.now().getTime();
    for (const database of ports.regions.databases()) {
      const backup = backups.find((b) => b.database === database);
      const ageHours = backup ? (now - backup.createdAt.getTime()) / 3_600_000 : undefined;
      if (!backup || ageHours === undefined) unmet.push(`backup of ${database} in ${input.failedRegion}: none found`);
      else if (ageHours > settings.backupMaxAgeHours) {
        unmet.push(
          `backup of ${database} in ${input.failedRegion}: the newest (${backup.identifier}, ${iso(backup.createdAt)}) is ${ageHours.toFixed(1)} hours old; accepted: younger than ${settings.backupMaxAgeHours} hours`,
        );
      } else
        met.push(`backup of ${database} in ${input.failedRegion}: ${backup.identifier} (${iso(backup.createdAt)})`);
    }
  } catch (error) {
    unmet.push(`backups in ${input.failedRegion}: could not be read (${messageOf(error)})`);
  }
  try {
    // The score reads each acknowledged order through the surviving Region's load balancer: it must answer here.
    const answer = await ports.regions.answers(input.survivingRegion);
    if (answer.servicesAnswer)
      met.push(`the shop of ${input.survivingRegion} answers the runner (the score reads orders there)`);
    else {
      unmet.push(
        `the shop of ${input.survivingRegion} does not answer the runner (${answer.problems.join('; ')}): the score could not read any order (an internal load balancer, or HTTPS without publicHostName)`,
      );
    }
  } catch (error) {
    unmet.push(`the shop of ${input.survivingRegion}: could not be probed (${messageOf(error)})`);
  }
  try {
    const template = await ports.faults.findTemplate(input.failedRegion);
    if (!template)
      unmet.push(`FIS experiment template in ${input.failedRegion}: none (deploy with gameDays.enabled true)`);
    else met.push(`FIS experiment template in ${input.failedRegion}: ${template.id} (${template.description})`);
  } catch (error) {
    unmet.push(`FIS experiment template in ${input.failedRegion}: could not be read (${messageOf(error)})`);
  }
  const checked = met.map((line) => `- ${line}`).join('\n');
  if (unmet.length > 0) {
    if (input.dryRun) {
      return {
        phase: 'preflight',
        status: 'inconclusive',
        verdict: 'INCONCLUSIVE',
        summary: `preflight (dry run): INCONCLUSIVE\n\n${unmet.map((r) => `- ${r}`).join('\n')}\n\nMet:\n${checked}`,
      };
    }
    return inconclusive(ctx, ctx.record, 'preflight', unmet);
  }
  const plan = input.dryRun
    ? `\n\nDry run: nothing was changed. A game day would enable the shopper schedules of ${regions.join(' and ')}, start the FIS experiment in ${input.failedRegion}, fail over to ${input.survivingRegion}, wait for ${input.failedRegion} to return, recover, score and clean up.`
    : '';
  return finish(ctx, ctx.record, {
    phase: 'preflight',
    status: 'succeeded',
    summary: `preflight: every precondition met\n\n${checked}${plan}`,
  });
}
