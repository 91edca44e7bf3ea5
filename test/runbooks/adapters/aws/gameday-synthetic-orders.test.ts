import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AwsSyntheticOrdersRemoval } from '../../../../runbooks/adapters/aws/gameday-synthetic-orders';
import { ORDER_IDS_PER_INVOCATION } from '../../../../runbooks/adapters/aws/synthetic-orders-limits';

// The game-day adapter that invokes the synthetic orders removal function (Lambda Invoke, RequestResponse).
// Lambda API_Invoke: "The status code in the API response doesn't reflect function errors": the payload decides.

const id = (n: number) => `0b7e8f43-2f0c-4c36-9a41-${String(n).padStart(12, '0')}`;
const refs = (count: number) => Array.from({ length: count }, (_, n) => ({ orderId: id(n + 1), shopper: `s${n}` }));

function fakeLambda(answer: (region: string, orderIds: string[]) => { FunctionError?: string; body: unknown }) {
  const invocations: { region: string; functionName: string; type: string; orderIds: string[] }[] = [];
  const lambdaFor = (region: string) =>
    ({
      send: async (command: InvokeCommand) => {
        const input = command.input;
        const orderIds = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)).orderIds as string[];
        invocations.push({
          region,
          functionName: String(input.FunctionName),
          type: String(input.InvocationType),
          orderIds,
        });
        const { FunctionError, body } = answer(region, orderIds);
        return {
          StatusCode: 200,
          ...(FunctionError ? { FunctionError } : {}),
          Payload: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
        };
      },
    }) as unknown as LambdaClient;
  const remover = new AwsSyntheticOrdersRemoval({
    functionName: 'shop-dev-remove-synthetic-orders',
    lambdaFor,
    retry: { maxRetries: 0 },
  });
  return { remover, invocations };
}

describe('AwsSyntheticOrdersRemoval', () => {
  test('GIVEN more order ids than one invocation takes (and duplicates) WHEN removed THEN they go in batches, each id once, and the counts add up', async () => {
    const { remover, invocations } = fakeLambda((region, orderIds) => ({
      body: {
        format: 'multi-region-shop/synthetic-orders-removal@1',
        region,
        removed: orderIds.length,
        notSynthetic: [],
      },
    }));
    const orders = [...refs(ORDER_IDS_PER_INVOCATION * 2 + 7), ...refs(3)];

    const outcome = await remover.remove('us-west-2', orders);

    expect(outcome).toEqual({ removed: ORDER_IDS_PER_INVOCATION * 2 + 7, failed: [] });
    expect(invocations.map((i) => [i.region, i.functionName, i.type, i.orderIds.length])).toEqual([
      ['us-west-2', 'shop-dev-remove-synthetic-orders', 'RequestResponse', ORDER_IDS_PER_INVOCATION],
      ['us-west-2', 'shop-dev-remove-synthetic-orders', 'RequestResponse', ORDER_IDS_PER_INVOCATION],
      ['us-west-2', 'shop-dev-remove-synthetic-orders', 'RequestResponse', 7],
    ]);
  });

  test('GIVEN the function fails (FunctionError) WHEN removed THEN every id of the batch is failed and the note says why', async () => {
    const { remover } = fakeLambda(() => ({
      FunctionError: 'Unhandled',
      body: { errorType: 'Error', errorMessage: 'Task timed out after 180.00 seconds' },
    }));

    const outcome = await remover.remove('us-west-2', refs(2));

    expect(outcome).toEqual({
      removed: 0,
      failed: [id(1), id(2)],
      note: 'not removed: function shop-dev-remove-synthetic-orders in us-west-2 failed (Unhandled): Task timed out after 180.00 seconds (function shop-dev-remove-synthetic-orders in us-west-2)',
    });
  });

  test('GIVEN the function refuses (its error, no count) WHEN removed THEN the batch is failed with its words', async () => {
    const { remover } = fakeLambda((region) => ({
      body: {
        format: 'multi-region-shop/synthetic-orders-removal@1',
        region,
        error: 'global cluster x has no writer right now',
      },
    }));
    const outcome = await remover.remove('us-west-2', refs(1));
    expect(outcome.failed).toEqual([id(1)]);
    expect(outcome.note).toContain('not removed: global cluster x has no writer right now');
  });

  test('GIVEN an answer that is not JSON WHEN removed THEN the batch is failed naming what came back', async () => {
    const { remover } = fakeLambda(() => ({ body: 'null' }));
    const outcome = await remover.remove('us-west-2', refs(1));
    expect(outcome.failed).toEqual([id(1)]);
    expect(outcome.note).toContain('answered "null"; accepted: a JSON object');
  });

  test('GIVEN no order WHEN removed THEN nothing is invoked', async () => {
    const { remover, invocations } = fakeLambda(() => ({ body: {} }));
    expect(await remover.remove('us-west-2', [])).toEqual({ removed: 0, failed: [] });
    expect(invocations).toEqual([]);
  });
});
