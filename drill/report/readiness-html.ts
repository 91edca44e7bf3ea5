import escapeHtml from 'escape-html';
import type { DrillReport } from './drill-report';
import { describeCapacityMove } from './readiness-figures';

const e = (value: unknown) => escapeHtml(String(value ?? ''));

/** The CSS of the readiness section (verdict colours; the check table stays within a phone's width). */
export const READINESS_CSS =
  '.v-GREEN{color:#2e7d32;font-weight:600}.v-RED{color:#c00;font-weight:600}.v-INCONCLUSIVE{color:#ef6c00;font-weight:600}' +
  'table.readiness td.why{font-size:.9em}';

/**
 * drill.html's readiness section (issue 17): the preflight's verdict per Region and check (what each check that is
 * not GREEN found or could not read), and what each traffic move did to the task counts.
 */
export function readinessSection(report: DrillReport): string {
  const { preflight, moves } = report.readiness;
  if (!preflight && moves.length === 0) return '';
  const regions = preflight ? Object.keys(preflight.regions) : [];
  const names = preflight
    ? [...new Set(Object.values(preflight.regions).flatMap((r) => r.checks.map((c) => c.name)))]
    : [];
  const verdict = (v: string) => `<span class="v-${e(v)}">${e(v)}</span>`;
  const rows = names
    .map((name) => {
      const cells = regions.map((region) => preflight!.regions[region]!.checks.find((c) => c.name === name));
      const why = regions
        .flatMap((region, i) =>
          [...(cells[i]?.failures ?? []), ...(cells[i]?.unknowns ?? [])].map(
            (w) => `<li>${e(region)} taking over: ${e(w)}</li>`,
          ),
        )
        .join('');
      return `<tr><td>${e(name)}</td>${cells.map((c) => `<td>${c ? verdict(c.verdict) : '–'}</td>`).join('')}</tr>${
        why ? `<tr><td class="why" colspan="${regions.length + 1}"><ul>${why}</ul></td></tr>` : ''
      }`;
    })
    .join('');
  const table = preflight
    ? `<p>Preflight: ${verdict(preflight.verdict)} — every readiness check for each Region as the one that would take over (the checks the scheduled run in AWS evaluates). The standby Region's record: <code>${e(preflight.record)}</code>.</p>
<div class="scroll"><table class="readiness"><thead><tr><th>check</th>${regions.map((r) => `<th>${e(r)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`
    : '<p>No preflight ran.</p>';
  const moveList = moves.length
    ? `<ul>${moves.map((m) => `<li>${e(m.orchestration)}: ${e(describeCapacityMove(m))}</li>`).join('')}</ul>`
    : '';
  return `<h2>Readiness</h2>\n${table}\n${moveList}`;
}
