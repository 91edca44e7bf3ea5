import { z } from 'zod';
import { POSTGRES_UUID, REPORTED_CLASSES, type ReportedClass, type ReportStatus } from '../reconcile/report';
import { type AcknowledgedWrite, ISO_INSTANT } from './acknowledged-write';

/**
 * What the new primary holds for one order, read after the failover (before any replay): absent, or present with
 * its state. `null` for a state field means it was not read; an acknowledged write that needs it cannot be judged.
 */
export type OrderOnNewPrimary =
  | { readonly present: false }
  | {
      readonly present: true;
      /** Soft-deleted (`DELETE /orders/:id`); null when not read. */
      readonly cancelled: boolean | null;
      /** The order's shipping address fields, in the names `address_changed`'s `detail` uses; null when not read. */
      readonly address: Readonly<Record<string, string | number>> | null;
    };

/** One row of a missing-transaction report, as far as the scoring reads it (a subset of reconcile's ReportRow). */
export interface ScoredReportRow {
  readonly class: ReportedClass;
  readonly id: string;
  readonly old: Readonly<Record<string, unknown>> | null;
  readonly new: Readonly<Record<string, unknown>> | null;
  readonly duplicateOf: string | null;
}

/** A missing-transaction report (`reconcile-report@2` report.json), as far as the scoring reads it. */
export interface ScoredReport {
  readonly format: 'multi-region-shop/reconcile-report@2';
  readonly status: ReportStatus;
  /** Last replicated moment (ISO 8601), or null when the report failed before it was known. */
  readonly cut: string | null;
  readonly gaps?: readonly { readonly table: string | null; readonly reason: string }[];
  readonly error?: { readonly step: string; readonly message: string } | null;
  readonly tables: Readonly<Record<string, { readonly rows: readonly ScoredReportRow[] }>>;
}

/** The report of one database, as recover stored it. */
export interface DatabaseReport {
  /** The database's name in the topology, e.g. `orders`. */
  readonly database: string;
  readonly report: ScoredReport;
}

/** What happened when, each an ISO 8601 time or null when not known. Phases run in this order. */
export interface RunTimeline {
  /** The fault was injected (FIS experiment started; the drill's Region failure). */
  readonly faultInjectedAt: string | null;
  /** The first shopper request that failed at or after the fault. */
  readonly firstFailureAt: string | null;
  /** The failure was detected (alarm, the drill's health checks). */
  readonly detectedAt: string | null;
  /** Someone (or something) decided to fail over: the failover runbook started. */
  readonly decidedAt: string | null;
  /** Routing sends shoppers to the surviving Region. */
  readonly trafficMovedAt: string | null;
  /** Every global database's writer is in the surviving Region. */
  readonly writersMovedAt: string | null;
  /**
   * The end of RTO: the first checkout the surviving Region acknowledged after the writers moved, of an order on
   * the new primary ({@link firstCheckoutOnNewPrimary}); null when none was, or the writers' move is not known.
   */
  readonly firstCheckoutAt: string | null;
}

/** Recovery objectives the run is judged against. */
export interface ScoreTargets {
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
}

/** Everything {@link scoreRun} judges. Plain data: C reads it from AWS, the drill from its own records. */
export interface ScoreInput {
  /** The ledger: every write the synthetic shoppers were told succeeded. */
  readonly acks: readonly AcknowledgedWrite[];
  /**
   * What the new primary holds, by order id, for every order the ledger names (`order_id` and `replaces`). An
   * order missing here was not looked up: the run is INCONCLUSIVE.
   */
  readonly newPrimary: Readonly<Record<string, OrderOnNewPrimary>>;
  /**
   * What the primary holds after recovery (a replay of the report), when one ran; used to find duplicates: a
   * re-placed order whose original came back. @default - duplicates are looked for in {@link newPrimary} only
   */
  readonly afterRecovery?: Readonly<Record<string, OrderOnNewPrimary>> | null;
  /** The missing-transaction reports recover stored, one per database. */
  readonly reports: readonly DatabaseReport[];
  readonly timeline: RunTimeline;
  /** `AuroraGlobalDBRPOLag` just before the fault, in milliseconds; null when not known (the drill has none). */
  readonly rpoLagBeforeFaultMs: number | null;
  readonly targets: ScoreTargets;
  /**
   * Whether only the synthetic shoppers wrote during the run (the drill: true). Then a reported order no shopper
   * wrote counts against precision; otherwise (a game day next to real traffic) it is only counted, not scored.
   */
  readonly onlySyntheticTraffic: boolean;
  /**
   * Writes the shoppers sent without an acknowledgment coming back (such a write may exist and be lost); null
   * when not known. Reported orders of the shoppers beyond this number that the ledger does not name count
   * against precision.
   */
  readonly unacknowledgedWrites: number | null;
}

const rowSchema = z.object({
  class: z.enum(REPORTED_CLASSES),
  id: z.string().regex(POSTGRES_UUID),
  old: z.record(z.string(), z.unknown()).nullable(),
  new: z.record(z.string(), z.unknown()).nullable(),
  duplicateOf: z.string().nullable(),
});

/** The part of a stored report.json the scoring reads: {@link parseScoredReport} checks it. */
export const scoredReportSchema = z.object({
  format: z.literal('multi-region-shop/reconcile-report@2'),
  status: z.enum(['complete', 'incomplete', 'failed']),
  // Review 16c S9: a cut that is not a time, or has no zone (read in the runner's zone), is refused.
  cut: z
    .string()
    .regex(ISO_INSTANT, 'not an ISO 8601 time with a zone; accepted: such as "2026-12-07T05:00:30Z"')
    .nullable(),
  gaps: z.array(z.object({ table: z.string().nullable(), reason: z.string() })).optional(),
  error: z.object({ step: z.string(), message: z.string() }).nullable().optional(),
  tables: z.record(z.string(), z.object({ rows: z.array(rowSchema) })),
});

/**
 * Reads a stored report.json for scoring.
 *
 * @throws Error naming the report, each bad field, the value's problem and what is accepted.
 */
export function parseScoredReport(json: unknown, source: string): ScoredReport {
  const result = scoredReportSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(report)'}: ${i.message}`);
  throw new Error(
    `${source}: not a missing-transaction report the scoring can read (${problems.join('; ')}); accepted: report.json of reconcile, format "multi-region-shop/reconcile-report@2"`,
  );
}
