import { createStepHandler } from '../../../runbooks/lambda/step-handler';
import type { ClockPort, RunbookPorts } from '../../../runbooks/ports';
import { type AutomationTargets, SSM_LAMBDA_STEP_SECONDS } from '../../../runbooks/ssm/automation-document';
import type { Topology } from '../../../runbooks/topology';
import type { SimulatedFunction } from './automation-interpreter';

/** The runbook stack's function timeout: 10 s under the 300 s an SSM invoke step may last (runbook-stack.ts). */
export const FUNCTION_TIMEOUT_SECONDS = SSM_LAMBDA_STEP_SECONDS - 10;

/** The ARNs the generated documents name in a Region (as the stack passes them). */
export function runbookTargets(region: string): AutomationTargets {
  return {
    stepFunction: `arn:aws:lambda:${region}:111111111111:function:shop-dev-runbook-step`,
    databaseFunction: `arn:aws:lambda:${region}:111111111111:function:shop-dev-runbook-database-step`,
    automationRoleArn: 'arn:aws:iam::111111111111:role/shop-dev-runbook-automation',
  };
}

/** One invocation of a runbook function, as the tests see it. */
export interface Invocation {
  readonly functionName: string;
  readonly event: Readonly<Record<string, unknown>>;
  readonly returned: unknown;
}

/** Options of {@link runbookFunctions}. */
export interface RunbookFunctionsOptions {
  readonly region: string;
  readonly topology: Topology;
  readonly clock: ClockPort;
  /** The ports the step function (outside the VPC) sees. */
  readonly ports: RunbookPorts;
  /** The ports the VPC function sees. @default - {@link ports} */
  readonly vpcPorts?: RunbookPorts;
  /** Receives every invocation. */
  readonly invocations?: Invocation[];
}

/**
 * The two runbook functions of a Region, as SSM invokes them: the REAL step handler (`createStepHandler`) with the
 * given ports, the function timeout of the stack, and the Lambda context's remaining time on the simulated clock.
 */
export function runbookFunctions(options: RunbookFunctionsOptions): Record<string, SimulatedFunction> {
  const targets = runbookTargets(options.region);
  const make = (name: string, ports: RunbookPorts): SimulatedFunction => {
    const handler = createStepHandler({
      environment: {
        RUNBOOK_TOPOLOGY: JSON.stringify(options.topology),
        RUNBOOK_BUCKET: 'shop-dev-runbook-reports',
        AWS_REGION: options.region,
      },
      clock: options.clock,
      portsFor: () => ports,
      log: () => {},
      stepRetryDelayMs: 1,
    });
    return {
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
      invoke: async (event, context) => {
        const returned = await handler(event, context);
        options.invocations?.push({ functionName: name, event: event as Record<string, unknown>, returned });
        return returned;
      },
    };
  };
  return {
    [targets.stepFunction]: make(targets.stepFunction, options.ports),
    [targets.databaseFunction]: make(targets.databaseFunction, options.vpcPorts ?? options.ports),
  };
}
