import { loadConfig } from '../../config';
import { costReport, usd } from '../../cost/cost-report';
import { main, RELEASE_CHANGE_EXIT } from '../../cost/release-change';
import type { CostLine } from '../../cost/template-cost';
import { templatesOf } from './synthesized-cost';

type Report = ReturnType<typeof costReport>;

/** The default configuration's report, as `npm run cost -- --json` writes it. */
const base: Report = JSON.parse(JSON.stringify(costReport(loadConfig({}), templatesOf())));

function withLines(report: Report, mode: keyof Report['modes'], lines: CostLine[]): Report {
  const totalUsd = lines.reduce((sum, line) => sum + (line.monthlyUsd ?? 0), 0);
  const complete = lines.every((line) => line.monthlyUsd !== undefined);
  return { ...report, modes: { ...report.modes, [mode]: { ...report.modes[mode], lines, totalUsd, complete } } };
}

function run(argv: string[], files: Record<string, string | Report>) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = main(argv, {
    stdout: (s) => stdout.push(s),
    stderr: (s) => stderr.push(s),
    readFile: (file) => {
      const content = files[file];
      if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
      return typeof content === 'string' ? content : JSON.stringify(content);
    },
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const arcLines = base.modes['arc-cluster'].lines;
const nat = arcLines.find((line) => line.component === 'NAT gateway')!;

describe('cost/release-change: the change in monthly cost a release brings', () => {
  test('GIVEN the same report before and after THEN each mode shows no change and no component is listed', () => {
    const result = run(['--before', 'b.json', '--after', 'a.json'], { 'b.json': base, 'a.json': base });
    expect(result.code).toBe(RELEASE_CHANGE_EXIT.ok);
    const arc = base.modes['arc-cluster'].totalUsd;
    expect(result.stdout).toContain(`| arc-cluster (configured) | ${usd(arc)} | ${usd(arc)} | ${usd(0)} |`);
    expect(result.stdout).toContain('No component changed its monthly cost.');
  });

  test('GIVEN a component added, one removed and one changed THEN totals, difference and each component are shown, the configured mode first', () => {
    // GIVEN after: the NAT gateways cost twice as much, one line removed, one line added
    const alone = (line: CostLine) =>
      arcLines.filter((other) => other.component === line.component && other.region === line.region).length === 1;
    const removed = arcLines.find(
      (line) => line.component !== 'NAT gateway' && line.monthlyUsd !== undefined && alone(line),
    )!;
    const added: CostLine = { ...nat, component: 'Extra thing', region: 'eu-west-1', monthlyUsd: 10, quantity: 1 };
    const changedNat = arcLines.map((line) =>
      line === nat ? { ...line, quantity: line.quantity * 2, monthlyUsd: line.monthlyUsd! * 2 } : line,
    );
    const after = withLines(base, 'arc-cluster', [...changedNat.filter((line) => line !== removed), added]);
    const result = run(['--before', 'b.json', '--after', 'a.json'], { 'b.json': base, 'a.json': after });
    expect(result.code).toBe(RELEASE_CHANGE_EXIT.ok);
    const before = base.modes['arc-cluster'].totalUsd;
    const now = after.modes['arc-cluster'].totalUsd;
    // THEN the configured mode's total row comes before the other mode's
    const arcRow = `| arc-cluster (configured) | ${usd(before)} | ${usd(now)} | +${usd(now - before)} |`;
    expect(result.stdout).toContain(arcRow);
    expect(result.stdout.indexOf(arcRow)).toBeLessThan(result.stdout.indexOf('| region-switch |'));
    // AND the components that changed, with how
    const natBefore = arcLines.filter((l) => l.component === 'NAT gateway' && l.region === nat.region);
    const natSum = natBefore.reduce((sum, l) => sum + l.monthlyUsd!, 0);
    expect(result.stdout).toContain(
      `| arc-cluster | changed | NAT gateway | ${nat.region} | ${usd(natSum)} | ${usd(natSum + nat.monthlyUsd!)} | +${usd(nat.monthlyUsd!)} |`,
    );
    expect(result.stdout).toContain(`| arc-cluster | added | Extra thing | eu-west-1 | - | ${usd(10)} | +${usd(10)} |`);
    expect(result.stdout).toMatch(new RegExp(`\\| arc-cluster \\| removed \\| ${regexEscape(removed.component)} \\|`));
    // AND region-switch, unchanged, lists nothing
    expect(result.stdout).not.toMatch(/\| region-switch \| (added|removed|changed) \|/);
  });

  test('GIVEN a NOT PRICED line after THEN the total says incomplete and no difference is made up', () => {
    const unpriced = arcLines.map((line) =>
      line === nat ? { ...line, monthlyUsd: undefined, unitMonthlyUsd: undefined, notPriced: 'no price' } : line,
    );
    const after = withLines(base, 'arc-cluster', unpriced);
    const result = run(['--before', 'b.json', '--after', 'a.json'], { 'b.json': base, 'a.json': after });
    expect(result.code).toBe(RELEASE_CHANGE_EXIT.ok);
    expect(result.stdout).toContain(
      `| arc-cluster (configured) | ${usd(base.modes['arc-cluster'].totalUsd)} | ${usd(after.modes['arc-cluster'].totalUsd)} + NOT PRICED | not known (NOT PRICED lines) |`,
    );
    expect(result.stdout).toContain(`| arc-cluster | changed | NAT gateway | ${nat.region} |`);
    expect(result.stdout).toContain('NOT PRICED | not known |');
    expect(result.stdout).toContain('The after report is incomplete');
  });

  test.each([
    ['missing', {}],
    ['not JSON', { 'b.json': '{not json' }],
    ['not a cost report', { 'b.json': '{"modes":{}}' }],
  ])(
    'GIVEN a --before file %s THEN it says "no previous cost report" and shows the current totals (exit 0)',
    (_, before) => {
      const result = run(['--before', 'b.json', '--after', 'a.json'], { ...before, 'a.json': base });
      expect(result.code).toBe(RELEASE_CHANGE_EXIT.ok);
      expect(result.stdout).toContain('no previous cost report');
      expect(result.stdout).toContain(`| arc-cluster (configured) | ${usd(base.modes['arc-cluster'].totalUsd)} |`);
    },
  );

  test('GIVEN an unreadable --after THEN exit 2 naming the flag, the value and what is accepted', () => {
    const result = run(['--before', 'b.json', '--after', 'a.json'], { 'b.json': base });
    expect(result).toEqual({
      code: RELEASE_CHANGE_EXIT.usage,
      stdout: '',
      stderr: expect.stringMatching(
        /^error: --after: "a\.json" cannot be read as a cost report \(.*\); accepted: a file written by npm run cost -- --json \(e\.g\. cost\/monthly-cost\.json\)$/,
      ),
    });
  });

  test.each([
    [['--after', 'a.json'], "error: required option '--before <file>' not specified"],
    [['--before', 'b.json'], "error: required option '--after <file>' not specified"],
    [['--before', 'b.json', '--after', 'a.json', '--yaml'], "error: unknown option '--yaml'"],
  ])('GIVEN %j THEN exit 2 naming the flag and what is accepted', (argv, message) => {
    const result = run(argv, { 'b.json': base, 'a.json': base });
    expect(result.code).toBe(RELEASE_CHANGE_EXIT.usage);
    expect(result.stderr).toBe(
      `${message}\n(accepted: --before <file> --after <file>, two npm run cost -- --json reports)`,
    );
  });
});

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
