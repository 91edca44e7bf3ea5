import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';
import type { ColumnSpec } from './report';
import { qualifiedTable } from './sql-text';

/** Tables that follow the schema rules but are bookkeeping, never compared. */
export const EXCLUDED_TABLES: readonly string[] = [
  'schema_migrations',
  'replication_heartbeat',
  'replication_heartbeat_handover',
];

/** A table that can be reconciled, with everything the SQL builders need. */
export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Row hash over alias `t`: `hash_record_extended(t.*, 0)`, or a text hash when a column type has no hash. */
  readonly rowHash: string;
  /** Compared tables this one references by foreign key (they must be written first). */
  readonly parents: readonly string[];
}

interface CatalogTable {
  readonly name: string;
  readonly columns: ColumnSpec[];
  primaryKey: string[];
}

async function readCatalog(side: DatabaseSide): Promise<Map<string, CatalogTable>> {
  const columns = await side.client.query<{ table: string; name: string; type: string }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY c.relname, a.attnum`,
  );
  const tables = new Map<string, CatalogTable>();
  for (const row of columns.rows) {
    let table = tables.get(row.table);
    if (!table) {
      table = { name: row.table, columns: [], primaryKey: [] };
      tables.set(row.table, table);
    }
    table.columns.push({ name: row.name, type: row.type });
  }
  const keys = await side.client.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND i.indisprimary
      GROUP BY c.relname`,
  );
  for (const row of keys.rows) {
    const table = tables.get(row.table);
    if (table) table.primaryKey = row.columns;
  }
  return tables;
}

/** Why a table cannot be reconciled, or undefined when it follows the rules. */
function ruleProblem(table: CatalogTable): string | undefined {
  const type = (name: string) => table.columns.find((c) => c.name === name)?.type;
  const problems: string[] = [];
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

async function chooseRowHash(side: DatabaseSide, table: string): Promise<string> {
  // Every column type needs an extended hash function for hash_record_extended (json, xml, point have none).
  // Trying it on an all-NULL record looks every column's function up without reading the table.
  await side.client.query('SAVEPOINT reconcile_hash_probe');
  try {
    await side.client.query(
      `SELECT hash_record_extended(jsonb_populate_record(NULL::${qualifiedTable(table)}, '{}'), 0)`,
    );
    await side.client.query('RELEASE SAVEPOINT reconcile_hash_probe');
    return 'hash_record_extended(t.*, 0)';
  } catch {
    await side.client.query('ROLLBACK TO SAVEPOINT reconcile_hash_probe');
    return 'hashtextextended(t::text, 0)';
  }
}

/**
 * Finds the tables to compare and proves both sides have them with identical columns (same names, types and
 * order), because a row hash is only comparable between identical row types. Must run inside a transaction.
 *
 * @param requested `--tables`; undefined = every table in schema public that follows the rules
 */
export async function resolveTables(
  old: DatabaseSide,
  current: DatabaseSide,
  requested: readonly string[] | undefined,
): Promise<TableSpec[]> {
  const catalogs = await Promise.all([readCatalog(old), readCatalog(current)]);
  const [oldCatalog, newCatalog] = catalogs;
  const eligible = [...oldCatalog.values()].filter((t) => !EXCLUDED_TABLES.includes(t.name) && !ruleProblem(t));
  const eligibleNames = eligible.map((t) => t.name).sort();
  let names: string[];
  if (requested && requested.length > 0) {
    for (const name of requested) {
      const table = oldCatalog.get(name);
      const available = `available: ${eligibleNames.join(', ') || 'none'}`;
      if (!table) {
        throw new ReconcileError(
          'tables',
          `--tables: unknown table ${JSON.stringify(name)} on the old database; ${available}`,
        );
      }
      const problem = EXCLUDED_TABLES.includes(name) ? 'it is bookkeeping, never compared' : ruleProblem(table);
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
    for (const table of newCatalog.values()) {
      if (!EXCLUDED_TABLES.includes(table.name) && !ruleProblem(table) && !oldCatalog.has(table.name)) {
        names.push(table.name);
      }
    }
  }
  const problems: string[] = [];
  for (const name of names) {
    const a = oldCatalog.get(name);
    const b = newCatalog.get(name);
    if (!a) problems.push(`table "${name}" exists on new but not on old`);
    else if (!b) problems.push(`table "${name}" exists on old but not on new`);
    else if (describeColumns(a.columns) !== describeColumns(b.columns))
      problems.push(columnDifference(name, a.columns, b.columns));
  }
  if (problems.length > 0) throw await schemaMismatch(old, current, problems, catalogs);

  const foreignKeys = await old.client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const specs: TableSpec[] = [];
  for (const name of names) {
    specs.push({
      name,
      columns: oldCatalog.get(name)!.columns,
      rowHash: await chooseRowHash(old, name),
      parents: foreignKeys.rows.filter((k) => k.child === name && names.includes(k.parent)).map((k) => k.parent),
    });
  }
  return specs;
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
