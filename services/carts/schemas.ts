import { type Static, Type } from '@sinclair/typebox';
import { CustomerId, Uuid } from '../platform/identifiers';
import { LineQuantity, MAX_LINE_QUANTITY, UnitPrice } from '../platform/shapes';

/** Most units of one product a cart line may hold (the limit every service shares, platform/shapes/limits.ts). */
export { MAX_LINE_QUANTITY };

/** A cart line (the retail-store-sample-app's Item, plus name, image and line total). */
export const CartItem = Type.Object({
  itemId: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Type.Number(),
  totalCost: Type.Number(),
  imageUrl: Type.String(),
});
export type CartItem = Static<typeof CartItem>;

export const Cart = Type.Object({
  customerId: Type.String(),
  items: Type.Array(CartItem),
  /** Sum of the line totals. */
  total: Type.Number(),
});

const quantity = LineQuantity;

/**
 * `POST /carts/{customerId}/items`: adds `quantity` units of product `itemId`. `unitPrice` is accepted for
 * compatibility with the original API and ignored: the price is the catalog's.
 */
export const AddItemBody = Type.Object(
  { itemId: Uuid, quantity, unitPrice: Type.Optional(UnitPrice) },
  { additionalProperties: false },
);

/** `PATCH /carts/{customerId}/items`: sets the quantity of a line already in the cart. */
export const UpdateItemBody = Type.Object(
  { itemId: Uuid, quantity, unitPrice: Type.Optional(UnitPrice) },
  { additionalProperties: false },
);

export const ItemParams = Type.Object({ customerId: CustomerId, itemId: Uuid });
