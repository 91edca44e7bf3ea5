import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One cdk-nag acknowledgment: where, which rule, why. */
export interface Acknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every AwsSolutions acknowledgment in the construct tree below `root`. */
export function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    )
    .filter(({ id }) => id.startsWith('AwsSolutions-'));
}

/** What the rule pack finds when acknowledgments are ignored: rule id and construct path of every finding. */
export function rawFindings(root: IConstruct): Array<{ id: string; path: string }> {
  const pack = new AwsSolutionsChecks();
  // Test-only: see through acknowledgments, to prove each one silences a real finding.
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack
    .validateScope(root)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
}

/** The unacknowledged findings (`<rule> <path>`) on the constructs whose path `under` accepts. */
export function unacknowledgedFindings(root: IConstruct, under: (path: string) => boolean): string[] {
  return new AwsSolutionsChecks()
    .validateScope(root)
    .violations.flatMap((v) =>
      v.violatingResources.filter((r) => under(r.constructPath ?? '')).map((r) => `${v.ruleName} ${r.constructPath}`),
    );
}

/**
 * The cdk-nag tests of one construct of `stack()` (the constructs whose path contains `/<construct>/`): no
 * unacknowledged finding, and each acknowledgment is one wildcard finding, with a reason, that the pack really reports.
 */
export function nagCleanSuite(construct: string, stack: () => IConstruct): void {
  describe(`${construct} under cdk-nag AWS Solutions (test/stacks/nag.test.ts covers the whole app)`, () => {
    let root: IConstruct;
    const under = (path: string) => path.includes(`/${construct}/`);
    beforeAll(() => {
      root = stack();
    });

    test('no unacknowledged finding on its resources or roles', () => {
      expect(unacknowledgedFindings(root, under)).toEqual([]);
    });

    test('each acknowledgment is one wildcard finding, with a reason, that the rule pack really reports', () => {
      const acks = acknowledgments(root).filter((a) => under(`${a.path}/`));
      expect(acks.length).toBeGreaterThan(0);
      const raw = rawFindings(root);
      for (const ack of acks) {
        expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
        expect(ack.reason).toMatch(/^[A-Z].{40,}\.$/s);
        expect(raw.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)))).toBe(
          true,
        );
      }
    });
  });
}
