import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
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
    url.startsWith('/health') ||
    url.startsWith('/chaos') ||
    url.startsWith('/topology') ||
    url.startsWith('/assets') ||
    url === '/ready'
  );
}

function signatureOf(customerId: string, secret: string): string {
  return createHmac('sha256', secret).update(`${CUSTOMER_COOKIE}:${customerId}`).digest('base64url');
}

/** The cookie value for `customerId`: the id, a dot, and its HMAC-SHA256 under `secret` (base64url, 43 characters). */
export function signCustomerId(customerId: string, secret: string): string {
  return `${customerId}.${signatureOf(customerId, secret)}`;
}

/**
 * The customer id in a cookie value, if its signature is the one `secret` gives (compared in constant time);
 * undefined for anything else: a bare id, another id, a changed signature, extra characters.
 */
export function verifyCustomerCookie(value: string, secret: string): string | undefined {
  const dot = value.indexOf('.');
  if (dot !== 36) return undefined;
  const customerId = value.slice(0, dot);
  if (!UUID.test(customerId)) return undefined;
  const presented = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signatureOf(customerId, secret));
  return presented.length === expected.length && timingSafeEqual(presented, expected) ? customerId : undefined;
}

/**
 * Gives every visitor their own customer id: a random uuid, signed with `secret` (the ui's
 * `CUSTOMER_COOKIE_SECRET`, from Secrets Manager on AWS and the same in both Regions), in an httpOnly, SameSite=Lax
 * cookie set on the first page they load (Secure when they came over HTTPS). A missing, unsigned or tampered
 * cookie gets a new id: a visitor cannot choose or guess another customer's id, only present one the shop gave out.
 * The one cookie is read and written here rather than with @fastify/cookie, whose `cookie` dependency is an
 * ES module that the test runner (jest on Node 20) cannot load.
 */
export function registerCustomerCookie(app: ServiceApp, secret: string): void {
  app.decorateRequest('customerId', '');
  app.addHook('onRequest', (request, reply, done) => {
    if (exempt(request.url)) return done();
    const current = readCookie(request.headers.cookie, CUSTOMER_COOKIE);
    const verified = current === undefined ? undefined : verifyCustomerCookie(current, secret);
    if (verified !== undefined) {
      request.customerId = verified;
    } else {
      request.customerId = randomUUID();
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${CUSTOMER_COOKIE}=${signCustomerId(request.customerId, secret)}; Path=/; Max-Age=${ONE_YEAR_S}; HttpOnly; SameSite=Lax${secure}`,
      );
    }
    done();
  });
}
