import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { swallowedCheckFlag } from '../../pipeline/bootstrap';

// npm 11 (checked with npm 11.19.1): `npm run s --check` runs the script with no arguments and sets
// npm_config_check=true in its environment ("npm warn Unknown cli config "--check""); `npm run s -- --check` passes it.
describe('npm run bootstrap --check, which npm swallows (review D7)', () => {
  test('GIVEN npm_config_check set and no --check in argv THEN the refusal names --check and the right spelling', () => {
    expect(swallowedCheckFlag(['node', 'bootstrap.ts'], { npm_config_check: 'true' })).toBe(
      'npm_config_check: "true" is set but --check is not among the arguments: `npm run bootstrap --check` passes --check to npm, not to bootstrap, and would run a FULL bootstrap; nothing was run. Accepted: `npm run bootstrap -- --check` (check only) or `npm run bootstrap` (bootstrap)',
    );
  });

  test.each([
    [
      '--check passed through (npm run bootstrap -- --check)',
      ['node', 'bootstrap.ts', '--check'],
      { npm_config_check: 'true' },
    ],
    ['no npm_config_check', ['node', 'bootstrap.ts'], {}],
    ['npm_config_check empty', ['node', 'bootstrap.ts', '--dry-run'], { npm_config_check: '' }],
  ])('GIVEN %s THEN nothing is refused', (_name, argv, env) => {
    expect(swallowedCheckFlag(argv, env)).toBeUndefined();
  });

  test('GIVEN npm_config_check=true WHEN bootstrap runs without --check THEN exit 2 before any command', () => {
    const result = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), join(__dirname, '../../pipeline/bootstrap.ts'), '--dry-run'],
      {
        encoding: 'utf8',
        env: { ...process.env, npm_config_check: 'true' },
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('npm run bootstrap -- --check');
    expect(result.stdout).not.toContain('$ npx cdk bootstrap');
  });
});
