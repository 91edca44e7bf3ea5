import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { RetryPolicy } from 'cockatiel';
import { messageOf } from '../../core/errors';
import type { SyntheticOrderRef } from '../../gameday/gameday-ports';
import { awsCall, DEFAULT_RETRY, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { requestHandlerOptions } from './request-limits';
import { INVOKE_REQUEST_LIMITS, ORDER_IDS_PER_INVOCATION } from './synthetic-orders-limits';

/** IAM actions each method of {@link AwsSyntheticOrdersRemoval} needs (the game-day role is built from this table). */
export const SYNTHETIC_ORDERS_ACTIONS = {
  remove: ['lambda:InvokeFunction'],
} as const;

/** Options of {@link AwsSyntheticOrdersRemoval}. */
export interface AwsSyntheticOrdersRemovalOptions {
  /** The function's name (`syntheticOrdersFunctionName(app, env)`, the same in both Regions). */
  readonly functionName: string;
  /** @default - a Lambda client per Region, one attempt, {@link INVOKE_REQUEST_LIMITS} */
  readonly lambdaFor?: (region: string) => LambdaClient;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

/** What one removal did (the shape of `ShopOrdersPort.removeSynthetic`). */
export interface SyntheticOrdersRemovalOutcome {
  readonly removed: number;
  readonly failed: readonly string[];
  readonly note?: string;
}

interface FunctionAnswer {
  readonly region?: string;
  readonly removed?: number;
  readonly notSynthetic?: readonly string[];
  readonly error?: string;
  readonly writerRegion?: string;
}

/**
 * Removes a game day's synthetic orders through the runbook function in the VPC (stacks/runbooks/
 * synthetic-orders-removal.ts), invoked synchronously with the order ids in batches: the function deletes those that
 * are synthetic from the orders writer of its Region and answers how many. Invoked first in the Region asked (the
 * surviving one); when the function answers that the writer is in the other Region (a game day that never failed
 * over), the batch goes there.
 *
 * Lambda API_Invoke: "By default, Lambda invokes your function synchronously (i.e. the InvocationType is
 * RequestResponse)"; "For synchronous invocations, the maximum payload size is 6 MB"; "The status code in the API
 * response doesn't reflect function errors" — so the payload is read on every answer, and `FunctionError` ("If
 * present, indicates that an error occurred during function execution", API_Invoke response) fails the batch.
 * Invoke is retried on throttling and transient errors like every other call: the statement is idempotent.
 */
export class AwsSyntheticOrdersRemoval {
  static readonly requiredActions = SYNTHETIC_ORDERS_ACTIONS;

  private readonly lambda: (region: string) => LambdaClient;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: AwsSyntheticOrdersRemovalOptions) {
    this.lambda = perRegion(
      options.lambdaFor ??
        ((region) =>
          new LambdaClient({ region, maxAttempts: 1, requestHandler: requestHandlerOptions(INVOKE_REQUEST_LIMITS) })),
    );
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async remove(region: string, orders: readonly SyntheticOrderRef[]): Promise<SyntheticOrdersRemovalOutcome> {
    const ids = [...new Set(orders.map((o) => o.orderId))];
    let target = region;
    let removed = 0;
    const failed: string[] = [];
    const kept: string[] = [];
    const problems: string[] = [];
    for (let start = 0; start < ids.length; start += ORDER_IDS_PER_INVOCATION) {
      const batch = ids.slice(start, start + ORDER_IDS_PER_INVOCATION);
      try {
        let answer = await this.invoke(target, batch);
        if (answer.writerRegion && answer.writerRegion !== target) {
          target = answer.writerRegion;
          answer = await this.invoke(target, batch);
        }
        if (answer.error !== undefined || typeof answer.removed !== 'number') {
          throw new Error(answer.error ?? 'the function answered no count');
        }
        removed += answer.removed;
        kept.push(...(answer.notSynthetic ?? []));
      } catch (error) {
        failed.push(...batch);
        problems.push(messageOf(error));
      }
    }
    const notes = [
      ...(problems.length > 0 ? [`not removed: ${[...new Set(problems)].join('; ')}`] : []),
      ...(kept.length > 0
        ? [`${kept.length} listed order(s) are not synthetic and were kept (never deleted): ${kept.join(', ')}`]
        : []),
    ];
    return {
      removed,
      failed,
      ...(notes.length > 0 ? { note: `${notes.join('; ')} (function ${this.options.functionName} in ${target})` } : {}),
    };
  }

  private async invoke(region: string, orderIds: readonly string[]): Promise<FunctionAnswer> {
    const name = this.options.functionName;
    const answer = await awsCall(this.policy, `Invoke ${name} in ${region}`, () =>
      this.lambda(region).send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify({ orderIds })),
        }),
      ),
    );
    const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (answer.FunctionError) {
      const message = (body as { errorMessage?: unknown } | undefined)?.errorMessage;
      throw new Error(
        `function ${name} in ${region} failed (${answer.FunctionError}): ${typeof message === 'string' ? message : text.slice(0, 200)}`,
      );
    }
    if (typeof body !== 'object' || body === null) {
      throw new Error(
        `function ${name} in ${region} answered ${JSON.stringify(text.slice(0, 200))}; accepted: a JSON object`,
      );
    }
    return body as FunctionAnswer;
  }
}
