import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/** The Object Lock mode of every game-day evidence object: no user, root included, can shorten or remove it. */
export const EVIDENCE_LOCK_MODE = 'COMPLIANCE';

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

  /**
   * Game days only: refuses an evidence pack object (`gamedays/<id>/evidence/*`) written without COMPLIANCE mode and
   * at least `retention` of retention. Object Lock is on for this bucket since it was first created (S3 turns it on at creation; the bucket's default
   * GOVERNANCE retention still applies to every other object). The evidence packs get more than the default: each
   * PutObject under `gamedays/<id>/evidence/` must carry COMPLIANCE mode and a retain-until date at least
   * `retention` away, or the bucket policy denies it. IAM User Guide (condition keys): "If the policy condition
   * requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the
   * condition is true." So a write without the headers matches the StringNotEquals / Null denials below.
   */
  requireEvidenceLock(retention: Duration): void {
    const days = retention.toDays();
    const evidence = this.bucket.arnForObjects('gamedays/*/evidence/*');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsWrittenUnderComplianceLock',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [evidence],
        conditions: { StringNotEquals: { 's3:object-lock-mode': EVIDENCE_LOCK_MODE } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceCarriesItsRetention',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [evidence],
        conditions: { Null: { 's3:object-lock-remaining-retention-days': 'true' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsKeptLongEnough',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:PutObjectRetention'],
        resources: [evidence],
        conditions: { NumericLessThan: { 's3:object-lock-remaining-retention-days': String(days) } },
      }),
    );
  }
}
