/** What the shopper Lambda answers: how many orders it placed and where their acknowledgments went. */
export interface ShopperInvocationResult {
  readonly acknowledged: number;
  readonly ledgerKey?: string;
}

/**
 * The game day's synthetic shopper (a Lambda on an EventBridge Scheduler schedule in each Region): places a few
 * orders and writes their acknowledgments to the other Region's report bucket. First version: answers without
 * placing orders.
 */
export async function handler(): Promise<ShopperInvocationResult> {
  return { acknowledged: 0 };
}
