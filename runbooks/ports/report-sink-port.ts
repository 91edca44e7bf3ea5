/** Where run summaries and reconciliation reports are kept: a local folder or an S3 bucket with object lock. */
export interface ReportSinkPort {
  /** Stores a JSON document under `key` and returns where it went (a path or an `s3://` URL). */
  putJson(key: string, value: unknown): Promise<string>;
  /** Stores every file of a local folder under `keyPrefix` and returns where it went. */
  putFolder(localDir: string, keyPrefix: string): Promise<string>;
  /** Reads a JSON document stored with {@link putJson}, or undefined when there is none. */
  getJson(key: string): Promise<unknown>;
}
