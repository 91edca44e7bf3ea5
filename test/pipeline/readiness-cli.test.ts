import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ConstantBackoff } from 'cockatiel';
import { InputError } from '../../.github/actions/cli-support/action-inputs';
import { awsCaller } from '../../.github/actions/cli-support/aws-retry';
import { renderHtml, renderText } from '../../.github/actions/cli-support/job-summary';
import { readReadinessInputs } from '../../.github/actions/readiness/readiness-inputs';
import {
  GitHubIssueTracker,
  ISSUE_MARKER,
  markdownText,
  READINESS_ISSUE_LABEL,
} from '../../.github/actions/readiness/readiness-issue';
import { judgeRegion, lastVerdictLine } from '../../.github/actions/readiness/readiness-judgement';
import { type LatestReadiness, readLatestReadiness } from '../../.github/actions/readiness/readiness-reader';
import { runReadiness } from '../../.github/actions/readiness/readiness-run';
import { FakeIssues, found, readinessRecord } from './readiness-fixtures';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const NOW = new Date('2026-12-07T08:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const BUCKET = (region: string) => `shop-dev-${region}-runbooks-reportsbucket-abc`;

const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const deps = () => ({
  cloudFormationFor: () => new CloudFormationClient({ region: EAST }),
  s3For: () => new S3Client({ region: EAST }),
  call: awsCaller({ attempts: 2, backoff: new ConstantBackoff(0) }),
});
const stackWithBucket = (region: string) =>
  cloudFormation.on(DescribeStacksCommand, { StackName: `shop-dev-${region}-runbooks` }).resolves({
    Stacks: [
      {
        StackName: `shop-dev-${region}-runbooks`,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: NOW,
        Outputs: [{ OutputKey: 'ReportBucketName', OutputValue: BUCKET(region) }],
      },
    ],
  });
const object = (text: string) => ({ Body: { transformToString: async () => text } }) as never;

beforeEach(() => {
  cloudFormation.reset();
  s3.reset();
});

describe('readLatestReadiness (the one reader of readiness.yml, the failover dry run and the bake)', () => {
  test('GIVEN the runbooks stack names its report bucket THEN readiness/latest.json is read from it and validated', async () => {
    stackWithBucket(EAST);
    const record = readinessRecord(EAST, WEST, minutesAgo(3));
    s3.on(GetObjectCommand, { Bucket: BUCKET(EAST), Key: 'readiness/latest.json' }).resolves(
      object(JSON.stringify(record)),
    );

    const latest = await readLatestReadiness('shop', 'dev', EAST, deps());

    expect(latest).toEqual({
      kind: 'record',
      region: EAST,
      record,
      location: `s3://${BUCKET(EAST)}/readiness/latest.json`,
    });
  });

  test('GIVEN no object yet (NoSuchKey) THEN missing, naming the object', async () => {
    stackWithBucket(EAST);
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));

    expect(await readLatestReadiness('shop', 'dev', EAST, deps())).toEqual({
      kind: 'missing',
      region: EAST,
      detail: `s3://${BUCKET(EAST)}/readiness/latest.json does not exist (the scheduled readiness never wrote it)`,
    });
  });

  test('GIVEN the runbooks stack does not exist THEN missing; GIVEN access denied THEN unreadable with the call named', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id shop-dev-us-east-1-runbooks does not exist'), {
        name: 'ValidationError',
      }),
    );
    expect(await readLatestReadiness('shop', 'dev', EAST, deps())).toEqual({
      kind: 'missing',
      region: EAST,
      detail: 'stack shop-dev-us-east-1-runbooks does not exist in us-east-1',
    });

    stackWithBucket(EAST);
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: {} }),
    );
    const denied = await readLatestReadiness('shop', 'dev', EAST, deps());
    expect(denied.kind).toBe('unreadable');
    expect(denied.kind === 'unreadable' && denied.detail).toMatch(
      /^GetObject s3:\/\/shop-dev-us-east-1-runbooks-reportsbucket-abc\/readiness\/latest.json in us-east-1 failed: AccessDenied: Access Denied/,
    );
  });

  test.each([
    ['not JSON', 'not json{', /is not JSON/],
    [
      'another schema',
      JSON.stringify({ schema: 'readiness-record@2' }),
      /is not a readiness-record@1 record:\n {2}- schema/,
    ],
    [
      'another Region’s record',
      JSON.stringify(readinessRecord(WEST, EAST, minutesAgo(1))),
      /is not this Region's record: region is "us-west-2", expected "us-east-1"; targetRegion is "us-west-2", expected "us-east-1"/,
    ],
  ])('GIVEN %s in latest.json THEN unreadable, saying why', async (_what, text, why) => {
    stackWithBucket(EAST);
    s3.on(GetObjectCommand).resolves(object(text));

    const latest = await readLatestReadiness('shop', 'dev', EAST, deps());

    expect(latest.kind).toBe('unreadable');
    expect(latest.kind === 'unreadable' && latest.detail).toMatch(why);
  });
});

