import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` (and its missing parents) one folder at a time from its nearest existing ancestor, like
 * `mkdir -p`. Not `mkdir(dir, { recursive: true })`: under /proc (and other pseudo file systems) Node 20's
 * recursive mkdir gets ENOENT for a parent that exists and retries forever at 100 % CPU. Throws the first error
 * with the path concerned: ENOENT/EPERM/EACCES from mkdir, or "<path> is not a folder" when an ancestor is a file.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (error) {
      // ENOTDIR: an ancestor is a file; walking up finds it and says so.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = path.dirname(current);
      if (parent === current) throw error;
      missing.unshift(current);
      current = parent;
      continue;
    }
    if (!isDirectory) throw new Error(`${current} is not a folder`);
    break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
