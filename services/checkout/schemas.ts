import { type Static, Type } from '@sinclair/typebox';
import { Uuid } from '../platform/identifiers';
import { CheckoutAddress, CheckoutAddressView, LineQuantity, Lines, ProductName, UnitPrice } from '../platform/shapes';

/** The delivery options offered; `standard` when the request names none. */
export const SHIPPING_OPTIONS = [
  { token: 'standard', name: 'Standard (5 days)', amountCents: 500, estimatedDays: 5 },
  { token: 'priority', name: 'Priority (2 days)', amountCents: 1500, estimatedDays: 2 },
] as const;
export type DeliveryOptionToken = (typeof SHIPPING_OPTIONS)[number]['token'];

/** A shipping address as the retail-store-sample-app checkout takes it (`zip`, not `zipCode`; platform/shapes). */
export const ShippingAddress = CheckoutAddress;
export type ShippingAddress = CheckoutAddress;

export const CheckoutItemInput = Type.Object(
  { id: Uuid, name: ProductName, quantity: LineQuantity, price: UnitPrice },
  { additionalProperties: false },
);

/** `POST /checkout/{customerId}/update`: replaces the open checkout's items, address and delivery option. */
export const CheckoutRequest = Type.Object(
  {
    items: Lines(CheckoutItemInput),
    shippingAddress: Type.Optional(ShippingAddress),
    deliveryOptionToken: Type.Optional(Type.Union(SHIPPING_OPTIONS.map((o) => Type.Literal(o.token)))),
  },
  { additionalProperties: false },
);
export type CheckoutRequest = Static<typeof CheckoutRequest>;

export const CheckoutItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  price: Type.Number(),
  totalCost: Type.Number(),
});

export const ShippingRates = Type.Object({
  shipmentId: Type.String(),
  rates: Type.Array(
    Type.Object({ name: Type.String(), amount: Type.Number(), token: Type.String(), estimatedDays: Type.Integer() }),
  ),
});

/** An open (or submitted) checkout. */
export const Checkout = Type.Object({
  customerId: Type.String(),
  checkoutId: Type.String(),
  /** Increases with every update; an order is placed for one version. */
  version: Type.Integer(),
  status: Type.Union([Type.Literal('open'), Type.Literal('submitted')]),
  items: Type.Array(CheckoutItem),
  shippingAddress: Type.Optional(CheckoutAddressView),
  deliveryOptionToken: Type.String(),
  shippingRates: ShippingRates,
  subtotal: Type.Number(),
  shipping: Type.Number(),
  tax: Type.Number(),
  total: Type.Number(),
  orderId: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});
export type Checkout = Static<typeof Checkout>;

/**
 * `POST /checkout/{customerId}/submit`'s optional body. `synthetic` marks the order as the canary's synthetic
 * shopper's: the ui sends it only for a request carrying the canary's token (services/README.md).
 */
export const SubmitRequest = Type.Object({ synthetic: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type SubmitRequest = Static<typeof SubmitRequest>;

/** What `POST /checkout/{customerId}/submit` answers (the same for every retry of one checkout version). */
export const CheckoutSubmitted = Type.Object({
  orderId: Type.String(),
  email: Type.String(),
  items: Type.Array(CheckoutItem),
  subtotal: Type.Number(),
  shipping: Type.Number(),
  tax: Type.Number(),
  total: Type.Number(),
});
export type CheckoutSubmitted = Static<typeof CheckoutSubmitted>;
