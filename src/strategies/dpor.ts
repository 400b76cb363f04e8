/**
 * Dynamic partial-order reduction: run one execution per Mazurkiewicz trace — per equivalence
 * class of executions that differ only in the order of independent steps — instead of one per
 * interleaving. Optimal-DPOR, Algorithm 2 of P. Abdulla, S. Aronis, B. Jonsson and K. Sagonas,
 * "Optimal Dynamic Partial Order Reduction", POPL 2014 (and "Source Sets: A Foundation for Optimal
 * Dynamic Partial Order Reduction", JACM 64(4), 2017): source-DPOR's sleep sets plus wakeup trees,
 * so that no two runs are equivalent — not even the sleep-set-blocked runs source-DPOR can make,
 * which here would be whole runs, since a run cannot be abandoned halfway.
 *
 * Stateless, by re-execution (as `depth-first.ts`): each run replays a recorded decision prefix,
 * then starts a pending branch of the exploration tree (`dpor-tree.ts`). The runtime only learns a
 * step's accesses after it ran, through {@link Dpor.observe}; that is all the algorithm needs, as
 * Algorithm 2 detects races on the complete execution (`dpor-execution.ts`) when the run ends: for
 * each race e ⋖ e′ it inserts the reversing sequence notdep(e, E).e′ into the wakeup tree of the
 * state before e, unless a thread asleep there already covers it. Runs are deterministic, so the
 * events a run observed stand for what the same threads will do when those sequences are replayed;
 * a replayed decision prefix that behaves differently stops the search ("exploration diverged").
 *
 * Lock acquisitions race with each other, and a release orders the next acquire (see `access.ts`),
 * so only the orders in which threads take each lock are explored. A thread still waiting for a
 * lock when a run ends has to be reported ({@link Dpor.observeBlocked}): its acquire never ran, yet
 * it races with the one it waits behind.
 *
 * Per run: beginRun(); for each step choose(), then observe() its accesses; observeBlocked() for
 * each thread left waiting; endRun().
 */
import { accessDifference, conflictingPair, formatAccesses, sameAccesses, type Access } from "./access.js";
import { Execution, type RaceIndices } from "./dpor-execution.js";
import {
  addBranch,
  branchesTo,
  finishRun,
  firstPending,
  insertWakeup,
  releaseDone,
  rootNode,
  sleepAfter,
  type Branch,
  type TreeNode,
  type Visit,
} from "./dpor-tree.js";
import { checkDecision, formatThreads, isPreemption, type Decision, type Strategy } from "./strategy.js";
import { ExplorationDivergedError } from "../errors.js";

/** Options of {@link Dpor}. */
export interface DporOptions {
  /**
   * Skip choices that would make a run preempt more than this many times (switch away from a
   * thread that could go on). This cuts executions: not only the traces that need more
   * preemptions, but also some that have a run within the bound, as sleep sets and wakeup trees
   * skip reversals that a subtree the bound then prunes would have covered. As in bounded POR
   * (K. Coons, M. Musuvathi, K. McKinley, "Bounded Partial-Order Reduction", OOPSLA 2013), a
   * reversal the bound forbids is retried at the start of the preempted context, which recovers
   * some. Where the bound leaves only sleeping threads, a run repeats a trace
   * ({@link Dpor.sleepBlockedRuns}). Default: no bound.
   */
  preemptionBound?: number;
  /**
   * Which pending branch the next run starts from. `dfs` (default): the deepest, as in the paper;
   * memory holds one path of the tree and its pending branches. `diverse`: the one closest to the
   * root (the first found on ties). Depth-first order spends a small budget on variations of the
   * last steps of the first execution; reversing the earliest races first makes consecutive runs
   * differ as early — and so as much — as possible. The result is the same set of traces: a branch
   * started before its older siblings finished still has them in its sleep set (their subtrees
   * cover those runs whenever they finish), and wakeup sequences that depth-first order would have
   * given it before it ran are inserted into it, reopening it if it was done. The cost is memory:
   * a subtree stays in memory until every branch to its left is done, so up to one node per step of
   * every run — meant for small budgets.
   */
  order?: "dfs" | "diverse";
}

/** One side of a race: the step (0-based decision index) of `thread` and its conflicting access. */
export interface RaceSide {
  thread: string;
  step: number;
  access: Access;
}

/** Two conflicting steps of different threads, not ordered by anything else. */
export interface Race {
  first: RaceSide;
  second: RaceSide;
}

/** The choice made at the current step, until {@link Dpor.observe} reports its accesses. */
interface Choice {
  readonly node: TreeNode;
  readonly thread: string;
  /** Null for a new branch. */
  readonly branch: Branch | null;
}

export class Dpor implements Strategy {
  readonly name = "dpor";
  readonly #bound: number;
  readonly #order: "dfs" | "diverse";
  readonly #root = rootNode();
  /** Visited nodes with pending branches: where the next runs start. */
  readonly #frontier = new Set<TreeNode>();
  #finished = false;
  #sleepBlocked = 0;

