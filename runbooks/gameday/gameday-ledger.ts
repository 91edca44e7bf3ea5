import { type AcknowledgedWrite, parseLedger } from '../scoring/acknowledged-write';
import type { GameDayInput } from './gameday-phases';
import type { ReportBucketsPort, SyntheticOrderRef } from './gameday-ports';
import { ackPrefix } from './gameday-record';

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
    if (!orders.has(ack.order_id)) orders.set(ack.order_id, { orderId: ack.order_id, shopper: ack.shopper });
    if (ack.replaces && !orders.has(ack.replaces))
      orders.set(ack.replaces, { orderId: ack.replaces, shopper: ack.shopper });
  }
  return [...orders.values()];
}
