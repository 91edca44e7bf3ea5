import { DEPLOYED_COMMIT_OUTPUT } from '../../.github/actions/rollback/deployed-commit-output';
import { buildShopApp, removeShopApp, type ShopApp, templateOf } from './shop-app';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('DeployedCommit (pipeline M1: record verifies the commit a Region runs)', () => {
  let shop: ShopApp;
  let unversioned: ShopApp;
  beforeAll(() => {
    shop = buildShopApp({}, { release: { commit: COMMIT } });
    unversioned = buildShopApp();
  });
  afterAll(() => {
    removeShopApp(shop);
    removeShopApp(unversioned);
  });

  test.each(['primary', 'standby'] as const)(
    'the %s stacks a rollback redeploys (services, observability, runbooks) output the commit and keep it in a parameter, so every deploy updates them',
    (role) => {
      for (const stack of [shop.stages[role].services, shop.stages[role].observability, shop.stages[role].runbooks]) {
        const template = templateOf(stack);
        // GIVEN/THEN the output the pipeline's record reads, at the stack's top level (its key is exactly the name)
        template.hasOutput(DEPLOYED_COMMIT_OUTPUT, { Value: COMMIT });
        // and a resource whose value changes with the commit: CloudFormation does not update outputs alone
        template.hasResourceProperties('AWS::SSM::Parameter', {
          Name: `/${stack.stackName}/deployed-commit`,
          Value: COMMIT,
          Type: 'String',
        });
      }
    },
  );

  test('the routing stack, rolled back with the standby (review M5), outputs the commit too', () => {
    const template = templateOf(shop.stages.global.routing);
    template.hasOutput(DEPLOYED_COMMIT_OUTPUT, { Value: COMMIT });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `/${shop.stages.global.routing.stackName}/deployed-commit`,
      Value: COMMIT,
    });
  });

  test('the data and network stacks carry no commit: the pipeline never records or rolls them back', () => {
    for (const role of ['primary', 'standby'] as const) {
      for (const stack of [shop.stages[role].data, shop.stages[role].network]) {
        expect(templateOf(stack).findOutputs(DEPLOYED_COMMIT_OUTPUT)).toEqual({});
      }
    }
  });

  test.each(['primary', 'standby'] as const)(
    "the %s runbook topology names, for each Region, the parameter that Region's services stack writes (the parity checks' release awareness), and the release grace derived from the bake",
    (role) => {
      const { topology } = shop.stages[role].runbooks;
      for (const owner of ['primary', 'standby'] as const) {
        const services = shop.stages[owner].services;
        const written = templateOf(services).findResources('AWS::SSM::Parameter');
        const names = Object.values(written).map((r) => (r as { Properties: { Name: string } }).Properties.Name);
        expect(names).toContain(topology.regions[services.region]!.deployedCommitParameterName);
      }
      expect(topology.readiness.releaseGraceMinutes).toBe(2 * shop.config.bakeMinutes + 60);
    },
  );

  test('a configured release grace reaches both runbook topologies', () => {
    const configured = buildShopApp({ readiness: { releaseGraceMinutes: 240 } });
    try {
      for (const role of ['primary', 'standby'] as const) {
        expect(configured.stages[role].runbooks.topology.readiness.releaseGraceMinutes).toBe(240);
      }
    } finally {
      removeShopApp(configured);
    }
  });

  test('a synth outside a workflow stamps "unversioned", which record never matches', () => {
    templateOf(unversioned.stages.primary.services).hasOutput(DEPLOYED_COMMIT_OUTPUT, { Value: 'unversioned' });
  });
});
