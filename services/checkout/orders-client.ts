import { HttpError } from '../platform/http-error';
import type { ServiceClient } from '../platform/service-client';

/** The order placement the checkout asks for (the orders service's `POST /orders` body). */
export interface PlaceOrder {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly items: ReadonlyArray<{ productId: string; name: string; quantity: number; unitPrice: number }>;
  readonly shipping: number;
  readonly tax: number;
  /** Placed by the canary's synthetic shopper; omitted for a real order (an older orders service knows no mark). */
  readonly synthetic?: true;
  readonly shippingAddress: {
    firstName: string;
    lastName: string;
    email: string;
    address1: string;
    address2?: string;
    city: string;
    state: string;
    zipCode: string;
  };
}

/** The part of the orders service's answer the checkout uses. */
export interface PlacedOrder {
  readonly id: string;
  /** True when this call placed it, false when it already existed (a retry). */
  readonly created: boolean;
}

/** Places orders through the orders service; its idempotency key makes any number of retries place one order. */
export class OrdersClient {
  constructor(private readonly orders: ServiceClient) {}

  /**
   * Places the order or returns the one placed earlier with the same key. A 503 when the orders service is
   * unavailable (retrying later is safe); a 409 when the key was used for a different order.
   */
  async place(order: PlaceOrder, requestId: string): Promise<PlacedOrder> {
    const response = await this.orders.request<{ id?: string; message?: string }>('POST', '/orders', {
      body: order,
      requestId,
    });
    if ((response.status === 201 || response.status === 200) && typeof response.body?.id === 'string') {
      return { id: response.body.id, created: response.status === 201 };
    }
    if (response.status === 409) {
      throw HttpError.conflict(`the orders service refused the order: ${response.body?.message ?? 'conflict'}`);
    }
    throw new HttpError(
      502,
      `the orders service rejected the order (${response.status}): ${response.body?.message ?? ''}`,
    );
  }
}
