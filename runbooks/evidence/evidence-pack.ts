import { createHash } from 'node:crypto';
import type { RunScore } from '../scoring/score-run';
import { evidenceHtml } from './evidence-html';

/** Format tag of evidence.json. */
export const EVIDENCE_PACK_FORMAT = 'multi-region-shop/evidence-pack@1';

/** The files of an evidence pack, in the order evidence.sha256 lists them. */
export const EVIDENCE_FILES = { json: 'evidence.json', html: 'evidence.html', sha256: 'evidence.sha256' } as const;

/** One moment of the run, for the auditor's timeline. */
export interface EvidenceEvent {
  /** ISO 8601. */
  readonly at: string;
  readonly what: string;
}

/** A file or page that belongs with the evidence (the reports, the drill's page, the workflow run). */
export interface EvidenceLink {
  readonly label: string;
  /** A relative path next to the pack, or an https URL. */
  readonly href: string;
}

/** One input of the score, pinned by its content. */
export interface EvidenceInputFile {
  /** Where it was read, e.g. `s3 report bucket of us-west-2: <key>`. */
  readonly what: string;
  /** SHA-256 of its text (hex). */
  readonly sha256: string;
}

/** Everything an evidence pack says. */
export interface EvidenceInput {
  /** A local drill or a game day on AWS. */
  readonly kind: 'drill' | 'gameday';
  /** The game-day id (`gd-…`) or the drill's run id. */
  readonly id: string;
  /** The application and environment tested, e.g. `shop-prod`. */
  readonly application: string;
  /** What was tested, in one sentence. */
  readonly tested: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Who ran it: the GitHub actor, or the local user for a drill. */
  readonly actor: string;
  /** Who approved it (the Environment's reviewer); null when no approval was needed (a drill). */
  readonly approver: string | null;
  readonly regions: { readonly failed: string; readonly surviving: string };
  readonly fault: {
    /** What failed, in words. */
    readonly description: string;
    /** How it was injected: the FIS experiment (template and experiment id), or the drill's fault. */
    readonly method: string;
    readonly injectedAt: string | null;
  };
  /** The moments of the run, in any order (sorted in the pack). */
  readonly timeline: readonly EvidenceEvent[];
  /**
   * The verdict the run recorded (the game day's record, drill.json's status): the score's verdict is one input
   * to it, with what the score could not read and the run's own checks. PASSED only over a PASSED score.
   */
  readonly verdict: RunScore['verdict'];
  /** Why the run has that verdict, one sentence each (the score's reasons among them when they decided it). */
  readonly reasons: readonly string[];
  /** The shared scoring's judgement, kept whole under `score` in the pack. */
  readonly score: RunScore;
  /** What went otherwise than planned, besides the score's own deviations. */
  readonly deviations?: readonly string[];
  /**
   * Every input the score read (the ledger objects, the reports), with the SHA-256 of its text as read: the pack's
   * checksum then covers what was scored (review 16c S12). @default - none listed
   */
  readonly inputs?: readonly EvidenceInputFile[];
  readonly links?: readonly EvidenceLink[];
  /** When the pack was made (ISO 8601). */
  readonly generatedAt: string;
}

/** evidence.json. */
export interface EvidencePack {
  readonly format: typeof EVIDENCE_PACK_FORMAT;
  readonly kind: EvidenceInput['kind'];
  readonly id: string;
  readonly application: string;
  readonly tested: string;
  readonly when: { readonly startedAt: string; readonly finishedAt: string; readonly generatedAt: string };
  readonly by: { readonly actor: string; readonly approver: string | null };
  readonly regions: EvidenceInput['regions'];
  readonly fault: EvidenceInput['fault'];
  readonly timeline: readonly EvidenceEvent[];
  /** The run's verdict ({@link EvidenceInput.verdict}), not necessarily `score.verdict`. */
  readonly verdict: RunScore['verdict'];
  readonly reasons: readonly string[];
  readonly rto: RunScore['rto'];
  readonly rpo: RunScore['rpo'];
  readonly score: RunScore;
  /** The score's deviations, then the runner's. */
  readonly deviations: readonly string[];
  readonly inputs: readonly EvidenceInputFile[];
  readonly links: readonly EvidenceLink[];
}

