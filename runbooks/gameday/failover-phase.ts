import { TRAFFIC_STEP_NAMES } from '../orchestrations/region-switch-steps';
import { experimentState, readExperiment } from './experiment-state';
import type { PhaseOutcome } from './gameday-phases';
import type { RunbookExecution } from './gameday-ports';
import type { GameDayRecord } from './gameday-record';
import { iso } from './phase-waits';
import { finish, type PhaseContext } from './run-gameday-phase';

/**
 * When every database's writer was in the surviving Region (review 16c S7): the latest end of the successful
 * `wait-for-<database>-failover` steps, one per database of the topology; undefined while one of them has not
 * succeeded (the orchestration waits for the databases one after another).
 */
function writersMoved(run: RunbookExecution, databases: readonly string[]): Date | undefined {
  const ends = databases.map((database) => stepEnd(run, new RegExp(`^wait-for-${database}-failover$`)));
  if (ends.length === 0 || ends.some((end) => end === undefined)) return undefined;
  return new Date(Math.max(...ends.map((end) => (end as Date).getTime())));
}

/** The earliest end of a step whose name matches, when the execution reports one. */
function stepEnd(run: RunbookExecution, pattern: RegExp): Date | undefined {
  const ends = (run.steps ?? [])
    .filter((s) => pattern.test(s.name) && s.endedAt && /^Success$/i.test(s.status))
    .map((s) => (s.endedAt as Date).getTime());
  return ends.length > 0 ? new Date(Math.min(...ends)) : undefined;
}

/**
 * failover: starts the project's failover runbook in the surviving Region exactly as on-call does (the failover
 * CLI's dispatch: deploy freeze, lock, attach to one already running) and records its execution id and times. A
 * failover that fails is a FAILED game day; one still running when the job stops following is re-run (it attaches).
 */
export async function failoverPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports } = ctx;
  if (input.dryRun) {
    return {
      phase: 'failover',
      status: 'succeeded',
      summary: `failover (dry run): would start the failover runbook to ${input.survivingRegion}`,
    };
  }
  let record = ctx.record as GameDayRecord;
  if (!record.experiment?.firedAt) {
    return {
      phase: 'failover',
      status: 'failed',
      summary: `failover refused: no fault recorded for ${input.gameDayId}; run inject first`,
    };
  }
  if (record.failover?.status === 'Success') {
    return {
      phase: 'failover',
      status: 'succeeded',
      summary: `failover: already done (execution ${record.failover.executionId})`,
    };
  }
  const startedAt = record.failover?.startedAt ?? iso(ports.clock.now());
  const run = await ports.runbooks.run({
    runbook: 'failover',
    region: input.survivingRegion,
    reason: `game day ${input.gameDayId}: ${input.failedRegion} fails (FIS experiment ${record.experiment.id})`,
    dryRun: false,
    followMinutes: ctx.minutesLeft(),
  });
  const trafficMovedAt = stepEnd(run, new RegExp(`^(${TRAFFIC_STEP_NAMES.join('|')})$`));
  const writersMovedAt = writersMoved(run, ctx.ports.regions.databases());
  // The fault's state once the failover ran (review 16c S3): the score judges whether it lasted past the failover.
  const experiment = await readExperiment(ctx, record.experiment);
  record = {
    ...record,
    ...(experiment ? { experiment: { ...record.experiment, ...experimentState(experiment) } } : {}),
    failover: {
      executionId: run.executionId,
      status: run.status,
      startedAt: run.startedAt ? iso(run.startedAt) : startedAt,
      ...(run.endedAt ? { endedAt: iso(run.endedAt) } : {}),
      ...(trafficMovedAt ? { trafficMovedAt: iso(trafficMovedAt) } : {}),
      ...(writersMovedAt ? { writersMovedAt: iso(writersMovedAt) } : {}),
    },
  };
  if (!run.ended) {
    await ctx.save(record);
    return {
      phase: 'failover',
      status: 'failed',
      summary: `failover: execution ${run.executionId} is still ${run.status} in ${input.survivingRegion}; run this phase again to follow it`,
    };
  }
  if (!run.succeeded) {
    return finish(
      ctx,
      record,
      {
        phase: 'failover',
        status: 'failed',
        verdict: 'FAILED',
        summary: `failover: FAILED: the failover runbook (execution ${run.executionId}) ended ${run.status}${run.failure ? `: ${run.failure}` : ''}`,
      },
      [`the failover runbook ended ${run.status} (execution ${run.executionId})`],
    );
  }
  return finish(ctx, record, {
    phase: 'failover',
    status: 'succeeded',
    summary: `failover: execution ${run.executionId} succeeded; ${input.survivingRegion} serves`,
  });
}
