import type { OrderOnNewPrimary } from '../../runbooks/scoring/score-input';
import { withClient } from '../../services/db/with-client';

/** Columns of `shipping_addresses` that are bookkeeping, not the address a shopper changes. */
const NOT_ADDRESS = new Set(['id', 'order_id', 'created_at', 'updated_at', 'version', 'deleted_at']);

/**
 * What the orders writer at `url` holds for each of `ids`: absent, or present with whether it is cancelled
 * (soft-deleted) and its shipping address (the `shipping_addresses` columns, by name, as text): the new primary's
 * side of the scoring.
 */
export async function ordersOnPrimary(url: string, ids: readonly string[]): Promise<Record<string, OrderOnNewPrimary>> {
  const result: Record<string, OrderOnNewPrimary> = Object.fromEntries(ids.map((id) => [id, { present: false }]));
  if (ids.length === 0) return result;
  return withClient({ connectionString: url, connectionTimeoutMillis: 5000 }, async (client) => {
    const { rows } = await client.query<{ id: string; cancelled: boolean; address: Record<string, unknown> | null }>(
      `SELECT o.id::text AS id, o.deleted_at IS NOT NULL AS cancelled, to_jsonb(a) AS address
         FROM orders AS o LEFT JOIN shipping_addresses AS a ON a.order_id = o.id AND a.deleted_at IS NULL
        WHERE o.id = ANY($1::uuid[])`,
      [[...ids]],
    );
    for (const row of rows) {
      const address = row.address
        ? Object.fromEntries(
            Object.entries(row.address)
              .filter(([column, value]) => !NOT_ADDRESS.has(column) && value !== null)
              .map(([column, value]) => [column, String(value)]),
          )
        : null;
      result[row.id] = { present: true, cancelled: row.cancelled, address };
    }
    return result;
  });
}
