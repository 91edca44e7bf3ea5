import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import {
  type Hostile,
  type HostileClass,
  hostileJson,
  hostileText,
  INVALID_UTF8_MARK,
  percentEncode,
  RawJson,
  RawText,
  toJsonText,
  withInvalidUtf8,
} from './hostile-values';
import type { RawRequest } from './raw-request';
import type { RecordedRoute } from './route-recorder';
import { type Hints, type JsonSchema, propertySchema, strictConvert, validValue } from './schema-arbitrary';

/** How a route takes its body. */
export type BodyKind = 'json' | 'form' | 'none';

/** What was changed in a valid request to make it hostile. */
export interface Mutation {
  readonly cls: HostileClass | 'none';
  /** Where: the field path a 4xx must name (`body.items[0].name`, `query.page`, `params.id`, `body`). */
  readonly at: string;
  /** Other acceptable names for the same fault (a whole-body fault may be named `headers.content-type`). */
  readonly alsoNamed?: readonly string[];
}

/** One generated request of one route. */
export interface RequestCase {
  /** `POST /carts/:customerId/items`. */
  readonly route: string;
  readonly request: RawRequest;
  readonly mutation: Mutation;
  /** The request breaks its schema (strictly read: `1.5` is not an integer): the service must answer 4xx. */
  readonly mustReject: boolean;
  /** The JSON or form value sent as the body, when it is one (for read-back checks). */
  readonly sentBody?: unknown;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
}

/** How requests of one route are generated. */
export interface RouteShape {
  readonly route: RecordedRoute;
  readonly body: BodyKind;
  readonly bodyLimitBytes: number;
  readonly hints: Hints;
  /** Headers every request carries (a visitor's cookie, `accept`). */
  readonly headers: fc.Arbitrary<Record<string, string>>;
  /** Header fields of the schema that may be mutated (`idempotency-key`). */
  readonly mutableHeaders?: readonly string[];
  /** The route reads a JSON `null` (and no body) as an empty object, by design (checkout submit). */
  readonly nullBodyIsEmpty?: boolean;
  /** Adjusts a valid body (keeps values inside limits while a known finding is excluded). */
  readonly adjustBody?: (body: unknown) => unknown;
}

type Segment = string | number;
interface Leaf {
  readonly at: Segment[];
  readonly value: unknown;
}

function leaves(
  value: unknown,
  at: Segment[] = [],
  out: Leaf[] = [],
  objects: Leaf[] = [],
): { leaves: Leaf[]; objects: Leaf[] } {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) leaves(v, [...at, i], out, objects);
  } else if (value !== null && typeof value === 'object') {
    objects.push({ at, value });
    for (const [k, v] of Object.entries(value)) leaves(v, [...at, k], out, objects);
  } else {
    out.push({ at, value });
  }
  return { leaves: out, objects };
}

function pathOf(part: string, at: readonly Segment[]): string {
  return at.reduce<string>((p, s) => (typeof s === 'number' ? `${p}[${s}]` : `${p}.${s}`), part);
}

