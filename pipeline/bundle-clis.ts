/**
 * `npm run bundle`: builds every CLI of {@link BUNDLED_CLIS} into one minified CommonJS file for Node 22 (esbuild),
 * `.github/actions/dist/<cli>.cjs`, and prints their sizes. The bundles are committed, so a failover needs no build
 * and no `npm ci` (review M9); a test fails when a committed bundle differs from a fresh build.
 *
 *   npm run bundle            # rebuild and write every bundle
 *   npm run bundle -- --check # exit 1, naming the stale bundles, when a committed one differs from a fresh build
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { BUNDLED_CLIS, type BundledCli, bundlePath, cliEntryPoint } from './bundled-cli';
import { NODE_VERSION } from './workflow-header';

const ROOT = path.resolve(__dirname, '..');

/** The first line of every bundle: it is generated, and how to regenerate it. */
export function bundleHeader(cli: BundledCli): string {
  return `// GENERATED FILE — do not edit. Built by \`npm run bundle\` (pipeline/bundle-clis.ts) from ${cliEntryPoint(cli)} with esbuild for Node ${NODE_VERSION}; edit the TypeScript and rebuild.`;
}

/**
 * Builds the bundle of `cli` in memory: every import inlined (the AWS SDK, @actions/core, zod, cockatiel), minified,
 * no source map, license comments kept at the end.
 *
 * @throws Error when esbuild reports a warning or an error (a bundle that builds with warnings is not committed).
 */
export async function buildBundle(cli: BundledCli): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [cliEntryPoint(cli)],
    bundle: true,
    platform: 'node',
    target: `node${NODE_VERSION}`,
    format: 'cjs',
    // The ES module build of a package first (the AWS SDK ships both): esbuild drops its unused exports, 17-24%
    // smaller than the CommonJS builds (pipeline/README.md, Bundles). Node built-ins stay `require`s.
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    banner: { js: bundleHeader(cli) },
    write: false,
    outfile: bundlePath(cli),
    logLevel: 'silent',
  });
  const problems = [...result.errors, ...result.warnings];
  if (problems.length > 0) {
    throw new Error(`esbuild ${cliEntryPoint(cli)}: ${problems.map((p) => p.text).join('; ')}`);
  }
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild ${cliEntryPoint(cli)}: no output file`);
  return output.text;
}

/** The committed bundle of `cli`, or `undefined` when there is none. */
export function committedBundle(cli: BundledCli): string | undefined {
  try {
    return readFileSync(path.join(ROOT, bundlePath(cli)), 'utf8');
  } catch {
    return undefined;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const check = argv.includes('--check');
  const built = await Promise.all(BUNDLED_CLIS.map(async (cli) => ({ cli, text: await buildBundle(cli) })));
  const stale: string[] = [];
  for (const { cli, text } of built) {
    const bytes = Buffer.byteLength(text);
    if (check) {
      if (committedBundle(cli) !== text) stale.push(bundlePath(cli));
    } else {
      writeFileSync(path.join(ROOT, bundlePath(cli)), text);
    }
    console.log(`${bundlePath(cli)}  ${(bytes / 1024).toFixed(0)} KiB`);
  }
  if (stale.length > 0) {
    console.error(`stale bundles (run npm run bundle and commit them): ${stale.join(', ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
