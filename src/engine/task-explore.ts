/**
 * The pure decision core of one exploration run over cooperative tasks: at every quiet point the
 * strategy picks which parked task runs next (every await is a scheduling point), and the run
 * records each choice with where the chosen task was parked.
 *
 * Differences with a marker schedule (`task-schedule.ts`): every gate is a decision, including the
 * awaits of the task that ran last; a run with no parked task left but live tasks waiting is a
 * deadlock (reported as a failure of the run, for the explorer to turn into a counterexample);
 * a task chosen `maxSteps` times runs freely from then on (it is no longer a choice).
 */
import { DeadlockError } from "../errors.js";
import type { Where } from "./schedule-run.js";
import type { TaskAction, TaskSnapshot } from "./task-schedule.js";

/** The strategy as the engine needs it (see `strategies/strategy.ts`). */
export interface Chooser {
  choose(decision: { step: number; runnable: readonly string[]; atMarker: readonly boolean[]; previous: string | null }): string;
}

/** One decision taken: the task released and where it was parked. */
export interface ExploreStep {
  task: string;
  /** What the thread was stopped at: its start, an await, a marker, or (isolates) a statement. */
  gate: "start" | "await" | "marker" | "statement";
  marker?: string;
  where?: Where;
  /** Whether choosing it switched away from a task that could have continued. */
  preemption: boolean;
}

/** One exploration run over named tasks. */
export class TaskExploreRun {
  readonly #chooser: Chooser;
  readonly #maxSteps: number;
  readonly #steps: ExploreStep[] = [];
  readonly #chosen = new Map<string, number>();
  #previous: string | null = null;
  #done = false;

  /**
   * @param chooser - Picks the next task at each decision.
   * @param maxSteps - Decisions per task; a task chosen that often runs freely from then on.
   */
  constructor(chooser: Chooser, maxSteps: number) {
    this.#chooser = chooser;
    this.#maxSteps = maxSteps;
  }

  /** The decisions taken so far, in order. */
  get steps(): readonly ExploreStep[] {
    return this.#steps;
  }

  /** The chosen task names, in order (what a counterexample records). */
  get decisions(): string[] {
    return this.#steps.map((s) => s.task);
  }

  /** Every gate is a decision while exploring. */
  passesAwait(): boolean {
    return false;
  }

  /** Decides at a quiet point. `tasks` is in declaration order. */
  decide(tasks: readonly TaskSnapshot[]): TaskAction {
    if (this.#done) throw new Error("decide() after the run ended");
    const parked = tasks.filter((t): t is TaskSnapshot & { phase: "parked" } => t.phase === "parked");
    const live = tasks.filter((t) => t.phase !== "finished");
    if (live.length === 0) return this.#end({ kind: "complete" });
    if (parked.length === 0) return this.#deadlock(tasks);
    const spent = parked.find((t) => (this.#chosen.get(t.name) ?? 0) >= this.#maxSteps);
    if (spent) return { kind: "free-task", task: spent.name };
    const runnable = parked.map((t) => t.name);
    const chosen = this.#chooser.choose({
      step: this.#steps.length,
      runnable,
      atMarker: parked.map((t) => t.gate.kind === "marker"),
      previous: this.#previous,
    });
    const task = parked.find((t) => t.name === chosen);
    if (task === undefined) throw new Error(`the strategy chose "${chosen}", which is not runnable (${runnable.join(", ")})`);
    const step: ExploreStep = {
      task: chosen,
      gate: task.gate.kind,
      preemption: this.#previous !== null && this.#previous !== chosen && runnable.includes(this.#previous),
    };
    if (task.gate.marker !== undefined) step.marker = task.gate.marker;
    if (task.gate.where !== undefined) step.where = task.gate.where;
    this.#steps.push(step);
    this.#chosen.set(chosen, (this.#chosen.get(chosen) ?? 0) + 1);
    this.#previous = chosen;
    return { kind: "release", task: chosen };
  }

  #deadlock(tasks: readonly TaskSnapshot[]): TaskAction {
    const waiting = tasks
      .filter((t): t is TaskSnapshot & { phase: "blocked" } => t.phase === "blocked")
      .map((t) => ({ thread: t.name, at: t.where ? `${t.where.file}:${t.where.line}:${t.where.column + 1}${t.where.text ? `  ${t.where.text}` : ""}` : "an unknown position" }));
    return {
      kind: "fail",
      unlessProgress: true,
      error: new DeadlockError(
        `Deadlock: every live task is waiting for something only another task could do:\n${waiting.map((w) => `  ${w.thread}: waiting at ${w.at}`).join("\n")}`,
        waiting,
      ),
    };
  }

  #end(action: TaskAction): TaskAction {
    this.#done = true;
    return action;
  }
}

