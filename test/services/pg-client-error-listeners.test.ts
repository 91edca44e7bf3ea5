import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** Where code that makes pg clients lives: the product, the drill, the benchmarks and the tests' support code. */
const FOLDERS = ['services', 'runbooks', 'drill', 'bench', 'test'];
const MAKES_CLIENT = /new (?:pg\.)?(?:Client|Pool)\(/;
const LISTENS = /\.on\('error'/;
/** How far after `new Client(` the listener must be attached (the constructor's options may span a few lines). */
const WITHIN_LINES = 12;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

// pg emits a connection's failure as an 'error' event when no query is running to reject it to (the server stopped,
// or ended the session, between two queries), and Node throws an 'error' event nothing listens to as an uncaught
// exception: the clean-clone CI failure of shop-stop-while-starting ("Unhandled error. (error: terminating
// connection due to administrator command ... code: '57P01')"). Short-lived connections go through withClient
// (services/db/with-client.ts), which listens; a client or pool kept open attaches its own listener where it is made.
describe('pg clients and pools', () => {
  test('GIVEN the code outside test files WHEN it makes a pg Client or Pool THEN an error listener is attached right after', () => {
    const unlistened = FOLDERS.flatMap((folder) => sourceFiles(path.join(ROOT, folder))).flatMap((file) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      return lines.flatMap((line, i) =>
        MAKES_CLIENT.test(line) && !lines.slice(i, i + WITHIN_LINES).some((l) => LISTENS.test(l))
          ? [`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`]
          : [],
      );
    });
    expect(unlistened).toEqual([]);
  });
});
