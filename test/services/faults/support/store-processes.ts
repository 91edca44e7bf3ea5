import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, PostgresServer } from '../../../../drill/stand-ins/postgres-server';
import type { TestPostgres } from '../../support/stores';

const run = promisify(execFile);

/**
 * dynalite in a child process of its own (persisting to `dir`), so a test can freeze it with SIGSTOP, kill it and
 * start it again on the same port and data while the services under test keep running in the jest process.
 */
export class DynaliteProcess {
  private child: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** Starts a server with the shop's tables on a free port. */
  static async start(dir: string): Promise<DynaliteProcess> {
    const process = new DynaliteProcess(dir, await freePort());
    await process.restart();
    return process;
  }

  /** The endpoint to give the services. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on the same port and directory; resolves once it answers with its tables. */
  async restart(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'dynalite-child.ts'), this.dir, String(this.port)],
      {
        // tsx is resolved from the working directory: the repository root.
        cwd: path.resolve(__dirname, '../../../..'),
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('listening')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`dynalite exited with ${code} before listening`)));
    });
  }

  /** SIGSTOP: the port still accepts connections, nothing answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after {@link freeze}. */
  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL (a lost host): connections are refused until {@link restart}. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }
}

/** The postmaster's pid (line 1 of `postmaster.pid`) and the pids of its children (the backends and workers). */
async function postgresPids(server: PostgresServer): Promise<number[]> {
  const postmaster = Number((await readFile(path.join(server.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  let children: number[] = [];
  try {
    children = (await run('pgrep', ['-P', String(postmaster)])).stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
  } catch {
    // pgrep exits 1 when there are no children.
  }
  return [postmaster, ...children];
}

/**
 * Freezes a real Postgres server like a hung host: SIGSTOP to the postmaster and every backend. Returns the frozen
 * pids, to pass to {@link thawPostgres}.
 */
export async function freezePostgres(server: PostgresServer): Promise<number[]> {
  const pids = await postgresPids(server);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return pids;
}

/** SIGCONT to the pids {@link freezePostgres} stopped. */
export function thawPostgres(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Stops a test's Postgres (fast shutdown, SIGINT) and returns a function that starts it again on the same port and
 * data directory; `pg.server` keeps pointing at the first process, so the restarted one is returned.
 */
export async function stopPostgres(pg: TestPostgres): Promise<() => Promise<PostgresServer>> {
  await pg.server.stop();
  return () => PostgresServer.start({ dataDir: pg.server.dataDir, port: pg.server.port });
}
