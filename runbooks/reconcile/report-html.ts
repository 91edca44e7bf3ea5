import type { ReconcileReport, ReportedClass, ReportRow } from './report';
import { ROW_CLASSES } from './report';
import {
  CLASS_TEXT,
  e,
  HTML_ORDER_LIMIT,
  HTML_ROW_LIMIT,
  orderOfRow,
  orderSummary,
  rowBlock,
} from './report-html-rows';

export { HTML_ROW_LIMIT } from './report-html-rows';

const REPLAYED: readonly ReportedClass[] = ['lost_insert', 'lost_update'];
const FOR_A_PERSON: readonly ReportedClass[] = ['possibly_lost', 'conflict', 'possible_duplicate', 'unexplained'];

/** The rows of one order, in the report's table order. */
interface OrderGroup {
  readonly id: string;
  readonly rows: { readonly table: string; readonly row: ReportRow }[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The report's rows: those of an order grouped by order, the others by table. */
function groupRows(report: ReconcileReport) {
  const orders = new Map<string, OrderGroup>();
  const others: { table: string; row: ReportRow }[] = [];
  for (const [table, t] of Object.entries(report.tables)) {
    for (const row of t.rows) {
      const order = orderOfRow(table, row);
      if (order === undefined) {
        others.push({ table, row });
        continue;
      }
      const group = orders.get(order) ?? { id: order, rows: [] };
      group.rows.push({ table, row });
      orders.set(order, group);
    }
  }
  // Orders with rows to replay first, then those a person decides, then the rest.
  const rank = (g: OrderGroup) =>
    Math.min(...g.rows.map(({ row }) => (REPLAYED.includes(row.class) ? 0 : FOR_A_PERSON.includes(row.class) ? 1 : 2)));
  const sorted = [...orders.values()].sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : 1));
  return { orders: sorted, others };
}

/** The one sentence that says what happened, and its colour. */
function headline(report: ReconcileReport, lostOrders: number): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  const t = report.totals;
  const lost = t.lost_insert + t.lost_update;
  const person = FOR_A_PERSON.reduce((n, c) => n + t[c], 0);
  if (report.status === 'failed') {
    return {
      text: `Reconcile FAILED at step ${report.error?.step ?? '?'} — this report proves nothing: fix the cause (below) and run reconcile again.`,
      tone: 'bad',
    };
  }
  const found =
    lost + person === 0
      ? 'nothing was lost: the new primary has every row the old one wrote'
      : `${plural(lost, 'lost row')}${lostOrders > 0 ? ` (in ${plural(lostOrders, 'order')})` : ''} can be replayed; ${plural(person, 'row')} ${person === 1 ? 'needs' : 'need'} a person`;
  if (report.status === 'incomplete') {
    return {
      text: `Report INCOMPLETE — not everything was compared (listed below), so this does not show that nothing else was lost; so far ${found}.`,
      tone: 'bad',
    };
  }
  return {
    text: `Report complete — ${found}.`,
    tone: lost + person === 0 ? 'ok' : t.unexplained > 0 ? 'bad' : 'warn',
  };
}

/** What to do next, most urgent first. */
function nextSteps(report: ReconcileReport): string[] {
  const t = report.totals;
  const steps: string[] = [];
  if (report.status === 'failed') return steps;
  if (t.lost_insert + t.lost_update > 0) {
    steps.push(
      'Replay the lost rows: <code>npm run runbook -- apply --report &lt;this folder&gt; --new-url &lt;writer URL of the new primary&gt;</code>. Apply holds back every order that has a row a person decides.',
    );
  }
  if (t.possibly_lost > 0) {
    steps.push(
      'Decide the possibly lost rows: if nothing on the new primary deletes such rows, add <code>--replay-possibly-lost</code> to apply; otherwise check each one.',
    );
  }
  if (t.conflict + t.possible_duplicate + t.unexplained > 0) {
    steps.push(
      'Decide each row a person must (conflicts, possible duplicates, unexplained: below), then run reconcile again and apply the new report.',
    );
  }
  if (report.status === 'incomplete') {
    steps.push(
      'Compare what was left out (below): run reconcile again without <code>--tables</code> or <code>--no-verify</code>, or check those tables by hand.',
    );
  }
  if (!report.verify) steps.push('Verify was skipped: differences outside the window were not looked for.');
  return steps;
}

