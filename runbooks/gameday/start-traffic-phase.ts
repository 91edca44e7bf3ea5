import { GAMEDAY_MAX_HOURS, gameDayStartedAt, type PhaseOutcome } from './gameday-phases';
import { ackPrefix, type GameDayRecord } from './gameday-record';
import { inconclusive, iso, pollUntil } from './phase-waits';
import { finish, type PhaseContext } from './run-gameday-phase';

/** Keys of the acknowledgment ledgers the failed Region's load balancers gave (kept in the surviving Region). */
async function failedRegionAckKeys(ctx: PhaseContext): Promise<readonly string[]> {
  const { input } = ctx;
  return ctx.ports.buckets.list(input.survivingRegion, `${ackPrefix(input.gameDayId)}${input.failedRegion}/`);
}

/**
 * start-traffic: enables the shopper schedules of both Regions, then waits (bounded) for the first acknowledgment
 * the failed Region gave: without one there is nothing whose loss the game day could score, so it ends INCONCLUSIVE
 * ("traffic never flowed"). Then it lets the shoppers buy for `trafficWarmUpMinutes` more, so that replicated writes
 * exist before the fault (the report's last replicated moment).
 */
export async function startTrafficPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports, settings } = ctx;
  const regions = [input.failedRegion, input.survivingRegion];
  if (input.dryRun) {
    return {
      phase: 'start-traffic',
      status: 'succeeded',
      summary: `start-traffic (dry run): would enable the shopper schedules of ${regions.join(' and ')}`,
    };
  }
  let record = ctx.record as GameDayRecord;
  // Only ledgers written after this (re)start show that traffic flows now (a resume after a clean-up's pause).
  const before = new Set(await failedRegionAckKeys(ctx));
  const startedAt = gameDayStartedAt(input.gameDayId) ?? ports.clock.now();
  const endDate = new Date(startedAt.getTime() + GAMEDAY_MAX_HOURS * 3_600_000);
  for (const region of regions) await ports.schedules.enable(region, input.gameDayId, endDate);
  const enabledAt = iso(ports.clock.now());
  record = await ctx.save({ ...record, traffic: { startedAt: enabledAt } });
  const keys = await pollUntil(ctx, settings.trafficWaitMinutes, async () => {
    const found = (await failedRegionAckKeys(ctx)).filter((k) => !before.has(k));
    return found.length > 0 ? found : undefined;
  });
  if (!keys) {
    return inconclusive(ctx, record, 'start-traffic', [
      `traffic never flowed: no new acknowledgment ledger of ${input.failedRegion} under ${ackPrefix(input.gameDayId)}${input.failedRegion}/ in ${input.survivingRegion}'s report bucket within ${settings.trafficWaitMinutes} minutes of enabling the shopper schedules (look at the shopper Lambda's logs)`,
    ]);
  }
  const firstAckAt = iso(ports.clock.now());
  await ports.clock.sleep(
    Math.max(0, Math.min(settings.trafficWarmUpMinutes * 60_000, ctx.deadline - ports.clock.now().getTime())),
  );
  return finish(
    ctx,
    { ...record, traffic: { startedAt: enabledAt, firstAckAt } },
    {
      phase: 'start-traffic',
      status: 'succeeded',
      summary: `start-traffic: shopper schedules enabled in ${regions.join(' and ')}; ${keys.length} acknowledgment ledger(s) of ${input.failedRegion} stored so far`,
    },
  );
}
