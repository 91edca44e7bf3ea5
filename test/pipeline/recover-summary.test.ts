import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderText } from '../../.github/actions/cli-support/job-summary';
import { FAILOVER_AT_PARAMETER } from '../../.github/actions/failover/automation-document-name';
import type { AutomationRun } from '../../.github/actions/failover/automation-report';
import { automationSummary } from '../../.github/actions/failover/automation-report';
import type { FailoverInputs } from '../../.github/actions/failover/failover-inputs';
import { recoveryBlocks, s3ObjectConsoleUrl } from '../../.github/actions/failover/recovery-report';
import { createAwsPorts } from '../../runbooks/adapters/aws/aws-ports';
import { demoTopology } from '../../runbooks/adapters/local/demo-topology';
import { recover } from '../../runbooks/orchestrations';
import type { ReconcileRequest, ReconcilerPort } from '../../runbooks/ports';
import { automationDocument } from '../../runbooks/ssm/automation-document';
import { rejoinedEast } from '../runbooks/aws-scenarios/aws-scenarios';
import { type AwsWorld, awsWorld, EAST, WEST } from '../runbooks/aws-scenarios/aws-world';
import { withFakeTimers } from '../runbooks/aws-scenarios/jest-timers';
import { type ExecutionResult, executeAutomation } from '../runbooks/ssm/automation-interpreter';
import { runbookFunctions, runbookTargets } from '../runbooks/ssm/runbook-functions';

/**
 * A reconciler that writes a report folder as runbooks/reconcile does (report.html beside report.json), with lost rows
 * per database; reconciliation itself is tested on real Postgres in test/runbooks/reconcile.
 */
class ReportFolderReconciler implements ReconcilerPort {
  readonly dirs: string[] = [];
  constructor(private readonly lost: Readonly<Record<string, number>>) {}

  async reconcile(request: ReconcileRequest) {
    const dir = mkdtempSync(path.join(tmpdir(), 'recover-summary-'));
    this.dirs.push(dir);
    const database = request.old.database;
    const lost = this.lost[database] ?? 0;
    writeFileSync(path.join(dir, 'report.html'), `<!doctype html><title>${database}: ${lost} lost rows</title>`);
    writeFileSync(path.join(dir, 'report.json'), JSON.stringify({ database, totals: { lost_insert: lost } }));
    const summary = lost === 0 ? 'no missing transactions' : `lost_insert ${lost}`;
    return { status: 'complete' as const, summary, reportDir: dir };
  }
}

/** What the failover CLI sees of an execution (GetAutomationExecution): each step's Payload output as a list. */
function asAutomationRun(result: ExecutionResult): AutomationRun {
  return {
    executionId: result.executionId,
    documentName: 'shop-dev-recover',
    status: result.status,
    outputs: {},
    steps: result.steps.map((step, index) => ({
      key: String(index),
      name: step.name,
      action: step.action,
      status: step.status,
      startedAt: step.startedAt,
      endedAt: step.endedAt,
      outputs: Object.fromEntries(
        Object.entries(step.outputs)
          .filter(([, value]) => typeof value === 'string')
          .map(([name, value]) => [name, [value as string]]),
      ),
    })),
  };
}

const inputs: FailoverInputs = {
  action: 'recover' as FailoverInputs['action'],
  region: WEST,
  primaryRegion: EAST,
  standbyRegion: WEST,
  dryRun: false,
  reason: 'INC-42: report the writes us-east-1 lost',
  appName: 'shop',
  envName: 'dev',
  pollSeconds: 5,
  timeoutMinutes: 25,
  ignoreStackUpdates: false,
};

