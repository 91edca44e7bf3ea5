import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeAutomationExecutionsCommand,
  type DescribeAutomationExecutionsCommandOutput,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { z } from 'zod';
import {
  AUTOMATION_PARAMETERS,
  automationDocumentName,
  FAILOVER_AT_PARAMETER,
} from '../../.github/actions/failover/automation-document-name';
import { IN_FLIGHT_STATUSES } from '../../.github/actions/failover/automation-in-flight';
import { awsCall, DEFAULT_RETRY, hasName, retryPolicy } from '../adapters/aws/aws-call';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from '../adapters/aws/request-limits';
import { S3Journal } from '../adapters/aws/s3-journal';
import { messageOf } from '../core/errors';
import type { Journal, JournalPort } from '../ports';
import { parameterName } from '../ssm/automation-document';
import { otherRegion, type Topology } from '../topology';
import { readRunbookEnvironment } from './runbook-environment';

/** Format tag of what {@link createRegionSwitchRecoverHandler}'s handler answers. */
export const REGION_SWITCH_RECOVER_FORMAT = 'multi-region-shop/region-switch-recover@1';

/**
 * The event: the execution metadata Region switch sends a custom action Lambda block's function. API reference,
 * Lambdas `payload`: "If you don't specify a payload, Region switch invokes the function with only the execution
 * metadata" and "Region switch merges execution metadata keys (`InvokedBy`, `PlanArn`, `ExecutionId`, `StepName`) into
 * the top level". The plan gives no payload (stacks/routing/region-switch-plan.ts). The values' formats are not
 * documented (UNVERIFIED): strings are required, other keys are let through (the metadata may grow).
 */
const eventSchema = z
  .object({
    ExecutionId: z.string().min(1, 'empty').max(1024),
    PlanArn: z
      .string()
      .regex(/^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan[/:]/, 'not a Region switch plan ARN'),
    StepName: z.string().max(1024).optional(),
    InvokedBy: z.string().max(2048).optional(),
  })
  .passthrough();

/** The event, as validated. */
export type RegionSwitchRecoverEvent = z.input<typeof eventSchema>;

/** What the function answers when it succeeds (the plan goes on). */
export interface RegionSwitchRecoverResult {
  readonly format: typeof REGION_SWITCH_RECOVER_FORMAT;
  /** The Region the function ran in: the one the plan activated. */
  readonly region: string;
  /** The Region switch plan execution that invoked it. */
  readonly planExecutionId: string;
  /**
   * `started`: this invocation started `recover`; `already-running`: a `recover` of this Region has not ended (an
   * earlier invocation's, or an operator's); `nothing-to-recover`: no unplanned failover of this Region lacks its
   * missing-transaction report.
   */
  readonly outcome: 'started' | 'already-running' | 'nothing-to-recover';
  readonly detail: string;
  /** The failover whose report is missing, when there is one. */
  readonly failoverExecutionId?: string;
  /** The `recover` automation started or found running. */
  readonly recoverExecutionId?: string;
}

/** The request that starts the `recover` automation. */
export interface RecoverStartRequest {
  readonly documentName: string;
  readonly parameters: Readonly<Record<string, string[]>>;
  /** SSM `ClientToken` (UUID format): the same for a retried invocation of the same plan execution and failover. */
  readonly clientToken: string;
}

/** SSM Automation in the function's Region, as far as this function needs it. */
export interface RecoverAutomations {
  /** The executions of exactly `documentName` that have not ended. */
  inFlight(documentName: string): Promise<readonly string[]>;
  /** Starts the document; answers the execution's id. */
  start(request: RecoverStartRequest): Promise<string>;
}

/** What {@link createRegionSwitchRecoverHandler} needs. */
export interface RegionSwitchRecoverDependencies {
  /** `RUNBOOK_TOPOLOGY` (JSON), `RUNBOOK_BUCKET`, `AWS_REGION`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** @default - the journals of `RUNBOOK_BUCKET` (S3) */
  readonly journal?: JournalPort;
  /** @default - SSM of `AWS_REGION` ({@link ssmRecoverAutomations}) */
  readonly automations?: RecoverAutomations;
  /** @default - console.log (CloudWatch Logs) */
  readonly log?: (line: string) => void;
}

/**
 * A failure of the function: its message names what failed; its stack is the message alone, so the Lambda error the
 * plan execution shows carries no code frames.
 */
export class RecoverStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoverStartError';
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * The SSM Automation of `region` over the SDK: `DescribeAutomationExecutions` filtered by `DocumentNamePrefix` and the
 * statuses that have not ended (`IN_FLIGHT_STATUSES`, every page; only the document of exactly that name counts), and
 * `StartAutomationExecution` with the request's `ClientToken`.
 */
