/**
 * What the failover job does before `StartAutomationExecution`, measured on this machine: the bundled CLI
 * (`node .github/actions/dist/failover.cjs`, what failover.yml runs) against the old path (`npx tsx
 * .github/actions/failover/main.ts` after `npm ci`), in the same run.
 *
 *   npm run bench:failover-start -- --runs 5
 *   npm run bench:failover-start -- --runs 5 --npm-ci   # also times `npm ci --offline` in a scratch directory
 *
 * For each path and run, two processes, as the job's two steps:
 * 1. validation (`INPUT_VALIDATE_ONLY=true`): process start to exit;
 * 2. the dispatch of a dry-run readiness check, with SSM pointed at a local endpoint through `AWS_ENDPOINT_URL_SSM`
 *    (test/pipeline/ssm-endpoint.ts; the CLI is unchanged): process start to its first SSM request (the in-flight
 *    check) and to `StartAutomationExecution` arriving.
 * Then the bytes each checkout downloads (a depth-1 clone of HEAD from this repository over git's file:// transport,
 * whole vs. the sparse checkout of `.github/actions/dist` that actions/checkout does with `--filter=blob:none`), and
 * the bytes `npm ci` downloads (the tarballs of package-lock.json, summed from npm's cache index on this machine).
 * `npm ci` itself is not run unless `--npm-ci` is given (minutes of two shared cores); the review's figure is
 * printed instead, labelled as such. Prints the 1-minute load average, because a shared machine shifts every figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLE_DIR, bundlePath } from '../pipeline/bundled-cli';
import { type SsmEndpoint, startSsmEndpoint } from '../test/pipeline/ssm-endpoint';

const ROOT = path.resolve(__dirname, '..');
/** The review's figure for `npm ci` (pipeline-safety.md §0: "655 packages, 3 min on 2 shared cores"). */
const REVIEW_NPM_CI_SECONDS = 180;
/** The target from issue 12 for the failover job up to `StartAutomationExecution`, on a GitHub runner. */
const TARGET_SECONDS = 60;

const INPUTS: Record<string, string> = {
  INPUT_ACTION: 'readiness',
  INPUT_REGION: 'us-west-2',
  INPUT_DRY_RUN: 'true',
  INPUT_REASON: 'bench failover-start',
  INPUT_PRIMARY_REGION: 'us-east-1',
  INPUT_STANDBY_REGION: 'us-west-2',
  INPUT_APP_NAME: 'shop',
  INPUT_ENV_NAME: 'dev',
  INPUT_TIMEOUT_MINUTES: '1',
};

interface CliPath {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
}

const PATHS: readonly CliPath[] = [
  {
    label: 'bundle (node .github/actions/dist/failover.cjs)',
    command: process.execPath,
    args: [bundlePath('failover')],
  },
  {
    label: 'old (npx tsx .github/actions/failover/main.ts)',
    command: 'npx',
    args: ['tsx', '.github/actions/failover/main.ts'],
  },
];

function parseArgs(argv: readonly string[]): { runs: number; npmCi: boolean } {
  const index = argv.indexOf('--runs');
  const raw = index === -1 ? '5' : argv[index + 1];
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    throw new Error(`--runs: ${JSON.stringify(raw)} is not a run count; accepted: a whole number from 1 to 50`);
  }
  return { runs, npmCi: argv.includes('--npm-ci') };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs one CLI process to its end; returns seconds from spawn to exit, and the SSM requests' times after spawn. */
async function runCli(cli: CliPath, ssm: SsmEndpoint, env: Record<string, string>) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-failover-'));
  const before = ssm.requests.length;
  const started = performance.now();
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(cli.command, cli.args, {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_SSM: ssm.url,
        ...INPUTS,
        ...env,
      },
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(home, { recursive: true, force: true });
  if (exitCode !== 0) throw new Error(`${cli.label} exited with ${exitCode}`);
  const requests = ssm.requests.slice(before);
  const after = (operation: string) => {
    const request = requests.find((r) => r.operation === operation);
    return request === undefined ? undefined : (request.at - started) / 1000;
  };
  return {
    seconds,
    firstSsm: requests[0] === undefined ? undefined : (requests[0].at - started) / 1000,
    start: after('StartAutomationExecution'),
  };
}

/** Bytes of the packs a depth-1 clone of HEAD fetches from this repository, whole or sparse (bundles only). */
function checkoutBytes(sparse: boolean): { bytes: number; files: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-checkout-'));
  const git = (args: string[], cwd = dir) => {
    const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  try {
    const filter = ['-c', 'uploadpack.allowFilter=true'];
    const uploadPack = ['-u', 'git -c uploadpack.allowFilter=true upload-pack'];
    git([
      ...filter,
      'clone',
      '--quiet',
      '--depth',
      '1',
      '--no-checkout',
      ...(sparse ? ['--filter=blob:none', ...uploadPack] : []),
      `file://${ROOT}`,
      'repo',
    ]);
    const repo = path.join(dir, 'repo');
    if (sparse) git(['sparse-checkout', 'set', '--cone', BUNDLE_DIR], repo);
    git(['checkout', '--quiet'], repo);
    const packs = path.join(repo, '.git', 'objects', 'pack');
    const bytes = fs
      .readdirSync(packs)
      .filter((name) => name.endsWith('.pack'))
      .reduce((sum, name) => sum + fs.statSync(path.join(packs, name)).size, 0);
    const files = git(['ls-files'], repo).split('\n').filter(Boolean).length;
    const present = sparse
      ? git(['ls-files', '-t'], repo)
          .split('\n')
          .filter((l) => l.startsWith('H ')).length
      : files;
    return { bytes, files: present };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes of the tarballs `npm ci` downloads for package-lock.json, from npm's cache index (entries by integrity). */
function npmTarballBytes(): { bytes: number; found: number; locked: number } {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { integrity?: string }>;
  };
  const wanted = new Set(Object.values(lock.packages).flatMap((p) => (p.integrity ? [p.integrity] : [])));
  const sizes = new Map<string, number>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
        continue;
      }
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const tab = line.indexOf('\t');
        if (tab === -1) continue;
        try {
          const record = JSON.parse(line.slice(tab + 1)) as { integrity?: string; size?: number };
          if (record.integrity && wanted.has(record.integrity) && record.size) sizes.set(record.integrity, record.size);
        } catch {
          // not an index line
        }
      }
    }
  };
  const index = path.join(os.homedir(), '.npm', '_cacache', 'index-v5');
  if (fs.existsSync(index)) walk(index);
  return { bytes: [...sizes.values()].reduce((a, b) => a + b, 0), found: sizes.size, locked: wanted.size };
}

