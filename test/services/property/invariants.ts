import type { RawAnswer } from './raw-request';
import type { RequestCase } from './request-cases';

/** The path a message starts with: `body.items[0].name: expected ...` → `body.items[0].name`. */
export function reportedField(message: string): string | undefined {
  return /^((?:body|query|params|headers)(?:[.[][^\s:]*)?)(?::| is | does | has )/.exec(message)?.[1];
}

/** `a` and `b` name the same field or one holds the other (`body` holds `body.items[0].name`). */
export function related(a: string, b: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(a, b) || within(b, a);
}

function parse(text: string): { message?: unknown; field?: unknown } | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The invariants every answer must keep, whatever was sent:
 * - an answer comes, within the deadline (an oversized body may be cut off after the headers: the review's notes);
 * - never a 5xx: bad input is the client's fault, and the stores are up;
 * - input that breaks the route's schema (strictly read) is refused with a 4xx, never accepted;
 * - (JSON APIs) a 4xx names the field at fault: its message starts with the path (`body.items[0].name: ...`), the
 *   path of the field the case made hostile when the case broke the schema.
 * Returns what was broken, in words; empty when every invariant held.
 */
export function answerViolations(c: RequestCase, answer: RawAnswer, options: { namesField: boolean }): string[] {
  if (answer.kind === 'no-answer') {
    const cutAfterHeaders =
      c.mutation.cls === 'oversized-body' && /ECONNRESET|EPIPE|socket hang up/.test(answer.reason);
    return cutAfterHeaders ? [] : [`no answer (${answer.reason}, after ${answer.afterMs} ms)`];
  }
  const problems: string[] = [];
  const status = answer.status;
  if (status >= 500) problems.push(`answered ${status}: ${answer.text.slice(0, 300)}`);
  if (c.mustReject && status < 400) {
    problems.push(`accepted (${status}) a request whose ${c.mutation.at} breaks the schema (${c.mutation.cls})`);
  }
  if (options.namesField && status >= 400 && status < 500 && c.request.method !== 'HEAD') {
    const body = parse(answer.text);
    const message = typeof body?.message === 'string' ? body.message : '';
    const reported = reportedField(message);
    // The router and the HTTP parser refuse some URLs before any route sees them (unknown path, a path segment
    // over the router's 100 characters, a URL over the 16 KiB header limit, a broken percent-encoding).
    const routerRefusal = /^no route for |is not a valid url component|max param length|header size|URI/i.test(message);
    if (c.mustReject) {
      const names = [c.mutation.at, ...(c.mutation.alsoNamed ?? [])];
      const pathFault = /^(params|query)\./.test(c.mutation.at) && routerRefusal;
      if (!pathFault && (reported === undefined || !names.some((n) => related(reported, n)))) {
        problems.push(`${status} does not name ${names.join(' or ')}: ${JSON.stringify(message)}`);
      }
    } else if (
      // A request its schema accepts may still be refused for the state of what it names: then the message names
      // the field of the request or of the resource at fault (`shippingAddress: is required before submitting`).
      reported === undefined &&
      !/^[A-Za-z_][\w.[\]-]*:/.test(message) &&
      !(/^(params|query)\./.test(c.mutation.at) && routerRefusal)
    ) {
      problems.push(`${status} names no field: ${JSON.stringify(message || answer.text.slice(0, 200))}`);
    }
  }
  return problems;
}