function orderSection(group: OrderGroup): string {
  const ordersRow = group.rows.find((r) => r.table === 'orders')?.row;
  const summary = orderSummary(ordersRow?.old ?? ordersRow?.new);
  const classes = ROW_CLASSES.filter((c): c is ReportedClass => c !== 'identical')
    .map((c) => [c, group.rows.filter(({ row }) => row.class === c).length] as const)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `<span class="chip ${e(c)}">${e(plural(n, CLASS_TEXT[c].label))}</span>`)
    .join(' ');
  const shown = group.rows.slice(0, HTML_ROW_LIMIT);
  const more =
    group.rows.length > shown.length
      ? `<p>… and ${group.rows.length - shown.length} more rows: see the CSV files.</p>`
      : '';
  return `<section class="order"><h3>Order <code>${e(group.id)}</code></h3>
<p class="order-summary">${summary ? `${e(summary)}. ` : ''}${classes}</p>
${shown.map(({ table, row }) => rowBlock(table, row)).join('\n')}${more}</section>`;
}

function otherRowsSection(others: readonly { table: string; row: ReportRow }[]): string {
  if (others.length === 0) return '';
  const byTable = new Map<string, ReportRow[]>();
  for (const { table, row } of others) byTable.set(table, [...(byTable.get(table) ?? []), row]);
  const parts = [...byTable].map(([table, rows]) => {
    const shown = rows.slice(0, HTML_ROW_LIMIT);
    const more =
      rows.length > shown.length ? `<p>… and ${rows.length - shown.length} more: see ${e(table)}.csv.</p>` : '';
    return `<h3>${e(table)}</h3>${shown.map((row) => rowBlock(table, row)).join('\n')}${more}`;
  });
  return `<h2>Rows that belong to no order</h2>${parts.join('\n')}`;
}

function timelineTable(report: ReconcileReport): string {
  const stop = report.replicationStop;
  const rows: [string, string][] = (
    [
      ['window start (cut − margin)', report.windowStart],
      [`cut: last replicated moment (${report.cutSource ?? 'unknown'})`, report.cut],
      [`replication had certainly stopped (${stop?.evidence ?? ''})`, stop?.mayHaveReplicatedUntil],
      ['old primary: last heartbeat', report.databases.old.heartbeat?.ts],
      ['failover (new primary promoted)', report.failoverAt],
      ['report generated', report.generatedAt],
    ] as [string, string | null | undefined][]
  )
    .filter((r): r is [string, string] => typeof r[1] === 'string' && r[1].length > 0)
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([what, ts]) => [ts, what]);
  if (stop && stop.mayHaveReplicatedUntil === null) rows.push(['—', `replication stop: unbounded (${stop.evidence})`]);
  return `<table class="timeline"><tbody>${rows.map(([ts, what]) => `<tr><td class="ts">${e(ts)}</td><td>${e(what)}</td></tr>`).join('\n')}</tbody></table>`;
}

