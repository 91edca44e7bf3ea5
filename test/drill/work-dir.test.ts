import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../config';
import { drillWorkRoot } from '../../drill/work-dir';

const REPO = path.resolve(__dirname, '..', '..');

// Issue 15 (review F12): drill/README says exit 2 is bad usage; a bad DRILL_TMPDIR was exit 1, and a missing one a
// raw ENOENT that did not name the variable.
describe('DRILL_TMPDIR', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'work-dir-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('GIVEN a folder that exists and can be written THEN it is the root', async () => {
    await expect(drillWorkRoot({ DRILL_TMPDIR: scratch })).resolves.toBe(scratch);
  });

  test.each([
    [
      'too long',
      () => `/${'x'.repeat(60)}`,
      (root: string) =>
        `DRILL_TMPDIR: ${JSON.stringify(root)} is 61 characters long; accepted: a folder path of at most 50 (the Postgres Unix sockets live below it, and a socket path ends at 107 bytes)`,
    ],
    [
      'missing',
      () => path.join(scratch, 'nope'),
      (root: string) =>
        `DRILL_TMPDIR: ${JSON.stringify(root)} is not a folder this user can write (it does not exist); accepted: an existing, writable folder path of at most 50 characters`,
    ],
    [
      'a file',
      () => {
        const file = path.join(scratch, 'file');
        writeFileSync(file, '');
        return file;
      },
      (root: string) =>
        `DRILL_TMPDIR: ${JSON.stringify(root)} is not a folder this user can write (it is not a folder); accepted: an existing, writable folder path of at most 50 characters`,
    ],
  ])(
    'GIVEN a DRILL_TMPDIR that is %s THEN a configuration error names it, the value and what is accepted',
    async (_, make, message) => {
      const root = make();
      const error = await drillWorkRoot({ DRILL_TMPDIR: root }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([message(root)]);
    },
  );

  test('GIVEN a missing DRILL_TMPDIR WHEN npm run drill starts THEN it exits 2 (bad usage) with the message, and leaves nothing', () => {
    const root = path.join(scratch, 'absent');
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^npm_/.test(key)) env[key] = value;
    const before = readdirSync(scratch).sort();
    const result = spawnSync('npm', ['run', 'drill', '--', '--ci', '--out', path.join(scratch, 'out')], {
      cwd: REPO,
      env: { ...env, DRILL_TMPDIR: root },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr: expect.stringContaining(
        `drill: Invalid configuration:\n  - DRILL_TMPDIR: ${JSON.stringify(root)} is not a folder this user can write (it does not exist)`,
      ),
    });
    expect(readdirSync(scratch).filter((name) => !before.includes(name) && name !== 'out')).toEqual([]);
  }, 70_000);
});
