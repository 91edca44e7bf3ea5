import type { HeldOrder, ShopOrdersPort, SyntheticOrderRef } from '../../gameday/gameday-ports';
import { shopRequest } from '../../gameday/shop-request';
import { SYNTHETIC_SHOPPER_HEADER } from '../../gameday/synthetic-shopper';
import type { AwsSyntheticOrdersRemoval } from './gameday-synthetic-orders';

/** Options of {@link ShopOrdersThroughUi}. */
export interface ShopOrdersThroughUiOptions {
  /** The URL of a Region's load balancer: what is read there is what that Region's writer holds. */
  readonly baseUrlFor: (region: string) => Promise<string>;
  /** The synthetic shopper token (read in that Region). */
  readonly tokenFor: (region: string) => Promise<string>;
  /** The shop's public host name: sent as Host and TLS server name to an HTTPS load balancer (see shopRequest). */
  readonly publicHostName?: string;
  /** @default shopRequest */
  readonly request?: typeof shopRequest;
  /** @default 8000 */
  readonly timeoutMs?: number;
  /**
   * Removes the game day's synthetic orders (the runbook function in the VPC: {@link AwsSyntheticOrdersRemoval}).
   * @default - none: {@link ShopOrdersThroughUi.removeSynthetic} removes nothing and says so
   */
  readonly remover?: Pick<AwsSyntheticOrdersRemoval, 'remove'>;
}

const STATUS = /data-testid="order-status">([^<]+)</;

/**
 * The shop's synthetic orders as their shoppers see them: `GET /orders/<id>` of the ui, as the synthetic customer who
 * placed it (its signed cookie) and with the synthetic shopper token. 200: present (its status on the page; the
 * address is not read, so an address change cannot be judged from here); 404: absent; anything else: the order is
 * left out (not known), which the scoring counts as not looked up.
 *
 * No API of the shop removes an order (the ui has none; the orders service's DELETE is a soft delete inside the VPC):
 * {@link removeSynthetic} hands the orders to the `remover` (the runbook function that deletes them from the orders
 * writer with the orders service's own statement); without one it removes nothing and says so.
 */
export class ShopOrdersThroughUi implements ShopOrdersPort {
  constructor(private readonly options: ShopOrdersThroughUiOptions) {}

  async lookup(region: string, orders: readonly SyntheticOrderRef[]): Promise<Readonly<Record<string, HeldOrder>>> {
    const baseUrl = await this.options.baseUrlFor(region);
    const token = await this.options.tokenFor(region);
    const held: Record<string, HeldOrder> = {};
    for (const order of orders) {
      const cookie = order.cookie;
      if (!cookie) continue;
      try {
        const response = await (this.options.request ?? shopRequest)({
          method: 'GET',
          url: `${baseUrl}/orders/${order.orderId}`,
          timeoutMs: this.options.timeoutMs ?? 8000,
          headers: { [SYNTHETIC_SHOPPER_HEADER]: token, cookie: `customer_id=${cookie}` },
          ...(this.options.publicHostName && baseUrl.startsWith('https:')
            ? { hostName: this.options.publicHostName }
            : {}),
        });
        const body = response.body;
        if (response.status === 404) held[order.orderId] = { present: false };
        else if (response.status === 200) {
          const status = STATUS.exec(body)?.[1];
          held[order.orderId] = { present: true, cancelled: status ? status === 'cancelled' : null, address: null };
        }
      } catch {
        // Not known: left out.
      }
    }
    return held;
  }

  async removeSynthetic(
    region: string,
    orders: readonly SyntheticOrderRef[],
  ): Promise<{ readonly removed: number; readonly failed: readonly string[]; readonly note?: string }> {
    if (this.options.remover) return this.options.remover.remove(region, orders);
    return {
      removed: 0,
      failed: [],
      note: `${orders.length} synthetic order(s) left in place: no API of the shop removes an order; they are marked synthetic (left out of business metrics) and the orders service deletes them when SYNTHETIC_ORDER_RETENTION_DAYS is set`,
    };
  }
}