/** The three files' contents. */
export interface BuiltEvidencePack {
  readonly json: string;
  readonly html: string;
  /** evidence.sha256: `<hex>  evidence.json` and `<hex>  evidence.html`, the format `sha256sum -c` reads. */
  readonly sha256: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function check(problems: string[], field: string, value: unknown, ok: boolean, accepted: string) {
  if (!ok) problems.push(`${field}: ${value === undefined ? 'missing' : JSON.stringify(value)}; accepted: ${accepted}`);
}

function validate(input: EvidenceInput): void {
  const p: string[] = [];
  const text = (field: string, value: unknown) =>
    check(p, field, value, typeof value === 'string' && value.trim() !== '', 'a non-empty string');
  const time = (field: string, value: unknown) =>
    check(
      p,
      field,
      value,
      typeof value === 'string' && ISO.test(value),
      'an ISO 8601 time such as "2026-12-07T05:00:00Z"',
    );
  check(p, 'kind', input.kind, input.kind === 'drill' || input.kind === 'gameday', '"drill" or "gameday"');
  for (const field of ['id', 'application', 'tested', 'actor'] as const) text(field, input[field]);
  check(
    p,
    'approver',
    input.approver,
    input.approver === null || (typeof input.approver === 'string' && input.approver.trim() !== ''),
    'a non-empty string, or null when no approval was needed',
  );
  for (const field of ['startedAt', 'finishedAt', 'generatedAt'] as const) time(field, input[field]);
  text('regions.failed', input.regions?.failed);
  text('regions.surviving', input.regions?.surviving);
  text('fault.description', input.fault?.description);
  text('fault.method', input.fault?.method);
  if (input.fault?.injectedAt !== null) time('fault.injectedAt', input.fault?.injectedAt);
  const verdicts = ['PASSED', 'FAILED', 'INCONCLUSIVE'];
  check(p, 'verdict', input.verdict, verdicts.includes(input.verdict), 'PASSED, FAILED or INCONCLUSIVE');
  if (input.verdict === 'PASSED' && input.score?.verdict !== 'PASSED') {
    // A run cannot pass what its own score did not: the pack is locked for years and must not contradict the score.
    check(
      p,
      'verdict',
      input.verdict,
      false,
      `FAILED or INCONCLUSIVE when the score is ${input.score?.verdict} (a run cannot pass what its score did not)`,
    );
  }
  check(
    p,
    'reasons',
    input.reasons,
    Array.isArray(input.reasons) &&
      input.reasons.length > 0 &&
      input.reasons.every((r) => typeof r === 'string' && r.trim() !== ''),
    'a list of non-empty strings, at least one',
  );
  input.timeline.forEach((event, i) => {
    time(`timeline[${i}].at`, event.at);
    text(`timeline[${i}].what`, event.what);
  });
  (input.inputs ?? []).forEach((file, i) => {
    text(`inputs[${i}].what`, file.what);
    check(p, `inputs[${i}].sha256`, file.sha256, /^[0-9a-f]{64}$/.test(file.sha256 ?? ''), '64 lowercase hex digits');
  });
  (input.links ?? []).forEach((link, i) => {
    text(`links[${i}].label`, link.label);
    check(
      p,
      `links[${i}].href`,
      link.href,
      typeof link.href === 'string' &&
        (/^https:\/\//.test(link.href) || /^(?!\/)(?![a-z][a-z0-9+.-]*:)[^\s]+$/i.test(link.href)),
      'an https URL or a relative path without spaces',
    );
  });
  if (p.length > 0) throw new Error(`evidence pack: ${p.length} bad field(s): ${p.join('; ')}`);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Builds the evidence pack of one drill or game day: evidence.json (format `multi-region-shop/evidence-pack@1`),
 * evidence.html (the same, for an auditor: what was tested, when, by whom, the fault, the timeline, the run's verdict
 * (the one recorded; the score's is kept under `score`),
 * RTO/RPO against their targets, the score, deviations) and evidence.sha256 over both (`sha256sum -c`). Pure: the
 * same input gives the same bytes.
 *
 * @throws Error naming every bad field, its value and what is accepted.
 */
export function buildEvidencePack(input: EvidenceInput): BuiltEvidencePack {
  validate(input);
  const pack: EvidencePack = {
    format: EVIDENCE_PACK_FORMAT,
    kind: input.kind,
    id: input.id,
    application: input.application,
    tested: input.tested,
    when: { startedAt: input.startedAt, finishedAt: input.finishedAt, generatedAt: input.generatedAt },
    by: { actor: input.actor, approver: input.approver },
    regions: input.regions,
    fault: input.fault,
    timeline: [...input.timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.what.localeCompare(b.what)),
    verdict: input.verdict,
    reasons: input.reasons,
    rto: input.score.rto,
    rpo: input.score.rpo,
    score: input.score,
    deviations: [...input.score.deviations, ...(input.deviations ?? [])],
    inputs: input.inputs ?? [],
    links: input.links ?? [],
  };
  const json = `${JSON.stringify(pack, null, 2)}\n`;
  const html = evidenceHtml(pack, sha256(json));
  return {
    json,
    html,
    sha256: `${sha256(json)}  ${EVIDENCE_FILES.json}\n${sha256(html)}  ${EVIDENCE_FILES.html}\n`,
  };
}
