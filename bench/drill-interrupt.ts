/**
 * Interrupts `npm run drill -- --ci` many times, at different phases and in different ways (Ctrl-C to the process
 * group once or twice, SIGHUP, SIGTERM to npm alone), then `npm run dev` the same ways, optionally while busy loops
 * load every core, and prints what each run left. Fails unless every run exited 128 + the signal, said it stopped,
 * and left no process or file, and no dev run logged a warning or a stack trace after the signal.
 *
 *   npm run bench:drill-interrupt -- --runs 20 [--dev-runs 8] [--load 2]
 */

import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Command, InvalidArgumentError } from 'commander';
import { type InterruptHow, type InterruptResult, interruptDev, interruptDrill } from './drill-interrupt-run';

const PHASES = ['start', 'warm-up', 'cut', 'strand', 'failover', 'recover'] as const;
const WAYS: readonly InterruptHow[] = [
  { signal: 'SIGINT', to: 'group' },
  { signal: 'SIGINT', to: 'group', twice: true },
  { signal: 'SIGHUP', to: 'group' },
  { signal: 'SIGTERM', to: 'npm' },
];
const EXPECTED: Record<InterruptHow['signal'], number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

function whole(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 0 || Number(value) > 1000) {
    throw new InvalidArgumentError(`"${value}" is not accepted; accepted: a whole number from 0 to 1000`);
  }
  return Number(value);
}

async function main(): Promise<number> {
  const options = new Command('bench:drill-interrupt')
    .option('--runs <n>', 'interruptions of the drill', whole, 20)
    .option('--dev-runs <n>', 'interruptions of npm run dev', whole, 8)
    .option('--load <threads>', 'busy-loop threads running meanwhile', whole, 2)
    .parse()
    .opts<{ runs: number; devRuns: number; load: number }>();
  const burners = Array.from({ length: options.load }, () => new Worker('for (;;) {}', { eval: true }));
  let failed = 0;
  try {
    console.log(
      `drill interrupted ${options.runs} times, ${options.load} busy-loop thread(s); load ${loadavg()[0]!.toFixed(1)}`,
    );
    const report = (i: number, phase: string, delay: number, how: InterruptHow, r: InterruptResult, quiet = true) => {
      const ok =
        r.exit === EXPECTED[how.signal] &&
        r.stoppedCleanly &&
        r.processesLeft.length === 0 &&
        r.filesLeft.length === 0 &&
        quiet;
      if (!ok) failed++;
      console.log(
        `${String(i + 1).padStart(3)} ${ok ? 'ok  ' : 'FAIL'} ${phase.padEnd(9)} +${String(delay).padStart(3)} ms ${r.how.padEnd(24)} exit ${r.exit} stopped in ${(r.stopMs / 1000).toFixed(1)} s${ok ? '' : `; said ${JSON.stringify(r.said)}; processes ${JSON.stringify(r.processesLeft)}; files ${JSON.stringify(r.filesLeft)}${quiet ? '' : '; warned after the signal'}`}`,
      );
    };
    for (let i = 0; i < options.runs; i++) {
      const phase = PHASES[i % PHASES.length]!;
      const how = WAYS[Math.floor(i / PHASES.length) % WAYS.length]!;
      const delay = (i * 137) % 900;
      report(i, phase, delay, how, await interruptDrill(phase, how, delay));
    }
    for (let i = 0; i < options.devRuns; i++) {
      const how = WAYS[i % WAYS.length]!;
      const delay = (i * 137) % 900;
      const r = await interruptDev(how, delay);
      report(options.runs + i, 'dev', delay, how, r, r.warnings.length === 0);
    }
    const total = options.runs + options.devRuns;
    console.log(`${total - failed} of ${total} clean; load ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    await Promise.all(burners.map((w) => w.terminate()));
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
