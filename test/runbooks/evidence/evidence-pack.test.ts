import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeEvidencePack } from '../../../runbooks/evidence/evidence-files';
import { buildEvidencePack, EVIDENCE_PACK_FORMAT } from '../../../runbooks/evidence/evidence-pack';
import { uuid } from '../scoring/score-fixture';
import { evidenceInput } from './evidence-fixture';

describe('buildEvidencePack', () => {
  test('GIVEN a scored game day WHEN built THEN evidence.json says what, when, who, the fault, the verdict and the score', () => {
    const pack = JSON.parse(buildEvidencePack(evidenceInput()).json);
    expect(pack).toEqual(
      expect.objectContaining({
        format: EVIDENCE_PACK_FORMAT,
        kind: 'gameday',
        id: 'gd-20261207T050000Z-ab12',
        by: { actor: 'octocat', approver: 'hubot' },
        regions: { failed: 'us-east-1', surviving: 'us-west-2' },
        verdict: 'FAILED',
        reasons: [
          `1 lost update(s) the shoppers were told succeeded are not in the report as such: ${uuid(2)} not listed.`,
        ],
      }),
    );
    expect(pack.timeline.map((t: { what: string }) => t.what)).toEqual([
      'FIS experiment started',
      'Canary alarm in us-east-1',
      'First checkout in us-west-2',
    ]);
    expect(pack.rto.totalMs).toBe(17_000);
    expect(pack.score.classes.possible_duplicate.found).toBe(1);
    expect(pack.deviations.at(-1)).toBe('The old Region took 2 h 10 min to return.');
  });

  test('GIVEN the same input WHEN built twice THEN the bytes are the same', () => {
    expect(buildEvidencePack(evidenceInput())).toEqual(buildEvidencePack(evidenceInput()));
  });

  test('GIVEN the written pack WHEN checked with sha256sum -c THEN it passes, and fails once a file is changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evidence-'));
    try {
      const paths = await writeEvidencePack(dir, buildEvidencePack(evidenceInput()));
      expect(execFileSync('sha256sum', ['-c', 'evidence.sha256'], { cwd: dir, encoding: 'utf8' })).toBe(
        'evidence.json: OK\nevidence.html: OK\n',
      );
      await writeFile(paths.json, (await readFile(paths.json, 'utf8')).replace('"FAILED"', '"PASSED"'));
      expect(() => execFileSync('sha256sum', ['-c', 'evidence.sha256'], { cwd: dir, stdio: 'pipe' })).toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN text with markup WHEN built THEN the page shows it as text', () => {
    const { html } = buildEvidencePack(evidenceInput({ actor: '<script>alert(1)</script>' }));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  test('GIVEN a run verdict other than the score verdict WHEN built THEN the pack and its page carry the run verdict and its reasons, and the score verdict only under score (review 16c S1)', () => {
    const score = {
      ...evidenceInput().score,
      verdict: 'PASSED' as const,
      reasons: ['RTO 17.0 s is within the target.'],
    };
    const built = buildEvidencePack(
      evidenceInput({
        score,
        verdict: 'INCONCLUSIVE',
        reasons: ['the missing-transaction report of catalog is not at s3://r/catalog/report.json', ...score.reasons],
      }),
    );
    const pack = JSON.parse(built.json);
    expect(pack.verdict).toBe('INCONCLUSIVE');
    expect(pack.reasons[0]).toBe('the missing-transaction report of catalog is not at s3://r/catalog/report.json');
    expect(pack.score.verdict).toBe('PASSED');
    expect(built.html).toContain('<h2>Verdict: INCONCLUSIVE</h2>');
    expect(built.html).not.toContain('Verdict: PASSED');
  });

  test('GIVEN a run verdict PASSED over a score that is not PASSED, or no run verdict WHEN built THEN it refuses naming the field (review 16c S1)', () => {
    expect(() => buildEvidencePack(evidenceInput({ verdict: 'PASSED' }))).toThrow(
      'evidence pack: 1 bad field(s): verdict: "PASSED"; accepted: FAILED or INCONCLUSIVE when the score is FAILED (a run cannot pass what its score did not)',
    );
    expect(() => buildEvidencePack(evidenceInput({ verdict: 'MAYBE' as never, reasons: undefined as never }))).toThrow(
      'evidence pack: 2 bad field(s): verdict: "MAYBE"; accepted: PASSED, FAILED or INCONCLUSIVE; reasons: missing; accepted: a list of non-empty strings, at least one',
    );
  });

  test('GIVEN bad fields WHEN built THEN the error names each field, its value and what is accepted', () => {
    expect(() =>
      buildEvidencePack(
        evidenceInput({
          actor: '',
          startedAt: 'yesterday',
          approver: ' ',
          links: [{ label: 'x', href: 'javascript:alert(1)' }],
        }),
      ),
    ).toThrow(
      'evidence pack: 4 bad field(s): actor: ""; accepted: a non-empty string; approver: " "; accepted: a non-empty string, or null when no approval was needed; startedAt: "yesterday"; accepted: an ISO 8601 time such as "2026-12-07T05:00:00Z"; links[0].href: "javascript:alert(1)"; accepted: an https URL or a relative path without spaces',
    );
  });
});
