import path from 'node:path';
import escapeHtml from 'escape-html';
import { ROW_CLASSES } from '../../runbooks/reconcile';
import { percent } from '../../runbooks/scoring/expected-classes';
import type { DrillReport } from './drill-report';
import { describeErrors, drillHeadline, errorsByPhase, nextSteps } from './headline';
import { canarySkippedNote, describeCapacityMove } from './readiness-figures';
import { READINESS_CSS, readinessSection } from './readiness-html';

const e = (value: unknown) => escapeHtml(String(value ?? ''));

/** Width of the SVG timeline and of its label column, in px. */
const WIDTH = 1100;
const LABEL = 150;
const PLOT = WIDTH - LABEL - 20;

const MARKER_COLOURS: Readonly<Record<string, string>> = {
  fault: '#c62828',
  detect: '#ef6c00',
  routing: '#6a1b9a',
  database: '#1565c0',
  rto: '#2e7d32',
  recovery: '#00838f',
  note: '#616161',
};

const MARKER_TEXT: Readonly<Record<string, string>> = {
  fault: 'fault',
  detect: 'detection',
  routing: 'routing change',
  database: 'database change',
  rto: 'first checkout after the fault',
  recovery: 'recovery',
  note: 'note',
};

const STATUS_FILL: Readonly<Record<string, string>> = {
  ok: '#81c784',
  failed: '#e57373',
  running: '#fff176',
  skipped: '#bdbdbd',
};

const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;

