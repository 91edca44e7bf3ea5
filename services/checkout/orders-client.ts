import { HttpError } from '../platform/http-error';
import type { ServiceClient } from '../platform/service-client';
import { checkoutAddressField, type OrderAddress } from '../platform/shapes';

/** The order placement the checkout asks for (the orders service's `POST /orders` body). */
export interface PlaceOrder {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly items: ReadonlyArray<{ productId: string; name: string; quantity: number; unitPrice: number }>;
  readonly shipping: number;
  readonly tax: number;
  /** Placed by the canary's synthetic shopper; omitted for a real order (an older orders service knows no mark). */
  readonly synthetic?: true;
  readonly shippingAddress: OrderAddress;
}

/** The part of the orders service's answer the checkout uses. */
export interface PlacedOrder {
  readonly id: string;
  /** True when this call placed it, false when it already existed (a retry). */
  readonly created: boolean;
}

const ITEM_FIELDS: Readonly<Record<string, string>> = { productId: 'id', unitPrice: 'price' };

/**
 * The checkout field behind a field of the orders API (`body.items[2].unitPrice` → `items[2].price`,
 * `body.shippingAddress.zipCode` → `shippingAddress.zip`, a charge → `items`), or undefined for one the shopper
 * cannot change.
 */
export function checkoutField(ordersField: unknown): string | undefined {
  if (typeof ordersField !== 'string') return undefined;
  const item = /^body\.items\[(\d+)\]\.(\w+)$/.exec(ordersField);
  if (item) return `items[${item[1]}].${ITEM_FIELDS[item[2]!] ?? item[2]}`;
  const address = /^body\.shippingAddress\.(\w+)$/.exec(ordersField);
  if (address) return `shippingAddress.${checkoutAddressField(address[1]!)}`;
  if (ordersField === 'body.shippingAddress') return 'shippingAddress';
  if (/^body\.(items|tax|shipping)$/.test(ordersField)) return 'items';
  return undefined;
}

/** Places orders through the orders service; its idempotency key makes any number of retries place one order. */
export class OrdersClient {
  constructor(private readonly orders: ServiceClient) {}

  /**
   * Places the order or returns the one placed earlier with the same key. A 503 when the orders service is
   * unavailable (retrying later is safe); a 409 when the key was used for a different order.
   */
  async place(order: PlaceOrder, requestId: string): Promise<PlacedOrder> {
    const response = await this.orders.request<{ id?: string; message?: string; field?: string }>('POST', '/orders', {
      body: order,
      requestId,
    });
    if ((response.status === 201 || response.status === 200) && typeof response.body?.id === 'string') {
      return { id: response.body.id, created: response.status === 201 };
    }
    // The orders API's wording (its field paths, its limits) is not the shopper's: it goes to the log, and the
    // answer names the checkout's field.
    const cause = new Error(`POST /orders answered ${response.status}: ${response.body?.message ?? ''}`);
    const field = response.status === 400 ? checkoutField(response.body?.field) : undefined;
    if (field !== undefined) {
      throw new HttpError(
        409,
        `${field}: the orders service cannot take this value; change it with POST /checkout/${order.customerId}/update`,
        field,
        { cause },
      );
    }
    if (response.status === 409) {
      throw new HttpError(
        409,
        'the orders service holds a different or deleted order for this checkout version; update the checkout and submit again',
        undefined,
        { cause },
      );
    }
    throw new HttpError(
      502,
      'the orders service refused the order; the request id identifies it in the logs',
      undefined,
      {
        cause,
      },
    );
  }
}
