/**
 * Portfolio: the default strategy. The runs of one exploration are dealt out, slot by slot, to
 * three strategies with different blind spots, so that what one misses another may find within the
 * same budget.
 *
 * - {@link Dpor}, optimal DPOR (P. Abdulla, S. Aronis, B. Jonsson, K. Sagonas, "Optimal Dynamic
 *   Partial Order Reduction", POPL 2014): one execution per class of equivalent interleavings, and
 *   a proof when its search ends. Depth-first, it spends a small budget on variations of the last
 *   steps of its first run: in SCTBench's reorder_N and twostage_N every order of the writers is a
 *   class of its own, and the failing classes (the checker early, between two writers) lie behind
 *   thousands of them (reorder_10, twostage_20: not found in 1,000 executions).
 * - {@link RandomWalk} over program points (`bySite`): at every decision a point where some thread
 *   is parked, uniformly, then one of the threads parked there. Proves nothing, but finds bugs
 *   spread over many symmetric threads in a few runs. Choosing points rather than threads keeps N
 *   identical threads from outvoting a lone one: in twostage_N the reader must overtake all N − 1
 *   writers, which a uniform choice of threads does in ~1/N of runs (twostage_20: 13 of 20 seeds
 *   within the budget) and a choice of points in a few runs whatever N (20/20 for N = 20 and 100).
 * - {@link PCT} (S. Burckhardt, P. Kothari, M. Musuvathi, S. Nagarakatte, "A Randomized Scheduler
 *   with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): random priorities and d − 1
 *   change points; each run finds a bug of depth d with probability ≥ 1/(n·k^(d−1)) — ordering
 *   bugs where the random walk keeps interrupting the thread that should run on.
 *
 * Slot pattern ({@link PATTERN}, run r gets PATTERN[r mod 4]): D R P R (measured with the uniform
 * random walk, before it chose points) — DPOR and PCT take turns
 * on even runs, the random walk has the odd ones. Chosen over the first candidate D R D P on the
 * classic programs (bench/classic.mjs, README "Classic programs", seeds 1..20; a model of the
 * programs over 100 seeds agreed): the random walk is the member that finds every one of them, and
 * the hardest, twostage (a reader that must overtake all n − 1 writers: ~1/n of random-walk runs,
 * fewer PCT runs), needs its runs. D R P R found twostage_20 on 13 of 20 seeds, D R D P on 10
 * (model: 65% and 48%; twostage_100: ~1/3 and ~1/8); reorder_20 in a median of 12 runs instead
 * of 22, reorder_10 in 7.5 instead of 14. DPOR keeps a quarter: programs of up to 50 classes are
 * still searched to the end within the default budget (every DPOR program of the test suite:
 * counters, locks, dining philosophers up to N = 5), and a failure DPOR finds at its i-th
 * execution comes at run 4i − 3 at the latest. More random runs (D R P R R R: twostage_20 ~79%
 * in the model) would leave DPOR a sixth, 33 classes.
 *
 * Each member has its own generator, seeded from the exploration seed, so the same seed gives the
 * same runs. DPOR only sees its own runs (its run numbers count its runs), and only they report
 * their accesses to it ({@link observe}, {@link observeBlocked}). Once DPOR has run every class the
 * exploration is complete, unless `mayStopWhenDporDone` says otherwise (effects DPOR could not see,
 * which make its classes too coarse): its slots then go to the random walk and PCT in turn, as when
 * DPOR is left out (`dpor: false`, for threads whose accesses are not recorded) or stopped because
 * the program did not replay deterministically ("exploration diverged…", {@link dporStopped}).
 */
import { Dpor } from "./dpor.js";
import type { Access } from "./access.js";
import { PCT } from "./pct.js";
import { Prng } from "./prng.js";
import { RandomWalk } from "./random.js";
import type { Decision, Strategy } from "./strategy.js";

/** A strategy of the portfolio. */
export type PortfolioMember = "dpor" | "random" | "pct";

/** Which member runs slot r: PATTERN[r mod PATTERN.length] (see the file comment for why). */
export const PATTERN: readonly PortfolioMember[] = ["dpor", "random", "pct", "random"];

/** Options of {@link Portfolio}. */
export interface PortfolioOptions {
  /** Exploration seed: the random walk's and PCT's generators are seeded from it. */
  seed: number;
  /** PCT bug depth (default 3). */
  pctDepth?: number;
  /** DPOR's preemption bound (default none). */
  preemptionBound?: number;
  /** DPOR's search order (default `dfs`). */
  searchOrder?: "dfs" | "diverse";
  /**
   * Whether the exploration may end as complete once DPOR has run every class (default: always).
   * Asked each time that would happen; while it answers false, the random walk and PCT go on.
   */
  mayStopWhenDporDone?: () => boolean;
  /** Include DPOR (default true). Without it the random walk and PCT alternate and the exploration never ends by itself. */
  dpor?: boolean;
  /** The slot pattern (default {@link PATTERN}); for experiments. */
  pattern?: readonly PortfolioMember[];
}