export function ssmRecoverAutomations(
  region: string,
  client: SSMClient = new SSMClient({
    region,
    maxAttempts: 1,
    requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
  }),
): RecoverAutomations {
  const policy = retryPolicy(DEFAULT_RETRY);
  return {
    async inFlight(documentName) {
      const ids: string[] = [];
      let nextToken: string | undefined;
      do {
        const page: DescribeAutomationExecutionsCommandOutput = await awsCall(
          policy,
          `DescribeAutomationExecutions ${documentName} in ${region}`,
          () =>
            client.send(
              new DescribeAutomationExecutionsCommand({
                Filters: [
                  { Key: 'DocumentNamePrefix', Values: [documentName] },
                  { Key: 'ExecutionStatus', Values: [...IN_FLIGHT_STATUSES] },
                ],
                MaxResults: 50,
                NextToken: nextToken,
              }),
            ),
        );
        for (const item of page.AutomationExecutionMetadataList ?? []) {
          if (item.DocumentName === documentName && item.AutomationExecutionId) ids.push(item.AutomationExecutionId);
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return ids;
    },
    async start(request) {
      const what = `StartAutomationExecution ${request.documentName} in ${region}`;
      const answer = await awsCall(policy, what, async () => {
        try {
          return await client.send(
            new StartAutomationExecutionCommand({
              DocumentName: request.documentName,
              Parameters: Object.fromEntries(Object.entries(request.parameters).map(([k, v]) => [k, [...v]])),
              ClientToken: request.clientToken,
            }),
          );
        } catch (error) {
          // API_StartAutomationExecution, IdempotentParameterMismatch: "Error returned when an idempotent operation is
          // retried and the parameters don't match the original call to the API with the same idempotency token."
          if (hasName(error, 'IdempotentParameterMismatch')) {
            throw new RecoverStartError(
              `${what}: client token ${request.clientToken} was used before with other parameters (IdempotentParameterMismatch); nothing started`,
            );
          }
          throw error;
        }
      });
      if (!answer.AutomationExecutionId) throw new RecoverStartError(`${what}: no AutomationExecutionId in the answer`);
      return answer.AutomationExecutionId;
    },
  };
}

/**
 * The SSM `ClientToken` of one start: a UUID (the API: "enforces the UUID format") derived from the plan execution and
 * the failover, so a retried invocation of the same plan execution sends the same token and a later plan execution a
 * new one.
 */
export function recoverClientToken(planExecutionId: string, failoverExecutionId: string): string {
  const hex = createHash('sha256')
    .update(`region-switch-recover\n${planExecutionId}\n${failoverExecutionId}`)
    .digest('hex');
  // Version 5 and the RFC 4122 variant, as a name-based UUID has them.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Why a `recover` is started, as the documents' `Reason` accepts it (one line, at most 500 characters). */
function reasonFor(planExecutionId: string, failover: Journal, region: string): string {
  return `ARC Region switch plan execution ${planExecutionId} activated ${region}: the missing-transaction report of unplanned failover ${failover.executionId}`
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 500);
}

/** The failover time a journal's `step` recorded (the failover's `store-summary`, the recover's `validate-input`). */
function recordedFailoverAt(journal: Journal | undefined, step: string): string | undefined {
  const value = journal?.steps[step]?.outputs?.failoverAt;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Builds the handler of the function the Region switch plan's `start-recover` block invokes in the Region it activates
 * (routing mode `region-switch`; graceful runs only: "The ungraceful behavior for a Lambda function, which must be set
 * to skip"). It starts this Region's `recover` SSM Automation only where it applies: the latest `failover` journal of
 * this Region's report bucket is an unplanned failover to this Region that recorded its failover time, and no `recover`
 * journal of that failover time has succeeded. Otherwise it answers `nothing-to-recover`, a success: the plan goes on.
 *
 * Idempotent: the Region switch block reruns the function ("Retry interval: ... to rerun the Lambda function if it does
 * not succeed within this interval", User Guide, custom action Lambda execution block), so a `recover` of this Region
 * that has not ended is found first (`already-running`), and the start carries a `ClientToken` derived from the plan
 * execution and the failover (API_StartAutomationExecution: "User-provided idempotency token"). What SSM answers to a
 * token used again with the same parameters is UNVERIFIED (the reference says it "can't be reused"); the search for a
 * running `recover` is what keeps a retry from starting a second one.
 *
 * Failures (an invalid event, a topology not in region-switch mode, an unreadable journal, a refused start) throw a
 * {@link RecoverStartError}: the invocation fails, the block reruns it until its timeout, then the step fails and the
 * plan execution shows the message. That Region switch judges a step by the function error is UNVERIFIED (the guide
 * says "if it does not succeed"); what it does with a successful answer is not documented: it is logged and returned.
 */
export function createRegionSwitchRecoverHandler(dependencies: RegionSwitchRecoverDependencies) {
  const log = dependencies.log ?? ((line: string) => console.log(line));
  let cached: { topology: Topology; region: string; journal: JournalPort; automations: RecoverAutomations } | undefined;
  const setup = () => {
    if (!cached) {
      const { topology, region, bucket } = readRunbookEnvironment(dependencies.environment);
      if (topology.routing.mode !== 'region-switch') {
        throw new RecoverStartError(
          `environment variable RUNBOOK_TOPOLOGY: routing.mode is ${JSON.stringify(topology.routing.mode)}; accepted: "region-switch" (only a Region switch plan invokes this function)`,
        );
      }
      const journal =
        dependencies.journal ??
        new S3Journal({
          client: new S3Client({
            region,
            maxAttempts: 1,
            requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
          }),
          bucket,
        });
      cached = { topology, region, journal, automations: dependencies.automations ?? ssmRecoverAutomations(region) };
    }
    return cached;
  };

  return async (event: unknown): Promise<RegionSwitchRecoverResult> => {
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success) {
      const error = `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}; accepted: the Region switch execution metadata {"ExecutionId": "<id>", "PlanArn": "arn:aws:arc-region-switch::<account>:plan/<name>…", "StepName"?, "InvokedBy"?}`;
      log(`region switch recover: ${error}`);
      throw new RecoverStartError(error);
    }
    const planExecutionId = parsed.data.ExecutionId;
    try {
      const { topology, region, journal, automations } = setup();
      const answer = (
        outcome: RegionSwitchRecoverResult['outcome'],
        detail: string,
        extra: Pick<RegionSwitchRecoverResult, 'failoverExecutionId' | 'recoverExecutionId'> = {},
      ): RegionSwitchRecoverResult => {
        const result: RegionSwitchRecoverResult = {
          format: REGION_SWITCH_RECOVER_FORMAT,
          region,
          planExecutionId,
          outcome,
          detail,
          ...extra,
        };
        log(`region switch recover: ${outcome}: ${detail} (plan execution ${planExecutionId}, ${parsed.data.PlanArn})`);
        return result;
      };

      const failover = await journal.latest('failover');
      if (!failover) return answer('nothing-to-recover', `no failover has run in ${region}`);
      const failoverAt = recordedFailoverAt(failover, 'store-summary');
      const input = (failover.input ?? {}) as { targetRegion?: unknown; failedRegion?: unknown };
      if (input.targetRegion !== region) {
        return answer(
          'nothing-to-recover',
          `the latest failover ${failover.executionId} moved to ${String(input.targetRegion)}, not ${region}: recover runs where the writers went`,
        );
      }
      if (!failoverAt) {
        return answer(
          'nothing-to-recover',
          `the latest failover ${failover.executionId} is ${failover.status} and recorded no failover time: start recover by hand with FailoverAt if its writers moved`,
        );
      }
      const ids = { failoverExecutionId: failover.executionId };
      const recovered = await journal.latest('recover');
      if (recovered?.status === 'succeeded' && recordedFailoverAt(recovered, 'validate-input') === failoverAt) {
        return answer(
          'nothing-to-recover',
          `the missing-transaction report of failover ${failover.executionId} (failover at ${failoverAt}) was produced by recover ${recovered.executionId}`,
          ids,
        );
      }
      const documentName = automationDocumentName(topology.appName, topology.envName, 'recover');
      const running = await automations.inFlight(documentName);
      if (running.length > 0) {
        return answer('already-running', `${documentName} is running in ${region}: ${running.join(', ')}`, {
          ...ids,
          recoverExecutionId: running[0]!,
        });
      }
      const failedRegion = typeof input.failedRegion === 'string' ? input.failedRegion : otherRegion(topology, region);
      const executionId = await automations.start({
        documentName,
        parameters: {
          [AUTOMATION_PARAMETERS.targetRegion]: [region],
          [parameterName('failedRegion')]: [failedRegion],
          [FAILOVER_AT_PARAMETER]: [failoverAt],
          [AUTOMATION_PARAMETERS.dryRun]: ['false'],
          [AUTOMATION_PARAMETERS.reason]: [reasonFor(planExecutionId, failover, region)],
        },
        clientToken: recoverClientToken(planExecutionId, failover.executionId),
      });
      return answer(
        'started',
        `${documentName} ${executionId} started in ${region}: the missing-transaction report of failover ${failover.executionId} (failover at ${failoverAt}, from ${failedRegion})`,
        { ...ids, recoverExecutionId: executionId },
      );
    } catch (error) {
      const message = error instanceof RecoverStartError ? error.message : messageOf(error);
      log(`region switch recover: failed: ${message} (plan execution ${planExecutionId})`);
      throw error instanceof RecoverStartError ? error : new RecoverStartError(message);
    }
  };
}

/** The Lambda entry point (AWS adapters). */
export const regionSwitchRecoverHandler = createRegionSwitchRecoverHandler({ environment: process.env });