function countsTable(report: ReconcileReport): string {
  const classes = ROW_CLASSES;
  const rows = Object.entries(report.tables)
    .map(
      ([name, table]) =>
        `<tr><td>${e(name)}</td>${classes.map((c) => `<td class="n${table.counts[c] && c !== 'identical' ? ' hot' : ''}">${table.counts[c]}</td>`).join('')}<td class="n">${table.candidates}</td><td class="n">${table.newSideWrites}</td><td>${
          table.verify ? `${table.verify.buckets} buckets, ${table.verify.mismatchedBuckets} differing` : 'skipped'
        }</td></tr>`,
    )
    .join('\n');
  return `<div class="table-scroll"><table class="counts"><thead><tr><th>table</th>${classes.map((c) => `<th>${e(c.replace(/_/g, ' '))}</th>`).join('')}<th>candidates</th><th>new writes after cut</th><th>verify</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function otherTablesTable(report: ReconcileReport): string {
  const rows = Object.entries(report.otherTables ?? {})
    .map(
      ([name, t]) =>
        `<tr><td>${e(name)}</td><td class="${t.result === 'identical' || t.result === 'empty' ? '' : 'hot'}">${e(t.result)}</td><td class="n">${e(t.oldRows ?? '—')}</td><td class="n">${e(t.newRows ?? '—')}</td><td>${e(t.why)}</td></tr>`,
    )
    .join('\n');
  if (!rows) return '';
  return `<h2>Tables not reconciled row by row</h2><p>Compared whole (count and exact hash of every row on each side), or named when not compared.</p>
<div class="table-scroll"><table><thead><tr><th>table</th><th>result</th><th>old rows</th><th>new rows</th><th>why not row by row</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0 auto;padding:1.5em;max-width:78em;color:#222;line-height:1.4;overflow-wrap:anywhere}
h1{font-size:1.5em;margin:0 0 .5em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}h3{margin:1.2em 0 .3em}h4{margin:.2em 0;font-size:1em}
.headline{font-size:1.15em;font-weight:600;padding:.8em 1em;border-radius:6px;border:2px solid}
.headline.ok{background:#e6f4ea;border-color:#1e7b34}.headline.warn{background:#fff4d6;border-color:#a66300}.headline.bad{background:#fde2e2;border-color:#b00020}
.next li{margin:.3em 0}code{font-size:.9em;background:#f3f3f3;padding:0 .2em}
.failed,.incomplete{padding:.5em 1em;border-left:4px solid #b00020;background:#fff6f6}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
td.n{text-align:right}td.hot{background:#fde2e2;font-weight:bold}td.ts{white-space:nowrap;font-family:monospace;font-size:.9em}
.table-scroll{max-width:100%;overflow-x:auto}
section.order{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:1em 0}
section.row{border-top:1px dashed #ccc;padding:.5em 0}section.row:first-of-type{border-top:0}
.class,.chip{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.85em;font-weight:600;background:#eee}
.lost_insert .class,.chip.lost_insert,.lost_update .class,.chip.lost_update{background:#fff0c2}
.conflict .class,.chip.conflict,.unexplained .class,.chip.unexplained,.possibly_lost .class,.chip.possibly_lost,.possible_duplicate .class,.chip.possible_duplicate{background:#fde2e2}
table.columns thead th{overflow-wrap:normal}
table.columns th[scope=row]{font-weight:normal;font-family:monospace;font-size:.9em;background:#fafafa}
table.columns td{font-family:monospace;font-size:.9em;max-width:32em}
tr.differs td,tr.differs th{background:#fff0c2}
.null{color:#888;font-style:italic}.detail{margin:.2em 0 .4em}
pre{margin:0;font-size:.85em;white-space:pre-wrap}
details{margin:.3em 0}
@media (max-width:40em){body{padding:.8em}table.columns td{max-width:none}}
`;

/** A self-contained HTML page for the person on call: what happened, what to do, the rows by order, the evidence. */
export function renderReportHtml(report: ReconcileReport): string {
  const { orders, others } = groupRows(report);
  const lostOrders = orders.filter((g) => g.rows.some(({ row }) => REPLAYED.includes(row.class))).length;
  const head = headline(report, lostOrders);
  const steps = nextSteps(report);
  const failed =
    report.status === 'failed'
      ? `<div class="failed"><p><b>${e(report.error?.step)}</b>: ${e(report.error?.message)}</p></div>`
      : '';
  const gaps =
    report.status === 'incomplete'
      ? `<div class="incomplete"><h2>Not compared</h2><ul>${report.gaps.map((g) => `<li>${e(g.reason)}</li>`).join('\n')}</ul></div>`
      : '';
  const shownOrders = orders.slice(0, HTML_ORDER_LIMIT);
  const moreOrders =
    orders.length > shownOrders.length
      ? `<p>… and ${orders.length - shownOrders.length} more orders: see the CSV files.</p>`
      : '';
  const legend = ROW_CLASSES.filter((c): c is ReportedClass => c !== 'identical' && report.totals[c] > 0)
    .map(
      (c) =>
        `<li><span class="class">${e(CLASS_TEXT[c].label)}</span> (${report.totals[c]}): ${e(CLASS_TEXT[c].means)}</li>`,
    )
    .join('\n');
  const timings = report.timings.map((s) => `<tr><td>${e(s.step)}</td><td class="n">${s.ms}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Missing-transaction report: ${e(report.status)}</title>
<style>${STYLE}</style></head><body>
<h1>Missing-transaction report</h1>
<p class="headline ${head.tone}" data-status="${e(report.status)}">${e(head.text)}</p>
${failed}${gaps}
${steps.length > 0 ? `<h2>Next</h2><ol class="next">${steps.map((s) => `<li>${s}</li>`).join('\n')}</ol>` : ''}
${legend ? `<h2>What the classes mean</h2><ul class="legend">${legend}</ul>` : ''}
${orders.length > 0 ? `<h2>Rows by order</h2>${shownOrders.map(orderSection).join('\n')}${moreOrders}` : ''}
${otherRowsSection(others)}
${orders.length + others.length === 0 && report.status !== 'failed' ? '<p>No rows differ.</p>' : ''}
<h2>Timeline</h2>
${timelineTable(report)}
<p>Candidates are old rows changed at or after the window start; margin ${e(report.marginSeconds)} s.</p>
<h2>Counts</h2>
${countsTable(report)}
${otherTablesTable(report)}
<h2>Databases</h2><div class="table-scroll"><table><tbody>
<tr><th>old (restored snapshot)</th><td>${e(report.databases.old.url)}</td><td>Postgres ${e(report.databases.old.serverVersion ?? '?')}</td></tr>
<tr><th>new (promoted primary)</th><td>${e(report.databases.new.url)}</td><td>Postgres ${e(report.databases.new.serverVersion ?? '?')}</td></tr>
</tbody></table></div>
<details><summary>Timings (ms)</summary><table><tbody>
${timings}
</tbody></table></details>
<p>Replay statements run inside: <code>${e(report.applyPreamble)}</code></p>
</body></html>
`;
}