/** DPOR, the random walk and PCT taking turns (see the file comment). */
export class Portfolio implements Strategy {
  readonly name = "portfolio";
  readonly #random: RandomWalk;
  readonly #pct: PCT;
  readonly #mayStop: () => boolean;
  readonly #pattern: readonly PortfolioMember[];
  /** Null when left out, stopped, or done. */
  #dpor: Dpor | null;
  /** Whether DPOR's beginRun has been called (and said yes) for its next run. */
  #dporReady = false;
  #dporComplete = false;
  #dporStopped: string | null = null;
  #dporExecutions = 0;
  /** The member running the current run; null between runs. */
  #current: PortfolioMember | null = null;
  #last: PortfolioMember;
  /** DPOR slots handed to the others so far (they alternate). */
  #handedOver = 0;

  constructor(options: PortfolioOptions) {
    const { seed, pctDepth, preemptionBound, searchOrder, mayStopWhenDporDone = () => true, dpor = true, pattern = PATTERN } = options;
    if (pattern.length === 0 || !pattern.every((m) => m === "dpor" || m === "random" || m === "pct")) {
      throw new RangeError(`portfolio pattern must be a non-empty list of "dpor", "random" and "pct", got ${JSON.stringify(pattern)}`);
    }
    this.#pattern = [...pattern];
    this.#last = this.#pattern[0]!;
    const seeds = new Prng(seed);
    this.#random = new RandomWalk(new Prng(seeds.nextUint32()), { bySite: true });
    this.#pct = new PCT(new Prng(seeds.nextUint32()), pctDepth === undefined ? {} : { depth: pctDepth });
    this.#dpor = dpor
      ? new Dpor({ ...(preemptionBound === undefined ? {} : { preemptionBound }), ...(searchOrder === undefined ? {} : { order: searchOrder }) })
      : null;
    this.#mayStop = mayStopWhenDporDone;
  }

  /** Whether DPOR has run every class of equivalent interleavings. */
  get dporComplete(): boolean {
    return this.#dporComplete;
  }

  /** Why DPOR was dropped from this exploration (its divergence message), or null. */
  get dporStopped(): string | null {
    return this.#dporStopped;
  }

  /** DPOR's runs so far (those ended; a run that diverged before its end counts as random). */
  get dporExecutions(): number {
    return this.#dporExecutions;
  }

  /** The member running the current run, or that ran the last one (a DPOR run that diverged before its end is finished by, and counted as, the random walk). */
  get lastRunStrategy(): PortfolioMember {
    return this.#last;
  }

  /** Gives run `run` its member; false once DPOR has run every class and `mayStopWhenDporDone` agrees. */
  beginRun(run: number): boolean {
    if (this.#current !== null) this.endRun(false);
    let member = this.#pattern[run % this.#pattern.length]!;
    if (member === "dpor" && !this.#prepareDpor()) member = this.#handedOver++ % 2 === 0 ? "random" : "pct";
    if (this.#dporComplete && this.#mayStop()) return false;
    this.#current = member;
    this.#last = member;
    if (member === "dpor") this.#dporReady = false;
    else this.#member(member).beginRun(run);
    return true;
  }

  choose(decision: Decision): string {
    if (this.#current === null) throw new Error("portfolio: choose() called outside a run; call beginRun() first");
    if (this.#current === "dpor") {
      const chosen = this.#guard((dpor) => dpor.choose(decision));
      if (chosen !== undefined) return chosen;
    }
    return this.#member(this.#current).choose(decision);
  }

  /** Forwarded to DPOR during its runs. */
  observe(thread: string, accesses: readonly Access[]): void {
    if (this.#current === "dpor") this.#guard((dpor) => dpor.observe(thread, accesses));
  }

  /** Forwarded to DPOR during its runs. */
  observeBlocked(thread: string, accesses: readonly Access[]): void {
    if (this.#current === "dpor") this.#guard((dpor) => dpor.observeBlocked(thread, accesses));
  }

  endRun(failed: boolean): void {
    const current = this.#current;
    if (current === null) return;
    this.#current = null;
    if (current !== "dpor") return this.#member(current).endRun(failed);
    this.#dporExecutions++;
    this.#guard((dpor) => dpor.endRun(failed));
    // Asking now whether DPOR has more lets the exploration end right after its last class.
    this.#prepareDpor();
  }

  /** Whether DPOR has a run to start; asks it (beginRun) when not asked yet. */
  #prepareDpor(): boolean {
    if (this.#dpor !== null && !this.#dporReady) {
      const more = this.#guard((dpor) => dpor.beginRun(this.#dporExecutions));
      if (more === false) {
        this.#dporComplete = true;
        this.#dpor = null;
      }
      this.#dporReady = more === true;
    }
    return this.#dporReady;
  }

  #member(member: PortfolioMember): Strategy {
    if (member === "pct") return this.#pct;
    if (member === "random") return this.#random;
    throw new Error("portfolio: internal error: no DPOR run in progress");
  }

  /**
   * Calls DPOR; when it reports that the program did not replay as recorded, drops it for the rest
   * of the exploration (the current run goes on under the random walk) and returns undefined.
   */
  #guard<T>(call: (dpor: Dpor) => T): T | undefined {
    const dpor = this.#dpor;
    if (dpor === null) return this.#lost();
    try {
      return call(dpor);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("exploration diverged")) throw error;
      this.#dpor = null;
      this.#dporReady = false;
      this.#dporStopped = error.message;
      return this.#lost();
    }
  }

  /** DPOR is gone: a DPOR run in progress becomes a random one. */
  #lost(): undefined {
    if (this.#current === "dpor") {
      this.#current = "random";
      this.#last = "random";
    }
    return undefined;
  }
}
