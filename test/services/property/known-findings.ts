import type { RequestCase } from './request-cases';

/**
 * Findings of `../shared/reviews/services-under-bad-input.md` that the property test meets while they are being
 * fixed. While one is excluded, the cases of its class are not generated (or are kept inside its limit), so the
 * test stays green on main; `FUZZ_INCLUDE_KNOWN=B1,m1` (or `all`) generates them again, to see whether a fix
 * holds. A finding whose fix has landed is removed from {@link EXCLUDED} and its cases are always generated.
 */
export const KNOWN_FINDINGS = {
  B1: 'NUL in a text field of POST /orders answers 500 (Postgres rejects it)',
  B2: 'NUL accepted by POST /checkout/{c}/update and the ui checkout form, after which every submit answers 503',
  B3: 'POST /orders with a total of $10 billion or more answers 500 (numeric(12,2) overflow)',
  B4: 'a checkout subtotal over $20 million (5 % tax over the orders limit) makes every submit answer 502',
  B5: 'GET /orders with a well-formed cursor holding an impossible date or id answers 500 (ui: 503)',
  m1: 'fractional numbers in query and path values are truncated instead of rejected',
  m2: 'a lone UTF-16 surrogate is stored as U+FFFD without an error',
  N1: 'a JSON body of ~5000 nested arrays answered 500: the validator quoted the value with JSON.stringify, which overflowed (found by this test; fixed in 3fec830)',
  N2: 'HEAD with a URL over the 16 KiB header limit gets a 431 with a body, which a HEAD client cannot read (found by this test; fixed in e48e95b)',
  N3: 'bytes that are not UTF-8 in a JSON body are replaced by U+FFFD and stored instead of refused (found by this test; fixed in 851595b)',
} as const;

/** A finding of the review by its id (`B1`, `m2`). */
export type KnownFinding = keyof typeof KNOWN_FINDINGS;

/** The known findings not fixed on main yet: their cases are left out unless FUZZ_INCLUDE_KNOWN names them. */
export const EXCLUDED: readonly KnownFinding[] = [];

/** Whether the cases of `finding` are generated in this run. */
export function included(finding: KnownFinding): boolean {
  if (!EXCLUDED.includes(finding)) return true;
  const wanted = (process.env['FUZZ_INCLUDE_KNOWN'] ?? '').split(',').map((s) => s.trim());
  return wanted.includes('all') || wanted.includes(finding);
}

/** The known finding a case belongs to, by route and hostile class, if any. */
export function findingOf(c: RequestCase): KnownFinding | undefined {
  const inBody = c.mutation.at.startsWith('body');
  if (c.mutation.cls === 'nul' && inBody && c.route === 'POST /orders') return 'B1';
  if (c.mutation.cls === 'nul' && inBody && ['POST /checkout/:customerId/update', 'POST /checkout'].includes(c.route))
    return 'B2';
  if (c.mutation.cls === 'impossible-cursor') return 'B5';
  if (c.mutation.cls === 'fractional' && /^(query|params)\./.test(c.mutation.at)) return 'm1';
  if (c.mutation.cls === 'lone-surrogate' && inBody && c.route === 'POST /orders') return 'm2';
  if (c.request.method === 'HEAD' && c.request.path.length > 16 * 1024) return 'N2';
  if (c.mutation.cls === 'bad-encoding' && inBody && c.request.headers['content-type'] === 'application/json')
    return 'N3';
  if (
    c.mutation.cls === 'deep-nesting' &&
    c.mutation.at === 'body' &&
    c.request.headers['content-type'] === 'application/json'
  ) {
    return 'N1';
  }
  return undefined;
}

/** Whether a case is generated in this run: it belongs to no known finding, or to one that is included. */
export function generated(c: RequestCase): boolean {
  const finding = findingOf(c);
  return finding === undefined || included(finding);
}
