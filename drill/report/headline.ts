import type { DrillReport } from './drill-report';
import { replayableLostOrders } from './verdict';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const wasWere = (n: number) => (n === 1 ? 'was' : 'were');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The one sentence at the top of drill.html and of the terminal summary, and how it should look. */
export interface DrillHeadline {
  readonly text: string;
  /** ok: nothing lost or all replayed; warn: lost and can be replayed; bad: the drill failed or rows are stuck. */
  readonly tone: 'ok' | 'warn' | 'bad';
}

/** Lost rows (lost inserts, lost updates, possibly lost) over every database reconcile compared. */
export function lostRows(report: DrillReport): number {
  const c = report.reconcile.counts;
  return c ? c.lost_insert + c.lost_update + c.possibly_lost : 0;
}

/** The databases whose reconcile report has rows apply would replay, with the report folder. */
function replayable(report: DrillReport): { database: string; dir: string; possiblyLost: number }[] {
  return Object.entries(report.reconcile.databases)
    .filter(
      ([, db]) =>
        db.status === 'complete' && db.totals.lost_insert + db.totals.lost_update + db.totals.possibly_lost > 0,
    )
    .map(([database, db]) => ({ database, dir: db.report_dir, possiblyLost: db.totals.possibly_lost }));
}

/**
 * The apply command that replays one database's lost rows. `--replay-possibly-lost` is added when the report has
 * possibly lost rows: the drill passes it because nothing on its new primary deletes orders (a person decides it
 * in a real failover).
 */
export function applyCommand(dir: string, possiblyLost: number): string {
  return `npm run runbook -- apply --report ${dir} --new-url <writer URL of the new primary>${possiblyLost > 0 ? ' --replay-possibly-lost' : ''}`;
}

/** The failback command once the failed Region is back and rebuilt as a standby Region. */
export function failbackCommand(report: DrillReport): string {
  return `npm run runbook -- failback --adapter aws --target-region ${report.regions.primary} --reason "${report.regions.primary} is healthy again"`;
}

/**
 * What happened, in one sentence: who took over, how long shoppers could not buy, whether anything was lost and
 * what became of it (replayed by apply, or the exact command that replays it), and the failback.
 */
export function drillHeadline(report: DrillReport): DrillHeadline {
  const { primary, standby } = report.regions;
  const failed = report.status !== 'passed';
  const prefix = report.status === 'interrupted' ? 'Drill INTERRUPTED: ' : failed ? 'Drill FAILED: ' : '';
  if (report.rto.fault_at === null) {
    return {
      text: `${prefix}the drill stopped before the fault${report.failures[0] ? ` (${report.failures[0]})` : ''}.`,
      tone: 'bad',
    };
  }
  const acked = report.acknowledged_lost;
  const rows = lostRows(report);
  const took =
    report.rto_ms === null
      ? `${standby} took over, but no checkout succeeded after the fault`
      : `${standby} took over (shoppers could not buy for ${seconds(report.rto_ms)})`;
  let loss: string;
  let tone: DrillHeadline['tone'] = failed ? 'bad' : 'ok';
  if (acked === 0 && rows === 0) {
    loss =
      report.reconcile.status === 'complete'
        ? 'nothing was lost'
        : `no acknowledged order was lost, but reconcile is ${report.reconcile.status}, so lost rows are unknown`;
    if (report.reconcile.status !== 'complete') tone = 'bad';
  } else {
    const what =
      acked > 0
        ? `${plural(acked, 'acknowledged order')}${rows > 0 ? ` (${plural(rows, 'row')})` : ''} ${wasWere(acked)} lost`
        : `${plural(rows, 'row')} ${wasWere(rows)} lost (no acknowledged order)`;
    const replaced = report.order_changes?.replaced.length ?? 0;
    const person =
      replaced > 0
        ? `; ${replaced} placed again by ${replaced === 1 ? 'its shopper' : 'their shoppers'} ${wasWere(replaced)} left for a person`
        : '';
    if (report.apply?.status === 'applied' && report.apply.recovered_orders >= replayableLostOrders(report)) {
      loss = `${what}; ${acked > 0 ? `${report.apply.recovered_orders} ${wasWere(report.apply.recovered_orders)}` : 'they were'} replayed by apply${person}`;
    } else if (report.apply) {
      loss = `${what}; apply replayed only ${report.apply.recovered_orders} of them${report.apply.error ? ` (${report.apply.error})` : ''}`;
      tone = 'bad';
    } else if (report.reconcile.status === 'complete') {
      const first = replayable(report)[0];
      loss = `${what} and can be replayed${first ? ` — run ${applyCommand(first.dir, first.possiblyLost)}` : ''}`;
      if (!failed) tone = 'warn';
    } else {
      loss = `${what}; reconcile is ${report.reconcile.status}, so its report cannot replay them`;
      tone = 'bad';
    }
  }
  const failback = report.failback
    ? report.failback.status === 'succeeded'
      ? `; the failback moved the shop back to ${primary}`
      : `; the failback to ${primary} failed`
    : '';
  return { text: `${prefix}${primary} failed and ${took}; ${loss}${failback}.`, tone };
}

