import { chmod, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config';
import { makeFolder } from '../runbooks/core/make-folder';
import { EVIDENCE_FILES } from '../runbooks/evidence/evidence-pack';
import { createDrillPorts, type DrillPorts } from './adapters/drill-ports';
import { ordersOnPrimary } from './adapters/orders-on-primary';
import { type CanaryRun, CanaryRunner, findChromium } from './canary/run-canary';
import { SYNTHETIC_SHOPPER_CANARY_RUN } from './canary/synthetic-shopper';
import { checkReadiness } from './check-readiness';
import { DrillConsole } from './drill-console';
import { DRILL_WAITS, type DrillContext, type DrillMoments, type DrillScoring, message } from './drill-context';
import type { DrillOptions } from './drill-options';
import { DrillRunbooks } from './drill-runbooks';
import { failOver } from './fail-over';
import { injectFault } from './inject-fault';
import { recoverLostWrites } from './recover-lost-writes';
import { rehearseFailback } from './rehearse-failback';
import { fillCanary } from './report/canary-figures';
import { type CanaryRunReport, type DrillReport, newDrillReport } from './report/drill-report';
import { drillScoredTimeline, scoreDrill } from './report/drill-score';
import { fillReadiness } from './report/readiness-figures';
import { writeDrillReport } from './report/report-files';
import { summaryTable } from './report/summary-table';
import { Timeline } from './report/timeline';
import { fillTimeline } from './report/timeline-figures';
import { fillTrafficFigures } from './report/traffic-figures';
import { verdictFailures } from './report/verdict';
import type { Resources } from './resources';
import { OrderChanges } from './traffic/order-changes';
import { SeededRandom } from './traffic/seeded-random';
import { TrafficGenerator } from './traffic/traffic-generator';
import { TwoRegionShop } from './two-region-shop';
import { warmUp } from './warm-up';
import { drillWorkRoot } from './work-dir';

/** Where the drill writes and what it reads. */
export interface DrillIo {
  /** One line of terminal output. */
  readonly print: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Everything started is registered here; {@link runDrill} stops it all before it returns. */
  readonly resources: Resources;
  /** Colour the marks (a terminal, not --ci). @default false */
  readonly color?: boolean;
}

/** What {@link runDrill} returns. */
export interface DrillOutcome {
  readonly report: DrillReport;
  /** 0 passed, 1 failed. */
  readonly exitCode: number;
}

/**
 * The drill: two simulated Regions, shopper traffic through the front door, the readiness preflight (every readiness
 * check for both Regions; the drill stops when one is not GREEN), the fault (replication cut, a chosen number of
 * acknowledged orders stranded, a cancel and address changes stranded too, then the primary Region crashes),
 * detection, the runbooks' `failover` orchestration (which raises the standby's task counts before traffic moves),
 * the first checkout after it (RTO), an address change on the other side and a lost order placed again, the canary
 * before and after, the acknowledged-but-lost orders counted from the traffic generator's own records, the runbooks'
 * `recover` orchestration (snapshot restore and reconcile), optionally `apply` and `failback` (which restores the
 * task counts); then the score (runbooks/scoring, as a game day is scored), drill.json, drill.html and the evidence
 * pack. Everything it started is stopped and its temporary data removed before it returns, whatever happened.
 */
export async function runDrill(options: DrillOptions, io: DrillIo): Promise<DrillOutcome> {
  const startedAt = Date.now();
  const timeline = new Timeline(startedAt);
  const { resources } = io;
  const config = loadConfig({ env: io.env });
  const { report, paths, workDir } = await prepareOutput(options, io, config, startedAt);
  const drillConsole = new DrillConsole({ print: io.print, timeline, resources, color: io.color ?? false });
  const canary = new DrillCanary(timeline, findChromium(io.env));
  const started: StartedDrill = {};

  try {
    drillConsole.say(
      `drill: seed ${options.seed}, ${options.orderRate} orders/s, ${options.lostWrites} lost writes${options.apply ? ', --apply' : ''}${options.failback ? ', --failback' : ''}, routing mode ${options.routingMode}; Regions ${report.regions.primary} (primary) and ${report.regions.standby} (standby)`,
    );
    canary.start(resources, (line) => drillConsole.say(line));
    const ctx = await startShop({
      options,
      report,
      paths,
      workDir,
      timeline,
      drillConsole,
      canary,
      resources,
      started,
    });
    await rehearse(ctx);
  } catch (error) {
    report.failures.push(`the drill stopped: ${message(error)}`);
  } finally {
    await started.traffic?.stop().catch(() => undefined);
    await canary.close();
    if (started.shop) {
      const leftovers = started.ports?.snapshots.runningRestores() ?? [];
      if (leftovers.length > 0) report.leftovers.push(...leftovers.map((id) => `restored cluster ${id} still running`));
    }
  }

  judge({ report, options, config, timeline, canary, started, startedAt });
  const stopFailures = await resources.stopAll();
  report.leftovers.push(...stopFailures.map((name) => `${name} did not stop in time`));
  report.finished_at = new Date().toISOString();
  report.duration_ms = Date.now() - startedAt;
  report.status = report.failures.length === 0 ? 'passed' : 'failed';
  await writeDrillReport(report);
  for (const line of summaryTable(report)) io.print(line);
  return { report, exitCode: report.status === 'passed' ? 0 : 1 };
}

/** Where drill.json, drill.html, the reconcile reports and the runbook folder go. */
type DrillPaths = DrillReport['paths'];

/** What has been started so far (for the cleanup and the figures, whatever stage the drill stopped at). */
interface StartedDrill {
  shop?: TwoRegionShop;
  ports?: DrillPorts;
  traffic?: TrafficGenerator;
  runbooks?: DrillRunbooks;
  moments?: DrillMoments;
  scoring?: DrillScoring;
}

/**
 * Decides where the drill writes: the output folder (emptied of a previous drill's files) and a fresh temporary
 * folder for the shop's data, removed when the drill's resources stop.
 */
async function prepareOutput(
  options: DrillOptions,
  io: DrillIo,
  config: ReturnType<typeof loadConfig>,
  startedAt: number,
): Promise<{ report: DrillReport; paths: DrillPaths; workDir: string }> {
  const out = path.resolve(options.out);
  const paths = {
    json: path.join(out, 'drill.json'),
    html: path.join(out, 'drill.html'),
    reconcile: path.join(out, 'reconcile'),
    runbook: path.join(out, 'runbook'),
  };
  const report = newDrillReport(options, startedAt, config.primaryRegion, config.standbyRegion, paths);
  makeFolder(out);
  const stale = [...Object.values(paths), ...Object.values(EVIDENCE_FILES).map((f) => path.join(out, f))];
  await Promise.all(stale.map((p) => rm(p, { recursive: true, force: true })));
  const workDir = await mkdtemp(path.join(await drillWorkRoot(io.env), 'shop-drill-'));
  // Postgres runs as the `postgres` user when we are root; it must be able to reach its data directories.
  await chmod(workDir, 0o755);
  io.resources.add('temporary data', () =>
    rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }),
  );
  return { report, paths, workDir };
}

