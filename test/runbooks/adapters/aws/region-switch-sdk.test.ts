import { REGION_SWITCH_SDK_MODULE, sdkRegionSwitchApi } from '../../../../runbooks/adapters/aws/region-switch-sdk';
import { NonRetriableError } from '../../../../runbooks/core/errors';

const PLAN = 'arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123';

describe('sdkRegionSwitchApi: the Region switch data plane through the SDK client, loaded at run time', () => {
  // The class as @aws-sdk/client-arc-region-switch exports it (aws-sdk-js-v3 clients/client-arc-region-switch:
  // `const client = new ARCRegionSwitchClient(config)` in every command's documentation). This fake used to carry the
  // lower-case name the loader looked for, so it could not find the loader's mistake (review of issue 18, B1).
  test('GIVEN the client module WHEN a method is called THEN it sends the command of the same name with the input, from a client of that Region', async () => {
    const sent: { region: string; command: string; input: object }[] = [];
    class ARCRegionSwitchClient {
      constructor(readonly config: { region: string }) {}
      async send(command: { name: string; input: object }) {
        sent.push({ region: this.config.region, command: command.name, input: command.input });
        return { executionId: 'e-1' };
      }
    }
    const command = (name: string) =>
      class {
        readonly name = name;
        constructor(readonly input: object) {}
      };
    const module = {
      ARCRegionSwitchClient,
      StartPlanExecutionCommand: command('StartPlanExecution'),
      GetPlanExecutionCommand: command('GetPlanExecution'),
    };
    const api = sdkRegionSwitchApi('us-west-2', (name) => {
      expect(name).toBe(REGION_SWITCH_SDK_MODULE);
      return module;
    });
    await expect(
      api.startPlanExecution({ planArn: PLAN, targetRegion: 'us-west-2', action: 'activate', mode: 'ungraceful' }),
    ).resolves.toEqual({ executionId: 'e-1' });
    await api.getPlanExecution({ planArn: PLAN, executionId: 'e-1' });
    expect(sent).toEqual([
      {
        region: 'us-west-2',
        command: 'StartPlanExecution',
        input: { planArn: PLAN, targetRegion: 'us-west-2', action: 'activate', mode: 'ungraceful' },
      },
      { region: 'us-west-2', command: 'GetPlanExecution', input: { planArn: PLAN, executionId: 'e-1' } },
    ]);
  });

  test('GIVEN no client module in this runtime WHEN a method is called THEN it fails (non-retriable) naming the module and how to get it, and nothing is sent', async () => {
    const api = sdkRegionSwitchApi('us-west-2', () => {
      throw new Error(`Cannot find module '${REGION_SWITCH_SDK_MODULE}'\nRequire stack: ...`);
    });
    const call = api.startPlanExecution({ planArn: PLAN, targetRegion: 'us-west-2', action: 'activate' });
    await expect(call).rejects.toBeInstanceOf(NonRetriableError);
    await expect(call).rejects.toThrow(
      `StartPlanExecution in us-west-2: the AWS SDK client ${REGION_SWITCH_SDK_MODULE} cannot be loaded here (Cannot find module '${REGION_SWITCH_SDK_MODULE}'); accepted: a runtime that has it (the Lambda Node.js runtime's AWS SDK v3, or \`npm install ${REGION_SWITCH_SDK_MODULE}\` for the CLI)`,
    );
  });

  test('GIVEN a client module without the command WHEN it is called THEN it fails naming the command', async () => {
    const api = sdkRegionSwitchApi('us-east-1', () => ({ ARCRegionSwitchClient: class {} }));
    await expect(api.listPlanExecutions({ planArn: PLAN })).rejects.toThrow(
      `ListPlanExecutions in us-east-1: the loaded ${REGION_SWITCH_SDK_MODULE} has no ListPlanExecutionsCommand or ARCRegionSwitchClient; accepted: a version of the client that has them`,
    );
  });

  test('GIVEN this project WHEN the real module is asked for THEN it is absent here (the registry answers 404), so the message above is what a CLI user without it sees', () => {
    expect(() => require.resolve(REGION_SWITCH_SDK_MODULE)).toThrow(/Cannot find module/);
  });
});
