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
  /**
   * The invocation (the Lambda request id): names the ledger objects with {@link attemptId}. Lambda retries an
   * asynchronous invocation with the same request id, so it alone does not make a key unique.
   */
  readonly invocationId: string;
  /** Unique to this attempt of the invocation. @default - 8 random hex digits */
  readonly attemptId?: string;
  /** The synthetic shopper token (the ui's `SYNTHETIC_SHOPPER_TOKEN`). */
  readonly token: string;
  /** Orders to place; they alternate between the public name and the load balancer, the public name first. */
  readonly orders: number;
  /**
   * Writes one ledger object (JSON Lines) of acknowledgments a Region gave, never over an existing one, and returns
   * where it went. Called as each acknowledgment arrives.
   */
  readonly putLedger: (key: string, body: string, acknowledgingRegion: string) => Promise<string>;
  /**
   * Writes the invocation's start and end markers ({@link invocationMarkerKey}) where they are surely reachable
   * (this Region's report bucket). Without it no marker is written. @default - none
   */
  readonly putMarker?: (key: string, body: string) => Promise<string>;
  /**
   * The shopper's recent orders: each invocation first looks them up through the public name, and places again (as
   * the same customer, the same items) each one the shop says it does not have: an `order_replaced` acknowledgment
   * naming it, as a customer who cannot find their order after a failover does.
   * @default - nothing is remembered, nothing placed again
   */
  readonly memory?: ShopperMemory;
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

/** An order a shopper was told was placed, remembered between invocations to look it up again later. */
export interface RememberedOrder {
  readonly orderId: string;
  /** The customer's signed cookie (`<id>.<signature>`). */
  readonly cookie: string;
  readonly shopper: string;
  readonly productId: string;
  readonly quantity: number;
  readonly acknowledgedAt: string;
}

/** Where the shopper keeps its recent orders between invocations (a Lambda's /tmp while its environment lives). */
export interface ShopperMemory {
  load(): Promise<readonly RememberedOrder[]>;
  save(orders: readonly RememberedOrder[]): Promise<void>;
}

/** How many recent orders a shopper remembers and looks up again, and for how long. */
export const REMEMBERED_ORDERS = { max: 12, minutes: 30 } as const;

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
  /** The acknowledgments that could not be written (recorded in the end marker: the score fails closed). */
  readonly failedPuts: readonly { readonly key: string; readonly error: string }[];
}

/** What an invocation's markers say (JSON): `started` when it begins, `ended` with what it wrote when it ends. */
export interface InvocationMarker {
  readonly invocation: string;
  readonly startedAt: string;
  readonly ordersPlanned: number;
  /** Only in the end marker. */
  readonly endedAt?: string;
  readonly acknowledged?: number;
  /** Every ledger key written (relative to the report bucket). */
  readonly ledgerKeys?: readonly string[];
  readonly failedPuts?: readonly { readonly key: string; readonly error: string }[];
}

/**
 * Key of an invocation's start (`started`) or end (`done`) marker: `gamedays/<id>/acks/invocations/<invocation>-<attempt>.<started|done>.json`
 * (under the acknowledgments' prefix: the shopper may write nowhere else).
 */
export function invocationMarkerKey(gameDayId: string, attempt: string, which: 'started' | 'done'): string {
  return `${ackPrefix(gameDayId)}invocations/${attempt}.${which}.json`;
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
  again?: RememberedOrder,
): Promise<{ ack: AcknowledgedWrite; remembered: RememberedOrder }> {
  let cookie: string | undefined = again?.cookie;
  let customerId: string | undefined = again?.shopper;
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
  // Placing again: the same customer buys the same thing (what reconcile recognizes as a possible duplicate).
  const productId = again?.productId ?? (products[randomInt(products.length)] as string);
  const quantity = again?.quantity ?? randomInt(1, 3);
  await call('product', 'GET', `/catalog/${productId}`, 200);
  await call('add-to-cart', 'POST', '/cart', 303, { productId, quantity: String(quantity) });
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
  const acknowledgedAt = (options.now?.() ?? new Date()).toISOString();
  const shopper = customerId ?? 'unknown';
  const ack: AcknowledgedWrite = {
    format: ACK_FORMAT,
    kind: again ? 'order_replaced' : 'order_placed',
    order_id: orderId,
    region,
    via,
    acknowledged_at: acknowledgedAt,
    request_id: placed.requestId,
    shopper,
    ...(again ? { replaces: again.orderId } : {}),
    detail: { [CUSTOMER_COOKIE_DETAIL]: cookie ?? '', city, zip, product_id: productId, quantity },
  };
  return { ack, remembered: { orderId, cookie: cookie ?? '', shopper, productId, quantity, acknowledgedAt } };
}

/**
 * Looks an earlier order up as its customer through the public name: `present`, `gone` (the shop answers that there
 * is no such order: it was lost), or `unknown` (no answer, an error).
 */
