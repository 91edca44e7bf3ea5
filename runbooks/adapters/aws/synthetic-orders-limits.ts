import type { RequestLimits } from './request-limits';

/**
 * Limits shared by the synthetic orders removal function (runbooks/lambda/synthetic-orders-handler.ts, its stack
 * stacks/runbooks/synthetic-orders-removal.ts) and the game-day adapter that invokes it
 * (gameday-synthetic-orders.ts): one definition each, no SDK import (the stack reads them at synth).
 */

/**
 * At most this many order ids per invocation: 36-character uuids in JSON stay far below Invoke's payload limit
 * ("For synchronous invocations, the maximum payload size is 6 MB", Lambda API_Invoke), and one statement over them
 * ends well within the function's timeout.
 */
export const ORDER_IDS_PER_INVOCATION = 5000;

/** The removal function's timeout, in seconds. */
export const REMOVAL_FUNCTION_TIMEOUT_SECONDS = 180;

/**
 * The Invoke request waits for the function's answer (synchronous): its timeout is the function's and a margin, so
 * the SDK never gives up on an invocation that is still deleting (the Regional 20 s would).
 */
export const INVOKE_REQUEST_LIMITS: RequestLimits = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: (REMOVAL_FUNCTION_TIMEOUT_SECONDS + 30) * 1000,
};
