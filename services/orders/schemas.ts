import { type Static, Type } from '@sinclair/typebox';
import { CustomerId, Uuid } from '../platform/identifiers';
import {
  LineQuantity,
  Lines,
  OrderAddress,
  OrderAddressView,
  ProductName,
  ShippingCharge,
  TaxCharge,
  UnitPrice,
} from '../platform/shapes';

/** An idempotency key: 1-128 printable ASCII characters without spaces. */
export const IdempotencyKey = Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$', maxLength: 128 });

/** A shipping address (the retail-store-sample-app's fields; one definition in platform/shapes). */
export const ShippingAddress = OrderAddress;
export type ShippingAddress = OrderAddress;

export const OrderItemInput = Type.Object(
  { productId: Uuid, name: ProductName, quantity: LineQuantity, unitPrice: UnitPrice },
  { additionalProperties: false },
);

/** `POST /orders`. The idempotency key may come in the body or in the `Idempotency-Key` header. */
export const CreateOrderBody = Type.Object(
  {
    idempotencyKey: Type.Optional(IdempotencyKey),
    customerId: CustomerId,
    items: Lines(OrderItemInput),
    shippingAddress: ShippingAddress,
    /** Shipping charged on top of the items. @default 0 */
    shipping: Type.Optional(ShippingCharge),
    /** Tax charged on top of the items. @default 0 */
    tax: Type.Optional(TaxCharge),
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
  shippingAddress: OrderAddressView,
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
