import { Type } from '@sinclair/typebox';

/** A lowercase or uppercase RFC 9562 UUID (product, order and checkout ids). */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });

/** What a customer id may look like: the ui's cookie value (a uuid) or any short opaque id. */
export const CUSTOMER_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** A customer id: 1-64 letters, digits, `_` or `-` (safe in keys, URLs and logs). */
export const CustomerId = Type.String({ pattern: CUSTOMER_ID_PATTERN, maxLength: 64 });

/** The `{customerId}` path parameter of carts and checkout. */
export const CustomerParams = Type.Object({ customerId: CustomerId });
