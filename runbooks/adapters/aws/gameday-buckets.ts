import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { RetryPolicy } from 'cockatiel';
import type { ReportBucketsPort } from '../../gameday/gameday-ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';

/** IAM actions each method of {@link AwsReportBuckets} needs. */
export const REPORT_BUCKETS_ACTIONS = {
  get: ['s3:GetObject', 'kms:Decrypt'],
  list: ['s3:ListBucket'],
  put: ['s3:PutObject', 's3:PutObjectRetention', 'kms:GenerateDataKey'],
} as const;

/** The Object Lock mode of the evidence objects (stacks/runbooks/runbook-reports-bucket.ts, EVIDENCE_LOCK_MODE). */
export const EVIDENCE_LOCK_MODE = 'COMPLIANCE';

/** Options of {@link AwsReportBuckets}. */
export interface AwsReportBucketsOptions {
  /** The report bucket's name in a Region (e.g. read from the runbook stack's `ReportBucketName` output). */
  readonly bucketFor: (region: string) => Promise<string>;
  /** @default - an S3 client per Region, one attempt, the Regional request limits */
  readonly s3For?: (region: string) => S3Client;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

/**
 * The report bucket of each Region (SDK v3): the game-day record, the ledgers, recover's reports and the evidence.
 * Every upload carries a SHA-256 checksum (the bucket has a default retention, and S3 refuses uploads without an
 * integrity header there); the evidence goes up with `ObjectLockMode` COMPLIANCE and `ObjectLockRetainUntilDate`
 * ("The Object Lock mode that you want to apply to this object" / "The date and time when you want this object's
 * Object Lock to expire", S3 API Reference, PutObject).
 */
export class AwsReportBuckets implements ReportBucketsPort {
  static readonly requiredActions = REPORT_BUCKETS_ACTIONS;

  private readonly s3: (region: string) => S3Client;
  private readonly policy: RetryPolicy;
  private readonly names = new Map<string, Promise<string>>();

  constructor(private readonly options: AwsReportBucketsOptions) {
    this.s3 = perRegion(
      options.s3For ??
        ((region) =>
          new S3Client({ region, maxAttempts: 1, requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS) })),
    );
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async get(region: string, key: string): Promise<string | undefined> {
    const bucket = await this.bucket(region);
    return awsCall(this.policy, `GetObject s3://${bucket}/${key}`, async () => {
      try {
        const answer = await this.s3(region).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await answer.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (hasName(error, 'NoSuchKey')) return undefined;
        throw error;
      }
    });
  }

  async list(region: string, prefix: string): Promise<readonly string[]> {
    const bucket = await this.bucket(region);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall(this.policy, `ListObjectsV2 s3://${bucket}/${prefix}`, () =>
        this.s3(region).send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        ),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async put(
    region: string,
    key: string,
    body: string,
    contentType: string,
    options: { readonly retainUntil?: Date } = {},
  ): Promise<string> {
    const bucket = await this.bucket(region);
    await awsCall(this.policy, `PutObject s3://${bucket}/${key}`, () =>
      this.s3(region).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ChecksumAlgorithm: 'SHA256',
          ...(options.retainUntil
            ? { ObjectLockMode: EVIDENCE_LOCK_MODE, ObjectLockRetainUntilDate: options.retainUntil }
            : {}),
        }),
      ),
    );
    return `s3://${bucket}/${key}`;
  }

  async consoleUrl(region: string, key: string): Promise<string> {
    const bucket = await this.bucket(region);
    return `https://${region}.console.aws.amazon.com/s3/object/${bucket}?region=${region}&bucketType=general&prefix=${encodeURIComponent(key)}`;
  }

  private bucket(region: string): Promise<string> {
    let name = this.names.get(region);
    if (!name) {
      name = this.options.bucketFor(region);
      // A failed lookup is tried again next time.
      name.catch(() => this.names.delete(region));
      this.names.set(region, name);
    }
    return name;
  }
}
