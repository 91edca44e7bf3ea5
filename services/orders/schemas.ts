import { type Static, Type } from '@sinclair/typebox';
import { CustomerId, Uuid } from '../platform/identifiers';
import { Amount } from '../platform/money';

const text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** An idempotency key: 1-128 printable ASCII characters without spaces. */
export const IdempotencyKey = Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$', maxLength: 128 });

/** A shipping address (the retail-store-sample-app's fields). */
export const ShippingAddress = Type.Object(
  {
    firstName: text(100),
    lastName: text(100),
    email: Type.String({ format: 'email', maxLength: 254 }),
    address1: text(200),
    address2: Type.Optional(Type.String({ maxLength: 200 })),
    city: text(100),
    state: text(100),
    zipCode: Type.String({ pattern: '^[A-Za-z0-9 -]{3,12}$' }),
  },
  { additionalProperties: false },
);
export type ShippingAddress = Static<typeof ShippingAddress>;

export const OrderItemInput = Type.Object(
  {
    productId: Uuid,
    name: text(200),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000 }),
    unitPrice: Amount,
  },
  { additionalProperties: false },
);

/** `POST /orders`. The idempotency key may come in the body or in the `Idempotency-Key` header. */
export const CreateOrderBody = Type.Object(
  {
    idempotencyKey: Type.Optional(IdempotencyKey),
    customerId: CustomerId,
    items: Type.Array(OrderItemInput, { minItems: 1, maxItems: 100 }),
    shippingAddress: ShippingAddress,
    /** Shipping charged on top of the items. @default 0 */
    shipping: Type.Optional(Amount),
    /** Tax charged on top of the items. @default 0 */
    tax: Type.Optional(Amount),
    /**
     * Placed by the canary's synthetic shopper: stored, but left out of business metrics. Only the ui sets it, for
     * a request carrying the canary's token (services/README.md, "Synthetic shopper"). @default false
     */
    synthetic: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const CreateOrderHeaders = Type.Object({ 'idempotency-key': Type.Optional(IdempotencyKey) });

export const OrderItem = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Type.Number(),
  totalCost: Type.Number(),
});

export const Order = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  status: Type.String(),
  /** Sum of the item lines. */
  subtotal: Type.Number(),
  shipping: Type.Number(),
  tax: Type.Number(),
  /** subtotal + shipping + tax. */
  total: Type.Number(),
  currency: Type.String(),
  idempotencyKey: Type.String(),
  /** Placed by the canary's synthetic shopper. */
  synthetic: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  version: Type.Integer(),
  items: Type.Array(OrderItem),
  shippingAddress: Type.Object({
    firstName: Type.String(),
    lastName: Type.String(),
    email: Type.String(),
    address1: Type.String(),
    address2: Type.Optional(Type.String()),
    city: Type.String(),
    state: Type.String(),
    zipCode: Type.String(),
  }),
});
export type Order = Static<typeof Order>;

export const ListOrdersQuery = Type.Object(
  {
    customerId: CustomerId,
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' })),
  },
  { additionalProperties: false },
);

export const OrderPage = Type.Object({
  orders: Type.Array(Order),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const OrderParams = Type.Object({ id: Uuid });
