import fc from 'fast-check';

/** The parts of a JSON Schema (as TypeBox builds them) that the services' request schemas use. */
export interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * Replaces the arbitrary of one location (`body.items[0].productId`, `params.customerId`), for values the schema
 * allows but that a random draw would almost never hit: an existing product, a customer with a cart.
 */
export type Hints = (path: string, key: string) => fc.Arbitrary<unknown> | undefined;

const EMAIL = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9._+-]{1,20}$/),
    fc.stringMatching(/^[a-z0-9-]{1,20}$/),
    fc.constantFrom('com', 'example', 'co', 'museum'),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

function withBounds(min: number, max: number, inner: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(min, max) }, { weight: 4, arbitrary: inner });
}

function text(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 200;
  const fits = (s: string) => s.length >= min && s.length <= max;
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'email') return EMAIL.filter(fits);
  if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  // Realistic text: any printable graphemes, sometimes at the maximum length.
  const some = fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: Math.min(max, 24) });
  const longest = fc.constant('x'.repeat(max));
  return fc.oneof({ weight: 9, arbitrary: some }, { weight: 1, arbitrary: longest }).filter(fits);
}

/**
 * An arbitrary of values `schema` accepts, located at `path` (hints may replace any location). Numbers without
 * `multipleOf` are amounts in this project (dollars, two decimals): they are drawn as whole cents.
 */
export function validValue(schema: JsonSchema, path: string, hints: Hints, key = ''): fc.Arbitrary<unknown> {
  const hinted = hints(path, key);
  if (hinted !== undefined) return hinted;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf !== undefined) return fc.oneof(...schema.anyOf.map((s) => validValue(s, path, hints, key)));
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) {
        record[name] = validValue(property, `${path}.${name}`, hints, name);
      }
      return fc.record(record, { requiredKeys: [...(schema.required ?? [])] as never });
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = schema.maxItems ?? 10;
      const item = (i: number) => validValue(schema.items ?? {}, `${path}[${i}]`, hints, key);
      // Mostly a few items; sometimes the most the schema allows.
      const few = fc.integer({ min, max: Math.min(max, Math.max(min, 4)) });
      const count = fc.oneof({ weight: 9, arbitrary: few }, { weight: 1, arbitrary: fc.constant(max) });
      return count.chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => item(i))));
    }
    case 'string':
      return text(schema);
    case 'integer': {
      const min = schema.minimum ?? -(2 ** 31);
      const max = schema.maximum ?? 2 ** 31;
      return withBounds(
        min,
        max,
        fc
          .integer({ min, max: Math.min(max, min + 50) })
          .chain((small) => fc.oneof(fc.constant(small), fc.integer({ min, max }))),
      );
    }
    case 'number': {
      const min = Math.round((schema.minimum ?? 0) * 100);
      const max = Math.round((schema.maximum ?? 1_000_000) * 100);
      const cents = fc.oneof(fc.integer({ min, max: Math.min(max, min + 10_000) }), fc.integer({ min, max }));
      return withBounds(
        min / 100,
        max / 100,
        cents.map((c) => c / 100),
      );
    }
    case 'boolean':
      return fc.boolean();
    default:
      // No type: anything JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** The schema of the property `key` of an object schema (through `anyOf`), if it has one. */
export function propertySchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (schema === undefined) return undefined;
  if (schema.properties?.[key] !== undefined) return schema.properties[key];
  for (const option of schema.anyOf ?? []) {
    const found = propertySchema(option, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Converts query or path values (text) to what `schema` says, strictly: `1.5` is not an integer and `1e3` is not
 * written as one. This is what a client may expect a service to accept; the services' own conversion is checked
 * against it.
 */
export function strictConvert(schema: JsonSchema, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(values)) {
    const type = propertySchema(schema, key)?.type;
    if (typeof raw !== 'string') {
      out[key] = raw;
    } else if (type === 'integer' || type === 'number') {
      const pattern = type === 'integer' ? /^-?(0|[1-9][0-9]*)$/ : /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
      out[key] = pattern.test(raw) && Number.isSafeInteger(Math.trunc(Number(raw))) ? Number(raw) : raw;
    } else if (type === 'boolean') {
      out[key] = raw === 'true' ? true : raw === 'false' ? false : raw;
    } else {
      out[key] = raw;
    }
  }
  return out;
}
