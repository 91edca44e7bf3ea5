import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { readHeartbeat } from './cut';
import { closeSide, connectSide, type DatabaseSide, limitsOf, sessionLimitProblems } from './database-side';
import { postgresUrlProblem } from './database-url';
import { explainStepError } from './postgres-error';
import { ReferencedOrders } from './referenced-order';
import { readReplayColumns } from './replay-columns';
import { insertSql, updateSql } from './replay-sql';
import { type AppliedReport, appliedReportSchema, type ColumnSpec, PERSON_CLASSES, type ReportedClass } from './report';
import { REPORT_FILES } from './report-files';
import { readServerIdentity, targetProblem } from './server-identity';
import { qualifiedTable, quoteIdent, tableRows } from './sql-text';
import { displayName, isKnownRowHash, parentsFirst } from './table-spec';
import { microsToIso } from './timestamp';

/** Namespace of the deterministic `order.recovered` event ids (uuid v5 of `order.recovered:<order id>`). */
export const RECOVERED_EVENT_NAMESPACE = '6f1d3c52-2a7e-4d8e-9a41-3b0c5e7d9f10';

/** The id of the `order.recovered` event of an order: the same on every run, so the event is written once. */
export function recoveredEventId(orderId: string): string {
  return uuidv5(`order.recovered:${orderId}`, RECOVERED_EVENT_NAMESPACE);
}

/** Options of {@link applyReport}. */
export interface ApplyOptions {
  /** Folder holding report.json and report.json.sha256 written by reconcile. */
  readonly reportDir: string;
  /** The promoted new primary the report was made against. */
  readonly newUrl: string;
  /** Receives one line per table. @default - no progress */
  readonly onProgress?: (line: string) => void;
  /**
   * `lock_timeout` in seconds (`--lock-timeout`): a row another transaction holds longer is not waited for; its
   * order is listed as not applied with the reason and the other orders go on. @default 10
   */
  readonly lockTimeoutSeconds?: number;
  /** `statement_timeout` in seconds (`--statement-timeout`). @default 1800 */
  readonly statementTimeoutSeconds?: number;
  /**
   * Apply to a target whose server started at another time or answers on another address than the new primary
   * reconcile read (`--accept-target-change`): only after checking it is the live writer of the promoted primary
   * (restarted, or failed over in-Region), not a physical copy of it. @default false
   */
  readonly acceptTargetChange?: boolean;
  /**
   * Replay the `possibly_lost` rows too (`--replay-possibly-lost`), as lost inserts: only when nothing on the new
   * primary deletes such rows (the shop never hard-deletes orders, and the synthetic-order purge is off), so a row
   * new lacks never reached it. Each is still inserted only while new has no row with its id. @default false
   */
  readonly replayPossiblyLost?: boolean;
}

/** What apply did to one table. */
export interface ApplyTableResult {
  inserted: number;
  updated: number;
  /** Rows already as the report wants them (a previous apply): nothing done. */
  alreadyApplied: number;
  /** Rows the new primary changed since the report: left alone, re-run reconcile. */
  changedSinceReport: number;
  /** Lost inserts another unique key already holds on the new primary (e.g. the same idempotency key). */
  blocked: number;
  /** Rows whose statement failed (a constraint, a trigger): the error is in `notApplied`. */
  failed: number;
  /**
   * Rows never tried because their unit builds on a row a person decides (a conflict, possible duplicate or
   * unexplained row: their order, one of the order's own rows, or a row a foreign key references).
   */
  heldBack: number;
  /** Rows that were tried and would have applied, rolled back with their unit because another row of it was not. */
  rolledBack: number;
  /** Rows of units never tried because apply stopped (the connection was lost): run apply again. */
  notTried: number;
}

/** A row apply did not touch, and why. */
export interface RowLeftAlone {
  readonly table: string;
  readonly id: string;
  readonly class: ReportedClass;
  readonly reason: string;
  /** The unit (an order and its rows, or one row) the row was replayed in, e.g. `order 0190…`. */
  readonly unit?: string;
}

/** A row apply wrote. */
export interface RowApplied {
  readonly table: string;
  readonly id: string;
  readonly class: ReportedClass;
  readonly unit: string;
  readonly outcome: 'inserted' | 'updated';
}

/** The outcome of {@link applyReport}. */
export interface ApplyResult {
  /**
   * `applied`: every lost insert and lost update is in the new primary (now or by an earlier run), and no possibly
   * lost row was left out; `partial`: some units were not applied (listed in `notApplied`, each with its reason),
   * or possibly lost rows were left for a person (in `leftForPerson`: without `--replay-possibly-lost` they are
   * lost rows not in place), the others committed; `failed`: nothing was written (the report or the target was
   * refused, or the connection failed before the first unit).
   */
  status: 'applied' | 'partial' | 'failed';
  readonly tables: Record<string, ApplyTableResult>;
  /** `order.recovered` outbox events written (one per order whose rows were replayed). */
  eventsWritten: number;
  /** Rows inserted + updated + events written: 0 on a second run. */
  changes: number;
  /** Units (an order with its rows, or one row of a table without orders) committed / not applied. */
  unitsApplied: number;
  unitsNotApplied: number;
  /** Identity and serial sequences moved past the replayed values, so the new primary never hands them out again. */
  readonly sequencesAdvanced: string[];
  /** Conflicts, possible duplicates and unexplained rows: a person decides. */
  readonly leftForPerson: RowLeftAlone[];
  /** Lost rows that were not replayed: changed since the report, blocked, failed, or held back with their unit. */
  readonly notApplied: RowLeftAlone[];
  /** Rows this run inserted or updated, each with its unit (rows already in place are only counted). */
  readonly applied: RowApplied[];
  error: string | null;
}

