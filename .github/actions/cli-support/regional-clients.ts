import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from '../../../runbooks/adapters/aws/request-limits';

/**
 * The SDK client options of the CLIs for a Region that may be the failed one: one attempt per call (the CLIs retry
 * in one layer, see `awsCaller`), a connection timeout and a request timeout that aborts the request, so an
 * unreachable Region fails the call instead of hanging the job.
 */
export function regionalClientOptions(region: string) {
  return { region, maxAttempts: 1, requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS) };
}

/** One client per Region, made on first use. */
export function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = make(region);
      clients.set(region, client);
    }
    return client;
  };
}
