import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Bundles a Lambda handler module (and everything it imports) with esbuild, in-process and offline (no Docker), into
 * `outdir/index.js` with its source map. The folder is fixed by the caller, so the asset hash changes only when the
 * code does. Several processes synthesize at once (jest workers, a synth beside a test): each file is written next
 * to the folder and renamed into it, so a process hashing the folder for the asset never reads a file half written.
 */
export function bundleLambdaInto(outdir: string, entry: string, external: readonly string[] = []): void {
  // Loaded lazily: only a synth that builds a function pays for esbuild.
  const esbuild = require('esbuild') as typeof import('esbuild');
  fs.mkdirSync(outdir, { recursive: true });
  const result = esbuild.buildSync({
    entryPoints: [entry],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...external],
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'error',
    write: false,
  });
  const staging = fs.mkdtempSync(`${outdir}.staging-`);
  try {
    for (const file of result.outputFiles) {
      const staged = path.join(staging, path.basename(file.path));
      fs.writeFileSync(staged, file.contents);
      fs.renameSync(staged, path.join(outdir, path.basename(file.path)));
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
