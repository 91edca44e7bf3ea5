import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../platform/http-error';
import type { ServiceApp } from '../platform/service-app';

/** The header in which the canary's synthetic shopper presents its token on every request. */
export const SYNTHETIC_SHOPPER_HEADER = 'x-synthetic-shopper';

/** What a token must look like: 32 to 256 printable ASCII characters (the stacks generate 48 letters and digits). */
export const SYNTHETIC_SHOPPER_TOKEN_PATTERN = /^[\x21-\x7e]{32,256}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request comes from the canary's synthetic shopper: it carried the configured token. */
    synthetic: boolean;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `presented` is `token`, compared in constant time (the digests have one length whatever was sent). */
export function isSyntheticShopperToken(presented: string, token: string): boolean {
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * Recognizes the canary's synthetic shopper: a request whose `x-synthetic-shopper` header equals `token` (the ui's
 * `SYNTHETIC_SHOPPER_TOKEN`, a secret only the ui and the canary hold) is `request.synthetic`, and the orders it
 * places are marked synthetic. Any other value of the header, or the header on a ui without a token, is a 403 on
 * every page: a shopper cannot mark itself synthetic, and a canary with a stale token fails at its first step
 * instead of placing orders that would count as real. The mark exists nowhere else a visitor can reach: the forms
 * accept no such field, and the backends are reachable only from inside the VPC.
 */
export function registerSyntheticShopper(app: ServiceApp, token: string | undefined): void {
  app.decorateRequest('synthetic', false);
  app.addHook('onRequest', (request, _reply, done) => {
    const presented = request.headers[SYNTHETIC_SHOPPER_HEADER];
    if (presented === undefined) return done();
    const value = Array.isArray(presented) ? presented.join(',') : presented;
    if (token === undefined || !isSyntheticShopperToken(value, token)) {
      return done(
        new HttpError(
          403,
          `${SYNTHETIC_SHOPPER_HEADER}: not accepted; accepted: the synthetic shopper token this shop's canary holds, or no such header`,
          `headers.${SYNTHETIC_SHOPPER_HEADER}`,
        ),
      );
    }
    request.synthetic = true;
    done();
  });
}
