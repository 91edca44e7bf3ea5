import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of {@link RunbookReportsBucket}. */
export interface RunbookReportsBucketProps {
  /** `<app>-<env>`, for descriptions and the key alias. */
  readonly prefix: string;
  /**
   * How long every stored object version is protected (object lock, GOVERNANCE mode).
   *
   * @default Duration.days(90)
   */
  readonly retention?: Duration;
}

/**
 * Where run summaries, reconciliation reports and journals live: versioned, encrypted with its own KMS key (rotation
 * on), object lock with a default GOVERNANCE retention (a report cannot be altered or deleted by accident, an
 * administrator with `s3:BypassGovernanceRetention` still can), TLS only, no public access, access logs in a second
 * bucket. Both are retained when the stack is deleted.
 */
export class RunbookReportsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;
  /** Receives the report bucket's server access logs. */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: RunbookReportsBucketProps) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(90);
    if (!retention.isUnresolved() && (retention.toDays() < 1 || !Number.isInteger(retention.toDays()))) {
      throw new Error(
        `reportRetention: ${retention.toHumanString()} is not accepted; accepted: a whole number of days, at least 1`,
      );
    }
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.prefix}/runbook-reports`,
      description: `Encrypts the ${props.prefix} runbook reports and journals in this Region`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(retention),
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'runbook-reports/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
