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
  readonly #bySite: boolean;

  /**
   * @param prng - source of randomness; cloned, so the caller's generator is not advanced.
   * @param options - `bySite`: pick a program point uniformly first, then a thread parked there
   *   (threads at one point are alike: N identical writers do not outvote one reader).
   */
  constructor(prng: Prng, options: { bySite?: boolean } = {}) {
    this.#prng = prng.clone();
    this.#bySite = options.bySite === true;
  }

  beginRun(_run: number): boolean {
    return true;
  }

  choose(decision: Decision): string {
    checkDecision(decision);
    const { runnable, sites } = decision;
    if (!this.#bySite || sites === undefined || sites.length !== runnable.length) return runnable[this.#prng.int(runnable.length)] as string;
    const distinct = [...new Set(sites)];
    const site = distinct[this.#prng.int(distinct.length)];
    const here = runnable.filter((_, i) => sites[i] === site);
    return here[this.#prng.int(here.length)] as string;
  }

  endRun(_failed: boolean): void {}
}
