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
  /** Set by the first submit of a version; every retry of that version reuses it. */
  readonly idempotencyKey?: string;
  readonly submittedVersion?: number;
  /** The order placed for `submittedVersion`. */
  readonly orderId?: string;
  readonly updatedAt: string;
}

const key = (customerId: string) => ({ pk: `checkout#${customerId}`, sk: 'checkout' });

/**
 * Checkouts in DynamoDB (a global table, so an open checkout survives a Region failover). Every change is one
 * UpdateItem; the submission steps are conditional on the version, so a checkout edited while it is being
 * submitted is never recorded as submitted.
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
   * Records the idempotency key of `version`'s submission. False (nothing written) when the checkout has moved
   * on to another version meanwhile.
   */
  async claimSubmission(customerId: string, version: number, idempotencyKey: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(customerId),
          UpdateExpression: 'SET idempotencyKey = :key, submittedVersion = :version',
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':key': idempotencyKey, ':version': version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Records the order placed with `idempotencyKey`, unless the checkout has moved on since (then nothing). */
  async recordOrder(customerId: string, idempotencyKey: string, orderId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(customerId),
          UpdateExpression: 'SET orderId = :orderId, submittedAt = :now',
          ConditionExpression: 'idempotencyKey = :key',
          ExpressionAttributeValues: { ':orderId': orderId, ':key': idempotencyKey, ':now': new Date().toISOString() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
