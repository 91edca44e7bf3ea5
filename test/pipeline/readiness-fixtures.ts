import type { IssueTracker, TrackedIssue } from '../../.github/actions/readiness/readiness-issue';
import type { LatestReadiness } from '../../.github/actions/readiness/readiness-reader';
import { READINESS_RECORD_SCHEMA, type ReadinessRecord } from '../../runbooks/readiness/readiness-record';

/** A readiness-record@1 of shop-dev written in `region` about `region`, finished at `finishedAt`. */
export function readinessRecord(
  region: string,
  otherRegion: string,
  finishedAt: Date,
  checks: { name: string; verdict: 'GREEN' | 'RED' | 'INCONCLUSIVE'; failures?: string[]; unknowns?: string[] }[] = [
    { name: 'image-parity', verdict: 'GREEN' },
    { name: 'capacity-headroom', verdict: 'GREEN' },
  ],
): ReadinessRecord {
  const verdicts = checks.map((c) => c.verdict);
  const verdict = verdicts.includes('RED') ? 'RED' : verdicts.includes('INCONCLUSIVE') ? 'INCONCLUSIVE' : 'GREEN';
  return {
    schema: READINESS_RECORD_SCHEMA,
    appName: 'shop',
    envName: 'dev',
    region,
    targetRegion: region,
    otherRegion,
    startedAt: new Date(finishedAt.getTime() - 40_000).toISOString(),
    finishedAt: finishedAt.toISOString(),
    verdict,
    checks: checks.map((c) => ({
      name: c.name,
      title: `the ${c.name} check`,
      scope: 'standing' as const,
      whenRed: `${c.name} red: fix it before a failover`,
      verdict: c.verdict,
      failures: c.failures ?? (c.verdict === 'RED' ? [`${c.name} failed in ${region}`] : []),
      unknowns: c.unknowns ?? (c.verdict === 'INCONCLUSIVE' ? [`${c.name} could not be read`] : []),
      notes: [],
      evidence: {},
      elapsedMs: 12,
    })),
  };
}

/** The reader's answer for a record. */
export const found = (record: ReadinessRecord): LatestReadiness => ({
  kind: 'record',
  region: record.region,
  record,
  location: `s3://shop-dev-${record.region}-runbooks-reportsbucket-abc/readiness/latest.json`,
});

/**
 * An in-memory GitHub repository's issues, with every call it received. `dropLabelsOnCreate`/`dropLabelsOnAdd`: labels
 * are silently dropped, as GitHub does for a caller without push access ("Create an issue", labels).
 */
export class FakeIssues implements IssueTracker {
  readonly issues: (Omit<TrackedIssue, 'labels'> & {
    labels: string[];
    state: 'open' | 'closed';
    title: string;
    comments: string[];
  })[] = [];
  readonly calls: string[] = [];
  private next = 1;

  constructor(private readonly options: { dropLabelsOnCreate?: boolean; dropLabelsOnAdd?: boolean } = {}) {}

  async listOpen(label: string): Promise<TrackedIssue[]> {
    this.calls.push(`list ${label}`);
    return this.issues.filter((i) => i.state === 'open' && i.labels.includes(label)).map((i) => ({ ...i }));
  }

  async create(issue: { title: string; body: string; labels: readonly string[] }): Promise<TrackedIssue> {
    const number = this.next++;
    this.calls.push(`create #${number}`);
    const created = {
      number,
      body: issue.body,
      title: issue.title,
      labels: this.options.dropLabelsOnCreate ? [] : [...issue.labels],
      url: `https://github.com/octo/shop/issues/${number}`,
      state: 'open' as const,
      comments: [],
    };
    this.issues.push(created);
    return { ...created };
  }

  async update(number: number, fields: { title?: string; body?: string; state?: 'closed' }): Promise<void> {
    this.calls.push(`update #${number}${fields.state ? ` ${fields.state}` : ''}`);
    const issue = this.byNumber(number);
    Object.assign(issue, fields);
  }

  async addLabels(number: number, labels: readonly string[]): Promise<string[]> {
    this.calls.push(`label #${number}`);
    const issue = this.byNumber(number);
    if (!this.options.dropLabelsOnAdd) issue.labels = [...new Set([...issue.labels, ...labels])];
    return [...issue.labels];
  }

  async comment(number: number, body: string): Promise<void> {
    this.calls.push(`comment #${number}`);
    this.byNumber(number).comments.push(body);
  }

  get open() {
    return this.issues.filter((i) => i.state === 'open');
  }

  private byNumber(number: number) {
    const issue = this.issues.find((i) => i.number === number);
    if (!issue) throw new Error(`no issue #${number}`);
    return issue;
  }
}
