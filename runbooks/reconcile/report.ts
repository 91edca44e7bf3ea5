import { z } from 'zod';
import type { CutSource } from './cut';
import type { ServerIdentity } from './server-identity';

/** Every class a compared row can end up in. See README.md for the exact rules. */
export const ROW_CLASSES = [
  'identical',
  'lost_insert',
  'lost_update',
  'possibly_lost',
  'conflict',
  'possible_duplicate',
  'unexplained',
  'superseded',
] as const;

/** See {@link ROW_CLASSES}. */
export type RowClass = (typeof ROW_CLASSES)[number];

/** The classes whose rows are listed in the report (all but `identical`). */
export type ReportedClass = Exclude<RowClass, 'identical'>;

/** {@link ReportedClass} as a list, in report order. */
export const REPORTED_CLASSES = ROW_CLASSES.filter((c): c is ReportedClass => c !== 'identical') as [
  ReportedClass,
  ...ReportedClass[],
];

/** The classes `apply` replays; every other reported class is left for a person. */
export const REPLAYED_CLASSES: readonly ReportedClass[] = ['lost_insert', 'lost_update'];

/**
 * The classes a person decides: `apply` leaves them alone, and holds back what belongs to them (the rest of their
 * order, rows whose foreign keys reference them). `possibly_lost` is replayed only when the operator says so
 * (`apply --replay-possibly-lost`).
 */
export const PERSON_CLASSES: readonly ReportedClass[] = [
  'possibly_lost',
  'conflict',
  'possible_duplicate',
  'unexplained',
];

/** Count per class. */
export type ClassCounts = Record<RowClass, number>;

/** A zeroed {@link ClassCounts}. */
export function emptyCounts(): ClassCounts {
  return Object.fromEntries(ROW_CLASSES.map((c) => [c, 0])) as ClassCounts;
}

/** One column of a compared table, in table order. */
export interface ColumnSpec {
  readonly name: string;
  /** `format_type()` of the column, e.g. `numeric(12,2)`. */
  readonly type: string;
  /** `GENERATED ALWAYS AS (…) STORED`: computed by Postgres, never written by a replay. */
  readonly generated?: boolean;
  /** An identity column: `always` needs `OVERRIDING SYSTEM VALUE` to be inserted and cannot be updated. */
  readonly identity?: 'always' | 'default' | null;
}

/** One row that is not identical on both sides. */
export interface ReportRow {
  readonly class: ReportedClass;
  readonly id: string;
  /** Why the row is in this class, in words an on-call person can act on. */
  readonly detail: string;
  /** The row on the old (restored) database as JSON, or null when absent there. */
  readonly old: Record<string, unknown> | null;
  /** The row on the new primary as JSON, or null when absent there. */
  readonly new: Record<string, unknown> | null;
  /** The old row as a Postgres record literal: exact for every type (JSON numbers are not), used by apply. */
  readonly oldRecord: string | null;
  /** `hash_record_extended` of the old row (decimal int8), null when absent. */
  readonly oldHash: string | null;
  /** The new row's hash when the report was made: apply updates only a row that still has it. */
  readonly newHash: string | null;
  /** The new row's `version` when the report was made. */
  readonly newVersion: number | null;
  /** For a possible duplicate: the id of the order re-placed on the new primary. */
  readonly duplicateOf: string | null;
  /** Idempotent SQL that would replay this row (lost_insert / lost_update only), run under `shop.replay = on`. */
  readonly proposedSql: string | null;
}

/** What the bucketed verify of one table found. */
export interface TableVerify {
  /** Number of id ranges the table was split into. */
  readonly buckets: number;
  /** Rows compared on the old side (outside the window). */
  readonly oldRows: number;
  /** Rows compared on the new side (outside the window). */
  readonly newRows: number;
  /** Buckets whose (count, hash sum) differed and were compared row by row. */
  readonly mismatchedBuckets: number;
  /** Milliseconds spent choosing the ranges, aggregating both sides, and comparing differing ranges row by row. */
  readonly ms: { readonly boundaries: number; readonly aggregate: number; readonly drill: number };
}

