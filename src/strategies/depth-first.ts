/**
 * The depth-first search core shared by {@link Exhaustive} and {@link MarkersExhaustive}: it
 * enumerates every decision sequence allowed by a subclass's `choices` rule, each exactly once —
 * stateless model checking in the style of VeriSoft (P. Godefroid, "Model Checking for Programming
 * Languages using VeriSoft", POPL 1997): the program is re-run from the start for every path, and
 * the search tree is kept as the stack of decisions of the current path.
 *
 * Run after run: replay the stack's prefix, then take the first allowed choice at each new
 * decision; at the end of the run, backtrack to the deepest decision with an untried choice.
 */
import { checkDecision, formatThreads, isPreemption, type Decision, type Strategy } from "./strategy.js";
import { ExplorationDivergedError } from "../errors.js";

/** One decision on the current path of the search tree. */
interface Node {
  readonly runnable: readonly string[];
  readonly atMarker: readonly boolean[];
  /** Allowed choices, in the order they are tried. */
  readonly choices: readonly string[];
  /** Index in `choices` of the one taken on the current path. */
  taken: number;
}

/** Depth-first enumeration of decision sequences; subclasses say which choices each decision allows. */
export abstract class DepthFirstSearch implements Strategy {
  abstract readonly name: string;
  #stack: Node[] = [];
  /** Index of the next decision in the current run. */
  #position = 0;
  #preemptions = 0;
  #running = false;
  #exhausted = false;

  /**
   * Choices allowed at a decision met for the first time, in the order to try them (non-empty).
   * @param preemptions - preemptions made so far in this run, before this decision.
   */
  protected abstract choices(decision: Decision, preemptions: number): readonly string[];

  /** Returns false once every allowed decision sequence has been run. A run left without {@link endRun} is ended first. */
  beginRun(_run: number): boolean {
    if (this.#running) this.endRun(false);
    if (this.#exhausted) return false;
    this.#running = true;
    this.#position = 0;
    this.#preemptions = 0;
    return true;
  }

  /** Replays the recorded path, then takes the first allowed choice; throws if the program diverges from the recorded path. */
  choose(decision: Decision): string {
    checkDecision(decision);
    if (!this.#running) throw new Error(`${this.name}: choose() called outside a run; call beginRun() first`);
    if (decision.step !== this.#position) {
      throw new Error(`${this.name}: decision step ${decision.step} out of order; expected step ${this.#position}`);
    }
    let node = this.#stack[this.#position];
    if (node === undefined) {
      const choices = this.choices(decision, this.#preemptions);
      if (choices.length === 0) throw new Error(`${this.name}: no allowed choice at step ${decision.step}`);
      node = { runnable: [...decision.runnable], atMarker: [...decision.atMarker], choices, taken: 0 };
      this.#stack.push(node);
    } else {
      const divergence = difference(node, decision);
      if (divergence !== null) {
        // The recorded tree no longer describes the program: stop the search (endRun becomes a no-op).
        this.#running = false;
        this.#exhausted = true;
        throw new ExplorationDivergedError(`exploration diverged at step ${decision.step}: ${divergence}`);
      }
    }
    const thread = node.choices[node.taken] as string;
    if (isPreemption(decision, thread)) this.#preemptions++;
    this.#position++;
    return thread;
  }

  /**
   * Backtracks to the deepest decision with an untried choice. `failed` does not change the search.
   * Throws if the run ended before reaching the recorded decisions (the program diverged).
   */
  endRun(_failed: boolean): void {
    if (!this.#running) return;
    this.#running = false;
    const recorded = this.#stack[this.#position];
    if (recorded !== undefined) {
      this.#exhausted = true;
      throw new ExplorationDivergedError(`exploration diverged at step ${this.#position}: runnable was ${formatThreads(recorded.runnable)}, now [] (the run ended)`);
    }
    for (;;) {
      const last = this.#stack.at(-1);
      if (last === undefined) {
        this.#exhausted = true;
        return;
      }
      if (last.taken + 1 < last.choices.length) {
        last.taken++;
        return;
      }
      this.#stack.pop();
    }
  }
}

/** Runnable threads with `previous` first (when runnable), then the others in declaration order: fewer preemptions first. */
export function previousFirst(decision: Decision): string[] {
  const { previous, runnable } = decision;
  if (previous === null || !runnable.includes(previous)) return [...runnable];
  return [previous, ...runnable.filter((thread) => thread !== previous)];
}

/** How `decision` differs from the recorded `node`, or null if it does not. */
function difference(node: Node, decision: Decision): string | null {
  if (!sameList(node.runnable, decision.runnable)) {
    return `runnable was ${formatThreads(node.runnable)}, now ${formatThreads(decision.runnable)}`;
  }
  if (!sameList(node.atMarker, decision.atMarker)) {
    const where = (flags: readonly boolean[]): string =>
      formatThreads(node.runnable.map((thread, i) => `${thread}@${flags[i] === true ? "marker" : "gate"}`));
    return `threads were parked at ${where(node.atMarker)}, now at ${where(decision.atMarker)}`;
  }
  return null;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
