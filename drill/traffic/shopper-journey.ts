import type { SeededRandom } from './seeded-random';

/** The requests of one shopper journey, in order. */
export const JOURNEY_STEPS = ['home', 'catalog', 'product', 'add-to-cart', 'address', 'review', 'submit'] as const;

/** See {@link JOURNEY_STEPS}. */
export type JourneyStep = (typeof JOURNEY_STEPS)[number];

/** One HTTP request a shopper made. */
export interface ShopperRequest {
  readonly step: JourneyStep;
  /** When it was sent (ms since the epoch). */
  readonly at: number;
  /** How long the answer took. */
  readonly ms: number;
  /** The HTTP status, or 0 when no answer came (refused, reset, timeout). */
  readonly status: number;
  /** Whether the answer was the one the step expects. */
  readonly ok: boolean;
  /** The Region that served it (`x-served-by-region`), when one did. */
  readonly region?: string;
}

/** An order the shop acknowledged to the shopper: the order page it redirected to after "Place order". */
export interface AcknowledgedOrder {
  readonly orderId: string;
  readonly customerId: string;
  /** When the acknowledgment arrived (ms since the epoch). */
  readonly ackAt: number;
  /** The Region that acknowledged it. */
  readonly region: string;
  /** The `x-request-id` of the acknowledged "Place order" (the shop adopts the id a request comes with). */
  readonly requestId: string;
}

/** What one journey did. */
export interface JourneyOutcome {
  readonly customerId: string;
  readonly requests: readonly ShopperRequest[];
  /** Present when "Place order" was acknowledged. */
  readonly order?: AcknowledgedOrder;
  /** The step that failed, if one did. */
  readonly failedStep?: JourneyStep;
  readonly error?: string;
  /** Whether "Place order" was sent without an acknowledgment coming back: the order may or may not exist. */
  readonly unacknowledgedSubmit: boolean;
}

/** The shopper a journey plays. */
export interface Shopper {
  readonly customerId: string;
  /** In [0, 1): which of the catalog's products to buy. */
  readonly productPick: number;
  readonly quantity: number;
  readonly address: Readonly<Record<string, string>>;
}

const FIRST = ['Mary', 'Katherine', 'Dorothy', 'Annie', 'Christine', 'Melba'];
const LAST = ['Jackson', 'Johnson', 'Vaughan', 'Easley', 'Darden', 'Mouton'];
const CITIES = [
  ['Hampton', 'VA', '23666'],
  ['Seattle', 'WA', '98101'],
  ['Austin', 'TX', '73301'],
  ['Boston', 'MA', '02108'],
] as const;

/** A new shopper (a new visitor: their own customer id, so no two journeys share a cart or an order). */
export function newShopper(random: SeededRandom): Shopper {
  const [city, state, zip] = random.pick(CITIES);
  const firstName = random.pick(FIRST);
  const lastName = random.pick(LAST);
  return {
    customerId: random.uuid(),
    productPick: random.next(),
    quantity: random.int(1, 3),
    address: {
      firstName,
      lastName,
      email: `${firstName}.${lastName}@example.com`.toLowerCase(),
      address1: `${random.int(1, 999)} Main St`,
      city,
      state,
      zip,
      deliveryOptionToken: 'standard',
    },
  };
}

const PRODUCT_LINK = /href="\/catalog\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g;
const REVIEW_VERSION = /name="version" value="(\d+)"/;
const ORDER_LOCATION = /^\/orders\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\?placed=1$/;

/** "Place order" attempts: a shopper who sees an error or no answer presses the button again. */
const SUBMIT_ATTEMPTS = 3;

/**
 * Places the order, again after an error or no answer (not after a 4xx): the checkout derives the same
 * idempotency key for the same checkout version, so a retry returns the order an earlier attempt may have placed,
 * and an order placed is acknowledged, whichever attempt placed it.
 */
