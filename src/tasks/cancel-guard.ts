/**
 * Keeps the cancellation of an ended run's tasks (`TaskRun.end`) from surfacing as unhandled
 * rejections: a strand of a task that nothing awaits (`void helper()`, a `.then` chain left
 * dangling) rejects with the run's {@link TaskCancelledError} when it is cancelled, and in plain
 * Node that would end the host process (a test runner would report it). Nothing can handle that
 * rejection where it happens, so while the guard is on, Node's `unhandledRejection` event is not
 * emitted for those reasons (they count as handled); every other event goes through unchanged.
 *
 * @module
 */
import { clock } from "../controller/clock.js";

/**
 * Filters unhandled rejections until the returned function is awaited (given `true` (some
 * cancellation happened), it lets the rejections already queued be reported first; then it
 * restores `process.emit`).
 *
 * @param isCancellation - Whether a rejection reason is one of the run's cancellation errors.
 */
export function guardCancellations(isCancellation: (reason: unknown) => boolean): (drain: boolean) => Promise<void> {
  const original = process.emit;
  const guard = function emit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "unhandledRejection" && isCancellation(args[0])) return true;
    return Reflect.apply(original, this ?? process, [event, ...args]) as boolean;
  };
  process.emit = guard as typeof process.emit;
  return async (drain) => {
    // Unhandled rejections are reported once the microtasks of the current turn ran.
    if (drain) await new clock.Promise<void>((resolve) => clock.setImmediate(resolve));
    if (process.emit === guard) process.emit = original;
  };
}
