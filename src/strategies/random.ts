/**
 * Random walk: at every decision, pick a runnable thread uniformly at random — the random explorer
 * of the Python original. Cheap and surprisingly effective on shallow bugs; it has no guarantee
 * for deep ones (see {@link PCT}, which has).
 */
import type { Prng } from "./prng.js";
import { checkDecision, type Decision, type Strategy } from "./strategy.js";

/** Uniform choice among the runnable threads at every decision; never runs out of runs. */
export class RandomWalk implements Strategy {
  readonly name = "random";
  #prng: Prng;

  /** @param prng - source of randomness; cloned, so the caller's generator is not advanced. */
  constructor(prng: Prng) {
    this.#prng = prng.clone();
  }

  beginRun(_run: number): boolean {
    return true;
  }

  choose(decision: Decision): string {
    checkDecision(decision);
    return decision.runnable[this.#prng.int(decision.runnable.length)] as string;
  }

  endRun(_failed: boolean): void {}
}
