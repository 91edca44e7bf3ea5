import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBundle, bundleHeader, committedBundle } from '../../pipeline/bundle-clis';
import { BUNDLED_CLIS, bundlePath } from '../../pipeline/bundled-cli';
import { type SsmEndpoint, STARTED_EXECUTION_ID, startSsmEndpoint } from './ssm-endpoint';

const REPO = path.resolve(__dirname, '..', '..');

describe('the committed CLI bundles (review M9)', () => {
  test.each(BUNDLED_CLIS)(
    '%s is exactly what `npm run bundle` builds (run it and commit .github/actions/dist)',
    async (cli) => {
      // GIVEN the committed bundle and a fresh build of the CLI's TypeScript
      const committed = committedBundle(cli);
      const fresh = await buildBundle(cli);
      // THEN they are equal: a CLI changed without rebuilding its bundle fails here (and in CI's staleness check)
      expect(committed === fresh).toBe(true);
      expect(fresh.split('\n')[0]).toBe(bundleHeader(cli));
    },
  );

  test('each bundle stays under 2 MiB (minified, no source map)', async () => {
    for (const cli of BUNDLED_CLIS) {
      expect([cli, Buffer.byteLength(committedBundle(cli) ?? '') < 2 * 1024 * 1024]).toEqual([cli, true]);
    }
  });
});

/** What one run of a bundle as its own process left behind. */
interface ProcessRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly summary: string;
  readonly outputs: string;
}

/**
 * Runs the committed bundle of the failover CLI the way a workflow step does (`node .github/actions/dist/...`), with
 * only `inputs` (as `INPUT_*`), the GitHub files and `env`: nothing of this process's environment (no AWS profile),
 * and SSM pointed at `ssmUrl`, so an AWS call can only reach the local endpoint.
 */
async function runFailoverBundle(
  inputs: Readonly<Record<string, string>>,
  ssmUrl: string,
  env: Readonly<Record<string, string>> = {},
): Promise<ProcessRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'failover-bundle-'));
  const summaryFile = path.join(dir, 'summary.md');
  const outputFile = path.join(dir, 'output.txt');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  try {
    const childEnv: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
      AWS_ENDPOINT_URL_SSM: ssmUrl,
      // A dry run's summary reads the last readiness records (issue 17): CloudFormation and S3 answer nothing here
      // (port 1 refuses the connection), so no call leaves the machine and the summary says it could not read them.
      AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
      ...env,
    };
    const { exitCode, stdout } = await new Promise<{ exitCode: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [bundlePath('failover')],
        { cwd: REPO, env: childEnv, timeout: 30_000 },
        (error, out) => resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stdout: String(out) }),
      );
    });
    return {
      exitCode,
      stdout,
      summary: readFileSync(summaryFile, 'utf8'),
      outputs: readFileSync(outputFile, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The inputs failover.yml gives the CLI for a dry-run readiness check of us-west-2. */
const READINESS = {
  action: 'readiness',
  region: 'us-west-2',
  dry_run: 'true',
  reason: 'CHG-1234 bundle check',
  primary_region: 'us-east-1',
  standby_region: 'us-west-2',
  app_name: 'shop',
  env_name: 'dev',
  timeout_minutes: '1',
};

describe('the committed failover bundle, run as a process (no tsx, no node_modules at run time)', () => {
  let ssm: SsmEndpoint;
  beforeEach(async () => {
    ssm = await startSsmEndpoint();
  });
  afterEach(() => ssm.close());

  test('GIVEN invalid inputs THEN exit 2, an error naming each, a job summary, and no AWS call', async () => {
    // WHEN it runs with a Region of no deployment and a reason with a new line
    const run = await runFailoverBundle({ ...READINESS, region: 'eu-west-1', reason: 'two\nlines' }, ssm.url);
    // THEN it exits 2 (invalid input) and says what is wrong in the log and in the job summary
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain('::error::');
    expect(run.stdout).toContain('region: "eu-west-1" is not a Region of this deployment');
    expect(run.summary).toContain('<h2>readiness (dry run) to eu-west-1: inputs invalid, nothing started</h2>');
    expect(run.summary).toContain('region: &quot;eu-west-1&quot; is not a Region of this deployment');
    expect(run.summary).toContain('reason');
    expect(ssm.requests).toEqual([]);
  });

  test('GIVEN validate_only THEN it checks the inputs, exits 0 and calls nothing', async () => {
    const run = await runFailoverBundle({ ...READINESS, validate_only: 'true' }, ssm.url);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('inputs valid: readiness to us-west-2, dry run true');
    expect(ssm.requests).toEqual([]);
  });

  test('GIVEN an SSM endpoint that answers THEN the bundled SDK lists in-flight runs in both Regions, starts and follows', async () => {
    // WHEN a dry-run readiness check is dispatched by a user
    const run = await runFailoverBundle(READINESS, ssm.url, { GITHUB_ACTOR: 'oncall-alice' });
    // THEN the calls are the dispatch's, in order, signed and sent by the bundle's own SDK
    expect(ssm.requests.map((r) => r.operation)).toEqual([
      'DescribeAutomationExecutions',
      'DescribeAutomationExecutions',
      'StartAutomationExecution',
      'GetAutomationExecution',
    ]);
    expect(ssm.requests[2]!.body).toMatchObject({
      DocumentName: 'shop-dev-readiness',
      Parameters: { TargetRegion: ['us-west-2'], DryRun: ['true'], Reason: ['CHG-1234 bundle check'] },
    });
    // AND the run ends 0 with its outputs and summary
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toContain(STARTED_EXECUTION_ID);
    expect(run.summary).toContain('<p>Result: Success</p>');
    expect(run.summary).toContain('<p>Duration (automation start → end): 3s</p>');
    expect(run.summary).toContain('<p>Dispatched by: oncall-alice</p>');
    // AND, a dry run, it shows the last scheduled readiness of both Regions, the one checked first: unreadable here
    expect(run.summary).toMatch(
      /<p>Last scheduled readiness of us-west-2: could not read \(DescribeStacks shop-dev-us-west-2-runbooks in us-west-2 failed after 2 attempts: Error: connect ECONNREFUSED 127.0.0.1:1\)<\/p>\s*<p>Last scheduled readiness of us-east-1: could not read/,
    );
  });
});
