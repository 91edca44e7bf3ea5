import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { RetryPolicy } from 'cockatiel';
import type { Journal, JournalPort } from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, retryPolicy } from './aws-call';
import { JOURNAL_ACTIONS } from './required-actions';
import type { S3AdapterOptions } from './s3-report-sink';

/**
 * Journals as S3 objects: `journal/<orchestration>/<executionId>.json`, plus `journal/<orchestration>/latest.json`
 * naming the newest execution. `s3:ListBucket` is needed so a missing object answers 404 (`NoSuchKey`), not 403.
 */
export class S3Journal implements JournalPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = JOURNAL_ACTIONS;

  private readonly policy: RetryPolicy;

  constructor(private readonly options: S3AdapterOptions) {
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  load(orchestration: string, executionId: string): Promise<Journal | undefined> {
    return this.get<Journal>(`journal/${orchestration}/${executionId}.json`);
  }

  async save(journal: Journal): Promise<void> {
    await this.put(`journal/${journal.orchestration}/${journal.executionId}.json`, journal);
    await this.put(`journal/${journal.orchestration}/latest.json`, { executionId: journal.executionId });
  }

  async latest(orchestration: string): Promise<Journal | undefined> {
    const pointer = await this.get<{ executionId: string }>(`journal/${orchestration}/latest.json`);
    return pointer ? this.load(orchestration, pointer.executionId) : undefined;
  }

  private async get<T>(key: string): Promise<T | undefined> {
    return awsCall(this.policy, `GetObject s3://${this.options.bucket}/${key}`, async () => {
      try {
        const answer = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
        const text = await answer.Body?.transformToString();
        return text ? (JSON.parse(text) as T) : undefined;
      } catch (error) {
        if (hasName(error, 'NoSuchKey')) return undefined;
        throw error;
      }
    });
  }

  private async put(key: string, value: unknown): Promise<void> {
    await awsCall(this.policy, `PutObject s3://${this.options.bucket}/${key}`, () =>
      this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: `${JSON.stringify(value, null, 2)}\n`,
          ContentType: 'application/json',
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
    );
  }
}