  // The run in progress.
  #running = false;
  #target: TreeNode | null = null;
  /** Branches from the root to the target: the decisions to replay. */
  #replay: Branch[] = [];
  /** Where the run is in the tree. */
  #node: TreeNode = this.#root;
  /** The node and branch of each decision. */
  #path: Array<{ node: TreeNode; branch: Branch }> = [];
  #choice: Choice | null = null;
  #execution = new Execution();
  #step = 0;
  #preemptions = 0;
  #repeats = false;

  constructor(options: DporOptions = {}) {
    const { preemptionBound = Infinity, order = "dfs" } = options;
    if (preemptionBound !== Infinity && (!Number.isInteger(preemptionBound) || preemptionBound < 0)) {
      throw new RangeError(`preemptionBound must be an integer ≥ 0, got ${preemptionBound}`);
    }
    if (order !== "dfs" && order !== "diverse") throw new RangeError(`order must be "dfs" or "diverse", got ${JSON.stringify(order)}`);
    this.#bound = preemptionBound;
    this.#order = order;
  }

  /**
   * Runs that had to run a thread from the sleep set, i.e. repeat a trace already explored. Zero
   * without a preemption bound for programs within the paper's model; a bound can force it.
   */
  get sleepBlockedRuns(): number {
    return this.#sleepBlocked;
  }

