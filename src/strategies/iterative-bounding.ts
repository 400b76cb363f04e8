/**
 * Exhaustive search by iterative context bounding (M. Musuvathi and S. Qadeer, "Iterative Context
 * Bounding for Systematic Testing of Multithreaded Programs", PLDI 2007): every run with 0
 * preemptions, then every run with exactly 1, then 2, … until no run could preempt more — then
 * every decision sequence has been run, each exactly once.
 *
 * What the `exhaustive` strategy is without an explicit `preemptionBound`. Plain depth-first order
 * backtracks the last decisions first, which at statement granularity means hundreds of runs that
 * differ only near their ends; most bugs need one or two preemptions, so bounding finds them in a
 * few runs.
 *
 * As in CHESS, runs are not re-run per bound: a run replays a recorded prefix (whose last decision
 * is its newest preemption or branch), then continues without preempting. At each later decision
 * the choices it does not take are queued: the preempting ones for the next bound, and — where the
 * previous thread cannot continue, so no choice preempts — the others for the current bound. Every
 * decision sequence thus has exactly one parent prefix and is run once.
 */
import { checkDecision, formatThreads, type Decision, type Strategy } from "./strategy.js";
import { ExplorationDivergedError } from "../errors.js";

/** A run to do: replay `prefix`, then continue without preempting. */
interface WorkItem {
  readonly prefix: readonly string[];
  /** The runnable threads at each decision of the prefix, to detect a program that changed. */
  readonly runnable: ReadonlyArray<readonly string[]>;
}

export class IterativeBounding implements Strategy {
  readonly name = "exhaustive";
  #bound = 0;
  /** Runs of the current bound still to do (depth-first: last in, first out). */
  #current: WorkItem[] = [{ prefix: [], runnable: [] }];
  /** Runs with one more preemption, for the next bound. */
  #next: WorkItem[] = [];
  #item: WorkItem | null = null;
  /** Decisions and runnable sets of the run in progress. */
  #decisions: string[] = [];
  #runnable: (readonly string[])[] = [];

  /** The number of preemptions of the runs being done now. */
  get bound(): number {
    return this.#bound;
  }

  beginRun(_run: number): boolean {
    if (this.#item) this.endRun(false);
    while (this.#current.length === 0) {
      if (this.#next.length === 0) return false;
      this.#current = this.#next.reverse();
      this.#next = [];
      this.#bound += 1;
    }
    this.#item = this.#current.pop()!;
    this.#decisions = [];
    this.#runnable = [];
    return true;
  }

  choose(decision: Decision): string {
    checkDecision(decision);
    const item = this.#item;
    if (!item) throw new Error("exhaustive: choose() called outside a run; call beginRun() first");
    const step = this.#decisions.length;
    if (decision.step !== step) throw new Error(`exhaustive: decision step ${decision.step} out of order; expected step ${step}`);
    let chosen: string;
    if (step < item.prefix.length) {
      chosen = item.prefix[step]!;
      const recorded = item.runnable[step];
      if (recorded && !sameList(recorded, decision.runnable)) {
        this.#diverged(`exploration diverged at step ${step}: runnable was ${formatThreads(recorded)}, now ${formatThreads(decision.runnable)}`);
      }
    } else {
      const { previous, runnable } = decision;
      const continues = previous !== null && runnable.includes(previous);
      chosen = continues ? previous : runnable[0]!;
      const prefix = [...this.#decisions];
      const runnables = [...this.#runnable, [...runnable]];
      // The other choices: preemptions when the previous thread could go on, else same-bound branches.
      const queue = continues ? this.#next : this.#current;
      for (const other of [...runnable].reverse()) {
        if (other !== chosen) queue.push({ prefix: [...prefix, other], runnable: runnables });
      }
    }
    this.#decisions.push(chosen);
    this.#runnable.push([...decision.runnable]);
    return chosen;
  }

  endRun(_failed: boolean): void {
    const item = this.#item;
    if (!item) return;
    this.#item = null;
    if (this.#decisions.length < item.prefix.length) {
      this.#diverged(`exploration diverged at step ${this.#decisions.length}: the run ended before its recorded decisions`);
    }
  }

  #diverged(message: string): never {
    this.#item = null;
    this.#current = [];
    this.#next = [];
    throw new ExplorationDivergedError(message);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
