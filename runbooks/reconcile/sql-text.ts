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

/** `public."name"`: every compared table lives in schema public. */
export function qualifiedTable(name: string): string {
  return `public.${quoteIdent(name)}`;
}