/**
 * The report with its `possibly_lost` rows replayed as lost inserts (`--replay-possibly-lost`), or left as they are
 * (for a person).
 */
function withPossiblyLostAs(report: AppliedReport, as: 'lost_insert' | 'possibly_lost'): AppliedReport {
  if (as === 'possibly_lost') return report;
  const tables = Object.fromEntries(
    Object.entries(report.tables).map(([name, table]) => [
      name,
      {
        ...table,
        rows: table.rows.map((row) =>
          row.class === 'possibly_lost' ? { ...row, class: 'lost_insert' as const } : row,
        ),
      },
    ]),
  );
  return { ...report, tables };
}

async function readVerifiedReport(reportDir: string): Promise<AppliedReport> {
  const jsonPath = path.join(reportDir, REPORT_FILES.json);
  const shaPath = path.join(reportDir, REPORT_FILES.sha256);
  let json: Buffer;
  let sha: string;
  try {
    [json, sha] = await Promise.all([readFile(jsonPath), readFile(shaPath, 'utf8')]);
  } catch (error) {
    throw new Error(
      `--report: cannot read ${jsonPath} and ${shaPath} (${(error as Error).message}); accepted: a folder written by "runbook reconcile --out"`,
    );
  }
  const expected = sha.trim().split(/\s+/)[0];
  const actual = createHash('sha256').update(json).digest('hex');
  if (expected !== actual) {
    throw new Error(
      `--report: ${jsonPath} does not match ${REPORT_FILES.sha256} (sha256 ${actual}, recorded ${expected}): the report changed after reconcile wrote it. Do not apply it; run reconcile again.`,
    );
  }
  const raw: unknown = JSON.parse(json.toString('utf8'));
  if ((raw as { format?: unknown } | null)?.format === 'multi-region-shop/reconcile-report@1') {
    throw new Error(
      `--report: ${jsonPath} was written by an older reconcile (format reconcile-report@1), which called rows written in the moment replication stopped lost inserts although new may have deleted them: replaying it could re-create such rows. Run reconcile again and apply the new report.`,
    );
  }
  const parsed = appliedReportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`--report: ${jsonPath} is not a reconcile report: ${issue.path.join('.')}: ${issue.message}`);
  }
  const report = parsed.data;
  // An incomplete report (a table or verify left out) lists rows that are right: they are replayed; what it did
  // not compare stays unknown, which the report and reconcile's exit code already say.
  if (report.status === 'failed') {
    throw new Error(
      `--report: the report's status is ${report.status} (step ${report.error?.step}: ${report.error?.message}). A failed report proves nothing and is never applied: fix the cause, run reconcile again, then apply the new report.`,
    );
  }
  for (const [name, table] of Object.entries(report.tables)) {
    // Apply runs the expression, so it only takes one reconcile writes for the table's columns (isKnownRowHash).
    if (!isKnownRowHash(table.rowHash, table.columns)) {
      throw new Error(
        `--report: table ${name} has an unknown row hash ${JSON.stringify(table.rowHash)}; run reconcile again`,
      );
    }
  }
  return report;
}

/** A single-column foreign key of a replayed table to the `id` of another table (a report key). */
interface IdReference {
  readonly column: string;
  readonly parent: string;
}

/** A foreign key of a replayed table, any columns (`columns` of this table → `refs` of `parent`). */
interface ForeignKey {
  readonly columns: string[];
  readonly parent: string;
  readonly refs: string[];
}

/** What apply needs of each replayed table on the target: its columns (with replay flags), parents and kind. */
interface TargetTable {
  readonly columns: ColumnSpec[];
  readonly parents: string[];
  /** Foreign keys to another table's `id`: a row belongs to the unit of the row it references. */
  readonly references: IdReference[];
  /** Every foreign key (to `id` or to another unique key, one column or several): what a held-back row holds back. */
  readonly foreignKeys: ForeignKey[];
  /** A plain table (not partitioned): read and updated `ONLY`, its inheritance children being their own tables. */
  readonly plain: boolean;
}

