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
}

/** Reports from the runtime to the controller. The ready point is a pause, not a message. */
export type RunnerEvent =
  | { type: "load-failed"; detail: string }
  | { type: "export-missing"; available: string[] }
  | { type: "returned" }
  | { type: "threw"; stack: string };

/** Name of the runtime function whose `debugger` statement is each thread's ready point. */
export const READY_FUNCTION = "interlaceThreadReady";

/** Local of {@link READY_FUNCTION} the controller sets to `true` to let the thread start. */
export const READY_PROCEED_VARIABLE = "proceed";

/**
 * Frames on the process channel (the child's fd 3), one per line; the first character says what
 * follows: a CDP message, a runner event, or the start order.
 */
export const FRAME_CDP = "C";
export const FRAME_RUNNER = "R";
export const FRAME_START = "S";

/** Payload of the start frame: the launch plus the state, `v8.serialize`d and base64-encoded. */
export interface StartFrame {
  launch: ThreadLaunch;
  state: string;
}
