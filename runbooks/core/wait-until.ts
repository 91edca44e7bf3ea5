import { WaitTimeoutError } from './errors';
import type { StepContext } from './step';

/** One look at the condition a wait step waits for. */
export interface Probe<T> {
  readonly done: boolean;
  /** What was seen, e.g. `FailoverState failing-over; writer in us-east-1`. */
  readonly detail: string;
  readonly value?: T;
}

/** Options of {@link waitUntil}. */
export interface WaitOptions<T> {
  /** What is awaited, as the subject of a sentence: `the failover of global cluster "shop-dev-orders"`. */
  readonly what: string;
  /** Longest wait in seconds. */
  readonly timeoutSeconds: number;
  /** Looks once. Errors propagate (a describe that fails fails the wait). */
  readonly probe: () => Promise<Probe<T>>;
}

/** `45 s`, `4 min 30 s`, `10 min`. */
function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 120) return `${whole} s`;
  const rest = whole % 60;
  return `${Math.floor(whole / 60)} min${rest ? ` ${rest} s` : ''}`;
}

/**
 * Polls `probe` through the clock port until it reports done, every {@link RunSettings.pollIntervalSeconds}.
 * Gives up at the timeout or at the context's deadline, whichever comes first, with a {@link WaitTimeoutError}
 * that says what was awaited, for how long, and the last thing seen. Reports a progress line only when what it sees
 * changes.
 */
export async function waitUntil<T>(ctx: StepContext<unknown>, options: WaitOptions<T>): Promise<Probe<T>> {
  const clock = ctx.ports.clock;
  const start = clock.now().getTime();
  let deadline = start + options.timeoutSeconds * 1000;
  const limitedByInvocation = ctx.deadline !== undefined && ctx.deadline.getTime() < deadline;
  if (limitedByInvocation) deadline = ctx.deadline!.getTime();
  let lastDetail = '';
  for (;;) {
    const seen = await options.probe();
    if (seen.done) return seen;
    if (seen.detail !== lastDetail) ctx.progress(`waiting: ${seen.detail}`);
    lastDetail = seen.detail;
    const now = clock.now().getTime();
    if (now >= deadline) {
      const waited = formatSeconds((now - start) / 1000);
      const limit = limitedByInvocation
        ? 'before the end of this invocation'
        : `within ${formatSeconds(options.timeoutSeconds)}`;
      throw new WaitTimeoutError(
        `${options.what} did not finish ${limit} (waited ${waited}); last seen: ${seen.detail}. ` +
          'It may still finish: run the orchestration again to keep waiting, or investigate in the console.',
      );
    }
    await clock.sleep(Math.min(ctx.settings.pollIntervalSeconds * 1000, deadline - now));
  }
}
