/**
 * Benchmark of a full `cdk synth` (every stage: primary, standby, global), the way `npm run synth` runs it.
 *
 *   npm run bench:synth -- --runs 5
 *
 * Prints each run's wall time, the median, and whether it meets the target.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The median synth time this project accepts, in seconds. */
const TARGET_SECONDS = 20;
const ROOT = path.resolve(__dirname, '..');

function parseRuns(argv: readonly string[]): number {
  const index = argv.indexOf('--runs');
  if (index === -1) return 3;
  const raw = argv[index + 1];
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    throw new Error(`--runs: ${JSON.stringify(raw)} is not a run count; accepted: a whole number from 1 to 50`);
  }
  return runs;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function synthOnce(): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], { cwd: ROOT, encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) {
      throw new Error(`cdk synth exited with ${result.status}:\n${result.stderr}`);
    }
    return seconds;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  const runs = parseRuns(process.argv.slice(2));
  console.log(`cdk synth (all stages), ${runs} run(s); node ${process.version}, ${os.cpus().length} cores`);
  const times: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const seconds = synthOnce();
    times.push(seconds);
    console.log(`run ${run}: ${seconds.toFixed(2)} s`);
  }
  const middle = median(times);
  const verdict = middle <= TARGET_SECONDS ? 'meets' : 'MISSES';
  console.log(`median: ${middle.toFixed(2)} s (target <= ${TARGET_SECONDS} s: ${verdict})`);
  if (middle > TARGET_SECONDS) process.exitCode = 1;
}

main();
