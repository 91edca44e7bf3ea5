import escapeHtml from 'escape-html';
import { formatTime } from '../cli-support/clock';
import type { ReadinessJudgement } from './readiness-judgement';
import { type IssueOutcome, problemRows, regionStates } from './readiness-summary';

/** The label of the one issue readiness.yml keeps open while anything is not green. */
export const READINESS_ISSUE_LABEL = 'readiness';

/** The marker in the body of the issue this workflow owns (an issue someone else labelled is left alone). */
export const ISSUE_MARKER = '<!-- readiness.yml: managed issue -->';

const FINGERPRINT = /<!-- readiness-state: ([^>]*) -->/;

/** An issue as readiness.yml reads it. */
export interface TrackedIssue {
  readonly number: number;
  readonly body: string;
  readonly url: string;
  readonly labels: readonly string[];
}

/** The GitHub issues calls readiness.yml makes (REST, with the job's GITHUB_TOKEN: `issues: write`). */
export interface IssueTracker {
  /** Open issues (not pull requests) with `label`. */
  listOpen(label: string): Promise<TrackedIssue[]>;
  create(issue: { title: string; body: string; labels: readonly string[] }): Promise<TrackedIssue>;
  update(number: number, fields: { title?: string; body?: string; state?: 'closed' }): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  /** Adds `labels` to an issue; answers the issue's labels afterwards. */
  addLabels(number: number, labels: readonly string[]): Promise<readonly string[]>;
}

/**
 * Text from a record as inert Markdown: HTML escaped, Markdown punctuation backslash-escaped, `@` as an entity (a
 * failure that names `@someone` must not mention anyone), new lines as spaces (a table cell is one line).
 */
export function markdownText(value: string): string {
  return escapeHtml(value.replace(/\s*\n\s*/g, ' '))
    .replace(/[\\`*_{}[\]()#+\-!|~>]/g, (c) => `\\${c}`)
    .replace(/@/g, '&#64;');
}

/**
 * What is not green, as a stable text: the Regions' statuses and each not-green check with its verdict. A later run
 * comments on the issue only when it changed (the body is refreshed on every red run).
 */
export function stateFingerprint(judgement: ReadinessJudgement): string {
  return judgement.regions
    .map((region) =>
      [`${region.region}=${region.status}`, ...region.problems.map((p) => `${p.name}:${p.verdict}`)].join(','),
    )
    .join(';');
}

/** The issue's title: stable while open, the state is in the body. */
export function issueTitle(appEnv: string): string {
  return `Readiness not green: ${appEnv}`;
}

/** The issue body: the state of each Region, every check that is not green with what red means, the run's link. */
export function issueBody(judgement: ReadinessJudgement, appEnv: string, runUrl?: string): string {
  const cell = (value: string) => markdownText(value);
  const lines = [
    ISSUE_MARKER,
    `<!-- readiness-state: ${escapeHtml(stateFingerprint(judgement)).replace(/-->/g, '')} -->`,
    `Readiness of **${cell(appEnv)}** is not green (${cell(regionStates(judgement))}) as of ${formatTime(judgement.judgedAt)}.`,
    'readiness.yml keeps this issue up to date every run and closes it once both Regions are GREEN again.',
    '',
    '| Region | status | why |',
    '| --- | --- | --- |',
    ...judgement.regions.map((r) => `| ${cell(r.region)} | ${r.status} | ${cell(r.reason)} |`),
  ];
  for (const region of judgement.regions) {
    if (region.problems.length === 0) continue;
    lines.push(
      '',
      `### Checks not green in ${cell(region.region)}`,
      '',
      '| check | verdict | found | what red means |',
      '| --- | --- | --- | --- |',
      ...problemRows(region).map((row) => `| ${row.map(cell).join(' | ')} |`),
    );
  }
  lines.push(
    '',
    `A record older than ${judgement.maxAgeMinutes} minutes is stale; a missing, unreadable or stale record is not green (fail closed).`,
  );
  if (runUrl) lines.push('', `Latest run: ${runUrl}`);
  return withinBodyLimit(lines.join('\n'), runUrl);
}

/**
 * The longest issue body GitHub takes: a longer one is refused with 422 "body is too long (maximum is 65536
 * characters)" (the API's answer to "Create an issue"; the limit is not on the REST reference page), and the issue
 * would never be opened.
 */
export const ISSUE_BODY_LIMIT = 65_536;

