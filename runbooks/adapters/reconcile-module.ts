import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseConnection, ReconcileOutcome, ReconcileRequest, ReconcilerPort } from '../ports';
import { type ReconcileOptions, type ReconcileReport, reconcile } from '../reconcile';

/** How connections are secured. */
export type TlsMode =
  /** No TLS (local Postgres). */
  | { readonly mode: 'disable' }
  /** TLS without verifying the server certificate: encrypted, but not authenticated. */
  | { readonly mode: 'no-verify' }
  /** TLS verified against a CA bundle file (e.g. the RDS global bundle). */
  | { readonly mode: 'verify-full'; readonly caBundlePath: string };

/** Options of {@link ModuleReconciler}. */
export interface ModuleReconcilerOptions {
  readonly tls: TlsMode;
  /** @default - `reconcile` of `runbooks/reconcile` */
  readonly reconcile?: (options: ReconcileOptions) => Promise<ReconcileReport>;
  /** Parent of the report folders. @default - the OS temporary folder */
  readonly workDir?: string;
}

/** A `postgres://` URL for a connection; contains the password, so it never leaves this adapter in a message. */
export function connectionUrl(connection: DatabaseConnection, tls: TlsMode): string {
  const user = `${encodeURIComponent(connection.username)}:${encodeURIComponent(connection.password)}`;
  const query =
    tls.mode === 'disable'
      ? 'sslmode=disable'
      : tls.mode === 'no-verify'
        ? 'sslmode=no-verify'
        : `sslmode=verify-full&sslrootcert=${encodeURIComponent(tls.caBundlePath)}`;
  return `postgres://${user}@${connection.host}:${connection.port}/${encodeURIComponent(connection.database)}?${query}`;
}

/**
 * `lost_insert 3, lost_update 1, …` (non-zero classes); for an incomplete report the same counts and what was not
 * compared; or the report's error.
 */
function summarize(report: ReconcileReport): string {
  if (report.status === 'failed') {
    return report.error ? `failed at ${report.error.step}: ${report.error.message}` : 'failed';
  }
  const counts = Object.entries(report.totals).filter(([, n]) => n > 0);
  const found = counts.length === 0 ? 'no missing transactions' : counts.map(([c, n]) => `${c} ${n}`).join(', ');
  if (report.status === 'incomplete') {
    return `incomplete (${found}): not compared: ${report.gaps.map((g) => g.reason).join('; ')}`;
  }
  return found;
}

/**
 * The reconciler of `runbooks/reconcile` (its README.md): builds the connection URLs, gives it a fresh report folder,
 * and passes its status through. Any exception it throws propagates (the recover step records it as a failed
 * report).
 */
export class ModuleReconciler implements ReconcilerPort {
  constructor(private readonly options: ModuleReconcilerOptions) {}

  async reconcile(request: ReconcileRequest): Promise<ReconcileOutcome> {
    const run = this.options.reconcile ?? reconcile;
    const outDir = await mkdtemp(path.join(this.options.workDir ?? tmpdir(), 'reconcile-'));
    const report = await run({
      oldUrl: connectionUrl(request.old, this.options.tls),
      newUrl: connectionUrl(request.current, this.options.tls),
      failoverAt: request.failoverAt,
      outDir,
      ...(request.onProgress
        ? {
            onProgress: (event) =>
              request.onProgress?.(`reconcile ${event.step} ${event.phase}${event.detail ? `: ${event.detail}` : ''}`),
          }
        : {}),
    });
    // An incomplete report is not a reconciled database: recover's assert-reconciled fails on it, naming the gaps.
    return {
      status: report.status === 'complete' ? 'complete' : 'failed',
      summary: summarize(report),
      reportDir: outDir,
      dispose: () => rm(outDir, { recursive: true, force: true }),
    };
  }
}
