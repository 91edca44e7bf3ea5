import { HttpError } from '../platform/http-error';
import { ServiceClient, type ServiceRequestOptions, type ServiceResponse } from '../platform/service-client';
import type { UiConfig } from './config';

/** A product as the catalog returns it. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly price: number;
  readonly imageUrl: string;
  readonly tags: ReadonlyArray<{ readonly name: string; readonly displayName: string }>;
}

export interface Tag {
  readonly name: string;
  readonly displayName: string;
}

export interface CartItem {
  readonly itemId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly totalCost: number;
  readonly imageUrl: string;
}

export interface Cart {
  readonly customerId: string;
  readonly items: readonly CartItem[];
  readonly total: number;
}

export interface Address {
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly address1: string;
  readonly address2?: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
}

export interface Checkout {
  readonly version: number;
  readonly status: 'open' | 'submitted';
  readonly items: ReadonlyArray<{ id: string; name: string; quantity: number; price: number; totalCost: number }>;
  readonly shippingAddress?: Address;
  readonly deliveryOptionToken: string;
  readonly shippingRates: { readonly rates: ReadonlyArray<{ name: string; amount: number; token: string }> };
  readonly subtotal: number;
  readonly shipping: number;
  readonly tax: number;
  readonly total: number;
  readonly orderId: string | null;
}

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly status: string;
  readonly subtotal: number;
  readonly shipping: number;
  readonly tax: number;
  readonly total: number;
  /** Placed by the canary's synthetic shopper (absent from an orders service older than the mark). */
  readonly synthetic?: boolean;
  readonly createdAt: string;
  readonly items: ReadonlyArray<{
    productId: string;
    name: string;
    quantity: number;
    unitPrice: number;
    totalCost: number;
  }>;
  readonly shippingAddress: {
    firstName: string;
    lastName: string;
    address1: string;
    city: string;
    state: string;
    zipCode: string;
  };
}

/** A submitted checkout: the order it placed and the lines that order holds. */
export interface SubmittedCheckout {
  readonly orderId: string;
  readonly items: ReadonlyArray<{ readonly id: string; readonly quantity: number }>;
  /** This submit placed the order (201); false when it returned an order an earlier submit placed (200). */
  readonly created: boolean;
}

interface ErrorAnswer {
  readonly message?: string;
  readonly field?: string;
}

/** A backend's 4xx passed on to the visitor (the backends' 4xx messages are written for clients). */
function rejected(response: ServiceResponse<unknown>): HttpError {
  const body = (response.body ?? {}) as ErrorAnswer;
  return new HttpError(response.status, body.message ?? `request rejected (${response.status})`, body.field);
}

function expect<T>(response: ServiceResponse<unknown>, ...ok: number[]): T {
  if (!ok.includes(response.status)) throw rejected(response);
  return response.body as T;
}

/** What a customer id becomes in the ui's logs. */
export const REDACTED_CUSTOMER = '{customer}';

/**
 * Takes `customerId` out of an error and its causes (message and stack), so that a failed call to `/carts/<id>` or
 * `/orders?customerId=<id>` is logged without naming the customer (issue 14, review m4).
 */
export function redactCustomerId(error: unknown, customerId: string, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 3 || customerId === '') return error;
  const e = error as Error & { message: string; stack?: string };
  e.message = e.message.replaceAll(customerId, REDACTED_CUSTOMER);
  if (e.stack !== undefined) e.stack = e.stack.replaceAll(customerId, REDACTED_CUSTOMER);
  redactCustomerId(e.cause, customerId, depth + 1);
  return error;
}

/** Sends a request on a customer's behalf; a failure is thrown without the customer's id in it. */
async function forCustomer(
  client: ServiceClient,
  customerId: string,
  method: string,
  path: string,
  options: ServiceRequestOptions,
): Promise<ServiceResponse<unknown>> {
  try {
    return await client.request(method, path, options);
  } catch (error) {
    throw redactCustomerId(error, customerId);
  }
}

/** The four backend services as the ui sees them. Every call carries the visitor's request id. */
export class ShopApi {
  private readonly catalog: ServiceClient;
  private readonly carts: ServiceClient;
  private readonly orders: ServiceClient;
  private readonly checkouts: ServiceClient;

  constructor(config: UiConfig) {
    this.catalog = new ServiceClient('catalog', config.catalogUrl, config.upstreamTimeoutMs);
    this.carts = new ServiceClient('carts', config.cartsUrl, config.upstreamTimeoutMs);
    this.orders = new ServiceClient('orders', config.ordersUrl, config.upstreamTimeoutMs);
    this.checkouts = new ServiceClient('checkout', config.checkoutUrl, config.upstreamTimeoutMs);
  }

