import { messageOf } from '../core/errors';
import { ledgerOrders, readGameDayLedger } from './gameday-ledger';
import type { GameDayVerdict, PhaseOutcome } from './gameday-phases';
import type { GameDayRecord } from './gameday-record';
import { finish, type PhaseContext } from './run-gameday-phase';

const ENDED: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];

/** At most this many order ids are named in the summary when orders were not removed. */
const FAILED_IDS_NAMED = 10;

/**
 * clean-up (always runs, whatever came before; each step is tried even when an earlier one failed, and the phase
 * fails when one did: run it again):
 *
 * - disables both Regions' shopper schedules (and records when: `traffic.stoppedAt`);
 * - stops the game day's experiment if it still runs; stopped before the failover succeeded, the game day cannot go
 *   on (the fault is gone), so it ends INCONCLUSIVE;
 * - removes the synthetic orders the ledger names, but only once the game day has a verdict: a clean-up between a
 *   failed phase and its resume is a pause, and the orders must still be there for the score.
 *
 * It repeats the game day's verdict.
 */
export async function cleanUpPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports } = ctx;
  let record = ctx.record;
  const regions = [input.failedRegion, input.survivingRegion];
  if (input.dryRun) {
    return {
      phase: 'clean-up',
      status: 'succeeded',
      summary: `clean-up (dry run): would disable the shopper schedules of ${regions.join(' and ')}, stop the experiment and remove the synthetic orders`,
    };
  }
  const now = () => ports.clock.now().toISOString();
  const done: string[] = [];
  const failed: string[] = [];
  const warnings: string[] = [];
  let stopped = true;
  for (const region of regions) {
    try {
      const enabled = await ports.schedules.isEnabled(region);
      if (enabled) await ports.schedules.disable(region);
      done.push(`shopper schedule of ${region}: ${enabled === undefined ? 'none' : 'disabled'}`);
    } catch (error) {
      stopped = false;
      failed.push(`shopper schedule of ${region}: not disabled (${messageOf(error)})`);
    }
  }
  if (record?.traffic && !record.traffic.stoppedAt && stopped) {
    record = { ...record, traffic: { ...record.traffic, stoppedAt: now() } };
  }
  let interrupted: string | undefined;
  if (record?.experiment) {
    const { id, region } = record.experiment;
    try {
      const experiment = await ports.faults.get(region, id);
      if (experiment && !ENDED.includes(experiment.status) && experiment.status !== 'stopping') {
        await ports.faults.stop(region, id);
        done.push(`FIS experiment ${id}: stopped (it was ${experiment.status})`);
        if (!record.verdict && record.failover?.status !== 'Success') {
          interrupted = `the game day was interrupted: clean-up stopped FIS experiment ${id} (${experiment.status}) before the failover succeeded, so the fault cannot be resumed`;
        }
      } else done.push(`FIS experiment ${id}: ${experiment ? experiment.status : 'not found'}`);
    } catch (error) {
      failed.push(`FIS experiment ${id} in ${region}: not stopped (${messageOf(error)})`);
    }
  }
  if (record && interrupted) {
    record = { ...record, verdict: 'INCONCLUSIVE', verdictReasons: [interrupted] };
    warnings.push(interrupted);
  }
  if (record?.verdict) {
    try {
      const ledger = await readGameDayLedger(ports.buckets, input);
      const orders = ledgerOrders(ledger.acks);
      const removed = await ports.orders.removeSynthetic(input.survivingRegion, orders);
      if (removed.note) warnings.push(`synthetic orders: ${removed.note}`);
      if (removed.failed.length > 0) {
        const named = removed.failed.slice(0, FAILED_IDS_NAMED);
        const more = removed.failed.length - named.length;
        failed.push(
          `synthetic orders: ${removed.failed.length} of ${orders.length} not removed (${named.join(', ')}${more > 0 ? ` and ${more} more` : ''})`,
        );
        if (removed.removed > 0) done.push(`synthetic orders: ${removed.removed} of ${orders.length} removed`);
      } else if (!removed.note || removed.removed > 0) {
        // An order the writer does not hold (lost in the failover, or removed by an earlier clean-up) is not counted.
        done.push(`synthetic orders: ${removed.removed} of ${orders.length} removed`);
      }
    } catch (error) {
      failed.push(`synthetic orders: not removed (${messageOf(error)})`);
    }
  } else if (record) {
    done.push(
      'synthetic orders: kept (the game day has no verdict yet: this clean-up is a pause; resume from start-traffic, then score)',
    );
  }
  const verdict: GameDayVerdict | undefined = record?.verdict;
  const lines = [...failed.map((l) => `FAILED: ${l}`), ...warnings.map((l) => `WARNING: ${l}`), ...done].join('\n');
  const outcome: PhaseOutcome = {
    phase: 'clean-up',
    status: failed.length > 0 ? 'failed' : 'succeeded',
    ...(verdict ? { verdict } : {}),
    ...(record?.evidenceUrl ? { evidenceUrl: record.evidenceUrl } : {}),
    summary: `clean-up${failed.length > 0 ? ': incomplete, run it again' : ''}${verdict ? ` (game day ${verdict})` : ''}\n${lines}`,
  };
  if (!record) return outcome;
  // A verdict already in the record is not written again as clean-up's; one clean-up decided (interrupted) is.
  const entry: PhaseOutcome = { phase: outcome.phase, status: outcome.status, summary: outcome.summary };
  await finish(ctx, record as GameDayRecord, entry);
  return outcome;
}