/**
 * The journey canary of the drill (headless Chromium through the front door), when Chromium is found. Each run is
 * kept for drill.json and is a data point of each Region's canary alarm (what the readiness checks and the failback
 * readiness read).
 */
class DrillCanary {
  readonly runs: CanaryRunReport[] = [];
  private runner: CanaryRunner | undefined;
  private shop: TwoRegionShop | undefined;

  constructor(
    private readonly timeline: Timeline,
    readonly chromium: ReturnType<typeof findChromium>,
  ) {}

  /** Starts Chromium (while the shop starts; the runs come later), or says why the canary is skipped. */
  start(resources: Resources, say: (line: string) => void): void {
    if (!this.chromium.found) {
      say(`canary: skipped — ${this.chromium.reason}`);
      return;
    }
    this.runner = CanaryRunner.start({
      chromiumPath: this.chromium.path,
      track: (name, kill) => resources.add(name, kill),
    });
  }

  /** The shop the runs go to (through its front door) and whose canary alarms they feed. */
  attach(shop: TwoRegionShop): void {
    this.shop = shop;
  }

  /** Runs the journey (resolves undefined when Chromium is missing). */
  async run(when: CanaryRunReport['when']): Promise<CanaryRun | undefined> {
    if (!this.runner || !this.shop) return undefined;
    const span = this.timeline.begin('canary', `canary ${when}`);
    const run = await this.runner.run(this.shop.frontDoorUrl, SYNTHETIC_SHOPPER_CANARY_RUN);
    this.shop.canaryAlarms.recordRun(run.status === 'passed');
    this.timeline.end(
      span,
      run.status === 'passed' ? 'ok' : 'failed',
      run.error ?? run.steps.map((s) => s.name).join(' → '),
    );
    this.runs.push({ when, status: run.status, error: run.error, duration_ms: run.durationMs, steps: run.steps });
    return run;
  }

