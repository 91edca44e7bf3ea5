import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { S3Journal } from '../../../../runbooks/adapters/aws/s3-journal';
import { S3ReportSink } from '../../../../runbooks/adapters/aws/s3-report-sink';
import type { Journal } from '../../../../runbooks/ports';
import { QUICK_RETRY } from './sdk-calls';

const BUCKET = 'shop-dev-runbooks-us-west-2';
/** The part of an SDK stream body the adapters read. */
const body = (text: string) => ({ transformToString: async () => text });

function setup() {
  const client = new S3Client({ region: 'us-west-2' });
  return { client, mock: mockClient(client) };
}

describe('S3ReportSink', () => {
  test('stores JSON with a SHA-256 checksum (object lock requires an integrity header)', async () => {
    const { client, mock } = setup();
    mock.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    const sink = new S3ReportSink({ client, bucket: BUCKET, retry: QUICK_RETRY });
    expect(await sink.putJson('runs/failover/x/summary.json', { ok: true })).toBe(
      `s3://${BUCKET}/runs/failover/x/summary.json`,
    );
    expect(mock.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'runs/failover/x/summary.json',
      Body: '{\n  "ok": true\n}\n',
      ContentType: 'application/json',
      ChecksumAlgorithm: 'SHA256',
    });
  });

  test('stores every file of a report folder under the prefix, with its content type', async () => {
    const { client, mock } = setup();
    mock.on(PutObjectCommand).resolves({});
    const dir = mkdtempSync(path.join(tmpdir(), 'report-'));
    writeFileSync(path.join(dir, 'report.html'), '<html></html>');
    mkdirSync(path.join(dir, 'tables'));
    writeFileSync(path.join(dir, 'tables', 'orders.csv'), 'id\n');
    const sink = new S3ReportSink({ client, bucket: BUCKET, retry: QUICK_RETRY });
    expect(await sink.putFolder(dir, 'runs/recover/f/orders/')).toBe(`s3://${BUCKET}/runs/recover/f/orders/`);
    expect(mock.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Key, c.args[0].input.ContentType])).toEqual([
      ['runs/recover/f/orders/report.html', 'text/html; charset=utf-8'],
      ['runs/recover/f/orders/tables/orders.csv', 'text/csv'],
    ]);
  });

  test('reads JSON back; a missing key is undefined', async () => {
    const { client, mock } = setup();
    mock
      .on(GetObjectCommand, { Bucket: BUCKET, Key: 'a.json' })
      .resolves({ Body: body('{"status":"complete"}') } as never)
      .on(GetObjectCommand, { Bucket: BUCKET, Key: 'b.json' })
      .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const sink = new S3ReportSink({ client, bucket: BUCKET, retry: QUICK_RETRY });
    expect(await sink.getJson('a.json')).toEqual({ status: 'complete' });
    expect(await sink.getJson('b.json')).toBeUndefined();
  });
});

describe('S3Journal', () => {
  const journal: Journal = {
    version: 1,
    executionId: 'e-1',
    orchestration: 'failover',
    input: { targetRegion: 'us-west-2' },
    status: 'running',
    startedAt: '2026-01-27T10:00:00.000Z',
    updatedAt: '2026-01-27T10:00:00.000Z',
    steps: {},
  };

  test('saves the journal and points latest at it', async () => {
    const { client, mock } = setup();
    mock.on(PutObjectCommand).resolves({});
    await new S3Journal({ client, bucket: BUCKET, retry: QUICK_RETRY }).save(journal);
    expect(mock.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Key, c.args[0].input.Body])).toEqual([
      ['journal/failover/e-1.json', `${JSON.stringify(journal, null, 2)}\n`],
      ['journal/failover/latest.json', '{\n  "executionId": "e-1"\n}\n'],
    ]);
  });

  test('latest follows the pointer; no pointer means no journal', async () => {
    const { client, mock } = setup();
    mock
      .on(GetObjectCommand, { Key: 'journal/failover/latest.json' })
      .resolves({ Body: body('{"executionId":"e-1"}') } as never)
      .on(GetObjectCommand, { Key: 'journal/failover/e-1.json' })
      .resolves({ Body: body(JSON.stringify(journal)) } as never)
      .on(GetObjectCommand, { Key: 'journal/recover/latest.json' })
      .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const store = new S3Journal({ client, bucket: BUCKET, retry: QUICK_RETRY });
    expect(await store.latest('failover')).toEqual(journal);
    expect(await store.latest('recover')).toBeUndefined();
  });
});
