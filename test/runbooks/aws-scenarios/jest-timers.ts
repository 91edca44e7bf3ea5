import type { TimerDriver } from './aws-world';

/**
 * Installs jest's fake timers (setImmediate, nextTick and microtasks stay real) and returns the driver
 * {@link AwsWorldOptions.timers} uses; undo with `jest.useRealTimers()`.
 */
export function fakeTimers(): TimerDriver {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  return { pending: () => jest.getTimerCount(), next: () => jest.advanceTimersToNextTimer() };
}