/** The result for one table. */
export interface TableReport {
  readonly columns: readonly ColumnSpec[];
  /** SQL expression (over alias `t`) used as the row hash on both sides. */
  readonly rowHash: string;
  readonly counts: ClassCounts;
  /** Rows of the old database with `updated_at >= windowStart`. */
  readonly candidates: number;
  /** Rows of the new primary with `updated_at >= windowStart`. */
  readonly newWindowRows: number;
  /** Of those, rows written on the new primary after the cut that the old side never had: not lost, not listed. */
  readonly newSideWrites: number;
  /** Null when verify was skipped. */
  readonly verify: TableVerify | null;
  /** Every non-identical row, sorted by class then id. */
  readonly rows: readonly ReportRow[];
}

/** Something the report did not compare; any gap makes the report `incomplete`. */
export interface ReportGap {
  /** The table concerned (schema-qualified outside schema public), or null for the whole report. */
  readonly table: string | null;
  /** What was not compared and what a person should do about it. */
  readonly reason: string;
}

/**
 * How a table that cannot be reconciled row by row was compared: as a whole, `(count, sum of exact row hashes)` on
 * each side. `identical` and `empty` leave nothing out; every other result is also a {@link ReportGap}.
 */
export interface OtherTableReport {
  /** Why the table is not reconciled row by row (the schema rules it breaks, or `--tables`). */
  readonly why: string;
  readonly result: 'identical' | 'empty' | 'differs' | 'old only' | 'new only' | 'not compared';
  /** Rows on the old side; null when the table is not there or was not read. */
  readonly oldRows: number | null;
  /** Rows on the new side; null when the table is not there or was not read. */
  readonly newRows: number | null;
}

/**
 * `complete`: every table with rows on either side was compared and every step succeeded. `incomplete`: every step
 * succeeded but something was not compared (see `gaps`): what the report lists is right, yet it does not show that
 * nothing else was lost. `failed`: a step failed (see `error`); the report proves nothing.
 */
export type ReportStatus = 'complete' | 'incomplete' | 'failed';

/** Where a compared database is, without its password. */
export interface DatabaseInfo {
  readonly url: string;
  readonly database: string | null;
  serverVersion: string | null;
  heartbeat: { readonly ts: string; readonly region: string } | null;
  /** What the server says about itself (system identifier, timeline, database oid …); null until read. */
  identity?: ServerIdentity | null;
}

/** How the new primary's clock relates to the cut, measured from the heartbeats (see clock-skew.ts). */
export interface ClockReport {
  /** `first-heartbeat` (the new writer's first heartbeat) or `tolerance` (none yet: the 5 min tolerance). */
  readonly source: 'first-heartbeat' | 'tolerance';
  /** The new writer's first heartbeat, new's clock (ISO µs), when recorded. */
  readonly firstNewHeartbeat: string | null;
  /** First new heartbeat − cut, seconds: negative means new's clock was behind old's by at least that much. */
  readonly gapSeconds: number | null;
  /** The earliest stamp (new's clock) a row the new primary wrote itself can carry. */
  readonly newWritesFrom: string;
  /** Where possible duplicates were searched from: the earliest of --failover-at, the cut and newWritesFrom. */
  readonly duplicatesSince: string;
  /** Lost updates turned into conflicts because new's copy may be a write of new stamped by a slow clock. */
  readonly lostUpdatesHeldBack: number;
}

/** How long one step took. */
export interface StepTiming {
  readonly step: string;
  readonly ms: number;
}

