import { messageOf } from '../core/errors';
import type { AcknowledgedWrite } from '../scoring/acknowledged-write';
import { type GameDayLedger, ledgerOrders, readGameDayLedger } from './gameday-ledger';
import type { PhaseOutcome } from './gameday-phases';
import type { HeldOrder } from './gameday-ports';
import type { GameDayRecord } from './gameday-record';
import { finish, type PhaseContext } from './run-gameday-phase';

/** Everything the score reads from AWS for one game day. */
export interface GameDayScoreData {
  readonly ledger: GameDayLedger;
  readonly newPrimary: Readonly<Record<string, HeldOrder>>;
  /** report.json of each database as recover stored it (parsed JSON), by database. */
  readonly reports: readonly { readonly database: string; readonly where: string; readonly json: unknown }[];
  readonly timeline: {
    readonly faultInjectedAt: string | null;
    readonly firstFailureAt: string | null;
    readonly detectedAt: string | null;
    readonly decidedAt: string | null;
    readonly trafficMovedAt: string | null;
    readonly writersMovedAt: string | null;
    readonly firstCheckoutAt: string | null;
  };
  readonly rpoLagBeforeFaultMs: number | null;
}

/** The first order placed (or placed again) after `after`, by the time its acknowledgment arrived. */
function firstCheckoutAfter(acks: readonly AcknowledgedWrite[], after: string | undefined): string | null {
  if (!after) return null;
  const from = Date.parse(after);
  const times = acks
    .filter((a) => (a.kind === 'order_placed' || a.kind === 'order_replaced') && Date.parse(a.acknowledged_at) > from)
    .map((a) => Date.parse(a.acknowledged_at));
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : null;
}

/**
 * Reads what the score judges: every ledger object of the game day from both report buckets, what the Region
 * now serving holds for each acknowledged order, recover's stored report of each database, the timeline from the
 * record and the ledger, and `AuroraGlobalDBRPOLag` before the fault. Returns the reasons it could not instead.
 */
export async function readScoreData(
  ctx: PhaseContext,
  record: GameDayRecord,
): Promise<{ data?: GameDayScoreData; missing: string[] }> {
  const { input, ports } = ctx;
  const missing: string[] = [];
  let ledger: GameDayLedger;
  try {
    ledger = await readGameDayLedger(ports.buckets, input);
  } catch (error) {
    return { missing: [`the acknowledgment ledger could not be read: ${messageOf(error)}`] };
  }
  if (ledger.acks.length === 0) missing.push('traffic never flowed: the ledger holds no acknowledged write');
  const newPrimary =
    ledger.acks.length > 0 ? await ports.orders.lookup(input.survivingRegion, ledgerOrders(ledger.acks)) : {};
  const reports: { database: string; where: string; json: unknown }[] = [];
  if (!record.recover) missing.push('no recover execution recorded: run recover first');
  else {
    for (const database of ports.regions.databases()) {
      const key = `${record.recover.reportPrefix}${database}/report.json`;
      const where = `s3 report bucket of ${input.survivingRegion}: ${key}`;
      const text = await ports.buckets.get(input.survivingRegion, key);
      if (text === undefined) {
        missing.push(`the missing-transaction report of ${database} is not at ${where}`);
        continue;
      }
      try {
        reports.push({ database, where, json: JSON.parse(text) });
      } catch {
        missing.push(`${where} is not JSON`);
      }
    }
  }
  const faultInjectedAt = record.experiment?.firedAt ?? null;
  let rpoLagBeforeFaultMs: number | null = null;
  if (faultInjectedAt) {
    try {
      rpoLagBeforeFaultMs = await ports.regions.rpoLagBeforeMs(input.survivingRegion, new Date(faultInjectedAt));
    } catch (error) {
      ports.log(`AuroraGlobalDBRPOLag before the fault could not be read: ${messageOf(error)}`);
    }
  }
  return {
    missing,
    data: {
      ledger,
      newPrimary,
      reports,
      timeline: {
        faultInjectedAt,
        firstFailureAt: null,
        detectedAt: null,
        decidedAt: record.failover?.startedAt ?? null,
        trafficMovedAt: record.failover?.trafficMovedAt ?? null,
        writersMovedAt: record.failover?.writersMovedAt ?? null,
        firstCheckoutAt: firstCheckoutAfter(ledger.acks, faultInjectedAt ?? undefined),
      },
      rpoLagBeforeFaultMs,
    },
  };
}

/**
 * score: reads the ledger, the new primary's orders and recover's reports ({@link readScoreData}), scores them with
 * the scoring shared with the drill, stores the evidence pack under object lock and records the verdict.
 */
export async function scorePhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input } = ctx;
  if (input.dryRun) {
    return {
      phase: 'score',
      status: 'succeeded',
      summary: '**score (dry run)**: would score the game day and store its evidence pack',
    };
  }
  const record = ctx.record as GameDayRecord;
  const { missing } = await readScoreData(ctx, record);
  const reasons = [...missing, 'the scoring module (runbooks/scoring/score-run.ts) is not integrated yet'];
  return finish(
    ctx,
    record,
    {
      phase: 'score',
      status: 'inconclusive',
      verdict: 'INCONCLUSIVE',
      summary: `**score: INCONCLUSIVE**\n\n${reasons.map((r) => `- ${r}`).join('\n')}`,
    },
    reasons,
  );
}
