/**
 * Exhaustive search: every decision sequence, each exactly once, depth-first, optionally with a
 * preemption bound — iterative context bounding, M. Musuvathi and S. Qadeer, "Iterative Context
 * Bounding for Systematic Testing of Multithreaded Programs", PLDI 2007. Schedules with fewer
 * preemptions are tried first (the previous thread is preferred at every decision), and most bugs
 * need very few preemptions.
 *
 * The number of runs grows as the multinomial (s₁ + … + sₙ)! / (s₁! ⋯ sₙ!) for n threads taking
 * s₁ … sₙ steps; with bound b it is polynomial in the number of steps for a fixed b.
 */
import { DepthFirstSearch, previousFirst } from "./depth-first.js";
import { isPreemption, type Decision } from "./strategy.js";

/** Options of {@link Exhaustive}. */
export interface ExhaustiveOptions {
  /** Skip decision sequences with more than this many preemptions. Default: no bound. */
  preemptionBound?: number;
}

/** Depth-first enumeration of every decision sequence (within the preemption bound, if any). */
export class Exhaustive extends DepthFirstSearch {
  readonly name = "exhaustive";
  #bound: number;

  constructor(options: ExhaustiveOptions = {}) {
    super();
    const { preemptionBound = Infinity } = options;
    if (preemptionBound !== Infinity && (!Number.isInteger(preemptionBound) || preemptionBound < 0)) {
      throw new RangeError(`preemptionBound must be an integer ≥ 0, got ${preemptionBound}`);
    }
    this.#bound = preemptionBound;
  }

  protected override choices(decision: Decision, preemptions: number): readonly string[] {
    return previousFirst(decision).filter((thread) => preemptions + (isPreemption(decision, thread) ? 1 : 0) <= this.#bound);
  }
}
