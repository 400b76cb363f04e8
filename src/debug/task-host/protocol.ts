/**
 * The messages between `interlace debug` and its task host (the worker isolate task threads run
 * in under the debugger, `host.ts`): requests with an id, one answer each; after a move (`start`,
 * `take`) the answer carries what the prompt shows, so that reading it needs no round trip.
 *
 * @module
 */
import type { ExploreStep } from "../../engine/task-explore.js";
import type { Position } from "../held-run.js";
import type { RunVerdict, ThreadStatus } from "../driver.js";

/** What the host is started with (`workerData`, beside the compiler port). */
export interface HostData {
  /** Absolute path of the scenario module. */
  scenario: string;
  tracePackages: string[];
  timeoutMs: number;
  maxSteps: number;
}

/** A request of the debug session. */
export type HostRequest =
  | { id: number; op: "start"; prefix: string[] }
  | { id: number; op: "take"; thread: string }
  /** Calls the closure of the frame `thread` is parked in: the host stops there under the controller's debugger. */
  | { id: number; op: "peek"; thread: string }
  /** Evaluates against the scenario state (`print` of what the task's frame does not name). */
  | { id: number; op: "evaluate"; thread: string; expression: string }
  | { id: number; op: "state" }
  | { id: number; op: "invariant" }
  | { id: number; op: "close" };

/** Where the run stands after a move. */
export interface MoveView {
  position: Position;
  runnable: string[] | null;
  /** Steps taken since the previous view of this run (all of them after `start`). */
  newSteps: ExploreStep[];
  threads: ThreadStatus[];
  verdict: RunVerdict | null;
}

/** An error as it crosses the thread boundary. */
export interface HostError {
  name: string;
  message: string;
  code?: string;
  category?: string;
}

/** The answer to one request. */
export type HostAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: HostError };

/** The host's first message: loaded (the thread names, the package root), or why not. */
export type HostReady = { type: "ready"; names: string[]; root: string } | { type: "failed"; error: HostError };
