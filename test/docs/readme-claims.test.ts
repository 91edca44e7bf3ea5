import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_ENVIRONMENT_VARIABLES } from '../../config/load-config';

// Issue 15 (review §7): claims of the READMEs checked against what the code does.

const REPO = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

/** The Markdown files of the repository (not dependencies, not generated output). */
function markdownFiles(dir = REPO): string[] {
  const skip = new Set(['node_modules', 'cdk.out', '.git', 'drill-report', '.local']);
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [path.relative(REPO, full)] : [];
  });
}

describe('README claims (issue 15)', () => {
  test('GIVEN the bad-config excerpt of README.md WHEN npm run synth runs with the values it names THEN it prints exactly that, alone, and exits 2', () => {
    const readme = read('README.md');
    const excerpt = /a bad one stops synth[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!/^(PRIMARY_REGION|STANDBY_REGION|CDK_.*|npm_.*)$/.test(key)) env[key] = value;
    }
    const result = spawnSync('npm', ['run', 'synth'], {
      cwd: REPO,
      env: { ...env, PRIMARY_REGION: 'us-east-1', STANDBY_REGION: 'us-east-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 2, stderr: excerpt });
  });

  test('no Markdown file cites a DESIGN document the repository does not have', () => {
    const design = existsSync(path.join(REPO, 'DESIGN.md')) || existsSync(path.join(REPO, 'docs', 'DESIGN.md'));
    const citing = markdownFiles().filter((file) => /\bDESIGN(\.md| §)/.test(read(file)));
    expect(design ? [] : citing).toEqual([]);
  });

  test("drill/README's sample output shows no path of the machine it was taken on", () => {
    const sample = /```\n(─[\s\S]*?)```/.exec(read('drill/README.md'))?.[1] ?? '';
    expect(sample).toContain('drill PASSED');
    expect(sample.match(/(^|\s)\/(work|home|root|Users|tmp)\/\S*/gm) ?? []).toEqual([]);
  });

  test('stacks/README lists the runbooks stack synth produces in each Region, and no longer says it is not deployed', () => {
    const stacks = read('stacks/README.md');
    expect(stacks).toContain('`<app>-<env>-<region>-runbooks`');
    expect(stacks).not.toMatch(/Runbook documents and Lambda steps[^.]*not part of these stages/);
  });

  test('README.md names every environment variable that overrides the configuration (issue 17: the readiness ones too)', () => {
    const configuration = /## Configuration([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
    expect(CONFIG_ENVIRONMENT_VARIABLES.filter((name) => !configuration.includes(`\`${name}\``))).toEqual([]);
  });
});
