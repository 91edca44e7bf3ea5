import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-error';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body's text, or a 400 naming `body` when its bytes are not UTF-8 (never silently turned into U+FFFD). */
function utf8(body: Buffer, what: string): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw HttpError.badRequest(
      'body',
      `${what} is not UTF-8 (a byte sequence that is not a character); accepted: UTF-8 text`,
    );
  }
}

/**
 * Replaces Fastify's JSON parser with one that refuses a body whose bytes are not UTF-8 (RFC 8259 §8.1: JSON
 * exchanged between systems "MUST be encoded using UTF-8"). The default decodes with replacement, so an invalid byte
 * became U+FFFD and was stored as if the client had sent it (issue 14, property-test finding N3). The text is then
 * parsed by Fastify's own JSON parser (prototype and constructor poisoning refused, an empty body a 400).
 */
export function useStrictJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8(body as Buffer, 'the JSON body');
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/**
 * Decodes one `application/x-www-form-urlencoded` component (`+` is a space, `%XX` a byte), refusing bytes that are
 * not UTF-8 and malformed escapes, where `querystring` would silently substitute U+FFFD or keep the `%`.
 */
function formComponent(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '+') bytes.push(0x20);
    else if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw HttpError.badRequest(
          'body',
          `the form has a malformed escape ${JSON.stringify(text.slice(i, i + 3))}; accepted: %XX with two hex digits`,
        );
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return utf8(Buffer.from(bytes), 'a form field');
}

/**
 * Parses a URL-encoded form strictly: every name and value decoded as UTF-8 without replacement (issue 14: a value is
 * rejected or kept, never silently changed). A name given twice keeps every value (an array), as `querystring` does,
 * so the schema can refuse it.
 */
export function parseStrictForm(body: Buffer): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null);
  const text = utf8(body, 'the form');
  if (text.length === 0) return form;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const equals = pair.indexOf('=');
    const name = formComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = formComponent(equals < 0 ? '' : pair.slice(equals + 1));
    const previous = form[name];
    form[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return form;
}