  async products(query: { tag?: string; page: number; size: number }, requestId: string): Promise<Product[]> {
    const params = new URLSearchParams({ page: String(query.page), size: String(query.size) });
    if (query.tag) params.set('tags', query.tag);
    return expect(await this.catalog.request('GET', `/catalog/products?${params}`, { requestId }), 200);
  }

  async productCount(tag: string | undefined, requestId: string): Promise<number> {
    const query = tag ? `?tags=${encodeURIComponent(tag)}` : '';
    return expect<{ size: number }>(await this.catalog.request('GET', `/catalog/size${query}`, { requestId }), 200)
      .size;
  }

  async tags(requestId: string): Promise<Tag[]> {
    return expect(await this.catalog.request('GET', '/catalog/tags', { requestId }), 200);
  }

  async product(id: string, requestId: string): Promise<Product | undefined> {
    const response = await this.catalog.request('GET', `/catalog/products/${encodeURIComponent(id)}`, { requestId });
    return response.status === 404 ? undefined : expect(response, 200);
  }

  async cart(customerId: string, requestId: string): Promise<Cart> {
    return expect(await forCustomer(this.carts, customerId, 'GET', `/carts/${customerId}`, { requestId }), 200);
  }

  /**
   * Adds to the cart; with `addKey` (the form's id) as the add's `Idempotency-Key`, an add carts already applied
   * answers 200 and adds nothing.
   */
  async addToCart(
    customerId: string,
    productId: string,
    quantity: number,
    requestId: string,
    addKey?: string,
  ): Promise<void> {
    const body = { itemId: productId, quantity };
    const headers = addKey ? { 'idempotency-key': `ui-add-${addKey}` } : undefined;
    expect(
      await forCustomer(this.carts, customerId, 'POST', `/carts/${customerId}/items`, {
        body,
        requestId,
        ...(headers ? { headers } : {}),
      }),
      201,
      200,
    );
  }

  async setQuantity(customerId: string, productId: string, quantity: number, requestId: string): Promise<void> {
    const body = { itemId: productId, quantity };
    expect(await forCustomer(this.carts, customerId, 'PATCH', `/carts/${customerId}/items`, { body, requestId }), 202);
  }

  async removeFromCart(customerId: string, productId: string, requestId: string): Promise<void> {
    expect(
      await forCustomer(this.carts, customerId, 'DELETE', `/carts/${customerId}/items/${productId}`, { requestId }),
      202,
    );
  }

  async checkout(customerId: string, requestId: string): Promise<Checkout | undefined> {
    const response = await forCustomer(this.checkouts, customerId, 'GET', `/checkout/${customerId}`, { requestId });
    return response.status === 404 ? undefined : expect(response, 200);
  }

  async updateCheckout(customerId: string, body: unknown, requestId: string): Promise<Checkout> {
    return expect(
      await forCustomer(this.checkouts, customerId, 'POST', `/checkout/${customerId}/update`, { body, requestId }),
      200,
    );
  }

  /**
   * Submits the checkout; `synthetic` marks the order as the canary's synthetic shopper's. `created` is true for the
   * one submit that placed the order (the checkout answers 201 once, and 200 with the same order to every repeat).
   */
  async submitCheckout(customerId: string, synthetic: boolean, requestId: string): Promise<SubmittedCheckout> {
    const options = synthetic ? { body: { synthetic: true }, requestId } : { requestId };
    const response = await forCustomer(this.checkouts, customerId, 'POST', `/checkout/${customerId}/submit`, options);
    const body = expect<Omit<SubmittedCheckout, 'created'>>(response, 200, 201);
    return { ...body, created: response.status === 201 };
  }

  async order(id: string, requestId: string): Promise<Order | undefined> {
    const response = await this.orders.request('GET', `/orders/${encodeURIComponent(id)}`, { requestId });
    return response.status === 404 ? undefined : expect(response, 200);
  }

  async ordersOf(
    customerId: string,
    cursor: string | undefined,
    requestId: string,
  ): Promise<{ orders: Order[]; nextCursor: string | null }> {
    const params = new URLSearchParams({ customerId, limit: '10' });
    if (cursor) params.set('cursor', cursor);
    return expect(await forCustomer(this.orders, customerId, 'GET', `/orders?${params}`, { requestId }), 200);
  }
}
