import type { FastifyRequest } from 'fastify';
import { HttpError } from '../platform/http-error';
import type { ServiceApp } from '../platform/service-app';

/** Methods that change something: a browser sends them cross-site only from a form or a script. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The answer to a refused cross-site request (a 403 page in a browser). */
export const CROSS_SITE_MESSAGE =
  'This form was sent from another site, so the shop did not accept it. Nothing was changed. If you meant to do this, open the shop and use its own page.';

/** The shop's own origin as the browser sees it: the scheme the client used (X-Forwarded-Proto) and the Host. */
function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase();
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Why an unsafe request is cross-site, or undefined when it is the shop's own (or not from a browser at all).
 * Fetch Metadata first: `Sec-Fetch-Site` is set by the browser and cannot be forged by a page; only `same-origin`
 * (the shop's own forms) and `none` (the user typed or bookmarked it) pass. Then `Origin`, which browsers send with
 * every cross-origin POST: it must be the shop's own (`null`, from sandboxed frames and data: pages, is refused).
 * Without `Origin`, a `Referer` of another origin is refused. A request with none of the three comes from no browser
 * a CSRF attack can use (curl, the drill's shopper, monitoring); the SameSite=Lax cookie stays as a second line.
 */
export function crossSiteReason(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `sec-fetch-site is ${site}`;
  const own = ownOrigin(request);
  const origin = request.headers.origin;
  if (origin !== undefined) return origin.toLowerCase() === own ? undefined : `origin ${origin} is not ${own}`;
  const referer = request.headers.referer;
  if (referer !== undefined && originOf(referer) !== own) return `referer is not of ${own}`;
  return undefined;
}

/**
 * CSRF defence for every form post of the ui (and any other unsafe method): a request another site made the
 * browser send is refused with 403 before its route runs, so nothing changes. See {@link crossSiteReason}.
 */
export function registerCrossSiteCheck(app: ServiceApp): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (!UNSAFE_METHODS.has(request.method)) return done();
    const reason = crossSiteReason(request);
    if (reason === undefined) return done();
    request.log.info({ reason, method: request.method, path: request.url.split('?')[0] }, 'cross-site request refused');
    done(new HttpError(403, CROSS_SITE_MESSAGE, 'headers.origin'));
  });
}