/** `body`, cut at a line end when longer than {@link ISSUE_BODY_LIMIT} (the marker and the state come first). */
function withinBodyLimit(body: string, runUrl?: string): string {
  if (body.length <= ISSUE_BODY_LIMIT) return body;
  const tail = (more: number) =>
    `\n\n… cut here: ${more} more characters; the job summary of the run has every line${runUrl ? ` (${runUrl})` : ''}.`;
  // Room for the tail, whose count has at most as many digits as the body's length.
  const room = ISSUE_BODY_LIMIT - tail(body.length).length;
  // At a line end unless that loses a long line (one table row holds a check's every failure).
  const lineEnd = body.lastIndexOf('\n', room);
  const cut = lineEnd > 0 && room - lineEnd < 2000 ? lineEnd : room;
  return `${body.slice(0, cut)}${tail(body.length - cut)}`;
}

/** The fingerprint an issue body carries, if any. */
export function fingerprintOf(body: string): string | undefined {
  return FINGERPRINT.exec(body)?.[1];
}

/**
 * Keeps one issue open while anything is not green: opens it (label {@link READINESS_ISSUE_LABEL}) when none of
 * this workflow's issues is open; otherwise refreshes the body of the oldest and comments when the state changed;
 * once green, closes every open one with a comment. Issues with the label but without {@link ISSUE_MARKER} are not
 * this workflow's and are left alone. Any GitHub error propagates (the caller reports it and fails the job).
 */
export async function reconcileReadinessIssue(
  judgement: ReadinessJudgement,
  tracker: IssueTracker,
  context: { readonly appEnv: string; readonly runUrl?: string },
): Promise<IssueOutcome> {
  const open = (await tracker.listOpen(READINESS_ISSUE_LABEL))
    .filter((issue) => issue.body.includes(ISSUE_MARKER))
    .sort((a, b) => a.number - b.number);
  const run = context.runUrl ? ` (${context.runUrl})` : '';
  if (judgement.green) {
    if (open.length === 0) return { kind: 'none' };
    for (const issue of open) {
      await tracker.comment(
        issue.number,
        `Green again at ${formatTime(judgement.judgedAt)}: ${markdownText(regionStates(judgement))}${run}. Closing.`,
      );
      await tracker.update(issue.number, { state: 'closed' });
    }
    return { kind: 'closed', numbers: open.map((issue) => issue.number) };
  }
  const body = issueBody(judgement, context.appEnv, context.runUrl);
  const [current, ...duplicates] = open;
  if (!current) {
    const created = await tracker.create({
      title: issueTitle(context.appEnv),
      body,
      labels: [READINESS_ISSUE_LABEL],
    });
    await ensureLabelled(created, tracker);
    return { kind: 'opened', number: created.number, url: created.url };
  }
  const changed = fingerprintOf(current.body) !== fingerprintOf(body);
  await tracker.update(current.number, { body });
  if (changed) {
    await tracker.comment(
      current.number,
      `Changed at ${formatTime(judgement.judgedAt)}: ${markdownText(regionStates(judgement))}${run}. The body shows the checks.`,
    );
  }
  // One issue: another open one of this workflow (reopened by hand, or left by a run that failed half-way) would go
  // stale beside it, its body never refreshed, until everything is green again.
  for (const duplicate of duplicates) {
    await tracker.comment(
      duplicate.number,
      `A duplicate of #${current.number}${current.url ? ` (${current.url})` : ''}, which readiness.yml keeps up to date. Closing.`,
    );
    await tracker.update(duplicate.number, { state: 'closed' });
  }
  return {
    kind: 'updated',
    number: current.number,
    url: current.url,
    commented: changed,
    ...(duplicates.length > 0 ? { duplicatesClosed: duplicates.map((d) => d.number) } : {}),
  };
}

/**
 * Makes sure a created issue carries {@link READINESS_ISSUE_LABEL}, by which the next run finds it. GitHub REST "Create
 * an issue", labels: "Only users with push access can set labels for new issues. Labels are silently dropped
 * otherwise." (whether the job's token, `issues: write` and `contents: read`, has it is unverified), so a label missing
 * from the answer is added with "Add labels to an issue"; when it is still missing, this throws (the job fails naming
 * the issue) rather than leave an issue the next run would not find and open again.
 */
async function ensureLabelled(issue: TrackedIssue, tracker: IssueTracker): Promise<void> {
  if (issue.labels.includes(READINESS_ISSUE_LABEL)) return;
  const labels = await tracker.addLabels(issue.number, [READINESS_ISSUE_LABEL]);
  if (labels.includes(READINESS_ISSUE_LABEL)) return;
  throw new Error(
    `GitHub created issue #${issue.number} (${issue.url}) without the label ${JSON.stringify(READINESS_ISSUE_LABEL)} and did not add it (labels now: ${labels.join(', ') || 'none'}); the next run cannot find it and would open another: create the label ${READINESS_ISSUE_LABEL} in the repository and check the token may set labels`,
  );
}

/** How long one GitHub API call may take. */
const TIMEOUT_MS = 10_000;

