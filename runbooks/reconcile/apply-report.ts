import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { closeSide, connectSide, type DatabaseSide } from './database-side';
import { postgresUrlProblem } from './database-url';
import { insertSql, updateSql } from './replay-sql';
import { type AppliedReport, appliedReportSchema, type ReportedClass } from './report';
import { REPORT_FILES } from './report-files';
import { qualifiedTable } from './sql-text';
import { parentsFirst } from './table-spec';

/** Row hashes apply accepts from a report: it runs the expression, so it never takes arbitrary SQL from a file. */
const KNOWN_ROW_HASHES = new Set(['hash_record_extended(t.*, 0)', 'hashtextextended(t::text, 0)']);

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
}

/** A row apply did not touch, and why. */
export interface RowLeftAlone {
  readonly table: string;
  readonly id: string;
  readonly class: ReportedClass;
  readonly reason: string;
}

/** The outcome of {@link applyReport}. */
export interface ApplyResult {
  status: 'applied' | 'failed';
  readonly tables: Record<string, ApplyTableResult>;
  /** `order.recovered` outbox events written (one per order whose rows were replayed). */
  eventsWritten: number;
  /** Rows inserted + updated + events written: 0 on a second run. */
  changes: number;
  /** Conflicts, possible duplicates and unexplained rows: a person decides. */
  readonly leftForPerson: RowLeftAlone[];
  /** Lost rows that could not be replayed safely (blocked, changed since the report). */
  readonly notApplied: RowLeftAlone[];
  error: string | null;
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
  const parsed = appliedReportSchema.safeParse(JSON.parse(json.toString('utf8')));
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
    if (!KNOWN_ROW_HASHES.has(table.rowHash)) {
      throw new Error(
        `--report: table ${name} has an unknown row hash ${JSON.stringify(table.rowHash)}; run reconcile again`,
      );
    }
  }
  return report;
}

async function checkTarget(
  side: DatabaseSide,
  report: AppliedReport,
  tables: readonly string[],
): Promise<Map<string, string[]>> {
  const database = (await side.client.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
  const expected = report.databases.new.database;
  if (expected && expected !== database) {
    throw new Error(
      `--new-url: connected to database ${JSON.stringify(database)} but the report was made against ${JSON.stringify(expected)}; apply to the database the report compared`,
    );
  }
  const parents = new Map<string, string[]>();
  for (const table of tables) {
    const columns = await side.client.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [qualifiedTable(table)],
    );
    const now = columns.rows.map((c) => `${c.name} ${c.type}`).join(', ');
    const then = report.tables[table]!.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    if (now !== then) {
      throw new Error(
        `table ${table} on the new primary no longer has the columns the report saw (now: ${now || 'no table'}; report: ${then}): the schema changed since reconcile; run reconcile again`,
      );
    }
    const fks = await side.client.query<{ parent: string }>(
      `SELECT p.relname AS parent FROM pg_constraint k JOIN pg_class p ON p.oid = k.confrelid
        WHERE k.contype = 'f' AND k.conrelid = to_regclass($1) AND k.confrelid <> k.conrelid`,
      [qualifiedTable(table)],
    );
    parents.set(
      table,
      fks.rows.map((r) => r.parent),
    );
  }
  return parents;
}

