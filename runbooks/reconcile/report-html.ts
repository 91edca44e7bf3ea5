import escapeHtml from 'escape-html';
import { type ReconcileReport, type ReportedClass, type ReportRow, ROW_CLASSES } from './report';

/** Rows shown per table and class in the HTML; the CSV and JSON always hold all of them. */
export const HTML_ROW_LIMIT = 500;

const CLASS_TEXT: Readonly<Record<ReportedClass, string>> = {
  lost_insert: 'Lost inserts: rows only the old primary had. apply replays them.',
  lost_update:
    'Lost updates (incl. lost soft deletes): the old primary changed these after the new copy. apply replays them.',
  possibly_lost:
    'Possibly lost: rows only the old primary has, written after the cut but before replication had certainly stopped. They may have replicated and been deleted by the new primary since. A person decides; apply replays them only with --replay-possibly-lost.',
  conflict: 'Conflicts: changed on both sides. A person decides; apply leaves them alone.',
  possible_duplicate:
    'Possible duplicates: lost orders the customer placed again after the failover. A person decides; apply leaves them alone.',
  unexplained:
    'Unexplained differences found outside the window (hard deletes, writes that bypassed updated_at, split brain). A person investigates.',
  superseded:
    'Superseded: old’s change committed before the cut (its commit timestamp proves it replicated) and the new primary changed the row again. Nothing lost; listed for completeness.',
};

const e = (value: unknown) => escapeHtml(String(value ?? ''));

function rowTable(rows: readonly ReportRow[]): string {
  const shown = rows.slice(0, HTML_ROW_LIMIT);
  const body = shown
    .map(
      (
        r,
      ) => `<tr><td class="id">${e(r.id)}</td><td>${e(r.detail)}${r.duplicateOf ? `<br><b>re-placed as</b> ${e(r.duplicateOf)}` : ''}</td>
<td><pre>${e(r.old ? JSON.stringify(r.old, null, 1) : '(absent)')}</pre></td><td><pre>${e(r.new ? JSON.stringify(r.new, null, 1) : '(absent)')}</pre></td>
<td>${r.proposedSql ? `<details><summary>SQL</summary><pre>${e(r.proposedSql)}</pre></details>` : ''}</td></tr>`,
    )
    .join('\n');
  const more = rows.length > shown.length ? `<p>… and ${rows.length - shown.length} more: see the CSV.</p>` : '';
  return `<table class="rows"><thead><tr><th>id</th><th>detail</th><th>old (restored snapshot)</th><th>new (promoted primary)</th><th>replay</th></tr></thead><tbody>
${body}
</tbody></table>${more}`;
}

