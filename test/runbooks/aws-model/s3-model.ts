import { NoSuchBucket, NoSuchKey } from '@aws-sdk/client-s3';
import { serviceError, unmodelledError } from './aws-errors';
import type { Timeline } from './model-timeline';

/** One stored object. */
export interface S3Object {
  readonly body: Buffer;
  readonly contentType?: string;
  /** `ObjectLockMode` and `ObjectLockRetainUntilDate` the upload carried (object lock on the version). */
  readonly lock?: { readonly mode: string; readonly retainUntil: Date };
  readonly lastModified: Date;
  readonly versionId: string;
}

type Input = Readonly<Record<string, unknown>>;

/** What GetObject's `Body` offers of the SDK's stream mixin. */
function body(bytes: Buffer) {
  return {
    transformToString: async (encoding?: BufferEncoding) => bytes.toString(encoding ?? 'utf8'),
    transformToByteArray: async () => new Uint8Array(bytes),
  };
}

/**
 * S3 buckets, each in one Region. A request must go to the bucket's Region: the SDK clients here are created per
 * Region without region redirects, and S3 answers another Region's endpoint with `PermanentRedirect` ("The bucket
 * you are attempting to access must be addressed using the specified endpoint" —
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
export class S3Model {
  /** Bucket name → Region. */
  readonly buckets = new Map<string, string>();
  /** Keyed `<bucket>/<key>`; the latest version only. */
  readonly objects = new Map<string, S3Object>();
  private versions = 0;

  constructor(private readonly timeline: Timeline) {}

  /** Creates a bucket in `region`. */
  addBucket(name: string, region: string): void {
    this.buckets.set(name, region);
  }

  /** The object's text, or undefined. */
  text(bucket: string, key: string): string | undefined {
    return this.objects.get(`${bucket}/${key}`)?.body.toString('utf8');
  }

  /** Keys of a bucket, sorted. */
  keys(bucket: string, prefix = ''): string[] {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/${prefix}`))
      .map((k) => k.slice(bucket.length + 1))
      .sort();
  }

  /**
   * GetObject: a missing key is NoSuchKey ("The specified key does not exist.") when the caller may list the bucket
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html: "If you have the s3:ListBucket permission
   * on the bucket, Amazon S3 returns an HTTP status code 404 Not Found error").
   */
  getObject(input: Input, region: string): unknown {
    const bucket = this.bucket(String(input.Bucket ?? ''), region);
    const key = String(input.Key ?? '');
    const found = this.objects.get(`${bucket}/${key}`);
    if (!found) throw serviceError(NoSuchKey, 'The specified key does not exist.', 404);
    return {
      Body: body(found.body),
      ContentLength: found.body.length,
      ...(found.contentType ? { ContentType: found.contentType } : {}),
      LastModified: found.lastModified,
      VersionId: found.versionId,
    };
  }

  /** PutObject: stores the body (string or bytes) as the latest version. */
  putObject(input: Input, region: string): unknown {
    const bucket = this.bucket(String(input.Bucket ?? ''), region);
    const raw = input.Body;
    const bytes =
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : raw instanceof Uint8Array
          ? Buffer.from(raw)
          : Buffer.alloc(0);
    const versionId = `v${++this.versions}`;
    this.objects.set(`${bucket}/${String(input.Key ?? '')}`, {
      body: bytes,
      ...(typeof input.ContentType === 'string' ? { contentType: input.ContentType } : {}),
      ...(typeof input.ObjectLockMode === 'string' && input.ObjectLockRetainUntilDate
        ? { lock: { mode: input.ObjectLockMode, retainUntil: new Date(input.ObjectLockRetainUntilDate as Date) } }
        : {}),
      lastModified: this.timeline.date(),
      versionId,
    });
    return { ETag: `"${versionId}"`, VersionId: versionId };
  }

  /**
   * ListObjectsV2: keys under `Prefix` in UTF-8 binary order ("Objects are returned sorted in an ascending order of
   * the respective key names in the list", API_ListObjectsV2), at most `MaxKeys` (default 1,000) per page, with
   * `IsTruncated` and `NextContinuationToken` when more are left.
   */
  listObjectsV2(input: Input, region: string): unknown {
    const bucket = this.bucket(String(input.Bucket ?? ''), region);
    const all = this.keys(bucket, String(input.Prefix ?? ''));
    const max = typeof input.MaxKeys === 'number' ? input.MaxKeys : 1000;
    const start = typeof input.ContinuationToken === 'string' ? Number(input.ContinuationToken) : 0;
    const page = all.slice(start, start + max);
    const truncated = start + max < all.length;
    return {
      Contents: page.map((Key) => ({ Key })),
      KeyCount: page.length,
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: String(start + max) } : {}),
    };
  }

  private bucket(name: string, region: string): string {
    const home = this.buckets.get(name);
    if (!home) throw serviceError(NoSuchBucket, 'The specified bucket does not exist', 404);
    if (home !== region) {
      throw unmodelledError(
        'PermanentRedirect',
        `The bucket you are attempting to access must be addressed using the specified endpoint (${name} is in ${home}, the request went to ${region}).`,
        { httpStatusCode: 301 },
      );
    }
    return name;
  }
}
