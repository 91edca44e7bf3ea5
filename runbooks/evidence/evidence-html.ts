import escapeHtml from 'escape-html';
import { CLASS_WORDS, percent, SCORED_CLASSES } from '../scoring/expected-classes';
import type { EvidencePack } from './evidence-pack';

const e = (value: unknown) => escapeHtml(String(value));
const seconds = (ms: number | null) => (ms === null ? 'not measured' : `${(ms / 1000).toFixed(1)} s`);
const yesNo = (ok: boolean | null) =>
  ok === null
    ? '<span class="unknown">not known</span>'
    : ok
      ? '<span class="ok">yes</span>'
      : '<span class="bad">no</span>';

const TONE = { PASSED: 'ok', FAILED: 'bad', INCONCLUSIVE: 'warn' } as const;
const heading = (words: string) => `${words[0]!.toUpperCase()}${words.slice(1)}`;

const STYLE = `
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1.5em;color:#1b1b1b;background:#fafafa}
main{max-width:60em;margin:0 auto}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.verdict{padding:.8em 1em;border-radius:6px;font-weight:600;margin:.6em 0}
.verdict.ok{background:#e3f4e6;border:1px solid #2e7d32}.verdict.bad{background:#fde7e7;border:1px solid #c62828}
.verdict.warn{background:#fff4dc;border:1px solid #b26a00}
.ok{color:#2e7d32}.bad{color:#c62828}.unknown{color:#666;font-style:italic}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e4e4e4;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
.ids{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
ol.timeline{padding-left:1.2em}ol.timeline time{font-variant-numeric:tabular-nums;color:#444;margin-right:.5em}
footer{margin-top:2em;color:#555;font-size:.9em;overflow-wrap:anywhere}
@media (max-width:40em){
 body{padding:.8em}
 td.empty{display:none}
 dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4em}
 table.cards thead{display:none}
 table.cards tr{display:block;border-bottom:2px solid #ddd;padding:.3em 0}
 table.cards td{display:flex;justify-content:space-between;gap:1em;border:0;padding:.15em .3em;text-align:right}
 table.cards td::before{content:attr(data-label);font-weight:600;text-align:left}
 table.cards td.ids,table.cards td:first-child{display:block;text-align:left}table.cards td.ids::before,table.cards td:first-child::before{display:block}
}`;

function list(items: readonly string[], empty: string): string {
  return items.length === 0 ? `<p>${e(empty)}</p>` : `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`;
}

