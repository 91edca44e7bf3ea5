import type { Client } from 'pg';
import type { SessionLimits, SideName } from './database-side';
import { NonFiniteTimestampError } from './timestamp';

/** What a failed query tells about itself: pg's error fields, plus the side it ran on (see {@link tagSide}). */
interface QueryError {
  readonly message?: string;
  readonly code?: string;
  readonly table?: string;
  readonly schema?: string;
  reconcileSide?: SideName;
  /** The table a step working on several tables was reading (set where the error is caught). */
  readonly reconcileTable?: string;
}

/**
 * Makes every error a query of `client` rejects with carry the side it ran on (`reconcileSide`), so a step's
 * message can say which database refused: the same statement runs on both sides.
 */
export function tagSide(client: Client, side: SideName): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<unknown>).catch((error: unknown) => {
        if (error && typeof error === 'object' && (error as QueryError).reconcileSide === undefined) {
          (error as QueryError).reconcileSide = side;
        }
        throw error;
      });
    }
    return result;
  };
}

const SIDE_TEXT: Readonly<Record<SideName, string>> = {
  old: 'the old side (--old-url, the restored snapshot)',
  new: 'the new side (--new-url, the promoted primary)',
};

/**
 * A message for an error a step of reconcile or apply did not expect, naming the step, the table (from the step
 * name `classify:<table>`, `verify:<table>`, or the error itself), the side and what to do. Postgres' own words
 * and SQLSTATE follow, never alone.
 */
export function explainStepError(
  step: string,
  error: unknown,
  limits: SessionLimits,
  table: string | undefined = step.includes(':') ? step.slice(step.indexOf(':') + 1) : undefined,
): string {
  if (error instanceof NonFiniteTimestampError) return `step ${step} failed: ${error.message}`;
  const e = (error ?? {}) as QueryError;
  const raw = e.message ?? String(error);
  const named =
    e.reconcileTable ?? (e.table ? (e.schema && e.schema !== 'public' ? `${e.schema}.${e.table}` : e.table) : table);
  const rlsTable = /row-level security policy for table "([^"]+)"/.exec(raw)?.[1];
  const tableText = rlsTable ?? named;
  const where = `${e.reconcileSide ? ` on ${SIDE_TEXT[e.reconcileSide]}` : ''}${tableText ? `, table ${tableText}` : ''}`;
  const postgres = e.code ? ` (Postgres: ${raw}, SQLSTATE ${e.code})` : ` (${raw})`;
  let what: string;
  if (e.code === '42501' && /row-level security/.test(raw)) {
    what = `row-level security policies apply to the role reconcile connects as, and would hide rows from it. Every connection sets row_security = off, so Postgres refuses instead of hiding them ("When set to off, queries fail which would otherwise apply at least one policy", PostgreSQL docs, row_security). Connect as a role that reads every row: one with BYPASSRLS (ALTER ROLE <role> BYPASSRLS, as a superuser), or the table's owner; then run again`;
  } else if (e.code === '42501') {
    what = `the role reconcile connects as lacks a privilege: reconcile needs SELECT on every table of every user schema (and USAGE on the schemas), apply also INSERT and UPDATE on the replayed tables and USAGE and UPDATE on their sequences. GRANT them (e.g. GRANT SELECT ON ALL TABLES IN SCHEMA public TO <role>), then run again`;
  } else if (e.code === '55P03') {
    what = `a lock was not granted within lock_timeout (${limits.lockTimeoutSeconds} s): another transaction holds or waits for a conflicting lock (a migration's ACCESS EXCLUSIVE, for the ACCESS SHARE lock every read needs). Nothing is waited for longer, so reconcile never queues ahead of or behind a migration indefinitely. Find the holder (SELECT pid, state, query FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids(<reconcile's pid>)), or pg_locks), let it finish, and run again; --lock-timeout <seconds> waits longer`;
  } else if (e.code === '57014' && /statement timeout/.test(raw)) {
    what = `one statement ran longer than statement_timeout (${limits.statementTimeoutSeconds} s), the most reconcile holds the live primary per statement. Run it again when the primary is less busy, or pass --statement-timeout <seconds> (a larger value keeps its snapshot and locks open that much longer)`;
  } else if (e.code === '25P03' || /idle-in-transaction timeout/.test(raw)) {
    what = `the server ended the session after it was idle in its transaction for longer than idle_in_transaction_session_timeout (twice --statement-timeout): run again`;
  } else if (/cannot convert (-)?infinity|timestamp out of range/.test(raw)) {
    what = `a timestamp is infinity or out of range: reconcile compares times exactly and cannot place such a row before or after the cut. Find it (SELECT id FROM <table> WHERE NOT isfinite(updated_at) OR NOT isfinite(created_at)), set its real time or leave the table out with --tables, and run again`;
  } else if (e.code === '42883' && /hash function/.test(raw)) {
    what = `Postgres cannot hash a column type of this table, so its rows cannot be compared. Leave the table out with --tables (the report is then incomplete and names it) and compare it by hand, or report it so the type is hashed over its text`;
  } else if (e.code === '57P01' || e.code === '08006' || /Connection terminated|ECONNRESET/.test(raw)) {
    what = `the connection was lost (server restart, failover, network): nothing of this run is valid. Check that the server is up and reachable, then run again`;
  } else {
    what = `this was not expected. The report proves nothing: fix the cause Postgres names (or leave the table out with --tables if it concerns one table), then run again`;
  }
  return `step ${step} failed${where}: ${what}${postgres}`;
}
