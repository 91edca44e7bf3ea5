import { messageOf } from '../core/errors';
import { recoveryReportPrefix } from '../orchestrations/recover';
import { GAMEDAY_MAX_HOURS, gameDayStartedAt, type PhaseOutcome } from './gameday-phases';
import type { Experiment, RunbookExecution } from './gameday-ports';
import { ackPrefix, type GameDayRecord } from './gameday-record';
import { finish, type PhaseContext } from './run-gameday-phase';

/** FIS statuses after which an experiment does nothing more. */
const ENDED: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];

/** Action statuses that show the action began acting on its targets. */
const ACTED: readonly string[] = ['running', 'completed', 'stopping', 'stopped'];

const iso = (date: Date) => date.toISOString();

/**
 * Waits (on the ports' clock) until `done` returns a value or the minutes are up, never past the phase's deadline;
 * undefined when time is up.
 */
async function pollUntil<T>(
  ctx: PhaseContext,
  minutes: number,
  done: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const clock = ctx.ports.clock;
  const deadline = Math.min(clock.now().getTime() + minutes * 60_000, ctx.deadline);
  for (;;) {
    const value = await done();
    if (value !== undefined) return value;
    if (clock.now().getTime() >= deadline) return undefined;
    await clock.sleep(ctx.settings.pollSeconds * 1000);
  }
}

/** An outcome that ends the game day INCONCLUSIVE (clean-up still runs). */
function inconclusive(
  ctx: PhaseContext,
  record: GameDayRecord | undefined,
  phase: PhaseOutcome['phase'],
  reasons: string[],
) {
  return finish(
    ctx,
    record,
    {
      phase,
      status: 'inconclusive',
      verdict: 'INCONCLUSIVE',
      summary: `${phase}: INCONCLUSIVE\n\n${reasons.map((r) => `- ${r}`).join('\n')}\n\nNothing was judged; clean-up runs next.`,
    },
    reasons,
  );
}

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

/** Action statuses of a fault action that is acting as planned (FIS API Reference, ExperimentActionState). */
const ACTING: readonly string[] = ['running', 'completed'];

/**
 * When the fault fired, once it runs as planned (review 16c S3): the experiment is `running` and every one of its
 * actions is `running` or `completed`. The game-day template's actions are all fault actions (the cross-Region
 * isolation, the global tables' replication pause, the database-port blackhole of each service), none waits for
 * another (no `startAfter`), and an action without targets fails the experiment (`emptyTargetResolutionMode:
 * fail`), so one that is not acting means the Region is not isolated as designed. The moment is the earliest
 * action start. undefined while that is not so.
 */
function firedAt(experiment: Experiment): Date | undefined {
  if (experiment.status !== 'running' || experiment.actions.length === 0) return undefined;
  if (!experiment.actions.every((a) => ACTING.includes(a.status) && a.startedAt)) return undefined;
  return new Date(Math.min(...experiment.actions.map((a) => (a.startedAt as Date).getTime())));
}

/** The experiment's state for the record: its status, reason and end (review 16c S3). */
export function experimentState(
  experiment: Experiment,
): Pick<NonNullable<GameDayRecord['experiment']>, 'status' | 'reason' | 'endedAt'> {
  return {
    status: experiment.status,
    ...(experiment.reason ? { reason: experiment.reason } : {}),
    ...(experiment.endedAt ? { endedAt: iso(experiment.endedAt) } : {}),
  };
}

/**
 * inject: starts the game day's FIS experiment in the failed Region (idempotent: the game-day id is the client
 * token, and a recorded experiment is looked up, never started twice), then waits (bounded) for it to run with every
 * fault action running ({@link firedAt}). An experiment that ends, or does not get there in that time, is stopped
 * and the game day ends INCONCLUSIVE ("the fault never fired" when no action ran, else "the fault did not run as
 * planned"); the record keeps the experiment's status, reason and end.
 */
