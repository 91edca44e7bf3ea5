import fc from 'fast-check';

/**
 * A JSON token written as is into a body: what `JSON.stringify` cannot produce (`-0`, `1e400`, a `__proto__`
 * key, 1000 nested arrays).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A query or path value sent exactly as written, without percent-encoding it again (`%`, `%ED%A0%80`). */
export class RawText {
  constructor(readonly text: string) {}
}

/** A hostile value and the class it belongs to (the classes are what known findings are excluded by). */
export interface Hostile<T> {
  readonly cls: HostileClass;
  readonly value: T;
}

/** The classes of hostile values. */
export type HostileClass =
  | 'nul'
  | 'lone-surrogate'
  | 'long-string'
  | 'control-chars'
  | 'empty'
  | 'markup'
  | 'huge-number'
  | 'fractional'
  | 'negative-zero'
  | 'negative'
  | 'wrong-type'
  | 'deep-nesting'
  | 'impossible-date'
  | 'impossible-cursor'
  | 'proto-key'
  | 'extra-key'
  | 'missing-key'
  | 'duplicated-key'
  | 'bad-encoding'
  | 'wrong-content-type'
  | 'malformed-body'
  | 'oversized-body';

const h = <T>(cls: HostileClass, value: T): Hostile<T> => ({ cls, value });

/**
 * Stands for bytes that are not UTF-8 inside a JSON string: written as three private-use characters, replaced by
 * the bytes FF FE C0 once the body is encoded ({@link withInvalidUtf8}).
 */
export const INVALID_UTF8_MARK = '\ue000\ue001\ue002';
const MARK_BYTES = Buffer.from(INVALID_UTF8_MARK, 'utf8');

/** `body` with every {@link INVALID_UTF8_MARK} replaced by bytes that are not UTF-8. */
export function withInvalidUtf8(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = body;
  for (let at = rest.indexOf(MARK_BYTES); at >= 0; at = rest.indexOf(MARK_BYTES)) {
    parts.push(rest.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc0]));
    rest = rest.subarray(at + MARK_BYTES.length);
  }
  parts.push(rest);
  return Buffer.concat(parts);
}

/** 1000 nested arrays: deep enough to hurt a recursive walker, small enough for any body limit. */
const DEEP_ARRAY = `${'['.repeat(1000)}${']'.repeat(1000)}`;

/** Hostile strings derived from a valid one (so they keep the rest of its shape). */
export function hostileStrings(valid: string): fc.Arbitrary<Hostile<string>> {
  return fc.oneof(
    fc.nat({ max: valid.length }).map((at) => h('nul', `${valid.slice(0, at)}\u0000${valid.slice(at)}`)),
    fc.constantFrom(h('nul', '\u0000')),
    fc.constantFrom(
      h('lone-surrogate', `${valid}\ud800`),
      h('lone-surrogate', `x\udc00y`),
      h('lone-surrogate', '\ud83d'),
    ),
    fc.constantFrom(h('long-string', 'a'.repeat(10_000)), h('long-string', `${valid}${'é'.repeat(5_000)}`)),
    fc.constantFrom(h('control-chars', `${valid}\r\nX-Injected: 1`), h('control-chars', '\u001b[31m\u0007\u202e')),
    fc.constantFrom(h('empty', ''), h('empty', '   ')),
    fc.constantFrom(h('markup', '<script>alert(1)</script>'), h('markup', "x'; DROP TABLE orders;--")),
    fc.constantFrom(h('impossible-date', '2026-02-30T25:61:61.000000Z'), h('impossible-date', '9999-99-99')),
  );
}

/** Hostile JSON values for a location holding `valid` (any type: type confusion is one of them). */
export function hostileJson(valid: unknown): fc.Arbitrary<Hostile<unknown>> {
  const numbers = fc.constantFrom<Hostile<unknown>>(
    h('huge-number', 1e308),
    h('huge-number', -1e308),
    h('huge-number', 2 ** 53 + 2),
    h('huge-number', 1e21),
    h('huge-number', new RawJson('1e400')),
    h('huge-number', 10_000_000_000),
    h('fractional', 1.5),
    h('fractional', 0.001),
    h('fractional', 0.1 + 0.2),
    h('fractional', 12.345),
    h('negative-zero', new RawJson('-0')),
    h('negative', -1),
    h('negative', -0.01),
  );
  const types = fc.constantFrom<Hostile<unknown>>(
    h('wrong-type', null),
    h('wrong-type', true),
    h('wrong-type', '5'),
    h('wrong-type', []),
    h('wrong-type', {}),
    h('wrong-type', [valid]),
    h('deep-nesting', new RawJson(DEEP_ARRAY)),
  );
  const notUtf8 = fc.constant<Hostile<unknown>>(
    h('bad-encoding', `${typeof valid === 'string' ? valid : 'x'}${INVALID_UTF8_MARK}`),
  );
  const strings = hostileStrings(typeof valid === 'string' ? valid : String(valid)) as fc.Arbitrary<Hostile<unknown>>;
  return typeof valid === 'number'
    ? fc.oneof(numbers, numbers, types, strings)
    : fc.oneof(strings, strings, numbers, types, notUtf8);
}

/** Hostile text for a query or path value (what a URL can carry). */
export function hostileText(valid: string): fc.Arbitrary<Hostile<string | RawText>> {
  return fc.oneof(
    hostileStrings(valid) as fc.Arbitrary<Hostile<string | RawText>>,
    fc.constantFrom<Hostile<string | RawText>>(
      h('fractional', '1.5'),
      h('fractional', '0.5'),
      h('fractional', '2.0001'),
      h('negative-zero', '-0'),
      h('negative', '-1'),
      h('huge-number', '9007199254740993'),
      h('huge-number', '1e308'),
      h('huge-number', 'Infinity'),
      h('wrong-type', 'NaN'),
      h('wrong-type', 'true'),
      h('bad-encoding', new RawText('%')),
      h('bad-encoding', new RawText('%ED%A0%80')),
      h('bad-encoding', new RawText('%FF%FE')),
      h('bad-encoding', new RawText('..%2F..%2Fetc')),
      h('bad-encoding', new RawText('%252e%252e')),
    ),
  );
}

/** Percent-encodes a value for a URL; a lone surrogate is written as its WTF-8 bytes, which are not UTF-8. */
export function percentEncode(value: string | RawText): string {
  if (value instanceof RawText) return value.text;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(value[i]!);
    }
  }
  return out;
}

/**
 * JSON text of `value`, writing {@link RawJson} tokens as they are. Lone surrogates come out as `\udXXX` escapes
 * (as `JSON.stringify` writes them), so the server's parser, not the client's encoder, meets them.
 */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
