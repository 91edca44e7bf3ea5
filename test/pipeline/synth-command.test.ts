import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIG_ENVIRONMENT_VARIABLES } from '../../config/load-config';

const REPO = path.resolve(__dirname, '..', '..');

/** The environment of a newcomer's shell: none of the configuration's variables set, no cdk context from outside. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const config = (key: string) =>
    CONFIG_ENVIRONMENT_VARIABLES.includes(key) || /^(AWS_.*|CDK_.*|GITHUB_SHA|npm_.*)$/.test(key);
  for (const [key, value] of Object.entries(process.env)) if (!config(key)) env[key] = value;
  return { ...env, ...extra };
}

/** `npm run synth` as typed in a terminal, from the repository root. */
function npmRunSynth(extraEnv: Record<string, string>, args: string[] = []) {
  return spawnSync('npm', ['run', 'synth', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: REPO,
    env: cleanEnv(extraEnv),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run synth with a configuration the project refuses (issue 15)', () => {
  test('GIVEN PRIMARY_REGION=mars-1 WHEN npm run synth runs THEN it exits 2 and stderr is the message alone', () => {
    const result = npmRunSynth({ PRIMARY_REGION: 'mars-1' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr:
        'Invalid configuration:\n' +
        '  - primaryRegion: "mars-1" is not a Region name; accepted: a Region such as "us-east-1" (set by environment variable PRIMARY_REGION)\n',
    });
  });

  test('GIVEN two bad values, one from an environment variable and one from a -c context flag THEN both are listed, exit 2', () => {
    const result = npmRunSynth({ STANDBY_REGION: 'us-east-1' }, ['-c', 'bakeMinutes=abc']);
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr:
        'Invalid configuration:\n' +
        '  - bakeMinutes: "abc" is not a number; accepted: a whole number (set by context key bakeMinutes)\n' +
        '  - standbyRegion: "us-east-1" equals primaryRegion; accepted: a Region other than "us-east-1" (set by environment variable STANDBY_REGION)\n',
    });
  });
});

/**
 * A scratch checkout: every top-level entry of the repository linked in, except `.github`, so what synth writes
 * relative to the working directory lands here. Modules resolve through the links to the repository (Node follows
 * symbolic links), so the app is the repository's own.
 */
function scratchCheckout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-checkout-'));
  for (const entry of readdirSync(REPO)) {
    if (entry === '.github' || entry === 'cdk.out' || entry === '.git') continue;
    symlinkSync(path.join(REPO, entry), path.join(dir, entry));
  }
  return dir;
}

const workflowsIn = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.yml'))
        .sort()
    : [];

describe('npm run synth with a Region override for an experiment (issue 15, review F4)', () => {
  let checkout: string;
  beforeAll(() => {
    checkout = scratchCheckout();
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  const synthIn = (env: Record<string, string>) =>
    spawnSync('npm', ['run', 'synth'], { cwd: checkout, env: cleanEnv(env), encoding: 'utf8', timeout: 170_000 });

  test('GIVEN PRIMARY_REGION=eu-west-1 STANDBY_REGION=eu-central-1 WHEN npm run synth runs THEN the committed workflows are not written; they go next to the assembly, and stderr says where', () => {
    const result = synthIn({ PRIMARY_REGION: 'eu-west-1', STANDBY_REGION: 'eu-central-1' });
    expect(result.status).toBe(0);
    expect(workflowsIn(path.join(checkout, '.github', 'workflows'))).toEqual([]);
    const beside = path.join(checkout, 'cdk.out', '.github', 'workflows');
    expect(workflowsIn(beside)).toEqual(['ci.yml', 'deploy.yml', 'failover.yml', 'readiness.yml']);
    expect(readFileSync(path.join(beside, 'failover.yml'), 'utf8')).toContain('eu-central-1');
    expect(result.stderr).toContain(
      'The configuration differs from config/shop-config.ts (primaryRegion, standbyRegion): the workflows were written to cdk.out/.github/workflows, not .github/workflows',
    );
  }, 180_000);

  test('GIVEN no override WHEN npm run synth runs THEN it writes the workflows where they are committed', () => {
    const result = synthIn({});
    expect(result.status).toBe(0);
    expect(workflowsIn(path.join(checkout, '.github', 'workflows'))).toEqual([
      'ci.yml',
      'deploy.yml',
      'failover.yml',
      'readiness.yml',
    ]);
    for (const file of ['ci.yml', 'deploy.yml', 'failover.yml', 'readiness.yml']) {
      expect(readFileSync(path.join(checkout, '.github', 'workflows', file), 'utf8')).toBe(
        readFileSync(path.join(REPO, '.github', 'workflows', file), 'utf8'),
      );
    }
  }, 180_000);
});
