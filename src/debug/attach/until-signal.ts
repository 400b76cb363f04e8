/**
 * A wait for the process that a signal (Ctrl-C, kill) cuts short with `E_INTERRUPTED`.
 *
 * @module
 */
import { InterruptedError } from "../../errors.js";

const STOPPED = "interlace attach was stopped: it detached, the process runs on";

/** `pending`, or `E_INTERRUPTED` as soon as `signal` aborts. */
export function untilSignal<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new InterruptedError(STOPPED));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError(STOPPED));
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
