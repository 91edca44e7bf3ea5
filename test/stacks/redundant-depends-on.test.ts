import type { Stack } from 'aws-cdk-lib';
import { buildShopApp, removeShopApp, type ShopApp, templateOf } from './shop-app';

let shop: ShopApp;
let regionSwitch: ShopApp;
beforeAll(() => {
  shop = buildShopApp();
  regionSwitch = buildShopApp({ routingMode: 'region-switch' });
});
afterAll(() => {
  removeShopApp(shop);
  removeShopApp(regionSwitch);
});

/** Logical ids a value refers to with `Ref` or `Fn::GetAtt`. */
function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) references(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
      else references(inner, found);
    }
  }
  return found;
}

/** `resource DependsOn target` entries whose target the resource's properties already reference. */
function redundantDependsOn(stack: Stack): string[] {
  const resources = templateOf(stack).toJSON().Resources as Record<
    string,
    { DependsOn?: string | string[]; Properties?: unknown }
  >;
  return Object.entries(resources).flatMap(([id, resource]) => {
    const referenced = references(resource.Properties);
    return [resource.DependsOn ?? []]
      .flat()
      .filter((target) => referenced.has(target))
      .map((target) => `${stack.stackName}: ${id} DependsOn ${target}`);
  });
}

// Review m10: cfn-lint W3005 ("dependency already enforced by a 'GetAtt'") on the Network stacks (CDK's
// restrict-default-security-group provider) and the Runbooks stacks (the step and database functions' roles).
// Harmless ordering, but a warning every lint run repeats hides the next real one. Every lambda.Function depends on
// its role, so every stack with functions is checked.
describe('DependsOn', () => {
  test.each(['primary', 'standby'] as const)(
    'the %s network stack depends on no resource it already references',
    (role) => {
      expect(redundantDependsOn(shop.stages[role].network)).toEqual([]);
    },
  );

  test.each(['primary', 'standby'] as const)(
    'the %s runbook functions wait for their policies, not for the role their Role property names',
    (role) => {
      const stack = shop.stages[role].runbooks;
      expect(redundantDependsOn(stack).filter((entry) => /: (Step|Database)Function/.test(entry))).toEqual([]);
      const resources = templateOf(stack).toJSON().Resources as Record<string, { DependsOn?: string[] }>;
      for (const name of ['Step', 'Database']) {
        const [fn] = Object.entries(resources).filter(([id]) => id.startsWith(`${name}Function`));
        expect([...(fn![1].DependsOn ?? [])].sort()).toEqual(
          Object.keys(resources)
            .filter((id) => id.startsWith(`${name}PlatformPolicy`) || id.startsWith(`${name}StepsPolicy`))
            .sort(),
        );
      }
    },
  );

  test.each(['primary', 'standby'] as const)(
    'the %s runbook stack depends on no resource it already references',
    (role) => {
      expect(redundantDependsOn(shop.stages[role].runbooks)).toEqual([]);
    },
  );

  test('the global routing stack (its custom-resource provider) depends on no resource it already references', () => {
    expect(redundantDependsOn(shop.stages.global.routing)).toEqual([]);
  });

  // Issue 18: routing mode region-switch adds the recover-start function to each runbook stack and the plan-parameter
  // writers (custom resources) to the routing stack.
  test.each(['primary', 'standby'] as const)(
    'in region-switch mode the %s runbook stack depends on no resource it already references',
    (role) => {
      expect(regionSwitch.stages[role].runbooks.regionSwitchRecoverStart).toBeDefined();
      expect(redundantDependsOn(regionSwitch.stages[role].runbooks)).toEqual([]);
    },
  );

  test('in region-switch mode the global routing stack depends on no resource it already references', () => {
    expect(redundantDependsOn(regionSwitch.stages.global.routing)).toEqual([]);
  });
});
