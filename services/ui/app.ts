import { createServiceApp, type ServiceApp } from '../platform/service-app';
import { parseStrictForm } from '../platform/strict-body-parsers';
import type { UiConfig } from './config';
import { registerCrossSiteCheck } from './cross-site-requests';
import { registerCustomerCookie } from './customer-cookie';
import { registerInternalEndpointGuards } from './internal-endpoints';
import { registerPageHeaders } from './page-headers';
import { errorPage } from './pages/error';
import { registerPages } from './routes';
import { ShopApi } from './shop-api';
import { registerSyntheticShopper } from './synthetic-shopper';

/**
 * Builds the ui: server-rendered pages over the four backend services, one customer id per visitor (a cookie),
 * error pages for browsers (JSON for API clients), and the platform's health, topology and chaos endpoints.
 * `/health/ready` checks that the backends are ready, so a Region whose stores are down reports it at the door.
 */
export async function buildUiApp(config: UiConfig): Promise<ServiceApp> {
  const context = { region: config.region };
  const app = createServiceApp({
    service: 'ui',
    config,
    bodyLimitBytes: 16 * 1024,
    renderHtmlError: (body) => errorPage(context, body),
  });
  // Forms are decoded strictly (bytes that are not UTF-8, malformed escapes: a 400), never with U+FFFD substituted.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: 16 * 1024 },
    (_request, body, done) => {
      try {
        done(null, parseStrictForm(body as Buffer));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  registerPageHeaders(app);
  registerCrossSiteCheck(app);
  registerCustomerCookie(app, config.customerCookieSecret);
  registerSyntheticShopper(app, config.syntheticShopperToken);

  const api = new ShopApi(config);
  const backends = {
    catalog: config.catalogUrl,
    carts: config.cartsUrl,
    orders: config.ordersUrl,
    checkout: config.checkoutUrl,
  };
  for (const [name, url] of Object.entries(backends)) {
    app.serviceState.readiness.push({
      name,
      check: async () => {
        const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_500) });
        if (!response.ok) throw Object.assign(new Error(`${name} not ready`), { code: `HTTP_${response.status}` });
      },
    });
  }
  app.serviceState.topology.push(() => ({ dependencies: backends }));
  registerInternalEndpointGuards(app);
  registerPages(app, api, config.region);
  return app;
}
