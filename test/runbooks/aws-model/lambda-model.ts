import { ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { serviceError } from './aws-errors';

type Input = Readonly<Record<string, unknown>>;

/** What a modelled function does with its event: its answer (or it throws, a function error). */
export type ModelFunctionHandler = (event: unknown) => Promise<unknown>;

/** One synchronous invocation the model ran. */
export interface ModelInvocation {
  readonly region: string;
  readonly functionName: string;
  readonly event: unknown;
}

/**
 * Lambda functions, each in one Region, invoked synchronously (Invoke, `RequestResponse`). Lambda API_Invoke: "By
 * default, Lambda invokes your function synchronously (i.e. the InvocationType is RequestResponse)"; "For
 * synchronous invocation, details about the function response, including errors, are included in the response body
 * and headers"; "The status code in the API response doesn't reflect function errors": a function that throws is
 * answered 200 with `FunctionError` ("If present, indicates that an error occurred during function execution.
 * Details about the error are included in the response payload", InvocationResponse) and a payload of
 * `errorType`/`errorMessage` (the Node.js runtime's error shape, and `Unhandled` as the value for an error the
 * handler throws: both UNVERIFIED by an API reference sentence; the adapter reads neither value's meaning). A missing
 * function is ResourceNotFoundException. Only `RequestResponse` is modelled.
 */
export class LambdaModel {
  /** Keyed `<region>/<function name>`. */
  readonly functions = new Map<string, ModelFunctionHandler>();
  /** Every invocation that reached a function. */
  readonly invocations: ModelInvocation[] = [];

  /** Deploys a function named `name` in `region`. */
  addFunction(region: string, name: string, handler: ModelFunctionHandler): void {
    this.functions.set(`${region}/${name}`, handler);
  }

  /** Invoke: the function's answer as the payload. */
  async invoke(input: Input, region: string): Promise<unknown> {
    const raw = String(input.FunctionName ?? '');
    // A name, or an ARN `arn:aws:lambda:<region>:<account>:function:<name>`.
    const name = raw.startsWith('arn:') ? (raw.split(':')[6] ?? '') : raw;
    const handler = this.functions.get(`${region}/${name}`);
    if (!handler) {
      throw serviceError(ResourceNotFoundException, `Function not found: ${raw}`, 404);
    }
    const type = input.InvocationType ?? 'RequestResponse';
    if (type !== 'RequestResponse') throw new Error(`AWS model: Invoke ${String(type)} is not modelled`);
    const payload = input.Payload as Uint8Array | string | undefined;
    const text = typeof payload === 'string' ? payload : payload ? new TextDecoder().decode(payload) : '';
    const event = text ? JSON.parse(text) : {};
    this.invocations.push({ region, functionName: name, event });
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    try {
      const answer = await handler(event);
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: encode(answer) };
    } catch (error) {
      const e = error as Error;
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        FunctionError: 'Unhandled',
        Payload: encode({ errorType: e.name ?? 'Error', errorMessage: e.message ?? String(error) }),
      };
    }
  }
}