interface IssueJson {
  readonly number?: number;
  readonly body?: string | null;
  readonly html_url?: string;
  readonly labels?: readonly (string | { readonly name?: string })[];
  readonly pull_request?: unknown;
}

/**
 * {@link IssueTracker} over GitHub's REST API with the job's token: "List repository issues" (`GET
 * /repos/{owner}/{repo}/issues?state=open&labels=…`, which also lists pull requests, dropped here), "Create an issue"
 * (`POST /repos/{owner}/{repo}/issues`), "Update an issue" (`PATCH /repos/{owner}/{repo}/issues/{issue_number}`),
 * "Create an issue comment" (`POST /repos/{owner}/{repo}/issues/{issue_number}/comments`), "Add labels to an issue"
 * (`POST /repos/{owner}/{repo}/issues/{issue_number}/labels`). The job grants
 * `issues: write` only.
 */
export class GitHubIssueTracker implements IssueTracker {
  constructor(
    private readonly api: string,
    private readonly repository: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /**
   * Every page: "When a response is paginated, the response headers will include a link header" whose URL followed by
   * `rel="next"` is the next page (GitHub, "Using pagination in the REST API"); pull requests with the label are listed
   * too and may fill the first pages. Only a next page on {@link api} is followed (it gets the token).
   */
  async listOpen(label: string): Promise<TrackedIssue[]> {
    const issues: TrackedIssue[] = [];
    let url: string | undefined =
      `${this.api}/repos/${this.repository}/issues?state=open&labels=${encodeURIComponent(label)}&per_page=100`;
    for (let page = 1; url; page++) {
      if (page > MAX_PAGES) {
        throw new Error(`GitHub: more than ${MAX_PAGES * 100} open issues and pull requests labelled ${label}`);
      }
      const { json, link } = await this.send('GET', url);
      if (!Array.isArray(json)) throw new Error('GitHub: the list of issues is not a list');
      issues.push(...(json as IssueJson[]).filter((item) => item.pull_request === undefined).map(toIssue));
      url = nextPage(link);
      if (url !== undefined && !url.startsWith(`${this.api}/`)) {
        throw new Error(`GitHub: the next page of issues is not on ${this.api}: ${url}`);
      }
    }
    return issues;
  }

  async create(issue: { title: string; body: string; labels: readonly string[] }): Promise<TrackedIssue> {
    return toIssue((await this.request('POST', '/issues', issue)) as IssueJson);
  }

  async update(number: number, fields: { title?: string; body?: string; state?: 'closed' }): Promise<void> {
    await this.request('PATCH', `/issues/${number}`, {
      ...fields,
      ...(fields.state === 'closed' ? { state_reason: 'completed' } : {}),
    });
  }

  async comment(number: number, body: string): Promise<void> {
    await this.request('POST', `/issues/${number}/comments`, { body });
  }

  /** "Add labels to an issue" (`POST /repos/{owner}/{repo}/issues/{issue_number}/labels`): answers the label list. */
  async addLabels(number: number, labels: readonly string[]): Promise<readonly string[]> {
    const answer = (await this.request('POST', `/issues/${number}/labels`, { labels })) as IssueJson['labels'];
    if (!Array.isArray(answer)) throw new Error(`GitHub: the labels of issue #${number} are not a list`);
    return toIssue({ number, labels: answer }).labels;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    return (await this.send(method, `${this.api}/repos/${this.repository}${path}`, body)).json;
  }

  private async send(method: string, url: string, body?: unknown): Promise<{ json: unknown; link: string | null }> {
    const path = url.startsWith(`${this.api}/repos/${this.repository}`)
      ? url.slice(`${this.api}/repos/${this.repository}`.length)
      : url;
    const response = await this.fetchImpl(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.token}`,
        'x-github-api-version': '2022-11-28',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 300);
      throw new Error(`GitHub ${method} ${path}: HTTP ${response.status}${text ? `: ${text}` : ''}`);
    }
    return { json: (await response.json()) as unknown, link: response.headers.get('link') };
  }
}

/** Pages of 100 {@link GitHubIssueTracker.listOpen} reads at most. */
const MAX_PAGES = 20;

/** The URL of the `link` header marked `rel="next"`, if any. */
function nextPage(link: string | null): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const match = /^\s*<([^>]+)>\s*;.*\brel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

function toIssue(item: IssueJson): TrackedIssue {
  if (typeof item.number !== 'number') throw new Error('GitHub: an issue without a number');
  return {
    number: item.number,
    body: item.body ?? '',
    url: item.html_url ?? '',
    labels: (item.labels ?? []).map((label) => (typeof label === 'string' ? label : (label.name ?? ''))),
  };
}
