import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** Free space /dev/shm must have for the drill to keep its data there (4 Postgres servers, 2 restores, slack). */
const MIN_SHM_BYTES = 2 * 1024 ** 3;

/**
 * Where the drill keeps its temporary data: `DRILL_TMPDIR` when set; else `/dev/shm` when it is writable with at
 * least 2 GiB free (Postgres data directories in memory: copying and starting them does not wait on a disk that
 * other jobs share — durability buys nothing in a rehearsal); else the OS temporary folder.
 */
export async function drillWorkRoot(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const configured = env['DRILL_TMPDIR'];
  if (configured) return configured;
  try {
    const stats = await statfs('/dev/shm');
    await access('/dev/shm', constants.W_OK);
    if (stats.bavail * stats.bsize >= MIN_SHM_BYTES) return '/dev/shm';
  } catch {
    // No /dev/shm (macOS) or not usable: the disk will do.
  }
  return tmpdir();
}