async function checkTarget(
  side: DatabaseSide,
  report: AppliedReport,
  tables: readonly string[],
  acceptTargetChange = false,
): Promise<Map<string, TargetTable>> {
  // Which database this is, from what it says about itself: the report's new primary, not a database of the
  // same name (the restored snapshot has every name the new primary has).
  const identity = await readServerIdentity(side);
  const problem = targetProblem(
    identity,
    { new: report.databases.new.identity ?? null, old: report.databases.old?.identity ?? null },
    { acceptTargetChange },
  );
  if (problem) throw new Error(problem);
  const expected = report.databases.new.database;
  if (expected && expected !== identity.database) {
    throw new Error(
      `--new-url: connected to database ${JSON.stringify(identity.database)} but the report was made against ${JSON.stringify(expected)}; apply to the database the report compared`,
    );
  }
  const oldBeat = report.databases.old?.heartbeat;
  const newBeat = report.databases.new.heartbeat;
  if (oldBeat && newBeat) {
    const beat = await readHeartbeat(side);
    if (beat && beat.region === oldBeat.region && microsToIso(beat.ts) === oldBeat.ts && oldBeat.ts !== newBeat.ts) {
      throw new Error(
        `--new-url: the target's heartbeat (${oldBeat.ts}, ${oldBeat.region}) is the OLD side's last heartbeat in the report, not the new primary's (${newBeat.ts}, ${newBeat.region}): this is the restored snapshot. Apply to the promoted new primary.`,
      );
    }
  }
  const result = new Map<string, TargetTable>();
  for (const table of tables) {
    const columns = await readReplayColumns(side, table);
    const now = columns.map((c) => `${c.name} ${c.type}`).join(', ');
    const then = report.tables[table]!.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    if (now !== then) {
      throw new Error(
        `table ${table} on the new primary no longer has the columns the report saw (now: ${now || 'no table'}; report: ${then}): the schema changed since reconcile; run reconcile again`,
      );
    }
    const fks = await side.client.query<{
      schema: string;
      parent: string;
      column: string | null;
      ref: string | null;
      self: boolean;
      columns: string[];
      refs: string[];
    }>(
      `SELECT pn.nspname AS schema, p.relname AS parent, k.confrelid = k.conrelid AS self,
              ARRAY(SELECT ca.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u (n, i)
                      JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.n ORDER BY u.i) AS columns,
              ARRAY(SELECT ra.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u (n, i)
                      JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = u.n ORDER BY u.i) AS refs,
              CASE WHEN cardinality(k.conkey) = 1 THEN a.attname::text END AS column,
              CASE WHEN cardinality(k.confkey) = 1 THEN pa.attname::text END AS ref
         FROM pg_constraint k
         JOIN pg_class p ON p.oid = k.confrelid
         JOIN pg_namespace pn ON pn.oid = p.relnamespace
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
        WHERE k.contype = 'f' AND k.conrelid = to_regclass($1)`,
      [qualifiedTable(table)],
    );
    const kind = await side.client.query<{ kind: string }>(
      'SELECT relkind::text AS kind FROM pg_class WHERE oid = to_regclass($1)',
      [qualifiedTable(table)],
    );
    // A self-reference (nodes.parent_id → nodes.id) orders rows within the table, not the table among tables.
    const parents = fks.rows.filter((r) => !r.self).map((r) => displayName(r.schema, r.parent));
    const references = fks.rows
      .filter((r) => r.column !== null && r.ref === 'id')
      .map((r) => ({ column: r.column!, parent: displayName(r.schema, r.parent) }));
    const foreignKeys = fks.rows.map((r) => ({
      columns: r.columns,
      parent: displayName(r.schema, r.parent),
      refs: r.refs,
    }));
    result.set(table, { columns, parents, references, foreignKeys, plain: kind.rows[0]?.kind === 'r' });
  }
  return result;
}

async function currentHash(
  side: DatabaseSide,
  table: string,
  plain: boolean,
  rowHash: string,
  id: string,
): Promise<string | undefined> {
  const result = await side.client.query<{ h: string }>(
    `SELECT (${rowHash})::text AS h FROM ${tableRows(table, plain)} AS t WHERE t.id = $1::uuid`,
    [id],
  );
  return result.rows[0]?.h;
}

