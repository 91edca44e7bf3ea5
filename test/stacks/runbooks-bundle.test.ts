import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bundleRunbookHandler,
  PRESERVE_SNAPSHOTS_HANDLER,
  REGION_SWITCH_RECOVER_HANDLER,
  REMOVE_SYNTHETIC_ORDERS_HANDLER,
  RUNBOOK_BUNDLE_EXTERNALS,
  RUNBOOK_HANDLER,
} from '../../stacks/runbooks';

describe('the runbook Lambda bundle', () => {
  let dir: string;
  beforeAll(() => {
    // WHEN the stack's default code is bundled (esbuild, in-process, offline)
    dir = bundleRunbookHandler();
  }, 120_000);

  test('is one CommonJS file with a source map, and the same folder on every call', () => {
    expect(fs.readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
    expect(bundleRunbookHandler()).toBe(dir);
  });

  test('exports the handler the functions name, which validates its event (and answers Status failed, never throws)', async () => {
    const [file, exported] = RUNBOOK_HANDLER.split('.') as [string, string];
    const module = require(path.join(dir, `${file}.js`)) as Record<string, (event: unknown) => Promise<unknown>>;
    expect(typeof module[exported]).toBe('function');
    await expect(module[exported]!({ orchestration: 'failover' })).resolves.toMatchObject({
      Status: 'failed',
      Retry: false,
      Detail: expect.stringMatching(/^invalid event: executionId: /),
    });
  });

  test('also exports the scheduled snapshot preservation handler, which refuses any other event', async () => {
    const [file, exported] = PRESERVE_SNAPSHOTS_HANDLER.split('.') as [string, string];
    expect(file).toBe(RUNBOOK_HANDLER.split('.')[0]);
    const module = require(path.join(dir, `${file}.js`)) as Record<string, (event: unknown) => Promise<unknown>>;
    expect(typeof module[exported]).toBe('function');
    await expect(module[exported]!({ orchestration: 'failover' })).rejects.toThrow(
      'invalid event {"orchestration":"failover"}; accepted: {"orchestration":"preserve-snapshots"}',
    );
  });

  test('also exports the game day synthetic orders removal handler, which refuses an event without order ids (answers, never throws)', async () => {
    const [file, exported] = REMOVE_SYNTHETIC_ORDERS_HANDLER.split('.') as [string, string];
    expect(file).toBe(RUNBOOK_HANDLER.split('.')[0]);
    const module = require(path.join(dir, `${file}.js`)) as Record<string, (event: unknown) => Promise<unknown>>;
    await expect(module[exported]!({ orderIds: ['not-a-uuid'] })).resolves.toMatchObject({
      format: 'multi-region-shop/synthetic-orders-removal@1',
      error: expect.stringMatching(/^invalid event: orderIds\.0: not a uuid/),
    });
  });

  test('also exports the Region switch recover start, which refuses an event without the execution metadata (a clean error)', async () => {
    const [file, exported] = REGION_SWITCH_RECOVER_HANDLER.split('.') as [string, string];
    expect(file).toBe(RUNBOOK_HANDLER.split('.')[0]);
    const module = require(path.join(dir, `${file}.js`)) as Record<string, (event: unknown) => Promise<unknown>>;
    const error = (await module[exported]!({ PlanArn: 'x' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^invalid event: ExecutionId: .*; PlanArn: not a Region switch plan ARN; accepted: /);
    expect(error.stack).toBe(`RecoverStartError: ${error.message}`);
  });

  test('contains the reconciler and the AWS SDK (nothing is left to the Lambda runtime but the Region switch client)', () => {
    const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(code).toContain('multi-region-shop/reconcile-report@2');
    expect(code).toContain('FailoverGlobalClusterCommand');
    expect(code).toContain('StartAutomationExecutionCommand');
    expect(code).not.toMatch(/require\("@aws-sdk\/(client-(?!arc-region-switch")|core|smithy)/);
    // The registry here has no @aws-sdk/client-arc-region-switch: it is loaded from the runtime's SDK (UNVERIFIED)
    expect(RUNBOOK_BUNDLE_EXTERNALS).toEqual(['pg-native', '@aws-sdk/client-arc-region-switch']);
  });
});
