import { HttpError } from '../platform/http-error';
import type { ServiceClient } from '../platform/service-client';
import { TtlCache } from '../platform/ttl-cache';

/** What the cart needs to know about a product. */
export interface ProductSummary {
  readonly id: string;
  readonly name: string;
  readonly price: number;
  readonly imageUrl: string;
}

class UnknownProduct extends Error {}

/**
 * Looks products up in the catalog service, so a cart holds only products that exist, at the catalog's price.
 * Found products are reused for a while (a burst of adds costs one lookup); unknown ones are asked again.
 */
export class CatalogProducts {
  private readonly cache: TtlCache<ProductSummary>;

  constructor(
    private readonly catalog: ServiceClient,
    cacheTtlMs: number,
  ) {
    this.cache = new TtlCache(cacheTtlMs);
  }

  /** The product, or undefined when the catalog does not have it. Throws a 503 when the catalog is unavailable. */
  async find(id: string, requestId?: string): Promise<ProductSummary | undefined> {
    try {
      return await this.cache.get(id, async () => {
        const response = await this.catalog.request<ProductSummary>(
          'GET',
          `/catalog/products/${encodeURIComponent(id)}`,
          {
            ...(requestId === undefined ? {} : { requestId }),
          },
        );
        if (response.status === 404) throw new UnknownProduct(id);
        if (response.status !== 200) {
          throw HttpError.unavailable('catalog', new Error(`GET product ${id} answered ${response.status}`));
        }
        const { name, price, imageUrl } = response.body;
        return { id, name, price, imageUrl };
      });
    } catch (error) {
      if (error instanceof UnknownProduct) return undefined;
      throw error;
    }
  }
}
