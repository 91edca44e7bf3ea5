/**
 * A failure the report must carry: the step it happened in and a message that says what to do. Every other
 * error is wrapped into one of these by the step runner, so a report never fails without naming its step.
 */
export class ReconcileError extends Error {
  /**
   * @param step the step that failed (`connect`, `versions`, `schema`, `cut`, `classify:orders`, ...)
   * @param message what went wrong and what to do about it
   */
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReconcileError';
  }
}
