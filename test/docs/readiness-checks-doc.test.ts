import { readFileSync } from 'node:fs';
import path from 'node:path';
import { READINESS_CHECKS } from '../../runbooks/readiness/readiness-checks';
import {
  READINESS_TABLE_END,
  READINESS_TABLE_START,
  readinessChecksTable,
  withReadinessTable,
} from '../../runbooks/readiness/readiness-checks-table';

// Issue 17: every readiness check is in runbooks/README with what it checks and what red means for the person on
// call, written from the checks' own title and whenRed (one definition).

const README = path.resolve(__dirname, '..', '..', 'runbooks', 'README.md');

describe('the readiness table of runbooks/README (issue 17)', () => {
  test('GIVEN the README WHEN the table is generated from READINESS_CHECKS THEN it is what the README holds (run `npm run docs` after changing a check)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(withReadinessTable(readme, readinessChecksTable(READINESS_CHECKS)));
  });

  test('GIVEN the table THEN each check has a row with its name, scope, title and whenRed', () => {
    const table = readinessChecksTable(READINESS_CHECKS);
    const rows = table.split('\n').slice(2);
    expect(rows).toHaveLength(READINESS_CHECKS.length);
    READINESS_CHECKS.forEach((check, i) => {
      expect(rows[i]).toContain(`\`${check.name}\``);
      expect(rows[i]).toContain(`| ${check.scope} |`);
      expect(rows[i]).toContain(check.whenRed.replace(/\|/g, '\\|'));
    });
  });

  test('GIVEN a cell with a | WHEN rendered THEN it is escaped so the row keeps four cells', () => {
    const [check] = READINESS_CHECKS;
    const table = readinessChecksTable([{ ...check, title: 'a | b', whenRed: 'c\nd' }]);
    const row = table.split('\n')[2];
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6);
    expect(row).toContain('c d');
  });

  test('GIVEN markdown without the markers WHEN the table is written THEN it says which markers are missing', () => {
    expect(() => withReadinessTable('# no table', 'x')).toThrow(READINESS_TABLE_START);
    expect(withReadinessTable(`a\n${READINESS_TABLE_START}\nold\n${READINESS_TABLE_END}\nb`, 'new')).toBe(
      `a\n${READINESS_TABLE_START}\n\nnew\n\n${READINESS_TABLE_END}\nb`,
    );
  });
});