describe('judgeRegion (fail closed)', () => {
  test('GIVEN a GREEN record of 10 minutes THEN GREEN', () => {
    const judged = judgeRegion(found(readinessRecord(EAST, WEST, minutesAgo(10))), NOW, 60);
    expect(judged).toMatchObject({ status: 'GREEN', green: true, reason: 'all 2 checks GREEN, 10m00s ago' });
  });

  test('GIVEN a GREEN record of 61 minutes with 60 allowed THEN STALE, not green', () => {
    const judged = judgeRegion(found(readinessRecord(EAST, WEST, minutesAgo(61))), NOW, 60);
    expect(judged).toMatchObject({ status: 'STALE', green: false, verdict: 'GREEN' });
    expect(judged.reason).toBe(
      'the latest record (GREEN) finished 1h01m00s ago, more than 60 minutes: the scheduled readiness has stopped running or writing',
    );
  });

  test('GIVEN RED and INCONCLUSIVE checks THEN the status is the record’s and each check is listed with what red means', () => {
    const record = readinessRecord(EAST, WEST, minutesAgo(5), [
      { name: 'image-parity', verdict: 'RED', failures: ['catalog runs sha256:aaa here, sha256:bbb there'] },
      { name: 'table-replication', verdict: 'INCONCLUSIVE' },
      { name: 'backup-retention', verdict: 'GREEN' },
    ]);
    const judged = judgeRegion(found(record), NOW, 60);
    expect(judged.status).toBe('RED');
    expect(judged.problems).toEqual([
      {
        name: 'image-parity',
        title: 'the image-parity check',
        verdict: 'RED',
        failures: ['catalog runs sha256:aaa here, sha256:bbb there'],
        unknowns: [],
        whenRed: 'image-parity red: fix it before a failover',
      },
      expect.objectContaining({ name: 'table-replication', verdict: 'INCONCLUSIVE' }),
    ]);
  });

  test('GIVEN a record that says GREEN over a RED check, or over no check THEN INCONCLUSIVE', () => {
    const lying = readinessRecord(EAST, WEST, minutesAgo(5), [{ name: 'capacity', verdict: 'RED' }]);
    expect(judgeRegion(found({ ...lying, verdict: 'GREEN' }), NOW, 60)).toMatchObject({
      status: 'INCONCLUSIVE',
      reason: 'the record says GREEN but capacity is RED',
    });
    const empty = readinessRecord(EAST, WEST, minutesAgo(5), []);
    expect(judgeRegion(found({ ...empty, verdict: 'GREEN' }), NOW, 60)).toMatchObject({
      status: 'INCONCLUSIVE',
      reason: 'the record says GREEN but lists no check',
    });
  });

  test('GIVEN a record finished 10 minutes in the future THEN UNREADABLE (not trusted); 1 minute is clock skew', () => {
    const ahead = (m: number) => found(readinessRecord(EAST, WEST, minutesAgo(-m)));
    expect(judgeRegion(ahead(10), NOW, 60).status).toBe('UNREADABLE');
    expect(judgeRegion(ahead(1), NOW, 60).status).toBe('GREEN');
  });

  test('GIVEN missing or unreadable THEN not green with the reader’s detail', () => {
    expect(judgeRegion({ kind: 'missing', region: EAST, detail: 'x does not exist' }, NOW, 60)).toMatchObject({
      status: 'MISSING',
      green: false,
      reason: 'no readiness record: x does not exist',
    });
    expect(judgeRegion({ kind: 'unreadable', region: EAST, detail: 'AccessDenied' }, NOW, 60)).toMatchObject({
      status: 'UNREADABLE',
      green: false,
      reason: 'could not read: AccessDenied',
    });
  });
});

