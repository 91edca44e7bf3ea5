import { type Static, Type } from '@sinclair/typebox';
import { Text } from './text';

/** An email address: the `email` format (services/platform/schema-validation.ts) within 254 characters. */
export const Email = Type.String({ format: 'email', maxLength: 254 });

/** A postal code: 3-12 letters, digits, spaces or dashes. */
export const PostalCode = Type.String({ pattern: '^[A-Za-z0-9 -]{3,12}$' });

/** The fields of a shipping address that every API names alike (the retail-store-sample-app's). */
const ADDRESS_FIELDS = {
  firstName: Text(100),
  lastName: Text(100),
  email: Email,
  address1: Text(200),
  address2: Type.Optional(Text(200, {})),
  city: Text(100),
  state: Text(100),
};

/** A shipping address as the orders API takes it: the postal code is `zipCode`. */
export const OrderAddress = Type.Object({ ...ADDRESS_FIELDS, zipCode: PostalCode }, { additionalProperties: false });
export type OrderAddress = Static<typeof OrderAddress>;

/** The same address as the checkout API takes it (the retail-store-sample-app's checkout): `zip`, not `zipCode`. */
export const CheckoutAddress = Type.Object({ ...ADDRESS_FIELDS, zip: PostalCode }, { additionalProperties: false });
export type CheckoutAddress = Static<typeof CheckoutAddress>;

/** The checkout's address field that holds an order address's field (`zipCode` → `zip`; the others alike). */
export function checkoutAddressField(orderField: string): string {
  return orderField === 'zipCode' ? 'zip' : orderField;
}

/** A checkout address as the orders API takes it (an empty second line is no second line). */
export function toOrderAddress({ zip, address2, ...rest }: CheckoutAddress): OrderAddress {
  return { ...rest, ...(address2 ? { address2 } : {}), zipCode: zip };
}

const view = <K extends string>(postalCodeField: K) =>
  Type.Object({
    firstName: Type.String(),
    lastName: Type.String(),
    email: Type.String(),
    address1: Type.String(),
    address2: Type.Optional(Type.String()),
    city: Type.String(),
    state: Type.String(),
    ...({ [postalCodeField]: Type.String() } as Record<K, ReturnType<typeof Type.String>>),
  });

/** An order address in an answer. */
export const OrderAddressView = view('zipCode');

/** A checkout address in an answer. */
export const CheckoutAddressView = view('zip');
