import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CanaryRun } from '../../drill/canary/run-canary';
import type { DrillConsole } from '../../drill/drill-console';
import type { DrillRunbooks } from '../../drill/drill-runbooks';
import { rehearseFailback } from '../../drill/rehearse-failback';
import type { DrillReport } from '../../drill/report/drill-report';
import type { Timeline } from '../../drill/report/timeline';
import type { TrafficGenerator } from '../../drill/traffic/traffic-generator';
import type { TwoRegionShop } from '../../drill/two-region-shop';
import { drill, type Finished } from './drill-process';
import { fixtureDrillReport } from './drill-report-fixture';

const OVERRIDDEN = 'healthy-long-enough, canaries-green overridden';

// The failback refuses when the returning Region has no canary or readiness alarm: how long it has been healthy
// cannot be told (runbooks/orchestrations/failback-readiness.ts). Without Chromium the drill has no canary, so no
// canary alarm: it passes the two overrides that waives, and says so; never silently.
describe('npm run drill -- --failback without Chromium', () => {
  let out: string;
  let work: string;
  let run: Finished;
  let report: DrillReport;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'drill-nochromium-out-'));
    // Short: the Postgres Unix sockets live below it.
    work = await mkdtemp(path.join(tmpdir(), 'dn-'));
    run = await drill(['--ci', '--failback', '--lost-writes', '1', '--out', out], {
      DRILL_TMPDIR: work,
      CHROMIUM_PATH: path.join(work, 'no-chromium-here'),
    });
    report = JSON.parse(await readFile(path.join(out, 'drill.json'), 'utf8')) as DrillReport;
  }, 240_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  test('GIVEN no Chromium WHEN the drill fails back THEN it passes: the canary skipped with the reason, the failback with healthy-long-enough and canaries-green overridden', () => {
    const reason = `CHROMIUM_PATH=${path.join(work, 'no-chromium-here')} does not exist`;
    expect({ code: run.code, status: report.status, failures: report.failures }).toEqual({
      code: 0,
      status: 'passed',
      failures: [],
    });
    expect(report.canary).toEqual({ status: 'skipped', reason, runs: [] });
    expect(report.failback).toEqual(
      expect.objectContaining({
        status: 'succeeded',
        checkout_after_failback_region: 'us-east-1',
        readiness_overrides: {
          conditions: ['healthy-long-enough', 'canaries-green'],
          reason: `canary skipped (no Chromium: ${reason})`,
        },
      }),
    );
    // The failback orchestration itself records what it waived.
    const step = report.runbooks
      .find((r) => r.orchestration === 'failback')
      ?.steps.find((s) => s.step === 'check-failback-readiness');
    expect(step?.detail).toContain('OVERRIDDEN healthy-long-enough: no canary or readiness alarm is configured');
    expect(step?.detail).toContain('OVERRIDDEN canaries-green: no canary alarm is configured');
  });

  test('GIVEN no Chromium WHEN the drill fails back THEN the console, the summary, drill.html and the evidence pack say what was overridden and why', async () => {
    expect(run.stdout).toMatch(
      /failback · canary skipped \(no Chromium: .*\): the failback readiness runs with overrides=healthy-long-enough,canaries-green/,
    );
    expect(run.stdout).toMatch(
      new RegExp(`^failback readiness +overridden +canary skipped \\(no Chromium: .*\\): ${OVERRIDDEN}$`, 'm'),
    );
    // The preflight is GREEN (canaries-green with no canary alarm configured checks nothing), and says so.
    expect(run.stdout).toMatch(
      /^readiness preflight +GREEN +.*; canaries-green checked no canary alarm \(canary skipped\)$/m,
    );
    const evidence = JSON.parse(await readFile(path.join(out, 'evidence.json'), 'utf8')) as { deviations: string[] };
    expect(evidence.deviations).toContainEqual(
      expect.stringMatching(
        /^Failback readiness overridden: canary skipped \(no Chromium: .*\): healthy-long-enough, canaries-green\.$/,
      ),
    );
    expect(await readFile(path.join(out, 'drill.html'), 'utf8')).toMatch(
      new RegExp(
        `failback readiness</[a-z]+>.*overridden.*canary skipped \\(no Chromium: [^<]*\\): ${OVERRIDDEN}`,
        's',
      ),
    );
  });
});

/** A failback rehearsal on stand-ins: only what the drill passes to the failback orchestration is looked at. */
async function rehearse(options: { canary?: CanaryRun; canarySkipped?: string }) {
  const inputs: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const report = fixtureDrillReport({ failback: false });
  const later = Date.now() + 3_600_000;
  await rehearseFailback({
    shop: {
      rebuildRegion: async () => undefined,
      replicateTablesFrom: async () => undefined,
      clusters: {
        catalog: { rejoinMethod: 'followed-new-timeline' },
        orders: { rejoinMethod: 'followed-new-timeline' },
      },
    } as unknown as TwoRegionShop,
    generator: {
      resume: () => undefined,
      waitFor: async () => undefined,
      orders: [{ ackAt: later, region: 'us-east-1' }],
    } as unknown as TrafficGenerator,
    runbooks: {
      run: async (_orchestration: unknown, input: Record<string, unknown>) => {
        inputs.push(input);
        return { status: 'succeeded', steps: [] };
      },
    } as unknown as DrillRunbooks,
    console: { say: (line: string) => lines.push(line) } as unknown as DrillConsole,
    timeline: { markers: [] } as unknown as Timeline,
    report,
    checkoutWaitMs: 1,
    ...(options.canary ? { canary: async () => options.canary } : {}),
    ...(options.canarySkipped ? { canarySkipped: options.canarySkipped } : {}),
  });
  return { inputs, lines, report };
}

describe('rehearseFailback: the failback readiness overrides', () => {
  test('GIVEN the canary ran and failed before the failback WHEN the failback runs THEN nothing is overridden: the failback judges the ALARM (fail closed)', async () => {
    const failed = { status: 'failed', error: 'place-order: 500', durationMs: 900, steps: [] } as unknown as CanaryRun;
    const { inputs, lines, report } = await rehearse({ canary: failed });
    expect(inputs).toEqual([{ targetRegion: 'us-east-1' }]);
    expect(report.failback?.readiness_overrides).toBeNull();
    expect(lines.join('\n')).not.toContain('overrides');
  });

  test('GIVEN the canary skipped (no Chromium) WHEN the failback runs THEN it runs with overrides=healthy-long-enough,canaries-green, recorded with the reason', async () => {
    const { inputs, report } = await rehearse({ canarySkipped: 'CHROMIUM_PATH=/nowhere does not exist' });
    expect(inputs).toEqual([{ targetRegion: 'us-east-1', overrides: 'healthy-long-enough,canaries-green' }]);
    expect(report.failback?.readiness_overrides).toEqual({
      conditions: ['healthy-long-enough', 'canaries-green'],
      reason: 'canary skipped (no Chromium: CHROMIUM_PATH=/nowhere does not exist)',
    });
  });
});
