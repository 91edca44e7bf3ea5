import { chmod, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config';
import { makeFolder } from '../runbooks/core/make-folder';
import { EVIDENCE_FILES } from '../runbooks/evidence/evidence-pack';
import { createDrillPorts, type DrillPorts } from './adapters/drill-ports';
import { ordersOnPrimary } from './adapters/orders-on-primary';
import { type CanaryRun, CanaryRunner, findChromium } from './canary/run-canary';
import { SYNTHETIC_SHOPPER_CANARY_RUN } from './canary/synthetic-shopper';
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
 * The drill: two simulated Regions, shopper traffic through the front door, the fault (replication cut, a chosen
 * number of acknowledged orders stranded, a cancel and address changes stranded too, then the primary Region
 * crashes), detection, the runbooks' `failover` orchestration, the first checkout after it (RTO), an address change
 * on the other side and a lost order placed again, the canary before and after, the acknowledged-but-lost orders
 * counted from the traffic generator's own records, the runbooks' `recover` orchestration (snapshot restore and
 * reconcile), optionally `apply` and `failback`; then the score (runbooks/scoring, as a game day is scored),
 * drill.json, drill.html and the evidence pack. Everything it started is stopped and its temporary data removed
 * before it returns, whatever happened.
 */
export async function runDrill(options: DrillOptions, io: DrillIo): Promise<DrillOutcome> {
  const startedAt = Date.now();
  const timeline = new Timeline(startedAt);
  const { resources } = io;
  const config = loadConfig({ env: io.env });
  const primary = config.primaryRegion;
  const standby = config.standbyRegion;
  const out = path.resolve(options.out);
  const paths = {
    json: path.join(out, 'drill.json'),
    html: path.join(out, 'drill.html'),
    reconcile: path.join(out, 'reconcile'),
    runbook: path.join(out, 'runbook'),
  };
  const report = newDrillReport(options, startedAt, primary, standby, paths);
  const failures = report.failures;
  const drillConsole = new DrillConsole({ print: io.print, timeline, resources, color: io.color ?? false });
  const say = (line: string) => drillConsole.say(line);
  const phase = <T>(name: string, title: string, work: () => Promise<T>, done: (value: T) => string) =>
    drillConsole.phase(name, title, work, done);

  makeFolder(out);
  const stale = [...Object.values(paths), ...Object.values(EVIDENCE_FILES).map((f) => path.join(out, f))];
  await Promise.all(stale.map((p) => rm(p, { recursive: true, force: true })));
  const workDir = await mkdtemp(path.join(await drillWorkRoot(io.env), 'shop-drill-'));
  // Postgres runs as the `postgres` user when we are root; it must be able to reach its data directories.
  await chmod(workDir, 0o755);
  resources.add('temporary data', () => rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));

  let shop: TwoRegionShop | undefined;
  let drillPorts: DrillPorts | undefined;
  let traffic: TrafficGenerator | undefined;
  let runbooks: DrillRunbooks | undefined;
  const moments: DrillMoments = { strandedIds: [] };
  const scoring: DrillScoring = { ledger: [], newPrimary: {}, afterRecovery: null };
  const canaryRuns: CanaryRunReport[] = [];
  const chromium = findChromium(io.env);

  let canaryRunner: CanaryRunner | undefined;
  const canary = (when: CanaryRunReport['when']): Promise<CanaryRun | undefined> => {
    if (!canaryRunner) return Promise.resolve(undefined);
    const span = timeline.begin('canary', `canary ${when}`);
    return canaryRunner.run(shop!.frontDoorUrl, SYNTHETIC_SHOPPER_CANARY_RUN).then((run) => {
      timeline.end(
        span,
        run.status === 'passed' ? 'ok' : 'failed',
        run.error ?? run.steps.map((s) => s.name).join(' → '),
      );
      canaryRuns.push({ when, status: run.status, error: run.error, duration_ms: run.durationMs, steps: run.steps });
      return run;
    });
  };

  try {
    say(
      `drill: seed ${options.seed}, ${options.orderRate} orders/s, ${options.lostWrites} lost writes${options.apply ? ', --apply' : ''}${options.failback ? ', --failback' : ''}; Regions ${primary} (primary) and ${standby} (standby)`,
    );
    if (chromium.found) {
      // Chromium starts while the shop does; the runs come later.
      canaryRunner = CanaryRunner.start({
        chromiumPath: chromium.path,
        track: (name, kill) => resources.add(name, kill),
      });
    } else {
      say(`canary: skipped — ${chromium.reason}`);
    }

    shop = await phase(
      'start',
      'two Regions: 2 Postgres pairs (streaming replication), 2 dynalite, 2 × 5 services, front door',
      () =>
        TwoRegionShop.start({
          workDir,
          primaryRegion: primary,
          standbyRegion: standby,
          resources,
          onEvent: (line) => timeline.mark(line.startsWith('routing') ? 'routing' : 'database', line),
        }),
      (s) => `shop at ${s.frontDoorUrl} (traffic to ${s.routing.activeRegion()})`,
    );
    report.front_door = shop.frontDoorUrl;
    drillPorts = createDrillPorts(shop, {
      journalDir: path.join(paths.runbook, 'journal'),
      reportsDir: path.join(paths.runbook, 'reports'),
      workDir,
      track: (name, server) => resources.add(name, () => server.stop()),
    });
    const drillRunbooks = new DrillRunbooks(shop.topology, drillPorts, timeline, drillConsole);
    runbooks = drillRunbooks;
    const generator = new TrafficGenerator({
      baseUrl: shop.frontDoorUrl,
      ordersPerSecond: options.orderRate,
      random: new SeededRandom(options.seed),
    });
    traffic = generator;
    resources.add('traffic', () => generator.stop());
    const running = shop;
    const ctx: DrillContext = {
      options,
      report,
      timeline,
      console: drillConsole,
      shop: running,
      ports: drillPorts,
      runbooks: drillRunbooks,
      generator,
      changes: new OrderChanges((region) => running.ordersUrl(region)),
      moments,
      scoring,
      canary,
      canaryRuns: chromium.found,
      reconcileDir: paths.reconcile,
    };

    const fault = await injectFault(ctx);
    await failOver(ctx, fault);
    await recoverLostWrites(ctx);
    if (options.failback) {
      await phase(
        'failback',
        `rebuild ${primary} as a standby Region, then runbook failback (planned switchover, RPO 0) to it`,
        () =>
          rehearseFailback({
            shop: running,
            generator,
            runbooks: drillRunbooks,
            console: drillConsole,
            timeline,
            report,
            checkoutWaitMs: DRILL_WAITS.failbackCheckoutMs,
          }),
        (r) => `${r.status}; checkouts served by ${report.failback?.checkout_after_failback_region ?? 'nobody'}`,
      );
    }

    await phase(
      'settle',
      'traffic stops; every order acknowledged after the fault must be on the writer',
      async () => {
        await generator.stop();
        const afterFault = generator.orders.filter((o) => o.ackAt > moments.faultAt!).map((o) => o.orderId);
        const present = await ordersOnPrimary(running.clusters.orders.writerUrl(), afterFault);
        const missing = afterFault.filter((id) => !present[id]?.present);
        if (report.failback) report.failback.acknowledged_missing_after_failback = missing.length;
        if (missing.length > 0) {
          failures.push(
            `${missing.length} order(s) acknowledged after the fault are missing on the writer: ${missing.slice(0, 5).join(', ')}`,
          );
        }
        return afterFault.length;
      },
      (n) => `${n} orders acknowledged after the fault, all on the writer in ${running.clusters.orders.writerRegion}`,
    );
  } catch (error) {
    failures.push(`the drill stopped: ${message(error)}`);
  } finally {
    await traffic?.stop().catch(() => undefined);
    await canaryRunner?.close().catch(() => undefined);
    if (shop) {
      const leftovers = drillPorts?.snapshots.runningRestores() ?? [];
      if (leftovers.length > 0) report.leftovers.push(...leftovers.map((id) => `restored cluster ${id} still running`));
    }
  }

  // Figures from the records.
  if (traffic) fillTrafficFigures(report, traffic, { ...moments, startedAt });
  fillCanary(report, canaryRuns, chromium.found ? undefined : chromium.reason);
  report.runbooks.push(...(runbooks?.runs ?? []));
  fillTimeline(report, timeline);
  // The verdict: the scoring the game day uses (runbooks/scoring), then the drill's own checks.
  const scoreSources = {
    ...scoring,
    reports: [...(drillPorts?.reconciler.reports.entries() ?? [])].map(([database, made]) => ({
      database,
      report: made,
    })),
    targets: { rtoSeconds: config.rtoTargetMinutes * 60, rpoSeconds: config.rpoTargetSeconds },
  };
  report.score = scoreDrill(report, scoreSources);
  // The drill's RTO is the score's (review 16c S4): it ends at the standby's first checkout of an order on the new
  // primary after the writers moved, not at the first order acknowledged after the fault.
  report.rto.first_checkout_after_fault_at = drillScoredTimeline(report, scoreSources).firstCheckoutAt;
  report.rto_ms = report.score.rto.totalMs;
  report.failures.push(...verdictFailures(report, options));

  const stopFailures = await resources.stopAll();
  report.leftovers.push(...stopFailures.map((name) => `${name} did not stop in time`));
  report.finished_at = new Date().toISOString();
  report.duration_ms = Date.now() - startedAt;
  report.status = report.failures.length === 0 ? 'passed' : 'failed';
  await writeDrillReport(report);
  for (const line of summaryTable(report)) io.print(line);
  return { report, exitCode: report.status === 'passed' ? 0 : 1 };
}
