/**
 * The order number a shopper reads, says on the phone and types: the last 12 hex digits of the order id, in capitals,
 * in three groups (`01a21b93-8c59-73ce-8fb4-790d2333b65f` → `790D-2333-B65F`). Derived, so it is stable and needs no
 * column; the id's tail is its random part (uuid v7: the head is the time), so two orders rarely share one. Support
 * finds the order with `WHERE replace(id::text, '-', '') LIKE '%790d2333b65f'` (and the customer, if two match).
 */
export function orderNumber(orderId: string): string {
  const tail = orderId.replaceAll('-', '').slice(-12).toUpperCase();
  return `${tail.slice(0, 4)}-${tail.slice(4, 8)}-${tail.slice(8, 12)}`;
}