describe('lastVerdictLine (the failover dry run and the bake show it, never fail on it)', () => {
  test.each([
    [
      found(readinessRecord(WEST, EAST, minutesAgo(12))),
      `Last scheduled readiness of ${WEST}: GREEN, finished 12m00s ago (2026-12-07T07:48:00Z)`,
    ],
    [
      found(readinessRecord(WEST, EAST, minutesAgo(90), [{ name: 'capacity-headroom', verdict: 'RED' }])),
      `Last scheduled readiness of ${WEST}: RED, finished 1h30m00s ago (2026-12-07T06:30:00Z); not green: capacity-headroom (RED)`,
    ],
    [
      { kind: 'missing' as const, region: WEST, detail: 'no object' },
      `Last scheduled readiness of ${WEST}: no readiness record (no object)`,
    ],
    [
      { kind: 'unreadable' as const, region: WEST, detail: 'AccessDenied' },
      `Last scheduled readiness of ${WEST}: could not read (AccessDenied)`,
    ],
  ])('%#', (latest, line) => {
    expect(lastVerdictLine(latest, NOW)).toBe(line);
  });
});

describe('readReadinessInputs', () => {
  test('GIVEN every input wrong THEN each is named with its value and what is accepted', () => {
    const given: Record<string, string> = {
      regions: 'us-east-1',
      app_name: 'Shop',
      max_age_minutes: '2',
      credentials: 'maybe',
    };
    let error: unknown;
    try {
      readReadinessInputs((name) => given[name] ?? '');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual([
      `regions: "us-east-1" has 1 Region; accepted: the deployment's two Regions, separated by a comma`,
      'app_name: "Shop" is not a valid name; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter',
      'env_name: no value given; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter',
      'max_age_minutes: "2" is out of range; accepted: a whole number from 5 to 1440',
      'credentials: "maybe" is not one of them; accepted: "success", "failure", "cancelled" or "skipped"',
    ]);
  });
});

const inputs = {
  regions: [EAST, WEST],
  appName: 'shop',
  envName: 'dev',
  maxAgeMinutes: 60,
  credentials: 'success' as const,
  manageIssue: true,
  validateOnly: false,
};

describe('runReadiness: the summary and the issue', () => {
  test('GIVEN one Region RED THEN exit 1, one issue labelled readiness names the check, and the summary is escaped', async () => {
    const issues = new FakeIssues();
    const red = readinessRecord(WEST, EAST, minutesAgo(5), [
      { name: 'capacity-headroom', verdict: 'RED', failures: ['<script>alert(1)</script> short by 4 vCPU @oncall'] },
    ]);
    const records: Record<string, LatestReadiness> = {
      [EAST]: found(readinessRecord(EAST, WEST, minutesAgo(5))),
      [WEST]: found(red),
    };

    const result = await runReadiness(inputs, { read: async (r) => records[r]!, tracker: issues, now: NOW });

    expect(result.exitCode).toBe(1);
    expect(result.message).toMatch(/^Readiness of shop-dev is not green: us-east-1 GREEN, us-west-2 RED\n/);
    expect(issues.open).toHaveLength(1);
    const [issue] = issues.open;
    expect(issue!.labels).toEqual([READINESS_ISSUE_LABEL]);
    expect(issue!.title).toBe('Readiness not green: shop-dev');
    expect(issue!.body).toContain(ISSUE_MARKER);
    expect(issue!.body).toContain('capacity\\-headroom');
    expect(issue!.body).not.toContain('<script>');
    expect(issue!.body).not.toContain('@oncall');
    const html = renderHtml(result.summary);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    const text = renderText(result.summary);
    expect(text).toContain('Readiness: NOT GREEN (us-east-1 GREEN, us-west-2 RED)');
    expect(text).toContain('capacity-headroom red: fix it before a failover');
    expect(text).toContain('Issue: opened #1 (https://github.com/octo/shop/issues/1)');
  });

  test('GIVEN the job’s credentials step failed THEN both Regions are UNREADABLE and the issue is still opened', async () => {
    const issues = new FakeIssues();
    const read = jest.fn();
    const result = await runReadiness({ ...inputs, credentials: 'failure' }, { read, tracker: issues, now: NOW });
    expect(read).not.toHaveBeenCalled();
    expect(result.judgement.regions.map((r) => r.status)).toEqual(['UNREADABLE', 'UNREADABLE']);
    expect(issues.open).toHaveLength(1);
  });

  test('GIVEN the GitHub API fails THEN the job fails saying the issue could not be kept, even when green', async () => {
    const issues = new FakeIssues();
    issues.listOpen = async () => {
      throw new Error('GitHub GET /issues: HTTP 403');
    };
    const records: Record<string, LatestReadiness> = {
      [EAST]: found(readinessRecord(EAST, WEST, minutesAgo(5))),
      [WEST]: found(readinessRecord(WEST, EAST, minutesAgo(5))),
    };
    const result = await runReadiness(inputs, { read: async (r) => records[r]!, tracker: issues, now: NOW });
    expect(result.judgement.green).toBe(true);
    expect(result.exitCode).toBe(1);
    expect(result.message).toBe('The readiness issue could not be kept: GitHub GET /issues: HTTP 403');
  });

  test('GIVEN an open issue with the label that this workflow did not open THEN it is left alone and one of its own is opened', async () => {
    const issues = new FakeIssues();
    await issues.create({ title: 'someone’s readiness question', body: 'why?', labels: [READINESS_ISSUE_LABEL] });
    const result = await runReadiness(inputs, {
      read: async (region) => ({ kind: 'missing', region, detail: 'none' }),
      tracker: issues,
      now: NOW,
    });
    expect(result.issue).toMatchObject({ kind: 'opened', number: 2 });
    expect(issues.issues[0]!.body).toBe('why?');
  });
});

describe('runReadiness: an issue GitHub created without its label', () => {
  // GitHub REST "Create an issue", labels: "Only users with push access can set labels for new issues. Labels are
  // silently dropped otherwise." Whether the job's GITHUB_TOKEN (issues: write, contents: read) counts is unverified:
  // an issue without the label would not be found by the next run, which would open another every run.
  const red = () => {
    const records: Record<string, LatestReadiness> = {
      [EAST]: found(readinessRecord(EAST, WEST, minutesAgo(5), [{ name: 'image-parity', verdict: 'RED' }])),
      [WEST]: found(readinessRecord(WEST, EAST, minutesAgo(5))),
    };
    return async (region: string) => records[region]!;
  };

  test('GIVEN GitHub drops the label on create THEN the run adds it ("Add labels to an issue"), and the next run finds the issue instead of opening another', async () => {
    const issues = new FakeIssues({ dropLabelsOnCreate: true });

    const first = await runReadiness(inputs, { read: red(), tracker: issues, now: NOW });
    const second = await runReadiness(inputs, { read: red(), tracker: issues, now: NOW });

    expect(first.issue).toMatchObject({ kind: 'opened', number: 1 });
    expect(second.issue).toMatchObject({ kind: 'updated', number: 1 });
    expect(issues.calls).toEqual(['list readiness', 'create #1', 'label #1', 'list readiness', 'update #1']);
    expect(issues.open.map((issue) => [issue.number, issue.labels])).toEqual([[1, ['readiness']]]);
  });

  test('GIVEN the label cannot be added either THEN the job fails naming the issue, the label and why it matters', async () => {
    const issues = new FakeIssues({ dropLabelsOnCreate: true, dropLabelsOnAdd: true });

    const result = await runReadiness(inputs, { read: red(), tracker: issues, now: NOW });

    expect(result.exitCode).toBe(1);
    expect(result.issue.kind).toBe('failed');
    expect(result.message).toContain(
      'The readiness issue could not be kept: GitHub created issue #1 (https://github.com/octo/shop/issues/1) without the label "readiness" and did not add it (labels now: none); the next run cannot find it and would open another: create the label readiness in the repository and check the token may set labels',
    );
  });
});

describe('markdownText', () => {
  test('escapes HTML, Markdown punctuation, mentions and new lines', () => {
    expect(markdownText('<b>x</b> | *y* @team\n[z](http://e)')).toBe(
      '&lt;b&gt;x&lt;/b&gt; \\| \\*y\\* &#64;team \\[z\\]\\(http://e\\)',
    );
  });
});

describe('GitHubIssueTracker (REST)', () => {
  test('lists open issues with the label (pull requests dropped), creates, updates, closes, comments and adds labels with the token', async () => {
    const requests: { method: string; url: string; body?: unknown; auth?: string }[] = [];
    const answers: unknown[] = [
      [
        {
          number: 4,
          body: ISSUE_MARKER,
          html_url: 'https://github.com/octo/shop/issues/4',
          labels: [{ name: 'readiness' }],
        },
        { number: 5, body: '', html_url: 'u', labels: [], pull_request: {} },
      ],
      { number: 6, body: 'b', html_url: 'https://github.com/octo/shop/issues/6', labels: ['readiness'] },
      {},
      {},
      [{ name: 'bug' }, { name: 'readiness' }],
    ];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      requests.push({
        method: init.method ?? 'GET',
        url,
        ...(init.body ? { body: JSON.parse(String(init.body)) } : {}),
        auth: (init.headers as Record<string, string>)['authorization'],
      });
      return new Response(JSON.stringify(answers.shift()), { status: 200 });
    }) as typeof fetch;
    const tracker = new GitHubIssueTracker('https://api.github.com', 'octo/shop', 'tok', fakeFetch);

    expect(await tracker.listOpen('readiness')).toEqual([
      { number: 4, body: ISSUE_MARKER, url: 'https://github.com/octo/shop/issues/4', labels: ['readiness'] },
    ]);
    expect(await tracker.create({ title: 't', body: 'b', labels: ['readiness'] })).toMatchObject({ number: 6 });
    await tracker.update(4, { state: 'closed' });
    await tracker.comment(4, 'green');
    expect(await tracker.addLabels(6, ['readiness'])).toEqual(['bug', 'readiness']);

    expect(requests).toEqual([
      {
        method: 'GET',
        url: 'https://api.github.com/repos/octo/shop/issues?state=open&labels=readiness&per_page=100',
        auth: 'Bearer tok',
      },
      {
        method: 'POST',
        url: 'https://api.github.com/repos/octo/shop/issues',
        body: { title: 't', body: 'b', labels: ['readiness'] },
        auth: 'Bearer tok',
      },
      {
        method: 'PATCH',
        url: 'https://api.github.com/repos/octo/shop/issues/4',
        body: { state: 'closed', state_reason: 'completed' },
        auth: 'Bearer tok',
      },
      {
        method: 'POST',
        url: 'https://api.github.com/repos/octo/shop/issues/4/comments',
        body: { body: 'green' },
        auth: 'Bearer tok',
      },
      {
        method: 'POST',
        url: 'https://api.github.com/repos/octo/shop/issues/6/labels',
        body: { labels: ['readiness'] },
        auth: 'Bearer tok',
      },
    ]);
  });

  test('an HTTP error names the call and the status', async () => {
    const fakeFetch = (async () =>
      new Response('{"message":"Resource not accessible by integration"}', { status: 403 })) as unknown as typeof fetch;
    const tracker = new GitHubIssueTracker('https://api.github.com', 'octo/shop', 'tok', fakeFetch);
    await expect(tracker.comment(1, 'x')).rejects.toThrow(
      'GitHub POST /issues/1/comments: HTTP 403: {"message":"Resource not accessible by integration"}',
    );
  });
});