/** What to do next, most urgent first, each with the exact command where there is one. */
export function nextSteps(report: DrillReport): string[] {
  const steps: string[] = [];
  const { primary } = report.regions;
  if (report.failures.length > 0) steps.push('Read why the drill failed (listed above) and fix that first.');
  if (report.rto.fault_at === null) return steps;
  const replay = replayable(report);
  if (!report.apply && replay.length > 0) {
    for (const r of replay) {
      steps.push(
        `Replay the lost rows of ${r.database}: ${applyCommand(r.dir, r.possiblyLost)}${r.possiblyLost > 0 ? ` (--replay-possibly-lost replays the ${plural(r.possiblyLost, 'possibly lost row')} too: only when nothing on the new primary deletes such rows, as in the drill)` : ''}. The drill's databases are gone once it ends: npm run drill -- --apply rehearses the replay.`,
      );
    }
  }
  if (report.lost_orders.length > 0) {
    steps.push(
      `Tell the ${plural(report.lost_orders.length, 'customer')} of the lost orders (listed with customer, amount and time) what happened to their order.`,
    );
  }
  if (!report.failback) {
    steps.push(
      `Once ${primary} is back and rebuilt as a standby Region, fail back (planned, RPO 0): ${failbackCommand(report)}. npm run drill -- --failback rehearses it.`,
    );
  } else if (report.failback.status !== 'succeeded') {
    steps.push(`Run the failback again (it resumes where it stopped): ${failbackCommand(report)}.`);
  }
  return steps;
}

/** Failed requests in a stretch of the drill, counted from the per-second traffic (the seconds it starts and ends in, and those between). */
export interface RequestErrors {
  readonly failed: number;
  readonly requests: number;
  /** Seconds with at least one failed request, and the first and last of them (seconds since the start). */
  readonly errorSeconds: number;
  readonly firstSecond: number | null;
  readonly lastSecond: number | null;
}

/** Failed requests between two offsets (ms since the drill started). */
export function requestErrorsBetween(report: DrillReport, fromMs: number, toMs: number): RequestErrors {
  const [first, last] = [Math.floor(fromMs / 1000), Math.floor(toMs / 1000)];
  const seconds = report.traffic_per_second.filter((s) => s.t >= first && s.t <= last);
  const withErrors = seconds.filter((s) => s.failed > 0);
  return {
    failed: seconds.reduce((n, s) => n + s.failed, 0),
    requests: seconds.reduce((n, s) => n + s.ok + s.failed, 0),
    errorSeconds: withErrors.length,
    firstSecond: withErrors[0]?.t ?? null,
    lastSecond: withErrors[withErrors.length - 1]?.t ?? null,
  };
}

/**
 * Failed requests of the unplanned failover (from the fault to the failback, or to the end) and of the planned
 * failback (its phase), each its own key figure; null where the phase did not run.
 */
export function errorsByPhase(report: DrillReport): { failover: RequestErrors | null; failback: RequestErrors | null } {
  const fault = report.phases.find((p) => p.name === 'fault');
  const failback = report.phases.find((p) => p.name === 'failback');
  return {
    failover: fault
      ? requestErrorsBetween(report, fault.started_ms, failback ? failback.started_ms - 1000 : report.duration_ms)
      : null,
    failback: failback ? requestErrorsBetween(report, failback.started_ms, failback.finished_ms) : null,
  };
}

/** "98 of 410 requests failed, in 6 s (46–52 s)". */
export function describeErrors(e: RequestErrors): string {
  const span =
    e.firstSecond === null
      ? ''
      : e.firstSecond === e.lastSecond
        ? ` (second ${e.firstSecond})`
        : ` (seconds ${e.firstSecond}–${e.lastSecond})`;
  return `${e.failed} of ${e.requests} requests failed${e.failed > 0 ? `, errors in ${plural(e.errorSeconds, 'second')}${span}` : ''}`;
}
