import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CartRepository } from '../../../services/carts/cart-repository';
import { HttpError } from '../../../services/platform/http-error';

describe('carts: clearing a cart while DynamoDB keeps throttling the deletes', () => {
  test('GIVEN every BatchWriteItem leaves its deletes unprocessed WHEN the cart is cleared THEN a 503 naming the table (throttled), not a 500', async () => {
    const line = { productId: 'p1', name: 'Mug', unitPrice: 1, imageUrl: '/m.svg', quantity: 1 };
    let batches = 0;
    const db = {
      send: async (command: { constructor: { name: string }; input: { RequestItems?: Record<string, unknown> } }) => {
        if (command.constructor.name === 'QueryCommand') return { Items: [line] };
        batches++;
        return { UnprocessedItems: command.input.RequestItems };
      },
    } as unknown as DynamoDBDocumentClient;
    const error = await new CartRepository(db, 'carts').clear('c-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect({ status: (error as HttpError).statusCode, message: (error as HttpError).message }).toEqual({
      status: 503,
      message: 'DynamoDB table carts is overloaded; retry later',
    });
    expect(batches).toBe(5);
  });
});
