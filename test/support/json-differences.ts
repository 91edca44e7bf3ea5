/** What {@link jsonDifferences} prints of a value: its JSON, cut to a length a failure message can show. */
function shown(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * The places where two JSON values differ, as `path: before -> after` lines (`path` in dotted form, array indexes in
 * brackets), at most `limit` of them: a test comparing two synthesized apps then fails naming what changed, not with
 * two whole templates.
 */
export function jsonDifferences(before: unknown, after: unknown, limit = 20): string[] {
  const found: string[] = [];
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (found.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${at}[${i}]`);
      return;
    }
    const isObject = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isObject(a) && isObject(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        walk(a[key], b[key], at ? `${at}.${key}` : key);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`${at || '(root)'}: ${shown(a)} -> ${shown(b)}`);
  };
  walk(before, after, '');
  return found;
}
