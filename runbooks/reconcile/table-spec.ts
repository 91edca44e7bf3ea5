import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';
import type { ColumnSpec } from './report';
import { quoteIdent } from './sql-text';

/** Tables that follow the schema rules but are bookkeeping, never compared. */
export const EXCLUDED_TABLES: readonly string[] = [
  'schema_migrations',
  'replication_heartbeat',
  'replication_heartbeat_handover',
  'replication_heartbeat_log',
];

/** A table that can be reconciled, with everything the SQL builders need. */
export interface TableSpec {
  /** The table's key in the report: its name in schema public, quoted when it holds a dot or a quote ({@link displayName}). */
  readonly name: string;
  /**
   * Whether the table is a plain table (`relkind 'r'`), read `FROM ONLY` so rows of its inheritance children are not
   * read again as its own; false for a partitioned table, whose rows are all in its partitions.
   */
  readonly plain: boolean;
  readonly columns: readonly ColumnSpec[];
  /**
   * Row hash over alias `t`: `hash_record_extended(t.*, 0)` when every column's hash tells apart every two values
   * that are not the same; otherwise the same over a ROW with those columns as text (see {@link exactRowHash}).
   */
  readonly rowHash: string;
  /** Compared tables this one references by foreign key (they must be written first). */
  readonly parents: readonly string[];
  /** Whether the table has a timestamptz `created_at`: evidence that a row existed before the cut. */
  readonly createdAt: boolean;
  /**
   * Whether something on both sides enforces "a row is inserted at version 1 and every update adds 1": an enabled
   * BEFORE INSERT OR UPDATE row trigger running `shop_touch_row()` (the services' migrations). Only then is
   * `version > 1` evidence that a row existed before its last change, and `version = 1` that it was inserted by
   * its last write; otherwise `version` says nothing about a row's birth.
   */
  readonly versionFromOne: boolean;
}

/** A table that is not reconciled row by row: compared as a whole, or only named. */
export interface OtherTable {
  /** `name` in schema public, `schema.name` elsewhere. */
  readonly name: string;
  /** The quoted, schema-qualified name for SQL (`ONLY …` for a plain table: its inheritance children are their own). */
  readonly sql: string;
  /** Why it is not reconciled row by row. */
  readonly why: string;
  readonly onOld: boolean;
  readonly onNew: boolean;
  /** False for tables `--tables` left out: named in the report, not read. */
  readonly compare: boolean;
}

/** The tables of both sides: those reconciled row by row and all the others. */
export interface ResolvedTables {
  readonly specs: TableSpec[];
  readonly others: OtherTable[];
}

interface CatalogColumn extends ColumnSpec {
  /** Whether the column's hash function tells apart every two values that are not the same (see exactRowHash). */
  readonly exact: boolean;
}

interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  /** `pg_class.relkind`: `r` a plain table, `p` a partitioned one. */
  readonly kind: string;
  readonly columns: CatalogColumn[];
  primaryKey: string[];
}

/**
 * Base types whose equality is identity, so their hash (inside `hash_record_extended`) only matches the same value:
 * a differing value can never hash alike (modulo a 64-bit collision). Each has an extended hash function (tested).
 * Left out on purpose: `jsonb` (`10` equals `10.0`), `numeric` without a scale (`1.0` equals `1.00`),
 * `real`/`double precision` (`-0` equals `0`), `interval` (`1 day` equals `24 hours`), `citext`, `money` (no
 * extended hash function: "could not identify an extended hash function for type money"), enums (hashed by their
 * label's OID, which differs between two databases where the type was created separately, e.g. a `pg_dump`
 * restore), arrays, ranges, composites and domains of anything, and any collatable type under a nondeterministic
 * collation (equal strings that are not the same). These are hashed over their text.
 */
export const EXACT_TYPES: ReadonlySet<string> = new Set([
  'uuid',
  'int2',
  'int4',
  'int8',
  'bool',
  'text',
  'varchar',
  'bpchar',
  'char',
  'name',
  'bytea',
  'timestamptz',
  'timestamp',
  'date',
  'time',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
  'oid',
]);

/** Whether `name` is a schema that holds user tables (not the catalog, toast or temporary schemas). */
const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** An identifier as shown in a table's display name: bare, or quoted (`"a.b"`) when it holds a dot or a quote. */
function displayPart(identifier: string): string {
  return /[."]/.test(identifier) ? quoteIdent(identifier) : identifier;
}

/**
 * The display name of a table, its key in the report: bare in schema public, schema-qualified elsewhere, each part
 * quoted when it holds a dot or a quote, so two tables never share one (`audit.log` is table `log` of schema
 * `audit`, `"audit.log"` the table of that name in public).
 */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? displayPart(name) : `${displayPart(schema)}.${displayPart(name)}`;
}

