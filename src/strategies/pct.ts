/**
 * PCT, probabilistic concurrency testing: S. Burckhardt, P. Kothari, M. Musuvathi,
 * S. Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs",
 * ASPLOS 2010.
 *
 * Each run gives the threads random distinct priorities and picks d − 1 random *change points*
 * among the first k steps; the highest-priority runnable thread always runs, and at the i-th change
 * point the thread about to run is demoted to priority i, below every initial priority.
 *
 * Guarantee (proved in the paper): for a program with at most n threads and at most k steps, each run
 * finds a given bug of depth d (one that needs d ordering constraints between threads to show) with
 * probability at least 1 / (n · k^(d−1)). So m runs miss it with probability at most
 * (1 − 1/(n·k^(d−1)))^m. Most real concurrency bugs have depth 1 or 2.
 */
import type { Prng } from "./prng.js";
import { checkDecision, type Decision, type Strategy } from "./strategy.js";

/** Options of {@link PCT}. */
export interface PctOptions {
  /** Bug depth d to target: runs get d − 1 change points, hence at most d − 1 preemptions. Default 3. */
  depth?: number;
  /**
   * Estimate k of the number of decisions in a run; change points are drawn in [1, k]. Default: the
   * largest number of decisions seen in earlier runs (20 before the first run has ended).
   */
  maxSteps?: number;
}

/** Steps assumed for the first run when `maxSteps` is not given. */
const INITIAL_MAX_STEPS = 20;

/** The PCT randomized scheduler (see the file comment for the algorithm and its guarantee). */
export class PCT implements Strategy {
  readonly name = "pct";
  #prng: Prng;
  #depth: number;
  #maxSteps: number | undefined;
  /** Largest number of decisions in a finished run. */
  #longestRun = 0;
  #stepsThisRun = 0;
  /** Threads not demoted yet, from lowest to highest initial priority (thread at index j has priority d + j). */
  #ranking: string[] = [];
  /** Demoted threads and their new priority i ∈ [1, d − 1]. */
  #demoted = new Map<string, number>();
  /** Change point step → priority i given at it. */
  #changePoints = new Map<number, number>();

  /** @param prng - source of randomness; cloned, so the caller's generator is not advanced. */
  constructor(prng: Prng, options: PctOptions = {}) {
    const { depth = 3, maxSteps } = options;
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`PCT depth must be an integer ≥ 1, got ${depth}`);
    if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) {
      throw new RangeError(`PCT maxSteps must be an integer ≥ 1, got ${maxSteps}`);
    }
    this.#prng = prng.clone();
    this.#depth = depth;
    this.#maxSteps = maxSteps;
  }

  beginRun(_run: number): boolean {
    this.#stepsThisRun = 0;
    this.#ranking = [];
    this.#demoted.clear();
    this.#changePoints.clear();
    const k = this.#maxSteps ?? (this.#longestRun > 0 ? this.#longestRun : INITIAL_MAX_STEPS);
    // d − 1 distinct change points, uniform in [1, k] (all of them if k < d − 1). Change point c
    // fires at the decision with 0-based step c, i.e. once c steps have run.
    const count = Math.min(this.#depth - 1, k);
    for (let i = 1; i <= count; i++) {
      let point: number;
      do point = 1 + this.#prng.int(k);
      while (this.#changePoints.has(point));
      this.#changePoints.set(point, i);
    }
    return true;
  }

  choose(decision: Decision): string {
    checkDecision(decision);
    this.#stepsThisRun = Math.max(this.#stepsThisRun, decision.step + 1);
    for (const thread of decision.runnable) {
      if (!this.#demoted.has(thread) && !this.#ranking.includes(thread)) {
        // Inserting at a uniform position keeps the ranking a uniform random permutation.
        this.#ranking.splice(this.#prng.int(this.#ranking.length + 1), 0, thread);
      }
    }
    const change = this.#changePoints.get(decision.step);
    if (change !== undefined) {
      const top = this.#highest(decision.runnable);
      const rank = this.#ranking.indexOf(top);
      if (rank >= 0) this.#ranking.splice(rank, 1);
      this.#demoted.set(top, change);
    }
    return this.#highest(decision.runnable);
  }

  endRun(_failed: boolean): void {
    this.#longestRun = Math.max(this.#longestRun, this.#stepsThisRun);
  }

  #priority(thread: string): number {
    return this.#demoted.get(thread) ?? this.#depth + this.#ranking.indexOf(thread);
  }

  #highest(runnable: readonly string[]): string {
    let best = runnable[0] as string;
    for (const thread of runnable) if (this.#priority(thread) > this.#priority(best)) best = thread;
    return best;
  }
}
