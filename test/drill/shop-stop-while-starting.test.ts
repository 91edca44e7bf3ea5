import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Resources } from '../../drill/resources';
import { TwoRegionShop } from '../../drill/two-region-shop';

/** The command lines of the Postgres servers running on a data folder under `dir`. */
function postgresUnder(dir: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => /\bpostgres -D /.test(line) && line.includes(dir));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

// Issue 15's rule (stop everything, whatever stops the drill), found broken under load by the interrupt test: the
// shop's stop ran while its Postgres pairs were still starting, so the pairs that finished starting afterwards were
// never stopped (their servers run in a process group of their own: nothing else stops them). The stop must wait for
// what is being started and stop it too.
describe('stopping the two-Region shop while its Postgres pairs start', () => {
  test('GIVEN the first pair server has spawned WHEN everything is stopped THEN no Postgres server of the shop is left', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'drs-'));
    await chmod(work, 0o755);
    const resources = new Resources();
    try {
      const starting = TwoRegionShop.start({
        workDir: work,
        primaryRegion: 'us-east-1',
        standbyRegion: 'us-west-2',
        resources,
        onEvent: () => undefined,
      }).then(
        () => 'started',
        () => 'failed',
      );
      // WHEN: the moment a pair's primary has spawned (the template server has been stopped by then)
      const pairDir = (db: string) => path.join(work, db, 'primary');
      const spawned = await until(
        () => postgresUnder(pairDir('catalog')).length + postgresUnder(pairDir('orders')).length > 0,
        60_000,
      );
      expect(spawned).toBe(true);
      await resources.stopAll();
      await starting;
      // THEN
      expect(postgresUnder(work)).toEqual([]);
    } finally {
      await resources.stopAll();
      await rm(work, { recursive: true, force: true });
    }
  }, 90_000);
});
