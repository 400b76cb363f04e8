/**
 * A launched isolate that runs one thread: a worker_thread or a child process. The run controller
 * sees only this interface, whatever the transport underneath.
 */
import type { CdpSession } from "../cdp/session.js";
import type { RunnerEvent } from "../protocol/messages.js";
import type { Access } from "../strategies/access.js";

/** Resource accesses a thread's io hooks recorded (`runtime/io-channel.mjs`), and how many did not fit. */
export interface IoAccesses {
  accesses: Access[];
  dropped: number;
}

/** How a target ended without its runner reporting it. */
export interface TargetExit {
  /** e.g. "process exited with code 7", "worker crashed: RangeError: ..." */
  detail: string;
  /** A thrown error's stack, when the isolate died of an uncaught exception. */
  stack?: string;
}

/** Callbacks a target reports to. Each is called at most as often as it happens, in order. */
export interface TargetListener {
  runner(event: RunnerEvent): void;
  exit(exit: TargetExit): void;
}

/** One isolate under control. */
export interface ThreadTarget {
  readonly thread: string;
  readonly kind: "worker" | "process";
  /** CDP session to the isolate's inspector. */
  readonly session: CdpSession;
  /** Tells the runtime to import the thread module; call after the Debugger domain is enabled. */
  go(): void;
  /**
   * Starts another run in the same isolate once the last one returned or threw: the runtime goes
   * back to its ready point with `state` (module state persists between runs).
   */
  again(state: unknown): void;
  /**
   * Queues the go-ahead the runtime reads when resumed out of its ready point; call just before
   * that resume. Without it the runtime does not start the function.
   */
  proceed(): void;
  /**
   * The resource accesses its io hooks recorded since the last call (launched with `io.record`).
   * Call only while the thread is paused or idle.
   */
  takeIoAccesses?(): IoAccesses;
  /**
   * Ends the isolate, wherever its thread is (paused, blocked, running or idle), and releases
   * everything it holds. Idempotent; resolves once it is gone.
   */
  dispose(): Promise<void>;
}
