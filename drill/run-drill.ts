import { chmod, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config';
import { makeFolder } from '../runbooks/core/make-folder';
import type { AnyOrchestration } from '../runbooks/core/step';
import { EVIDENCE_FILES } from '../runbooks/evidence/evidence-pack';
import { failover, recover } from '../runbooks/orchestrations';
import { NEW_WRITER_START_MICROS } from '../runbooks/reconcile/clock-skew';
import type { AcknowledgedWrite } from '../runbooks/scoring/acknowledged-write';
import type { OrderOnNewPrimary } from '../runbooks/scoring/score-input';
import { createDrillPorts, type DrillPorts } from './adapters/drill-ports';
import { ordersOnPrimary } from './adapters/orders-on-primary';
import { type CanaryRun, CanaryRunner, findChromium } from './canary/run-canary';
import { SYNTHETIC_SHOPPER_CANARY_RUN } from './canary/synthetic-shopper';
import { detectRegionDown } from './detect-region-down';
import { DrillConsole } from './drill-console';
import type { DrillOptions } from './drill-options';
import { DrillRunbooks } from './drill-runbooks';
import { rehearseFailback } from './rehearse-failback';
import { replayLostRows } from './replay-lost-rows';
import { fillCanary } from './report/canary-figures';
import { collectReconcile } from './report/collect-reconcile';
import { type CanaryRunReport, type DrillReport, newDrillReport } from './report/drill-report';
import { drillLedger, scoreDrill } from './report/drill-score';
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

/** How long the drill waits for things that normally take a second or two. */
const WAIT = {
  warmUpMs: 60_000,
  strandMs: 60_000,
  detectMs: 30_000,
  checkoutMs: 45_000,
  failbackCheckoutMs: 45_000,
} as const;

/** See runbooks/reconcile/clock-skew.ts: rows the new primary may have written start at its first heartbeat − 5 s. */
const CHANGED_ORDER_AGE_MS = Number(NEW_WRITER_START_MICROS / 1000n) + 500;

/** Consecutive failed health checks of the primary's ui that count as "the Region is down", and their interval. */
const DETECTION = { failures: 3, intervalMs: 200 } as const;

const iso = (ms: number | undefined | null) => (ms === undefined || ms === null ? null : new Date(ms).toISOString());
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

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
  let cutAt: number | undefined;
  let faultAt: number | undefined;
  let failoverEndAt: number | undefined;
  let strandedIds: string[] = [];
  // The scoring's inputs: the ledger up to the moment the new primary was read, and what it held then / after apply.
  let ledger: AcknowledgedWrite[] = [];
  let newPrimary: Record<string, OrderOnNewPrimary> = {};
  let afterRecovery: Record<string, OrderOnNewPrimary> | null = null;
  const canaryRuns: CanaryRunReport[] = [];
  const chromium = findChromium(io.env);

  let runbooks: DrillRunbooks | undefined;
  const runbook = (orchestration: AnyOrchestration, raw: Record<string, string>, reason: string) =>
    runbooks!.run(orchestration, raw, reason);

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
    runbooks = new DrillRunbooks(shop.topology, drillPorts, timeline, drillConsole);
    const generator = new TrafficGenerator({
      baseUrl: shop.frontDoorUrl,
      ordersPerSecond: options.orderRate,
      random: new SeededRandom(options.seed),
    });
    traffic = generator;
    resources.add('traffic', () => generator.stop());

    // Warm-up: traffic replicates normally; the canary runs its journey meanwhile.
    const warmOrders = Math.max(3, Math.ceil(options.orderRate * 2));
    await phase(
      'warm-up',
      `traffic at ${options.orderRate} orders/s until ${warmOrders} orders are acknowledged${chromium.found ? '; canary before the fault' : ''}`,
      async () => {
        generator.resume();
        const before = canary('before-fault');
        await generator.waitFor(
          () => generator.orders.length >= warmOrders,
          WAIT.warmUpMs,
          `${warmOrders} acknowledged orders`,
        );
        const run = await before;
        // The orders shoppers cancel or move later must be older than the earliest moment the new primary can have
        // written itself (its first heartbeat − 5 s): a newer row's lost update is rightly held back as a conflict.
        await generator.waitFor(
          () => Date.now() - generator.orders[1]!.ackAt > CHANGED_ORDER_AGE_MS,
          WAIT.warmUpMs,
          `orders ${CHANGED_ORDER_AGE_MS / 1000} s old`,
        );
        return run;
      },
      (run) =>
        `${generator.orders.length} orders acknowledged${run ? `; canary ${run.status}${run.error ? ` (${run.error})` : ''}` : ''}`,
    );

    // The fault, part 1: replication stops. Traffic pauses for it so that everything acknowledged so far has
    // reached the standbys; from here on, every acknowledged order stays in the primary Region only.
    await phase(
      'cut',
      'replication cut: Postgres streams of catalog and orders, and the table copier',
      async () => {
        generator.pause();
        await generator.drain();
        await shop!.waitForCatchUp();
        await shop!.cutReplication();
        cutAt = Date.now();
        timeline.mark('fault', 'replication cut', cutAt);
      },
      () => `standbys had replayed everything; ${generator.orders.length} orders replicated`,
    );

    const beforeStrand = generator.orders.length;
    await phase(
      'strand',
      `${options.lostWrites} acknowledged order(s) land in ${primary} only`,
      async () => {
        if (options.lostWrites === 0) return;
        generator.resume(options.lostWrites);
        await generator.waitFor(
          () => generator.orders.length - beforeStrand >= options.lostWrites && generator.running === 0,
          WAIT.strandMs,
          `${options.lostWrites} acknowledged orders after the cut`,
        );
        generator.pause();
      },
      () => `${generator.orders.length - beforeStrand} stranded`,
    );
    strandedIds = generator.orders.slice(beforeStrand).map((o) => o.orderId);

    // The shoppers' other writes land in the primary Region only too (issue 16): a cancel and an address change of
    // replicated orders (lost updates), an address change the standby Region changes again after the failover (a
    // conflict); and what the shopper of the first stranded order saw, to place it again after the failover.
    const changes = new OrderChanges((region) => shop!.ordersUrl(region));
    const [cancelled, moved, contested] = generator.orders.slice(0, beforeStrand);
    const replacedOrder = generator.orders[beforeStrand];
    const seen = await phase(
      'change',
      `in ${primary} only: a shopper cancels an order, two change their address${replacedOrder ? '; the lines of a stranded order are noted' : ''}`,
      async () => {
        await changes.cancel(cancelled!, primary);
        await changes.changeAddress(moved!, primary, {
          address1: '1 Stranded Street',
          city: 'Hampton',
          zipCode: '23666',
        });
        await changes.changeAddress(contested!, primary, {
          address1: '2 Old Side Road',
          city: 'Boston',
          zipCode: '02108',
        });
        return replacedOrder ? changes.read(replacedOrder.orderId, primary) : undefined;
      },
      () => `order ${cancelled!.orderId} cancelled, ${moved!.orderId} and ${contested!.orderId} moved`,
    );

    // The fault, part 2: the primary Region is lost.
    await phase(
      'fault',
      `${primary} fails: Postgres primaries killed (SIGKILL), services and dynalite stopped`,
      async () => {
        faultAt = Date.now();
        timeline.mark('fault', `${primary} fails`, faultAt);
        await shop!.failRegion(primary);
        generator.resume();
      },
      () => `${primary} is down; shoppers keep coming`,
    );

    const healthUrls = shop.topology.regions[primary]?.healthUrls ?? [];
    const detectedAt = await phase(
      'detect',
      `health checks of ${primary}'s ui (${DETECTION.failures} consecutive failures, ${DETECTION.intervalMs} ms apart)`,
      async () => {
        const down = await detectRegionDown(drillPorts!.ports.health, primary, healthUrls, {
          ...DETECTION,
          timeoutMs: WAIT.detectMs,
        });
        timeline.mark('detect', `${primary} detected down`, down.at);
        return { now: down.at, last: down.detail };
      },
      ({ last }) => `${primary} is down (${last})`,
    );
    report.rto.detected_at = iso(detectedAt.now);

    report.rto.failover_started_at = iso(Date.now());
    const failoverResult = await phase(
      'failover',
      `runbook failover → ${standby} (the orchestration of runbooks/, local adapters)`,
      () =>
        runbook(
          failover,
          { targetRegion: standby, failedRegion: primary },
          `drill: ${primary} lost (seed ${options.seed})`,
        ),
      (r) => `${r.status} in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.steps.length} steps)`,
    );
    failoverEndAt = Date.now();
    report.rto.failover_finished_at = iso(failoverEndAt);
    report.rpo.last_replicated_heartbeat = iso(shop.clusters.orders.promotedCut?.getTime());
    if (failoverResult.status !== 'succeeded') {
      failures.push(
        `the failover orchestration failed: ${failoverResult.error?.step}: ${failoverResult.error?.message}`,
      );
    }

    const firstCheckout = await phase(
      'serve',
      `traffic through the front door until a checkout succeeds in ${standby}${chromium.found ? '; canary after the failover' : ''}`,
      async () => {
        const after = canary('after-failover');
        let checkoutAt: number | undefined;
        try {
          await generator.waitFor(
            () => generator.orders.some((o) => o.ackAt > faultAt!),
            WAIT.checkoutMs,
            `a checkout after the failover`,
          );
          checkoutAt = generator.orders.find((o) => o.ackAt > faultAt!)!.ackAt;
          timeline.mark('rto', 'first checkout after the fault', checkoutAt);
        } catch (error) {
          failures.push(`the shop is not serving checkouts after failover: ${message(error)}`);
        }
        return { checkoutAt, run: await after };
      },
      ({ checkoutAt, run }) =>
        `${checkoutAt ? `first checkout ${((checkoutAt - faultAt!) / 1000).toFixed(1)} s after the fault` : 'no checkout'}${run ? `; canary ${run.status}${run.error ? ` (${run.error})` : ''}` : ''}`,
    );
    report.rto.first_checkout_after_fault_at = iso(firstCheckout.checkoutAt);

    await phase(
      'after',
      `in ${standby}: the shopper of ${contested!.orderId} changes its address again (a conflict)${replacedOrder ? `; the shopper of ${replacedOrder.orderId}, which it cannot see, places it again (a possible duplicate)` : ''}`,
      async () => {
        await changes.changeAddress(contested!, standby, {
          address1: '3 New Side Avenue',
          city: 'Seattle',
          zipCode: '98101',
        });
        if (replacedOrder && seen) await changes.replace(replacedOrder, seen, standby);
      },
      () => `${changes.acks.length} changes acknowledged in all`,
    );

    // What the shoppers lost, from the generator's own records: acknowledged orders the new primary lacks. The
    // traffic pauses from here until the failback: on this one machine the shoppers would compete with the
    // recovery for the same two cores, which on AWS run in different places.
    await phase(
      'count',
      'traffic pauses; acknowledged orders looked up by id on the new orders primary',
      async () => {
        generator.pause();
        await generator.drain();
        ledger = [...drillLedger(generator.orders), ...changes.acks];
        const acked = generator.orders.map((o) => o.orderId);
        newPrimary = await ordersOnPrimary(shop!.clusters.orders.writerUrl(), [
          ...new Set(ledger.map((a) => a.order_id)),
        ]);
        report.acknowledged_lost_ids = acked.filter((id) => !newPrimary[id]?.present);
        report.acknowledged_lost = report.acknowledged_lost_ids.length;
      },
      () => `${report.acknowledged_lost} of ${generator.orders.length} acknowledged orders are missing`,
    );
    report.order_changes = {
      cancelled: changes.report.cancelled,
      address_changed: changes.report.addressChanged,
      changed_on_both_sides: changes.report.changedOnBothSides,
      replaced: changes.report.replaced,
    };

    // Recovery: the failed Region is back; Aurora would take its unplanned-failover snapshots now.
    shop.outages.restore(primary);
    drillPorts.snapshots.regionReturned(primary, new Date());
    timeline.mark('recovery', `${primary} back: snapshots of the old primaries`);
    const recoverResult = await phase(
      'recover',
      'runbook recover: restore the old primaries’ snapshots, reconcile against the new writers, store the reports',
      () =>
        runbook(
          recover,
          { targetRegion: standby, failedRegion: primary },
          `drill: report what ${primary} did not replicate`,
        ),
      (r) => `${r.status} in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    if (recoverResult.status !== 'succeeded') {
      failures.push(`the recover orchestration failed: ${recoverResult.error?.step}: ${recoverResult.error?.message}`);
    }
    await collectReconcile(report, drillPorts, recoverResult, paths.reconcile);

    if (options.apply) {
      await phase(
        'apply',
        'replay the lost rows on the new primaries (runbooks/reconcile applyReport)',
        async () => {
          const replay = await replayLostRows(report, (database) => shop!.clusters[database].writerUrl());
          const recovered = await ordersOnPrimary(
            shop!.clusters.orders.writerUrl(),
            ledger.map((a) => a.order_id),
          );
          afterRecovery = recovered;
          report.apply = {
            status: replay.errors.length === 0 ? 'applied' : 'failed',
            recovered_orders: report.acknowledged_lost_ids.filter((id) => recovered[id]?.present).length,
            inserted: replay.inserted,
            updated: replay.updated,
            events_written: replay.eventsWritten,
            held_back: replay.heldBack,
            error: replay.errors.length > 0 ? replay.errors.join('; ') : null,
          };
          timeline.mark('recovery', `apply: ${report.apply.recovered_orders} orders recovered`);
        },
        () =>
          `${report.apply!.status}: ${report.apply!.recovered_orders}/${report.acknowledged_lost} lost orders recovered (${report.apply!.inserted} rows inserted, ${report.apply!.events_written} order.recovered events)`,
      );
    }

    if (options.failback) {
      await phase(
        'failback',
        `rebuild ${primary} as a standby Region, then runbook failback (planned switchover, RPO 0) to it`,
        () =>
          rehearseFailback({
            shop: shop!,
            generator,
            runbooks: runbooks!,
            console: drillConsole,
            timeline,
            report,
            checkoutWaitMs: WAIT.failbackCheckoutMs,
          }),
        (r) => `${r.status}; checkouts served by ${report.failback?.checkout_after_failback_region ?? 'nobody'}`,
      );
    }

    await phase(
      'settle',
      'traffic stops; every order acknowledged after the fault must be on the writer',
      async () => {
        await generator.stop();
        const afterFault = generator.orders.filter((o) => o.ackAt > faultAt!).map((o) => o.orderId);
        const present = await ordersOnPrimary(shop!.clusters.orders.writerUrl(), afterFault);
        const missing = afterFault.filter((id) => !present[id]?.present);
        if (report.failback) report.failback.acknowledged_missing_after_failback = missing.length;
        if (missing.length > 0) {
          failures.push(
            `${missing.length} order(s) acknowledged after the fault are missing on the writer: ${missing.slice(0, 5).join(', ')}`,
          );
        }
        return afterFault.length;
      },
      (n) => `${n} orders acknowledged after the fault, all on the writer in ${shop!.clusters.orders.writerRegion}`,
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
  if (traffic) fillTrafficFigures(report, traffic, { cutAt, faultAt, failoverEndAt, strandedIds, startedAt });
  fillCanary(report, canaryRuns, chromium.found ? undefined : chromium.reason);
  report.runbooks.push(...(runbooks?.runs ?? []));
  fillTimeline(report, timeline);
  // The verdict: the scoring the game day uses (runbooks/scoring), then the drill's own checks.
  report.score = scoreDrill(report, {
    ledger,
    newPrimary,
    afterRecovery,
    reports: [...(drillPorts?.reconciler.reports.entries() ?? [])].map(([database, made]) => ({
      database,
      report: made,
    })),
    targets: { rtoSeconds: config.rtoTargetMinutes * 60, rpoSeconds: config.rpoTargetSeconds },
  });
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
