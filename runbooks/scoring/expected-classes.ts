import type { AcknowledgedWrite } from './acknowledged-write';
import type { OrderOnNewPrimary } from './score-input';

/** The classes a run is scored on: what the shoppers' acknowledged writes say the report must list. */
export const SCORED_CLASSES = ['lost_insert', 'lost_update', 'possible_duplicate', 'conflict'] as const;

/** See {@link SCORED_CLASSES}. */
export type ScoredClass = (typeof SCORED_CLASSES)[number];

/** How each scored class is named in sentences (capitalise for a heading). */
export const CLASS_WORDS: Readonly<Record<ScoredClass, string>> = {
  lost_insert: 'lost insert',
  lost_update: 'lost update',
  possible_duplicate: 'possible duplicate',
  conflict: 'conflict',
};

/** A recall or precision as people read it: `66.7 %`, `—` when there is none. */
export const percent = (ratio: number | null): string => (ratio === null ? '—' : `${Math.round(ratio * 1000) / 10} %`);

/** What the ledger and the new primary together say about one order the shoppers wrote. */
export interface ExpectedOrder {
  readonly orderId: string;
  /** The class the report must list the order in; null when nothing of it was lost. */
  readonly expected: ScoredClass | null;
  /** The acknowledged writes behind {@link expected} (the ones the new primary lacks), in time order. */
  readonly lostWrites: readonly AcknowledgedWrite[];
  /** For a possible duplicate: the order the shopper placed again. */
  readonly replacedBy: string | null;
  /** Why, in one clause. */
  readonly why: string;
  /**
   * A change of another Region was acknowledged within {@link CUT_MARGIN_MS} of the cut, and none clearly after:
   * whether it replicated cannot be told, so the report may list the order as a conflict or a lost update, or not at
   * all (review 16c S5). {@link expected} then holds what is certain (a lost update, or null).
   */
  readonly ambiguousAtCut?: true;
}

/**
 * How close to the last replicated moment an acknowledgment must be for its change to be judged on one side of it
 * (review 16c S5): the shopper stamps its acknowledgment when the answer arrives (after the commit, by the response
 * latency), on its own clock, while the cut is the old database's clock. Within this margin either side of the
 * cut, whether the change replicated is not judged. The same idea as reconcile's margin before the cut
 * (`possibly_lost`), at the precision of clocks and one answer.
 */
export const CUT_MARGIN_MS = 1000;

/** An order the ledger names that cannot be judged, and why. */
export interface UnjudgedOrder {
  readonly orderId: string;
  readonly why: string;
}

const UPDATE_KINDS = new Set(['order_cancelled', 'address_changed']);
const byTime = (a: AcknowledgedWrite, b: AcknowledgedWrite) =>
  Date.parse(a.acknowledged_at) - Date.parse(b.acknowledged_at);

function addressMatches(
  detail: Readonly<Record<string, string | number>> | undefined,
  address: Readonly<Record<string, string | number>>,
): boolean {
  return Object.entries(detail ?? {}).every(([field, value]) => String(address[field]) === String(value));
}

/**
 * The ground truth of a run, order by order, from what the shoppers were told and what the new primary holds.
 *
 * - absent from the new primary: `lost_insert`, or `possible_duplicate` when the shopper placed it again after the
 *   failover (an `order_replaced` names it): a replay would charge the shopper twice.
 * - present, with an acknowledged cancel the new primary does not show (not soft-deleted), or whose last
 *   acknowledged address change is not its address: `lost_update`.
 * - `conflict` (changed on both sides) instead when two Regions acknowledged a change of the same kind (two cancels,
 *   two address changes: the same row) and the earlier Region's was acknowledged after the last replicated moment
 *   (`cutMs`): the old and the new database each hold a change of that row the other lacks. A write acknowledged
 *   before the cut reached the replica (replication is in commit order), so it cannot be one side of a conflict; a
 *   cancel on one side and an address change on the other touch different rows (a lost update of one of them).
 *
 * A change acknowledged within `marginMs` of the cut is on neither side: the order is {@link ExpectedOrder.ambiguousAtCut}.
 *
 * @param cutMs the last replicated moment (ms since the epoch), null when not known: then an overwritten write of the
 *   other Region cannot be told from a replicated one and such orders are unjudged.
 * @param marginMs see {@link CUT_MARGIN_MS}.
 */
