import { randomInt, randomUUID } from 'node:crypto';
import { ACK_FORMAT, type AcknowledgedWrite, formatLedger } from '../scoring/acknowledged-write';
import { ackPrefix } from './gameday-record';
import { type ShopAnswer, shopRequest } from './shop-request';

/** The header the ui recognizes the synthetic shopper by (services/ui/synthetic-shopper.ts). */
export const SYNTHETIC_SHOPPER_HEADER = 'x-synthetic-shopper';

/** The header every service answers with the Region that served (services/platform/service-app.ts). */
export const SERVED_BY_REGION_HEADER = 'x-served-by-region';

/** The detail key holding the synthetic customer's signed cookie, so the score can read the order as its owner. */
export const CUSTOMER_COOKIE_DETAIL = 'customer_cookie';

/** Where one shopper invocation sends its requests. */
export interface ShopEntrances {
  /** The public name (global), e.g. `https://www.shop.example.com`. */
  readonly publicUrl: string;
  /** This Region's load balancer, e.g. `http://shop-dev-alb-123.us-east-1.elb.amazonaws.com`. */
  readonly regionalUrl: string;
}

/** Options of {@link runShopperInvocation}. */
export interface ShopperInvocationOptions extends ShopEntrances {
  readonly gameDayId: string;
  /** Unique per invocation (the Lambda request id): names the ledger objects. */
  readonly invocationId: string;
  /** The synthetic shopper token (the ui's `SYNTHETIC_SHOPPER_TOKEN`). */
  readonly token: string;
  /** Orders to place; they alternate between the public name and the load balancer, the public name first. */
  readonly orders: number;
  /** Writes one ledger object (JSON Lines) of acknowledgments a Region gave, and returns where it went. */
  readonly putLedger: (key: string, body: string, acknowledgingRegion: string) => Promise<string>;
  /** Deadline of each request. @default 8000 */
  readonly requestTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for tests with a local certificate. @default - the system's */
  readonly ca?: string;
  /**
   * No order is started, and no request outlasts, this instant (ms since the epoch): the Lambda's time is limited,
   * and the ledger is written after the orders. @default - none
   */
  readonly stopAt?: number;
  readonly now?: () => Date;
}

/** One order that was not acknowledged, and where it stopped. */
export interface ShopperFailure {
  readonly via: 'global' | 'regional';
  readonly step: string;
  readonly error: string;
}

/** What one invocation did. */
export interface ShopperInvocationResult {
  readonly acks: readonly AcknowledgedWrite[];
  readonly failures: readonly ShopperFailure[];
  /** Where each ledger object went. */
  readonly ledgers: readonly string[];
}

const PRODUCT_LINK = /href="\/catalog\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g;
const REVIEW_VERSION = /name="version" value="(\d+)"/;
const ORDER_LOCATION = /^\/orders\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\?placed=1$/;
const COOKIE = /^customer_id=(([0-9a-f-]{36})(?:\.[^;]*)?)/;

class StepFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

const CITIES = [
  ['Hampton', 'VA', '23666'],
  ['Seattle', 'WA', '98101'],
  ['Austin', 'TX', '73301'],
] as const;

/**
 * One synthetic customer's order through the ui, as a browser with forms does it and as the journey canary does
 * (stacks/observability/canary/journey.js): home → catalog → product → add to cart → shipping address → review →
 * place order, every request with the synthetic shopper token (so the order is marked synthetic) and an
 * `x-request-id` the services take as theirs. Returns the acknowledgment, or throws StepFailed.
 */
