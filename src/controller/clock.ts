/**
 * Timers and Promise captured when interlace loads, so code under test that fakes timers
 * (vi.useFakeTimers, @sinonjs/fake-timers) or replaces `Promise` cannot stop the harness's own
 * timeouts and quiet-point detection.
 */
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout, setImmediate: realSetImmediate, Promise: RealPromise } = globalThis;
const realNow = performance.now.bind(performance);

export const clock = {
  setTimeout: realSetTimeout,
  clearTimeout: realClearTimeout,
  setImmediate: realSetImmediate,
  Promise: RealPromise,
  now: realNow,
};

/** Resolves when any of `events` settles, or after `ms` (on the real clock). */
export async function waitAtMost(ms: number, ...events: Promise<unknown>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new clock.Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)));
  await Promise.race([limit, ...events]);
  clock.clearTimeout(timer);
}
