import type { Queryable } from '../platform/postgres';
import type { Product, ProductOrder, Tag } from './schemas';

const PRODUCT_COLUMNS = `p.id, p.name, p.description, p.price::float8 AS price, p.image_url AS "imageUrl",
  COALESCE((SELECT json_agg(json_build_object('name', t.name, 'displayName', t.display_name) ORDER BY t.name)
            FROM product_tags pt JOIN tags t ON t.id = pt.tag_id
            WHERE pt.product_id = p.id AND pt.deleted_at IS NULL AND t.deleted_at IS NULL), '[]'::json) AS tags`;

// Products carrying any of the tags in $1 (NULL: no filter). Soft-deleted rows never show.
const TAG_FILTER = `p.deleted_at IS NULL AND ($1::text[] IS NULL OR EXISTS (
  SELECT 1 FROM product_tags pt JOIN tags t ON t.id = pt.tag_id
  WHERE pt.product_id = p.id AND pt.deleted_at IS NULL AND t.deleted_at IS NULL AND t.name = ANY($1::text[])))`;

const ORDER_BY: Readonly<Record<ProductOrder, string>> = {
  name: 'p.name ASC, p.id ASC',
  name_asc: 'p.name ASC, p.id ASC',
  name_desc: 'p.name DESC, p.id DESC',
  price: 'p.price ASC, p.id ASC',
  price_asc: 'p.price ASC, p.id ASC',
  price_desc: 'p.price DESC, p.id DESC',
};

// One named (prepared) statement per order: ORDER BY cannot be a parameter, and named statements skip
// planning on every call of a pooled connection after the first.
const LIST_STATEMENTS = Object.fromEntries(
  Object.entries(ORDER_BY).map(([order, by]) => [
    order,
    {
      name: `catalog_list_${order}`,
      text: `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE ${TAG_FILTER} ORDER BY ${by} LIMIT $2 OFFSET $3`,
    },
  ]),
) as Record<ProductOrder, { name: string; text: string }>;

/** Reads the catalog (products, tags) from Postgres. */
export class ProductRepository {
  constructor(private readonly pool: Queryable) {}

  /** A page of products, filtered by tags (any of them) and ordered. */
  async list(tags: readonly string[] | undefined, order: ProductOrder, page: number, size: number): Promise<Product[]> {
    const statement = LIST_STATEMENTS[order];
    const result = await this.pool.query<Product>({
      ...statement,
      values: [tags ?? null, size, (page - 1) * size],
    });
    return result.rows;
  }

  /** One product, or undefined when it does not exist or was deleted. */
  async get(id: string): Promise<Product | undefined> {
    const result = await this.pool.query<Product>({
      name: 'catalog_get',
      text: `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = $1 AND p.deleted_at IS NULL`,
      values: [id],
    });
    return result.rows[0];
  }

  /** How many products carry any of `tags` (all products when undefined). */
  async size(tags: readonly string[] | undefined): Promise<number> {
    const result = await this.pool.query<{ n: number }>({
      name: 'catalog_size',
      text: `SELECT count(*)::int AS n FROM products p WHERE ${TAG_FILTER}`,
      values: [tags ?? null],
    });
    return result.rows[0]!.n;
  }

  /** Every tag, by name. */
  async tags(): Promise<Tag[]> {
    const result = await this.pool.query<Tag>({
      name: 'catalog_tags',
      text: `SELECT name, display_name AS "displayName" FROM tags WHERE deleted_at IS NULL ORDER BY name`,
    });
    return result.rows;
  }
}
