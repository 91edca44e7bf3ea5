import * as core from '@actions/core';
import escapeHtml from 'escape-html';

/** A table of the job summary; cells are plain text (escaped when written). */
export interface SummaryTable {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** A link of the job summary; rendered as a link only when `href` is an http(s) URL. */
export interface SummaryLink {
  readonly label: string;
  readonly href: string;
}

/** One block of a job summary: a paragraph of plain text, a table or a link. */
export type SummaryBlock = string | SummaryTable | SummaryLink;

/** What a CLI reports at the end of its run. */
export interface JobSummary {
  readonly title: string;
  readonly blocks: readonly SummaryBlock[];
}

const isTable = (block: SummaryBlock): block is SummaryTable => typeof block === 'object' && 'header' in block;
const isWebLink = (href: string) => /^https?:\/\//.test(href);

/** The summary as HTML, the way GitHub renders `$GITHUB_STEP_SUMMARY`. */
export function renderHtml(summary: JobSummary): string {
  const parts = [`<h2>${escapeHtml(summary.title)}</h2>`];
  for (const block of summary.blocks) {
    if (typeof block === 'string') {
      parts.push(`<p>${escapeHtml(block)}</p>`);
    } else if (isTable(block)) {
      const head = `<tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = block.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
      parts.push(`<table>${head}${rows.join('')}</table>`);
    } else if (isWebLink(block.href)) {
      parts.push(
        `<p>${escapeHtml(block.label)}: <a href="${escapeHtml(block.href)}">${escapeHtml(block.href)}</a></p>`,
      );
    } else {
      parts.push(`<p>${escapeHtml(block.label)}: <code>${escapeHtml(block.href)}</code></p>`);
    }
  }
  return `${parts.join('\n')}\n`;
}

/** The summary as plain text with aligned columns, for a terminal. */
export function renderText(summary: JobSummary): string {
  const lines = [summary.title, '='.repeat(summary.title.length)];
  for (const block of summary.blocks) {
    if (typeof block === 'string') {
      lines.push(block);
    } else if (isTable(block)) {
      const widths = block.header.map((h, i) => Math.max(h.length, ...block.rows.map((r) => (r[i] ?? '').length)));
      const line = (cells: readonly string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      lines.push(line(block.header), line(widths.map((w) => '-'.repeat(w))), ...block.rows.map(line));
    } else {
      lines.push(`${block.label}: ${block.href}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Appends the summary to the job summary file when running in GitHub Actions (`GITHUB_STEP_SUMMARY` is set);
 * from a terminal, prints it as plain text instead.
 */
export async function writeJobSummary(summary: JobSummary, print: (text: string) => void = core.info): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    print(renderText(summary));
    return;
  }
  await core.summary.emptyBuffer().addRaw(renderHtml(summary)).write();
}
