import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../drill/stand-ins/postgres-server';
import { buildOrdersScenario, IDS, query, ShopServer, TIMELINE } from './shop-fixture';

const root = path.resolve(__dirname, '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run runbook -- <args>` the way an operator would (tsx runbooks/cli.ts). */
function runbook(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, 'node_modules/.bin/tsx'),
      ['runbooks/cli.ts', ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('runbook reconcile / apply (CLI, as a child process)', () => {
  let shop: ShopServer;
  let urls: { oldUrl: string; newUrl: string };

  beforeAll(async () => {
    shop = await ShopServer.start();
    urls = await buildOrdersScenario(shop, 'cli');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  test('an incomplete report (--no-verify) exits 1 and says what was not compared, not that a step failed', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'reconcile-cli-'));
    const run = await runbook(
      'reconcile',
      '--old-url',
      urls.oldUrl,
      '--new-url',
      urls.newUrl,
      '--failover-at',
      TIMELINE.failoverAt,
      '--out',
      out,
      '--no-verify',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'status: incomplete\nnot compared: verify was skipped (--no-verify): rows outside the window were not compared',
    );
    expect(run.stderr).toContain(
      'reconcile INCOMPLETE: 1 thing(s) not compared (see "not compared" above and the report); what it lists is right, but it does not show that nothing else was lost',
    );
    expect(run.stderr).not.toContain('FAILED');
  });

  test('a complete report exits 0, prints the counts and progress, and apply replays it once', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'reconcile-cli-'));
    const run = await runbook(
      'reconcile',
      '--old-url',
      urls.oldUrl,
      '--new-url',
      urls.newUrl,
      '--failover-at',
      '2026-01-10T13:01:00+01:00',
      '--out',
      out,
    );
    expect(run.stderr).toMatch(/^reconcile \+\d+\.\d\ds options: done in \d+ ms$/m);
    expect(run.stderr).toMatch(
      /^reconcile \+\d+\.\d\ds cut: done in \d+ ms \(cut 2026-01-10T12:00:00\.000000Z \(heartbeat\)\)$/m,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('status: complete\n');
    expect(run.stdout).toContain(
      '  orders: identical 2, lost_insert 2, lost_update 3, possibly_lost 0, conflict 2, possible_duplicate 1, unexplained 0, superseded 0\n',
    );
    expect(run.stdout).toContain(`report: ${path.join(out, 'report.html')}`);

    const first = await runbook('apply', '--report', out, '--new-url', urls.newUrl);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied: 19 change(s), 6 order.recovered event(s)\n');
    expect(first.stdout).toContain(
      '  orders: 2 inserted, 3 updated, 0 already applied, 0 changed since the report, 0 blocked\n',
    );
    const second = await runbook('apply', '--report', out, '--new-url', urls.newUrl);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('applied: 0 change(s), 0 order.recovered event(s)\n');
  });

  test('GIVEN an order the new primary refuses WHEN apply runs THEN it exits 1, says PARTIALLY applied and lists every row of that order with the reason', async () => {
    const partial = await buildOrdersScenario(shop, 'clipartial');
    const out = await mkdtemp(path.join(tmpdir(), 'reconcile-cli-'));
    const made = await runbook(
      'reconcile',
      '--old-url',
      partial.oldUrl,
      '--new-url',
      partial.newUrl,
      '--failover-at',
      TIMELINE.failoverAt,
      '--out',
      out,
    );
    expect(made.code).toBe(0);
    await query(
      partial.newUrl,
      "ALTER TABLE orders ADD CONSTRAINT no_lost_customer CHECK (customer_id <> 'c-lost') NOT VALID",
    );
    const run = await runbook('apply', '--report', out, '--new-url', partial.newUrl);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^PARTIALLY applied: \d+ change\(s\), 5 order\.recovered event\(s\)\n {2}units \(an order with its rows, or one row\): 5 in place, 1 not applied\n/,
    );
    expect(run.stdout).toContain(
      `  not applied: orders ${IDS.orders.L1} (lost_insert, order ${IDS.orders.L1}): the insert failed: new row for relation "orders" violates check constraint "no_lost_customer"`,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `  not applied: order_items [0-9a-f-]+ \\(lost_insert, order ${IDS.orders.L1}\\): rolled back with order ${IDS.orders.L1}: orders ${IDS.orders.L1} was not applied`,
      ),
    );
    expect(run.stdout).toContain(
      `  applied: orders ${IDS.orders.P2} (lost_insert, order ${IDS.orders.P2}): inserted\n`,
    );
    expect(run.stdout).toContain(`  applied: orders ${IDS.orders.A1} (lost_update, order ${IDS.orders.A1}): updated\n`);
    expect(run.stderr).toContain('apply did NOT apply 5 row(s) (listed above with the reason)');
    // Rows rolled back with their unit are counted apart from rows held back for a person.
    expect(run.stdout).toMatch(
      /^ {2}orders: \d+ inserted, .*, 1 failed, 0 held back \(left for a person\), 0 rolled back with their unit, 0 not tried \(apply stopped\)$/m,
    );
    expect(run.stdout).toMatch(
      /^ {2}order_items: .*, 0 failed, 0 held back \(left for a person\), \d+ rolled back with their unit, /m,
    );
  });

  test('a failed report exits 1 and says why on stderr', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'reconcile-cli-'));
    const port = await freePort();
    const run = await runbook(
      'reconcile',
      '--old-url',
      `postgres://postgres@127.0.0.1:${port}/orders`,
      '--new-url',
      urls.newUrl,
      '--failover-at',
      TIMELINE.failoverAt,
      '--out',
      out,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('status: failed\n');
    expect(run.stderr).toContain(
      `reconcile FAILED at step connect: cannot connect to the old database (--old-url postgres://postgres@127.0.0.1:${port}/orders): connect ECONNREFUSED`,
    );
  });

  test.each([
    [
      ['--failover-at', '2026-01-10 12:01'],
      '--failover-at: "2026-01-10 12:01" is not accepted; accepted: an ISO 8601 time with a time zone and a real calendar date and time of day, e.g. 2026-01-10T12:01:00Z or 2026-01-10T14:01:00.250+02:00 (hours 00-23, at most millisecond precision)',
    ],
    // Review 13 item 17: JavaScript's Date rolled these over to 2026-03-02 and the next day.
    [
      ['--failover-at', '2026-02-30T00:00:00Z'],
      '--failover-at: "2026-02-30T00:00:00Z" is not accepted; accepted: an ISO 8601 time',
    ],
    [['--cut', '2026-01-10T24:00:00Z'], '--cut: "2026-01-10T24:00:00Z" is not accepted; accepted: an ISO 8601 time'],
    [
      ['--lock-timeout', '0'],
      '--lock-timeout: 0 is not accepted; accepted: a whole number of seconds from 1 to 600 (default 10)',
    ],
    [
      ['--statement-timeout', 'soon'],
      '--statement-timeout: "soon" is not accepted; accepted: a whole number of seconds from 10 to 86400 (default 1800)',
    ],
    [['--margin', '-5'], '--margin: "-5" is not accepted; accepted: a whole number of seconds ≥ 0 (default 300)'],
    [
      ['--new-url', 'http://db/orders'],
      '--new-url: "http://db/orders" has protocol "http:"; accepted: postgres://user[:password]@host[:port]/database',
    ],
    [
      ['--out', '/proc/reconcile-out'],
      '--out: "/proc/reconcile-out" cannot be written (ENOENT: no such file or directory, mkdir \'/proc/reconcile-out\'); accepted: a folder that can be created and written (the report goes there)',
    ],
    [
      ['--out', '/dev/null/report'],
      '--out: "/dev/null/report" cannot be written (/dev/null is not a folder); accepted: a folder that can be created and written (the report goes there)',
    ],
  ])('bad usage %j exits 2 naming the flag, the value and what is accepted', async (override, message) => {
    const flags: Record<string, string> = {
      '--old-url': 'postgres://u@127.0.0.1:1/orders',
      '--new-url': 'postgres://u@127.0.0.1:1/orders',
      '--failover-at': TIMELINE.failoverAt,
      '--out': '/tmp/unused',
    };
    flags[override[0]!] = override[1]!;
    const run = await runbook('reconcile', ...Object.entries(flags).flat());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test.each([
    [
      '/proc/no-report',
      '--report: "/proc/no-report" cannot be read (ENOENT: no such file or directory, stat \'/proc/no-report\'); accepted: a folder written by "runbook reconcile --out"',
    ],
    ['/dev/null', '--report: "/dev/null" is not a folder; accepted: a folder written by "runbook reconcile --out"'],
  ])('apply --report %s exits 2 at once naming the flag, the value and why', async (report, message) => {
    const run = await runbook('apply', '--report', report, '--new-url', 'postgres://u@127.0.0.1:1/orders');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
