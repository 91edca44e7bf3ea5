import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModuleReconciler } from '../../../runbooks/adapters/reconcile-module';
import { emptyCounts, type ReconcileReport } from '../../../runbooks/reconcile';

function report(status: ReconcileReport['status'], gaps: ReconcileReport['gaps']): ReconcileReport {
  return {
    format: 'multi-region-shop/reconcile-report@2',
    status,
    gaps,
    generatedAt: '2026-01-10T13:00:00.000Z',
    cut: null,
    cutSource: null,
    windowStart: null,
    failoverAt: '2026-01-10T12:01:00.000000Z',
    marginSeconds: 300,
    verify: true,
    databases: {
      old: { url: 'postgres://old/orders', database: 'orders', serverVersion: null, heartbeat: null },
      new: { url: 'postgres://new/orders', database: 'orders', serverVersion: null, heartbeat: null },
    },
    tables: {},
    otherTables: {},
    totals: { ...emptyCounts(), lost_insert: 2 },
    applyPreamble: '',
    timings: [],
    lostWriteReportMs: null,
    totalMs: null,
    error: null,
  };
}

const connection = { host: 'h', port: 5432, database: 'orders', username: 'u', password: 'p' };

describe('ModuleReconciler', () => {
  test('GIVEN an incomplete report THEN the outcome fails (recover must not call it reconciled) and names what was not compared', async () => {
    const reconciler = new ModuleReconciler({
      tls: { mode: 'disable' },
      reconcile: async () =>
        report('incomplete', [{ table: 'gift_notes', reason: 'table "gift_notes" … differs: compare it by hand' }]),
    });
    const outcome = await reconciler.reconcile({ old: connection, current: connection, failoverAt: new Date() });
    expect(outcome.status).toBe('failed');
    expect(outcome.summary).toBe(
      'incomplete (lost_insert 2): not compared: table "gift_notes" … differs: compare it by hand',
    );
  });

  test('GIVEN a complete report THEN the outcome is complete with its counts', async () => {
    const reconciler = new ModuleReconciler({
      tls: { mode: 'disable' },
      reconcile: async () => report('complete', []),
    });
    const outcome = await reconciler.reconcile({ old: connection, current: connection, failoverAt: new Date() });
    expect(outcome).toMatchObject({ status: 'complete', summary: 'lost_insert 2' });
  });

  test('GIVEN a report stored by the caller WHEN it disposes of the outcome THEN the temporary report folder is gone (a warm Lambda keeps /tmp between invocations)', async () => {
    const reconciler = new ModuleReconciler({
      tls: { mode: 'disable' },
      reconcile: async (options) => {
        writeFileSync(path.join(options.outDir, 'report.json'), '{}');
        return report('complete', []);
      },
    });
    const outcome = await reconciler.reconcile({ old: connection, current: connection, failoverAt: new Date() });
    expect(existsSync(path.join(outcome.reportDir!, 'report.json'))).toBe(true);
    await outcome.dispose?.();
    expect(existsSync(outcome.reportDir!)).toBe(false);
  });
});
