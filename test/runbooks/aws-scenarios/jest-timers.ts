import type { TimerDriver } from './aws-world';

/**
 * Installs jest's fake timers (setImmediate, nextTick and microtasks stay real) and returns the driver
 * {@link AwsWorldOptions.timers} uses; undo with `jest.useRealTimers()`.
 */
export function fakeTimers(): TimerDriver {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  return { pending: () => jest.getTimerCount(), next: () => jest.advanceTimersToNextTimer() };
}

/**
 * Runs `work` under jest's fake timers: the adapters back off between retries with real timers (cockatiel), outside
 * the clock port, so whenever the work has nothing left to do but wait for a timer, the next timer fires at once.
 */
export async function withFakeTimers<T>(work: () => Promise<T>): Promise<T> {
  const timers = fakeTimers();
  try {
    let settled = false;
    const running = work().finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!settled && timers.pending() > 0) timers.next();
    }
    return await running;
  } finally {
    jest.useRealTimers();
  }
}
