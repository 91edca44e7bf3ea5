import { type AcknowledgedWrite, parseLedger } from '../scoring/acknowledged-write';
import type { GameDayInput } from './gameday-phases';
import type { ReportBucketsPort, SyntheticOrderRef } from './gameday-ports';
import { ackPrefix } from './gameday-record';
import { CUSTOMER_COOKIE_DETAIL } from './synthetic-shopper';

/** Every acknowledged write of a game day, and where each ledger object came from. */
export interface GameDayLedger {
  readonly acks: readonly AcknowledgedWrite[];
  /** `s3 report bucket of <region>: <key>` of every ledger object read. */
  readonly objects: readonly string[];
}

/**
 * Reads every ledger object of a game day from both Regions' report buckets (`gamedays/<id>/acks/…`).
 *
 * @throws LedgerError naming the object, the line and the field of a bad line (a ledger is never half read).
 */
export async function readGameDayLedger(buckets: ReportBucketsPort, input: GameDayInput): Promise<GameDayLedger> {
  const acks: AcknowledgedWrite[] = [];
  const objects: string[] = [];
  for (const region of [input.failedRegion, input.survivingRegion]) {
    for (const key of await buckets.list(region, ackPrefix(input.gameDayId))) {
      if (!key.endsWith('.jsonl')) continue;
      const where = `s3 report bucket of ${region}: ${key}`;
      const text = await buckets.get(region, key);
      if (text === undefined) continue;
      acks.push(...parseLedger(text, where));
      objects.push(where);
    }
  }
  return { acks, objects };
}

/** The synthetic orders a ledger names (placed and replaced orders, once each), with their shopper. */
export function ledgerOrders(acks: readonly AcknowledgedWrite[]): SyntheticOrderRef[] {
  const orders = new Map<string, SyntheticOrderRef>();
  for (const ack of acks) {
    const cookie = ack.detail?.[CUSTOMER_COOKIE_DETAIL];
    const ref = (orderId: string): SyntheticOrderRef => ({
      orderId,
      shopper: ack.shopper,
      ...(typeof cookie === 'string' && cookie !== '' ? { cookie } : {}),
    });
    if (!orders.has(ack.order_id)) orders.set(ack.order_id, ref(ack.order_id));
    if (ack.replaces && !orders.has(ack.replaces)) orders.set(ack.replaces, ref(ack.replaces));
  }
  return [...orders.values()];
}
