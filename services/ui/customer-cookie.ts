import { randomUUID } from 'node:crypto';
import type { ServiceApp } from '../platform/service-app';

/** The cookie that identifies a visitor (and so their cart, checkout and orders). */
export const CUSTOMER_COOKIE = 'customer_id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ONE_YEAR_S = 365 * 24 * 3600;

declare module 'fastify' {
  interface FastifyRequest {
    /** The visitor's customer id, from the `customer_id` cookie (set on the first visit). */
    customerId: string;
  }
}

function exempt(url: string): boolean {
  return (
    url.startsWith('/health') || url.startsWith('/chaos') || url.startsWith('/topology') || url.startsWith('/assets')
  );
}

/**
 * Gives every visitor their own customer id: a random uuid in an httpOnly, SameSite=Lax cookie, set on the
 * first page they load (Secure when they came over HTTPS). A missing or malformed cookie gets a new id.
 */
export function registerCustomerCookie(app: ServiceApp): void {
  app.decorateRequest('customerId', '');
  app.addHook('onRequest', (request, reply, done) => {
    if (exempt(request.url)) return done();
    const current = request.cookies[CUSTOMER_COOKIE];
    if (current !== undefined && UUID.test(current)) {
      request.customerId = current;
    } else {
      request.customerId = randomUUID();
      reply.setCookie(CUSTOMER_COOKIE, request.customerId, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: ONE_YEAR_S,
      });
    }
    done();
  });
}
