/**
 * The exploration-strategy contract.
 *
 * An exploration runs a concurrent program many times. In each run, at every scheduling point, the
 * runtime asks the strategy which thread runs next among the runnable ones. In the spirit of
 * shuttle's three-method `Scheduler` trait, the contract is: start a run, pick the next thread, end
 * the run. Strategies are pure: no I/O, no clock, and randomness only from a {@link Prng} passed in.
 *
 * A *preemption* is choosing a thread other than `previous` while `previous` is still runnable.
 */

/** One scheduling decision to make. */
export interface Decision {
  /** 0-based index of this decision within the run. */
  step: number;
  /** Threads that may run now (non-empty), in declaration order. */
  runnable: readonly string[];
  /** Whether each runnable thread is parked at a marker (true) or at a start/await gate (false); same order as `runnable`. */
  atMarker: readonly boolean[];
  /** The thread chosen at the previous decision (null at the first), whether or not it is still runnable. */
  previous: string | null;
  /**
   * Where each runnable thread stands (same order as `runnable`): a key equal for threads parked at
   * the same program point (`file:line:column`, `start`), when the engine knows it. Strategies that
   * treat threads at one point as interchangeable use it; the others ignore it.
   */
  sites?: readonly string[];
}

/** Picks which thread runs next, run after run. */
export interface Strategy {
  readonly name: string;
  /** Starts run number `run` (0-based). Returns false when there is nothing left to explore (exhaustive search complete); the explorer then stops. */
  beginRun(run: number): boolean;
  /** Picks one of decision.runnable. */
  choose(decision: Decision): string;
  /** Ends the current run (`failed`: the property was violated in it). */
  endRun(failed: boolean): void;
}

/** Whether choosing `thread` at `decision` is a preemption (switching away from a still-runnable `previous`). */
export function isPreemption(decision: Decision, thread: string): boolean {
  return decision.previous !== null && thread !== decision.previous && decision.runnable.includes(decision.previous);
}

/** Throws unless `decision.runnable` is non-empty and `atMarker` has the same length. */
export function checkDecision(decision: Decision): void {
  if (decision.runnable.length === 0) throw new Error(`decision at step ${decision.step} has no runnable thread`);
  if (decision.atMarker.length !== decision.runnable.length) {
    throw new Error(
      `decision at step ${decision.step} has ${decision.runnable.length} runnable threads but ${decision.atMarker.length} atMarker flags`,
    );
  }
}

/** `[a, b, c]`, for error messages. */
export function formatThreads(threads: readonly string[]): string {
  return `[${threads.join(", ")}]`;
}
