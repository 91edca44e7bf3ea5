import { InvalidArgumentError } from 'commander';
import { parseIsoInstant } from '../../../runbooks/core/iso-instant';
import { timestampField } from '../../../runbooks/orchestrations/input-fields';
import { parseInstant } from '../../../runbooks/reconcile/cli-commands';

/** Review 13 item 17: impossible dates were rolled over by JavaScript's Date (2026-02-30 became 2026-03-02). */
describe('parseIsoInstant', () => {
  test.each([
    ['2026-01-10T12:01:00Z', '2026-01-10T12:01:00.000Z'],
    ['2026-01-10T14:01:00+02:00', '2026-01-10T12:01:00.000Z'],
    ['2026-01-10T07:01-05:00', '2026-01-10T12:01:00.000Z'],
    ['2028-02-29T23:59:59.999Z', '2028-02-29T23:59:59.999Z'],
    ['2026-01-10T12:01:00.250000Z', '2026-01-10T12:01:00.250Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
  ])('GIVEN %s THEN it is that instant', (value, iso) => {
    expect(parseIsoInstant(value)?.toISOString()).toBe(iso);
  });

  test.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-10T24:00:00Z',
    '2026-01-10T12:60:00Z',
    '2026-01-10T12:00:60Z',
    '2026-01-10T12:00:00+24:00',
    '2026-01-10T12:00:00+02:60',
    '2026-01-10T12:00:00.123456Z',
    '2026-01-10T12:00:00',
    '2026-01-10 12:00:00Z',
    '2026-1-10T12:00:00Z',
  ])('GIVEN %s THEN it is refused', (value) => {
    expect(parseIsoInstant(value)).toBeUndefined();
  });

  test('GIVEN --failover-at 2026-02-30T00:00:00Z THEN the CLI refuses it naming the flag, the value and the accepted form', () => {
    expect(() => parseInstant('--failover-at')('2026-02-30T00:00:00Z')).toThrow(InvalidArgumentError);
    expect(() => parseInstant('--cut')('2026-01-10T24:00:00Z')).toThrow(
      /^--cut: "2026-01-10T24:00:00Z" is not accepted; accepted: an ISO 8601 time with a time zone and a real calendar date and time of day/,
    );
    expect(parseInstant('--cut')('2026-01-10T12:00:00Z').toISOString()).toBe('2026-01-10T12:00:00.000Z');
  });

  test('GIVEN an orchestration timestamp input of 2026-02-30 THEN it is refused too', () => {
    expect(() => timestampField({ at: '2026-02-30T00:00:00Z' }, 'at')).toThrow(
      /"2026-02-30T00:00:00Z" is not a timestamp/,
    );
    expect(timestampField({ at: '2026-01-27T10:15:00+01:00' }, 'at')).toBe('2026-01-27T09:15:00.000Z');
  });
});
