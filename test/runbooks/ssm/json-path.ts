/**
 * The JSONPath subset SSM Automation documents its selectors with
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-aws-apis-calling.html, "Using JSONPath in
 * a runbook": "A JSONPath expression is a string beginning with "$." ... Dot-notated child (.) ... Array-Index
 * ([ ])"). Deep scan (`..`) is documented too but no generated document uses it, so it is refused here.
 */

/** The path segments of a selector (`$.a.b[0]` → `['a', 'b', 0]`); throws on anything outside the subset. */
export function parseJsonPath(selector: string): readonly (string | number)[] {
  if (!selector.startsWith('$.')) {
    throw new Error(`selector "${selector}": a JSONPath expression begins with "$."`);
  }
  if (selector.includes('..')) throw new Error(`selector "${selector}": deep scan (..) is not supported here`);
  const segments: (string | number)[] = [];
  for (const part of selector.slice(2).split('.')) {
    const match = /^([A-Za-z0-9_-]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new Error(`selector "${selector}": "${part}" is not a child name with optional [index]`);
    segments.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

/** The value a selector picks in `value`, or `undefined` when nothing is there. */
export function selectJsonPath(value: unknown, selector: string): unknown {
  let current: unknown = value;
  for (const segment of parseJsonPath(selector)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
