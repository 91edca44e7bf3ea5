import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { JOURNEY_CANARY } from '../../drill/canary/run-canary';

const ROOT = path.resolve(__dirname, '..', '..');
const SHIM_DIR = path.join(ROOT, 'drill', 'canary', 'synthetics-shim');
const RUNNER = path.join(ROOT, 'drill', 'canary', 'canary-runner.js');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const INSTALLED = new Set(Object.keys({ ...PACKAGE.dependencies, ...PACKAGE.devDependencies }));

/** What a script requires from the Synthetics runtime: neither a Node built-in nor a package this repository installs. */
function runtimeModules(file: string): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(/require\('([^']+)'\)/g)]
    .map((m) => m[1]!)
    .filter((name) => !name.startsWith('node:') && !builtinModules.includes(name) && !INSTALLED.has(name));
}

// The canary script runs unmodified in the drill: the module names it requires must be the ones the drill's stand-ins
// answer to on NODE_PATH, as the runner starts it (a new runtime's module names change both).
describe("the drill's Synthetics stand-ins", () => {
  test.each([
    ['the canary script the stacks deploy', JOURNEY_CANARY],
    ['the canary runner', RUNNER],
  ])('answer every Synthetics runtime module %s requires', (_, file) => {
    const modules = runtimeModules(file);
    expect(modules.length).toBeGreaterThan(0);
    const resolved = spawnSync(
      process.execPath,
      ['-e', `for (const name of ${JSON.stringify(modules)}) console.log(require.resolve(name))`],
      { cwd: os.tmpdir(), env: { ...process.env, NODE_PATH: SHIM_DIR }, encoding: 'utf8' },
    );
    expect({ status: resolved.status, stderr: resolved.stderr }).toEqual({ status: 0, stderr: '' });
    for (const file of resolved.stdout.trim().split('\n')) expect(file.startsWith(`${SHIM_DIR}${path.sep}`)).toBe(true);
  });
});
