import { Type } from '@sinclair/typebox';
import { MAX_SHIPPING_CENTS, MAX_TAX_CENTS, MAX_UNIT_PRICE_CENTS } from './limits';

/** The price of one unit, in dollars with at most two decimals (checked by `toCents`): 0 to $50,000. */
export const UnitPrice = Type.Number({ minimum: 0, maximum: MAX_UNIT_PRICE_CENTS / 100 });

/** A shipping charge in dollars: 0 to $1,000,000. */
export const ShippingCharge = Type.Number({ minimum: 0, maximum: MAX_SHIPPING_CENTS / 100 });

/** A tax charge in dollars: 0 to {@link MAX_TAX_CENTS} / 100. */
export const TaxCharge = Type.Number({ minimum: 0, maximum: MAX_TAX_CENTS / 100 });
