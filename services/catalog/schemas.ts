import { type Static, Type } from '@sinclair/typebox';
import { Uuid } from '../platform/identifiers';

/** A tag as the retail-store-sample-app returns it. */
export const Tag = Type.Object({ name: Type.String(), displayName: Type.String() });
export type Tag = Static<typeof Tag>;

/** A product as the retail-store-sample-app returns it (price in dollars, two decimals). */
export const Product = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price: Type.Number(),
  imageUrl: Type.String(),
  tags: Type.Array(Tag),
});
export type Product = Static<typeof Product>;

/** The accepted values of `order`; `name` and `price` mean ascending. */
export const PRODUCT_ORDERS = ['name', 'name_asc', 'name_desc', 'price', 'price_asc', 'price_desc'] as const;
export type ProductOrder = (typeof PRODUCT_ORDERS)[number];

const TagList = Type.String({
  pattern: '^[a-z0-9-]{1,40}(,[a-z0-9-]{1,40}){0,9}$',
  description: 'comma-separated tag names (at most 10); products with any of them',
});

export const ProductListQuery = Type.Object(
  {
    tags: Type.Optional(TagList),
    order: Type.Optional(Type.Union(PRODUCT_ORDERS.map((o) => Type.Literal(o)))),
    page: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
    size: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);

export const SizeQuery = Type.Object({ tags: Type.Optional(TagList) }, { additionalProperties: false });

export const ProductParams = Type.Object({ id: Uuid });

export const SizeResponse = Type.Object({ size: Type.Integer() });
