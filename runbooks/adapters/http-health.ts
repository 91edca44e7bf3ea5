import type { EndpointHealth } from '../ports';

/**
 * GETs each URL in parallel; healthy means a 2xx answer within `timeoutMs`. Shared by the AWS adapter and drills
 * that run real services locally.
 */
export async function checkEndpointsOverHttp(urls: readonly string[], timeoutMs = 5000): Promise<EndpointHealth[]> {
  return Promise.all(
    urls.map(async (url): Promise<EndpointHealth> => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
        await response.body?.cancel();
        return { url, healthy: response.status >= 200 && response.status < 300, detail: `HTTP ${response.status}` };
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        const detail =
          name === 'TimeoutError'
            ? `timeout after ${timeoutMs / 1000} s`
            : `unreachable (${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)})`;
        return { url, healthy: false, detail };
      }
    }),
  );
}