async function hasOutbox(side: DatabaseSide): Promise<boolean> {
  const result = await side.client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_attribute
      WHERE attrelid = to_regclass('public.order_events') AND attname IN ('id', 'order_id', 'type', 'payload') AND NOT attisdropped`,
  );
  return result.rows[0]!.n === '4';
}

type ReplayRow = AppliedReport['tables'][string]['rows'][number];

/** One row to replay, with its table. */
interface UnitRow {
  readonly table: string;
  readonly row: ReplayRow;
}

/** A unit of atomicity being built: its order, its rows, and why it is held back (when it is). */
interface Unit {
  readonly orderId?: string;
  readonly rows: UnitRow[];
  /** Per row (by report row): why it is held back without being tried, when it references a row a person decides. */
  readonly holds: Map<ReplayRow, string>;
}

/**
 * The unit of atomicity: an order and every replayed row that belongs to it (`orders.id`, the `order_id` of a child
 * table, or, for a row without `order_id`, the unit of the replayed row its foreign key to an `id` references: a
 * grandchild follows its line; when that row is not replayed, the order it belongs to on the target, see
 * {@link ReferencedOrders}), so an order is never half recovered; any other row is a unit of its own.
 */
async function unitOf(
  table: string,
  row: ReplayRow,
  references: readonly IdReference[],
  unitOfRow: ReadonlyMap<string, string>,
  units: ReadonlyMap<string, Unit>,
  referencedOrders: ReferencedOrders,
): Promise<{ key: string; orderId?: string }> {
  if (table === 'orders') return { key: `order ${row.id}`, orderId: row.id };
  const orderId = row.old?.order_id;
  if (typeof orderId === 'string') return { key: `order ${orderId}`, orderId };
  for (const reference of references) {
    const value = row.old?.[reference.column];
    const key = typeof value === 'string' ? unitOfRow.get(`${reference.parent}\n${value}`) : undefined;
    if (key !== undefined) return { key, orderId: units.get(key)?.orderId };
  }
  // The row it references is not replayed (unchanged, e.g. a note on an order line): its order on the target.
  const referenced = row.old ? await referencedOrders.orderOfRow(table, row.old) : undefined;
  if (referenced !== undefined) return { key: `order ${referenced}`, orderId: referenced };
  return { key: `${table} ${row.id}` };
}

/**
 * The replayed rows of one table, each after the replayed rows of the same table its self-references (a foreign
 * key of the table to its own `id`, e.g. `nodes.parent_id`) point to, so a parent is inserted before its child and
 * the child joins the parent's unit. Rows in a cycle keep the report's order.
 */
function selfReferencesFirst(
  table: string,
  rows: readonly ReplayRow[],
  references: readonly IdReference[],
): ReplayRow[] {
  const self = references.filter((r) => r.parent === table);
  if (self.length === 0) return [...rows];
  const byId = new Map(rows.map((row) => [row.id, row] as const));
  const done = new Set<ReplayRow>();
  const visiting = new Set<ReplayRow>();
  const sorted: ReplayRow[] = [];
  const visit = (row: ReplayRow) => {
    if (done.has(row) || visiting.has(row)) return;
    visiting.add(row);
    for (const reference of self) {
      const value = row.old?.[reference.column];
      const parent = typeof value === 'string' ? byId.get(value) : undefined;
      if (parent !== undefined && parent !== row) visit(parent);
    }
    visiting.delete(row);
    done.add(row);
    sorted.push(row);
  };
  for (const row of rows) visit(row);
  return sorted;
}

/**
 * Why a replayed row must be held back without being tried: its order, or a row its foreign key references, is a
 * conflict, possible duplicate or unexplained row that a person decides (replaying it would build on a guess).
 */
function holdOf(
  row: ReplayRow,
  orderId: string | undefined,
  references: readonly IdReference[],
  leftForPerson: ReadonlyMap<string, ReportedClass>,
  leftInOrder: ReadonlyMap<string, string>,
  foreignKeys: readonly ForeignKey[],
  leftByKey: (key: ForeignKey) => ReadonlyMap<string, ReplayRow>,
): string | undefined {
  const orderClass = orderId === undefined ? undefined : leftForPerson.get(`orders\n${orderId}`);
  if (orderClass !== undefined) {
    return `its order ${orderId} is a ${orderClass}, left for a person: held back with it (decide the order first, then run reconcile again)`;
  }
  // An order is never half recovered: a row of its own (order_id = the order) that a person decides holds back
  // every replayed row of the order, the order's own lost update included.
  const inOrder = orderId === undefined ? undefined : leftInOrder.get(orderId);
  if (inOrder !== undefined) {
    return `its order ${orderId} has ${inOrder}, left for a person: the whole order is held back (decide that row first, then run reconcile again)`;
  }
  for (const reference of references) {
    const value = row.old?.[reference.column];
    const parentClass = typeof value === 'string' ? leftForPerson.get(`${reference.parent}\n${value}`) : undefined;
    if (parentClass !== undefined) {
      return `it references ${reference.parent} ${value} (${reference.column}), a ${parentClass} left for a person: held back with it`;
    }
  }
  // A foreign key to another unique key (a code) or of several columns: matched against the referenced columns of
  // the rows a person decides, as old and as new have them.
  for (const key of foreignKeys) {
    if (key.columns.length === 1 && key.refs[0] === 'id') continue;
    const tuple = fkTuple(row.old, key.columns);
    const left = tuple === undefined ? undefined : leftByKey(key).get(tuple);
    if (left !== undefined) {
      return `it references ${key.parent} ${left.id} (${key.columns.join(', ')} → ${key.refs.join(', ')}), a ${left.class} left for a person: held back with it`;
    }
  }
  return undefined;
}

/** The values of `columns` of a row as one string, or undefined when one is NULL (the key then references nothing). */
function fkTuple(record: Record<string, unknown> | null | undefined, columns: readonly string[]): string | undefined {
  if (!record) return undefined;
  const values = columns.map((c) => record[c]);
  return values.some((v) => v === null || v === undefined) ? undefined : JSON.stringify(values);
}

/** Why one row was not applied, or undefined when it is in place (changed now or already before). */
type RowOutcome =
  | { readonly kind: 'inserted' | 'updated' | 'alreadyApplied' }
  | { readonly kind: 'changedSinceReport' | 'blocked' | 'failed'; readonly reason: string };

/**
 * Why an `INSERT … ON CONFLICT DO NOTHING` wrote no row while the row is absent: the same insert without
 * `ON CONFLICT`, in a savepoint that is always rolled back, either fails with a unique (or exclusion) violation
 * naming the constraint that holds it, or writes 0 rows again: a BEFORE INSERT trigger cancelled it ("returning
 * NULL … skip the operation for the current row", PostgreSQL docs, Overview of Trigger Behavior).
 */
async function insertWroteNothing(
  side: DatabaseSide,
  name: string,
  columns: readonly ColumnSpec[],
  row: ReplayRow,
): Promise<RowOutcome> {
  await side.client.query('SAVEPOINT probe_insert');
  try {
    const probe = await side.client.query(insertSql(name, columns, { record: '$1' }, false), [row.oldRecord]);
    await side.client.query('ROLLBACK TO SAVEPOINT probe_insert');
    if ((probe.rowCount ?? 0) === 0) {
      return {
        kind: 'failed',
        reason:
          'the insert wrote 0 rows and no other row holds its keys: a BEFORE INSERT trigger on the new primary cancelled it (returned NULL); a person decides',
      };
    }
    return {
      kind: 'failed',
      reason:
        'the insert wrote 0 rows, yet a second try without ON CONFLICT wrote it (another transaction changed the table meanwhile): run apply again',
    };
  } catch (error) {
    await side.client.query('ROLLBACK TO SAVEPOINT probe_insert');
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' || code === '23P01') {
      return {
        kind: 'blocked',
        reason: `another row on the new primary holds one of its unique keys (${constraint ?? (error as Error).message}; e.g. the same idempotency key): probably re-placed; a person decides`,
      };
    }
    return {
      kind: 'failed',
      reason: `the insert wrote 0 rows; without ON CONFLICT it fails: ${(error as Error).message}`,
    };
  }
}

async function replayRow(
  side: DatabaseSide,
  name: string,
  table: AppliedReport['tables'][string],
  target: TargetTable,
  row: ReplayRow,
): Promise<RowOutcome> {
  const { columns, plain } = target;
  if (row.oldRecord === null) return { kind: 'failed', reason: 'the report has no old row to replay' };
  await side.client.query('SAVEPOINT replay_row');
  let changed: number;
  try {
    changed =
      row.class === 'lost_insert'
        ? ((await side.client.query(insertSql(name, columns, { record: '$1' }), [row.oldRecord])).rowCount ?? 0)
        : ((
            await side.client.query(
              updateSql(name, columns, table.rowHash, { record: '$1', id: '$2', version: '$3', hash: '$4' }, plain),
              [row.oldRecord, row.id, row.newVersion, row.newHash],
            )
          ).rowCount ?? 0);
    await side.client.query('RELEASE SAVEPOINT replay_row');
  } catch (error) {
    await side.client.query('ROLLBACK TO SAVEPOINT replay_row');
    if ((error as { code?: string }).code === '42501') {
      const rls = /row-level security/.test((error as Error).message);
      return {
        kind: 'failed',
        reason: `the role apply connects as may not write this row (${rls ? 'a row-level security policy applies to it: every connection sets row_security = off, so Postgres refuses instead of filtering; connect as a role with BYPASSRLS or the table owner' : `GRANT it INSERT and UPDATE on ${name}`}; Postgres: ${(error as Error).message}), then run apply again`,
      };
    }
    if ((error as { code?: string }).code === '55P03') {
      return {
        kind: 'failed',
        reason: `the row is locked on the new primary by another transaction, not released within lock_timeout (${side.limits.lockTimeoutSeconds} s; Postgres: ${(error as Error).message}): run apply again once that transaction has ended`,
      };
    }
    return {
      kind: 'failed',
      reason: `the ${row.class === 'lost_insert' ? 'insert' : 'update'} failed: ${(error as Error).message}`,
    };
  }
  if (changed === 1) {
    // Exact or nothing: the row now on the new primary must be old's row, to the hash.
    const now = await currentHash(side, name, plain, table.rowHash, row.id);
    if (now !== row.oldHash) {
      return {
        kind: 'failed',
        reason: `after the replay the row's hash is ${now ?? 'absent'}, not old's ${row.oldHash}: a trigger or a default on the new primary changed it; nothing of its order was kept`,
      };
    }
    return { kind: row.class === 'lost_insert' ? 'inserted' : 'updated' };
  }
  const now = await currentHash(side, name, plain, table.rowHash, row.id);
  if (now !== undefined && now === row.oldHash) return { kind: 'alreadyApplied' };
  if (row.class === 'lost_insert' && now === undefined) return insertWroteNothing(side, name, columns, row);
  if (row.class === 'lost_update' && now !== undefined && now === row.newHash) {
    // The row is exactly as the report saw it (its version is part of the hash), so the UPDATE's WHERE matched it:
    // a BEFORE UPDATE trigger returned NULL and skipped it.
    return {
      kind: 'failed',
      reason:
        'the update wrote 0 rows although the row is as the report saw it: a BEFORE UPDATE trigger on the new primary cancelled it (returned NULL); a person decides',
    };
  }
  return {
    kind: 'changedSinceReport',
    reason:
      now === undefined
        ? 'the row was deleted on the new primary since the report; run reconcile again'
        : 'the row changed on the new primary since the report; run reconcile again',
  };
}

const emptyTableResult = (): ApplyTableResult => ({
  inserted: 0,
  updated: 0,
  alreadyApplied: 0,
  changedSinceReport: 0,
  blocked: 0,
  failed: 0,
  heldBack: 0,
  rolledBack: 0,
  notTried: 0,
});

/**
 * Moves every identity or serial sequence of the replayed tables past the largest value now in its column, so
 * the new primary does not hand out a value a replayed row already has.
 */
async function advanceSequences(side: DatabaseSide, tables: Map<string, TargetTable>): Promise<string[]> {
  const advanced: string[] = [];
  for (const [table, target] of tables) {
    for (const column of target.columns) {
      const seq = await side.client.query<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [
        qualifiedTable(table),
        column.name,
      ]);
      const sequence = seq.rows[0]?.s;
      if (!sequence) continue;
      const moved = await side.client.query<{ v: string }>(
        `SELECT setval($1::regclass, m)::text AS v
           FROM (SELECT max(${quoteIdent(column.name)})::int8 AS m FROM ${qualifiedTable(table)}) AS x
          WHERE m IS NOT NULL AND m > coalesce(pg_sequence_last_value($1::regclass), m - 1)`,
        [sequence],
      );
      if (moved.rows.length > 0) advanced.push(`${sequence} → ${moved.rows[0]!.v}`);
    }
  }
  return advanced;
}

/**
 * Replays a complete report's lost inserts and lost updates into the new primary under
 * `SET LOCAL shop.replay = 'on'` (rows keep the updated_at/version they had on the old primary), parents before
 * children, one transaction per unit: an order with all its replayed rows (and its `order.recovered` event), or
 * one row of a table without orders. A unit is all or nothing: when one of its rows changed since the report, is
 * blocked by another unique key, fails, or does not come out byte-exact, the unit is rolled back and every row of
 * it is listed in `notApplied` with the reason; the other units still commit (status `partial`). Idempotent:
 * inserts do nothing when the row exists, updates only touch a row that still has the version and hash the
 * report saw, and event ids are deterministic, so a second run changes nothing. Conflicts, possible duplicates and
 * unexplained rows are listed, never touched. Refuses, before writing anything, a report whose sha256 does not
 * match, a failed report, and a target that is not the report's new primary (system identifier, timeline,
 * database oid, heartbeat). Never throws.
 */
export async function applyReport(options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = {
    status: 'failed',
    tables: {},
    eventsWritten: 0,
    changes: 0,
    unitsApplied: 0,
    unitsNotApplied: 0,
    sequencesAdvanced: [],
    leftForPerson: [],
    notApplied: [],
    applied: [],
    error: null,
  };
  let side: DatabaseSide | undefined;
  // Units not yet done: when apply stops (the connection lost), each is listed in notApplied.
  const untried = new Map<string, Unit>();
  try {
    const urlProblem = postgresUrlProblem('--new-url', options.newUrl);
    if (urlProblem) throw new Error(urlProblem);
    const limitProblems = sessionLimitProblems(options);
    if (limitProblems.length > 0) throw new Error(limitProblems.join('; '));
    const report = withPossiblyLostAs(
      await readVerifiedReport(options.reportDir),
      options.replayPossiblyLost === true ? 'lost_insert' : 'possibly_lost',
    );
    const reportSha = createHash('sha256')
      .update(await readFile(path.join(options.reportDir, REPORT_FILES.json)))
      .digest('hex');
    for (const [table, t] of Object.entries(report.tables)) {
      for (const row of t.rows) {
        if (PERSON_CLASSES.includes(row.class)) {
          const reason =
            row.class === 'possibly_lost'
              ? `${row.detail}. Not replayed: run apply with --replay-possibly-lost if nothing on the new primary deletes such rows, or decide it`
              : row.detail;
          result.leftForPerson.push({ table, id: row.id, class: row.class, reason });
        }
      }
    }
    const replayTables = Object.keys(report.tables).filter((name) =>
      report.tables[name]!.rows.some((r) => r.class === 'lost_insert' || r.class === 'lost_update'),
    );
    side = await connectSide('new', options.newUrl, undefined, limitsOf(options));
    const targets = await checkTarget(side, report, replayTables, options.acceptTargetChange);
    const order = parentsFirst(replayTables.map((name) => ({ name, parents: targets.get(name)?.parents ?? [] })));
    // Rows a person decides (conflict, possible_duplicate, unexplained), by table and id: what references them is
    // held back with them.
    const leftForPerson = new Map<string, ReportedClass>(
      result.leftForPerson.map((r) => [`${r.table}\n${r.id}`, r.class] as const),
    );
    // Per order, the first of its own rows (order_id = the order, on either side) a person decides.
    const leftInOrder = new Map<string, string>();
    for (const [table, t] of Object.entries(report.tables)) {
      for (const row of t.rows) {
        if (!PERSON_CLASSES.includes(row.class)) continue;
        const orderId = row.old?.order_id ?? row.new?.order_id;
        if (table !== 'orders' && typeof orderId === 'string' && !leftInOrder.has(orderId)) {
          leftInOrder.set(orderId, `${table} ${row.id}, a ${row.class}`);
        }
      }
    }
    // Per foreign key, the rows a person decides in its parent table, by the referenced columns' values.
    const leftKeyMaps = new Map<string, Map<string, ReplayRow>>();
    const leftByKey = (key: ForeignKey): ReadonlyMap<string, ReplayRow> => {
      const name = `${key.parent}\n${key.refs.join('\n')}`;
      let map = leftKeyMaps.get(name);
      if (map === undefined) {
        map = new Map();
        for (const row of report.tables[key.parent]?.rows ?? []) {
          if (!PERSON_CLASSES.includes(row.class)) continue;
          for (const record of [row.old, row.new]) {
            const tuple = fkTuple(record, key.refs);
            if (tuple !== undefined && !map.has(tuple)) map.set(tuple, row);
          }
        }
        leftKeyMaps.set(name, map);
      }
      return map;
    };
    const units = untried;
    const unitOfRow = new Map<string, string>();
    const referencedOrders = new ReferencedOrders(side);
    for (const { name } of order) {
      result.tables[name] = emptyTableResult();
      const references = targets.get(name)?.references ?? [];
      const replayed = report.tables[name]!.rows.filter((r) => r.class === 'lost_insert' || r.class === 'lost_update');
      for (const row of selfReferencesFirst(name, replayed, references)) {
        const { key, orderId } = await unitOf(name, row, references, unitOfRow, units, referencedOrders);
        const unit: Unit = units.get(key) ?? { orderId, rows: [], holds: new Map() };
        unit.rows.push({ table: name, row });
        const hold = holdOf(
          row,
          unit.orderId,
          references,
          leftForPerson,
          leftInOrder,
          targets.get(name)?.foreignKeys ?? [],
          leftByKey,
        );
        if (hold !== undefined) unit.holds.set(row, hold);
        units.set(key, unit);
        unitOfRow.set(`${name}\n${row.id}`, key);
      }
    }
    const outbox = await hasOutbox(side);
    /** Rolls a unit's rows into notApplied: `own` gives a row's own reason, the others are held back by `cause`. */
    const notApplied = (
      key: string,
      unit: Unit,
      own: (row: ReplayRow) => { kind: keyof ApplyTableResult; reason: string } | undefined,
      cause: string,
      others: 'heldBack' | 'rolledBack',
    ) => {
      result.unitsNotApplied++;
      for (const { table, row } of unit.rows) {
        const mine = own(row);
        result.tables[table]![mine?.kind ?? others]++;
        result.notApplied.push({
          table,
          id: row.id,
          class: row.class,
          unit: key,
          reason: mine?.reason ?? `${others === 'heldBack' ? 'held back' : 'rolled back'} with ${key}: ${cause}`,
        });
      }
    };
    for (const [key, unit] of [...units]) {
      if (unit.holds.size > 0) {
        // Never tried: what it builds on is for a person to decide.
        const [first, reason] = [...unit.holds][0]!;
        const cause = `${unit.rows.find((r) => r.row === first)!.table} ${first.id} is held back (${reason})`;
        notApplied(
          key,
          unit,
          (row) => (unit.holds.has(row) ? { kind: 'heldBack', reason: unit.holds.get(row)! } : undefined),
          cause,
          'heldBack',
        );
        units.delete(key);
        continue;
      }
      await side.client.query('BEGIN');
      await side.client.query(`SET LOCAL shop.replay = 'on'`);
      const outcomes: { table: string; row: ReplayRow; outcome: RowOutcome }[] = [];
      try {
        for (const { table, row } of unit.rows) {
          const outcome = await replayRow(side, table, report.tables[table]!, targets.get(table)!, row);
          outcomes.push({ table, row, outcome });
          if (!['inserted', 'updated', 'alreadyApplied'].includes(outcome.kind)) break;
        }
        let refused = outcomes.find((o) => 'reason' in o.outcome);
        const changed = outcomes.filter((o) => o.outcome.kind === 'inserted' || o.outcome.kind === 'updated');
        let events = 0;
        if (!refused && changed.length > 0 && unit.orderId && outbox) {
          const payload = {
            orderId: unit.orderId,
            reason: 'failover-reconcile',
            report: reportSha,
            cut: report.cut,
            recovered: changed.map((o) => ({ table: o.table, id: o.row.id, class: o.row.class })),
          };
          try {
            const inserted = await side.client.query(
              `INSERT INTO public.order_events (id, order_id, type, payload) VALUES ($1::uuid, $2::uuid, 'order.recovered', $3::jsonb) ON CONFLICT (id) DO NOTHING`,
              [recoveredEventId(unit.orderId), unit.orderId, JSON.stringify(payload)],
            );
            events = inserted.rowCount ?? 0;
          } catch (error) {
            throw new Error(
              `its order.recovered event could not be written (${(error as Error).message}); nothing of ${key} was kept`,
            );
          }
        }
        if (!refused) {
          // Deferred constraints and constraint triggers (DEFERRABLE INITIALLY DEFERRED) fire now, not at COMMIT,
          // so what they change is seen by the re-check below: "SET CONSTRAINTS ALL IMMEDIATE … when the mode of a
          // constraint is changed from DEFERRED to IMMEDIATE, the new mode takes effect retroactively: any
          // outstanding data modifications that would have been checked at the end of the transaction are instead
          // checked during the execution of the SET CONSTRAINTS command" (PostgreSQL docs, SET CONSTRAINTS).
          try {
            await side.client.query('SET CONSTRAINTS ALL IMMEDIATE');
          } catch (error) {
            throw new Error(
              `a deferred constraint or constraint trigger failed (checked just before COMMIT): ${(error as Error).message}; nothing of ${key} was kept`,
            );
          }
          // Exact or nothing, for the whole unit: a trigger fired by a later row, by the event or by a deferred
          // constraint trigger may have changed a row replayed earlier, so every row is checked again just before
          // COMMIT.
          for (const o of outcomes) {
            const now = await currentHash(
              side,
              o.table,
              targets.get(o.table)!.plain,
              report.tables[o.table]!.rowHash,
              o.row.id,
            );
            if (now === o.row.oldHash) continue;
            o.outcome = {
              kind: 'failed',
              reason: `just before COMMIT the row's hash is ${now ?? 'absent'}, not old's ${o.row.oldHash}: a trigger on the new primary changed it after its own statement (fired by another row of ${key}, its event, or a deferred constraint trigger); nothing of ${key} was kept`,
            };
            refused = o;
            break;
          }
        }
        if (refused) {
          await side.client.query('ROLLBACK');
          const cause = `${refused.table} ${refused.row.id} was not applied (${(refused.outcome as { reason: string }).reason})`;
          notApplied(
            key,
            unit,
            (row) => {
              const own = outcomes.find((o) => o.row === row)?.outcome;
              return own && 'reason' in own ? { kind: own.kind, reason: own.reason } : undefined;
            },
            cause,
            'rolledBack',
          );
          units.delete(key);
          continue;
        }
        try {
          await side.client.query('COMMIT');
        } catch (error) {
          // A deferred constraint or constraint trigger fails at COMMIT: Postgres has rolled the unit back.
          throw new Error(`COMMIT failed: ${(error as Error).message}; nothing of ${key} was kept`);
        }
        result.unitsApplied++;
        result.eventsWritten += events;
        for (const { table, row, outcome } of outcomes) {
          result.tables[table]![outcome.kind as 'inserted']++;
          if (outcome.kind === 'inserted' || outcome.kind === 'updated')
            result.applied.push({ table, id: row.id, class: row.class, unit: key, outcome: outcome.kind });
        }
        units.delete(key);
      } catch (error) {
        // The unit failed as a whole (its event, COMMIT, or a statement outside a row's savepoint): it is rolled
        // back and listed, and the next units are still tried. Only a connection that cannot even roll back stops
        // apply (every unit not tried is then listed too).
        await side.client.query('ROLLBACK');
        notApplied(
          key,
          unit,
          () => ({ kind: 'failed', reason: `${key} was rolled back: ${(error as Error).message}` }),
          '',
          'rolledBack',
        );
        units.delete(key);
      }
    }
    for (const [name, counts] of Object.entries(result.tables)) {
      options.onProgress?.(
        `${name}: ${counts.inserted} inserted, ${counts.updated} updated, ${counts.alreadyApplied} already applied, ${counts.changedSinceReport} changed since the report, ${counts.blocked} blocked, ${counts.failed} failed, ${counts.heldBack} held back (left for a person), ${counts.rolledBack} rolled back with their unit`,
      );
    }
    if (outbox) options.onProgress?.(`order_events: ${result.eventsWritten} order.recovered event(s) written`);
    result.sequencesAdvanced.push(...(await advanceSequences(side, targets)));
    result.changes =
      Object.values(result.tables).reduce((sum, t) => sum + t.inserted + t.updated, 0) + result.eventsWritten;
    const possiblyLostLeft = result.leftForPerson.some((r) => r.class === 'possibly_lost');
    result.status = result.notApplied.length > 0 || possiblyLostLeft ? 'partial' : 'applied';
  } catch (error) {
    // Units committed before the error stay committed (each is whole); the counts say what they were, and every
    // unit not tried is listed.
    for (const [key, unit] of untried) {
      result.unitsNotApplied++;
      for (const { table, row } of unit.rows) {
        result.tables[table] ??= emptyTableResult();
        result.tables[table]!.notTried++;
        result.notApplied.push({
          table,
          id: row.id,
          class: row.class,
          unit: key,
          reason: `not applied: apply stopped before this unit committed (${(error as Error).message}); run apply again`,
        });
      }
    }
    result.status = result.unitsApplied > 0 ? 'partial' : 'failed';
    result.error =
      typeof (error as { code?: unknown }).code === 'string'
        ? explainStepError('apply', error, limitsOf(options))
        : (error as Error).message;
    result.changes =
      Object.values(result.tables).reduce((sum, t) => sum + t.inserted + t.updated, 0) + result.eventsWritten;
  } finally {
    await closeSide(side);
  }
  return result;
}
