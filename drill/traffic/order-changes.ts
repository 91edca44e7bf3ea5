import { ACK_FORMAT, type AckKind, type AcknowledgedWrite } from '../../runbooks/scoring/acknowledged-write';
import type { AcknowledgedOrder } from './shopper-journey';

/** An order as the orders API answers it, as far as a re-placing shopper needs it. */
export interface OrderAnswer {
  readonly id: string;
  readonly customerId: string;
  readonly items: readonly { productId: string; name: string; quantity: number; unitPrice: number }[];
  readonly shippingAddress: Readonly<Record<string, string>>;
}

/** The new address a shopper moves an order to: the orders API's fields. */
export interface NewAddress {
  readonly address1: string;
  readonly city: string;
  readonly zipCode: string;
}

/** What {@link OrderChanges} did, for drill.json. */
export interface OrderChangesReport {
  readonly cancelled: string[];
  readonly addressChanged: string[];
  /** Orders whose address was changed in both Regions: one change stranded, one after the failover. */
  readonly changedOnBothSides: string[];
  readonly replaced: { readonly original: string; readonly replacement: string }[];
}

/**
 * The shoppers' other writes, next to placing orders (issue 16): cancel an order (`DELETE /orders/{id}`), change its
 * shipping address (`PUT /orders/{id}/shipping-address`), and place again an order the shopper cannot see after
 * the failover. Each goes to one Region's orders service (`via: regional`); each acknowledgment is a ledger line.
 */
export class OrderChanges {
  /** The acknowledged writes, in the order they were acknowledged. */
  readonly acks: AcknowledgedWrite[] = [];
  readonly report: OrderChangesReport = { cancelled: [], addressChanged: [], changedOnBothSides: [], replaced: [] };
  private requests = 0;

  /** @param ordersUrl the base URL of `region`'s orders service. */
  constructor(private readonly ordersUrl: (region: string) => string) {}

  /** Reads an order from `region` (what a shopper saw before the fault: its lines and address). */
  async read(orderId: string, region: string): Promise<OrderAnswer> {
    const response = await this.send(region, 'GET', `/orders/${orderId}`);
    if (response.status !== 200) throw new Error(`GET /orders/${orderId} in ${region}: HTTP ${response.status}`);
    return (await response.json()) as OrderAnswer;
  }

  /** Cancels `order` in `region`. */
  async cancel(order: AcknowledgedOrder, region: string): Promise<void> {
    const { response, requestId } = await this.call(region, 'DELETE', `/orders/${order.orderId}`);
    if (response.status !== 204)
      throw new Error(`DELETE /orders/${order.orderId} in ${region}: HTTP ${response.status}`);
    this.acknowledge('order_cancelled', order.orderId, order.customerId, region, requestId);
    this.report.cancelled.push(order.orderId);
  }

  /** Moves `order` to `to` in `region`, keeping the rest of its address. */
  async changeAddress(order: AcknowledgedOrder, region: string, to: NewAddress): Promise<void> {
    const current = await this.read(order.orderId, region);
    const body = { ...current.shippingAddress, ...to };
    const path = `/orders/${order.orderId}/shipping-address`;
    const { response, requestId } = await this.call(region, 'PUT', path, body);
    if (response.status !== 200) throw new Error(`PUT ${path} in ${region}: HTTP ${response.status}`);
    // The ledger names the fields as the shipping_addresses columns, which the new primary is read by.
    const detail = { address1: to.address1, city: to.city, zip_code: to.zipCode };
    this.acknowledge('address_changed', order.orderId, order.customerId, region, requestId, { detail });
    if (this.report.addressChanged.includes(order.orderId)) this.report.changedOnBothSides.push(order.orderId);
    else this.report.addressChanged.push(order.orderId);
  }

  /**
   * Places `original` again in `region` after the failover: the same customer, lines and address (what the shopper
   * saw before the fault, `seen`), a new idempotency key (a new checkout). Returns the new order's id.
   */
  async replace(original: AcknowledgedOrder, seen: OrderAnswer, region: string): Promise<string> {
    const body = {
      idempotencyKey: `drill-replace-${original.orderId}`,
      customerId: seen.customerId,
      items: seen.items.map(({ productId, name, quantity, unitPrice }) => ({ productId, name, quantity, unitPrice })),
      shippingAddress: seen.shippingAddress,
    };
    const { response, requestId } = await this.call(region, 'POST', '/orders', body);
    if (response.status !== 201) throw new Error(`POST /orders in ${region}: HTTP ${response.status}`);
    const placed = (await response.json()) as { id: string };
    this.acknowledge('order_replaced', placed.id, original.customerId, region, requestId, {
      replaces: original.orderId,
    });
    this.report.replaced.push({ original: original.orderId, replacement: placed.id });
    return placed.id;
  }

  private acknowledge(
    kind: AckKind,
    orderId: string,
    shopper: string,
    region: string,
    requestId: string,
    extra: Partial<AcknowledgedWrite> = {},
  ): void {
    this.acks.push({
      format: ACK_FORMAT,
      kind,
      order_id: orderId,
      region,
      via: 'regional',
      acknowledged_at: new Date().toISOString(),
      request_id: requestId,
      shopper,
      ...extra,
    });
  }

  private async call(region: string, method: string, path: string, body?: unknown) {
    const requestId = `drill-change-${++this.requests}`;
    return { response: await this.send(region, method, path, body, requestId), requestId };
  }

  private send(region: string, method: string, path: string, body?: unknown, requestId?: string) {
    return fetch(`${this.ordersUrl(region)}${path}`, {
      method,
      signal: AbortSignal.timeout(10_000),
      headers: {
        ...(requestId ? { 'x-request-id': requestId } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}
