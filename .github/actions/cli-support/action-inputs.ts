/**
 * Reading and validating the inputs of the workflow CLIs.
 *
 * Every CLI reads its inputs the way a GitHub Action does: `core.getInput('bake_minutes')` returns the
 * environment variable `INPUT_BAKE_MINUTES`. Input names use underscores so the variables can be set from any
 * shell (`INPUT_BAKE_MINUTES=20 npx tsx ...`). All inputs are validated before any AWS call, and every problem
 * is reported at once, each naming the input, the value received and what would be accepted.
 */

import { parseIsoInstant } from '../../../runbooks/core/iso-instant';

/** Thrown when one or more inputs are invalid; the message lists every problem, one per line. */
export class InputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid inputs (nothing was called):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InputError';
  }
}

/** Turns the text of one input into a value, or says why it cannot. */
export interface InputParser<T> {
  /** What the input accepts, in words, e.g. `a whole number from 1 to 360`. */
  readonly accepted: string;
  /** The parsed value, or a problem such as `is not a whole number`. */
  parse(text: string): { readonly value: T } | { readonly problem: string };
}

/** Reads one raw input by name; `core.getInput` in the CLIs, a record lookup in tests. */
export type GetInput = (name: string) => string;

/** A value as it appears in a problem: quoted, and cut after 100 characters when longer than 200. */
const show = (value: string) =>
  value.length > 200 ? `${JSON.stringify(value.slice(0, 100))}... (${value.length} characters)` : JSON.stringify(value);

/**
 * Collects input values and problems. Values returned after a problem are placeholders: call
 * {@link InputReader.finish} before using any of them; it throws {@link InputError} when there was a problem.
 */
export class InputReader {
  private readonly problems: string[] = [];

  constructor(private readonly getInput: GetInput) {}

  /** A required input: missing or empty is a problem. */
  required<T>(name: string, parser: InputParser<T>): T {
    const text = this.getInput(name).trim();
    if (text === '') {
      this.problems.push(`${name}: no value given; accepted: ${parser.accepted}`);
      return undefined as T;
    }
    return this.parse(name, text, parser);
  }

  /** An optional input: missing or empty gives `fallback`. */
  optional<T, F = T>(name: string, parser: InputParser<T>, fallback: F): T | F {
    const text = this.getInput(name).trim();
    return text === '' ? fallback : this.parse(name, text, parser);
  }

  /** Records a problem found by a check across several inputs. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Whether any problem was recorded so far. */
  get failed(): boolean {
    return this.problems.length > 0;
  }

  /** @throws InputError listing every problem recorded, if any. */
  finish(): void {
    if (this.problems.length > 0) throw new InputError(this.problems);
  }

  private parse<T>(name: string, text: string, parser: InputParser<T>): T {
    const result = parser.parse(text);
    if ('problem' in result) {
      this.problems.push(`${name}: ${show(text)} ${result.problem}; accepted: ${parser.accepted}`);
      return undefined as T;
    }
    return result.value;
  }
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number): InputParser<number> {
  return {
    accepted: `a whole number from ${min} to ${max}`,
    parse: (text) => {
      if (!/^\d+$/.test(text)) return { problem: 'is not a whole number' };
      const value = Number(text);
      return value < min || value > max ? { problem: 'is out of range' } : { value };
    },
  };
}

/** Exactly `true` or `false`. */
export const booleanText: InputParser<boolean> = {
  accepted: '"true" or "false"',
  parse: (text) => (text === 'true' || text === 'false' ? { value: text === 'true' } : { problem: 'is not a boolean' }),
};

/** One of a fixed set of words. */
export function oneOf<T extends string>(values: readonly T[]): InputParser<T> {
  return {
    accepted: values
      .map(show)
      .join(', ')
      .replace(/, ([^,]*)$/, ' or $1'),
    parse: (text) =>
      (values as readonly string[]).includes(text) ? { value: text as T } : { problem: 'is not one of them' },
  };
}

/** Free text of 1 to `maxLength` characters. */
export function text(maxLength: number): InputParser<string> {
  return {
    accepted: `non-empty text of at most ${maxLength} characters`,
    parse: (value) => (value.length > maxLength ? { problem: `is ${value.length} characters long` } : { value }),
  };
}

/** Text matching `pattern`. */
export function matching(pattern: RegExp, accepted: string, problem: string): InputParser<string> {
  return { accepted, parse: (value) => (pattern.test(value) ? { value } : { problem }) };
}

/** An AWS Region name such as `us-east-1` (shape only: the CLIs take Regions from the validated config). */
export const regionName = matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a Region such as "us-east-1"', 'is not a Region name');

/** The app or environment name of the config: 1-20 lowercase letters, digits or hyphens, starting with a letter. */
export const resourceNamePart = matching(
  /^[a-z][a-z0-9-]{0,19}$/,
  '1-20 lowercase letters, digits or hyphens, starting with a letter',
  'is not a valid name',
);

/** A point in time in ISO 8601 with a time zone, e.g. `2025-01-31T12:00:00Z`. */
export const isoTime: InputParser<Date> = {
  accepted: 'an ISO 8601 time with a time zone, such as "2025-01-31T12:00:00Z"',
  // Strict: a JavaScript Date rolls 2025-02-30 over into March and T24:00 into the next day.
  parse: (value) => {
    const time = parseIsoInstant(value);
    return time
      ? { value: time }
      : { problem: 'is not an ISO 8601 time with a time zone and a date and time that exist' };
  },
};

/**
 * A list separated by commas or new lines (so a YAML block scalar works), items trimmed, each parsed by `item`;
 * duplicates are dropped, the order is kept. Spaces separate too only with `spaces: true`: CloudWatch alarm
 * names may contain spaces, stack names cannot.
 */
export function listOf<T>(
  item: InputParser<T>,
  maxItems: number,
  options: { spaces?: boolean } = {},
): InputParser<readonly T[]> {
  const separators = options.spaces ? 'commas, spaces or new lines' : 'commas or new lines';
  const separator = options.spaces ? /[,\s]+/ : /[,\n]/;
  return {
    accepted: `a list of 1 to ${maxItems} items separated by ${separators}, each ${item.accepted}`,
    parse: (value) => {
      const texts = [
        ...new Set(
          value
            .split(separator)
            .map((t) => t.trim())
            .filter((t) => t !== ''),
        ),
      ];
      if (texts.length === 0) return { problem: 'has no items' };
      if (texts.length > maxItems) return { problem: `has ${texts.length} items` };
      const values: T[] = [];
      for (const t of texts) {
        const result = item.parse(t);
        if ('problem' in result) return { problem: `has an item ${show(t)} that ${result.problem}` };
        values.push(result.value);
      }
      return { value: values };
    },
  };
}
