/** `"name"` with embedded quotes doubled: safe for any identifier read from the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * `'text'` with embedded quotes doubled; a value with a backslash becomes `E'…'` with the backslashes doubled too,
 * as Postgres' own `quote_literal` does, so it reads the same whatever `standard_conforming_strings` the session
 * runs with (a string literal is read before any `SET` sent in the same query string takes effect).
 */
export function quoteLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/**
 * The table name of a report key in schema public: the key itself, or, when it is quoted (`"audit.log"`: a name
 * holding a dot or a quote, see `displayName`), the name inside the quotes.
 */
export function tableOfKey(key: string): string {
  return key.length >= 2 && key.startsWith('"') && key.endsWith('"') ? key.slice(1, -1).replace(/""/g, '"') : key;
}

/** `public."name"` for a report key ({@link tableOfKey}): every table compared row by row lives in schema public. */
export function qualifiedTable(key: string): string {
  return `public.${quoteIdent(tableOfKey(key))}`;
}

/**
 * The relation to read a table's own rows from: `ONLY public."name"` for a plain table (rows of its inheritance
 * children are compared as the children's), `public."name"` for a partitioned one (its rows are in its partitions).
 */
export function tableRows(key: string, plain: boolean): string {
  return `${plain ? 'ONLY ' : ''}${qualifiedTable(key)}`;
}
