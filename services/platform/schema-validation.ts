import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';
import { HttpError } from './http-error';
import { TEXT_FORMAT, textProblem } from './shapes/text';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is the mail system's business.
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));
if (!FormatRegistry.Has('email')) {
  FormatRegistry.Set('email', (value) => EMAIL.test(value) && textProblem(value) === undefined);
}

const PART_NAMES: Readonly<Record<string, string>> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/**
 * Fastify's validator compiler for TypeBox schemas, replacing Ajv's defaults (which coerce body types and strip
 * unknown properties silently). A JSON body is checked exactly as sent: `"5"` is not a quantity and an unknown
 * property is rejected. Query strings and path parameters arrive as text, so they are converted to the schema's
 * types and given its defaults first. A failure becomes a 400 {@link HttpError} whose message names the field,
 * what it must be and what was received.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const part = PART_NAMES[httpPart ?? 'body'] ?? String(httpPart);
  if (httpPart === 'body' || httpPart === 'headers') {
    // Headers are strings already; returning a value would replace request.headers with a copy.
    return (value: unknown) => (check.Check(value) ? true : { error: toHttpError(check.Errors(value), part) });
  }
  return (value: unknown) => {
    const converted = Value.Default(schema, convertStrictly(schema, value ?? {}));
    return check.Check(converted) ? { value: converted } : { error: toHttpError(check.Errors(converted), part) };
  };
};

/**
 * A check of values against `schema` as a JSON body is checked, compiled once: it returns undefined when a value
 * passes, else the 400 naming the first field at fault under `part` (for data read back from a store, `part` may
 * be '' so fields are named from the value's root: `items[0].name`).
 */
export function compileCheck(schema: TSchema, part: string): (value: unknown) => HttpError | undefined {
  const check = TypeCompiler.Compile(schema);
  return (value) => (check.Check(value) ? undefined : toHttpError(check.Errors(value), part));
}

// What a query or path value must look like to become an integer: TypeBox's Value.Convert would turn "1.5",
// "1e3" and "0x10" into 1, 1 and 16.
const INTEGER_TEXT = /^-?[0-9]+$/;

/**
 * `Value.Convert`, except that a text value of an integer property is converted only when it is written as a
 * whole number; otherwise it stays text, and the check names the field ("expected integer").
 */
function convertStrictly(schema: TSchema, value: unknown): unknown {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  const kept: Array<[string, string]> = [];
  if (properties !== undefined && typeof value === 'object' && value !== null) {
    for (const [name, property] of Object.entries(properties)) {
      const raw = (value as Record<string, unknown>)[name];
      if (property.type === 'integer' && typeof raw === 'string' && !INTEGER_TEXT.test(raw)) kept.push([name, raw]);
    }
  }
  // Value.Convert converts an object in place and returns it.
  const converted = Value.Convert(schema, value);
  if (typeof converted === 'object' && converted !== null) {
    for (const [name, raw] of kept) (converted as Record<string, unknown>)[name] = raw;
  }
  return converted;
}

/** `body` + `/items/0/quantity` → `body.items[0].quantity`. */
function fieldPath(part: string, pointer: string): string {
  let path = part;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return path;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // JSON.stringify recurses: a few thousand nested arrays (which JSON.parse reads fine) overflow the stack.
    return Array.isArray(value) ? 'an array' : `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
  }
  if (text === undefined) return typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expectation(error: ValueError): string {
  if (error.type === ValueErrorType.StringFormat && typeof error.value === 'string') {
    const problem = textProblem(error.value);
    if (problem !== undefined) return problem;
    if (error.schema.format === TEXT_FORMAT) return 'is not text';
  }
  const options = (error.schema as { anyOf?: Array<{ const?: unknown }> }).anyOf;
  if (error.type === ValueErrorType.Union && options?.every((o) => o.const !== undefined)) {
    return `expected one of ${options.map((o) => String(o.const)).join(', ')}`;
  }
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

function toHttpError(errors: Iterable<ValueError>, part: string): HttpError {
  // The first error is the outermost: a missing or unknown property before what is wrong inside a present one.
  const first = errors[Symbol.iterator]().next();
  if (first.done) return new HttpError(400, `${part}: is invalid`, part);
  const error = first.value;
  const field = fieldPath(part, error.path).replace(/^\./, '');
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return new HttpError(400, `${field}: is required`, field);
    case ValueErrorType.ObjectAdditionalProperties:
      return new HttpError(400, `${field}: is not an accepted property`, field);
    default:
      return new HttpError(400, `${field}: ${expectation(error)} (received ${describe(error.value)})`, field);
  }
}
