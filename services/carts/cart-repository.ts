import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { storeUnavailable } from '../platform/store-failure';
import type { ProductSummary } from './catalog-products';
import { type CartItem, MAX_LINE_QUANTITY } from './schemas';

interface StoredItem {
  readonly productId: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly imageUrl: string;
  readonly quantity: number;
}

const key = (customerId: string, productId: string) => ({ pk: `cart#${customerId}`, sk: `item#${productId}` });

function toCartItem(stored: Record<string, unknown>): CartItem {
  const item = stored as unknown as StoredItem;
  const cents = Math.round(item.unitPrice * 100);
  return {
    itemId: item.productId,
    name: item.name,
    quantity: item.quantity,
    unitPrice: cents / 100,
    totalCost: (cents * item.quantity) / 100,
    imageUrl: item.imageUrl,
  };
}

/**
 * Carts in DynamoDB: one item per cart line (`pk = cart#<customerId>`, `sk = item#<productId>`), so adding to
 * a line is a single atomic `UpdateItem ... ADD quantity`, never a read followed by a write.
 */
export class CartRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Adds `quantity` units of `product` in one UpdateItem: `ADD` makes concurrent adds sum up, and the condition
   * keeps the line at {@link MAX_LINE_QUANTITY} at most. Name, price and image are refreshed from the catalog.
   * Returns `over-limit` (nothing written) when the line would exceed the limit.
   *
   * `addKey` makes the add happen at most once: it is recorded on the line (`addKeys`, a string set) by the same
   * UpdateItem, whose condition refuses a key already there. So an attempt that reaches the table late (the SDK
   * retried after a timeout, or a client retried after a 503 while its first request was still on its way) adds
   * nothing and the add answers `{ replayed }` with the line as it is. The set is emptied when the line's
   * quantity is set (PATCH) and goes with the line when it is removed.
   */
  async add(
    customerId: string,
    product: ProductSummary,
    quantity: number,
    addKey: string,
  ): Promise<CartItem | { readonly replayed: CartItem } | 'over-limit'> {
    const now = new Date().toISOString();
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(customerId, product.id),
          UpdateExpression:
            'SET productId = :productId, #name = :name, unitPrice = :price, imageUrl = :image, updatedAt = :now, ' +
            'createdAt = if_not_exists(createdAt, :now) ADD quantity :quantity, addKeys :addKeys',
          ConditionExpression:
            '(attribute_not_exists(quantity) OR quantity <= :room) AND NOT contains(addKeys, :addKey)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':productId': product.id,
            ':name': product.name,
            ':price': product.price,
            ':image': product.imageUrl,
            ':now': now,
            ':quantity': quantity,
            ':room': MAX_LINE_QUANTITY - quantity,
            ':addKeys': new Set([addKey]),
            ':addKey': addKey,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toCartItem(result.Attributes!);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The condition failed: the key was applied before (a replay), or the line has no room.
    const line = await this.db.send(
      new GetCommand({ TableName: this.table, Key: key(customerId, product.id), ConsistentRead: true }),
    );
    const keys = line.Item?.['addKeys'] as ReadonlySet<string> | undefined;
    if (line.Item !== undefined && keys?.has(addKey)) return { replayed: toCartItem(line.Item) };
    return 'over-limit';
  }

  /** Sets the quantity of a line; undefined (nothing written) when the line is not in the cart. */
  async setQuantity(customerId: string, productId: string, quantity: number): Promise<CartItem | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(customerId, productId),
          // An absolute quantity: the keys of earlier adds are dropped with the count they made up.
          UpdateExpression: 'SET quantity = :quantity, updatedAt = :now REMOVE addKeys',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':quantity': quantity, ':now': new Date().toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toCartItem(result.Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Every line of a cart, by product id (an unknown cart is empty). */
  async items(customerId: string): Promise<CartItem[]> {
    const items: CartItem[] = [];
    for await (const page of this.linePages(customerId, {}))
      for (const item of page.Items ?? []) items.push(toCartItem(item));
    return items;
  }

  /** The pages of a cart's lines, read consistently, `select` passed to each Query (`COUNT`: no line read back). */
  private async *linePages(customerId: string, select: { Select?: 'COUNT' }) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :item)',
          ExpressionAttributeValues: { ':pk': `cart#${customerId}`, ':item': 'item#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...select,
        }),
      );
      yield page;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /** One line, or undefined. */
  async item(customerId: string, productId: string): Promise<CartItem | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: key(customerId, productId), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : toCartItem(result.Item);
  }

  /** Removes a line (no error when it is not there). */
  async remove(customerId: string, productId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: key(customerId, productId) }));
  }

  /** How many lines a cart holds: counted by the store (`Select: COUNT`), no line is read back. */
  async lineCount(customerId: string): Promise<number> {
    let count = 0;
    for await (const page of this.linePages(customerId, { Select: 'COUNT' })) count += page.Count ?? 0;
    return count;
  }

  /** Removes a line if it still holds `quantity` units (an add that changed it meanwhile keeps it). */
  async removeIfQuantity(customerId: string, productId: string, quantity: number): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key(customerId, productId),
          ConditionExpression: 'quantity = :quantity',
          ExpressionAttributeValues: { ':quantity': quantity },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Removes every line of a cart. */
  async clear(customerId: string): Promise<void> {
    const items = await this.items(customerId);
    for (let i = 0; i < items.length; i += 25) {
      let requests: Record<string, unknown>[] | undefined = items
        .slice(i, i + 25)
        .map((item) => ({ DeleteRequest: { Key: key(customerId, item.itemId) } }));
      for (let attempt = 0; requests !== undefined && requests.length > 0; attempt++) {
        if (attempt === 5) {
          // BatchWriteItem (DynamoDB API reference): "If any requested operations fail because the table's provisioned
          // throughput is exceeded or an internal processing failure occurs, the failed operations are returned in
          // the UnprocessedItems response parameter." The table is overloaded, not the request wrong: a 503.
          throw storeUnavailable(
            `DynamoDB table ${this.table}`,
            'overloaded',
            new Error(`could not delete ${requests.length} lines of cart ${customerId}`),
          );
        }
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests as never } }));
        requests = result.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
      }
    }
  }
}
