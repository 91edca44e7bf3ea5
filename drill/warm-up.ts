import { NEW_WRITER_START_MICROS } from '../runbooks/reconcile/clock-skew';
import { DRILL_WAITS, type DrillContext } from './drill-context';

/** See runbooks/reconcile/clock-skew.ts: rows the new primary may have written start at its first heartbeat − 5 s. */
const CHANGED_ORDER_AGE_MS = Number(NEW_WRITER_START_MICROS / 1000n) + 500;

/**
 * Decides when the shop is warm: traffic replicates normally until `2 × --order-rate` orders (at least 3) are
 * acknowledged and the second is old enough to be changed later without being a conflict; the canary runs its
 * journey meanwhile (its result is each Region's canary alarm, which the readiness preflight reads next).
 */
export async function warmUp(ctx: DrillContext): Promise<void> {
  const { options, generator } = ctx;
  const warmOrders = Math.max(3, Math.ceil(options.orderRate * 2));
  await ctx.console.phase(
    'warm-up',
    `traffic at ${options.orderRate} orders/s until ${warmOrders} orders are acknowledged${ctx.canaryRuns ? '; canary before the fault' : ''}`,
    async () => {
      generator.resume();
      const before = ctx.canary('before-fault');
      await generator.waitFor(
        () => generator.orders.length >= warmOrders,
        DRILL_WAITS.warmUpMs,
        `${warmOrders} acknowledged orders`,
      );
      const run = await before;
      // The orders shoppers cancel or move later must be older than the earliest moment the new primary can have
      // written itself (its first heartbeat − 5 s): a newer row's lost update is rightly held back as a conflict.
      await generator.waitFor(
        () => Date.now() - generator.orders[1]!.ackAt > CHANGED_ORDER_AGE_MS,
        DRILL_WAITS.warmUpMs,
        `orders ${CHANGED_ORDER_AGE_MS / 1000} s old`,
      );
      return run;
    },
    (run) =>
      `${generator.orders.length} orders acknowledged${run ? `; canary ${run.status}${run.error ? ` (${run.error})` : ''}` : ''}`,
  );
}