export async function injectPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports, settings } = ctx;
  const region = input.failedRegion;
  if (input.dryRun) {
    return {
      phase: 'inject',
      status: 'succeeded',
      summary: `inject (dry run): would start the game day's FIS experiment in ${region}`,
    };
  }
  let record = ctx.record as GameDayRecord;
  if (!record.traffic?.firstAckAt || record.traffic.stoppedAt) {
    return {
      phase: 'inject',
      status: 'failed',
      summary: `inject refused: ${record.traffic?.stoppedAt ? `the shoppers were stopped at ${record.traffic.stoppedAt} (a clean-up)` : `no traffic recorded for ${input.gameDayId}`}; run start-traffic first (the fault is injected only while shoppers are acknowledged)`,
    };
  }
  let experiment: Experiment | undefined;
  if (record.experiment) {
    experiment = await ports.faults.get(region, record.experiment.id);
  }
  if (!experiment) {
    const template = await ports.faults.findTemplate(region);
    if (!template) {
      return inconclusive(ctx, record, 'inject', [
        `the fault never fired: no game-day FIS experiment template in ${region}`,
      ]);
    }
    experiment = await ports.faults.start(region, template.id, input.gameDayId, { gameday: input.gameDayId });
    record = await ctx.save({
      ...record,
      experiment: { id: experiment.id, region, templateId: template.id, startedAt: iso(ports.clock.now()) },
    });
  }
  const id = experiment.id;
  let last: Experiment = experiment;
  const fired = await pollUntil(ctx, settings.experimentStartMinutes, async () => {
    const seen = await ports.faults.get(region, id);
    if (!seen) return undefined;
    last = seen;
    const at = firedAt(seen);
    if (at) return at;
    // Ended without an action that acted: waiting longer changes nothing.
    return ENDED.includes(seen.status) ? null : undefined;
  });
  if (!fired) {
    const acted = last.actions.some((a) => ACTED.includes(a.status) && a.startedAt);
    const state = `FIS experiment ${id} in ${region} is ${last.status}${last.reason ? ` (${last.reason})` : ''}${fired === undefined ? ` after ${settings.experimentStartMinutes} minutes` : ''}`;
    const actions = last.actions.map((a) => `${a.name}: ${a.status}`).join(', ') || 'no actions';
    const reasons = [
      acted
        ? `the fault did not run as planned: ${state}, and not every fault action ran (${actions})`
        : `the fault never fired: ${state}, and none of its actions ran (${actions})`,
    ];
    if (record.experiment) record = { ...record, experiment: { ...record.experiment, ...experimentState(last) } };
    if (!ENDED.includes(last.status)) {
      try {
        await ports.faults.stop(region, id);
        reasons.push(`experiment ${id} was stopped`);
      } catch (error) {
        reasons.push(`stopping experiment ${id} failed (${messageOf(error)}); clean-up tries again`);
      }
    }
    return inconclusive(ctx, record, 'inject', reasons);
  }
  const experimentRecord = record.experiment ?? { id, region, templateId: last.templateId, startedAt: iso(fired) };
  return finish(
    ctx,
    { ...record, experiment: { ...experimentRecord, ...experimentState(last), firedAt: iso(fired) } },
    {
      phase: 'inject',
      status: 'succeeded',
      summary: `inject: FIS experiment ${id} is ${last.status} in ${region}; the fault fired at ${iso(fired)} (${last.actions.map((a) => `${a.name}: ${a.status}`).join(', ')})`,
    },
  );
}

/**
 * The recorded experiment as FIS has it now, or undefined when it cannot be read (logged: the score reads it
 * again and fails closed).
 */
export async function readExperiment(
  ctx: PhaseContext,
  recorded: GameDayRecord['experiment'],
): Promise<Experiment | undefined> {
  if (!recorded) return undefined;
  try {
    return await ctx.ports.faults.get(recorded.region, recorded.id);
  } catch (error) {
    ctx.ports.log(`FIS experiment ${recorded.id} in ${recorded.region} could not be read: ${messageOf(error)}`);
    return undefined;
  }
}

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
  const trafficMovedAt = stepEnd(run, /^shift-traffic$/);
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
