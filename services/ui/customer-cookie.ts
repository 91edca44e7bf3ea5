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

/** The value of cookie `name` in a Cookie header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function exempt(url: string): boolean {
  return (
    url.startsWith('/health') || url.startsWith('/chaos') || url.startsWith('/topology') || url.startsWith('/assets')
  );
}

/**
 * Gives every visitor their own customer id: a random uuid in an httpOnly, SameSite=Lax cookie, set on the
 * first page they load (Secure when they came over HTTPS). A missing or malformed cookie gets a new id.
 * The one cookie is read and written here rather than with @fastify/cookie, whose `cookie` dependency is an
 * ES module that the test runner (jest on Node 20) cannot load.
 */
export function registerCustomerCookie(app: ServiceApp): void {
  app.decorateRequest('customerId', '');
  app.addHook('onRequest', (request, reply, done) => {
    if (exempt(request.url)) return done();
    const current = readCookie(request.headers.cookie, CUSTOMER_COOKIE);
    if (current !== undefined && UUID.test(current)) {
      request.customerId = current;
    } else {
      request.customerId = randomUUID();
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${CUSTOMER_COOKIE}=${request.customerId}; Path=/; Max-Age=${ONE_YEAR_S}; HttpOnly; SameSite=Lax${secure}`,
      );
    }
    done();
  });
}
