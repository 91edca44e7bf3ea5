import type { PhaseOutcome } from './gameday-phases';
import type { GameDayRecord } from './gameday-record';
import { iso, pollUntil } from './phase-waits';
import { finish, type PhaseContext } from './run-gameday-phase';

/**
 * await-return: waits (bounded; re-runnable, each run waits again) until the failed Region's services and
 * databases answer again, which they do once the experiment has ended and the Region has recovered.
 */
export async function awaitReturnPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports, settings } = ctx;
  const region = input.failedRegion;
  if (input.dryRun) {
    return {
      phase: 'await-return',
      status: 'succeeded',
      summary: `await-return (dry run): would wait for ${region} to answer`,
    };
  }
  const record = ctx.record as GameDayRecord;
  if (record.returnedAt) {
    return {
      phase: 'await-return',
      status: 'succeeded',
      summary: `await-return: ${region} answered at ${record.returnedAt}`,
    };
  }
  if (record.failover?.status !== 'Success') {
    return {
      phase: 'await-return',
      status: 'failed',
      summary: `await-return refused: the failover has not succeeded; run failover first`,
    };
  }
  let problems: readonly string[] = [];
  const answered = await pollUntil(ctx, settings.returnWaitMinutes, async () => {
    const answer = await ports.regions.answers(region);
    problems = answer.problems;
    return answer.servicesAnswer && answer.databasesAnswer ? true : undefined;
  });
  if (!answered) {
    return finish(ctx, record, {
      phase: 'await-return',
      status: 'failed',
      summary: `await-return: ${region} does not answer yet after ${settings.returnWaitMinutes} minutes (${problems.join('; ')}); run this phase again later (the return can take hours)`,
    });
  }
  return finish(
    ctx,
    { ...record, returnedAt: iso(ports.clock.now()) },
    {
      phase: 'await-return',
      status: 'succeeded',
      summary: `await-return: ${region}'s services and databases answer again`,
    },
  );
}
