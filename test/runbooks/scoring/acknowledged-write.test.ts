import {
  ACK_FORMAT,
  type AcknowledgedWrite,
  formatLedger,
  LedgerError,
  parseLedger,
} from '../../../runbooks/scoring/acknowledged-write';

const PLACED: AcknowledgedWrite = {
  format: ACK_FORMAT,
  kind: 'order_placed',
  order_id: '0b7e8f43-2f0c-4c36-9a41-1d2f3e4a5b6c',
  region: 'us-east-1',
  via: 'global',
  acknowledged_at: '2026-12-07T04:30:00.000Z',
  request_id: 'req-1',
  shopper: 'synthetic-7',
  detail: { amount: 42.5, currency: 'EUR' },
};
const REPLACED: AcknowledgedWrite = {
  ...PLACED,
  kind: 'order_replaced',
  order_id: '1c8f9054-3a1d-4d47-8b52-2e3f4a5b6c7d',
  region: 'eu-west-1',
  via: 'regional',
  replaces: PLACED.order_id,
  detail: undefined,
};

function errorOf(text: string): LedgerError {
  try {
    parseLedger(text, 'acks/us-east-1/i-1.jsonl');
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
  throw new Error('parseLedger accepted a bad ledger');
}

describe('parseLedger', () => {
  test('GIVEN the JSON Lines formatLedger wrote, with blank and CRLF lines WHEN read THEN the same writes come back', () => {
    const text = formatLedger([PLACED, REPLACED]).replace('\n', '\r\n\n');
    expect(parseLedger(text)).toEqual([PLACED, JSON.parse(JSON.stringify(REPLACED))]);
  });

  test('GIVEN an empty ledger WHEN read THEN there is no write (the scoring decides what that means)', () => {
    expect(parseLedger('\n\n')).toEqual([]);
  });

  test('GIVEN a line that is not JSON WHEN read THEN the error names the line and what is accepted', () => {
    const error = errorOf(`${JSON.stringify(PLACED)}\n{"format":`);
    expect(error.problems).toEqual([
      'line 2: "{\\"format\\":" is not JSON; accepted: one JSON object per line (JSON Lines)',
    ]);
    expect(error.message).toContain('acks/us-east-1/i-1.jsonl: 1 bad ledger field(s)');
  });

  test('GIVEN a line with a bad kind, order id and time WHEN read THEN each field is named with its value and what is accepted', () => {
    const bad = { ...PLACED, kind: 'order_paid', order_id: '42', acknowledged_at: '2026-12-07 04:30' };
    const error = errorOf(`\n${JSON.stringify(bad)}`);
    expect(error.problems).toEqual([
      'line 2: field kind: "order_paid"; accepted: "order_placed", "order_cancelled", "address_changed", "order_replaced"',
      'line 2: field order_id: "42"; accepted: a uuid such as "0b7e8f43-2f0c-4c36-9a41-1d2f3e4a5b6c"',
      'line 2: field acknowledged_at: "2026-12-07 04:30"; accepted: an ISO 8601 time with a zone, such as "2026-12-07T04:30:00.000Z"',
    ]);
  });

  test('GIVEN a missing field, an unknown field and a non-object line WHEN read THEN each is named', () => {
    const { shopper: _dropped, ...noShopper } = PLACED;
    const error = errorOf(`${JSON.stringify({ ...noShopper, color: 'red' })}\n[1]`);
    expect(error.problems).toEqual([
      'line 1: field shopper: missing; accepted: a non-empty string of at most 200 characters',
      'line 1: field color: "red" is not a ledger field; accepted: format, kind, order_id, region, via, acknowledged_at, request_id, shopper, replaces, detail',
      'line 2: [1] is not an object; accepted: one JSON object per line',
    ]);
  });

  test.each([
    ['an order_replaced without replaces', { ...REPLACED, replaces: undefined }, 'missing', 'required when kind'],
    [
      'an order_placed with replaces',
      { ...PLACED, replaces: REPLACED.order_id },
      `"${REPLACED.order_id}"`,
      'not allowed when kind is "order_placed"',
    ],
    [
      'an order that replaces itself',
      { ...REPLACED, replaces: REPLACED.order_id },
      `"${REPLACED.order_id}"`,
      'equals order_id',
    ],
  ])('GIVEN %s WHEN read THEN replaces is named', (_name, line, value, why) => {
    const error = errorOf(JSON.stringify(line));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^line 1: field replaces: /);
    expect(error.problems[0]).toContain(value);
    expect(error.problems[0]).toContain(why);
    expect(error.problems[0]).toContain('present exactly when kind is "order_replaced"');
  });

  test('GIVEN a detail value that is an object WHEN read THEN the detail field is named by its key', () => {
    const error = errorOf(JSON.stringify({ ...PLACED, detail: { address: { city: 'x' } } }));
    expect(error.problems).toEqual([
      'line 1: field detail.address: {"city":"x"}; accepted: an object whose values are strings or finite numbers',
    ]);
  });

  test('GIVEN an address change without detail WHEN read THEN the detail field is named: the scoring could never call it lost (review 16c S11)', () => {
    const moved = { ...PLACED, kind: 'address_changed', detail: undefined };
    for (const line of [JSON.stringify(moved), JSON.stringify({ ...moved, detail: {} })]) {
      expect(errorOf(line).problems).toEqual([
        `line 1: field detail: ${line.includes('"detail"') ? '{}' : 'missing'} (required, with at least one address field, when kind is "address_changed"); accepted: an object whose values are strings or finite numbers`,
      ]);
    }
  });

  test('GIVEN a write that is not valid WHEN formatLedger THEN it throws instead of writing a line no reader accepts', () => {
    expect(() => formatLedger([{ ...PLACED, region: 'mars' }])).toThrow(
      'line 1: field region: "mars"; accepted: a Region name such as "us-east-1"',
    );
  });
});
