import { ConfigError, DEFAULT_CONFIG, KNOWN_REGIONS, loadConfig, PLACEHOLDER_ACCOUNT } from '../../config';
import { topologySchema } from '../../runbooks/topology';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('with no overrides it returns the defaults: us-east-1 primary, us-west-2 standby, dev, placeholder account', () => {
    const config = loadConfig();
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.primaryRegion).toBe('us-east-1');
    expect(config.standbyRegion).toBe('us-west-2');
    expect(config.envName).toBe('dev');
    expect(config.account).toBe(PLACEHOLDER_ACCOUNT);
  });

  test('environment variables override context, which overrides the defaults', () => {
    const context: Record<string, string> = {
      primaryRegion: 'eu-west-1',
      standbyRegion: 'eu-central-1',
      envName: 'ctx',
    };
    const config = loadConfig({
      context: (key) => context[key],
      env: { STANDBY_REGION: 'eu-north-1', ENV_NAME: 'prod', AWS_ACCOUNT_ID: '123456789012' },
    });
    expect(config.primaryRegion).toBe('eu-west-1');
    expect(config.standbyRegion).toBe('eu-north-1');
    expect(config.envName).toBe('prod');
    expect(config.account).toBe('123456789012');
  });

  test('numeric overrides from the environment are parsed', () => {
    expect(loadConfig({ env: { BAKE_MINUTES: '45' } }).bakeMinutes).toBe(45);
  });

  // Review M2. https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html:
  // "The snapshot of the old storage volume is a system snapshot that's subject to the backup retention period
  // configured on the old primary cluster."
  test('Aurora keeps backups 35 days unless told otherwise, the longest automated retention, so the lost writes last', () => {
    expect(loadConfig().backupRetentionDays).toBe(35);
  });

  test.each([
    ['environment variable BACKUP_RETENTION_DAYS', { env: { BACKUP_RETENTION_DAYS: '14' } }],
    ['context key backupRetentionDays', { context: (k: string) => (k === 'backupRetentionDays' ? 14 : undefined) }],
    ['the base config', { base: { backupRetentionDays: 14 } }],
  ])('backup retention can be set by %s', (_, sources) => {
    expect(loadConfig(sources).backupRetentionDays).toBe(14);
  });

  test.each([
    [
      'a malformed Region',
      { PRIMARY_REGION: 'useast1' },
      'primaryRegion: "useast1" is not a Region name; accepted: a Region such as "us-east-1" (set by environment variable PRIMARY_REGION)',
    ],
    [
      'an unknown Region',
      { STANDBY_REGION: 'us-east-9' },
      `standbyRegion: "us-east-9" is not a known AWS Region; accepted: one of ${KNOWN_REGIONS.join(', ')} (set by environment variable STANDBY_REGION)`,
    ],
    [
      'a Region switch plan name longer than the API accepts (issue 18, review M5)',
      { APP_NAME: 'storefront', ENV_NAME: 'production', ROUTING_MODE: 'region-switch' },
      'routingMode: "region-switch" names its plan "storefront-production-region-switch" (35 characters); accepted: a plan name of at most 32 characters (the planArn pattern of the Region switch API): shorten appName or envName to at most 17 characters together (set by environment variable ROUTING_MODE)',
    ],
    [
      'primary equal to standby',
      { PRIMARY_REGION: 'us-west-2' },
      'standbyRegion: "us-west-2" equals primaryRegion; accepted: a Region other than "us-west-2"',
    ],
    [
      'a non-12-digit account',
      { AWS_ACCOUNT_ID: '12345' },
      'account: "12345" is not an AWS account id; accepted: exactly 12 digits (set by environment variable AWS_ACCOUNT_ID)',
    ],
    [
      'an empty environment name',
      { ENV_NAME: '' },
      'envName: "" is not a valid name; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter (set by environment variable ENV_NAME)',
    ],
    [
      'a non-numeric bake time',
      { BAKE_MINUTES: 'soon' },
      'bakeMinutes: "soon" is not a number; accepted: a whole number (set by environment variable BAKE_MINUTES)',
    ],
    [
      'a backup retention longer than Aurora keeps automated backups',
      { BACKUP_RETENTION_DAYS: '36' },
      'backupRetentionDays: 36 is out of range; accepted: a whole number from 1 to 35 (set by environment variable BACKUP_RETENTION_DAYS)',
    ],
    [
      'a backup retention of part of a day',
      { BACKUP_RETENTION_DAYS: '7.5' },
      'backupRetentionDays: 7.5 is out of range; accepted: a whole number from 1 to 35 (set by environment variable BACKUP_RETENTION_DAYS)',
    ],
    [
      'no backup retention',
      { BACKUP_RETENTION_DAYS: '0' },
      'backupRetentionDays: 0 is out of range; accepted: a whole number from 1 to 35 (set by environment variable BACKUP_RETENTION_DAYS)',
    ],
    [
      'an unknown routing mode',
      { ROUTING_MODE: 'dns' },
      'routingMode: "dns" is not a routing mode; accepted: "arc-cluster" or "region-switch" (set by environment variable ROUTING_MODE)',
    ],
  ])('%s stops with a message naming the field, the value and what is accepted', (_, env, message) => {
    expect(problemsOf(() => loadConfig({ env }))).toEqual([message]);
  });

  // Issue 18: routing mode region-switch is complete (the plan, its ARN parameter in both Regions, the runbook roles and
  // the recover-start function), so a configuration may choose it from any source. Review B2 refused it while the
  // runbooks could not drive it.
  test.each([
    ['an environment variable', { env: { ROUTING_MODE: 'region-switch' } }],
    ['cdk context', { context: (k: string) => (k === 'routingMode' ? 'region-switch' : undefined) }],
    ['the base config', { base: { routingMode: 'region-switch' as const } }],
  ])('the region-switch routing mode from %s is accepted', (_, sources) => {
    expect(loadConfig(sources).routingMode).toBe('region-switch');
  });

  test('the default routing mode stays arc-cluster', () => {
    expect(loadConfig().routingMode).toBe('arc-cluster');
  });

  test('game days are off by default, with 400 days of evidence, 6 synthetic orders a minute, RTO 15 min, RPO 60 s', () => {
    const config = loadConfig();
    expect(config.gameDays).toEqual({ enabled: false, evidenceRetentionDays: 400, shopperRatePerMinute: 6 });
    expect(config.rtoTargetMinutes).toBe(15);
    expect(config.rpoTargetSeconds).toBe(60);
  });

  test('the game-day fields and the targets are set by environment variables, strings parsed', () => {
    const config = loadConfig({
      env: {
        GAMEDAYS_ENABLED: 'true',
        GAMEDAYS_EVIDENCE_RETENTION_DAYS: '30',
        GAMEDAYS_SHOPPER_RATE_PER_MINUTE: '12',
        RTO_TARGET_MINUTES: '20',
        RPO_TARGET_SECONDS: '5',
      },
    });
    expect(config.gameDays).toEqual({ enabled: true, evidenceRetentionDays: 30, shopperRatePerMinute: 12 });
    expect([config.rtoTargetMinutes, config.rpoTargetSeconds]).toEqual([20, 5]);
  });

  test('cdk context sets a game-day field by its dotted name, as a string or a boolean', () => {
    const asString = loadConfig({ context: (k) => (k === 'gameDays.enabled' ? 'true' : undefined) });
    const asBoolean = loadConfig({ context: (k) => (k === 'gameDays.enabled' ? true : undefined) });
    expect([asString.gameDays.enabled, asBoolean.gameDays.enabled]).toEqual([true, true]);
  });

  test('a base that sets part of gameDays keeps the defaults of the rest', () => {
    expect(loadConfig({ base: { gameDays: { enabled: true } } }).gameDays).toEqual({
      enabled: true,
      evidenceRetentionDays: 400,
      shopperRatePerMinute: 6,
    });
  });

  test.each([
    [
      { GAMEDAYS_ENABLED: 'yes' },
      'gameDays.enabled: "yes" is not a boolean; accepted: true or false (set by environment variable GAMEDAYS_ENABLED)',
    ],
    [
      { GAMEDAYS_EVIDENCE_RETENTION_DAYS: '0' },
      'gameDays.evidenceRetentionDays: 0 is out of range; accepted: a whole number from 1 to 36500 (set by environment variable GAMEDAYS_EVIDENCE_RETENTION_DAYS)',
    ],
    [
      { GAMEDAYS_SHOPPER_RATE_PER_MINUTE: '61' },
      'gameDays.shopperRatePerMinute: 61 is out of range; accepted: a whole number from 1 to 60 (set by environment variable GAMEDAYS_SHOPPER_RATE_PER_MINUTE)',
    ],
    [
      { GAMEDAYS_SHOPPER_RATE_PER_MINUTE: 'fast' },
      'gameDays.shopperRatePerMinute: "fast" is not a number; accepted: a whole number (set by environment variable GAMEDAYS_SHOPPER_RATE_PER_MINUTE)',
    ],
    [
      { RTO_TARGET_MINUTES: '0' },
      'rtoTargetMinutes: 0 is out of range; accepted: a whole number from 1 to 1440 (set by environment variable RTO_TARGET_MINUTES)',
    ],
    [
      { RPO_TARGET_SECONDS: '0.5' },
      'rpoTargetSeconds: 0.5 is out of range; accepted: a whole number from 1 to 86400 (set by environment variable RPO_TARGET_SECONDS)',
    ],
  ])('a bad game-day value %j stops with the field, the value and what is accepted', (env, message) => {
    expect(problemsOf(() => loadConfig({ env }))).toEqual([message]);
  });

  test('readiness runs every 30 minutes by default and scales to 100 % of the peak within 120 s; a failback wants 60 healthy minutes', () => {
    expect(loadConfig().readiness).toEqual({
      scheduleMinutes: 30,
      peakSharePercent: 100,
      scaleUpBudgetSeconds: 120,
      failbackHealthyMinutes: 60,
      releaseGraceMinutes: 100,
    });
  });

  test('the readiness fields are set by environment variables and cdk context by their dotted names, strings parsed', () => {
    // GIVEN two fields from the environment and one from cdk context
    const config = loadConfig({
      env: { READINESS_SCHEDULE_MINUTES: '15', READINESS_PEAK_SHARE_PERCENT: '150' },
      context: (k) => (k === 'readiness.failbackHealthyMinutes' ? '30' : undefined),
    });
    // THEN each is set and the fourth keeps its default
    expect(config.readiness).toEqual({
      scheduleMinutes: 15,
      peakSharePercent: 150,
      scaleUpBudgetSeconds: 120,
      failbackHealthyMinutes: 30,
      releaseGraceMinutes: 100,
    });
    expect(loadConfig({ env: { READINESS_SCALE_UP_BUDGET_SECONDS: '300' } }).readiness.scaleUpBudgetSeconds).toBe(300);
  });

  test('a base that sets part of readiness keeps the defaults of the rest', () => {
    expect(loadConfig({ base: { readiness: { scheduleMinutes: 60 } } }).readiness).toEqual({
      scheduleMinutes: 60,
      peakSharePercent: 100,
      scaleUpBudgetSeconds: 120,
      failbackHealthyMinutes: 60,
      releaseGraceMinutes: 100,
    });
  });

  // A release deploys the primary, bakes it for bakeMinutes, then deploys the standby: the parity checks tolerate the
  // difference for readiness.releaseGraceMinutes after the newer deploy.
  test('the release grace is derived from the bake when not set: 2 x bakeMinutes + 60', () => {
    expect(loadConfig().readiness.releaseGraceMinutes).toBe(2 * 20 + 60);
    expect(loadConfig({ env: { BAKE_MINUTES: '45' } }).readiness.releaseGraceMinutes).toBe(150);
    expect(loadConfig({ base: { bakeMinutes: 360 } }).readiness.releaseGraceMinutes).toBe(780);
  });

  test('the release grace is set by READINESS_RELEASE_GRACE_MINUTES, cdk context readiness.releaseGraceMinutes or a base, and then not derived', () => {
    expect(
      loadConfig({ env: { READINESS_RELEASE_GRACE_MINUTES: '240', BAKE_MINUTES: '45' } }).readiness.releaseGraceMinutes,
    ).toBe(240);
    expect(
      loadConfig({ context: (k) => (k === 'readiness.releaseGraceMinutes' ? '90' : undefined) }).readiness
        .releaseGraceMinutes,
    ).toBe(90);
    expect(loadConfig({ base: { readiness: { releaseGraceMinutes: 20 } } }).readiness.releaseGraceMinutes).toBe(20);
  });

  test.each([
    [
      { READINESS_SCHEDULE_MINUTES: '4' },
      'readiness.scheduleMinutes: 4 is out of range; accepted: a whole number from 5 to 720 (set by environment variable READINESS_SCHEDULE_MINUTES)',
    ],
    [
      { READINESS_SCHEDULE_MINUTES: '721' },
      'readiness.scheduleMinutes: 721 is out of range; accepted: a whole number from 5 to 720 (set by environment variable READINESS_SCHEDULE_MINUTES)',
    ],
    [
      { READINESS_SCHEDULE_MINUTES: 'hourly' },
      'readiness.scheduleMinutes: "hourly" is not a number; accepted: a whole number (set by environment variable READINESS_SCHEDULE_MINUTES)',
    ],
    [
      { READINESS_PEAK_SHARE_PERCENT: '401' },
      'readiness.peakSharePercent: 401 is out of range; accepted: a whole number from 0 to 400 (set by environment variable READINESS_PEAK_SHARE_PERCENT)',
    ],
    [
      { READINESS_SCALE_UP_BUDGET_SECONDS: '1801' },
      'readiness.scaleUpBudgetSeconds: 1801 is out of range; accepted: a whole number from 0 to 1800 (set by environment variable READINESS_SCALE_UP_BUDGET_SECONDS)',
    ],
    [
      { READINESS_FAILBACK_HEALTHY_MINUTES: '-1' },
      'readiness.failbackHealthyMinutes: -1 is out of range; accepted: a whole number from 0 to 10080 (set by environment variable READINESS_FAILBACK_HEALTHY_MINUTES)',
    ],
    [
      { READINESS_FAILBACK_HEALTHY_MINUTES: '1.5' },
      'readiness.failbackHealthyMinutes: 1.5 is out of range; accepted: a whole number from 0 to 10080 (set by environment variable READINESS_FAILBACK_HEALTHY_MINUTES)',
    ],
    [
      { READINESS_RELEASE_GRACE_MINUTES: '19' },
      'readiness.releaseGraceMinutes: 19 is out of range; accepted: a whole number from 20 (bakeMinutes: a shorter grace would not cover the bake) to 1440 (set by environment variable READINESS_RELEASE_GRACE_MINUTES)',
    ],
    [
      { READINESS_RELEASE_GRACE_MINUTES: '1441' },
      'readiness.releaseGraceMinutes: 1441 is out of range; accepted: a whole number from 20 (bakeMinutes: a shorter grace would not cover the bake) to 1440 (set by environment variable READINESS_RELEASE_GRACE_MINUTES)',
    ],
    [
      { READINESS_RELEASE_GRACE_MINUTES: '60', BAKE_MINUTES: '90' },
      'readiness.releaseGraceMinutes: 60 is out of range; accepted: a whole number from 90 (bakeMinutes: a shorter grace would not cover the bake) to 1440 (set by environment variable READINESS_RELEASE_GRACE_MINUTES)',
    ],
    [
      { READINESS_RELEASE_GRACE_MINUTES: 'soon' },
      'readiness.releaseGraceMinutes: "soon" is not a number; accepted: a whole number (set by environment variable READINESS_RELEASE_GRACE_MINUTES)',
    ],
  ])('a bad readiness value %j stops with the field, the value and what is accepted', (env, message) => {
    expect(problemsOf(() => loadConfig({ env }))).toEqual([message]);
  });

  test('every readiness setting accepted by the configuration is accepted by the runbook topology', () => {
    // GIVEN the extremes the configuration accepts
    for (const readiness of [
      { peakSharePercent: 0, scaleUpBudgetSeconds: 0, failbackHealthyMinutes: 0, releaseGraceMinutes: 20 },
      { peakSharePercent: 400, scaleUpBudgetSeconds: 1800, failbackHealthyMinutes: 10080, releaseGraceMinutes: 1440 },
    ]) {
      const { scheduleMinutes: _, ...settings } = loadConfig({ base: { readiness } }).readiness;
      // THEN the topology's readiness schema takes them as they are
      expect(topologySchema.shape.readiness.parse(settings)).toMatchObject(settings);
    }
  });

  test('a base gameDays.enabled that is not a boolean is refused', () => {
    expect(problemsOf(() => loadConfig({ base: { gameDays: { enabled: 'yes' as unknown as boolean } } }))).toEqual([
      'gameDays.enabled: "yes" is not a boolean; accepted: true or false',
    ]);
  });

  test('a bad value from cdk context names the context key', () => {
    expect(problemsOf(() => loadConfig({ context: (k) => (k === 'account' ? 'abc' : undefined) }))).toEqual([
      'account: "abc" is not an AWS account id; accepted: exactly 12 digits (set by context key account)',
    ]);
  });

  test('every problem is reported at once, one per line', () => {
    let message = '';
    try {
      loadConfig({ env: { AWS_ACCOUNT_ID: '1', ENV_NAME: 'Prod' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        'Invalid configuration:',
        '  - envName: "Prod" is not a valid name; accepted: 1-20 lowercase letters, digits or hyphens, starting with a letter (set by environment variable ENV_NAME)',
        '  - account: "1" is not an AWS account id; accepted: exactly 12 digits (set by environment variable AWS_ACCOUNT_ID)',
      ].join('\n'),
    );
  });

  test.each([
    [
      { availabilityZones: { 'us-east-1': ['us-east-1a'] } },
      'availabilityZones.us-east-1: ["us-east-1a"] is not a list of zones; accepted: two or more zones of us-east-1, such as ["us-east-1a", "us-east-1b"]',
    ],
    [
      { availabilityZones: { 'us-east-1': ['us-east-1a', 'eu-west-1b'] } },
      'availabilityZones.us-east-1: ["us-east-1a","eu-west-1b"] is not a list of zones; accepted: two or more zones of us-east-1, such as ["us-east-1a", "us-east-1b"]',
    ],
    [
      {
        certificateArns: {
          'us-east-1': 'arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000',
        },
      },
      'certificateArns.us-east-1: "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000" is not an ACM certificate ARN in us-east-1; accepted: arn:aws:acm:us-east-1:<account>:certificate/<uuid>',
    ],
    [{ bakeMinutes: 0 }, 'bakeMinutes: 0 is out of range; accepted: a whole number from 1 to 360'],
    [
      { domainName: 'Shop.Example' },
      'domainName: "Shop.Example" is not a DNS zone name; accepted: a lowercase name such as "shop.example.com"',
    ],
  ])('a bad base value %j is rejected', (base, message) => {
    expect(problemsOf(() => loadConfig({ base }))).toEqual([message]);
  });
});