/** "2026-12-07 02:39:57.466 UTC" from any ISO 8601 time; the text itself when it is not one. */
export function utcTime(iso: string | null): string {
  if (iso === null) return '–';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** Where a marker's label goes: its row under the plot and its horizontal extent (px). */
export interface MarkerLabelBox {
  readonly row: number;
  readonly from: number;
  readonly to: number;
  /** start: the label begins 2 px right of its line; end: it ends 2 px left of it. */
  readonly anchor: 'start' | 'end';
}

/**
 * Lays out marker labels one row each under the plot, every label starting or ending at its own line, which runs
 * down to the label's row, so no two labels ever overlap however close the markers are (a failover puts 7 of
 * them within 0.3 s). Rows are filled from the top, each with a label that fits the bounds and that none of the
 * lines still running below crosses (the rightmost marker's label to its right, the leftmost's to its left, which
 * always qualify when they fit); of a few such greedy orders the layout with the fewest labels past the bounds,
 * then the fewest crossed labels, wins (a crossed label stays readable: it has a white halo).
 */
export function layoutMarkerLabels(
  labels: readonly { readonly x: number; readonly width: number }[],
  bounds: { readonly left: number; readonly right: number },
): MarkerLabelBox[] {
  const layouts = (['edges', 'left-edge', 'inner-end', 'inner-start'] as const).map((order) =>
    layoutInOrder(labels, bounds, order),
  );
  return layouts.reduce((best, l) => (layoutCost(labels, bounds, l) < layoutCost(labels, bounds, best) ? l : best));
}

/** Labels past the bounds weigh most, then lines that cross a label. */
function layoutCost(
  labels: readonly { readonly x: number }[],
  bounds: { readonly left: number; readonly right: number },
  boxes: readonly MarkerLabelBox[],
): number {
  let cost = 0;
  for (const b of boxes) {
    if (b.from < bounds.left || b.to > bounds.right) cost += 1000;
    for (const [j, o] of boxes.entries()) if (o.row > b.row && labels[j]!.x >= b.from && labels[j]!.x <= b.to) cost++;
  }
  return cost;
}

/**
 * One greedy layout: row by row from the top, the first candidate (in `order`) that fits and that no remaining
 * line crosses; failing that, the fitting one the fewest remaining lines cross; failing that, the rightmost
 * marker's label to the right of its line.
 */
function layoutInOrder(
  labels: readonly { readonly x: number; readonly width: number }[],
  bounds: { readonly left: number; readonly right: number },
  order: 'edges' | 'left-edge' | 'inner-end' | 'inner-start',
): MarkerLabelBox[] {
  const boxes: MarkerLabelBox[] = new Array(labels.length);
  const left = labels.map((_, i) => i);
  for (let row = 0; left.length > 0; row++) {
    left.sort((a, b) => labels[a]!.x - labels[b]!.x || a - b);
    const box = (i: number, anchor: MarkerLabelBox['anchor']): [number, MarkerLabelBox] => {
      const { x, width } = labels[i]!;
      return [
        i,
        anchor === 'start'
          ? { row, from: x + 2, to: x + 2 + width, anchor }
          : { row, from: x - 2 - width, to: x - 2, anchor },
      ];
    };
    const fits = (b: MarkerLabelBox) => b.from >= bounds.left && b.to <= bounds.right;
    // Lines of the markers still to place continue below this row.
    const crossings = (b: MarkerLabelBox, i: number) =>
      left.filter((j) => j !== i && labels[j]!.x >= b.from && labels[j]!.x <= b.to).length;
    const rightmost = box(left[left.length - 1]!, 'start');
    const leftmost = box(left[0]!, 'end');
    const inner = (first: MarkerLabelBox['anchor'], second: MarkerLabelBox['anchor']) =>
      left.flatMap((i) => [box(i, first), box(i, second)]);
    const candidates =
      order === 'edges'
        ? [rightmost, leftmost, ...inner('end', 'start')]
        : order === 'left-edge'
          ? [leftmost, rightmost, ...inner('start', 'end')]
          : order === 'inner-end'
            ? inner('end', 'start')
            : inner('start', 'end');
    const fitting = candidates.filter(([, b]) => fits(b));
    const [chosen, placed] =
      fitting.find(([i, b]) => crossings(b, i) === 0) ??
      fitting.sort((a, b) => crossings(a[1], a[0]) - crossings(b[1], b[0]))[0] ??
      rightmost;
    boxes[chosen] = placed;
    left.splice(left.indexOf(chosen), 1);
  }
  return boxes;
}

/** Estimated width of a marker label at 10 px sans-serif (a little wide, so real text stays inside). */
const labelWidth = (text: string) => text.length * 5.8;

/** A link to `target` relative to the report's folder, so the folder can be moved or published as a whole. */
function relative(report: DrillReport, target: string): string {
  return path.relative(path.dirname(report.paths.html), target).split(path.sep).join('/');
}

/**
 * The timeline as inline SVG: requests and orders per second, the phases, every runbook step and canary run as
 * spans, and vertical markers for the fault, detection, routing and database changes, the first checkout after
 * the fault and the recovery. Every text is escaped; each span carries a <title> with its detail.
 */
export function timelineSvg(report: DrillReport): string {
  const end = Math.max(report.duration_ms, 1000);
  const x = (ms: number) => LABEL + (Math.max(0, Math.min(ms, end)) / end) * PLOT;
  const parts: string[] = [];
  let y = 30;
  const laneLabel = (text: string, height: number) =>
    parts.push(`<text x="4" y="${y + height / 2 + 4}" class="lane">${e(text)}</text>`);

  // The RTO window, shaded across every lane: first failed request after the fault → first checkout after it.
  const rtoFrom = report.rto.first_failed_request_at;
  const rtoTo = report.rto.first_checkout_after_fault_at;
  const rtoShade = (bottom: number) => {
    if (!rtoFrom || !rtoTo) return;
    const start = Date.parse(report.started_at);
    const x0 = x(Date.parse(rtoFrom) - start);
    const x1 = Math.max(x0 + 2, x(Date.parse(rtoTo) - start));
    parts.unshift(
      `<rect class="rto" x="${x0.toFixed(1)}" y="24" width="${(x1 - x0).toFixed(1)}" height="${bottom - 24}" fill="#fde2e2"><title>${e(`RTO ${seconds(report.rto_ms)}: shoppers could not buy`)}</title></rect>`,
    );
  };

  // Requests per second: ok up, failed stacked on top.
  const traffic = report.traffic_per_second;
  const maxRequests = Math.max(1, ...traffic.map((s) => s.ok + s.failed));
  const barWidth = Math.max(1, (1000 / end) * PLOT - 1);
  const requestHeight = 70;
  laneLabel('requests / s', requestHeight);
  for (const s of traffic) {
    const okH = (s.ok / maxRequests) * requestHeight;
    const failH = (s.failed / maxRequests) * requestHeight;
    const bx = x(s.t * 1000);
    parts.push(
      `<rect x="${bx.toFixed(1)}" y="${(y + requestHeight - okH).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${okH.toFixed(1)}" fill="#66bb6a"><title>${e(`t=${s.t}s: ${s.ok} ok, ${s.failed} failed`)}</title></rect>`,
      `<rect x="${bx.toFixed(1)}" y="${(y + requestHeight - okH - failH).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${failH.toFixed(1)}" fill="#e53935"><title>${e(`t=${s.t}s: ${s.failed} failed`)}</title></rect>`,
    );
  }
  parts.push(
    `<text x="${LABEL - 4}" y="${y + 8}" class="scale" text-anchor="end">${maxRequests}</text>`,
    `<text x="${LABEL - 4}" y="${y + requestHeight}" class="scale" text-anchor="end">0</text>`,
  );
  y += requestHeight + 12;

  // Orders per second; lost ones in their own colour.
  const maxOrders = Math.max(1, ...traffic.map((s) => s.orders));
  const orderHeight = 40;
  laneLabel('orders / s', orderHeight);
  for (const s of traffic.filter((t) => t.orders > 0)) {
    const keptH = ((s.orders - s.lost) / maxOrders) * orderHeight;
    const lostH = (s.lost / maxOrders) * orderHeight;
    const bx = x(s.t * 1000);
    parts.push(
      `<rect x="${bx.toFixed(1)}" y="${(y + orderHeight - keptH).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${keptH.toFixed(1)}" fill="#42a5f5"><title>${e(`t=${s.t}s: ${s.orders} acknowledged`)}</title></rect>`,
      `<rect x="${bx.toFixed(1)}" y="${(y + orderHeight - keptH - lostH).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${lostH.toFixed(1)}" fill="#8e24aa"><title>${e(`t=${s.t}s: ${s.lost} acknowledged and lost`)}</title></rect>`,
    );
  }
  parts.push(`<text x="${LABEL - 4}" y="${y + 8}" class="scale" text-anchor="end">${maxOrders}</text>`);
  y += orderHeight + 14;

  const spanRow = (
    label: string,
    spans: readonly { label: string; started_ms: number; finished_ms: number; status: string; detail: string }[],
    showText: boolean,
  ) => {
    const height = 18;
    laneLabel(label, height);
    for (const s of spans) {
      const sx = x(s.started_ms);
      const w = Math.max(2, x(s.finished_ms) - sx);
      parts.push(
        `<g><rect x="${sx.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${height}" fill="${STATUS_FILL[s.status] ?? '#bdbdbd'}" stroke="#555" stroke-width="0.5"><title>${e(`${s.label} (${seconds(s.finished_ms - s.started_ms)}, ${s.status}): ${s.detail}`)}</title></rect>${
          showText && w > 30
            ? `<text x="${(sx + 3).toFixed(1)}" y="${y + 13}" class="span">${e(s.label.length * 6 > w ? `${s.label.slice(0, Math.max(1, Math.floor(w / 6) - 1))}…` : s.label)}</text>`
            : ''
        }</g>`,
      );
    }
    y += height + 6;
  };

  spanRow(
    'phases',
    report.phases.map((p) => ({ ...p, label: p.name })),
    true,
  );
  const orchestrations = [...new Set(report.runbook_steps.map((s) => s.label.split(' · ')[0]!))];
  for (const orchestration of orchestrations) {
    spanRow(
      `runbook ${orchestration}`,
      report.runbook_steps.filter((s) => s.label.startsWith(`${orchestration} · `)),
      false,
    );
  }
  spanRow(
    'canary',
    report.canary.runs.map((r) => {
      const first = r.steps[0] ? Date.parse(r.steps[0].startedAt) - Date.parse(report.started_at) : 0;
      return {
        label: `canary ${r.when}`,
        started_ms: first,
        finished_ms: first + r.duration_ms,
        status: r.status === 'passed' ? 'ok' : 'failed',
        detail: r.error ?? r.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', '),
      };
    }),
    true,
  );

  rtoShade(y);

  // Markers across every lane; under the plot one label per row, each at its own line (see layoutMarkerLabels).
  const markers = [...report.markers].sort((a, b) => a.at_ms - b.at_ms);
  const top = 24;
  const plotBottom = y;
  const texts = markers.map((m) => `${seconds(m.at_ms)} ${m.label}`);
  const boxes = layoutMarkerLabels(
    markers.map((m, i) => ({ x: x(m.at_ms), width: labelWidth(texts[i]!) })),
    { left: 2, right: WIDTH - 4 },
  );
  const rowHeight = 13;
  let widest = WIDTH;
  for (const [i, m] of markers.entries()) {
    const mx = x(m.at_ms);
    const colour = MARKER_COLOURS[m.kind] ?? '#616161';
    const box = boxes[i]!;
    const ly = plotBottom + 12 + box.row * rowHeight;
    widest = Math.max(widest, box.to + 4);
    parts.push(
      `<g class="marker"><line x1="${mx.toFixed(1)}" y1="${top}" x2="${mx.toFixed(1)}" y2="${ly - 4}" stroke="${colour}" stroke-dasharray="3,3"><title>${e(texts[i])}</title></line>` +
        `<circle cx="${mx.toFixed(1)}" cy="${ly - 4}" r="2" fill="${colour}"/>` +
        `<text x="${(box.anchor === 'start' ? box.from : box.to).toFixed(1)}" y="${ly}" class="marker" fill="${colour}" text-anchor="${box.anchor}">${e(texts[i])}</text></g>`,
    );
  }
  y = plotBottom + 6 + boxes.length * rowHeight;

  // Time axis.
  const step = end > 90_000 ? 10_000 : end > 30_000 ? 5_000 : end > 12_000 ? 2_000 : 1_000;
  for (let t = 0; t <= end; t += step) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="18" x2="${x(t).toFixed(1)}" y2="24" stroke="#999"/>`,
      `<text x="${x(t).toFixed(1)}" y="14" class="axis" text-anchor="middle">${t / 1000}s</text>`,
    );
  }
  const height = y + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(widest)}" height="${height}" viewBox="0 0 ${Math.ceil(widest)} ${height}" role="img" aria-label="drill timeline">
<style>.lane{font:12px sans-serif;fill:#333}.scale,.axis{font:10px sans-serif;fill:#777}.span{font:11px sans-serif;fill:#111}text.marker{font:10px sans-serif;paint-order:stroke;stroke:#fff;stroke-width:3px}</style>
${parts.join('\n')}
</svg>`;
}