  /** Returns false once every trace has been run. A run left without {@link endRun} is ended first. */
  beginRun(_run: number): boolean {
    if (this.#running) this.endRun(false);
    if (this.#finished) return false;
    const target = this.#root.visit === null ? null : this.#nextTarget();
    if (this.#root.visit !== null && target === null) {
      this.#finished = true;
      return false;
    }
    this.#target = target;
    this.#replay = target === null ? [] : branchesTo(target);
    this.#node = this.#root;
    this.#path = [];
    this.#choice = null;
    this.#execution = new Execution();
    this.#step = 0;
    this.#preemptions = 0;
    this.#repeats = false;
    this.#running = true;
    return true;
  }

  /** Replays the recorded prefix, then follows the wakeup tree, then any thread not asleep. */
  choose(decision: Decision): string {
    checkDecision(decision);
    if (!this.#running) throw new Error("dpor: choose() called outside a run; call beginRun() first");
    if (decision.step !== this.#step) throw new Error(`dpor: decision step ${decision.step} out of order; expected step ${this.#step}`);
    if (this.#choice !== null) throw new Error(`dpor: observe() was not called after step ${this.#step - 1}`);
    const choice = this.#pick(decision);
    this.#choice = choice;
    if (isPreemption(decision, choice.thread)) this.#preemptions++;
    this.#step++;
    return choice.thread;
  }

  /** Reports the accesses made by the step just taken (by the thread the last {@link choose} returned). */
  observe(thread: string, accesses: readonly Access[]): void {
    const choice = this.#choice;
    if (!this.#running || choice === null) throw new Error("dpor: observe() called without a step to observe");
    if (thread !== choice.thread) throw new Error(`dpor: observe() reports thread ${thread}, but step ${this.#step - 1} chose ${choice.thread}`);
    this.#choice = null;
    const event = [...accesses];
    this.#execution.add(thread, event);
    const node = choice.node;
    let branch = choice.branch;
    if (branch === null) {
      branch = addBranch(node, { thread, accesses: event }, "active");
      branch.node.sleep = sleepAfter(node, branch);
    } else if (branch.status === "pending") {
      branch.status = "active";
      if (!sameAccesses(branch.accesses, accesses)) {
        // Not the event an earlier run saw: its wakeup sequence no longer applies.
        branch.accesses = event;
        branch.node.children = [];
      }
      branch.node.sleep = sleepAfter(node, branch);
    } else if (!sameAccesses(branch.accesses, accesses)) {
      this.#diverged(this.#step - 1, `${thread}'s step made ${accesses.length <= 4 && branch.accesses.length <= 4 ? `${formatAccesses(accesses)}, before ${formatAccesses(branch.accesses)}` : accessDifference(accesses, branch.accesses)}`);
    }
    this.#refreshFrontier(node);
    this.#path.push({ node, branch });
    this.#node = branch.node;
  }

  /**
   * Reports, when no thread can run any more, a thread left waiting and the accesses of the step it
   * waits to take (its `acquire`). Call it for each such thread before {@link endRun}. Without it
   * a thread that never got a lock leaves no trace of wanting it, so the lock orders in which it
   * gets it — and whatever follows, e.g. the orders that avoid a deadlock — are not explored.
   */
  observeBlocked(thread: string, accesses: readonly Access[]): void {
    if (!this.#running || this.#choice !== null) throw new Error("dpor: observeBlocked() is for the end of a run, after the last step was observed");
    this.#execution.add(thread, [...accesses], true);
  }

  /** Inserts the wakeup sequences reversing this run's races, then marks finished subtrees done. */
  endRun(_failed: boolean): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.#choice !== null) throw new Error(`dpor: observe() was not called after step ${this.#step - 1}`);
    const target = this.#target;
    if (target !== null && this.#step <= target.depth) {
      const recorded = this.#replay[this.#step]?.node.parent?.visit?.runnable ?? target.visit?.runnable ?? [];
      this.#diverged(this.#step, `runnable was ${formatThreads(recorded)}, now [] (the run ended)`);
    }
    const replayed = target?.depth ?? 0;
    for (const race of this.#execution.races) {
      if (race.second < replayed) continue; // replayed races were handled by the run that found them
      if (this.#reverse(race) === "forbidden" && this.#bound !== Infinity) {
        // Bounded POR (Coons et al.): where reversing the race right before its first step would
        // preempt too much, try it at the start of that step's context instead.
        const start = this.#execution.contextStart(race.first);
        if (start < race.first && this.#execution.movableBefore(start, race)) this.#reverse({ first: start, second: race.second });
      }
    }
    if (this.#repeats) this.#sleepBlocked++;
    if (finishRun(this.#node)) this.#finished = true;
    releaseDone(this.#root);
    // Only the tree keeps nodes between runs, so that released subtrees can go.
    this.#target = null;
    this.#replay = [];
    this.#path = [];
    this.#node = this.#root;
  }

  /** The races of the most recent run, in the order their second steps ran. */
  lastRaces(): Race[] {
    const execution = this.#execution;
    return execution.races.flatMap(({ first, second }) => {
      if (second >= this.#step) return []; // a blocked thread's step: it did not run
      const a = execution.event(first);
      const b = execution.event(second);
      const pair = conflictingPair(a.accesses, b.accesses);
      if (pair === null) return [];
      return [{ first: { thread: a.thread, step: first, access: pair[0] }, second: { thread: b.thread, step: second, access: pair[1] } }];
    });
  }

  /** Inserts the wakeup sequence reversing `race` before its first step. */
  #reverse(race: RaceIndices): ReturnType<typeof insertWakeup> {
    const at = this.#path[race.first];
    if (at === undefined) return "covered";
    const admits = (node: TreeNode, thread: string): boolean => node.visit?.runnable.includes(thread) !== false && this.#admits(node.visit, thread);
    const result = insertWakeup(at.node, this.#execution.reversal(race), at.node.children.indexOf(at.branch), admits);
    if (typeof result !== "string") this.#refreshFrontier(result);
    return result;
  }

  #pick(decision: Decision): Choice {
    const node = this.#node;
    if (node.visit !== null) {
      if (!sameList(node.visit.runnable, decision.runnable)) {
        this.#diverged(decision.step, `runnable was ${formatThreads(node.visit.runnable)}, now ${formatThreads(decision.runnable)}`);
      }
      const replayed = this.#replay[decision.step];
      if (replayed !== undefined) return { node, thread: replayed.thread, branch: replayed };
    } else {
      const above = node.parent?.visit?.runnable;
      const runnable = above !== undefined && sameList(above, decision.runnable) ? above : [...decision.runnable];
      const visit: Visit = { runnable, previous: decision.previous, preemptions: this.#preemptions };
      node.visit = visit;
      // The wakeup tree, minus the branches the bound forbids and those whose thread cannot run
      // (the program no longer matches the events recorded): so every pending branch of a visited
      // node can start a run.
      node.children = node.children.filter((b) => runnable.includes(b.thread) && this.#admits(visit, b.thread));
    }
    const pending = firstPending(node);
    if (pending !== undefined) return { node, thread: pending.thread, branch: pending };
    if (node.children.length > 0) throw new Error(`dpor: internal error: no pending branch at step ${decision.step}`);
    // A new branch: a thread not asleep, within the bound, preferring the previous thread. Only a
    // bound can leave nothing but sleeping threads: the run then repeats a trace.
    const admitted = decision.runnable.filter((thread) => this.#admits(node.visit, thread));
    const awake = admitted.filter((thread) => !node.sleep.has(thread));
    if (awake.length === 0) this.#repeats = true;
    return { node, thread: preferPrevious(decision, awake.length > 0 ? awake : admitted), branch: null };
  }

  /** Whether running `thread` at a node seen as `visit` keeps the run within the bound. */
  #admits(visit: Visit | null, thread: string): boolean {
    if (visit === null || this.#bound === Infinity) return true;
    const { previous, runnable, preemptions } = visit;
    const preempts = previous !== null && thread !== previous && runnable.includes(previous);
    return preemptions + (preempts ? 1 : 0) <= this.#bound;
  }

  #nextTarget(): TreeNode | null {
    let best: TreeNode | null = null;
    for (const node of this.#frontier) {
      if (best === null || (this.#order === "dfs" ? node.depth > best.depth : node.depth < best.depth)) best = node;
    }
    return best;
  }

  #refreshFrontier(node: TreeNode): void {
    if (node.visit !== null && firstPending(node) !== undefined) this.#frontier.add(node);
    else this.#frontier.delete(node);
  }

  #diverged(step: number, message: string): never {
    this.#running = false;
    this.#finished = true;
    this.#frontier.clear();
    throw new ExplorationDivergedError(`exploration diverged at step ${step}: ${message}`);
  }
}

function preferPrevious(decision: Decision, pool: readonly string[]): string {
  const { previous } = decision;
  return previous !== null && pool.includes(previous) ? previous : (pool[0] as string);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