async function placeOrder<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const retriable = error instanceof StepFailed && error.retriable;
      if (!retriable || n >= SUBMIT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

class StepFailed extends Error {
  constructor(
    readonly step: JourneyStep,
    message: string,
    /** No answer or a 5xx: the same request may succeed when sent again. */
    readonly retriable = false,
  ) {
    super(message);
  }
}

/**
 * One shopper journey through the shop's single address, as a browser does it with forms: home → catalog →
 * product → add to cart → shipping address → review → place order. Every request goes out with the shopper's
 * `customer_id` cookie and follows no redirect, so each form post's 303 is checked. The journey stops at the first
 * request that does not get the expected answer, except "Place order", which the shopper presses up to three
 * times when it gets an error or no answer.
 */
export async function runShopperJourney(
  baseUrl: string,
  shopper: Shopper,
  options: { readonly timeoutMs: number; readonly onRequest?: (request: ShopperRequest) => void },
): Promise<JourneyOutcome> {
  const requests: ShopperRequest[] = [];
  let submitted = false;
  // As a browser does: the cookie the shop sets replaces the one sent. The ui signs its customer cookies
  // (`<id>.<signature>`) and gives an unsigned one a new id, so the shopper is the customer the shop named.
  let cookie = `customer_id=${shopper.customerId}`;
  let customerId = shopper.customerId;

  const call = async (
    step: JourneyStep,
    method: 'GET' | 'POST',
    path: string,
    expect: number,
    form?: Readonly<Record<string, string>>,
  ): Promise<{ body: string; location: string | null; region?: string; requestId: string }> => {
    const at = Date.now();
    // The shop takes an incoming id of up to 64 of [A-Za-z0-9._-] as its own (services/platform/service-app.ts).
    const requestId = `${shopper.customerId}-${requests.length + 1}`;
    let status = 0;
    let region: string | undefined;
    let body = '';
    let location: string | null = null;
    let failure: string | undefined;
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: {
          cookie,
          'x-request-id': requestId,
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      status = response.status;
      const set = /^customer_id=(([0-9a-f-]{36})(?:\.[^;]*)?)/.exec(response.headers.get('set-cookie') ?? '');
      if (set) {
        cookie = `customer_id=${set[1]}`;
        customerId = set[2]!;
      }
      region = response.headers.get('x-served-by-region') ?? undefined;
      location = response.headers.get('location');
      body = await response.text();
    } catch (error) {
      failure = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    }
    const ok = status === expect;
    const record: ShopperRequest = { step, at, ms: Date.now() - at, status, ok, ...(region ? { region } : {}) };
    requests.push(record);
    options.onRequest?.(record);
    if (!ok) {
      throw new StepFailed(
        step,
        failure ? `no answer (${failure})` : `HTTP ${status}, expected ${expect}`,
        status === 0 || status >= 500,
      );
    }
    return { body, location, requestId, ...(region ? { region } : {}) };
  };

  try {
    await call('home', 'GET', '/', 200);
    const catalog = await call('catalog', 'GET', '/catalog', 200);
    const products = [...new Set([...catalog.body.matchAll(PRODUCT_LINK)].map((m) => m[1]!))];
    if (products.length === 0) throw new StepFailed('catalog', 'no product link on the catalog page');
    const productId = products[Math.floor(shopper.productPick * products.length)]!;
    await call('product', 'GET', `/catalog/${productId}`, 200);
    await call('add-to-cart', 'POST', '/cart', 303, { productId, quantity: String(shopper.quantity) });
    await call('address', 'POST', '/checkout', 303, shopper.address);
    const review = await call('review', 'GET', '/checkout/review', 200);
    const version = REVIEW_VERSION.exec(review.body)?.[1];
    if (!version) throw new StepFailed('review', 'no checkout version on the review page');
    submitted = true;
    const placed = await placeOrder(() => call('submit', 'POST', '/checkout/submit', 303, { version }));
    const orderId = ORDER_LOCATION.exec(placed.location ?? '')?.[1];
    if (!orderId) throw new StepFailed('submit', `redirected to ${JSON.stringify(placed.location)}, not to an order`);
    return {
      customerId,
      requests,
      order: {
        orderId,
        customerId,
        ackAt: requests[requests.length - 1]!.at + requests[requests.length - 1]!.ms,
        region: placed.region ?? 'unknown',
        requestId: placed.requestId,
      },
      unacknowledgedSubmit: false,
    };
  } catch (error) {
    const step = error instanceof StepFailed ? error.step : undefined;
    return {
      customerId,
      requests,
      ...(step ? { failedStep: step } : {}),
      error: error instanceof Error ? error.message : String(error),
      unacknowledgedSubmit: submitted,
    };
  }
}
