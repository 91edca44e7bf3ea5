import { renderText } from '../../.github/actions/cli-support/job-summary';
import {
  GitHubIssueTracker,
  ISSUE_MARKER,
  READINESS_ISSUE_LABEL,
} from '../../.github/actions/readiness/readiness-issue';
import type { LatestReadiness } from '../../.github/actions/readiness/readiness-reader';
import { runReadiness } from '../../.github/actions/readiness/readiness-run';
import { FakeIssues, found, readinessRecord } from './readiness-fixtures';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const NOW = new Date('2026-12-07T08:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const inputs = {
  regions: [EAST, WEST],
  appName: 'shop',
  envName: 'dev',
  maxAgeMinutes: 60,
  credentials: 'success' as const,
  manageIssue: true,
  validateOnly: false,
};
const redInWest: Record<string, LatestReadiness> = {
  [EAST]: found(readinessRecord(EAST, WEST, minutesAgo(5))),
  [WEST]: found(readinessRecord(WEST, EAST, minutesAgo(5), [{ name: 'image-parity', verdict: 'RED' }])),
};

describe('GitHubIssueTracker.listOpen: every page', () => {
  // GitHub, "Using pagination in the REST API": "When a response is paginated, the response headers will include a
  // link header", whose URL followed by rel="next" is the next page; "If ... all results fit on a single page, the
  // link header will be omitted". The list of issues with a label also lists pull requests with it.
  test('GIVEN 100 pull requests labelled readiness on the first page and the managed issue on the second THEN the issue is found, by following the link header', async () => {
    const urls: string[] = [];
    const second = 'https://api.github.com/repositories/42/issues?state=open&labels=readiness&per_page=100&page=2';
    const fakeFetch = (async (url: string) => {
      urls.push(url);
      if (url === second) {
        return new Response(
          JSON.stringify([{ number: 3, body: ISSUE_MARKER, html_url: 'u3', labels: [{ name: 'readiness' }] }]),
          { status: 200, headers: { link: `<${second.replace('page=2', 'page=1')}>; rel="prev"` } },
        );
      }
      const prs = Array.from({ length: 100 }, (_, i) => ({
        number: 1000 + i,
        body: 'a pull request',
        labels: [{ name: 'readiness' }],
        pull_request: {},
      }));
      return new Response(JSON.stringify(prs), {
        status: 200,
        headers: { link: `<${second}>; rel="next", <${second}>; rel="last"` },
      });
    }) as typeof fetch;
    const tracker = new GitHubIssueTracker('https://api.github.com', 'octo/shop', 'tok', fakeFetch);

    const open = await tracker.listOpen(READINESS_ISSUE_LABEL);

    expect(open.map((i) => i.number)).toEqual([3]);
    expect(urls).toEqual([
      'https://api.github.com/repos/octo/shop/issues?state=open&labels=readiness&per_page=100',
      second,
    ]);
  });

  test('GIVEN a next page on another host THEN it is not followed (the token goes to the API only)', async () => {
    const fakeFetch = (async () =>
      new Response('[]', {
        status: 200,
        headers: { link: '<https://evil.example/issues?page=2>; rel="next"' },
      })) as unknown as typeof fetch;
    const tracker = new GitHubIssueTracker('https://api.github.com', 'octo/shop', 'tok', fakeFetch);
    await expect(tracker.listOpen(READINESS_ISSUE_LABEL)).rejects.toThrow(
      'GitHub: the next page of issues is not on https://api.github.com: https://evil.example/issues?page=2',
    );
  });
});

describe('runReadiness: two open issues of this workflow', () => {
  test('GIVEN two managed issues open and a Region RED THEN the oldest is kept up to date and the other is closed naming it, so one issue stays open', async () => {
    const issues = new FakeIssues();
    await issues.create({ title: 't', body: `${ISSUE_MARKER}\nold`, labels: [READINESS_ISSUE_LABEL] });
    await issues.create({ title: 't', body: `${ISSUE_MARKER}\nnewer`, labels: [READINESS_ISSUE_LABEL] });

    const result = await runReadiness(inputs, { read: async (r) => redInWest[r]!, tracker: issues, now: NOW });

    expect(issues.open.map((i) => i.number)).toEqual([1]);
    expect(issues.issues[1]!.comments).toEqual([
      'A duplicate of #1 (https://github.com/octo/shop/issues/1), which readiness.yml keeps up to date. Closing.',
    ]);
    expect(issues.issues[0]!.body).toContain('image\\-parity');
    expect(result.issue).toMatchObject({ kind: 'updated', number: 1, duplicatesClosed: [2] });
    expect(renderText(result.summary)).toContain('duplicates closed: #2');
  });
});

describe('runReadiness: an issue body GitHub accepts', () => {
  // GitHub refuses a longer body: 422 "body is too long (maximum is 65536 characters)" (the API's own message, as
  // answered to "Create an issue"; not stated on the REST reference page: unverified beyond that message).
  test('GIVEN a RED check with thousands of failures WHEN the issue is opened THEN its body stays within 65536 characters, keeps the marker and the state, and says where the rest is', async () => {
    const issues = new FakeIssues();
    const failures = Array.from({ length: 3000 }, (_, i) => `service ui-${i}: image sha256:${'a'.repeat(64)} differs`);
    const records: Record<string, LatestReadiness> = {
      [EAST]: found(readinessRecord(EAST, WEST, minutesAgo(5))),
      [WEST]: found(readinessRecord(WEST, EAST, minutesAgo(5), [{ name: 'image-parity', verdict: 'RED', failures }])),
    };
    const result = await runReadiness(inputs, { read: async (r) => records[r]!, tracker: issues, now: NOW });
    expect(result.issue.kind).toBe('opened');
    const body = issues.open[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(ISSUE_MARKER)).toBe(true);
    expect(body).toContain('<!-- readiness-state: us-east-1=GREEN;us-west-2=RED,image-parity:RED -->');
    expect(body).toMatch(/cut here: \d+ more characters; the job summary of the run has every line/);
    expect(body).toContain('service ui\\-0: image');
  });
});