function scoreTable(pack: EvidencePack): string {
  const rows = SCORED_CLASSES.map((c) => {
    const s = pack.score.classes[c];
    const missed = [
      ...s.missed.map((m) => `${m.orderId} ${m.reportedAs === null ? 'not listed' : `listed as ${m.reportedAs}`}`),
      ...s.falsePositives.map((f) => `${f.orderId} listed as ${f.reportedAs} (${f.expected ?? 'nothing lost'})`),
    ];
    return `<tr><td data-label="Class">${e(heading(CLASS_WORDS[c]))}</td>
<td class="num" data-label="Expected">${s.expected}</td><td class="num" data-label="Found">${s.found}</td>
<td class="num" data-label="Recall">${percent(s.recall)}</td><td class="num" data-label="Reported">${s.reported}</td>
<td class="num" data-label="Precision">${percent(s.precision)}</td>
<td class="ids" data-label="Misses">${missed.length === 0 ? '—' : missed.map(e).join('<br>')}</td></tr>`;
  }).join('\n');
  return `<div class="scroll"><table class="cards score"><thead><tr><th>Class</th><th class="num">Expected</th><th class="num">Found</th>
<th class="num">Recall</th><th class="num">Reported</th><th class="num">Precision</th><th>Misses</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function objectivesTable(pack: EvidencePack): string {
  const { rto, rpo } = pack;
  const phase = (label: string, ms: number | null) =>
    `<tr><td data-label="Phase">${e(label)}</td><td class="num" data-label="Measured">${seconds(ms)}</td><td class="empty"></td><td class="empty"></td></tr>`;
  return `<div class="scroll"><table class="cards"><thead><tr><th>Measure</th><th class="num">Measured</th><th class="num">Target</th><th>Within</th></tr></thead><tbody>
<tr><td data-label="Measure"><strong>RTO</strong> (first failure → first checkout)</td><td class="num" data-label="Measured">${seconds(rto.totalMs)}</td><td class="num" data-label="Target">${seconds(rto.targetMs)}</td><td class="num" data-label="Within">${yesNo(rto.withinTarget)}</td></tr>
${phase('· detection', rto.phases.detectionMs)}${phase('· decision', rto.phases.decisionMs)}${phase('· traffic moved', rto.phases.trafficMovedMs)}${phase('· writers moved', rto.phases.writersMovedMs)}${phase('· first checkout', rto.phases.firstCheckoutMs)}
<tr><td data-label="Measure"><strong>RPO</strong> from the data (last replicated moment → last lost acknowledgment)</td><td class="num" data-label="Measured">${seconds(rpo.fromDataMs)}</td><td class="num" data-label="Target">${seconds(rpo.targetMs)}</td><td class="num" data-label="Within">${yesNo(rpo.withinTarget)}</td></tr>
<tr><td data-label="Measure">AuroraGlobalDBRPOLag before the fault</td><td class="num" data-label="Measured">${seconds(rpo.lagBeforeFaultMs)}</td><td class="empty"></td><td class="num" data-label="RPO within it">${yesNo(rpo.withinLag)}</td></tr>
</tbody></table></div>`;
}

/** evidence.html: the pack for an auditor, readable at desktop and phone width, with no script and no remote part. */
export function evidenceHtml(pack: EvidencePack, jsonSha256: string): string {
  const title = `${pack.kind === 'gameday' ? 'Game day' : 'Drill'} ${pack.id}: ${pack.verdict}`;
  const s = pack.score;
  const facts: [string, string][] = [
    ['What was tested', pack.tested],
    ['Application', pack.application],
    ['Started', pack.when.startedAt],
    ['Finished', pack.when.finishedAt],
    ['Run by', pack.by.actor],
    ['Approved by', pack.by.approver ?? 'no approval needed'],
    ['Failed Region', pack.regions.failed],
    ['Surviving Region', pack.regions.surviving],
    ['Fault', pack.fault.description],
    ['Injected by', pack.fault.method],
    ['Injected at', pack.fault.injectedAt ?? 'never (the fault did not fire)'],
  ];
  const links = pack.links.map((l) => `<li><a href="${e(l.href)}">${e(l.label)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head><body><main>
<h1>${e(title)}</h1>
<div class="verdict ${TONE[pack.verdict]}">${e(pack.verdict)} — ${e(pack.reasons[0] ?? '')}</div>
<h2>What was tested, when, by whom</h2>
<dl class="facts">${facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>
<h2>Verdict: ${e(pack.verdict)}</h2>
${list(pack.reasons, 'No reason given.')}
<h2>RTO and RPO against their targets</h2>
${objectivesTable(pack)}
<h2>Score: the missing-transaction report against what shoppers were told</h2>
<p>${s.acknowledged.writes} acknowledged write(s) of ${s.acknowledged.orders} order(s)
(${Object.entries(s.acknowledged.byKind)
    .map(([k, n]) => `${e(k)} ${n}`)
    .join(', ')});
recall ${percent(s.recall)}, precision ${percent(s.precision)}; ${s.duplicates.length} duplicate(s);
${s.unexplained.length} unexplained row(s); reports: ${s.reports.map((r) => `${e(r.database)} ${e(r.status)}`).join(', ') || 'none'}.</p>
${scoreTable(pack)}
<h2>Timeline</h2>
<ol class="timeline">${pack.timeline.map((t) => `<li><time datetime="${e(t.at)}">${e(t.at)}</time>${e(t.what)}</li>`).join('')}</ol>
<h2>Deviations</h2>
${list(pack.deviations, 'None.')}
${links ? `<h2>Related records</h2><ul>${links}</ul>` : ''}
<footer>Format ${e(pack.format)}; generated ${e(pack.when.generatedAt)}. evidence.json sha256 <span class="ids">${e(jsonSha256)}</span>;
evidence.sha256 holds the sha256 of evidence.json and of this page (check with <code>sha256sum -c evidence.sha256</code>).</footer>
</main></body></html>
`;
}
