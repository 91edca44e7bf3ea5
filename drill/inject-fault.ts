import { CUT_MARGIN_MS } from '../runbooks/scoring/expected-classes';
import { DRILL_WAITS, type DrillContext } from './drill-context';
import type { OrderAnswer } from './traffic/order-changes';
import type { AcknowledgedOrder } from './traffic/shopper-journey';

/** What the fault left for after the failover: the order moved on one side, and the lost order to place again. */
export interface InjectedFault {
  /** The order whose address the standby Region changes again (a conflict). */
  readonly contested: AcknowledgedOrder;
  /** The first stranded order, which its shopper places again after the failover; none with `--lost-writes 0`. */
  readonly replaced?: { readonly order: AcknowledgedOrder; readonly seen: OrderAnswer };
}

/**
 * Decides what the failover loses (after {@link warmUp} and the readiness preflight): replication is cut once the
 * standbys have everything, exactly `--lost-writes` acknowledged orders land in the primary Region only, then a cancel and two
 * address changes of replicated orders (issue 16), then the primary Region fails. The moments go into
 * `ctx.moments` as they happen.
 */
export async function injectFault(ctx: DrillContext): Promise<InjectedFault> {
  const { options, generator, shop, timeline, moments, changes } = ctx;
  const { primary } = ctx.report.regions;
  const phase = ctx.console.phase.bind(ctx.console);

  // The fault, part 1: replication stops. Traffic pauses for it so that everything acknowledged so far has
  // reached the standbys; from here on, every acknowledged order stays in the primary Region only.
  await phase(
    'cut',
    'replication cut: Postgres streams of catalog and orders, and the table copier',
    async () => {
      generator.pause();
      await generator.drain();
      await shop.waitForCatchUp();
      await shop.cutReplication();
      moments.cutAt = Date.now();
      timeline.mark('fault', 'replication cut', moments.cutAt);
    },
    () => `standbys had replayed everything; ${generator.orders.length} orders replicated`,
  );

  const beforeStrand = generator.orders.length;
  await phase(
    'strand',
    `${options.lostWrites} acknowledged order(s) land in ${primary} only`,
    async () => {
      if (options.lostWrites === 0) return;
      generator.resume(options.lostWrites);
      await generator.waitFor(
        () => generator.orders.length - beforeStrand >= options.lostWrites && generator.running === 0,
        DRILL_WAITS.strandMs,
        `${options.lostWrites} acknowledged orders after the cut`,
      );
      generator.pause();
    },
    () => `${generator.orders.length - beforeStrand} stranded`,
  );
  moments.strandedIds = generator.orders.slice(beforeStrand).map((o) => o.orderId);

  // The shoppers' other writes land in the primary Region only too (issue 16): a cancel and an address change of
  // replicated orders (lost updates), an address change the standby Region changes again after the failover (a
  // conflict); and what the shopper of the first stranded order saw, to place it again after the failover.
  const [cancelled, moved, contested] = generator.orders.slice(0, beforeStrand);
  const replacedOrder = generator.orders[beforeStrand];
  const seen = await phase(
    'change',
    `in ${primary} only: a shopper cancels an order, two change their address${replacedOrder ? '; the lines of a stranded order are noted' : ''}`,
    async () => {
      await changes.cancel(cancelled!, primary);
      await changes.changeAddress(moved!, primary, {
        address1: '1 Stranded Street',
        city: 'Hampton',
        zipCode: '23666',
      });
      // The score judges a change acknowledged within CUT_MARGIN_MS of the last replicated moment as on neither side
      // (review 16c S5): the contested change is made clearly after the cut, so that it is a conflict.
      const clear = (moments.cutAt ?? 0) + CUT_MARGIN_MS + 250 - Date.now();
      if (clear > 0) await new Promise((resolve) => setTimeout(resolve, clear));
      await changes.changeAddress(contested!, primary, {
        address1: '2 Old Side Road',
        city: 'Boston',
        zipCode: '02108',
      });
      return replacedOrder ? changes.read(replacedOrder.orderId, primary) : undefined;
    },
    () => `order ${cancelled!.orderId} cancelled, ${moved!.orderId} and ${contested!.orderId} moved`,
  );

  // The fault, part 2: the primary Region is lost.
  await phase(
    'fault',
    `${primary} fails: Postgres primaries killed (SIGKILL), services and dynalite stopped`,
    async () => {
      moments.faultAt = Date.now();
      timeline.mark('fault', `${primary} fails`, moments.faultAt);
      await shop.failRegion(primary);
      generator.resume();
    },
    () => `${primary} is down; shoppers keep coming`,
  );
  return { contested: contested!, ...(replacedOrder && seen ? { replaced: { order: replacedOrder, seen } } : {}) };
}
