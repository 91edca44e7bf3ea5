import type { ServiceApp } from '../platform/service-app';

/**
 * The headers of every HTML answer of the ui, pages and error pages alike: pages are personal (cart, orders) and
 * must not be framed, sniffed or cached by the browser or a proxy. Scripts come from the shop's own origin only
 * (`/assets/local-time.js`), never inline.
 */
export const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

/**
 * HSTS for a year, sent only on answers to HTTPS requests (behind the ALB: `X-Forwarded-Proto: https`), as RFC 6797
 * §7.2 asks: "An HSTS Host MUST NOT include the STS header field in HTTP responses conveyed over non-secure
 * transport." No `includeSubDomains`: the shop does not own what else runs under its parent domain.
 */
export const HSTS = 'max-age=31536000';

/**
 * Adds {@link PAGE_HEADERS} to every HTML answer, including the error pages the platform's error handler renders
 * (which do not go through `sendPage`), `nosniff` to every other answer, and {@link HSTS} to every answer given
 * over HTTPS.
 */
export function registerPageHeaders(app: ServiceApp): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) reply.headers(PAGE_HEADERS);
    // Every other answer too (stylesheet, script, images, JSON): its content type is the only one it may be read as.
    else reply.header('x-content-type-options', 'nosniff');
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    done(null, payload);
  });
}
