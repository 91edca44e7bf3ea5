import { messageOf } from '../core/errors';
import { ACTED, ENDED, experimentState, firedAt } from './experiment-state';
import type { PhaseOutcome } from './gameday-phases';
import type { Experiment } from './gameday-ports';
import type { GameDayRecord } from './gameday-record';
import { inconclusive, iso, pollUntil } from './phase-waits';
import { finish, type PhaseContext } from './run-gameday-phase';

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
