/**
 * Stopping an exploration early: an `AbortSignal` (a test runner's timeout, Ctrl-C in the CLI) or
 * an overall time budget. Checked between attempts, so an exploration stops at the end of the
 * attempt in progress (at most its `timeout` later); what was explored so far is reported, never
 * as complete. Shrinking and reproducing a counterexample found stop the same way: the
 * counterexample is reported as found.
 *
 * @module
 */
import { clock } from "../controller/clock.js";
import { ScenarioError } from "../errors.js";
import { positive } from "./options.js";

/** Why an exploration stopped before its end. */
export type Interruption = "aborted" | "time budget";

export class Interrupt {
  readonly #signal: AbortSignal | undefined;
  readonly #deadline: number;

  constructor(signal: AbortSignal | undefined, timeBudgetMs: number | undefined) {
    if (signal !== undefined && !(typeof signal === "object" && signal !== null && "aborted" in signal)) {
      throw new ScenarioError("signal must be an AbortSignal (for example AbortSignal.timeout(ms), or the test context's signal).");
    }
    this.#signal = signal;
    this.#deadline = timeBudgetMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + positive("timeBudget", timeBudgetMs);
  }

  /** Why to stop now, or null to go on. */
  get reason(): Interruption | null {
    if (this.#signal?.aborted === true) return "aborted";
    if (clock.now() >= this.#deadline) return "time budget";
    return null;
  }
}
