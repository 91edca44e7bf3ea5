/** Options of {@link whileWaiting}. */
export interface ProgressTickerOptions {
  /** Prints one line of progress. */
  readonly print: (line: string) => void;
  /** What is being waited for, given how long it has run (ms): called once per line. */
  readonly describe: (elapsedMs: number) => string;
  /** Time between lines. @default 3000 */
  readonly everyMs?: number;
}

/**
 * Awaits `work`, printing a line every {@link ProgressTickerOptions.everyMs} while it runs, so that a long wait
 * (rebuilding a Region takes 15–20 s on 2 cores) is never silent. No line is printed once `work` has settled,
 * whether it resolved or threw; its value or error is passed through.
 */
export async function whileWaiting<T>(work: Promise<T>, options: ProgressTickerOptions): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => options.print(options.describe(Date.now() - started)), options.everyMs ?? 3000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
