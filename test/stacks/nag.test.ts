import * as fs from 'node:fs';
import * as path from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgments, rawFindings } from './nag-findings';
import { buildShopApp, removeShopApp, type ShopApp } from './shop-app';

describe.each([
  ['default config', {}, {}],
  [
    'Region switch routing, HTTPS in both Regions, internal load balancers, other Regions, game days',
    {
      routingMode: 'region-switch' as const,
      loadBalancerScheme: 'internal' as const,
      gameDays: { enabled: true },
      primaryRegion: 'eu-west-1',
      standbyRegion: 'eu-central-1',
      certificateArns: {
        'eu-west-1': 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012',
        'eu-central-1': 'arn:aws:acm:eu-central-1:111111111111:certificate/12345678-1234-1234-1234-123456789012',
      },
    },
    {},
  ],
])('cdk-nag AWS Solutions over the whole app (%s)', (_name, base, options) => {
  let shop: ShopApp;
  beforeAll(() => {
    shop = buildShopApp(base, { nag: true, ...options });
  });
  afterAll(() => removeShopApp(shop));

  test('synth passes validation and reports no unacknowledged finding', () => {
    // WHEN the app synthesizes (an unacknowledged error makes synth throw with the report)
    const assembly = shop.app.synth();
    // THEN the validation report carries no violations
    const reportFile = path.join(assembly.directory, 'validation-report.json');
    const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
    const violations = report.pluginReports.flatMap(
      (plugin: { violations?: Array<{ ruleName: string; severity: string }> }) => plugin.violations ?? [],
    );
    expect(violations.filter((v: { severity: string }) => v.severity === 'error')).toEqual([]);
  });

  test('the rule pack finds no unacknowledged error or warning when run directly', () => {
    const report = new AwsSolutionsChecks().validateScope(shop.app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });

  test('every acknowledgment names a specific rule and gives a reviewer a reason', () => {
    const acks = acknowledgments(shop.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // A sentence at least: starts with a capital, ends with a full stop, more than a few words.
      expect({ ...ack, ok: /^[A-Z].{40,}\.$/s.test(ack.reason) && ack.reason.split(/\s+/).length >= 10 }).toEqual({
        ...ack,
        ok: true,
      });
      // Wildcard findings are acknowledged one finding at a time, never the whole IAM5 rule.
      if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id).toMatch(/^AwsSolutions-IAM5\[.+\]$/);
    }
  });

  test('every acknowledgment silences at least one real finding under its construct', () => {
    const findings = rawFindings(shop.app);
    const unused = acknowledgments(shop.app).filter(
      (ack) => !findings.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
    );
    expect(unused).toEqual([]);
  });

  test('acknowledgments sit on resources, never on a stack or stage', () => {
    const stackPaths = new Set(
      shop.app.node
        .findAll()
        .filter((c) => c.node.scope === shop.app || c.node.scope?.node.scope === shop.app)
        .map((c) => c.node.path),
    );
    for (const ack of acknowledgments(shop.app)) expect(stackPaths.has(ack.path)).toBe(false);
  });
});
