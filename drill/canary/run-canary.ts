import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The canary script the stacks deploy to CloudWatch Synthetics, run here unmodified. */
export const JOURNEY_CANARY = path.resolve(__dirname, '..', '..', 'stacks', 'observability', 'canary', 'journey.js');

/**
 * Where the drill's stand-ins for the runtime's modules live (put on NODE_PATH): `@aws/synthetics-puppeteer`,
 * `@aws/synthetics-logger` and `@aws-sdk/client-secrets-manager` (which answers from the run's `secrets`).
 */
const SHIM_DIR = path.join(__dirname, 'synthetics-shim');
const RUNNER = path.join(__dirname, 'canary-runner.js');

/** Where Chromium is, or why there is none. */
export type ChromiumLookup =
  | { readonly found: true; readonly path: string }
  | { readonly found: false; readonly reason: string };

/** Chromium from `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. Never downloads one. */
export function findChromium(env: Readonly<Record<string, string | undefined>>): ChromiumLookup {
  const configured = env['CHROMIUM_PATH'];
  if (configured) {
    return existsSync(configured)
      ? { found: true, path: configured }
      : { found: false, reason: `CHROMIUM_PATH=${configured} does not exist` };
  }
  return existsSync('/usr/bin/chromium')
    ? { found: true, path: '/usr/bin/chromium' }
    : {
        found: false,
        reason: 'no Chromium at /usr/bin/chromium (apt-get install -y chromium) and CHROMIUM_PATH is unset',
      };
}

/** One step of a canary run, as the Synthetics stand-in recorded it. */
export interface CanaryStep {
  readonly name: string;
  readonly status: 'passed' | 'failed';
  readonly startedAt: string;
  readonly durationMs: number;
  readonly error?: string;
}

/** The outcome of one canary run. */
export interface CanaryRun {
  readonly status: 'passed' | 'failed';
  readonly error: string | null;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly steps: readonly CanaryStep[];
  readonly log: readonly { readonly level: string; readonly at: string; readonly message: string }[];
}

/** Options of {@link CanaryRunner.start}. */
export interface CanaryRunnerOptions {
  readonly chromiumPath: string;
  /** Registers the runner so that an interrupted drill kills it; returns the function that unregisters it. */
  readonly track: (name: string, kill: () => Promise<void>) => () => void;
  /** Give up on a run (and kill the runner and its browser) after this long. @default 90000 */
  readonly runTimeoutMs?: number;
}

/** What one run gets besides the target URL, as a deployed canary gets it from its configuration and from AWS. */
export interface CanaryRunOptions {
  /** The canary's environment variables (its `environmentVariables` on AWS), e.g. `SYNTHETIC_SHOPPER_SECRET_ID`. */
  readonly environment?: Readonly<Record<string, string>>;
  /** What the Secrets Manager stand-in answers `GetSecretValue` with, by secret id (the canary's token). */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Keep the cookies of the previous run (a browser that was not fresh), instead of clearing them. @default false */
  readonly keepCookies?: boolean;
}

type RunnerMessage =
  | { readonly type: 'ready'; readonly error: string | null }
  | { readonly type: 'result'; readonly outcome: Omit<CanaryRun, 'startedAt'> };

/**
 * The journey canary in headless Chromium, in a child process of its own process group (so the browser dies with
 * it): `node canary-runner.js journey.js` with the Synthetics stand-ins on NODE_PATH. Chromium starts when the
 * runner does, so starting it early hides the browser's start-up; each {@link run} is a fresh page without
 * cookies. Runs never throw for a failing journey: the run says `failed` and why.
 */
export class CanaryRunner {
  private readonly ready: Promise<string | null>;
  private pending: ((message: RunnerMessage) => void) | undefined;
  private readonly untrack: () => void;
  private stderr = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: CanaryRunnerOptions,
  ) {
    // Closing asks the runner to close Chromium first, so that no browser process is left for init to reap.
    this.untrack = options.track('canary (Chromium)', () => this.close());
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.ready = new Promise((resolve) => {
      child.on('message', (message: RunnerMessage) => {
        if (message.type === 'ready') resolve(message.error);
        else this.pending?.(message);
      });
      child.once('exit', (code) => {
        this.exited = true;
        resolve(`the canary runner exited with code ${code}: ${this.stderr.trim()}`);
        this.pending?.({
          type: 'result',
          outcome: {
            status: 'failed',
            error: `the canary runner exited with code ${code}: ${this.stderr.trim()}`,
            durationMs: 0,
            steps: [],
            log: [],
          },
        });
      });
    });
  }

  /** Starts the runner and its Chromium. */
  static start(options: CanaryRunnerOptions): CanaryRunner {
    const child = spawn(process.execPath, [RUNNER, JOURNEY_CANARY], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_PATH: SHIM_DIR, CHROMIUM_PATH: options.chromiumPath },
    });
    return new CanaryRunner(child, options);
  }

  /** Runs the journey against `targetUrl` once, with `options`' environment and secrets (only for this run). */
  async run(targetUrl: string, options: CanaryRunOptions = {}): Promise<CanaryRun> {
    const startedAt = Date.now();
    const failed = (error: string): CanaryRun => ({
      status: 'failed',
      error,
      startedAt,
      durationMs: Date.now() - startedAt,
      steps: [],
      log: [],
    });
    const launchError = await this.ready;
    if (launchError !== null) return failed(`Chromium did not start: ${launchError}`);
    if (this.exited) return failed('the canary runner has exited');
    const timeoutMs = this.options.runTimeoutMs ?? 90_000;
    const message = await new Promise<RunnerMessage | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.pending = (m) => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(m);
      };
      this.child.send({
        type: 'run',
        targetUrl,
        environment: { ...options.environment, DRILL_SECRETS: JSON.stringify(options.secrets ?? {}) },
        keepCookies: options.keepCookies ?? false,
      });
    });
    if (message?.type !== 'result') {
      await this.kill();
      return failed(`the canary did not finish within ${timeoutMs / 1000} s`);
    }
    return { ...message.outcome, startedAt };
  }

  /** Closes Chromium and ends the runner. */
  async close(): Promise<void> {
    if (!this.exited && this.child.connected) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.send({ type: 'close' });
      const timer = setTimeout(() => void this.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await this.kill();
    this.untrack();
  }

  private async kill(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    try {
      // The whole process group: the runner and the Chromium processes it started.
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
