import { tableOfKey } from './sql-text';
import { displayName } from './table-spec';

/**
 * Parses a list of tables as the report names them (`--tables`): comma-separated; a name holding a comma, a dot, a
 * quote or spaces is written in double quotes with `""` for a quote (`"audit.log"`, `"a,b"`, `"Order Items"`), a
 * plain name as is (`orders`). Each entry comes back as the table's key in the report (quoted only when it holds a
 * dot or a quote). Throws naming the entry and what is accepted.
 */
export function parseTableList(value: string, field = '--tables'): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        current += '""';
        i++;
        continue;
      }
      quoted = !quoted;
      current += c;
    } else if (c === ',' && !quoted) {
      entries.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  const accepted =
    'accepted: comma-separated table names as the report names them, e.g. orders,order_items, or "audit.log" in double quotes for a name with a dot, comma, quote or space';
  if (quoted) throw new Error(`${field}: ${JSON.stringify(value)} has an unclosed double quote; ${accepted}`);
  entries.push(current);
  const tables = entries.map((e) => e.trim()).filter((e) => e.length > 0);
  if (tables.length === 0) throw new Error(`${field}: ${JSON.stringify(value)} names no table; ${accepted}`);
  return tables.map((entry) => {
    // A quoted entry is one table of schema public, whatever it holds; a bare one must be a plain identifier.
    if (entry.startsWith('"')) {
      if (!/^"(?:[^"]|"")+"$/.test(entry) || hasControlCharacter(entry)) {
        throw new Error(`${field}: ${JSON.stringify(entry)} is not a quoted table name; ${accepted}`);
      }
      return displayName('public', tableOfKey(entry));
    }
    // Bare, the report writes any name without a dot or a quote (2fa_codes, été, Order Items); a dot would name a
    // table of another schema, and only tables of schema public are compared row by row.
    if (entry.includes('.')) {
      throw new Error(
        `${field}: ${JSON.stringify(entry)} names table ${JSON.stringify(entry.slice(entry.indexOf('.') + 1))} of schema ${JSON.stringify(entry.slice(0, entry.indexOf('.')))}, and only tables of schema public are compared row by row; for the table named ${entry} in public write "${entry}" in double quotes. ${accepted}`,
      );
    }
    if (hasControlCharacter(entry) || /[;\s]/.test(entry.replace(/ /g, ''))) {
      throw new Error(`${field}: ${JSON.stringify(entry)} is not a table name; ${accepted}`);
    }
    return entry;
  });
}

/** Whether `text` holds a control character (U+0000–U+001F): never part of a table name given on a command line. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
