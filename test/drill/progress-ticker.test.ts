import { whileWaiting } from '../../drill/report/progress-ticker';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Issue 15 (review newcomer-run F10): the console was silent for 18 s while the old Region rebuilt.
describe('whileWaiting: progress on the console during a long wait', () => {
  test('GIVEN work that takes 5 intervals WHEN awaited THEN a line per interval says what is waited for, none after', async () => {
    const lines: string[] = [];
    const value = await whileWaiting(
      sleep(520).then(() => 42),
      {
        print: (l) => lines.push(l),
        describe: (ms) => `waiting for the rebuild (${Math.round(ms / 100)})`,
        everyMs: 100,
      },
    );
    expect(value).toBe(42);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines[0]).toMatch(/^waiting for the rebuild \(1\)$/);
    const printed = lines.length;
    await sleep(250);
    expect(lines).toHaveLength(printed);
  });

  test('GIVEN work that fails WHEN awaited THEN its error comes through and the lines stop', async () => {
    const lines: string[] = [];
    await expect(
      whileWaiting(
        sleep(150).then(() => {
          throw new Error('rebuild failed');
        }),
        { print: (l) => lines.push(l), describe: () => 'waiting', everyMs: 50 },
      ),
    ).rejects.toThrow('rebuild failed');
    const printed = lines.length;
    expect(printed).toBeGreaterThanOrEqual(1);
    await sleep(150);
    expect(lines).toHaveLength(printed);
  });
});
