/**
 * Benchmark of a full `cdk synth` (every stage: primary, standby, global), the way `npm run synth` runs it.
 *
 *   npm run bench:synth -- --runs 5
 *
 * Prints each run's wall time, the median, and whether it meets the target. Each run also shows the CPU time of
 * the whole process tree (CLI, app, tsx; from /proc, Linux only) and the load average, because wall time on a
 * shared machine says as much about the neighbours as about the synth.
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

/** CPU seconds (user + system) used so far by this process's waited-for children and their descendants. */
function childrenCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100;
    return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

function synthOnce(): { wall: number; cpu: number | undefined } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const cpuBefore = childrenCpuSeconds();
    const started = process.hrtime.bigint();
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], { cwd: ROOT, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuAfter = childrenCpuSeconds();
    if (result.status !== 0) {
      throw new Error(`cdk synth exited with ${result.status}:\n${result.stderr}`);
    }
    return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  const runs = parseRuns(process.argv.slice(2));
  console.log(`cdk synth (all stages), ${runs} run(s); node ${process.version}, ${os.cpus().length} cores`);
  const times: number[] = [];
  const cpus: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const { wall, cpu } = synthOnce();
    times.push(wall);
    if (cpu !== undefined) cpus.push(cpu);
    const load = os.loadavg()[0].toFixed(1);
    console.log(
      `run ${run}: ${wall.toFixed(2)} s${cpu === undefined ? '' : ` (CPU ${cpu.toFixed(2)} s)`}, load ${load}`,
    );
  }
  if (cpus.length > 0) console.log(`median CPU: ${median(cpus).toFixed(2)} s`);
  const middle = median(times);
  const verdict = middle <= TARGET_SECONDS ? 'meets' : 'MISSES';
  console.log(`median: ${middle.toFixed(2)} s (target <= ${TARGET_SECONDS} s: ${verdict})`);
  if (middle > TARGET_SECONDS) process.exitCode = 1;
}

main();
