import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { costReport, renderCostReport } from './cost-report';
import { MONTHLY_COST_FILE, monthlyCostJson } from './monthly-cost-file';
import { synthesizeRoutingModes } from './routing-mode-templates';

/**
 * Part of `npm run docs`: rewrites README.md's "What it costs" table with what `npm run cost` prints for the default
 * configuration (up to the price table, which the README points to), and writes the same report as JSON to
 * cost/monthly-cost.json (what `npm run cost -- --json` prints, with a `generated` note), which the deploy summary
 * compares with the previous commit's. Tests fail when they differ.
 */
const root = path.resolve(__dirname, '..');
const readme = path.join(root, 'README.md');
const context = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
const config = loadConfig({});
const report = costReport(config, synthesizeRoutingModes(config, context));
const printed = renderCostReport(report).split('\nPrice table')[0]!.trimEnd();
const before = readFileSync(readme, 'utf8');
const block = /(## What it costs[\s\S]*?```text\n)([\s\S]*?)(\n```)/;
if (!block.test(before)) throw new Error('README.md has no "What it costs" section with a ```text block');
const after = before.replace(block, (_, head: string, _old: string, tail: string) => `${head}${printed}${tail}`);
if (after !== before) writeFileSync(readme, after);
process.stdout.write(`${after === before ? 'unchanged' : 'rewrote'}: README.md (What it costs)\n`);

const jsonFile = path.join(root, MONTHLY_COST_FILE);
const json = monthlyCostJson(report);
let previous: string | undefined;
try {
  previous = readFileSync(jsonFile, 'utf8');
} catch {
  previous = undefined;
}
if (previous !== json) writeFileSync(jsonFile, json);
process.stdout.write(`${previous === json ? 'unchanged' : 'rewrote'}: ${MONTHLY_COST_FILE}\n`);
