import path from 'node:path';
import escapeHtml from 'escape-html';
import { ROW_CLASSES } from '../../runbooks/reconcile';
import type { DrillReport } from './drill-report';

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

const STATUS_FILL: Readonly<Record<string, string>> = {
  ok: '#81c784',
  failed: '#e57373',
  running: '#fff176',
  skipped: '#bdbdbd',
};

const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;

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
  parts.push(`<text x="${LABEL - 4}" y="${y + 8}" class="scale" text-anchor="end">${maxRequests}</text>`);
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

  // Markers across every lane; each label goes to the first row where it overlaps no other label.
  const markers = [...report.markers].sort((a, b) => a.at_ms - b.at_ms);
  const top = 24;
  const rowEnds: number[] = [];
  const labels: string[] = [];
  for (const m of markers) {
    const mx = x(m.at_ms);
    const colour = MARKER_COLOURS[m.kind] ?? '#616161';
    const width = m.label.length * 5.5;
    // Labels right of the middle end at their line, so that none runs off the picture.
    const rightward = mx <= LABEL + PLOT / 2;
    const [from, to] = rightward ? [mx + 2, mx + 2 + width] : [mx - 2 - width, mx - 2];
    let row = rowEnds.findIndex((end) => end < from - 6);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = to;
    parts.push(
      `<line x1="${mx.toFixed(1)}" y1="${top}" x2="${mx.toFixed(1)}" y2="${y}" stroke="${colour}" stroke-dasharray="3,3"><title>${e(`${seconds(m.at_ms)}: ${m.label}`)}</title></line>`,
    );
    labels.push(
      `<text x="${(rightward ? from : to).toFixed(1)}" y="${y + 12 + row * 12}" class="marker" fill="${colour}" text-anchor="${rightward ? 'start' : 'end'}">${e(m.label)}</text>`,
    );
  }
  parts.push(...labels);
  y += 12 + rowEnds.length * 12;

  // Time axis.
  const step = end > 90_000 ? 10_000 : 5_000;
  for (let t = 0; t <= end; t += step) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="18" x2="${x(t).toFixed(1)}" y2="24" stroke="#999"/>`,
      `<text x="${x(t).toFixed(1)}" y="14" class="axis" text-anchor="middle">${t / 1000}s</text>`,
    );
  }
  const height = y + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="drill timeline">
<style>.lane{font:12px sans-serif;fill:#333}.scale,.axis{font:10px sans-serif;fill:#777}.span{font:11px sans-serif;fill:#111}.marker{font:10px sans-serif}</style>
${parts.join('\n')}
</svg>`;
}

/** drill.html: verdict, key figures, the SVG timeline, reconciliation summary, lost orders, runbook steps, canary. */
export function renderDrillHtml(report: DrillReport): string {
  const passed = report.status === 'passed';
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
    ...(report.failback ? [figure('failback', report.failback.status, report.failback.description)] : []),
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
  const reconciled = new Set(report.reconcile.databases['orders']?.lost_order_ids ?? []);
  const lostRows = report.acknowledged_lost_ids
    .map((id) => `<tr><td class="id">${e(id)}</td><td>${reconciled.has(id) ? 'yes' : '<b>no</b>'}</td></tr>`)
    .join('');

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
td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}td.n{text-align:right}
td.hot{background:#fde2e2;font-weight:bold}.failed{background:#fde2e2;border:2px solid #c00;padding:0 1em}
.passed{color:#2e7d32}.status-failed,.status-interrupted{color:#c00}td.id{font-family:monospace}
</style></head><body>
<h1>Region failover drill: <span class="${passed ? 'passed' : 'status-failed'}">${e(report.status.toUpperCase())}</span></h1>
<p>${e(report.regions.primary)} (primary) fails; ${e(report.regions.standby)} (standby) takes over. Seed ${e(report.options.seed)},
${e(report.options.order_rate)} orders/s, ${e(report.options.lost_writes)} acknowledged write(s) stranded${report.options.apply ? ', --apply' : ''}${report.options.failback ? ', --failback' : ''}.
Started ${e(report.started_at)}. Data: <a href="drill.json">drill.json</a>.</p>
${failures}
<h2>Key figures</h2><table><tbody>
${figures}
</tbody></table>
<h2>Timeline</h2>
${timelineSvg(report)}
<h2>Reconciliation</h2>
<ul>${reportLinks || '<li>no reconcile report</li>'}</ul>
<table><thead><tr><th>database</th><th>table</th>${ROW_CLASSES.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead><tbody>
${reconcileRows}
</tbody></table>
<h2>Acknowledged orders the failover lost (${report.acknowledged_lost})</h2>
${lostRows ? `<table><thead><tr><th>order id</th><th>in reconcile's lost inserts</th></tr></thead><tbody>${lostRows}</tbody></table>` : '<p>None.</p>'}
<h2>Runbooks</h2>
${runbooks || '<p>No orchestration ran.</p>'}
<h2>Canary (stacks/observability/canary/journey.js in headless Chromium)</h2>
${report.canary.status === 'skipped' ? `<p>Skipped: ${e(report.canary.reason)}</p>` : canary}
${report.leftovers.length > 0 ? `<h2>Left behind</h2><ul>${report.leftovers.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
