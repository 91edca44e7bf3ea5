/**
 * `tsx cost/release-change.ts --before <file> --after <file>`: the change in monthly cost a release brings, as
 * Markdown for the deploy workflow's summary. Both files are `npm run cost -- --json` reports (the committed
 * `cost/monthly-cost.json` of the previous and the current commit). A missing or unreadable `--before` (the first
 * push, a force push, a commit before the file existed) prints "no previous cost report" and the current totals.
 * A total with NOT PRICED lines is shown as such, and no difference is computed from it.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ROUTING_MODES, type RoutingMode } from '../config';
import { type CostReport, usd } from './cost-report';
import type { CostLine } from './template-cost';

/** Exit codes of the release cost change. */
export const RELEASE_CHANGE_EXIT = { ok: 0, usage: 2 } as const;

/** Where the CLI writes and what it reads. */
export interface ReleaseChangeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads a file as UTF-8; throws when it cannot. */
  readonly readFile: (file: string) => string;
}

const ACCEPTED = 'accepted: --before <file> --after <file>, two npm run cost -- --json reports';

/** The parts of a cost report this summary reads, or why the text is not one. */
function parseReport(text: string): CostReport {
  const report = JSON.parse(text) as CostReport;
  const modeOk = (mode: RoutingMode) => {
    const cost = report?.modes?.[mode];
    return (
      cost !== undefined &&
      Array.isArray(cost.lines) &&
      typeof cost.totalUsd === 'number' &&
      typeof cost.complete === 'boolean'
    );
  };
  if (!ROUTING_MODES.includes(report?.configuredRoutingMode) || !ROUTING_MODES.every(modeOk)) {
    throw new Error(`not a cost report: it needs configuredRoutingMode and modes.{${ROUTING_MODES.join(',')}}`);
  }
  return report;
}

/** `+$1.00`, `-$1.00`, `$0.00`. */
function signed(amount: number): string {
  const rounded = Math.round(amount * 100) / 100;
  return rounded > 0 ? `+${usd(rounded)}` : usd(rounded === 0 ? 0 : rounded);
}

/** A mode's total as shown: `$123.45`, with `+ NOT PRICED` when a line has no price (the total is a lower bound). */
const totalOf = (report: CostReport, mode: RoutingMode) =>
  `${usd(report.modes[mode].totalUsd)}${report.modes[mode].complete ? '' : ' + NOT PRICED'}`;

/** The configured mode first. */
const modesOf = (report: CostReport): RoutingMode[] => [
  report.configuredRoutingMode,
  ...ROUTING_MODES.filter((mode) => mode !== report.configuredRoutingMode),
];

/** Monthly cost by component and Region; undefined when a line of it is not priced. */
function byComponent(lines: readonly CostLine[]): Map<string, number | undefined> {
  const sums = new Map<string, number | undefined>();
  for (const line of lines) {
    const key = `${line.component} | ${line.region}`;
    const previous = sums.has(key) ? sums.get(key) : 0;
    sums.set(key, previous === undefined || line.monthlyUsd === undefined ? undefined : previous + line.monthlyUsd);
  }
  return sums;
}

const money = (amount: number | undefined) => (amount === undefined ? 'NOT PRICED' : usd(amount));

