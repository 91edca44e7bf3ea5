import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { costReport } from '../../cost/cost-report';
import { MONTHLY_COST_FILE, MONTHLY_COST_GENERATED, monthlyCostJson } from '../../cost/monthly-cost-file';
import { REPO_ROOT, templatesOf } from './synthesized-cost';

describe('cost/monthly-cost.json, the committed cost report the deploy summary compares', () => {
  // The report npm run cost -- --json prints for the default configuration (cli.ts: JSON.stringify(report, null, 2)).
  const report = costReport(loadConfig({}), templatesOf());
  const committed = fs.readFileSync(path.join(REPO_ROOT, MONTHLY_COST_FILE), 'utf8');

  test('is exactly what npm run docs writes for the default configuration (run `npm run docs` to rewrite it)', () => {
    expect(committed).toBe(monthlyCostJson(report));
  });

  test('is the npm run cost -- --json report with a generated note as its first key', () => {
    const { generated, ...rest } = JSON.parse(committed);
    expect(Object.keys(JSON.parse(committed))[0]).toBe('generated');
    expect(generated).toBe(MONTHLY_COST_GENERATED);
    expect(JSON.stringify(rest, null, 2)).toBe(JSON.stringify(report, null, 2));
  });
});
