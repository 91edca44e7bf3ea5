import { NonRetriableError } from '../../core/errors';
import type { RegionSwitchApi } from './region-switch-executions';

/** The SDK module of ARC Region switch, loaded when a runbook first calls it. */
export const REGION_SWITCH_SDK_MODULE = '@aws-sdk/client-arc-region-switch';

type Command = new (input: object) => object;
interface SdkModule {
  readonly ARCRegionSwitchClient: new (config: {
    region: string;
    maxAttempts?: number;
  }) => {
    send(command: object): Promise<object>;
  };
  readonly [command: string]: unknown;
}

/**
 * The Region switch data plane of `region` through the AWS SDK for JavaScript v3 client
 * `@aws-sdk/client-arc-region-switch`, each method one `send` of the command of the same name.
 *
 * The client is not a dependency of this project: the npm registry reachable where it is built answers 404 for it.
 * The runbook Lambda bundle leaves it out (an esbuild external), so in Lambda the client of the runtime's own AWS SDK
 * v3 is used (Lambda's Node.js runtimes include the AWS SDK v3; that its version includes Region switch is
 * UNVERIFIED here: runbooks/README.md, "Unverified AWS behaviour" item 17, says how to check it). Where the module is missing (a CLI without it installed), the first
 * call fails with a message saying how to install it; nothing is sent.
 *
 * @param load how the module is loaded (tests pass their own)
 */
export function sdkRegionSwitchApi(
  region: string,
  load: (name: string) => unknown = (name) => require(name),
): RegionSwitchApi {
  let client: { send(command: object): Promise<object> } | undefined;
  let sdk: SdkModule | undefined;
  const send = async <T>(command: string, input: object): Promise<T> => {
    if (!sdk) {
      try {
        sdk = load(REGION_SWITCH_SDK_MODULE) as SdkModule;
      } catch (error) {
        throw new NonRetriableError(
          `${command} in ${region}: the AWS SDK client ${REGION_SWITCH_SDK_MODULE} cannot be loaded here (${(error as Error).message.split('\n')[0]}); accepted: a runtime that has it (the Lambda Node.js runtime's AWS SDK v3, or \`npm install ${REGION_SWITCH_SDK_MODULE}\` for the CLI)`,
        );
      }
    }
    const Constructor = sdk[`${command}Command`] as Command | undefined;
    if (typeof Constructor !== 'function' || typeof sdk.ARCRegionSwitchClient !== 'function') {
      throw new NonRetriableError(
        `${command} in ${region}: the loaded ${REGION_SWITCH_SDK_MODULE} has no ${command}Command or ARCRegionSwitchClient; accepted: a version of the client that has them`,
      );
    }
    client ??= new sdk.ARCRegionSwitchClient({ region, maxAttempts: 1 });
    return (await client.send(new Constructor(input))) as T;
  };
  return {
    startPlanExecution: (input) => send('StartPlanExecution', input),
    getPlanExecution: (input) => send('GetPlanExecution', input),
    listPlanExecutions: (input) => send('ListPlanExecutions', input),
    listPlanExecutionEvents: (input) => send('ListPlanExecutionEvents', input),
    cancelPlanExecution: (input) => send('CancelPlanExecution', input),
    getPlanEvaluationStatus: (input) => send('GetPlanEvaluationStatus', input),
  };
}
