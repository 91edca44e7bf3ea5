import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** How an interruption reaches the drill. */
export type InterruptHow =
  /** SIGINT to the whole process group: a terminal's Ctrl-C. `twice`: pressed again 300 ms later. */
  | { readonly signal: 'SIGINT' | 'SIGHUP'; readonly to: 'group'; readonly twice?: boolean }
  /** SIGTERM to npm only: what `timeout` or a supervisor does. */
  | { readonly signal: 'SIGTERM'; readonly to: 'npm' };

/** One interruption of `npm run drill -- --ci` or `npm run dev` and what it left. */
export interface InterruptResult {
  readonly phase: string;
  readonly how: string;
  /** npm's exit status as the shell sees it (128 + the signal when a signal ended it). */
  readonly exit: number | null;
  /** Its last stderr lines. */
  readonly said: string[];
  /** Everything it printed (stdout, then stderr). */
  readonly output: string;
  /** Lines logged at warn or error level, and stack-trace lines, after it was ready (nothing a clean stop says). */
  readonly warnings: string[];
  /** Whether it printed that it stopped and removed its data. */
  readonly stoppedCleanly: boolean;
  /** Processes still running that belong to the run (their command line names its folder), after the drill ended. */
  readonly processesLeft: string[];
  /** Entries left in DRILL_TMPDIR (where the Postgres data lives) and in the run's TMPDIR. */
  readonly filesLeft: string[];
  /** Milliseconds from the signal until the drill process was gone. */
  readonly stopMs: number;
}

/**
 * Command lines of the processes whose command line or environment holds `marker` (a run's folder: it is in the
 * TMPDIR and DRILL_TMPDIR of everything the run starts, and in the data directory of its Postgres servers).
 */
function processesWith(marker: string): { pid: number; args: string }[] {
  const found: { pid: number; args: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const environment = () => readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (args.includes(marker) || environment().includes(marker)) found.push({ pid: Number(entry), args });
    } catch {
      // gone meanwhile
    }
  }
  return found.filter((p) => p.pid !== process.pid);
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

/** What {@link interruptNpmScript} runs and how it knows where it is. */
interface ScriptRun {
  /** `npm run <script> -- <args>`. */
  readonly script: string;
  readonly args: (out: string) => string[];
  /** When the interruption may start (stdout so far). */
  readonly ready: (stdout: string) => boolean;
  /** What `ready` waits for, in the error when it never comes. */
  readonly readyName: string;
  /** The file the command's own process runs (to wait for it after npm is gone). */
  readonly entry: string;
  /** The line that says it stopped and removed its data. */
  readonly stoppedLine: RegExp;
}

/**
 * Starts `npm run <script>` in a process group of its own (as a terminal does), waits until it is ready (plus
 * `delayMs`), interrupts it as `how` says, and reports the exit status, what it said, and what it left: processes of
 * the run, files in its data and temp folders. Linux only (/proc).
 */
async function interruptNpmScript(
  run: ScriptRun,
  phase: string,
  how: InterruptHow,
  delayMs: number,
): Promise<InterruptResult> {
  const base = await mkdtemp(path.join(tmpdir(), `${run.script}-intr-`));
  const data = path.join(base, 'data');
  const temp = path.join(base, 'tmp');
  const out = path.join(base, 'out');
  await Promise.all([data, temp].map((dir) => mkdir(dir)));
  const child = spawn('npm', ['run', run.script, '--', ...run.args(out)], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, DRILL_TMPDIR: data, TMPDIR: temp, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  // A shell shows a process killed by a signal as 128 + its number, like one that exited with that status.
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : null))),
  );
  try {
    const reached = await waitUntil(() => run.ready(stdout) || child.exitCode !== null, 180_000);
    const readyAt = { stdout: stdout.length, stderr: stderr.length };
    if (!reached || child.exitCode !== null)
      throw new Error(`npm run ${run.script} never reached ${run.readyName}:\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const command = () => processesWith(base).filter((p) => p.args.includes(run.entry));
    const signalled = Date.now();
    if (how.to === 'group') {
      process.kill(-child.pid!, how.signal);
      if (how.twice) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        try {
          process.kill(-child.pid!, how.signal);
        } catch {
          // the group is gone already
        }
      }
    } else {
      process.kill(child.pid!, how.signal);
    }
    const exit = await exited;
    // npm may end before the command has finished stopping (SIGTERM to npm): wait for the command itself.
    await waitUntil(() => command().length === 0, 60_000);
    const stopMs = Date.now() - signalled;
    await waitUntil(() => processesWith(base).length === 0, 5_000);
    // tsx keeps its compile cache in the temp folder (tsx-<uid>), reused by the next run: a cache, not a leak.
    const filesLeft = [data, temp].flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => !(dir === temp && /^tsx-\d+$/.test(name)))
        .map((name) => path.join(dir, name)),
    );
    return {
      phase,
      how: `${how.signal} to ${how.to}${how.to === 'group' && how.twice ? ' (twice)' : ''}`,
      exit,
      said: stderr.trim().split('\n').slice(-3),
      output: `${stdout}${stderr}`,
      warnings: `${stdout.slice(readyAt.stdout)}\n${stderr.slice(readyAt.stderr)}`
        .split('\n')
        .filter((line) => /"level":\s*("warn"|"error"|"fatal"|40|50|60)\b|^\s+at /.test(line)),
      stoppedCleanly: run.stoppedLine.test(`${stdout}${stderr}`),
      processesLeft: processesWith(base).map((p) => p.args),
      filesLeft,
      stopMs,
    };
  } finally {
    for (const p of processesWith(base)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await rm(base, { recursive: true, force: true });
  }
}

/**
 * Starts `npm run drill -- --ci`, waits until it prints the start of `phase` (plus `delayMs`) and interrupts it as
 * `how` says ({@link interruptNpmScript}).
 */
export function interruptDrill(phase: string, how: InterruptHow, delayMs = 0): Promise<InterruptResult> {
  return interruptNpmScript(
    {
      script: 'drill',
      args: (out) => ['--ci', '--out', out],
      ready: (stdout) => stdout.includes(`▶ ${phase}`),
      readyName: `phase ${phase}`,
      entry: 'drill/main.ts',
      stoppedLine: /drill: stopped; temporary data removed/,
    },
    phase,
    how,
    delayMs,
  );
}

/**
 * Starts `npm run dev` on free ports (its data under TMPDIR), waits until the shop runs (plus `delayMs`) and
 * interrupts it as `how` says ({@link interruptNpmScript}).
 */
export function interruptDev(how: InterruptHow, delayMs = 0): Promise<InterruptResult> {
  const ports = ['ui', 'catalog', 'carts', 'orders', 'checkout'].flatMap((name) => [`--${name}-port`, '0']);
  return interruptNpmScript(
    {
      script: 'dev',
      args: () => ports,
      ready: (stdout) => stdout.includes('Ctrl-C stops everything'),
      readyName: 'a running shop',
      entry: 'drill/dev.ts',
      stoppedLine: /dev: stopped; data removed/,
    },
    'running',
    how,
    delayMs,
  );
}
