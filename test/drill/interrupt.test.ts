import { interruptDev, interruptDrill } from '../../bench/drill-interrupt-run';

/**
 * Issue 15 (review newcomer-run F1, F8): whatever stops `npm run drill` — Ctrl-C (SIGINT to the process group, once
 * or twice), a hang-up, SIGTERM to npm alone — the drill stops everything it started, removes its data, says so in
 * one line, and exits 128 + the signal; no process, Postgres data or temp file is left. A few phases here;
 * `npm run bench:drill-interrupt` runs many more, under load.
 */
describe('interrupting npm run drill', () => {
  test.each([
    ['start', { signal: 'SIGINT', to: 'group' } as const, 130],
    ['warm-up', { signal: 'SIGINT', to: 'group', twice: true } as const, 130],
    ['start', { signal: 'SIGTERM', to: 'npm' } as const, 143],
  ])(
    'GIVEN the drill in phase %s WHEN %o THEN it exits %i, says it stopped, and leaves nothing',
    async (phase, how, exit) => {
      const result = await interruptDrill(phase, how, 200);
      expect(result).toEqual(expect.objectContaining({ exit, stoppedCleanly: true, processesLeft: [], filesLeft: [] }));
    },
    240_000,
  );
});

/**
 * Issue 15 (review newcomer-run F13): Ctrl-C on `npm run dev` reaches Postgres too (same process group); it must not
 * close its connections under the running services, which then logged warnings with stack traces before the clean
 * line. The stop is one line: the services drain, then the stores stop, in that order.
 */
describe('interrupting npm run dev', () => {
  test('GIVEN a running dev shop WHEN Ctrl-C reaches its process group THEN it exits 130 with its stop lines alone and leaves nothing', async () => {
    const result = await interruptDev({ signal: 'SIGINT', to: 'group' }, 500);
    expect(result).toEqual(
      expect.objectContaining({ exit: 130, stoppedCleanly: true, processesLeft: [], filesLeft: [], warnings: [] }),
    );
  }, 240_000);
});
