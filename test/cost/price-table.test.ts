import { AURORA_INSTANCE_HOURLY, PRICES, PRICES_AS_OF } from '../../cost/price-table';

const entries = [
  ...Object.entries(PRICES),
  ...Object.entries(AURORA_INSTANCE_HOURLY).map(([key, price]) => [`aurora:${key}`, price] as const),
];

describe('the price table claims no more than was checked', () => {
  test.each(entries)('%s says CONFIRMED (an AWS page, on a date) or UNCONFIRMED', (_, price) => {
    // A figure only a third-party page states, or one recalled, is not confirmed: the entry must say so first.
    const confirmed =
      /^CONFIRMED (\d{4}-\d{2}-\d{2}) against (https:\/\/(aws\.amazon\.com|docs\.aws\.amazon\.com)\/\S+)/.exec(
        price.checked,
      );
    if (confirmed) {
      expect(confirmed[1]! <= PRICES_AS_OF).toBe(true);
    } else {
      expect(price.checked).toMatch(/^UNCONFIRMED/);
    }
    expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
  });
});
