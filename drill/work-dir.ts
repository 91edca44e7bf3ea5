import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config';

/**
 * Longest accepted root: Postgres puts its Unix socket in each data directory
 * (`<root>/shop-drill-XXXXXX/orders/restore-1/.s.PGSQL.65535`), and a socket path ends at 107 bytes.
 */
const MAX_ROOT_LENGTH = 50;

/** Free space /dev/shm must have for the drill to keep its data there (4 Postgres servers, 2 restores, slack). */
const MIN_SHM_BYTES = 2 * 1024 ** 3;

/**
 * Where the drill keeps its temporary data: `DRILL_TMPDIR` when set (an existing, writable folder, at most 50
 * characters); else `/dev/shm` when it is writable with at least 2 GiB free (Postgres data directories in memory:
 * copying and starting them does not wait on a disk that other jobs share — durability buys nothing in a
 * rehearsal); else the OS temporary folder.
 *
 * @throws ConfigError naming `DRILL_TMPDIR`, its value and what is accepted: the drill exits 2, like a bad flag.
 */
export async function drillWorkRoot(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const configured = env['DRILL_TMPDIR'];
  if (configured) {
    const root = path.resolve(configured);
    if (root.length > MAX_ROOT_LENGTH) {
      throw new ConfigError([
        `DRILL_TMPDIR: ${JSON.stringify(root)} is ${root.length} characters long; accepted: a folder path of at most ${MAX_ROOT_LENGTH} (the Postgres Unix sockets live below it, and a socket path ends at 107 bytes)`,
      ]);
    }
    const why = await notWritableFolder(root);
    if (why) {
      throw new ConfigError([
        `DRILL_TMPDIR: ${JSON.stringify(root)} is not a folder this user can write (${why}); accepted: an existing, writable folder path of at most ${MAX_ROOT_LENGTH} characters`,
      ]);
    }
    return root;
  }
  try {
    const stats = await statfs('/dev/shm');
    await access('/dev/shm', constants.W_OK);
    if (stats.bavail * stats.bsize >= MIN_SHM_BYTES) return '/dev/shm';
  } catch {
    // No /dev/shm (macOS) or not usable: the disk will do.
  }
  const fallback = tmpdir();
  return fallback.length <= MAX_ROOT_LENGTH ? fallback : '/tmp';
}

/** Why `root` cannot hold the drill's data, or undefined when it is a folder this user can write. */
async function notWritableFolder(root: string): Promise<string | undefined> {
  try {
    if (!(await stat(root)).isDirectory()) return 'it is not a folder';
  } catch {
    return 'it does not exist';
  }
  try {
    await access(root, constants.W_OK);
    return undefined;
  } catch {
    return 'it is not writable';
  }
}
