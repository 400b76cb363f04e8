/**
 * One run under `interlace debug`, held at its decisions: the chooser the engines ask
 * (`Chooser.choose`) follows a prefix of decisions at once (a replay), then answers each later
 * decision with a promise that the session settles when the user picks a thread. While that
 * promise is pending every thread stays stopped (`defer` actions of the isolate engine, an awaited
 * decision of the task loop), so the user can look at them as long as they like.
 *
 * Leaving a run (`back`, `goto`, `quit`) lets it run to its end on its own choices
 * ({@link HeldRun.leave}): a run that completes leaves its isolates reusable, so the next run
 * starts without launching anything.
 *
 * @module
 */
import { runHook } from "../explore/settle.js";
import type { Chooser } from "../engine/task-explore.js";

/** A decision the engine asked for. */
export interface Decision {
  step: number;
  runnable: readonly string[];
  previous: string | null;
}

/** Where a held run stands after a move: at a decision (held), or over. */
export type Position = "held" | "ended";

/** How a run ended: the threads' results (task threads), or the error it ended with. */
export interface RunEnd {
  results: Readonly<Record<string, unknown>>;
  error: unknown;
}

/** The chooser of one held run, and the promise of its next position. */
export class HeldRun implements Chooser {
  readonly #prefix: readonly string[];
  #auto = false;
  #answer: ((thread: string) => void) | null = null;
  #held: Decision | null = null;
  #end: RunEnd | null = null;
  #wake: ((position: Position) => void) | null = null;

  /** @param prefix - Decisions to take without holding (the replayed part of the walk). */
  constructor(prefix: readonly string[]) {
    this.#prefix = prefix;
  }

  /** The decision the run is held at, or null (running, or ended). */
  get held(): Decision | null {
    return this.#held;
  }

  /** How the run ended, once it did. */
  get end(): RunEnd | null {
    return this.#end;
  }

  choose(decision: { step: number; runnable: readonly string[]; previous: string | null }): string | Promise<string> {
    const { step, runnable, previous } = decision;
    if (this.#auto) return previous !== null && runnable.includes(previous) ? previous : runnable[0]!;
    const recorded = this.#prefix[step];
    if (recorded !== undefined) {
      if (!runnable.includes(recorded)) throw new Error(`replay diverged at step ${step}: recorded ${recorded}, runnable now [${runnable.join(", ")}]`);
      return recorded;
    }
    this.#held = { step, runnable: [...runnable], previous };
    const answer = new Promise<string>((resolve) => (this.#answer = resolve));
    this.#notify("held");
    return answer;
  }

  /** Watches the run itself: its end is a position too. */
  watch(run: Promise<Readonly<Record<string, unknown>> | void>): void {
    run.then(
      (results) => this.#finish({ results: results ?? Object.freeze({}), error: null }),
      (error: unknown) => this.#finish({ results: Object.freeze({}), error }),
    );
  }

  /** Resolves at the next position: at once if the run is held or over. */
  next(): Promise<Position> {
    if (this.#end !== null) return Promise.resolve("ended");
    if (this.#held !== null) return Promise.resolve("held");
    return new Promise<Position>((resolve) => (this.#wake = resolve));
  }

  /** Answers the held decision with `thread` (one of its runnable threads); resolves at the next position. */
  take(thread: string): Promise<Position> {
    const answer = this.#answer;
    if (answer === null) throw new Error("the run is not held at a decision");
    this.#answer = null;
    this.#held = null;
    const next = this.next();
    answer(thread);
    return next;
  }

  /** Lets the run go on by itself (the previous thread while it can, else the first runnable) and resolves once it ended. */
  async leave(): Promise<RunEnd> {
    this.#auto = true;
    const held = this.#held;
    if (held !== null && this.#answer !== null) {
      const answer = this.#answer;
      this.#answer = null;
      this.#held = null;
      answer(held.previous !== null && held.runnable.includes(held.previous) ? held.previous : held.runnable[0]!);
    }
    while ((await this.next()) !== "ended") {
      // A decision held before `auto` was seen (cannot happen: choose answers at once from now on).
    }
    return this.#end!;
  }

  #finish(end: RunEnd): void {
    this.#end = end;
    this.#held = null;
    this.#notify("ended");
  }

  #notify(position: Position): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.(position);
  }
}

/**
 * Ends a debug run: lets it go on by itself to its end (`HeldRun.leave`), waits for it, and runs the
 * scenario's teardown on its state. Nothing when there is no run.
 */
export async function endHeldRun(run: { held: HeldRun; done: Promise<void>; state: unknown } | null, teardown: ((state: never) => unknown) | undefined): Promise<void> {
  if (run === null) return;
  await run.held.leave();
  await run.done;
  await runHook("teardown", () => (teardown as ((state: unknown) => unknown) | undefined)?.(run.state));
}
