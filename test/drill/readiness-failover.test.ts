import type { DrillPorts } from '../../drill/adapters/drill-ports';
import { DrillConsole } from '../../drill/drill-console';
import { DrillRunbooks } from '../../drill/drill-runbooks';
import { DRILL_SERVICES } from '../../drill/drill-topology';
import { preflightReadiness } from '../../drill/preflight-readiness';
import { newDrillReport } from '../../drill/report/drill-report';
import { fillReadiness } from '../../drill/report/readiness-figures';
import { Timeline } from '../../drill/report/timeline';
import { fillTimeline } from '../../drill/report/timeline-figures';
import { verdictFailures } from '../../drill/report/verdict';
import type { Resources } from '../../drill/resources';
import type { TwoRegionShop } from '../../drill/two-region-shop';
import { failback, failover } from '../../runbooks/orchestrations';
import { type RunningShop, startRunningShop } from './running-shop';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const CLUSTER = (region: string) => `shop-drill-${region}`;
/** The drill-configured peak of every service (DRILL_READINESS_SETTINGS.peakTasks) and the baseline (1 task). */
const PEAK = 2;
const BASELINE = 1;

const each = (region: string, kind: 'desired' | 'minimum', from: number, to: number) =>
  DRILL_SERVICES.map((service) => expect.objectContaining({ region, service, kind, from, to }));

// Issue 17: "a failover in the model and in the drill scales the target before traffic moves and failback restores
// it". On a running two-Region shop (real Postgres pairs and services): the preflight stores the standby Region's
// readiness record with the primary's peak; the primary Region fails (its CloudWatch gone); the runbooks' failover
// raises the standby's services to the peak from that record BEFORE its shift-traffic step; the failed Region is
// rebuilt, its canary passes, and the failback raises it before moving back, then puts both Regions' counts back.
// The order is read as the drill reads it: the run's steps (timeline) and the capacity changes.
describe('failover and failback on the running drill shop: task counts raised before traffic moves, restored after', () => {
  let work: string;
  let resources: Resources;
  let shop: TwoRegionShop;
  let drill: DrillPorts;
  let running: RunningShop | undefined;
  let runbooks: DrillRunbooks;
  let timeline: Timeline;
  const startedAt = Date.now();

  beforeAll(async () => {
    running = await startRunningShop('drf-');
    ({ work, resources, shop, drill } = running);
    timeline = new Timeline(startedAt);
    const drillConsole = new DrillConsole({ print: () => undefined, timeline, resources, color: false });
    runbooks = new DrillRunbooks(shop.topology, drill, timeline, drillConsole);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  test('GIVEN a GREEN preflight and the primary Region lost WHEN the failover and then the failback run THEN each raises its target first and the failback restores the baseline', async () => {
    shop.canaryAlarms.recordRun(true);
    expect((await preflightReadiness(shop.topology, drill.ports)).verdict).toBe('GREEN');

    // WHEN the primary Region fails and the failover runs
    await shop.failRegion(EAST);
    const over = await runbooks.run(failover, { targetRegion: WEST, failedRegion: EAST }, 'test: us-east-1 lost');
    expect({ status: over.status, error: over.error }).toEqual({ status: 'succeeded', error: undefined });
    // THEN its steps raise the standby and wait for it before the traffic moves
    const overSteps = over.steps.map((s) => s.step);
    expect(overSteps.indexOf('scale-to-peak')).toBeGreaterThan(-1);
    expect(overSteps.indexOf('scale-to-peak')).toBeLessThan(overSteps.indexOf('wait-for-peak-capacity'));
    expect(overSteps.indexOf('wait-for-peak-capacity')).toBeLessThan(overSteps.indexOf('shift-traffic'));
    // AND the peak came from the preflight's record (the failed Region's CloudWatch does not answer)
    expect(over.steps.find((s) => s.step === 'scale-to-peak')?.detail).toMatch(/record/);
    expect(await drill.capacity.describe(WEST, CLUSTER(WEST), DRILL_SERVICES)).toEqual(
      Object.fromEntries(DRILL_SERVICES.map((s) => [s, { desired: PEAK, running: PEAK }])),
    );

    // WHEN the failed Region is rebuilt, its canary passes and the failback runs
    await shop.rebuildRegion(EAST, WEST);
    shop.canaryAlarms.recordRun(true);
    const back = await runbooks.run(failback, { targetRegion: EAST }, 'test: us-east-1 rejoined');
    expect({ status: back.status, error: back.error }).toEqual({ status: 'succeeded', error: undefined });
    const backSteps = back.steps.map((s) => s.step);
    expect(backSteps.indexOf('scale-to-peak')).toBeLessThan(backSteps.indexOf('shift-traffic'));
    expect(backSteps.indexOf('restore-scaling-baseline')).toBeGreaterThan(backSteps.indexOf('shift-traffic'));

    // THEN, judged as drill.json judges it (steps from the timeline, changes from the capacity stand-in)
    const report = newDrillReport(
      {
        ci: true,
        out: work,
        orderRate: 1,
        lostWrites: 0,
        apply: false,
        failback: true,
        seed: 1,
        routingMode: 'arc-cluster' as const,
      },
      startedAt,
      EAST,
      WEST,
      { json: '', html: '', reconcile: '', runbook: '' },
    );
    fillTimeline(report, timeline);
    fillReadiness(report, drill.capacity.changes(), startedAt);
    const [overMove, backMove] = report.readiness.moves;
    expect(overMove).toEqual({
      orchestration: 'failover',
      traffic_moved_ms: expect.any(Number),
      raised: expect.arrayContaining([
        ...each(WEST, 'minimum', BASELINE, PEAK),
        ...each(WEST, 'desired', BASELINE, PEAK),
      ]),
      raised_before_traffic: true,
      restored: [],
    });
    expect(overMove!.raised).toHaveLength(2 * DRILL_SERVICES.length);
    expect(backMove).toEqual({
      orchestration: 'failback',
      traffic_moved_ms: expect.any(Number),
      raised: expect.arrayContaining([
        ...each(EAST, 'minimum', BASELINE, PEAK),
        ...each(EAST, 'desired', BASELINE, PEAK),
      ]),
      raised_before_traffic: true,
      restored: expect.arrayContaining([
        ...each(EAST, 'minimum', PEAK, BASELINE),
        ...each(WEST, 'minimum', PEAK, BASELINE),
        ...each(WEST, 'desired', PEAK, BASELINE),
      ]),
    });
    // AND the drill's verdict has nothing to say about the task counts
    expect(verdictFailures(report, { lostWrites: 0 }).filter((f) => /task count/.test(f))).toEqual([]);
    // AND the counts are back: both Regions' scaling minimums at the baseline, the Region left at the baseline
    expect(await drill.capacity.scalingMinimums(EAST, CLUSTER(EAST), DRILL_SERVICES)).toEqual(
      Object.fromEntries(DRILL_SERVICES.map((s) => [s, BASELINE])),
    );
    expect(await drill.capacity.scalingMinimums(WEST, CLUSTER(WEST), DRILL_SERVICES)).toEqual(
      Object.fromEntries(DRILL_SERVICES.map((s) => [s, BASELINE])),
    );
    expect(
      Object.values(await drill.capacity.describe(WEST, CLUSTER(WEST), DRILL_SERVICES)).map((c) => c.desired),
    ).toEqual(DRILL_SERVICES.map(() => BASELINE));
  }, 180_000);
});