export function expectedClasses(
  acks: readonly AcknowledgedWrite[],
  newPrimary: Readonly<Record<string, OrderOnNewPrimary>>,
  cutMs: number | null,
  marginMs: number = CUT_MARGIN_MS,
): { readonly orders: ExpectedOrder[]; readonly unjudged: UnjudgedOrder[] } {
  const byOrder = new Map<string, AcknowledgedWrite[]>();
  const replacedBy = new Map<string, string>();
  for (const ack of acks) {
    byOrder.set(ack.order_id, [...(byOrder.get(ack.order_id) ?? []), ack]);
    if (ack.kind === 'order_replaced' && ack.replaces) replacedBy.set(ack.replaces, ack.order_id);
  }
  const orders: ExpectedOrder[] = [];
  const unjudged: UnjudgedOrder[] = [];
  for (const [orderId, writes] of [...byOrder.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    writes.sort(byTime);
    const state = newPrimary[orderId];
    const replacement = replacedBy.get(orderId) ?? null;
    if (state === undefined) {
      unjudged.push({ orderId, why: 'not looked up on the new primary' });
      continue;
    }
    if (!state.present) {
      orders.push({
        orderId,
        expected: replacement ? 'possible_duplicate' : 'lost_insert',
        lostWrites: writes,
        replacedBy: replacement,
        why: replacement
          ? `absent from the new primary, and the shopper placed it again as ${replacement}`
          : 'acknowledged, absent from the new primary',
      });
      continue;
    }
    const updates = writes.filter((w) => UPDATE_KINDS.has(w.kind));
    const cancels = updates.filter((w) => w.kind === 'order_cancelled');
    const addresses = updates.filter((w) => w.kind === 'address_changed');
    if (addresses.some((w) => Object.keys(w.detail ?? {}).length === 0)) {
      // Review 16c S11: without the address it set, an address change can be neither found nor lost.
      unjudged.push({ orderId, why: 'an address change of it was acknowledged without its detail' });
      continue;
    }
    if ((cancels.length > 0 && state.cancelled === null) || (addresses.length > 0 && state.address === null)) {
      unjudged.push({ orderId, why: 'its state (cancelled, address) was not read on the new primary' });
      continue;
    }
    const lost: AcknowledgedWrite[] = [];
    if (cancels.length > 0 && state.cancelled === false) lost.push(...cancels);
    const lastAddress = addresses[addresses.length - 1];
    if (lastAddress && state.address && !addressMatches(lastAddress.detail, state.address)) lost.push(lastAddress);
    // Both sides changed the same row: the other Region's change of the same kind, acknowledged after the cut,
    // is on the old database only (a cancel and an address change touch different rows: no conflict).
    const otherSide = [cancels, addresses].flatMap((same) => {
      const last = same[same.length - 1];
      return last ? same.filter((w) => w.region !== last.region) : [];
    });
    if (otherSide.length > 0 && cutMs === null) {
      unjudged.push({ orderId, why: 'two Regions changed it and the last replicated moment is not known' });
      continue;
    }
    const overwritten = otherSide.filter((w) => Date.parse(w.acknowledged_at) > cutMs! + marginMs);
    const bothSides = overwritten.length > 0;
    const atCut = !bothSides && otherSide.some((w) => Math.abs(Date.parse(w.acknowledged_at) - cutMs!) <= marginMs);
    const regions = new Set(
      [...overwritten, ...updates.filter((w) => w.kind === overwritten[0]?.kind)].map((w) => w.region),
    );
    const lostWrites = [...new Set([...lost, ...overwritten])].sort(byTime);
    orders.push({
      orderId,
      expected: bothSides ? 'conflict' : lost.length > 0 ? 'lost_update' : null,
      lostWrites,
      replacedBy: replacement,
      why: bothSides
        ? `changed in ${[...regions].sort().join(' and ')}: a change acknowledged after the last replicated moment is not on the new primary`
        : lost.length > 0
          ? `present, but ${lost.map((w) => w.kind.replace('_', ' ')).join(' and ')} acknowledged and not on the new primary`
          : 'present with every acknowledged change',
      ...(atCut ? { ambiguousAtCut: true as const } : {}),
    });
  }
  return { orders, unjudged };
}