  async close(): Promise<void> {
    await this.runner?.close().catch(() => undefined);
  }
}

/**
 * Decides what the drill runs on: the two-Region shop (with a canary alarm per Region when the canary runs), the
 * runbooks' ports over it, the runbook runner and the traffic generator (paused until the warm-up).
 */
async function startShop(s: {
  readonly options: DrillOptions;
  readonly report: DrillReport;
  readonly paths: DrillPaths;
  readonly workDir: string;
  readonly timeline: Timeline;
  readonly drillConsole: DrillConsole;
  readonly canary: DrillCanary;
  readonly resources: Resources;
  readonly started: StartedDrill;
}): Promise<DrillContext> {
  const { report, timeline, resources, started } = s;
  const shop = await s.drillConsole.phase(
    'start',
    'two Regions: 2 Postgres pairs (streaming replication), 2 dynalite, 2 × 5 services, front door',
    () =>
      TwoRegionShop.start({
        workDir: s.workDir,
        primaryRegion: report.regions.primary,
        standbyRegion: report.regions.standby,
        resources,
        canary: s.canary.chromium.found,
        routingMode: s.options.routingMode,
        onEvent: (line) => timeline.mark(line.startsWith('routing') ? 'routing' : 'database', line),
      }),
    (shop) => `shop at ${shop.frontDoorUrl} (traffic to ${shop.routing.activeRegion()})`,
  );
  started.shop = shop;
  s.canary.attach(shop);
  report.front_door = shop.frontDoorUrl;
  const ports = createDrillPorts(shop, {
    journalDir: path.join(s.paths.runbook, 'journal'),
    reportsDir: path.join(s.paths.runbook, 'reports'),
    workDir: s.workDir,
    track: (name, server) => resources.add(name, () => server.stop()),
  });
  started.ports = ports;
  const runbooks = new DrillRunbooks(shop.topology, ports, timeline, s.drillConsole);
  started.runbooks = runbooks;
  const generator = new TrafficGenerator({
    baseUrl: shop.frontDoorUrl,
    ordersPerSecond: s.options.orderRate,
    random: new SeededRandom(s.options.seed),
  });
  started.traffic = generator;
  resources.add('traffic', () => generator.stop());
  started.moments = { strandedIds: [] };
  started.scoring = { ledger: [], newPrimary: {}, afterRecovery: null };
  return {
    options: s.options,
    report,
    timeline,
    console: s.drillConsole,
    shop,
    ports,
    runbooks,
    generator,
    changes: new OrderChanges((region) => shop.ordersUrl(region)),
    moments: started.moments,
    scoring: started.scoring,
    canary: (when) => s.canary.run(when),
    canaryRuns: s.canary.chromium.found,
    ...(s.canary.chromium.found ? {} : { canarySkipped: s.canary.chromium.reason }),
    reconcileDir: s.paths.reconcile,
  };
}

/** The stages of the drill in order, each deciding one thing (see each); a stage that throws stops the drill. */
async function rehearse(ctx: DrillContext): Promise<void> {
  await warmUp(ctx);
  await checkReadiness(ctx);
  const fault = await injectFault(ctx);
  await failOver(ctx, fault);
  await recoverLostWrites(ctx);
  if (ctx.options.failback) await failBack(ctx);
  await settle(ctx);
}