async function currentHash(
  side: DatabaseSide,
  table: string,
  rowHash: string,
  id: string,
): Promise<string | undefined> {
  const result = await side.client.query<{ h: string }>(
    `SELECT (${rowHash})::text AS h FROM ${qualifiedTable(table)} AS t WHERE t.id = $1::uuid`,
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

/**
 * Replays a complete report's lost inserts and lost updates into the new primary, in one transaction under
 * `SET LOCAL shop.replay = 'on'` (rows keep the updated_at/version they had on the old primary), parents before
 * children. Idempotent: inserts do nothing when the row exists, updates only touch a row that still has the
 * version and hash the report saw, and the `order.recovered` event of an order has a deterministic id, so a
 * second run changes nothing. Conflicts, possible duplicates and unexplained rows are listed, never touched.
 * Verifies the report's sha256 first and refuses a failed report. Never throws: failures come back as
 * `status: 'failed'` with nothing written (the transaction is rolled back).
 */
export async function applyReport(options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = {
    status: 'failed',
    tables: {},
    eventsWritten: 0,
    changes: 0,
    leftForPerson: [],
    notApplied: [],
    error: null,
  };
  let side: DatabaseSide | undefined;
  try {
    const urlProblem = postgresUrlProblem('--new-url', options.newUrl);
    if (urlProblem) throw new Error(urlProblem);
    const report = await readVerifiedReport(options.reportDir);
    const reportSha = createHash('sha256')
      .update(await readFile(path.join(options.reportDir, REPORT_FILES.json)))
      .digest('hex');
    for (const [table, t] of Object.entries(report.tables)) {
      for (const row of t.rows) {
        if (row.class === 'conflict' || row.class === 'possible_duplicate' || row.class === 'unexplained') {
          result.leftForPerson.push({ table, id: row.id, class: row.class, reason: row.detail });
        }
      }
    }
    const replayTables = Object.keys(report.tables).filter((name) =>
      report.tables[name]!.rows.some((r) => r.class === 'lost_insert' || r.class === 'lost_update'),
    );
    side = await connectSide('new', options.newUrl);
    const parents = await checkTarget(side, report, replayTables);
    const order = parentsFirst(replayTables.map((name) => ({ name, parents: parents.get(name) ?? [] })));
    const recovered = new Map<string, { table: string; id: string; class: string }[]>();
    await side.client.query('BEGIN');
    await side.client.query(`SET LOCAL shop.replay = 'on'`);
    try {
      for (const { name } of order) {
        const table = report.tables[name]!;
        const counts: ApplyTableResult = {
          inserted: 0,
          updated: 0,
          alreadyApplied: 0,
          changedSinceReport: 0,
          blocked: 0,
        };
        result.tables[name] = counts;
        const insert = insertSql(name, { record: '$1' });
        const update = updateSql(name, table.columns, table.rowHash, {
          record: '$1',
          id: '$2',
          version: '$3',
          hash: '$4',
        });
        for (const row of table.rows) {
          if (row.class !== 'lost_insert' && row.class !== 'lost_update') continue;
          if (row.oldRecord === null)
            throw new Error(`table ${name} row ${row.id}: the report has no old row to replay`);
          let changed: number;
          try {
            changed =
              row.class === 'lost_insert'
                ? ((await side.client.query(insert, [row.oldRecord])).rowCount ?? 0)
                : ((await side.client.query(update, [row.oldRecord, row.id, row.newVersion, row.newHash])).rowCount ??
                  0);
          } catch (error) {
            throw new Error(`replaying ${row.class} of ${name} ${row.id} failed: ${(error as Error).message}`);
          }
          if (changed === 1) {
            if (row.class === 'lost_insert') counts.inserted++;
            else counts.updated++;
            const orderId =
              name === 'orders' ? row.id : typeof row.old?.order_id === 'string' ? row.old.order_id : undefined;
            if (orderId)
              recovered.set(orderId, [
                ...(recovered.get(orderId) ?? []),
                { table: name, id: row.id, class: row.class },
              ]);
            continue;
          }
          const now = await currentHash(side, name, table.rowHash, row.id);
          if (now !== undefined && now === row.oldHash) {
            counts.alreadyApplied++;
          } else if (row.class === 'lost_insert' && now === undefined) {
            counts.blocked++;
            result.notApplied.push({
              table: name,
              id: row.id,
              class: row.class,
              reason:
                'another row on the new primary holds one of its unique keys (e.g. the same idempotency key): probably re-placed; a person decides',
            });
          } else {
            counts.changedSinceReport++;
            result.notApplied.push({
              table: name,
              id: row.id,
              class: row.class,
              reason:
                now === undefined
                  ? 'the row was deleted on the new primary since the report; run reconcile again'
                  : 'the row changed on the new primary since the report; run reconcile again',
            });
          }
        }
        options.onProgress?.(
          `${name}: ${counts.inserted} inserted, ${counts.updated} updated, ${counts.alreadyApplied} already applied, ${counts.changedSinceReport} changed since the report, ${counts.blocked} blocked`,
        );
      }
      if (recovered.size > 0 && (await hasOutbox(side))) {
        for (const [orderId, rows] of recovered) {
          const payload = {
            orderId,
            reason: 'failover-reconcile',
            report: reportSha,
            cut: report.cut,
            recovered: rows,
          };
          const inserted = await side.client.query(
            `INSERT INTO public.order_events (id, order_id, type, payload) VALUES ($1::uuid, $2::uuid, 'order.recovered', $3::jsonb) ON CONFLICT (id) DO NOTHING`,
            [recoveredEventId(orderId), orderId, JSON.stringify(payload)],
          );
          result.eventsWritten += inserted.rowCount ?? 0;
        }
        options.onProgress?.(`order_events: ${result.eventsWritten} order.recovered event(s) written`);
      }
      await side.client.query('COMMIT');
    } catch (error) {
      await side.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    result.changes =
      Object.values(result.tables).reduce((sum, t) => sum + t.inserted + t.updated, 0) + result.eventsWritten;
    result.status = 'applied';
  } catch (error) {
    result.status = 'failed';
    result.error = (error as Error).message;
    for (const t of Object.values(result.tables)) {
      t.inserted = 0;
      t.updated = 0;
    }
    result.eventsWritten = 0;
    result.changes = 0;
  } finally {
    await closeSide(side);
  }
  return result;
}
