import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'node_modules', '.cache', 'multi-region-shop', 'runbook-lambda', 'index.js');

/** One process that synthesizes a runbook stack: it bundles the runbook Lambda code into the shared folder. */
function bundleInAnotherProcess(): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '-e', "require('./stacks/runbooks/runbook-code').bundleRunbookHandler()"],
    { cwd: ROOT, stdio: 'ignore' },
  );
  return new Promise((resolve) => child.on('exit', resolve));
}

// Found when jest ran two workers: a test hashing the runbook code folder for its asset while another process
// rewrote the bundle read half a file, and two apps built from the same code got different templates.
describe('the runbook Lambda bundle, written by several processes at once', () => {
  test('GIVEN three processes bundling at once WHEN the bundle is read meanwhile THEN it is always whole, and nothing is left beside it', async () => {
    await bundleInAnotherProcess();
    const whole = readFileSync(BUNDLE, 'utf8');
    const seen = new Set<number>();
    let reading = true;
    const reader = (async () => {
      while (reading) {
        if (existsSync(BUNDLE)) seen.add(readFileSync(BUNDLE).length);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const exits = await Promise.all([bundleInAnotherProcess(), bundleInAnotherProcess(), bundleInAnotherProcess()]);
    reading = false;
    await reader;
    expect(exits).toEqual([0, 0, 0]);
    expect([...seen]).toEqual([Buffer.byteLength(whole)]);
    expect(readdirSync(path.dirname(path.dirname(BUNDLE))).filter((name) => name.includes('staging'))).toEqual([]);
  }, 120_000);
});
