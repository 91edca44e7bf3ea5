import { type App, CfnResource, Stack } from 'aws-cdk-lib';
import { loadConfig, type ShopConfig } from '../../config';
import { synthesizeRoutingModes } from '../../cost/routing-mode-templates';
import type { SynthesizedStack } from '../../cost/template-cost';
import { CDK_CONTEXT } from './synthesized-cost';

// GIVEN an app whose Regional stages depend on the routing mode: in region-switch mode the primary Region's first
// stack holds one more resource (a Region switch plan's execution blocks may well add Regional resources).
jest.mock('../../stacks', () => {
  const actual = jest.requireActual('../../stacks');
  return {
    ...actual,
    buildStages: (app: App, config: ShopConfig) => {
      const stages = actual.buildStages(app, config);
      if (config.routingMode === 'region-switch') {
        const stack = stages.primary.node.children.find((child: unknown) => Stack.isStack(child)) as Stack;
        new CfnResource(stack, 'RegionSwitchOnly', { type: 'AWS::Mystery::RegionSwitchOnly' });
      }
      return stages;
    },
  };
});

const mysteries = (stacks: readonly SynthesizedStack[]) =>
  stacks.flatMap((stack) =>
    Object.values(stack.template.Resources ?? {})
      .filter((resource) => resource.Type === 'AWS::Mystery::RegionSwitchOnly')
      .map(() => stack.region),
  );

test("each routing mode's column counts that mode's Regional stacks, not the configured mode's", () => {
  // WHEN both modes are synthesized from the default (arc-cluster) configuration (here, not from the run's kept
  // templates: they were synthesized without this file's mock)
  const templates = synthesizeRoutingModes(loadConfig({}), CDK_CONTEXT);
  // THEN the region-switch column holds the Regional resource only region-switch synthesizes, and arc-cluster not
  expect(mysteries(templates.stacks['region-switch'])).toEqual(['us-east-1']);
  expect(mysteries(templates.stacks['arc-cluster'])).toEqual([]);
});
