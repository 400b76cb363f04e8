/**
 * Timers captured when interlace loads, so code under test that fakes timers
 * (vi.useFakeTimers, @sinonjs/fake-timers) cannot stop the controller's own timeouts.
 */
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;
const realNow = performance.now.bind(performance);

export const clock = {
  setTimeout: realSetTimeout,
  clearTimeout: realClearTimeout,
  now: realNow,
};
