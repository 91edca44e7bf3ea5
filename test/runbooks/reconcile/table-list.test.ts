import { parseTableList } from '../../../runbooks/reconcile/table-list';

describe('--tables names tables as the report does (rv13c)', () => {
  test.each([
    ['orders,order_items', ['orders', 'order_items']],
    [' orders , order_items ', ['orders', 'order_items']],
    ['"audit.log",orders', ['"audit.log"', 'orders']],
    ['"a,b"', ['a,b']],
    ['"Order Items"', ['Order Items']],
    ['"say ""hi"""', ['"say ""hi"""']],
    ['"orders"', ['orders']],
    ['2fa_codes,été,Order Items', ['2fa_codes', 'été', 'Order Items']],
  ])('GIVEN %j THEN the report keys are %j', (value, keys) => {
    expect(parseTableList(value)).toEqual(keys);
  });

  test.each([
    ['', /names no table/],
    ['orders;drop', /"orders;drop" is not a table name; accepted: .*"audit\.log" in double quotes/],
    ['"audit.log', /has an unclosed double quote/],
    ['audit.log', /names table "log" of schema "audit", and only tables of schema public are compared/],
    ['""', /is not a quoted table name/],
    ['"a\u0001b"', /is not a quoted table name/],
  ])('GIVEN %j THEN it is refused naming the entry (%s)', (value, message) => {
    expect(() => parseTableList(value)).toThrow(message);
  });
});