async function placeOrder(
  baseUrl: string,
  via: 'global' | 'regional',
  options: ShopperInvocationOptions,
): Promise<AcknowledgedWrite> {
  let cookie: string | undefined;
  let customerId: string | undefined;
  const timeoutMs = options.requestTimeoutMs ?? 8000;
  // A load balancer with the shop's certificate is reached under the public name (Host and TLS server name).
  const hostName = via === 'regional' && baseUrl.startsWith('https:') ? new URL(options.publicUrl).hostname : undefined;
  const call = async (
    step: string,
    method: 'GET' | 'POST',
    path: string,
    expect: number,
    form?: Record<string, string>,
  ) => {
    const requestId = randomUUID();
    // The invocation's time is limited: no request may outlast it, or the acknowledgments so far are never written.
    const left = options.stopAt === undefined ? timeoutMs : options.stopAt - Date.now();
    if (left <= 0) throw new StepFailed(step, 'out of time: the invocation ends before an answer could come');
    let response: ShopAnswer;
    try {
      response = await shopRequest({
        method,
        url: `${baseUrl}${path}`,
        timeoutMs: Math.min(timeoutMs, left),
        headers: {
          [SYNTHETIC_SHOPPER_HEADER]: options.token,
          'x-request-id': requestId,
          ...(cookie ? { cookie: `customer_id=${cookie}` } : {}),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        ...(hostName ? { hostName } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      });
    } catch (error) {
      throw new StepFailed(step, `no answer (${error instanceof Error ? error.message : String(error)})`);
    }
    const set = COOKIE.exec(response.header('set-cookie') ?? '');
    if (set) {
      cookie = set[1];
      customerId = set[2];
    }
    const body = response.body;
    if (response.status !== expect) throw new StepFailed(step, `HTTP ${response.status}, expected ${expect}`);
    return { body, response, requestId };
  };
  await call('home', 'GET', '/', 200);
  const catalog = await call('catalog', 'GET', '/catalog', 200);
  const products = [...new Set([...catalog.body.matchAll(PRODUCT_LINK)].map((m) => m[1] as string))];
  if (products.length === 0) throw new StepFailed('catalog', 'no product link on the catalog page');
  const productId = products[randomInt(products.length)] as string;
  await call('product', 'GET', `/catalog/${productId}`, 200);
  await call('add-to-cart', 'POST', '/cart', 303, { productId, quantity: String(randomInt(1, 3)) });
  const [city, state, zip] = CITIES[randomInt(CITIES.length)] as (typeof CITIES)[number];
  const address = {
    firstName: 'Game',
    lastName: 'Day',
    email: 'game.day@example.com',
    address1: `${randomInt(1, 999)} Main St`,
    city,
    state,
    zip,
    deliveryOptionToken: 'standard',
  };
  await call('address', 'POST', '/checkout', 303, address);
  const review = await call('review', 'GET', '/checkout/review', 200);
  const version = REVIEW_VERSION.exec(review.body)?.[1];
  if (!version) throw new StepFailed('review', 'no checkout version on the review page');
  const placed = await call('submit', 'POST', '/checkout/submit', 303, { version });
  const orderId = ORDER_LOCATION.exec(placed.response.header('location') ?? '')?.[1];
  if (!orderId) throw new StepFailed('submit', `redirected to ${placed.response.header('location')}, not to an order`);
  const region = placed.response.header(SERVED_BY_REGION_HEADER);
  if (!region) throw new StepFailed('submit', `the answer has no ${SERVED_BY_REGION_HEADER} header`);
  return {
    format: ACK_FORMAT,
    kind: 'order_placed',
    order_id: orderId,
    region,
    via,
    acknowledged_at: (options.now?.() ?? new Date()).toISOString(),
    request_id: placed.requestId,
    shopper: customerId ?? 'unknown',
    detail: { [CUSTOMER_COOKIE_DETAIL]: cookie ?? '', city, zip },
  };
}

/**
 * One invocation of the synthetic shopper: places `orders` orders, alternating between the public name and this
 * Region's load balancer, then writes what was acknowledged as JSON Lines, one object per acknowledging Region
 * (`gamedays/<id>/acks/<region>/<invocation>.jsonl`, never appended in place). An order that was not acknowledged
 * is a failure, not an error: the ledger holds only what a shopper was told succeeded.
 */
export async function runShopperInvocation(options: ShopperInvocationOptions): Promise<ShopperInvocationResult> {
  const acks: AcknowledgedWrite[] = [];
  const failures: ShopperFailure[] = [];
  for (let n = 0; n < options.orders; n++) {
    if (options.stopAt !== undefined && Date.now() >= options.stopAt) break;
    const via = n % 2 === 0 ? 'global' : 'regional';
    try {
      acks.push(await placeOrder(via === 'global' ? options.publicUrl : options.regionalUrl, via, options));
    } catch (error) {
      failures.push({
        via,
        step: error instanceof StepFailed ? error.step : 'unknown',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const byRegion = new Map<string, AcknowledgedWrite[]>();
  for (const ack of acks) byRegion.set(ack.region, [...(byRegion.get(ack.region) ?? []), ack]);
  const ledgers: string[] = [];
  for (const [region, regionAcks] of byRegion) {
    const key = `${ackPrefix(options.gameDayId)}${region}/${options.invocationId}.jsonl`;
    ledgers.push(await options.putLedger(key, formatLedger(regionAcks, key), region));
  }
  return { acks, failures, ledgers };
}
