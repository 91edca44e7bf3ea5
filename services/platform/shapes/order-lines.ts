import { type TSchema, Type } from '@sinclair/typebox';
import { HttpError } from '../http-error';
import { toCents } from '../money';
import { MAX_LINE_QUANTITY, MAX_LINES } from './limits';
import { Text } from './text';

/** A product's name on a line: 1-200 characters of text. */
export const ProductName = Text(200);

/** How many units of one product a line holds: 1 to {@link MAX_LINE_QUANTITY}. */
export const LineQuantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });

/** The lines of a checkout or an order: 1 to {@link MAX_LINES}. */
export function Lines<T extends TSchema>(line: T) {
  return Type.Array(line, { minItems: 1, maxItems: MAX_LINES });
}

/** A line with its price in cents, whatever the API calls its fields. */
export interface LineInCents {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/**
 * The lines of a request in cents: product ids lowercased, one line per product, prices with at most two
 * decimals. `idField` and `priceField` are the API's names (`productId`/`unitPrice` for orders, `id`/`price` for
 * the checkout); errors name `<field>[i].<idField|priceField>`.
 */
export function linesInCents<L extends { readonly name: string; readonly quantity: number }>(
  lines: readonly L[],
  field: string,
  idField: keyof L & string,
  priceField: keyof L & string,
): LineInCents[] {
  const seen = new Set<string>();
  return lines.map((line, index) => {
    const productId = String(line[idField]).toLowerCase();
    if (seen.has(productId)) {
      throw HttpError.badRequest(
        `${field}[${index}].${idField}`,
        `${productId} appears twice; send one line per product`,
      );
    }
    seen.add(productId);
    return {
      productId,
      name: line.name,
      quantity: line.quantity,
      unitPriceCents: toCents(Number(line[priceField]), `${field}[${index}].${priceField}`),
    };
  });
}