describe('the recover action: the job summary links the missing-transaction report the runbook stored (issue 15, review F2)', () => {
  let world: AwsWorld;
  let reconciler: ReportFolderReconciler;
  afterEach(() => {
    world.dispose();
    for (const dir of reconciler.dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN an unplanned failover to us-west-2 and us-east-1 back WHEN the recover document runs in us-west-2 on the AWS model THEN the summary links each database report.html in the report bucket, with its counts', async () => {
    // GIVEN the shop failed over to us-west-2 and us-east-1 came back (Aurora left its snapshots there)
    world = awsWorld();
    await rejoinedEast(world);
    reconciler = new ReportFolderReconciler({ catalog: 0, orders: 20 });
    const topology = world.shop.topology(WEST);
    const bucket = world.shop.buckets[WEST]!;
    const ports = createAwsPorts({ topology, clock: world.clock, region: WEST, bucket, reconciler });
    // WHEN the recover SSM document runs in us-west-2, as the failover workflow's recover action starts it
    const result = await withFakeTimers(() =>
      executeAutomation({
        document: automationDocument(recover, topology, runbookTargets(WEST)),
        parameters: { TargetRegion: WEST, DryRun: 'false', Reason: inputs.reason },
        executionId: 'c0ffee00-0000-4000-8000-000000000015',
        clock: world.clock,
        functions: runbookFunctions({ region: WEST, topology, clock: world.clock, ports }),
      }),
    );
    expect(result.status).toBe('Success');
    const summary = automationSummary(inputs, asAutomationRun(result));
    const text = renderText(summary);

    // THEN each database's row gives its counts, and its link opens the report.html the runbook stored in the bucket
    const keys = world.model.s3.keys(bucket, 'runs/recover/').filter((key) => key.endsWith('/report.html'));
    expect(keys).toEqual([
      expect.stringMatching(/^runs\/recover\/failover-\d{8}T\d{6}Z\/catalog\/report\.html$/),
      expect.stringMatching(/^runs\/recover\/failover-\d{8}T\d{6}Z\/orders\/report\.html$/),
    ]);
    expect(world.model.s3.text(bucket, keys[1]!)).toBe('<!doctype html><title>orders: 20 lost rows</title>');
    expect(world.model.s3.objects.get(`${bucket}/${keys[1]}`)?.contentType).toBe('text/html; charset=utf-8');
    expect(summary.blocks).toContainEqual({
      header: ['database', 'report', 'found (rows per class)'],
      rows: [
        ['catalog', 'complete', 'no missing transactions'],
        ['orders', 'complete', 'lost_insert 20'],
      ],
    });
    for (const [index, db] of ['catalog', 'orders'].entries()) {
      expect(summary.blocks).toContainEqual({
        label: `${db}: missing-transaction report (report.html, S3 console)`,
        href: s3ObjectConsoleUrl({ bucket, key: keys[index]! }, WEST),
      });
      expect(text).toContain(`aws s3 cp s3://${bucket}/${keys[index]} ./${db}-report.html --region ${WEST}`);
    }
    // and the run-summary JSON is not presented as the missing-transaction report
    expect(text).not.toMatch(/Missing-transaction report: s3:\/\/.*summary/);
  });
});

describe('s3ObjectConsoleUrl', () => {
  test('puts the bucket in the path and the key, encoded, in the prefix parameter', () => {
    expect(
      s3ObjectConsoleUrl(
        {
          bucket: 'shop-dev-us-west-2-runbook-reports',
          key: 'runs/recover/failover-20260127T101500Z/orders/report.html',
        },
        'us-west-2',
      ),
    ).toBe(
      'https://us-west-2.console.aws.amazon.com/s3/object/shop-dev-us-west-2-runbook-reports?region=us-west-2&bucketType=general&prefix=runs%2Frecover%2Ffailover-20260127T101500Z%2Forders%2Freport.html',
    );
  });
});

describe('the failover_at input of the recover action', () => {
  test('GIVEN the recover document THEN it declares FailoverAt, and accepts the UTC instant the CLI passes', () => {
    const parameter = automationDocument(recover, demoTopology(), runbookTargets(WEST)).parameters[
      FAILOVER_AT_PARAMETER
    ];
    expect(parameter?.type).toBe('String');
    const cliValue = new Date('2025-03-01T12:45:00+01:00').toISOString();
    if (parameter?.allowedPattern) expect(new RegExp(parameter.allowedPattern).test(cliValue)).toBe(true);
  });
});

describe('recoveryBlocks', () => {
  const payloadStep = (returned: Record<string, unknown>) => ({
    key: String(returned.Step),
    name: `${String(returned.Step).replace(/-/g, '_')}_invoke`,
    status: 'Success',
    outputs: { Payload: [JSON.stringify(returned)] },
  });

  test('GIVEN a reconcile that failed and stored error.json THEN its row says failed and the link is that object, not an HTML page', () => {
    const error = 's3://shop-dev-us-west-2-runbook-reports/runs/recover/failover-20260127T101500Z/orders/error.json';
    const blocks = recoveryBlocks(
      {
        steps: [
          payloadStep({
            Status: 'succeeded',
            Step: 'reconcile-orders',
            Outputs: { status: 'failed', summary: 'reconcile failed: connection refused', report: error },
          }),
        ],
      },
      WEST,
      false,
    );
    expect(blocks).toEqual([
      {
        header: ['database', 'report', 'found (rows per class)'],
        rows: [['orders', 'failed', 'reconcile failed: connection refused']],
      },
      { label: 'orders: no HTML report; what was stored', href: error },
    ]);
  });

  test('GIVEN a dry run, or a run that reconciled nothing THEN one line says there is no report yet, and why', () => {
    const failedStep = payloadStep({ Status: 'failed', Step: 'reconcile-orders', Detail: 'no snapshot' });
    expect(recoveryBlocks({ steps: [] }, WEST, true)).toEqual([
      'Missing-transaction report: none yet (a dry run restores and compares nothing)',
    ]);
    expect(recoveryBlocks({ steps: [failedStep] }, WEST, false)).toEqual([
      'Missing-transaction report: none yet: no database was reconciled in this run (see the steps above)',
    ]);
  });
});