/** `--failback`: the failed Region rebuilt as a standby Region, then the runbooks' failback to it. */
async function failBack(ctx: DrillContext): Promise<void> {
  const { primary } = ctx.report.regions;
  await ctx.console.phase(
    'failback',
    `rebuild ${primary} as a standby Region, then runbook failback (planned switchover, RPO 0) to it`,
    () =>
      rehearseFailback({
        shop: ctx.shop,
        generator: ctx.generator,
        runbooks: ctx.runbooks,
        console: ctx.console,
        timeline: ctx.timeline,
        report: ctx.report,
        checkoutWaitMs: DRILL_WAITS.failbackCheckoutMs,
        canary: ctx.canary,
        ...(ctx.canarySkipped === undefined ? {} : { canarySkipped: ctx.canarySkipped }),
      }),
    (r) => `${r.status}; checkouts served by ${ctx.report.failback?.checkout_after_failback_region ?? 'nobody'}`,
  );
}

/** Decides whether anything acknowledged after the fault went missing: traffic stops, each order is looked up. */
async function settle(ctx: DrillContext): Promise<void> {
  const { generator, moments, report, shop } = ctx;
  await ctx.console.phase(
    'settle',
    'traffic stops; every order acknowledged after the fault must be on the writer',
    async () => {
      await generator.stop();
      const afterFault = generator.orders.filter((o) => o.ackAt > moments.faultAt!).map((o) => o.orderId);
      const present = await ordersOnPrimary(shop.clusters.orders.writerUrl(), afterFault);
      const missing = afterFault.filter((id) => !present[id]?.present);
      if (report.failback) report.failback.acknowledged_missing_after_failback = missing.length;
      if (missing.length > 0) {
        report.failures.push(
          `${missing.length} order(s) acknowledged after the fault are missing on the writer: ${missing.slice(0, 5).join(', ')}`,
        );
      }
      return afterFault.length;
    },
    (n) => `${n} orders acknowledged after the fault, all on the writer in ${shop.clusters.orders.writerRegion}`,
  );
}

/**
 * Decides the verdict from the records: traffic, canary, runbook and capacity figures, the score (the game day's
 * scoring, runbooks/scoring), then the drill's own checks.
 */
function judge(j: {
  readonly report: DrillReport;
  readonly options: DrillOptions;
  readonly config: ReturnType<typeof loadConfig>;
  readonly timeline: Timeline;
  readonly canary: DrillCanary;
  readonly started: StartedDrill;
  readonly startedAt: number;
}): void {
  const { report, started } = j;
  const moments = started.moments ?? { strandedIds: [] };
  const scoring = started.scoring ?? { ledger: [], newPrimary: {}, afterRecovery: null };
  if (started.traffic) fillTrafficFigures(report, started.traffic, { ...moments, startedAt: j.startedAt });
  fillCanary(report, j.canary.runs, j.canary.chromium.found ? undefined : j.canary.chromium.reason);
  report.runbooks.push(...(started.runbooks?.runs ?? []));
  fillTimeline(report, j.timeline);
  fillReadiness(report, started.ports?.capacity.changes() ?? [], j.startedAt);
  const scoreSources = {
    ...scoring,
    reports: [...(started.ports?.reconciler.reports.entries() ?? [])].map(([database, made]) => ({
      database,
      report: made,
    })),
    targets: { rtoSeconds: j.config.rtoTargetMinutes * 60, rpoSeconds: j.config.rpoTargetSeconds },
  };
  report.score = scoreDrill(report, scoreSources);
  // The drill's RTO is the score's (review 16c S4): it ends at the standby's first checkout of an order on the new
  // primary after the writers moved, not at the first order acknowledged after the fault.
  report.rto.first_checkout_after_fault_at = drillScoredTimeline(report, scoreSources).firstCheckoutAt;
  report.rto_ms = report.score.rto.totalMs;
  report.failures.push(...verdictFailures(report, j.options));
}
