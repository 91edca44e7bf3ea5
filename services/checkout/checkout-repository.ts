import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { v7 as uuidv7 } from 'uuid';
import type { PricedCheckout, PricedItem } from './pricing';
import type { ShippingAddress } from './schemas';

/** A checkout as stored in DynamoDB (one item per customer; money in cents). */
export interface StoredCheckout {
  readonly customerId: string;
  /** Fixed for the life of the item; part of every idempotency key, so keys never repeat across checkouts. */
  readonly checkoutId: string;
  readonly version: number;
  readonly items: readonly PricedItem[];
  readonly shippingAddress?: ShippingAddress;
  readonly deliveryOptionToken: string;
  readonly subtotalCents: number;
  readonly shippingCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
  /** The key the recorded order was placed with (see `submissionKey`). */
  readonly idempotencyKey?: string;
  readonly submittedVersion?: number;
  /** The order placed for `submittedVersion`. */
  readonly orderId?: string;
  readonly updatedAt: string;
}

const key = (customerId: string) => ({ pk: `checkout#${customerId}`, sk: 'checkout' });

/**
 * Checkouts in DynamoDB (a global table, so an open checkout survives a Region failover). Every change is one
 * UpdateItem; recording a submission is conditional on the version, so a checkout edited while it is being
 * submitted is never marked as submitted.
 */
export class CheckoutRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The customer's checkout, or undefined. */
  async get(customerId: string): Promise<StoredCheckout | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: key(customerId), ConsistentRead: true }),
    );
    return result.Item as StoredCheckout | undefined;
  }

  /** Replaces the checkout's contents and starts a new version (any earlier submission is history). */
  async save(customerId: string, checkout: PricedCheckout): Promise<StoredCheckout> {
    const now = new Date().toISOString();
    const values: Record<string, unknown> = {
      ':customerId': customerId,
      ':checkoutId': uuidv7(),
      ':items': checkout.items,
      ':token': checkout.deliveryOptionToken,
      ':subtotal': checkout.subtotalCents,
      ':shipping': checkout.shippingCents,
      ':tax': checkout.taxCents,
      ':total': checkout.totalCents,
      ':now': now,
      ':one': 1,
    };
    let set =
      'SET customerId = :customerId, checkoutId = if_not_exists(checkoutId, :checkoutId), #items = :items, ' +
      'deliveryOptionToken = :token, subtotalCents = :subtotal, shippingCents = :shipping, taxCents = :tax, ' +
      'totalCents = :total, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)';
    const remove = ['idempotencyKey', 'submittedVersion', 'orderId', 'submittedAt'];
    if (checkout.shippingAddress) {
      set += ', shippingAddress = :address';
      values[':address'] = checkout.shippingAddress;
    } else {
      remove.push('shippingAddress');
    }
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(customerId),
        UpdateExpression: `${set} ADD version :one REMOVE ${remove.join(', ')}`,
        ExpressionAttributeNames: { '#items': 'items' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as StoredCheckout;
  }

  /**
   * Records that `version` was submitted as order `orderId` with `idempotencyKey`, unless the checkout has moved
   * on to another version meanwhile (then nothing: the order stands, the newer version is still open).
   */
  async recordOrder(customerId: string, version: number, idempotencyKey: string, orderId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(customerId),
          UpdateExpression:
            'SET orderId = :orderId, idempotencyKey = :key, submittedVersion = :version, submittedAt = :now',
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: {
            ':orderId': orderId,
            ':key': idempotencyKey,
            ':version': version,
            ':now': new Date().toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
