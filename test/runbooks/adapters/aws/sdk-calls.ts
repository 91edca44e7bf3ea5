/** What the helpers read of a client mock: the commands it received. */
export interface CallLog {
  calls(): ReadonlyArray<{ readonly args: readonly unknown[] }>;
}

/** The IAM action of each SDK command a mock received: `rds:DescribeGlobalClusters` for `DescribeGlobalClustersCommand`. */
export function actionsSent(service: string, ...mocks: CallLog[]): string[] {
  const actions = new Set<string>();
  for (const mock of mocks) {
    for (const call of mock.calls()) {
      actions.add(`${service}:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`);
    }
  }
  return [...actions].sort();
}

/** An error as the SDK throws it for a service error code. */
export function serviceError(name: string, fault: 'client' | 'server' = 'client', message = `${name} (test)`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'server' ? 503 : 400 },
  });
}

/** An error as Node throws it when a connection is refused. */
export function connectionRefused(host: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${host}:443`), { code: 'ECONNREFUSED' });
}

/** Fast retries for tests. */
export const QUICK_RETRY = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 } as const;
