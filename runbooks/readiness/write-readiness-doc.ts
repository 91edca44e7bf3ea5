import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { READINESS_CHECKS } from './readiness-checks';
import { readinessChecksTable, withReadinessTable } from './readiness-checks-table';

/** `npm run docs`: rewrites the readiness table of runbooks/README.md from READINESS_CHECKS. */
const readme = path.resolve(__dirname, '..', 'README.md');
const before = readFileSync(readme, 'utf8');
const after = withReadinessTable(before, readinessChecksTable(READINESS_CHECKS));
if (after !== before) writeFileSync(readme, after);
process.stdout.write(`${after === before ? 'unchanged' : 'rewrote'}: ${path.relative(process.cwd(), readme)}\n`);