/** drill.html: verdict, key figures, the SVG timeline, reconciliation summary, lost orders, runbook steps, canary. */
export function renderDrillHtml(report: DrillReport): string {
  const passed = report.status === 'passed';
  const headline = drillHeadline(report);
  const next = nextSteps(report);
  const errors = errorsByPhase(report);
  const figure = (name: string, value: string, note = '') =>
    `<tr><th>${e(name)}</th><td class="n">${e(value)}</td><td>${e(note)}</td></tr>`;
  const figures = [
    figure('RTO', seconds(report.rto_ms), `target ≤ ${seconds(report.rto.target_ms)}; ${report.rto.definition}`),
    figure('RPO', seconds(report.rpo_ms), report.rpo.definition),
    figure(
      'acknowledged orders lost',
      String(report.acknowledged_lost),
      `stranded on purpose: ${report.stranded_requested}`,
    ),
    figure(
      'reconcile: lost order inserts',
      String(report.reconcile.lost_inserts ?? '–'),
      `${report.reconcile.possibly_lost ?? 0} of them possibly lost (written as replication stopped); report ${report.reconcile.status}`,
    ),
    figure('reconcile: unexplained', String(report.reconcile.unexplained)),
    ...(report.readiness.preflight
      ? [
          figure(
            'readiness preflight',
            report.readiness.preflight.verdict,
            Object.entries(report.readiness.preflight.regions)
              .map(([region, r]) => `${region} ${r.verdict}`)
              .join(', ')
              .concat(canarySkippedNote(report)),
          ),
        ]
      : []),
    ...report.readiness.moves.map((m) =>
      figure(
        `task counts: ${m.orchestration}`,
        m.raised_before_traffic ? 'raised first' : 'NOT raised first',
        describeCapacityMove(m),
      ),
    ),
    figure('checkouts after failover', String(report.checkouts_after_failover)),
    figure(
      'orders acknowledged',
      String(report.orders.acknowledged),
      `requests ${report.requests.total}, failed ${report.requests.failed}`,
    ),
    figure('canary', report.canary.status, report.canary.reason ?? ''),
    ...(report.apply
      ? [figure('apply', report.apply.status, `${report.apply.recovered_orders} lost orders recovered`)]
      : []),
    ...(errors.failover
      ? [
          figure(
            'failed requests: failover (unplanned)',
            String(errors.failover.failed),
            `${describeErrors(errors.failover)}; from the fault${report.failback ? ' to the failback' : ''}`,
          ),
        ]
      : []),
    ...(report.failback ? [figure('failback', report.failback.status, report.failback.description)] : []),
    ...(report.failback?.readiness_overrides
      ? [
          figure(
            'failback readiness',
            'overridden',
            `${report.failback.readiness_overrides.reason}: ${report.failback.readiness_overrides.conditions.join(', ')} overridden`,
          ),
        ]
      : []),
    ...(errors.failback
      ? [
          figure(
            'failed requests: failback (planned)',
            String(errors.failback.failed),
            `${describeErrors(errors.failback)}; while ${report.regions.primary} was rebuilt and the switchover ran`,
          ),
        ]
      : []),
    figure(
      'duration',
      seconds(report.duration_ms),
      `machine: ${report.machine.cpus} CPUs, node ${report.machine.node}, load ${report.machine.load_average_1m}`,
    ),
  ].join('\n');
  const failures =
    report.failures.length === 0
      ? ''
      : `<div class="failed"><h2>Why the drill failed</h2><ul>${report.failures.map((f) => `<li>${e(f)}</li>`).join('')}</ul></div>`;

  const reconcileRows = Object.entries(report.reconcile.databases)
    .flatMap(([database, db]) =>
      Object.entries(db.tables).map(
        ([table, counts]) =>
          `<tr><td>${e(database)}</td><td>${e(table)}</td>${ROW_CLASSES.map((c) => `<td class="n${counts[c] && c !== 'identical' ? ' hot' : ''}">${counts[c]}</td>`).join('')}</tr>`,
      ),
    )
    .join('\n');
  const reportLinks = Object.entries(report.reconcile.databases)
    .map(
      ([database, db]) =>
        `<li><a href="${e(relative(report, db.report_html))}">${e(database)}: report.html</a> — ${e(db.status)}: ${e(db.summary)}; cut ${e(db.cut)} (${e(db.cut_source)}), window from ${e(db.window_start)}${db.error ? `; error: ${e(db.error)}` : ''}</li>`,
    )
    .join('');
  const classText = (c: string | null) =>
    c === 'lost_insert' ? 'lost' : c === 'possibly_lost' ? 'possibly lost' : '<b>not in the report</b>';
  const lostRows = report.lost_orders
    .map(
      (o) =>
        `<tr><td>${e(utcTime(o.placed_at))}</td><td>${e(o.customer_name ?? o.customer_id ?? '–')}${o.customer_name && o.customer_id ? `<br><small class="id">${e(o.customer_id)}</small>` : ''}</td><td class="n">${e(o.amount ?? '–')}</td><td>${e(o.items.join(', ') || '–')}</td><td class="id">${e(o.id)}</td><td>${classText(o.class)}</td><td>${o.acknowledged ? 'yes' : '<b>no</b>'}</td></tr>`,
    )
    .join('');
  const legendItem = (swatch: string, label: string) =>
    `<li><span class="swatch" style="${swatch}"></span>${e(label)}</li>`;
  const legend = [
    legendItem('background:#66bb6a', 'requests answered'),
    legendItem('background:#e53935', 'requests failed'),
    legendItem('background:#42a5f5', 'orders acknowledged'),
    legendItem('background:#8e24aa', 'acknowledged and lost'),
    legendItem('background:#fde2e2', 'RTO: shoppers could not buy'),
    legendItem(`background:${STATUS_FILL['ok']}`, 'step done'),
    legendItem(`background:${STATUS_FILL['failed']}`, 'step failed'),
    ...Object.entries(MARKER_COLOURS)
      .filter(([kind]) => report.markers.some((m) => m.kind === kind))
      .map(([kind, colour]) => legendItem(`border-left:2px dashed ${colour};width:0`, MARKER_TEXT[kind] ?? kind)),
  ].join('');

  const runbooks = report.runbooks
    .map(
      (r) =>
        `<h3>${e(r.orchestration)} — ${e(r.status)} in ${seconds(r.elapsed_ms)} <small>(execution ${e(r.execution_id)})</small></h3>
<table><thead><tr><th>step</th><th>status</th><th>detail</th></tr></thead><tbody>${r.steps
          .map((s) => `<tr><td>${e(s.step)}</td><td>${e(s.status)}</td><td>${e(s.detail)}</td></tr>`)
          .join('')}</tbody></table>`,
    )
    .join('\n');
  const canary = report.canary.runs
    .map(
      (r) =>
        `<h3>${e(r.when)}: ${e(r.status)} (${seconds(r.duration_ms)})${r.error ? ` — ${e(r.error)}` : ''}</h3><table><tbody>${r.steps
          .map(
            (s) =>
              `<tr><td>${e(s.name)}</td><td>${e(s.status)}</td><td class="n">${s.durationMs} ms</td><td>${e(s.error ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`,
    )
    .join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Region failover drill: ${e(report.status)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left;overflow-wrap:anywhere}th{overflow-wrap:break-word}td.n{text-align:right;overflow-wrap:normal;white-space:nowrap}
h1,h2,h3,p,li{overflow-wrap:anywhere}.scroll{overflow-x:auto;max-width:100%}.headline{font-size:1.2em;font-weight:600;padding:.6em .8em;border-left:6px solid}
.tone-ok{border-color:#2e7d32;background:#e8f5e9}.tone-warn{border-color:#ef6c00;background:#fff3e0}.tone-bad{border-color:#c00;background:#fde2e2}
ol.next code,.headline code{overflow-wrap:anywhere}ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em 1.2em;font-size:.9em}
.swatch{display:inline-block;width:1em;height:1em;margin-right:.35em;vertical-align:-.15em}
@media (max-width:600px){body{margin:.6em}h1{font-size:1.4em}table.figures tr{display:grid;grid-template-columns:1fr auto}table.figures td:last-child{grid-column:1/-1;border-top:0}table.figures td:last-child:empty{display:none}}
td.hot{background:#fde2e2;font-weight:bold}.failed{background:#fde2e2;border:2px solid #c00;padding:0 1em}
${READINESS_CSS}
.passed{color:#2e7d32}.status-failed,.status-interrupted{color:#c00}td.id{font-family:monospace}
</style></head><body>
<h1>Region failover drill: <span class="${passed ? 'passed' : 'status-failed'}">${e(report.status.toUpperCase())}</span></h1>
<p class="headline tone-${headline.tone}">${e(headline.text)}</p>
${next.length > 0 ? `<h2>What to do next</h2><ol class="next">${next.map((n) => `<li>${e(n)}</li>`).join('')}</ol>` : ''}
<p>${e(report.regions.primary)} (primary) fails; ${e(report.regions.standby)} (standby) takes over. Seed ${e(report.options.seed)},
${e(report.options.order_rate)} orders/s, ${e(report.options.lost_writes)} acknowledged write(s) stranded${report.options.apply ? ', --apply' : ''}${report.options.failback ? ', --failback' : ''}; routing mode ${e(report.options.routing_mode)}.
Started ${e(report.started_at)}. Data: <a href="drill.json">drill.json</a>.</p>
${report.score ? `<p class="evidence">Score (runbooks/scoring, as on a game day): <strong>${e(report.score.verdict)}</strong>, recall ${e(percent(report.score.recall))}, precision ${e(percent(report.score.precision))}.${report.evidence ? ` Evidence pack: <a href="${e(relative(report, report.evidence.html))}">evidence.html</a> (<a href="${e(relative(report, report.evidence.json))}">evidence.json</a>, <a href="${e(relative(report, report.evidence.sha256))}">evidence.sha256</a>).` : ''}</p>` : ''}
${failures}
<h2>Key figures</h2><div class="scroll"><table class="figures"><tbody>
${figures}
</tbody></table></div>
<h2>Timeline</h2>
<ul class="legend">${legend}</ul>
<div class="scroll timeline">${timelineSvg(report)}</div>
${readinessSection(report)}
<h2>Reconciliation</h2>
<ul>${reportLinks || '<li>no reconcile report</li>'}</ul>
<div class="scroll"><table><thead><tr><th>database</th><th>table</th>${ROW_CLASSES.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>
${reconcileRows}
</tbody></table></div>
<h2>Orders the failover lost (${report.lost_orders.length}; ${report.acknowledged_lost} acknowledged to the shopper)</h2>
${lostRows ? `<div class="scroll"><table class="lost-orders"><thead><tr><th>placed</th><th>customer</th><th>amount</th><th>items</th><th>order id</th><th>reconcile</th><th>acknowledged</th></tr></thead><tbody>${lostRows}</tbody></table></div>` : '<p>None.</p>'}
<h2>Runbooks</h2>
${runbooks || '<p>No orchestration ran.</p>'}
<h2>Canary (stacks/observability/canary/journey.js in headless Chromium)</h2>
${report.canary.status === 'skipped' ? `<p>Skipped: ${e(report.canary.reason)}</p>` : canary}
${report.leftovers.length > 0 ? `<h2>Left behind</h2><ul>${report.leftovers.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
