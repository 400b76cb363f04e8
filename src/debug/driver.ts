/**
 * What the debug session needs of the threads, whatever their kind: one held run at a time
 * (`held-run.ts`), the status of each thread where the run stands, and looking inside a stopped
 * thread. `isolate-driver.ts` implements it for worker and process threads, `task-driver.ts` for
 * task threads.
 *
 * @module
 */
import type { Failure } from "../engine/counterexample.js";
import type { Where } from "../engine/schedule-run.js";
import type { ExploreStep } from "../engine/task-explore.js";
import type { ThreadDriver } from "../controller/thread-driver.js";
import type { CdpSession } from "../cdp/session.js";
import type { Protocol } from "../protocol/cdp.js";
import type { Position } from "./held-run.js";

/** One thread where the run stands. */
export interface ThreadStatus {
  name: string;
  /** `stopped`: at a scheduling point other than its start (marker, statement, await, lock, callback). */
  state: "starting" | "at start" | "stopped" | "blocked" | "running" | "finished";
  /** What it is stopped at or blocked on, for people: `marker read_balance`, `statement`, `await`, `lock Mutex#1`. */
  detail: string;
  where?: Where;
}

/** A frame of a stopped thread's stack, source-mapped. */
export interface FrameLine {
  functionName: string;
  where: Where | null;
  /** The generated location, when it maps to no original source. */
  raw?: string;
}

/** How a run that ended is judged (before the invariant): a deadlock or thrown exception, or a fault of the run. */
export interface RunVerdict {
  /** A deadlock or an exception in a thread: the run's failure, as a counterexample records it. */
  failure: Failure | null;
  /** Something else went wrong (a timeout, a crash, a diverged replay): the message. */
  fault: string | null;
}

/**
 * A thread as a DevTools client of `--inspect` sees it: the controller's debugger session of its
 * isolate, the scripts parsed there, and the pause the session holds it at (a worker/process
 * thread's {@link ThreadDriver}; a task thread's view of the task host, `task-host/remote-driver.ts`).
 */
export interface InspectTarget {
  readonly cdpSession: CdpSession;
  readonly parsedScripts: readonly Protocol.Debugger.ScriptParsedEvent[];
  readonly stoppedAt: { readonly pause: Protocol.Debugger.PausedEvent } | null;
  /** Task threads: a client looks at this thread (stop the shared isolate in its frame). */
  show?(): Promise<void>;
  /** Task threads: its client left. */
  forget?(): void;
}

/** The threads of a scenario under the debugger. */
export interface RunDriver {
  readonly kind: "task" | "isolate";
  /** Isolates: where decisions are taken. */
  readonly granularity?: "statements" | "markers" | "io";
  readonly names: readonly string[];
  /** Ends the run in progress (if any), then starts one that follows `prefix` and stops at the first decision past it. */
  start(prefix: readonly string[]): Promise<Position>;
  /** Answers the held decision; resolves at the next position. */
  take(thread: string): Promise<Position>;
  /** The decision held, or null (the run ended). */
  runnable(): readonly string[] | null;
  /** The steps taken so far in this run, with their recorded accesses. */
  steps(): readonly ExploreStep[];
  threads(): ThreadStatus[];
  /** Once the run ended: its verdict before the invariant. */
  verdict(): RunVerdict | null;
  /** Evaluates `expression` where `thread` stands, without side effects; the value as text. */
  evaluate(thread: string, expression: string): Promise<string>;
  /** The stack of a stopped thread (innermost first). */
  stack(thread: string): Promise<FrameLine[]>;
  /** The scenario state of this run (task threads: a promise of its rendering, from the task host). */
  state(): unknown;
  /** The invariant's verdict on this run (only once every thread finished). */
  invariant(): Promise<Failure | null>;
  /** The package root of the threads' code (counterexample source paths are relative to it). */
  root(): string;
  /** Isolates: the debugger of a thread's isolate (its CDP session and pause), for `--inspect`; null before launch. */
  threadDriver?(thread: string): ThreadDriver | null;
  /** Task threads: the thread as a DevTools target of `--inspect`. */
  inspectTarget?(thread: string): InspectTarget;
  /** Task threads: calls `listener` when the thread shown with its frame changes outside a move. */
  onFocus?(listener: () => void): () => void;
  /** Ends the run, runs teardown, disposes every isolate. Idempotent. */
  close(): Promise<void>;
}
