import { createHash } from 'node:crypto';
import { type AcknowledgedWrite, parseLedger } from '../scoring/acknowledged-write';
import type { GameDayInput } from './gameday-phases';
import type { ReportBucketsPort, SyntheticOrderRef } from './gameday-ports';
import { ackPrefix } from './gameday-record';
import { CUSTOMER_COOKIE_DETAIL, type InvocationMarker } from './synthetic-shopper';

/** Every acknowledged write of a game day, and where each ledger object came from. */
export interface GameDayLedger {
  readonly acks: readonly AcknowledgedWrite[];
  /** `s3 report bucket of <region>: <key>` of every ledger object read. */
  readonly objects: readonly string[];
  /** SHA-256 of each ledger object's text as read, in the order of {@link objects} (review 16c S12). */
  readonly digests: readonly string[];
  /**
   * Why acknowledgments may be missing from {@link acks}, from the shoppers' invocation markers (review 16c S2): an
   * invocation that could not write some, one that never recorded its end, a ledger object an invocation wrote that
   * neither bucket holds. Empty when none is known to be missing; the score is INCONCLUSIVE otherwise.
   */
  readonly incomplete: readonly string[];
}

/**
 * How long after its start an invocation that has not recorded its end is taken as dead: the longest a Lambda
 * function can run: "you can adjust this in increments of 1 second up to a maximum value of 900 seconds (15
 * minutes)" (Lambda Developer Guide, "Configure Lambda function timeout").
 */
export const INVOCATION_MAX_MS = 15 * 60_000;

const MARKER = /\/invocations\/([^/]+)\.(started|done)\.json$/;

/**
 * Reads every ledger object of a game day from both Regions' report buckets (`gamedays/<id>/acks/…`), and the
 * shoppers' invocation markers: what an invocation says it wrote must be there, a write it could not make and an
 * invocation started more than {@link INVOCATION_MAX_MS} before `now` without an end are named in `incomplete`
 * (without `now`, an invocation without an end is not judged: it may still run).
 *
 * @throws LedgerError naming the object, the line and the field of a bad line (a ledger is never half read); Error
 * naming a listed object that cannot be read, or a marker that is not JSON.
 */
export async function readGameDayLedger(
  buckets: ReportBucketsPort,
  input: GameDayInput,
  now?: Date,
): Promise<GameDayLedger> {
  const acks: AcknowledgedWrite[] = [];
  const objects: string[] = [];
  const digests: string[] = [];
  const keys = new Set<string>();
  const markers = new Map<string, { started?: InvocationMarker; done?: InvocationMarker }>();
  for (const region of [input.failedRegion, input.survivingRegion]) {
    for (const key of await buckets.list(region, ackPrefix(input.gameDayId))) {
      const where = `s3 report bucket of ${region}: ${key}`;
      const marker = MARKER.exec(key);
      if (!key.endsWith('.jsonl') && !marker) continue;
      const text = await buckets.get(region, key);
      // Fail closed: a listed object that cannot be read may hold acknowledgments (review 16c S2).
      if (text === undefined) throw new Error(`${where} is listed but could not be read`);
      if (marker) {
        let parsed: InvocationMarker;
        try {
          parsed = JSON.parse(text) as InvocationMarker;
        } catch {
          throw new Error(`${where} is not JSON; accepted: an invocation marker the synthetic shopper writes`);
        }
        const attempt = marker[1] as string;
        markers.set(attempt, { ...markers.get(attempt), [marker[2] as 'started' | 'done']: parsed });
        continue;
      }
      acks.push(...parseLedger(text, where));
      objects.push(where);
      digests.push(createHash('sha256').update(text, 'utf8').digest('hex'));
      keys.add(key);
    }
  }
  const incomplete: string[] = [];
  for (const [attempt, { started, done }] of [...markers].sort(([a], [b]) => a.localeCompare(b))) {
    if (!done) {
      const startedAt = started ? Date.parse(started.startedAt) : Number.NaN;
      if (now && !(now.getTime() - startedAt < INVOCATION_MAX_MS)) {
        incomplete.push(
          `invocation ${attempt} started at ${started?.startedAt} and never recorded its end: what it acknowledged may be missing from the ledger`,
        );
      }
      continue;
    }
    const failed = done.failedPuts ?? [];
    if (failed.length > 0) {
      incomplete.push(
        `invocation ${attempt} could not write ${failed.length} acknowledgment(s): ${failed.map((f) => `${f.key} (${f.error})`).join('; ')}`,
      );
    }
    for (const key of done.ledgerKeys ?? []) {
      if (!keys.has(key)) incomplete.push(`invocation ${attempt} wrote ${key}, which neither report bucket holds`);
    }
  }
  return { acks, objects, digests, incomplete };
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
