import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsRoutingControl } from '../../../../runbooks/adapters/aws/arc-routing-control';
import { requestHandlerOptions } from '../../../../runbooks/adapters/aws/request-limits';

/**
 * Real HTTP on loopback with the real SDK client: an ARC endpoint that accepts the connection and never answers must
 * give way to the next endpoint after the request timeout (found by the AWS model work: the Node HTTP handler only
 * warns at the timeout unless `throwOnRequestTimeout` is set).
 */
describe('request limits', () => {
  const servers: http.Server[] = [];
  const listen = async (handler: http.RequestListener) => {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const saved = { ...process.env };

  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  });
  afterAll(async () => {
    process.env = saved;
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('every client option set aborts a request at its timeout', () => {
    expect(requestHandlerOptions({ connectionTimeoutMs: 1, requestTimeoutMs: 2 })).toEqual({
      connectionTimeout: 1,
      requestTimeout: 2,
      throwOnRequestTimeout: true,
    });
  });

  test('an ARC endpoint that accepts and never answers gives way to the next one after the request timeout', async () => {
    const hung = await listen(() => undefined);
    let answered = 0;
    const healthy = await listen((request, response) => {
      answered++;
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ RoutingControlArn: 'arn:aws:x', RoutingControlState: 'On' }));
      });
    });
    const adapter = new AwsRoutingControl({
      endpoints: [
        { region: 'us-west-2', endpoint: hung },
        { region: 'us-east-1', endpoint: healthy },
      ],
      random: () => 0,
      requestLimits: { connectionTimeoutMs: 1000, requestTimeoutMs: 400 },
      retry: { maxRetries: 0 },
    });
    const started = Date.now();
    expect(await adapter.getStates(['arn:aws:x'])).toEqual({ 'arn:aws:x': 'On' });
    expect(answered).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000);
  }, 10_000);
});
