/**
 * Replay: one run that follows recorded decisions — how a printed counterexample is reproduced.
 */
import { checkDecision, formatThreads, type Decision, type Strategy } from "./strategy.js";

/**
 * Follows `decisions` (the thread chosen at each step) in a single run. Once they run out, it keeps
 * the previous thread running while it can, else takes the first runnable thread.
 */
export class Replay implements Strategy {
  readonly name = "replay";
  readonly #decisions: readonly string[];

  /** @param decisions - the thread chosen at each step, e.g. from an earlier run's trace. */
  constructor(decisions: readonly string[]) {
    this.#decisions = [...decisions];
  }

  /** True for run 0 only: there is one recorded run to replay. */
  beginRun(run: number): boolean {
    return run === 0;
  }

  /** The recorded thread; throws if it is not runnable now. */
  choose(decision: Decision): string {
    checkDecision(decision);
    const { step, runnable, previous } = decision;
    const recorded = this.#decisions[step];
    if (recorded === undefined) return previous !== null && runnable.includes(previous) ? previous : (runnable[0] as string);
    if (!runnable.includes(recorded)) {
      throw new Error(`replay diverged at step ${step}: recorded ${recorded}, runnable now ${formatThreads(runnable)}`);
    }
    return recorded;
  }

  endRun(_failed: boolean): void {}
}
