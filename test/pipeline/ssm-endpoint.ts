import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the endpoint received: the SSM operation (`X-Amz-Target` without the prefix), its body, when. */
export interface SsmRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  /** `performance.now()` in this process when the request arrived. */
  readonly at: number;
}

/** A local HTTP endpoint that answers the SSM calls of a dry-run dispatch of the failover CLI. */
export interface SsmEndpoint {
  /** `http://127.0.0.1:<port>`: give it to a CLI process as `AWS_ENDPOINT_URL_SSM`. */
  readonly url: string;
  readonly requests: readonly SsmRequest[];
  close(): Promise<void>;
}

/** The execution id the endpoint's StartAutomationExecution returns. */
export const STARTED_EXECUTION_ID = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

/**
 * Starts an endpoint speaking SSM's JSON protocol (`POST /`, `X-Amz-Target: AmazonSSM.<Operation>`,
 * `application/x-amz-json-1.1`) for the failover CLI's path: no automation in flight
 * (DescribeAutomationExecutions), a start (StartAutomationExecution) and an execution that already ended with
 * Success after 3 s (GetAutomationExecution). Any other operation gets a 400 with SSM's error shape.
 *
 * An SDK client reaches it through the environment alone: "AWS_ENDPOINT_URL_<SERVICE> [...] sets a custom endpoint
 * for a specific service" (AWS SDKs and Tools Reference Guide, Service-specific endpoints), so a CLI process runs
 * unchanged, with no hook of its own.
 */
export async function startSsmEndpoint(): Promise<SsmEndpoint> {
  const requests: SsmRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ operation, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, at });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      const answer = answers[operation];
      if (!answer) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'InvalidAction', message: `${operation} is not answered here` }));
        return;
      }
      res.end(JSON.stringify(answer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

const startedAt = Date.UTC(2026, 11, 6, 12, 0, 0) / 1000;

const answers: Record<string, () => object> = {
  DescribeAutomationExecutions: () => ({ AutomationExecutionMetadataList: [] }),
  StartAutomationExecution: () => ({ AutomationExecutionId: STARTED_EXECUTION_ID }),
  GetAutomationExecution: () => ({
    AutomationExecution: {
      AutomationExecutionId: STARTED_EXECUTION_ID,
      AutomationExecutionStatus: 'Success',
      ExecutionStartTime: startedAt,
      ExecutionEndTime: startedAt + 3,
      StepExecutions: [
        {
          StepName: 'Readiness',
          Action: 'aws:invokeLambdaFunction',
          StepStatus: 'Success',
          ExecutionStartTime: startedAt,
          ExecutionEndTime: startedAt + 3,
        },
      ],
    },
  }),
};
