/**
 * The fields of a record literal as Postgres writes it (`(t.*)::text`, `record_out`), in column order: each
 * column's text output, null for a NULL. Postgres' rules ("Composite Types", §8.16.6 Composite Type Input and
 * Output Syntax): fields are separated by commas inside parentheses; a NULL is written as nothing at all; a value
 * that is empty or holds a double quote, backslash, comma, parenthesis or white space is written in double quotes,
 * with every double quote and backslash inside doubled (`""` reads as `"`, and a backslash quotes the character
 * after it). Reading the fields back from the literal costs far less than asking Postgres to print every column a
 * second time (`ARRAY[t.a::text, …]`), which the report's column comparison used to do.
 * @throws Error when `literal` is not a record literal (no parentheses, an unterminated quote)
 */
export function recordFields(literal: string): (string | null)[] {
  if (literal.length < 2 || literal[0] !== '(' || literal[literal.length - 1] !== ')') {
    throw new Error(
      `record literal: ${JSON.stringify(literal.slice(0, 80))} is not accepted; accepted: a record as Postgres writes it, "(…)"`,
    );
  }
  const end = literal.length - 1;
  const fields: (string | null)[] = [];
  let i = 1;
  for (;;) {
    if (literal[i] === '"') {
      let value = '';
      let start = ++i;
      for (;;) {
        if (i >= end) {
          throw new Error(
            `record literal: ${JSON.stringify(literal.slice(0, 80))} is not accepted: a quoted field is not closed`,
          );
        }
        const ch = literal[i];
        if (ch === '\\') {
          value += literal.slice(start, i) + literal[i + 1];
          i += 2;
          start = i;
        } else if (ch === '"') {
          value += literal.slice(start, i);
          if (literal[i + 1] === '"') {
            value += '"';
            i += 2;
            start = i;
          } else {
            i++;
            break;
          }
        } else {
          i++;
        }
      }
      // record_out quotes a whole field: the closing quote is followed by the separator or the end.
      fields.push(value);
    } else {
      const comma = literal.indexOf(',', i);
      const stop = comma === -1 || comma > end ? end : comma;
      fields.push(stop === i ? null : literal.slice(i, stop));
      i = stop;
    }
    if (i >= end) return fields;
    if (literal[i] !== ',') {
      throw new Error(
        `record literal: ${JSON.stringify(literal.slice(0, 80))} is not accepted: expected a comma at position ${i}`,
      );
    }
    i++;
  }
}
