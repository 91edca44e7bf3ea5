import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RetryPolicy } from 'cockatiel';
import type { ReportSinkPort } from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { REPORT_SINK_ACTIONS } from './required-actions';

/** Options of the S3 adapters. */
export interface S3AdapterOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly retry?: Partial<RetrySettings>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.sql': 'application/sql',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Reports in the runbook's S3 bucket (versioned, KMS-encrypted, object lock). Every upload carries a SHA-256
 * checksum: S3 refuses uploads without an integrity header into a bucket with a default retention.
 */
export class S3ReportSink implements ReportSinkPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = REPORT_SINK_ACTIONS;

  private readonly policy: RetryPolicy;

  constructor(private readonly options: S3AdapterOptions) {
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async putJson(key: string, value: unknown): Promise<string> {
    await this.put(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
    return `s3://${this.options.bucket}/${key}`;
  }

  async putFolder(localDir: string, keyPrefix: string): Promise<string> {
    const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
    for (const file of files) {
      const key = `${keyPrefix}${path.relative(localDir, file).split(path.sep).join('/')}`;
      await this.put(key, await readFile(file), CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
    }
    return `s3://${this.options.bucket}/${keyPrefix}`;
  }

  async getJson(key: string): Promise<unknown> {
    return awsCall(this.policy, `GetObject s3://${this.options.bucket}/${key}`, async () => {
      try {
        const answer = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
        const text = await answer.Body?.transformToString();
        return text ? (JSON.parse(text) as unknown) : undefined;
      } catch (error) {
        if (hasName(error, 'NoSuchKey')) return undefined;
        throw error;
      }
    });
  }

  private async put(key: string, body: string | Buffer, contentType: string): Promise<void> {
    await awsCall(this.policy, `PutObject s3://${this.options.bucket}/${key}`, () =>
      this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
    );
  }
}
