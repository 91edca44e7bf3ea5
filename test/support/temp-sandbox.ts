import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One temporary folder per `jest` run: every test's `os.tmpdir()` (the TMPDIR the workers inherit) points into it,
 * and it is removed when the run ends, so `npm test` leaves nothing in the machine's temp folder (issue 15). The
 * folder's path stays short: Postgres puts its Unix sockets below it, and a socket path ends at 107 bytes.
 */
export const SANDBOX_PREFIX = 'mrs-test-';

/** Where the setup records the sandbox and what the temp folder held, for the teardown. */
function stateFile(base: string): string {
  return path.join(base, `${SANDBOX_PREFIX}state-${process.pid}.json`);
}

/** Jest globalSetup: makes the sandbox and points TMPDIR at it. */
export function setUpSandbox(): void {
  const base = tmpdir();
  const before = readdirSync(base);
  const sandbox = mkdtempSync(path.join(base, SANDBOX_PREFIX));
  writeFileSync(stateFile(base), JSON.stringify({ base, sandbox, before }));
  process.env['TMPDIR'] = sandbox;
}

/**
 * Jest globalTeardown: removes the sandbox, and names what the run left in the temp folder outside it (code that
 * ignores TMPDIR). With CHECK_TEMP_LEAKS=1 (CI) that fails the run; locally, where other programs write there at the
 * same time, it is a warning.
 */
export function tearDownSandbox(): void {
  const sandbox = process.env['TMPDIR'];
  const base = sandbox ? path.dirname(sandbox) : tmpdir();
  const file = stateFile(base);
  let state: { base: string; sandbox: string; before: string[] };
  try {
    state = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  rmSync(state.sandbox, { recursive: true, force: true });
  rmSync(file, { force: true });
  const before = new Set(state.before);
  // Jest's own transform cache (`jest_*`, its cacheDirectory) is kept between runs on purpose.
  const left = readdirSync(state.base).filter(
    (name) => !before.has(name) && !name.startsWith(SANDBOX_PREFIX) && !name.startsWith('jest_'),
  );
  if (left.length === 0) return;
  const message = `npm test left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in ${state.base} outside its sandbox: ${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}`;
  if (process.env['CHECK_TEMP_LEAKS'] === '1') throw new Error(message);
  process.stderr.write(`warning: ${message}\n`);
}