/** A self-contained HTML page for the on-call person: status, summary, timeline, counts, the rows, timings. */
export function renderReportHtml(report: ReconcileReport): string {
  const t = report.totals;
  const lost = t.lost_insert + t.lost_update;
  const person = t.possibly_lost + t.conflict + t.possible_duplicate + t.unexplained;
  const failed = report.status === 'failed';
  const gaps =
    report.status === 'incomplete'
      ? `<div class="incomplete"><h2>Reconcile INCOMPLETE: not everything was compared</h2>
<p>The rows below are right, but this report does <b>not</b> show that nothing else was lost:</p>
<ul>${report.gaps.map((g) => `<li>${e(g.reason)}</li>`).join('\n')}</ul></div>`
      : '';
  const summary = failed
    ? `<div class="failed"><h2>Reconcile FAILED at step ${e(report.error?.step)}</h2><p>${e(report.error?.message)}</p>
<p>This report is incomplete: it does <b>not</b> show that nothing was lost. Fix the cause and run reconcile again.</p></div>`
    : `<p class="summary">${lost} row(s) were lost and can be replayed (${t.lost_insert} lost insert(s), ${t.lost_update} lost update(s)); ${person} row(s) need a person (${t.possibly_lost} possibly lost, ${t.conflict} conflict(s), ${t.possible_duplicate} possible duplicate(s), ${t.unexplained} unexplained).${
        lost > 0
          ? ' Replay the lost rows with <code>npm run runbook -- apply --report &lt;this folder&gt; --new-url &lt;url&gt;</code>.'
          : ''
      }${report.verify ? '' : ' <b>Verify was skipped</b>: differences outside the window were not looked for.'}</p>${gaps}`;
  const timeline = [
    ['window start (cut − margin)', report.windowStart],
    [`cut: last replicated moment (${report.cutSource ?? 'unknown'})`, report.cut],
    [
      `replication had certainly stopped: nothing old committed later replicated (${report.replicationStop?.evidence ?? ''})`,
      report.replicationStop?.mayHaveReplicatedUntil,
    ],
    ['old primary: last heartbeat', report.databases.old.heartbeat?.ts],
    ['failover (new primary promoted)', report.failoverAt],
    ['report generated', report.generatedAt],
  ]
    .filter(([, ts]) => ts)
    .concat(
      report.replicationStop && report.replicationStop.mayHaveReplicatedUntil === null
        ? [['—', `replication stop: unbounded (${report.replicationStop.evidence})`]]
        : [],
    )
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])))
    .map(([what, ts]) => `<tr><td>${e(ts)}</td><td>${e(what)}</td></tr>`)
    .join('\n');
  const classes = ROW_CLASSES;
  const counts = Object.entries(report.tables)
    .map(
      ([name, table]) =>
        `<tr><td>${e(name)}</td>${classes.map((c) => `<td class="n${table.counts[c] && c !== 'identical' ? ' hot' : ''}">${table.counts[c]}</td>`).join('')}<td class="n">${table.candidates}</td><td class="n">${table.newSideWrites}</td><td>${
          table.verify ? `${table.verify.buckets} buckets, ${table.verify.mismatchedBuckets} differing` : 'skipped'
        }</td></tr>`,
    )
    .join('\n');
  const sections = Object.entries(report.tables)
    .flatMap(([name, table]) =>
      classes
        .filter((c): c is ReportedClass => c !== 'identical')
        .map((c) => {
          const rows = table.rows.filter((r) => r.class === c);
          if (rows.length === 0) return '';
          return `<h3>${e(name)}: ${e(c)} (${rows.length})</h3><p>${e(CLASS_TEXT[c])}</p>${rowTable(rows)}`;
        }),
    )
    .join('\n');
  const others = Object.entries(report.otherTables ?? {})
    .map(
      ([name, t]) =>
        `<tr><td>${e(name)}</td><td class="${t.result === 'identical' || t.result === 'empty' ? '' : 'hot'}">${e(t.result)}</td><td class="n">${e(t.oldRows ?? '—')}</td><td class="n">${e(t.newRows ?? '—')}</td><td>${e(t.why)}</td></tr>`,
    )
    .join('\n');
  const timings = report.timings.map((s) => `<tr><td>${e(s.step)}</td><td class="n">${s.ms}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Missing-transaction report: ${e(report.status)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}td.n{text-align:right}
td.hot{background:#fde2e2;font-weight:bold}.failed{background:#fde2e2;border:2px solid #c00;padding:1em}
.status-complete{color:#070}.status-failed{color:#c00}.status-incomplete{color:#a60}
.incomplete{background:#fff4d6;border:2px solid #a60;padding:1em}pre{margin:0;font-size:.8em;white-space:pre-wrap;max-width:40em}
td.id{font-family:monospace;font-size:.85em}.summary{font-size:1.1em}
</style></head><body>
<h1>Missing-transaction report: <span class="status-${e(report.status)}">${e(report.status)}</span></h1>
${summary}
<h2>Timeline</h2><table><tbody>
${timeline}
</tbody></table>
<p>Candidates are old rows changed at or after the window start; margin ${e(report.marginSeconds)} s.</p>
<h2>Databases</h2><table><tbody>
<tr><th>old (restored snapshot)</th><td>${e(report.databases.old.url)}</td><td>Postgres ${e(report.databases.old.serverVersion ?? '?')}</td></tr>
<tr><th>new (promoted primary)</th><td>${e(report.databases.new.url)}</td><td>Postgres ${e(report.databases.new.serverVersion ?? '?')}</td></tr>
</tbody></table>
<h2>Counts</h2><table><thead><tr><th>table</th>${classes.map((c) => `<th>${e(c)}</th>`).join('')}<th>candidates</th><th>new writes after cut</th><th>verify</th></tr></thead><tbody>
${counts}
</tbody></table>
${
  others
    ? `<h2>Tables not reconciled row by row</h2><p>Compared whole (count and exact hash of every row on each side), or named when not compared.</p>
<table><thead><tr><th>table</th><th>result</th><th>old rows</th><th>new rows</th><th>why not row by row</th></tr></thead><tbody>
${others}
</tbody></table>`
    : ''
}
<h2>Rows</h2>
${sections || '<p>No rows differ.</p>'}
<h2>Timings (ms)</h2><table><tbody>
${timings}
</tbody></table>
<p>Replay statements run inside: <code>${e(report.applyPreamble)}</code></p>
</body></html>
`;
}
