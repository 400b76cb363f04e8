/**
 * Messages between the controller and the isolate-side runtime (src/runtime/*.mjs).
 * The runtime files are plain JavaScript; they follow these shapes.
 */

/** What a thread isolate must run. */
export interface ThreadLaunch {
  /** Thread name, for messages. */
  thread: string;
  /** `file:` URL of the module to import. */
  moduleUrl: string;
  /** Export to call as `fn(state, ...args)`. */
  exportName: string;
  args: unknown[];
  /** Register tsx's ESM and CJS hooks before importing (TypeScript modules). */
  useTsx: boolean;
  /**
   * Workers: the controller's counter of waiters woken by `Atomics.notify` (an Int32Array of one
   * element over it), shared by every worker of a run.
   */
  control?: SharedArrayBuffer;
}

/** Reports from the runtime to the controller. The ready point is a pause, not a message. */
export type RunnerEvent =
  | { type: "load-failed"; detail: string }
  | { type: "export-missing"; available: string[] }
  | { type: "returned" }
  | { type: "threw"; stack: string }
  /** The thread is about to block in an untimed `Atomics.wait` on `on`, e.g. `Int32Array(8)[1]` (the stack says where). */
  | { type: "blocked"; stack: string; on: string };

/** Name of the runtime's `Atomics.wait` wrapper: on top of the stack of a thread asleep in a wait. */
export const BLOCKING_WAIT_FUNCTION = "interlaceAtomicsWait";

/** Name of the runtime function whose `debugger` statement is each thread's ready point. */
export const READY_FUNCTION = "interlaceThreadReady";


/**
 * Frames on the process channel (the child's fd 3), one per line; the first character says what
 * follows: a CDP message, a runner event, or the start order.
 */
export const FRAME_CDP = "C";
export const FRAME_RUNNER = "R";
export const FRAME_START = "S";
/** The go-ahead of a thread resumed out of its ready point (sent just before the resume). */
export const FRAME_PROCEED = "P";

/**
 * Payload of a start frame: the state, `v8.serialize`d and base64-encoded, with the launch on the
 * first frame; later frames start the next run of the same thread in the same process.
 */
export interface StartFrame {
  launch?: ThreadLaunch;
  state: string;
}