/** `npm ci --offline` of this lockfile in a scratch directory (scripts as package.json allows them). */
function timeNpmCi(): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-npm-ci-'));
  try {
    for (const file of ['package.json', 'package-lock.json'])
      fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    const started = performance.now();
    const result = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm ci --offline exited with ${result.status}:\n${result.stderr}`);
    return (performance.now() - started) / 1000;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const s = (seconds: number | undefined) => (seconds === undefined ? 'n/a' : `${seconds.toFixed(2)} s`);

async function main(): Promise<void> {
  const { runs, npmCi } = parseArgs(process.argv.slice(2));
  console.log(
    `failover job up to StartAutomationExecution, ${runs} run(s) per path; node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const ssm = await startSsmEndpoint();
  const results = new Map<string, { validate: number[]; firstSsm: number[]; start: number[] }>();
  try {
    for (let run = 1; run <= runs; run++) {
      // Alternate the paths, so a change of load hits both.
      for (const cli of PATHS) {
        const validate = await runCli(cli, ssm, { INPUT_VALIDATE_ONLY: 'true' });
        const dispatch = await runCli(cli, ssm, {});
        const entry = results.get(cli.label) ?? { validate: [], firstSsm: [], start: [] };
        entry.validate.push(validate.seconds);
        if (dispatch.firstSsm !== undefined) entry.firstSsm.push(dispatch.firstSsm);
        if (dispatch.start !== undefined) entry.start.push(dispatch.start);
        results.set(cli.label, entry);
        console.log(
          `run ${run} ${cli.label}: validate ${s(validate.seconds)}, first SSM call ${s(dispatch.firstSsm)}, StartAutomationExecution ${s(dispatch.start)}, load ${os.loadavg()[0]!.toFixed(1)}`,
        );
      }
    }
  } finally {
    await ssm.close();
  }

  const whole = checkoutBytes(false);
  const sparse = checkoutBytes(true);
  const npm = npmTarballBytes();
  let npmSeconds: number | undefined;
  let npmCiProblem = '';
  if (npmCi) {
    try {
      npmSeconds = timeNpmCi();
    } catch (error) {
      // An offline install needs every tarball in npm's cache; say why it did not run and use the review's figure.
      const line = String(error instanceof Error ? error.message : error)
        .split('\n')
        .find((l) => l.startsWith('npm error') && !l.includes('complete log'));
      npmCiProblem = ` (--npm-ci failed: ${line ?? 'see npm log'})`;
    }
  }

  console.log('\nmedians (process start → event, this machine):');
  const medians = new Map<string, number>();
  for (const [label, r] of results) {
    const total = median(r.validate) + median(r.start);
    medians.set(label, total);
    console.log(
      `  ${label}: validate ${s(median(r.validate))}; dispatch to first SSM call ${s(median(r.firstSsm))}, to StartAutomationExecution ${s(median(r.start))}; both steps ${s(total)}`,
    );
  }
  const [bundle, old] = PATHS.map((p) => medians.get(p.label)!);
  console.log(`  ratio old/bundle (both steps, CLI processes only): ${(old! / bundle!).toFixed(1)}x`);
  console.log('\ndownloads before the CLI runs:');
  console.log(`  checkout, depth 1, whole repository: ${mib(whole.bytes)} (${whole.files} files)`);
  console.log(`  checkout, sparse ${BUNDLE_DIR} (blob:none): ${mib(sparse.bytes)} (${sparse.files} files)`);
  console.log(
    `  npm ci tarballs (package-lock.json entries in npm's cache on this machine: ${npm.found} of ${npm.locked}): ${mib(npm.bytes)}`,
  );
  const install =
    npmSeconds === undefined
      ? `${REVIEW_NPM_CI_SECONDS} s (the review's figure, not measured here; --npm-ci measures it)${npmCiProblem}`
      : `${npmSeconds.toFixed(1)} s (measured: npm ci --offline, warm cache, no download)`;
  console.log(`  npm ci time: ${install}`);
  const oldTotal = (npmSeconds ?? REVIEW_NPM_CI_SECONDS) + old!;
  console.log(
    `\nbefore StartAutomationExecution, excluding the runner's own setup (unmeasurable here): bundle ${s(bundle)} vs old ${s(oldTotal)} (npm ci + tsx), ${(oldTotal / bundle!).toFixed(0)}x; target on a GitHub runner <= ${TARGET_SECONDS} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