async function lookUp(
  order: RememberedOrder,
  options: ShopperInvocationOptions,
): Promise<'present' | 'gone' | 'unknown'> {
  const left = options.stopAt === undefined ? (options.requestTimeoutMs ?? 8000) : options.stopAt - Date.now();
  if (left <= 0) return 'unknown';
  try {
    const answer = await shopRequest({
      method: 'GET',
      url: `${options.publicUrl}/orders/${order.orderId}`,
      timeoutMs: Math.min(options.requestTimeoutMs ?? 8000, left),
      headers: {
        [SYNTHETIC_SHOPPER_HEADER]: options.token,
        'x-request-id': randomUUID(),
        cookie: `customer_id=${order.cookie}`,
      },
      ...(options.ca ? { ca: options.ca } : {}),
    });
    if (answer.status === 200) return 'present';
    return answer.status === 404 ? 'gone' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * One invocation of the synthetic shopper: first looks up its recent orders (see {@link ShopperInvocationOptions.memory})
 * and places again each one the shop no longer has; then places the rest of `orders` orders, alternating between the
 * public name and this Region's load balancer. Each acknowledgment is written as it arrives, one JSON Lines object
 * per acknowledgment under a key unique to the attempt (`gamedays/<id>/acks/<region>/<invocation>-<attempt>-<n>.jsonl`,
 * never over an existing object); a write that fails is recorded, not thrown. The start and end markers
 * ({@link invocationMarkerKey}) say when the attempt ran, what it wrote and what it could not (review 16c S2): the
 * score reads them and fails closed. An order that was not acknowledged is a failure, not an error: the ledger holds
 * only what a shopper was told succeeded.
 *
 * @throws Error when the start marker cannot be written (nothing is placed then).
 */
export async function runShopperInvocation(options: ShopperInvocationOptions): Promise<ShopperInvocationResult> {
  const acks: AcknowledgedWrite[] = [];
  const failures: ShopperFailure[] = [];
  const remembered: RememberedOrder[] = [];
  const record = async (placed: { ack: AcknowledgedWrite; remembered: RememberedOrder }) => {
    acks.push(placed.ack);
    remembered.push(placed.remembered);
    await write(placed.ack);
  };
  const failed = (via: 'global' | 'regional', error: unknown) =>
    failures.push({
      via,
      step: error instanceof StepFailed ? error.step : 'unknown',
      error: error instanceof Error ? error.message : String(error),
    });
  // Review 16c S2: every attempt writes under its own keys, each acknowledgment as it arrives, and says in its markers
  // what it wrote and what it could not, so that no acknowledgment can vanish unnoticed.
  const attempt = `${options.invocationId}-${options.attemptId ?? randomUUID().slice(0, 8)}`;
  const clock = () => (options.now?.() ?? new Date()).toISOString();
  const marker: InvocationMarker = { invocation: attempt, startedAt: clock(), ordersPlanned: options.orders };
  // Nothing is placed when the start cannot be recorded: an acknowledgment is only ever given under a marker.
  await options.putMarker?.(invocationMarkerKey(options.gameDayId, attempt, 'started'), `${JSON.stringify(marker)}\n`);
  const ledgers: string[] = [];
  const ledgerKeys: string[] = [];
  const failedPuts: { key: string; error: string }[] = [];
  let sequence = 0;
  const write = async (ack: AcknowledgedWrite) => {
    sequence++;
    const key = `${ackPrefix(options.gameDayId)}${ack.region}/${attempt}-${String(sequence).padStart(3, '0')}.jsonl`;
    try {
      ledgers.push(await options.putLedger(key, formatLedger([ack], key), ack.region));
      ledgerKeys.push(key);
    } catch (error) {
      failedPuts.push({ key, error: error instanceof Error ? error.message : String(error) });
    }
  };
  let budget = options.orders;
  const now = (options.now?.() ?? new Date()).getTime();
  const earlier = (await options.memory?.load().catch(() => [])) ?? [];
  for (const order of earlier) {
    if (now - Date.parse(order.acknowledgedAt) > REMEMBERED_ORDERS.minutes * 60_000) continue;
    const found = await lookUp(order, options);
    if (found !== 'gone' || budget <= 0) {
      if (found !== 'gone') remembered.push(order);
      continue;
    }
    budget--;
    try {
      await record(await placeOrder(options.publicUrl, 'global', options, order));
    } catch (error) {
      // Not placed again: it stays remembered and is looked up again next time.
      remembered.push(order);
      failed('global', error);
    }
  }
  for (let n = 0; n < budget; n++) {
    if (options.stopAt !== undefined && Date.now() >= options.stopAt) break;
    const via = n % 2 === 0 ? 'global' : 'regional';
    try {
      await record(await placeOrder(via === 'global' ? options.publicUrl : options.regionalUrl, via, options));
    } catch (error) {
      failed(via, error);
    }
  }
  await options.memory?.save(remembered.slice(-REMEMBERED_ORDERS.max)).catch(() => undefined);
  const ended: InvocationMarker = {
    ...marker,
    endedAt: clock(),
    acknowledged: acks.length,
    ledgerKeys,
    failedPuts,
  };
  await options.putMarker?.(invocationMarkerKey(options.gameDayId, attempt, 'done'), `${JSON.stringify(ended)}\n`);
  return { acks, failures, ledgers, failedPuts };
}
