import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoTopology } from '../../runbooks/adapters/local/demo-topology';
import { ManualClock } from '../../runbooks/adapters/local/manual-clock';
import { LOCAL_PLAN_ARN } from '../../runbooks/adapters/local/ports-region-switch';
import { type CliIo, main } from '../../runbooks/cli';

const root = path.resolve(__dirname, '../..');

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'))): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd, clock: new ManualClock() };
  const code = await main(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('runbook CLI', () => {
  test('npm run runbook -- --help lists every orchestration and the reconcile commands (exit 0)', async () => {
    const run = await new Promise<Outcome>((resolve) =>
      execFile(
        path.join(root, 'node_modules/.bin/tsx'),
        ['runbooks/cli.ts', '--help'],
        { cwd: root },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(0);
    for (const command of [
      'readiness',
      'failover',
      'switchover',
      'failback',
      'recover',
      'document',
      'simulate',
      'reconcile',
      'apply',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  test('failover --help shows the flags with what is required and the defaults', async () => {
    const run = await cli(['failover', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--target-region <region>');
    expect(run.stdout).toMatch(
      /--failed-region <region>\s+The Region that failed\. \(default: the other\s+Region of the topology\)/,
    );
    expect(run.stdout).toMatch(/--adapter <adapter>\s+aws: act on AWS; local: a simulated/);
    expect(run.stdout).toContain('--dry-run');
  });

  test('an unknown adapter exits 2 naming the flag and the accepted values', async () => {
    const run = await cli(['failover', '--adapter', 'cloud', '--target-region', 'us-west-2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "error: option '--adapter <adapter>' argument 'cloud' is invalid. Allowed choices are aws, local.",
    );
  });

  test('a missing adapter exits 2', async () => {
    const run = await cli(['readiness', '--target-region', 'us-west-2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: required option '--adapter <adapter>' not specified");
  });

  test('a Region outside the topology exits 2 naming the flag, the value and the accepted Regions', async () => {
    const run = await cli(['failover', '--adapter', 'local', '--target-region', 'eu-west-9', '--dry-run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: option '--target-region <region>': "eu-west-9" is not a Region of this topology; accepted: us-east-1 or us-west-2`,
    );
  });

  test('a non-numeric lag limit exits 2', async () => {
    const run = await cli([
      'readiness',
      '--adapter',
      'local',
      '--target-region',
      'us-west-2',
      '--max-lag-seconds',
      'soon',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: option '--max-lag-seconds <seconds>': "soon" is out of range; accepted: a number from 0 to 3600`,
    );
  });

  test('a change without --reason exits 2', async () => {
    const run = await cli(['switchover', '--adapter', 'local', '--target-region', 'us-west-2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "error: option '--reason <text>' is required for switchover (unless --dry-run): say why it runs",
    );
  });

  test('--adapter aws needs a topology file', async () => {
    const run = await cli(['readiness', '--adapter', 'aws', '--target-region', 'us-west-2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--topology <file>' is required with --adapter aws");
  });

  test.each([
    [
      ['simulate', 'reset', '--state-dir', '/proc/runbook-state'],
      "(ENOENT: no such file or directory, mkdir '/proc/runbook-state')",
    ],
    [
      ['failover', '--adapter', 'local', '--target-region', 'us-west-2', '--dry-run', '--state-dir', '/dev/null/state'],
      '(/dev/null is not a folder)',
    ],
  ])(
    'GIVEN %j WHEN the state folder cannot be created THEN it exits 2 at once naming the flag, the value and why (a recursive mkdir under /proc used to spin forever)',
    async (args, why) => {
      const value = args[args.length - 1]!;
      const started = Date.now();
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `error: --state-dir: ${JSON.stringify(value)} cannot be created ${why}; accepted: a folder that can be created and written`,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    },
  );

  test('a dry run with the local adapter prints the plan and the checks, exits 0 and writes no journal', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    const run = await cli(['failover', '--adapter', 'local', '--target-region', 'us-west-2', '--dry-run'], cwd);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('[   0.0s] DRY RUN of failover (execution failover-20260127T100000Z)');
    expect(run.stdout).toContain(
      '[   0.0s] • shift-traffic [action] would: UpdateRoutingControlStates: us-west-2 On, us-east-1 Off (one request, so the safety rule never sees both Regions off)',
    );
    expect(run.stdout).toContain('check: pending: routing controls are us-west-2 Off, us-east-1 On');
    expect(lines[lines.length - 1]).toBe(
      '[   0.0s] PLANNED (nothing was changed) — execution failover-20260127T100000Z',
    );
    expect(existsSync(path.join(cwd, '.local/runbooks/journal'))).toBe(false);
  });

  test('a local failover after a simulated outage succeeds, then a second run finds everything done', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    expect((await cli(['simulate', 'region-down', 'us-east-1'], cwd)).code).toBe(0);
    const first = await cli(
      ['failover', '--adapter', 'local', '--target-region', 'us-west-2', '--reason', 'us-east-1 outage'],
      cwd,
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✔ shift-traffic: routing controls now us-west-2 On, us-east-1 Off/);
    expect(first.stdout).toMatch(/SUCCEEDED — execution failover-20260127T100000Z\n/);
    // The last lines say what happened and the next command, for the person on call (issue 15).
    expect(first.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      'headline: us-west-2 now serves the shop: traffic and database writers moved from us-east-1 (unplanned: writes us-east-1 had not replicated are not on the new writers)',
      'next: once us-east-1 is back, find what it lost: npm run runbook -- recover --adapter local --target-region us-west-2 --reason "missing-transaction report"',
    ]);
    const second = await cli(
      ['failover', '--adapter', 'local', '--target-region', 'us-west-2', '--reason', 'again'],
      cwd,
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('✓ failover-orders-database (already done)');
    const journal = JSON.parse(
      readFileSync(path.join(cwd, '.local/runbooks/journal/failover/failover-20260127T100000Z.json'), 'utf8'),
    );
    expect(journal).toMatchObject({
      status: 'succeeded',
      reason: 'us-east-1 outage',
      input: { targetRegion: 'us-west-2' },
    });
    expect(second.stdout).toMatch(/SUCCEEDED — execution failover-20260127T100000Z-2\n/);
  });

  test('GIVEN a local failover WHEN recover runs with --adapter local THEN it leaves nothing in the temp folder and its headline does not claim that nothing was lost (issue 15)', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    const temp = mkdtempSync(path.join(tmpdir(), 'runbook-temp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      await cli(['simulate', 'region-down', 'us-east-1'], cwd);
      expect(
        (await cli(['failover', '--adapter', 'local', '--target-region', 'us-west-2', '--reason', 'x'], cwd)).code,
      ).toBe(0);
      await cli(['simulate', 'region-up', 'us-east-1'], cwd);
      const run = await cli(['recover', '--adapter', 'local', '--target-region', 'us-west-2', '--reason', 'y'], cwd);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /\nheadline: catalog \(simulated: no real databases, so no rows compared\), orders \(simulated: no real databases, so no rows compared\): no rows were compared, so this does not show that nothing was lost/,
      );
    } finally {
      process.env.TMPDIR = before;
    }
    expect(readdirSync(temp)).toEqual([]);
  });

  describe('GIVEN a topology in routing mode region-switch (issue 18)', () => {
    const regionSwitchTopology = (cwd: string) => {
      const file = path.join(cwd, 'topology.json');
      const topology = demoTopology();
      writeFileSync(
        file,
        JSON.stringify({
          ...topology,
          routing: { ...topology.routing, mode: 'region-switch', regionSwitch: { planArn: LOCAL_PLAN_ARN } },
        }),
      );
      return file;
    };

    test('WHEN failover dry-runs THEN the plan says it would start the Region switch plan ungraceful in the surviving Region', async () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
      const file = regionSwitchTopology(cwd);
      const run = await cli(
        ['failover', '--adapter', 'local', '--topology', file, '--target-region', 'us-west-2', '--dry-run'],
        cwd,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        "• run-region-switch-plan [action] would: StartPlanExecution activate us-west-2 (ungraceful) in us-west-2's Region switch data plane",
      );
      expect(run.stdout).not.toContain('shift-traffic');
    });

    test('WHEN the local failover runs after an outage THEN it runs the plan and prints the execution step by step in the same summary', async () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
      const file = regionSwitchTopology(cwd);
      expect((await cli(['simulate', 'region-down', 'us-east-1', '--topology', file], cwd)).code).toBe(0);
      const run = await cli(
        ['failover', '--adapter', 'local', '--topology', file, '--target-region', 'us-west-2', '--reason', 'outage'],
        cwd,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /✔ run-region-switch-plan: Region switch execution \S+: activate us-west-2, ungraceful, completed; called in us-west-2/,
      );
      expect(run.stdout).toMatch(/switch-orders: completed/);
      expect(run.stdout).toMatch(/✓ failover-orders-database \(already done\)/);
      expect(run.stdout).toMatch(/SUCCEEDED — execution failover-20260127T100000Z\n/);
      expect(run.stdout.trimEnd().split('\n').at(-2)).toBe(
        'headline: us-west-2 now serves the shop: traffic and database writers moved from us-east-1 (unplanned: writes us-east-1 had not replicated are not on the new writers)',
      );
    });
  });

  test('a failing orchestration exits 1 and says where it failed', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    await cli(['simulate', 'region-down', 'us-west-2'], cwd);
    const run = await cli(['readiness', '--adapter', 'local', '--target-region', 'us-west-2'], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^readiness failed at validate-input, services-healthy, capacity, replication, secrets-present: /,
    );
    expect(run.stdout).toMatch(
      /\nheadline: readiness FAILED at validate-input, services-healthy, capacity, replication, secrets-present: [\s\S]*\nnext: /,
    );
  });

  test('document prints the generated SSM Automation document', async () => {
    const run = await cli(['document', 'switchover']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.schemaVersion).toBe('0.3');
    expect(document.mainSteps.map((s: { name: string }) => s.name)).toContain('switchover_orders_database');
  });
});
