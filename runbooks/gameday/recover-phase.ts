import { recoveryReportPrefix } from '../orchestrations/recover';
import type { PhaseOutcome } from './gameday-phases';
import type { RunbookExecution } from './gameday-ports';
import type { GameDayRecord } from './gameday-record';
import { inconclusive, iso } from './phase-waits';
import { finish, type PhaseContext } from './run-gameday-phase';

/** Whether a recover execution stopped because the old primary's snapshot was not there. */
function snapshotNeverAppeared(run: RunbookExecution): string | undefined {
  const step = (run.steps ?? []).find((s) => /^find-.+-snapshot$/.test(s.name) && !/^Success$/i.test(s.status));
  if (step) return `${step.name}: ${step.failureMessage ?? step.status}`;
  return run.failure && /no snapshot/i.test(run.failure) ? run.failure : undefined;
}

/**
 * recover: runs the project's recover runbook in the surviving Region for the game day's failover (its report is
 * what the score checks). When the old primary's unplanned-failover snapshot never appeared, the game day ends
 * INCONCLUSIVE: there is no report to score.
 */
export async function recoverPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports } = ctx;
  if (input.dryRun) {
    return {
      phase: 'recover',
      status: 'succeeded',
      summary: `recover (dry run): would run the recover runbook in ${input.survivingRegion}`,
    };
  }
  let record = ctx.record as GameDayRecord;
  if (!record.returnedAt || !record.failover) {
    return {
      phase: 'recover',
      status: 'failed',
      summary: `recover refused: ${input.failedRegion} has not returned; run await-return first`,
    };
  }
  // The failover's start, as recover's own default (review 16c S7): its report prefix and snapshot window must not
  // follow the moment any one writer moved.
  const failoverAt = new Date(record.failover.startedAt);
  // The snapshot's wait counts from the failed Region's return, across runs of this phase.
  const snapshotDeadline = Date.parse(record.returnedAt) + ctx.settings.snapshotWaitMinutes * 60_000;
  let run: RunbookExecution;
  // Aurora takes the old primary's snapshot once the old Region is back and its cluster rebuilt as a secondary:
  // recover refuses until then, so it runs again until the snapshot is there, the wait is over or the phase's time.
  for (;;) {
    run = await ports.runbooks.run({
      runbook: 'recover',
      region: input.survivingRegion,
      reason: `game day ${input.gameDayId}: report what the failover lost`,
      dryRun: false,
      failoverAt,
      followMinutes: ctx.minutesLeft(),
    });
    const now = ports.clock.now().getTime();
    if (run.succeeded || !snapshotNeverAppeared(run) || now >= snapshotDeadline) break;
    if (now + ctx.settings.pollSeconds * 1000 >= ctx.deadline) break;
    ports.log(`recover: the old primary's snapshot is not there yet (execution ${run.executionId}); trying again`);
    await ports.clock.sleep(ctx.settings.pollSeconds * 1000);
  }
  record = {
    ...record,
    recover: { executionId: run.executionId, status: run.status, reportPrefix: recoveryReportPrefix(iso(failoverAt)) },
  };
  if (!run.ended) {
    await ctx.save(record);
    return {
      phase: 'recover',
      status: 'failed',
      summary: `recover: execution ${run.executionId} is still ${run.status}; run this phase again to follow it`,
    };
  }
  if (!run.succeeded) {
    const missing = snapshotNeverAppeared(run);
    if (missing && ports.clock.now().getTime() < snapshotDeadline) {
      return finish(ctx, record, {
        phase: 'recover',
        status: 'failed',
        summary: `recover: the old primary's snapshot is not there yet (${missing}); run this phase again (it waits until ${new Date(snapshotDeadline).toISOString()})`,
      });
    }
    if (missing) {
      return inconclusive(ctx, record, 'recover', [
        `the snapshot never appeared: recover (execution ${run.executionId}) found no unplanned-failover snapshot of the old primary within ${ctx.settings.snapshotWaitMinutes} minutes of ${input.failedRegion}'s return (${missing})`,
      ]);
    }
    return finish(ctx, record, {
      phase: 'recover',
      status: 'failed',
      summary: `recover: execution ${run.executionId} ended ${run.status}${run.failure ? `: ${run.failure}` : ''}; fix and run this phase again`,
    });
  }
  return finish(ctx, record, {
    phase: 'recover',
    status: 'succeeded',
    summary: `recover: execution ${run.executionId} succeeded; reports under ${record.recover?.reportPrefix}`,
  });
}
