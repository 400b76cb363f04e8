/**
 * The signal of the test in progress, set by the vitest plugin's setup file (`vitest/test-signal.ts`)
 * from the test context: vitest aborts it when the test times out or the run is cancelled. An
 * `explore()` or `replay()` given no `signal` of its own uses it, so a timed-out test's exploration
 * stops (its attempt in progress ends with `E_INTERRUPTED`, its isolates close) instead of running on
 * into the next test.
 *
 * @module
 */

const SLOT = Symbol.for("interlace.test-signal");

type Slot = { [SLOT]?: AbortSignal };

/** The signal of the test in progress, if a test runner set one. */
export function testSignal(): AbortSignal | undefined {
  return (globalThis as Slot)[SLOT];
}

/** Sets (or, with undefined, clears) the signal of the test in progress. */
export function setTestSignal(signal: AbortSignal | undefined): void {
  if (signal === undefined) delete (globalThis as Slot)[SLOT];
  else (globalThis as Slot)[SLOT] = signal;
}
