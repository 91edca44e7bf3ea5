/** Where and as whom to connect to a Postgres database. */
export interface DatabaseConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** Never logged, never stored. */
  readonly password: string;
}

/** Input of {@link ReconcilerPort.reconcile}. */
export interface ReconcileRequest {
  /** The old primary's data (the restored snapshot). */
  readonly old: DatabaseConnection;
  /** The current writer. */
  readonly current: DatabaseConnection;
  /** When the failover happened. */
  readonly failoverAt: Date;
  /** Receives progress lines. */
  readonly onProgress?: (line: string) => void;
}

/** What {@link ReconcilerPort.reconcile} returns. */
export interface ReconcileOutcome {
  /** `complete` only when every part of the comparison succeeded. */
  readonly status: 'complete' | 'failed';
  /** One line for the run's progress output, e.g. counts per class. */
  readonly summary: string;
  /** Local folder holding the report files, when one was written. */
  readonly reportDir?: string;
  /**
   * Removes `reportDir` when it is the adapter's temporary folder: the caller calls it once the report is stored
   * (a Lambda's /tmp outlives an invocation, and a CLI run must not leave folders in the temp directory).
   */
  readonly dispose?: () => Promise<void>;
}

/**
 * Produces the missing-transaction report (runbooks/reconcile/README.md). It only reads both databases, so running
 * it again is safe.
 * The adapter owns the connection details (URL format, TLS) and the report's local folder.
 */
export interface ReconcilerPort {
  reconcile(request: ReconcileRequest): Promise<ReconcileOutcome>;
}
