/** A valid shipping address of the orders API (v1: `zipCode`). */
export const SHIPPING_ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  address1: '12 St James Square',
  city: 'London',
  state: 'LDN',
  zipCode: 'SW1Y 4JH',
};
