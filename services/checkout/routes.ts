import { HttpError } from '../platform/http-error';
import { CustomerParams } from '../platform/identifiers';
import type { ServiceApp } from '../platform/service-app';
import type { CheckoutRepository } from './checkout-repository';
import { toCheckout } from './checkout-view';
import type { OrdersClient } from './orders-client';
import { priceCheckout } from './pricing';
import { Checkout, CheckoutRequest, CheckoutSubmitted, SubmitRequest } from './schemas';
import { submitCheckout } from './submit-checkout';

/** The retail-store-sample-app checkout API: read, update, submit (idempotent per checkout version). */
export function registerCheckoutRoutes(app: ServiceApp, checkouts: CheckoutRepository, orders: OrdersClient): void {
  app.get(
    '/checkout/:customerId',
    { schema: { params: CustomerParams, response: { 200: Checkout } } },
    async (request) => {
      const stored = await checkouts.get(request.params.customerId);
      if (stored === undefined) {
        throw HttpError.notFound(
          `params.customerId: no checkout for ${request.params.customerId}`,
          'params.customerId',
        );
      }
      return toCheckout(stored);
    },
  );

  app.post(
    '/checkout/:customerId/update',
    { schema: { params: CustomerParams, body: CheckoutRequest, response: { 200: Checkout } } },
    async (request) => toCheckout(await checkouts.save(request.params.customerId, priceCheckout(request.body))),
  );

  app.post(
    '/checkout/:customerId/submit',
    {
      schema: {
        params: CustomerParams,
        body: SubmitRequest,
        response: { 200: CheckoutSubmitted, 201: CheckoutSubmitted },
      },
      // The body is optional: a submit without one (Fastify's null body) is an empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const result = await submitCheckout(checkouts, orders, request.params.customerId, request.id, {
        synthetic: request.body.synthetic ?? false,
      });
      return reply.code(result.created ? 201 : 200).send(result.body);
    },
  );
}