function clone(value: unknown): unknown {
  if (value instanceof RawJson || value instanceof RawText) return value;
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: clone(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** Sets (or with `undefined`, removes) the value at `at`, defining keys as own properties (`__proto__` too). */
function setAt(root: unknown, at: readonly Segment[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = clone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const s of at.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (value === undefined) delete node[last];
  else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** The value the server's JSON parser sees for `value`, or `undefined` when it is not JSON it accepts. */
function parsedAsServer(value: unknown): unknown {
  try {
    const text = toJsonText(value);
    if (/"__proto__"\s*:|"constructor"\s*:\s*\{\s*"prototype"/.test(text)) return undefined;
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function schemaAccepts(schema: JsonSchema | undefined, value: unknown): boolean {
  if (schema === undefined) return true;
  if (value === undefined) return false;
  return Value.Check(schema as never, value);
}

function formText(body: Record<string, unknown>, duplicate?: string): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    const text = typeof v === 'string' || v instanceof RawText ? v : String(v);
    parts.push(`${percentEncode(k)}=${percentEncode(text as string | RawText)}`);
    if (k === duplicate) parts.push(`${percentEncode(k)}=${percentEncode(text as string | RawText)}x`);
  }
  return parts.join('&');
}

function queryText(query: Record<string, unknown>, duplicate?: string): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const text = v instanceof RawText ? v : String(v);
    parts.push(`${percentEncode(k)}=${percentEncode(text)}`);
    if (k === duplicate) parts.push(`${percentEncode(k)}=${percentEncode(text)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function pathText(url: string, params: Record<string, unknown>): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => percentEncode(params[name] as string | RawText));
}

interface Parts {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string>;
  /** The raw body and content type, when a whole-body fault replaced them. */
  rawBody?: { text: string | Buffer; contentType: string | undefined };
  duplicateQuery?: string;
  duplicateForm?: string;
}

/** Valid request parts of a route, drawn from its schemas. */
function validParts(shape: RouteShape): fc.Arbitrary<Parts> {
  const { schema } = shape.route;
  const params: fc.Arbitrary<Record<string, unknown>> =
    schema.params !== undefined
      ? (validValue(schema.params as JsonSchema, 'params', shape.hints) as fc.Arbitrary<Record<string, unknown>>)
      : fc.constant(Object.fromEntries([...shape.route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => [m[1]!, 'x'])));
  const query: fc.Arbitrary<Record<string, unknown>> =
    schema.querystring !== undefined
      ? (validValue(schema.querystring as JsonSchema, 'query', shape.hints) as fc.Arbitrary<Record<string, unknown>>)
      : fc.constant({});
  let body: fc.Arbitrary<unknown> =
    shape.body !== 'none' && schema.body !== undefined
      ? validValue(schema.body as JsonSchema, 'body', shape.hints)
      : fc.constant(undefined);
  if (shape.adjustBody) body = body.map(shape.adjustBody);
  return fc.record({ params, query, body, headers: shape.headers });
}

const none: Mutation = { cls: 'none', at: '' };

/**
 * Page cursors of the orders API that are well formed (base64url of `created_at|id` matching its pattern) but
 * name a date or id Postgres cannot read: month 99, 30 February, 36 dashes as the id.
 */
const impossibleCursors: fc.Arbitrary<Hostile<string>> = fc
  .constantFrom(
    '9999-99-99T99:99:99.999999Z|01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed',
    '2026-02-30T00:00:00.000000Z|01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed',
    '2026-01-01T00:00:00.000000Z|------------------------------------',
    '0000-00-00T00:00:00.000000Z|00000000-0000-0000-0000-000000000000',
  )
  .map((text) => ({ cls: 'impossible-cursor' as const, value: Buffer.from(text).toString('base64url') }));

/** Every way one valid request is made hostile, for the parts this route has. */
function mutations(shape: RouteShape, valid: Parts): fc.Arbitrary<[Parts, Mutation]> {
  const options: Array<fc.Arbitrary<[Parts, Mutation]>> = [fc.constant([valid, none])];
  const { schema } = shape.route;

  const paramKeys = Object.keys(valid.params);
  if (paramKeys.length > 0) {
    options.push(
      fc.constantFrom(...paramKeys).chain((key) =>
        hostileText(String(valid.params[key])).map((x): [Parts, Mutation] => [
          { ...valid, params: { ...valid.params, [key]: x.value } },
          { cls: x.cls, at: `params.${key}` },
        ]),
      ),
    );
  }

  if (schema.querystring !== undefined) {
    const querySchema = schema.querystring as JsonSchema;
    const keys = Object.keys(querySchema.properties ?? {});
    if (keys.length > 0)
      options.push(
        fc.constantFrom(...keys).chain((key) =>
          fc.oneof(
            (key === 'cursor'
              ? fc.oneof(hostileText('x'), impossibleCursors)
              : hostileText(String(valid.query[key] ?? '1'))
            ).map((x): [Parts, Mutation] => [
              { ...valid, query: { ...valid.query, [key]: x.value } },
              { cls: x.cls, at: `query.${key}` },
            ]),
            fc.constant<[Parts, Mutation]>([
              { ...valid, query: { ...valid.query, [key]: valid.query[key] ?? '1' }, duplicateQuery: key },
              { cls: 'duplicated-key', at: `query.${key}` },
            ]),
            fc.constant<[Parts, Mutation]>([
              { ...valid, query: { ...valid.query, [key]: undefined } },
              { cls: 'missing-key', at: `query.${key}` },
            ]),
          ),
        ),
      );
    options.push(
      fc.constantFrom('__proto__', 'constructor', 'unknown', 'toString').map((key): [Parts, Mutation] => [
        { ...valid, query: { ...valid.query, [key]: 'x' } },
        { cls: key.startsWith('__') || key === 'constructor' ? 'proto-key' : 'extra-key', at: `query.${key}` },
      ]),
    );
  }

  if (shape.body !== 'none' && schema.body !== undefined) {
    const { leaves: found, objects } = leaves(valid.body);
    if (found.length > 0) {
      options.push(
        fc.constantFrom(...found).chain((leaf) => {
          const hostile: fc.Arbitrary<Hostile<unknown>> =
            shape.body === 'form' ? hostileText(String(leaf.value)) : hostileJson(leaf.value);
          return hostile.map((x): [Parts, Mutation] => [
            { ...valid, body: setAt(valid.body, leaf.at, x.value) },
            { cls: x.cls, at: pathOf('body', leaf.at) },
          ]);
        }),
        fc.constantFrom(...found).map((leaf): [Parts, Mutation] => [
          { ...valid, body: setAt(valid.body, leaf.at, undefined) },
          { cls: 'missing-key', at: pathOf('body', leaf.at) },
        ]),
      );
    }
    if (objects.length > 0) {
      options.push(
        fc
          .tuple(fc.constantFrom(...objects), fc.constantFrom('__proto__', 'constructor', 'unexpected'))
          .map(([object, key]): [Parts, Mutation] => {
            const value =
              shape.body === 'form'
                ? 'polluted'
                : key === 'constructor'
                  ? { prototype: { polluted: true } }
                  : key === '__proto__'
                    ? { polluted: true }
                    : 'x';
            return [
              { ...valid, body: setAt(valid.body, [...object.at, key], value) },
              {
                cls: key === 'unexpected' ? 'extra-key' : 'proto-key',
                at: pathOf('body', [...object.at, key]),
                alsoNamed: ['body'],
              },
            ];
          }),
      );
    }
    if (shape.body === 'form') {
      const keys = Object.keys((valid.body ?? {}) as object);
      if (keys.length > 0) {
        options.push(
          fc.constantFrom(...keys).map((key): [Parts, Mutation] => [
            { ...valid, duplicateForm: key },
            { cls: 'duplicated-key', at: `body.${key}` },
          ]),
        );
      }
    }
    options.push(wholeBody(shape, valid));
  }

  for (const header of shape.mutableHeaders ?? []) {
    options.push(
      fc.constantFrom(' ', 'a'.repeat(200), 'é', 'x y', '', 'key\u00ff').map((value): [Parts, Mutation] => [
        { ...valid, headers: { ...valid.headers, [header]: value } },
        {
          cls: value === 'a'.repeat(200) ? 'long-string' : 'bad-encoding',
          at: `headers.${header}`,
          alsoNamed: ['body.idempotencyKey'],
        },
      ]),
    );
  }
  // A valid request twice as often as any one kind of fault: the valid paths must hold as well.
  return fc.oneof(options[0]!, ...options);
}

function wholeBody(shape: RouteShape, valid: Parts): fc.Arbitrary<[Parts, Mutation]> {
  const json = shape.body === 'json';
  const goodText = json ? toJsonText(valid.body) : formText((valid.body ?? {}) as Record<string, unknown>);
  const goodType = json ? 'application/json' : 'application/x-www-form-urlencoded';
  const at: Mutation = {
    cls: 'malformed-body',
    at: 'body',
    alsoNamed: ['headers.content-type', 'headers.content-length'],
  };
  const raw = (cls: HostileClass, text: string | Buffer, contentType: string | undefined): [Parts, Mutation] => [
    { ...valid, rawBody: { text, contentType } },
    { ...at, cls },
  ];
  const pad = (bytes: number) => (json ? `{"pad":"${'x'.repeat(bytes)}"}` : `pad=${'x'.repeat(bytes)}`);
  return fc.oneof(
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        json ? 'application/x-www-form-urlencoded' : 'text/csv',
        'application/json; charset=utf-16',
        'application/octet-stream',
      )
      .map((type) => raw('wrong-content-type', goodText, type)),
    fc.constant(raw('wrong-content-type', goodText, undefined)),
    fc
      .constantFrom('{"a":', '', '{', '"x"', '[]', 'null', '1e400', '{"a":1}}', '\ufeff{}')
      .map((text) => raw('malformed-body', text, goodType)),
    fc.constant(
      raw(
        'bad-encoding',
        Buffer.concat([
          Buffer.from(json ? '{"a":"' : 'a='),
          Buffer.from([0xff, 0xfe, 0xc0]),
          Buffer.from(json ? '"}' : ''),
        ]),
        goodType,
      ),
    ),
    fc
      .integer({ min: 1, max: shape.bodyLimitBytes * 3 })
      .map((extra) => raw('oversized-body', pad(shape.bodyLimitBytes + extra), goodType)),
    fc
      .constantFrom(`${'['.repeat(20_000)}${']'.repeat(20_000)}`, `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)
      .map((text) => raw('deep-nesting', json ? text : `a=${encodeURIComponent(text.slice(0, 4000))}`, goodType)),
    fc
      .constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}')
      .map((text) =>
        raw('proto-key', json ? text : `__proto__[polluted]=1&constructor[prototype][polluted]=1`, goodType),
      ),
  );
}

/**
 * What a server reads from a query or path value: a {@link RawText} percent-decoded once (`undefined` when its
 * encoding is broken: `%`, `%FF`, an encoded lone surrogate), anything else as the text it is.
 */
function decodedText(value: unknown): string | undefined {
  if (!(value instanceof RawText)) return String(value);
  try {
    return decodeURIComponent(value.text);
  } catch {
    return undefined;
  }
}

/** Whether the server must refuse these parts: something in them breaks the route's schema. */
function breaksSchema(shape: RouteShape, parts: Parts, mutation: Mutation): boolean {
  const { schema } = shape.route;
  if (mutation.cls === 'none') return false;
  if (mutation.at.startsWith('params.')) {
    if (schema.params === undefined) return false;
    const values = Object.fromEntries(Object.entries(parts.params).map(([k, v]) => [k, decodedText(v)]));
    if (Object.values(values).includes(undefined)) return true;
    return (
      schema.params !== undefined &&
      !schemaAccepts(schema.params as JsonSchema, strictConvert(schema.params as JsonSchema, values))
    );
  }
  if (mutation.at.startsWith('query.')) {
    if (schema.querystring === undefined) return false;
    if (parts.duplicateQuery !== undefined) return true;
    const querySchema = schema.querystring as JsonSchema;
    const decoded = Object.entries(parts.query).map(
      ([k, v]) => [k, v === undefined ? undefined : decodedText(v)] as const,
    );
    if (decoded.some(([k, v]) => v === undefined && parts.query[k] !== undefined)) return true;
    const defined = Object.fromEntries(decoded.filter(([, v]) => v !== undefined));
    const converted = strictConvert(querySchema, defined);
    // A missing value the schema has a default for is no fault.
    for (const [k, p] of Object.entries(querySchema.properties ?? {})) {
      if (converted[k] === undefined && (p as { default?: unknown }).default !== undefined)
        converted[k] = (p as { default?: unknown }).default;
    }
    return !schemaAccepts(querySchema, converted);
  }
  if (mutation.at.startsWith('headers.')) {
    const headerSchema = propertySchema(schema.headers as JsonSchema, mutation.at.slice('headers.'.length));
    return (
      headerSchema !== undefined && !schemaAccepts(headerSchema, parts.headers[mutation.at.slice('headers.'.length)])
    );
  }
  // The body.
  if (parts.rawBody !== undefined) {
    const text = parts.rawBody.text.toString();
    const mediaType = parts.rawBody.contentType?.split(';')[0]?.trim().toLowerCase();
    if (shape.body === 'form' && mediaType === 'application/x-www-form-urlencoded') return !formAccepted(shape, text);
    // RFC 8259 defines no charset parameter for application/json ("adding one really has no effect on compliant
    // recipients"): `application/json; charset=utf-16` with a UTF-8 body is JSON like any other.
    if (mediaType !== 'application/json' || mutation.cls === 'proto-key' || mutation.cls === 'bad-encoding')
      return true;
    try {
      // RFC 8259, section 8.1: a parser MAY ignore a byte order mark at the start.
      const parsed = JSON.parse(text.replace(/^\ufeff/, ''));
      return !schemaAccepts(schema.body as JsonSchema, parsed === null && shape.nullBodyIsEmpty ? {} : parsed);
    } catch {
      return true;
    }
  }
  if (shape.body === 'form')
    return !formAccepted(shape, formText((parts.body ?? {}) as Record<string, unknown>, parts.duplicateForm));
  // Fastify's JSON parser refuses `__proto__` and `constructor.prototype` keys.
  if (mutation.cls === 'proto-key') return true;
  // JSON must be UTF-8 (RFC 8259, section 8.1): a body with bytes that are not is refused, not patched with U+FFFD.
  if (toJsonText(parts.body).includes(INVALID_UTF8_MARK)) return true;
  return !schemaAccepts(schema.body as JsonSchema, parsedAsServer(parts.body));
}

/**
 * Whether a form body, exactly as sent, satisfies the route's schema once read as the WHATWG URL-encoded parser
 * reads it (percent-decoded once; bytes that are not UTF-8 become U+FFFD, as browsers only send UTF-8); a field
 * sent twice is refused.
 */
function formAccepted(shape: RouteShape, text: string): boolean {
  const fields = new URLSearchParams(text);
  const keys = [...fields.keys()];
  if (new Set(keys).size !== keys.length) return false;
  return schemaAccepts(shape.route.schema.body as JsonSchema, Object.fromEntries(fields));
}

/** The request cases of one route: valid requests drawn from its schemas, and each made hostile in one place. */
export function requestCases(shape: RouteShape, method: string): fc.Arbitrary<RequestCase> {
  const key = `${method} ${shape.route.url}`;
  return validParts(shape)
    .chain((valid) => mutations(shape, valid))
    .map(([parts, mutation]) => {
      const headers: Record<string, string> = { ...parts.headers };
      let body: Buffer | undefined;
      if (parts.rawBody !== undefined) {
        body = Buffer.isBuffer(parts.rawBody.text) ? parts.rawBody.text : Buffer.from(parts.rawBody.text, 'utf8');
        if (parts.rawBody.contentType !== undefined) headers['content-type'] = parts.rawBody.contentType;
      } else if (shape.body === 'json' && parts.body !== undefined) {
        body = withInvalidUtf8(Buffer.from(toJsonText(parts.body), 'utf8'));
        headers['content-type'] = 'application/json';
      } else if (shape.body === 'form' && parts.body !== undefined) {
        body = Buffer.from(formText(parts.body as Record<string, unknown>, parts.duplicateForm), 'utf8');
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      const path = pathText(shape.route.url, parts.params) + queryText(parts.query, parts.duplicateQuery);
      return {
        route: key,
        request: { method, path, headers, ...(body === undefined ? {} : { body }) },
        mutation,
        mustReject: breaksSchema(shape, parts, mutation),
        ...(parts.body === undefined ? {} : { sentBody: parts.body }),
        params: Object.fromEntries(
          Object.entries(parts.params).map(([k, v]) => [k, v instanceof RawText ? v.text : String(v)]),
        ),
        query: parts.query,
      };
    });
}
