import { loadConfig } from '../../config';
import { assetRetentionReads, checkAssetRetention } from '../../pipeline/asset-retention';

// Review M4 / issue 12: what a rollback redeploys (recorded templates, Lambda code, images) is never evicted. The
// CDK bootstrap template of aws-cdk 2.1148.1 (node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml) expires
// only noncurrent object versions (30 days) and untagged images (365 days); `npm run bootstrap -- --check` refuses
// lifecycle rules that would expire a current asset object or a tagged image.

const config = loadConfig({ base: { account: '123456789012' } });
const BUCKET_EAST = 'cdk-hnb659fds-assets-123456789012-us-east-1';
const REPOSITORY_EAST = 'cdk-hnb659fds-container-assets-123456789012-us-east-1';

/** The bootstrap template's own rules (aws-cdk 2.1148.1). */
const BOOTSTRAP_BUCKET_RULES = {
  Rules: [
    { ID: 'CleanupOldVersions', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
    {
      ID: 'AbortIncompleteMultipartUploads',
      Status: 'Enabled',
      Filter: {},
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
  ],
};
const BOOTSTRAP_REPOSITORY_POLICY = {
  lifecyclePolicyText: JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'Untagged images should not exist, but expire any older than one year',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 365 },
        action: { type: 'expire' },
      },
    ],
  }),
};

/** An AWS read answering every bucket and repository with `bucket` and `repository` (undefined: none set). */
const reading =
  (bucket: unknown, repository: unknown, calls: string[][] = []) =>
  (command: string[]) => {
    calls.push(command);
    return command.includes('get-bucket-lifecycle-configuration') ? bucket : repository;
  };

describe('asset retention (npm run bootstrap -- --check)', () => {
  test('reads the lifecycle rules of the asset bucket and the container-assets repository of every Region a rollback redeploys in', () => {
    expect(assetRetentionReads(config)).toEqual(
      ['us-east-1', 'us-west-2'].flatMap((region) => [
        [
          'aws',
          's3api',
          'get-bucket-lifecycle-configuration',
          '--bucket',
          `cdk-hnb659fds-assets-123456789012-${region}`,
          '--region',
          region,
          '--output',
          'json',
        ],
        [
          'aws',
          'ecr',
          'get-lifecycle-policy',
          '--repository-name',
          `cdk-hnb659fds-container-assets-123456789012-${region}`,
          '--region',
          region,
          '--output',
          'json',
        ],
      ]),
    );
  });

  test('GIVEN the bootstrap template’s own rules, or none THEN nothing is wrong', () => {
    const calls: string[][] = [];
    expect(checkAssetRetention(config, reading(BOOTSTRAP_BUCKET_RULES, BOOTSTRAP_REPOSITORY_POLICY, calls))).toEqual(
      [],
    );
    expect(calls).toEqual(assetRetentionReads(config));
    expect(checkAssetRetention(config, reading(undefined, undefined))).toEqual([]);
  });

  test('GIVEN a bucket rule that expires current objects THEN it is refused, naming the bucket, the rule and why', () => {
    const bucket = {
      Rules: [
        ...BOOTSTRAP_BUCKET_RULES.Rules,
        { ID: 'save-money', Status: 'Enabled', Filter: {}, Expiration: { Days: 90 } },
      ],
    };
    const problems = checkAssetRetention(config, reading(bucket, BOOTSTRAP_REPOSITORY_POLICY));
    expect(problems).toContain(
      `s3://${BUCKET_EAST} lifecycle rule "save-money" expires current objects (Expiration {"Days":90}): a recorded release's template or Lambda code would be deleted while a rollback may still redeploy it; accepted: no Expiration of current objects under a prefix an asset key (64 hex digits) can have (NoncurrentVersionExpiration is fine)`,
    );
    expect(problems).toHaveLength(2);
  });

  test.each([
    ['a disabled rule', { ID: 'off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } }],
    [
      'a rule under a prefix no asset key has',
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 1 } },
    ],
    [
      'only delete markers',
      { ID: 'markers', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } },
    ],
  ])('GIVEN %s THEN it is not refused', (_, rule) => {
    expect(checkAssetRetention(config, reading({ Rules: [rule] }, undefined))).toEqual([]);
  });

  test.each([
    ['a prefix an asset key can have', { Prefix: 'a' }],
    [
      'a tag cdk gc puts on isolated assets (recorded templates are always isolated)',
      { Tag: { Key: 'aws-cdk:isolated', Value: '1' } },
    ],
    ['the legacy top-level prefix', undefined],
  ])('GIVEN an expiring rule with %s THEN it is refused', (_, filter) => {
    const rule = {
      ID: 'r',
      Status: 'Enabled',
      ...(filter ? { Filter: filter } : { Prefix: '' }),
      Expiration: { Days: 7 },
    };
    expect(checkAssetRetention(config, reading({ Rules: [rule] }, undefined))).toHaveLength(2);
  });

  test.each([
    ['tagged', { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 100 }],
    ['any', { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }],
  ])(
    'GIVEN a repository rule that expires %s images THEN it is refused, naming the repository and the rule',
    (_, selection) => {
      const policy = {
        lifecyclePolicyText: JSON.stringify({
          rules: [{ rulePriority: 2, description: 'trim', selection, action: { type: 'expire' } }],
        }),
      };
      const problems = checkAssetRetention(config, reading(undefined, policy));
      expect(problems[0]).toBe(
        `${REPOSITORY_EAST} lifecycle rule ${2} ("trim") expires ${selection.tagStatus} images: an image a recorded release runs would be deleted while a rollback may still redeploy it; accepted: rules that select untagged images only`,
      );
      expect(problems).toHaveLength(2);
    },
  );

  test('GIVEN a repository rule that moves tagged images to archive storage THEN it is refused too', () => {
    const policy = {
      lifecyclePolicyText: JSON.stringify({
        rules: [
          {
            rulePriority: 3,
            description: 'archive',
            selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
            action: { type: 'transition', targetStorageClass: 'archive' },
          },
        ],
      }),
    };
    const problems = checkAssetRetention(config, reading(undefined, policy));
    expect(problems[0]).toContain(
      `${REPOSITORY_EAST} lifecycle rule 3 ("archive") moves any images to archive storage`,
    );
    expect(problems).toHaveLength(2);
  });
});
