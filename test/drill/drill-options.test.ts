import { drillProgram, parseDrillOptions } from '../../drill/drill-options';

/** Parses `argv` with a program that throws instead of exiting, and returns what it printed as an error. */
function rejected(argv: readonly string[]): string {
  let printed = '';
  const program = drillProgram()
    .exitOverride()
    .configureOutput({ writeErr: (text) => (printed += text), writeOut: () => undefined });
  expect(() => parseDrillOptions(argv, program)).toThrow();
  return printed.split('\n')[0]!;
}

describe('drill options', () => {
  test('defaults: 5 orders/s, 5 lost writes, drill-report/, no apply, no failback; --ci fixes the seed at 1', () => {
    expect(parseDrillOptions(['--ci'], drillProgram().exitOverride())).toEqual({
      ci: true,
      out: 'drill-report',
      orderRate: 5,
      lostWrites: 5,
      apply: false,
      failback: false,
      seed: 1,
      routingMode: 'arc-cluster',
    });
  });

  test('without --ci and --seed the seed is drawn (and reported), with --seed it is the one given', () => {
    expect(parseDrillOptions([], drillProgram().exitOverride(), () => 4242).seed).toBe(4242);
    expect(parseDrillOptions(['--seed', '7'], drillProgram().exitOverride(), () => 4242).seed).toBe(7);
  });

  test('every option is read', () => {
    expect(
      parseDrillOptions(
        [
          ...[
            '--out',
            'x',
            '--order-rate',
            '2.5',
            '--lost-writes',
            '0',
            '--apply',
            '--failback',
            '--seed',
            '9',
            '--ci',
          ],
          ...['--routing-mode', 'region-switch'],
        ],
        drillProgram().exitOverride(),
      ),
    ).toEqual({
      ci: true,
      out: 'x',
      orderRate: 2.5,
      lostWrites: 0,
      apply: true,
      failback: true,
      seed: 9,
      routingMode: 'region-switch',
    });
  });

  test.each([
    [
      ['--order-rate', 'fast'],
      `error: option '--order-rate <per-second>' argument 'fast' is invalid. "fast" is not accepted; accepted: a number of orders per second from 0.5 to 50`,
    ],
    [
      ['--order-rate', '0'],
      `error: option '--order-rate <per-second>' argument '0' is invalid. "0" is not accepted; accepted: a number of orders per second from 0.5 to 50`,
    ],
    [
      ['--lost-writes', '2.5'],
      `error: option '--lost-writes <count>' argument '2.5' is invalid. "2.5" is not accepted; accepted: a whole number from 0 to 500`,
    ],
    [
      ['--lost-writes', '501'],
      `error: option '--lost-writes <count>' argument '501' is invalid. "501" is not accepted; accepted: a whole number from 0 to 500`,
    ],
    [
      ['--seed', '-1'],
      `error: option '--seed <n>' argument '-1' is invalid. "-1" is not accepted; accepted: a whole number from 0 to 2147483647`,
    ],
    [
      ['--out', ''],
      `error: option '--out <folder>' argument '' is invalid. "" is not accepted; accepted: a folder path`,
    ],
    [
      ['--routing-mode', 'route53'],
      `error: option '--routing-mode <mode>' argument 'route53' is invalid. "route53" is not accepted; accepted: "arc-cluster" or "region-switch"`,
    ],
    [['--regions', 'x'], `error: unknown option '--regions'`],
  ])('%j is rejected naming the flag, the value and what is accepted', (argv, message) => {
    expect(rejected(argv)).toBe(message);
  });
});
