import type { PoolClient } from 'pg';
import { OrderRepository } from '../../../services/orders/order-repository';
import type { Queryable } from '../../../services/platform/postgres';

/** A pool whose one client answers each statement with `answer(text)`; records statements and the release. */
function fakePool(answer: (text: string) => Promise<unknown>) {
  const statements: string[] = [];
  let released: { error: unknown } | undefined;
  const client = {
    query: (q: string | { text: string }) => {
      const text = typeof q === 'string' ? q : q.text;
      statements.push(text.split(/\s/)[0]!);
      return answer(text);
    },
    release: (error?: unknown) => {
      released = { error };
    },
  } as unknown as PoolClient;
  const pool = { connect: async () => client, query: async () => ({ rows: [] }) } as unknown as Queryable;
  return { pool, statements, released: () => released };
}

describe('orders: a transaction whose database stops answering', () => {
  test('GIVEN BEGIN times out (query_timeout) WHEN deleting an order THEN no ROLLBACK is queued behind it and the connection is destroyed', async () => {
    const timeout = new Error('Query read timeout');
    const fake = fakePool(async () => {
      throw timeout;
    });
    await expect(new OrderRepository(fake.pool).softDelete('01a21b3d-0000-7000-8000-000000000000')).rejects.toBe(
      timeout,
    );
    expect(fake.statements).toEqual(['BEGIN']);
    expect(fake.released()).toEqual({ error: timeout });
  });

  test('GIVEN a statement fails for another reason THEN the transaction is rolled back and the connection kept', async () => {
    const failure = Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
    const fake = fakePool(async (text) => {
      if (text.startsWith('UPDATE')) throw failure;
      return { rows: [], rowCount: 0 };
    });
    await expect(new OrderRepository(fake.pool).softDelete('01a21b3d-0000-7000-8000-000000000000')).rejects.toBe(
      failure,
    );
    expect(fake.statements).toEqual(['BEGIN', 'UPDATE', 'ROLLBACK']);
    expect(fake.released()).toEqual({ error: undefined });
  });
});
