import { HttpError } from '../platform/http-error';
import { compileCheck } from '../platform/schema-validation';
import { MAX_LINES, MAX_UNIT_PRICE_CENTS, ProductName } from '../platform/shapes';
import type { CartRepository } from './cart-repository';
import type { ProductSummary } from './catalog-products';
import type { CartItem } from './schemas';

const checkName = compileCheck(ProductName, 'name');

/**
 * Refuses (409 naming `body.itemId`) a catalog product that no order could hold: priced above the most a unit may
 * cost, or named in a way an order line does not take. The cart, the checkout and the orders service share these
 * limits (platform/shapes/limits.ts), so a cart line is always a line the checkout can place.
 */
export function assertOrderable(product: ProductSummary): void {
  if (Math.round(product.price * 100) > MAX_UNIT_PRICE_CENTS) {
    throw HttpError.conflict(
      `${product.id} costs ${product.price}, above the ${MAX_UNIT_PRICE_CENTS / 100} a unit may cost; it cannot be ordered`,
      'body.itemId',
    );
  }
  const nameError = checkName(product.name);
  if (nameError !== undefined) {
    throw HttpError.conflict(
      `${product.id} has a name an order cannot take (${nameError.message}); it cannot be ordered`,
      'body.itemId',
    );
  }
}

/**
 * After an add that created a line (`item.quantity` is the quantity added): when the cart now holds more than
 * {@link MAX_LINES} lines, takes the new line out again (unless another add changed it meanwhile) and refuses
 * the add with a 409 naming `body.itemId`. Counting after the write, not before, keeps adds to existing lines at
 * one UpdateItem; concurrent adds of new products at the limit may all be refused, none is let past it.
 */
export async function refuseLineOverLimit(
  carts: CartRepository,
  customerId: string,
  item: CartItem,
  quantityAdded: number,
): Promise<void> {
  if (item.quantity !== quantityAdded) return;
  if ((await carts.lineCount(customerId)) <= MAX_LINES) return;
  await carts.removeIfQuantity(customerId, item.itemId, quantityAdded);
  throw HttpError.conflict(
    `the cart holds ${MAX_LINES} products already, the most an order takes; nothing was added`,
    'body.itemId',
  );
}
