import { messageOf } from '../core/errors';
import { ledgerOrders, readGameDayLedger } from './gameday-ledger';
import type { PhaseOutcome } from './gameday-phases';
import { finish, type PhaseContext } from './run-gameday-phase';

const ENDED: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];

/**
 * clean-up (always runs, whatever came before): disables both Regions' shopper schedules, stops the game day's
 * experiment if it still runs, and removes the synthetic orders the ledger names. Each step is tried even when an
 * earlier one failed; the phase fails when one did (run it again). It repeats the game day's verdict.
 */
export async function cleanUpPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports, record } = ctx;
  const regions = [input.failedRegion, input.survivingRegion];
  if (input.dryRun) {
    return {
      phase: 'clean-up',
      status: 'succeeded',
      summary: `**clean-up (dry run)**: would disable the shopper schedules of ${regions.join(' and ')}, stop the experiment and remove the synthetic orders`,
    };
  }
  const done: string[] = [];
  const failed: string[] = [];
  const warnings: string[] = [];
  for (const region of regions) {
    try {
      const enabled = await ports.schedules.isEnabled(region);
      if (enabled) await ports.schedules.disable(region);
      done.push(`shopper schedule of ${region}: ${enabled === undefined ? 'none' : 'disabled'}`);
    } catch (error) {
      failed.push(`shopper schedule of ${region}: not disabled (${messageOf(error)})`);
    }
  }
  if (record?.experiment) {
    const { id, region } = record.experiment;
    try {
      const experiment = await ports.faults.get(region, id);
      if (experiment && !ENDED.includes(experiment.status) && experiment.status !== 'stopping') {
        await ports.faults.stop(region, id);
        done.push(`FIS experiment ${id}: stopped (it was ${experiment.status})`);
      } else done.push(`FIS experiment ${id}: ${experiment ? experiment.status : 'not found'}`);
    } catch (error) {
      failed.push(`FIS experiment ${id} in ${region}: not stopped (${messageOf(error)})`);
    }
  }
  if (record) {
    try {
      const ledger = await readGameDayLedger(ports.buckets, input);
      const orders = ledgerOrders(ledger.acks);
      const removed = await ports.orders.removeSynthetic(input.survivingRegion, orders);
      if (removed.note) warnings.push(`synthetic orders: ${removed.note}`);
      if (removed.failed.length > 0) {
        failed.push(
          `synthetic orders: ${removed.failed.length} of ${orders.length} not removed (${removed.failed.join(', ')})`,
        );
      } else if (!removed.note) done.push(`synthetic orders: ${removed.removed} of ${orders.length} removed`);
    } catch (error) {
      failed.push(`synthetic orders: not removed (${messageOf(error)})`);
    }
  }
  const verdict = record?.verdict;
  const lines = [
    ...failed.map((l) => `- ❌ ${l}`),
    ...warnings.map((l) => `- ⚠️ ${l}`),
    ...done.map((l) => `- ${l}`),
  ].join('\n');
  const outcome: PhaseOutcome = {
    phase: 'clean-up',
    status: failed.length > 0 ? 'failed' : 'succeeded',
    ...(verdict ? { verdict } : {}),
    ...(record?.evidenceUrl ? { evidenceUrl: record.evidenceUrl } : {}),
    summary: `**clean-up${failed.length > 0 ? ': incomplete, run it again' : ''}**${verdict ? ` (game day ${verdict})` : ''}\n\n${lines}`,
  };
  if (!record) return outcome;
  // The verdict is already in the record: clean-up's entry does not carry it again.
  await finish(ctx, record, { phase: outcome.phase, status: outcome.status, summary: outcome.summary });
  return outcome;
}
