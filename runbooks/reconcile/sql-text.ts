/** `"name"` with embedded quotes doubled: safe for any identifier read from the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded quotes doubled (standard_conforming_strings is on since Postgres 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `public."name"`: every compared table lives in schema public. */
export function qualifiedTable(name: string): string {
  return `public.${quoteIdent(name)}`;
}