/** The Markdown summary of `before` → `after`; `before` undefined with the reason when there is none. */
export function renderReleaseChange(after: CostReport, before: CostReport | { readonly missing: string }): string {
  const out = ['### Monthly cost of this release', ''];
  const notes = `prices as of ${after.pricesAsOf}, ${after.hoursPerMonth} hours a month, on demand, USD; counted from the synthesized templates (npm run cost)`;
  if ('missing' in before) {
    out.push(`no previous cost report (${before.missing}); this release's totals, ${notes}:`, '');
    out.push('| Routing mode | Monthly cost |', '|---|---:|');
    for (const mode of modesOf(after)) {
      out.push(`| ${mode}${mode === after.configuredRoutingMode ? ' (configured)' : ''} | ${totalOf(after, mode)} |`);
    }
    if (ROUTING_MODES.some((mode) => !after.modes[mode].complete)) {
      out.push('', 'The report is incomplete: a total with NOT PRICED lines is a lower bound.');
    }
    return out.join('\n');
  }
  out.push(`Before → after, ${notes}.`);
  if (before.configuredRoutingMode !== after.configuredRoutingMode) {
    out.push(`The configured routing mode changed: ${before.configuredRoutingMode} → ${after.configuredRoutingMode}.`);
  }
  if (before.pricesAsOf !== after.pricesAsOf) {
    out.push(`The price table changed: as of ${before.pricesAsOf} → as of ${after.pricesAsOf}.`);
  }
  out.push('', '| Routing mode | Before | After | Change |', '|---|---:|---:|---:|');
  for (const mode of modesOf(after)) {
    const complete = before.modes[mode].complete && after.modes[mode].complete;
    const change = complete
      ? signed(after.modes[mode].totalUsd - before.modes[mode].totalUsd)
      : 'not known (NOT PRICED lines)';
    out.push(
      `| ${mode}${mode === after.configuredRoutingMode ? ' (configured)' : ''} | ${totalOf(before, mode)} | ${totalOf(after, mode)} | ${change} |`,
    );
  }
  const rows: string[] = [];
  for (const mode of modesOf(after)) {
    const was = byComponent(before.modes[mode].lines);
    const now = byComponent(after.modes[mode].lines);
    for (const key of new Set([...was.keys(), ...now.keys()])) {
      const [a, b] = [was.get(key), now.get(key)];
      const kind = !was.has(key) ? 'added' : !now.has(key) ? 'removed' : a === b ? undefined : 'changed';
      if (kind === undefined) continue;
      const known = (a !== undefined || !was.has(key)) && (b !== undefined || !now.has(key));
      const change = known ? signed((b ?? 0) - (a ?? 0)) : 'not known';
      rows.push(
        `| ${mode} | ${kind} | ${key} | ${was.has(key) ? money(a) : '-'} | ${now.has(key) ? money(b) : '-'} | ${change} |`,
      );
    }
  }
  out.push('');
  if (rows.length === 0) out.push('No component changed its monthly cost.');
  else {
    out.push(
      'Components whose monthly cost changed:',
      '',
      '| Routing mode | What | Component | Region | Before | After | Change |',
      '|---|---|---|---|---:|---:|---:|',
      ...rows,
    );
  }
  const incomplete = [
    ...(ROUTING_MODES.some((mode) => !before.modes[mode].complete) ? ['before'] : []),
    ...(ROUTING_MODES.some((mode) => !after.modes[mode].complete) ? ['after'] : []),
  ];
  if (incomplete.length > 0) {
    out.push(
      '',
      `The ${incomplete.join(' and the ')} report is incomplete: NOT PRICED lines are left out of its totals (a lower bound), and no change is computed from them.`,
    );
  }
  return out.join('\n');
}

/** Runs the release cost change with `argv` (without `node` and the script) and returns the exit code. */
export function main(argv: readonly string[], io: ReleaseChangeIo): number {
  const program = new Command('release-change')
    .description('The change in monthly cost between two npm run cost -- --json reports, as Markdown')
    .requiredOption('--before <file>', "the previous commit's report (missing or unreadable: no previous cost report)")
    .requiredOption('--after <file>', "this commit's report")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) })
    .showHelpAfterError(`(${ACCEPTED})`);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help'
        ? RELEASE_CHANGE_EXIT.ok
        : RELEASE_CHANGE_EXIT.usage;
    }
    throw error;
  }
  const options = program.opts<{ before: string; after: string }>();
  let after: CostReport;
  try {
    after = parseReport(io.readFile(options.after));
  } catch (error) {
    io.stderr(
      `error: --after: ${JSON.stringify(options.after)} cannot be read as a cost report (${(error as Error).message}); accepted: a file written by npm run cost -- --json (e.g. cost/monthly-cost.json)`,
    );
    return RELEASE_CHANGE_EXIT.usage;
  }
  let before: CostReport | { missing: string };
  try {
    before = parseReport(io.readFile(options.before));
  } catch (error) {
    before = { missing: `${options.before}: ${(error as Error).message}` };
  }
  io.stdout(renderReleaseChange(after, before));
  return RELEASE_CHANGE_EXIT.ok;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(`${s}\n`),
    stderr: (s) => process.stderr.write(`${s}\n`),
    readFile: (file) => readFileSync(file, 'utf8'),
  });
}