/** The missing-transaction report, as written to `report.json`. */
export interface ReconcileReport {
  readonly format: 'multi-region-shop/reconcile-report@2';
  status: ReportStatus;
  /** What was not compared: empty exactly when the status is `complete` (and while the report has not failed). */
  gaps: ReportGap[];
  readonly generatedAt: string;
  /** Last replicated moment (ISO 8601, µs), or null when the report failed before it was known. */
  cut: string | null;
  /**
   * `heartbeat` (read from the new primary), `handover` (the replicated heartbeat the new writer replaced, kept by
   * the handover trigger) or `option` (given by the caller).
   */
  cutSource: CutSource | null;
  /**
   * How far past the cut a write of old may still have replicated (old's clock), and the evidence: rows old wrote
   * in between that new lacks are `possibly_lost`. Null before the cut is known.
   */
  replicationStop?: { readonly mayHaveReplicatedUntil: string | null; readonly evidence: string } | null;
  /** cut − margin. */
  windowStart: string | null;
  readonly failoverAt: string;
  readonly marginSeconds: number;
  readonly verify: boolean;
  readonly databases: { old: DatabaseInfo; new: DatabaseInfo };
  /** How the clocks were handled; null when the report failed before the cut. */
  clock?: ClockReport | null;
  readonly tables: Record<string, TableReport>;
  /** Tables that cannot be reconciled row by row, each compared as a whole or named as not compared. */
  readonly otherTables: Record<string, OtherTableReport>;
  totals: ClassCounts;
  /** Statements to wrap every `proposedSql` in. */
  readonly applyPreamble: string;
  readonly timings: StepTiming[];
  /** Milliseconds from start until the lost-write classes were known (before verify). */
  lostWriteReportMs: number | null;
  totalMs: number | null;
  error: { step: string; message: string } | null;
}

/**
 * A row id as Postgres prints a `uuid` (`id::text`): any 128-bit value in 8-4-4-4-12 lowercase hex, whatever its
 * version and variant bits (Postgres accepts them all, e.g. `md5(…)::uuid`; zod's `uuid()` accepts only RFC 9562
 * variants and would refuse the whole report).
 */
export const POSTGRES_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const rowSchema = z.object({
  class: z.enum(REPORTED_CLASSES),
  id: z.string().regex(POSTGRES_UUID, 'not a uuid as Postgres prints it (8-4-4-4-12 lowercase hex)'),
  detail: z.string(),
  old: z.record(z.string(), z.unknown()).nullable(),
  new: z.record(z.string(), z.unknown()).nullable(),
  oldRecord: z.string().nullable(),
  oldHash: z
    .string()
    .regex(/^-?\d+$/)
    .nullable(),
  newHash: z
    .string()
    .regex(/^-?\d+$/)
    .nullable(),
  newVersion: z.number().int().nullable(),
  duplicateOf: z.string().nullable(),
  proposedSql: z.string().nullable(),
});

const heartbeatSchema = z.object({ ts: z.string(), region: z.string() }).nullable().optional();

const identitySchema = z.object({
  systemIdentifier: z.string().nullable(),
  timelineId: z.number().int().nullable(),
  inRecovery: z.boolean(),
  database: z.string(),
  databaseOid: z.number().int(),
  postmasterStartTime: z.string(),
  serverAddress: z.string().nullable().optional(),
  backendPid: z.number().int(),
  backendStart: z.string(),
});

/** The part of `report.json` that `apply` relies on, checked before anything is written. */
export const appliedReportSchema = z.object({
  format: z.literal('multi-region-shop/reconcile-report@2'),
  status: z.enum(['complete', 'incomplete', 'failed']),
  cut: z.string().nullable(),
  databases: z.object({
    old: z.object({ heartbeat: heartbeatSchema, identity: identitySchema.nullable().optional() }).optional(),
    new: z.object({
      database: z.string().nullable(),
      heartbeat: heartbeatSchema,
      identity: identitySchema.nullable().optional(),
    }),
  }),
  tables: z.record(
    z.string(),
    z.object({
      columns: z.array(z.object({ name: z.string(), type: z.string() })),
      rowHash: z.string(),
      rows: z.array(rowSchema),
    }),
  ),
  error: z.object({ step: z.string(), message: z.string() }).nullable(),
});

/** See {@link appliedReportSchema}. */
export type AppliedReport = z.infer<typeof appliedReportSchema>;