async function readCatalog(side: DatabaseSide): Promise<Map<string, CatalogTable>> {
  // Partitions are left out: their rows are read, and compared, through their partitioned parent.
  const columns = await side.client.query<{
    schema: string;
    table: string;
    name: string | null;
    type: string | null;
    typname: string | null;
    typtype: string | null;
    typmod: number | null;
    deterministic: boolean | null;
    kind: string;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, c.relkind::text AS kind, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            t.typname::text AS typname, t.typtype::text AS typtype, a.atttypmod AS typmod,
            coalesce(co.collisdeterministic, true) AS deterministic
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const tables = new Map<string, CatalogTable>();
  for (const row of columns.rows) {
    const key = displayName(row.schema, row.table);
    let table = tables.get(key);
    if (!table) {
      table = { schema: row.schema, name: row.table, kind: row.kind, columns: [], primaryKey: [] };
      tables.set(key, table);
    }
    if (row.name === null || row.type === null) continue;
    const exact =
      row.deterministic !== false &&
      ((row.typtype === 'b' && EXACT_TYPES.has(row.typname ?? '')) ||
        // numeric with a declared scale stores every value at that scale: equal values are the same value
        (row.typtype === 'b' && row.typname === 'numeric' && (row.typmod ?? -1) >= 0));
    table.columns.push({ name: row.name, type: row.type, exact });
  }
  const keys = await side.client.query<{ schema: string; table: string; columns: string[] }>(
    `SELECT n.nspname AS schema, c.relname AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE ${USER_SCHEMAS} AND i.indisprimary
      GROUP BY n.nspname, c.relname`,
  );
  for (const row of keys.rows) {
    const table = tables.get(displayName(row.schema, row.table));
    if (table) table.primaryKey = row.columns;
  }
  return tables;
}

/** One column of a row hash: the value itself (exact) or its text in the C collation (see {@link exactRowHash}). */
function hashPart(name: string, exact: boolean): string {
  return exact ? `t.${quoteIdent(name)}` : `(t.${quoteIdent(name)}::text COLLATE "C")`;
}

/**
 * The row hash of a table, over alias `t`. `hash_record_extended(t.*, 0)` hashes each value with its type's hash
 * function, which gives equal values the same hash: `'{"v": 10}'` and `'{"v": 10.0}'` are equal as jsonb, `-0`
 * and `0` as floats, `1.0` and `1.00` as numeric, `1 day` and `24 hours` as intervals, and a change from one to
 * the other would look identical. Such columns are hashed over their text instead (their output form, which keeps
 * those differences, compared byte for byte in the C collation), the others as they are:
 * `hash_record_extended(ROW(t."id", (t."payload"::text COLLATE "C"), …), 0)` — about 1.25× the cost of the plain
 * record hash, where hashing the text of the whole row (`t::text`) costs 4× (timestamps are slow to print).
 */
export function exactRowHash(columns: readonly { readonly name: string; readonly exact: boolean }[]): string {
  if (columns.every((c) => c.exact)) return 'hash_record_extended(t.*, 0)';
  return `hash_record_extended(ROW(${columns.map((c) => hashPart(c.name, c.exact)).join(', ')}), 0)`;
}

/**
 * Whether `expression` is a row hash reconcile writes for a table with these columns: the plain record hash, the
 * text hash of the row, or {@link exactRowHash}'s form over exactly these columns in order. Apply runs the
 * expression from the report, so it must never take arbitrary SQL from a file.
 */
export function isKnownRowHash(expression: string, columns: readonly ColumnSpec[]): boolean {
  if (expression === 'hash_record_extended(t.*, 0)' || expression === 'hashtextextended(t::text, 0)') return true;
  const prefix = 'hash_record_extended(ROW(';
  const suffix = '), 0)';
  if (!expression.startsWith(prefix) || !expression.endsWith(suffix) || columns.length === 0) return false;
  let rest = expression.slice(prefix.length, expression.length - suffix.length);
  for (const [i, column] of columns.entries()) {
    const separator = i < columns.length - 1 ? ', ' : '';
    const part = [hashPart(column.name, true), hashPart(column.name, false)].find((p) =>
      rest.startsWith(p + separator),
    );
    if (part === undefined) return false;
    rest = rest.slice(part.length + separator.length);
  }
  return rest === '';
}

/** Why a table cannot be reconciled, or undefined when it follows the rules. */
function ruleProblem(table: CatalogTable): string | undefined {
  const type = (name: string) => table.columns.find((c) => c.name === name)?.type;
  const problems: string[] = [];
  if (table.schema !== 'public') problems.push('not in schema public');
  if (type('id') !== 'uuid') problems.push('no uuid column "id"');
  else if (table.primaryKey.join(',') !== 'id') problems.push('primary key is not (id)');
  if (type('updated_at') !== 'timestamp with time zone') problems.push('no timestamptz column "updated_at"');
  if (!['integer', 'bigint', 'smallint'].includes(type('version') ?? '')) problems.push('no integer column "version"');
  return problems.length ? problems.join(', ') : undefined;
}

function describeColumns(columns: readonly ColumnSpec[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}

function columnDifference(table: string, old: readonly ColumnSpec[], current: readonly ColumnSpec[]): string {
  for (let i = 0; i < Math.max(old.length, current.length); i++) {
    const a = old[i];
    const b = current[i];
    if (a?.name === b?.name && a?.type === b?.type) continue;
    const show = (c: ColumnSpec | undefined) => (c ? `"${c.name} ${c.type}"` : 'absent');
    return `table "${table}" differs at column ${i + 1}: ${show(a)} on old, ${show(b)} on new (old: ${describeColumns(old)}; new: ${describeColumns(current)})`;
  }
  return `table "${table}" differs`;
}

async function migrationNames(side: DatabaseSide, catalog: Map<string, CatalogTable>): Promise<string[] | undefined> {
  if (!catalog.get('schema_migrations')?.columns.some((c) => c.name === 'name')) return undefined;
  const result = await side.client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
  return result.rows.map((r) => r.name);
}

async function schemaMismatch(
  old: DatabaseSide,
  current: DatabaseSide,
  problems: string[],
  catalogs: Map<string, CatalogTable>[],
): Promise<ReconcileError> {
  const [oldMigrations, newMigrations] = await Promise.all([
    migrationNames(old, catalogs[0]!),
    migrationNames(current, catalogs[1]!),
  ]);
  let migrations = '';
  if (oldMigrations && newMigrations && oldMigrations.join() !== newMigrations.join()) {
    const onlyOld = oldMigrations.filter((m) => !newMigrations.includes(m));
    const onlyNew = newMigrations.filter((m) => !oldMigrations.includes(m));
    migrations = ` Migrations applied only on old: ${onlyOld.join(', ') || 'none'}; only on new: ${onlyNew.join(', ') || 'none'}.`;
  }
  return new ReconcileError(
    'schema',
    `schema mismatch between old and new: ${problems.join('; ')}.${migrations} Row hashes are only comparable when both sides have the same columns, with the same types, in the same order: bring the older side to the same migration (npm run db:migrate -- --database-url <url> --service <name>) and run reconcile again.`,
  );
}

/**
 * Finds the tables to compare and proves both sides have them with identical columns (same names, types and
 * order), because a row hash is only comparable between identical row types. Every other table of either side
 * (in any user schema) is returned in `others`, to be compared as a whole or named as not compared: no table is
 * left out silently. Partitions are reached through their partitioned parent only. Must run inside a transaction.
 *
 * @param requested `--tables`; undefined = every table in schema public that follows the rules
 */
export async function resolveTables(
  old: DatabaseSide,
  current: DatabaseSide,
  requested: readonly string[] | undefined,
): Promise<ResolvedTables> {
  const catalogs = await Promise.all([readCatalog(old), readCatalog(current)]);
  const [oldCatalog, newCatalog] = catalogs;
  const bookkeeping = (t: CatalogTable) => t.schema === 'public' && EXCLUDED_TABLES.includes(t.name);
  const eligible = [...oldCatalog.values()].filter((t) => !bookkeeping(t) && !ruleProblem(t));
  const eligibleNames = eligible.map((t) => displayName(t.schema, t.name)).sort();
  const restricted = requested !== undefined && requested.length > 0;
  let names: string[];
  if (restricted) {
    for (const name of requested) {
      const table = oldCatalog.get(name);
      const available = `available: ${eligibleNames.join(', ') || 'none'}`;
      if (!table) {
        throw new ReconcileError(
          'tables',
          `--tables: unknown table ${JSON.stringify(name)} on the old database; ${available}`,
        );
      }
      const problem = bookkeeping(table) ? 'it is bookkeeping, never compared' : ruleProblem(table);
      if (problem) {
        throw new ReconcileError(
          'tables',
          `--tables: table ${JSON.stringify(name)} cannot be reconciled (${problem}); ${available}`,
        );
      }
    }
    names = [...new Set(requested)];
  } else {
    if (eligible.length === 0) {
      throw new ReconcileError(
        'tables',
        'the old database has no table to compare: none in schema public has a uuid primary key "id", a timestamptz "updated_at" and an integer "version". Check that --old-url names the service database (e.g. /orders), not the maintenance database.',
      );
    }
    names = eligibleNames;
  }
  // A table on one side only (a later migration, or one dropped since) cannot be compared row by row: it is
  // compared whole (empty, or named as a gap), never a schema failure.
  const oneSide = (name: string) => !oldCatalog.has(name) || !newCatalog.has(name);
  const problems: string[] = [];
  for (const name of names) {
    const a = oldCatalog.get(name);
    const b = newCatalog.get(name);
    if (a && b && describeColumns(a.columns) !== describeColumns(b.columns))
      problems.push(columnDifference(name, a.columns, b.columns));
  }
  if (problems.length > 0) throw await schemaMismatch(old, current, problems, catalogs);
  names = names.filter((name) => !oneSide(name));

  const others: OtherTable[] = [];
  for (const key of [...new Set([...oldCatalog.keys(), ...newCatalog.keys()])].sort()) {
    const table = (oldCatalog.get(key) ?? newCatalog.get(key))!;
    if (names.includes(key) || bookkeeping(table)) continue;
    const problem =
      ruleProblem(oldCatalog.get(key) ?? table) ??
      ruleProblem(table) ??
      (oneSide(key) ? `on ${oldCatalog.has(key) ? 'old' : 'new'} only` : undefined);
    others.push({
      name: key,
      sql: `${table.kind === 'r' ? 'ONLY ' : ''}${quoteIdent(table.schema)}.${quoteIdent(table.name)}`,
      why: problem ?? 'left out by --tables',
      onOld: oldCatalog.has(key),
      onNew: newCatalog.has(key),
      compare: !restricted || (requested ?? []).includes(key),
    });
  }

  const foreignKeys = await old.client.query<{ child: string; parentSchema: string; parent: string }>(
    `SELECT c.relname AS child, pn.nspname AS "parentSchema", p.relname AS parent
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const [oldTouched, newTouched] = await Promise.all([versionTriggerTables(old), versionTriggerTables(current)]);
  const specs: TableSpec[] = names.map((name) => {
    const table = oldCatalog.get(name)!;
    return {
      name,
      plain: table.kind === 'r',
      columns: table.columns.map(({ name: column, type }) => ({ name: column, type })),
      rowHash: exactRowHash(table.columns),
      parents: foreignKeys.rows
        .filter((k) => displayName('public', k.child) === name)
        .map((k) => displayName(k.parentSchema, k.parent))
        .filter((parent) => names.includes(parent)),
      createdAt: table.columns.some((c) => c.name === 'created_at' && c.type === 'timestamp with time zone'),
      versionFromOne: oldTouched.has(name) && newTouched.has(name),
    };
  });
  return { specs, others };
}

/**
 * Tables of schema public (display names) with a BEFORE INSERT OR UPDATE row trigger enabled in normal sessions running
 * `shop_touch_row()`, which inserts every row at version 1 and adds 1 on every update (outside a replay).
 */
async function versionTriggerTables(side: DatabaseSide): Promise<Set<string>> {
  // tgtype bits: 1 row, 2 before, 4 insert, 16 update (pg_trigger.h). tgenabled "Controls in which
  // session_replication_role modes the trigger fires. O = trigger fires in "origin" and "local" modes, D = trigger
  // is disabled, R = trigger fires in "replica" mode, A = trigger fires always." (PostgreSQL docs, pg_trigger): a normal session (session_replication_role = origin) runs O and A only.
  const result = await side.client.query<{ table: string }>(
    `SELECT c.relname AS table
       FROM pg_trigger g
       JOIN pg_class c ON c.oid = g.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_proc f ON f.oid = g.tgfoid
      WHERE n.nspname = 'public' AND f.proname = 'shop_touch_row' AND NOT g.tgisinternal AND g.tgenabled IN ('O', 'A')
        AND g.tgtype & 23 = 23`,
  );
  return new Set(result.rows.map((r) => displayName('public', r.table)));
}

/** Tables in an order where every parent comes before its children (foreign keys), ties by name. */
export function parentsFirst<T extends { readonly name: string; readonly parents: readonly string[] }>(
  tables: readonly T[],
): T[] {
  const remaining = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  const ordered: T[] = [];
  while (remaining.length > 0) {
    const index = remaining.findIndex((t) =>
      t.parents.every((p) => p === t.name || ordered.some((o) => o.name === p) || !remaining.some((r) => r.name === p)),
    );
    // A foreign-key cycle: fall back to name order for the rest rather than loop forever.
    ordered.push(...remaining.splice(index === -1 ? 0 : index, 1));
  }
  return ordered;
}
