import { failover } from '../runbooks/orchestrations';
import { ordersOnPrimary } from './adapters/orders-on-primary';
import { detectRegionDown } from './detect-region-down';
import { DRILL_WAITS, type DrillContext, iso, message } from './drill-context';
import type { InjectedFault } from './inject-fault';
import { drillLedger } from './report/drill-score';

/** Consecutive failed health checks of the primary's ui that count as "the Region is down", and their interval. */
const DETECTION = { failures: 3, intervalMs: 200 } as const;

/**
 * Decides when shoppers can buy again and what they lost: the health checks detect the failed Region, the runbooks'
 * failover moves traffic and writers, traffic runs until a checkout is acknowledged (RTO ends; the canary runs
 * again), the standby Region changes the contested order again and the shopper of a lost order places it again
 * (issue 16), then traffic pauses and every order of the ledger is looked up on the new primary.
 */
export async function failOver(ctx: DrillContext, fault: InjectedFault): Promise<void> {
  const { options, report, shop, generator, timeline, moments, changes } = ctx;
  const { primary, standby } = report.regions;
  const phase = ctx.console.phase.bind(ctx.console);
  const faultAt = moments.faultAt!;

  const healthUrls = shop.topology.regions[primary]?.healthUrls ?? [];
  const detected = await phase(
    'detect',
    `health checks of ${primary}'s ui (${DETECTION.failures} consecutive failures, ${DETECTION.intervalMs} ms apart)`,
    async () => {
      const down = await detectRegionDown(ctx.ports.ports.health, primary, healthUrls, {
        ...DETECTION,
        timeoutMs: DRILL_WAITS.detectMs,
      });
      timeline.mark('detect', `${primary} detected down`, down.at);
      return down;
    },
    (down) => `${primary} is down (${down.detail})`,
  );
  report.rto.detected_at = iso(detected.at);

  report.rto.failover_started_at = iso(Date.now());
  const failoverResult = await phase(
    'failover',
    `runbook failover → ${standby} (the orchestration of runbooks/, local adapters)`,
    () =>
      ctx.runbooks.run(
        failover,
        { targetRegion: standby, failedRegion: primary },
        `drill: ${primary} lost (seed ${options.seed})`,
      ),
    (r) => `${r.status} in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.steps.length} steps)`,
  );
  moments.failoverEndAt = Date.now();
  report.rto.failover_finished_at = iso(moments.failoverEndAt);
  report.rpo.last_replicated_heartbeat = iso(shop.clusters.orders.promotedCut?.getTime());
  if (failoverResult.status !== 'succeeded') {
    report.failures.push(
      `the failover orchestration failed: ${failoverResult.error?.step}: ${failoverResult.error?.message}`,
    );
  }

  const firstCheckout = await phase(
    'serve',
    `traffic through the front door until a checkout succeeds in ${standby}${ctx.canaryRuns ? '; canary after the failover' : ''}`,
    async () => {
      const after = ctx.canary('after-failover');
      let checkoutAt: number | undefined;
      try {
        await generator.waitFor(
          () => generator.orders.some((o) => o.ackAt > faultAt),
          DRILL_WAITS.checkoutMs,
          `a checkout after the failover`,
        );
        checkoutAt = generator.orders.find((o) => o.ackAt > faultAt)!.ackAt;
        timeline.mark('rto', 'first checkout after the fault', checkoutAt);
      } catch (error) {
        report.failures.push(`the shop is not serving checkouts after failover: ${message(error)}`);
      }
      return { checkoutAt, run: await after };
    },
    ({ checkoutAt, run }) =>
      `${checkoutAt ? `first checkout ${((checkoutAt - faultAt) / 1000).toFixed(1)} s after the fault` : 'no checkout'}${run ? `; canary ${run.status}${run.error ? ` (${run.error})` : ''}` : ''}`,
  );
  report.rto.first_checkout_after_fault_at = iso(firstCheckout.checkoutAt);

  const { contested, replaced } = fault;
  await phase(
    'after',
    `in ${standby}: the shopper of ${contested.orderId} changes its address again (a conflict)${replaced ? `; the shopper of ${replaced.order.orderId}, which it cannot see, places it again (a possible duplicate)` : ''}`,
    async () => {
      await changes.changeAddress(contested, standby, {
        address1: '3 New Side Avenue',
        city: 'Seattle',
        zipCode: '98101',
      });
      if (replaced) await changes.replace(replaced.order, replaced.seen, standby);
    },
    () => `${changes.acks.length} changes acknowledged in all`,
  );

  // What the shoppers lost, from the generator's own records: acknowledged orders the new primary lacks. The
  // traffic pauses from here until the failback: on this one machine the shoppers would compete with the
  // recovery for the same two cores, which on AWS run in different places.
  await phase(
    'count',
    'traffic pauses; acknowledged orders looked up by id on the new orders primary',
    async () => {
      generator.pause();
      await generator.drain();
      const ledger = [...drillLedger(generator.orders), ...changes.acks];
      ctx.scoring.ledger = ledger;
      ctx.scoring.newPrimary = await ordersOnPrimary(shop.clusters.orders.writerUrl(), [
        ...new Set(ledger.map((a) => a.order_id)),
      ]);
      report.acknowledged_lost_ids = generator.orders
        .map((o) => o.orderId)
        .filter((id) => !ctx.scoring.newPrimary[id]?.present);
      report.acknowledged_lost = report.acknowledged_lost_ids.length;
    },
    () => `${report.acknowledged_lost} of ${generator.orders.length} acknowledged orders are missing`,
  );
  report.order_changes = {
    cancelled: changes.report.cancelled,
    address_changed: changes.report.addressChanged,
    changed_on_both_sides: changes.report.changedOnBothSides,
    replaced: changes.report.replaced,
  };
}
