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
import { pastMaxSteps } from "../strategies/access.js";
import type { Where } from "./schedule-run.js";
import { StepAccounting, type AccessSource, type StepObserver, type ThreadAccess } from "./step-accesses.js";
import type { LockGate, TaskAction, TaskGate, TaskSnapshot } from "./task-schedule.js";
import { describeLockWaits, type LockWait } from "./wait-for.js";

/**
 * The strategy as the engine needs it (see `strategies/strategy.ts`), and what it may be told of each
 * step. Strategies answer at once; an interactive chooser (`interlace debug`) may answer with a
 * promise, and every thread stays stopped until it settles.
 */
export interface Chooser extends StepObserver {
  choose(decision: { step: number; runnable: readonly string[]; atMarker: readonly boolean[]; previous: string | null; sites?: readonly string[] }): string | Promise<string>;
}

/** One decision taken: the task released and where it was parked. */
export interface ExploreStep {
  task: string;
  /** What the thread was stopped at: its start, an await, a marker, a lock it takes, or (isolates) a statement. */
  gate: "start" | "await" | "marker" | "acquire" | "callback" | "statement";
  /** Kind `callback`: what scheduled the callback (`setImmediate`, `then`, …). */
  callback?: string;
  marker?: string;
  where?: Where;
  /** Kind `acquire`: the lock's name. */
  lock?: string;
  /** Whether choosing it switched away from a task that could have continued. */
  preemption: boolean;
  /** The shared accesses the step made, when they were recorded (DPOR, explanations). */
  accesses?: ThreadAccess[];
}

type Parked = TaskSnapshot & { phase: "parked" };

/** One exploration run over named tasks. */
export class TaskExploreRun {
  readonly #chooser: Chooser;
  readonly #maxSteps: number;
  readonly #steps: ExploreStep[] = [];
  readonly #chosen = new Map<string, number>();
  readonly #accounting: StepAccounting;
  #previous: string | null = null;
  #done = false;
  /** Tasks waiting for a held lock at the last decision. */
  #lockWaits: Array<{ thread: string; lock: LockGate }> = [];

  /**
   * @param chooser - Picks the next task at each decision.
   * @param maxSteps - Decisions per task; a task chosen that often runs freely from then on.
   * @param accesses - Where the run's shared accesses are collected, when they are recorded.
   */
  constructor(chooser: Chooser, maxSteps: number, accesses: AccessSource | null = null) {
    this.#chooser = chooser;
    this.#maxSteps = maxSteps;
    this.#accounting = new StepAccounting(accesses, chooser);
  }

  /**
   * Call once the run is over, however it ended: the last step's accesses, and the tasks left
   * waiting for a lock, reach the strategy.
   */
  finish(): void {
    this.#accounting.finish(this.#lockWaits.map(({ thread, lock }) => ({ thread, lock: { op: "acquire", location: lock.location, label: lock.label } })));
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

  /** Decides at a quiet point. `tasks` is in declaration order. The chooser must answer at once (strategies do). */
  decide(tasks: readonly TaskSnapshot[]): TaskAction {
    const action = this.decideLater(tasks);
    if ("then" in action) throw new Error("the chooser answered with a promise: call decideLater()");
    return action;
  }

  /** {@link decide} for a chooser that may answer later (`interlace debug`): a promise only then. */
  decideLater(tasks: readonly TaskSnapshot[]): TaskAction | Promise<TaskAction> {
    if (this.#done) throw new Error("decide() after the run ended");
    this.#accounting.settle();
    const parked = tasks.filter((t): t is Parked => t.phase === "parked");
    const live = tasks.filter((t) => t.phase !== "finished");
    this.#lockWaits = [];
    if (live.length === 0) return this.#end({ kind: "complete" });
    // A task about to take a held lock cannot run (its other strands, if any, still can).
    const ready = parked.flatMap((t) => {
      const gate = openGate(t);
      return gate === null ? [] : [{ task: t, ...gate }];
    });
    this.#lockWaits = parked.flatMap((t) => (openGate(t) === null && t.gate.lock ? [{ thread: t.name, lock: t.gate.lock }] : []));
    if (ready.length === 0) return this.#deadlock(tasks);
    const spent = ready.find(({ task }) => (this.#chosen.get(task.name) ?? 0) >= this.#maxSteps);
    if (spent) {
      // What it does from here is neither scheduled nor fully watched.
      this.#accounting.unobserved(pastMaxSteps(spent.task.name, this.#maxSteps));
      return { kind: "free-task", task: spent.task.name };
    }
    const runnable = ready.map(({ task }) => task.name);
    const chosen = this.#chooser.choose({
      step: this.#steps.length,
      runnable,
      atMarker: ready.map(({ gate }) => gate.kind === "marker"),
      previous: this.#previous,
      sites: ready.map(({ gate }) => siteOf(gate)),
    });
    return typeof chosen === "string" ? this.#take(chosen, ready, runnable) : chosen.then((name) => this.#take(name, ready, runnable));
  }

  #take(chosen: string, ready: ReadonlyArray<{ task: Parked; gate: TaskGate; index: number }>, runnable: readonly string[]): TaskAction {
    const picked = ready.find(({ task }) => task.name === chosen);
    if (picked === undefined) throw new Error(`the strategy chose "${chosen}", which is not runnable (${runnable.join(", ")})`);
    const { gate, index } = picked;
    const step: ExploreStep = {
      task: chosen,
      gate: gate.kind,
      preemption: this.#previous !== null && this.#previous !== chosen && runnable.includes(this.#previous),
    };
    if (gate.marker !== undefined) step.marker = gate.marker;
    if (gate.where !== undefined) step.where = gate.where;
    if (gate.lock !== undefined) step.lock = gate.lock.label;
    if (gate.callback !== undefined) step.callback = gate.callback;
    this.#steps.push(step);
    this.#accounting.taken(step);
    this.#chosen.set(chosen, (this.#chosen.get(chosen) ?? 0) + 1);
    this.#previous = chosen;
    return index === 0 ? { kind: "release", task: chosen } : { kind: "release", task: chosen, gate: index };
  }

  #deadlock(tasks: readonly TaskSnapshot[]): TaskAction {
    const at = (where: Where | undefined): string =>
      where ? `${where.file}:${where.line}:${where.column + 1}${where.text ? `  ${where.text}` : ""}` : "an unknown position";
    const stuck = tasks.filter((t): t is TaskSnapshot & { phase: "blocked" } => t.phase === "blocked");
    // A task waiting for a database lock another task holds (modelled) waits like one at a lock gate.
    const blocked = stuck.filter((t) => t.waitingFor?.modelled !== true).map((t) => ({ thread: t.name, at: at(t.where) }));
    const locks: LockWait[] = tasks.flatMap((t): LockWait[] => {
      if (t.phase === "blocked" && t.waitingFor?.modelled === true) {
        const w = t.waitingFor;
        return [{ thread: t.name, lock: w.label, at: at(t.where), ...(w.holder === undefined ? {} : { holder: w.holder }) }];
      }
      const lock = t.phase === "parked" ? t.gate.lock : undefined;
      if (t.phase !== "parked" || lock === undefined) return [];
      return [{ thread: t.name, lock: lock.label, at: at(t.gate.where), ...(lock.holder === undefined ? {} : { holder: lock.holder }) }];
    });
    const lines = [...describeLockWaits(locks), ...blocked.map((w) => `  ${w.thread}: waiting at ${w.at}`)];
    const waiting = [...locks.map((w) => ({ thread: w.thread, at: w.at })), ...blocked];
    const error = new DeadlockError(`Deadlock: every live task is waiting for something only another task could do:\n${lines.join("\n")}`, waiting);
    // Lock waits only end when a task of the run releases the lock: no grace period for them.
    return blocked.length === 0 ? this.#end({ kind: "fail", error }) : { kind: "fail", unlessProgress: true, error };
  }

  #end(action: TaskAction): TaskAction {
    this.#done = true;
    return action;
  }
}

/** The first gate of a parked task that may be opened now (not waiting for a held lock), or null. */
function openGate(task: Parked): { gate: TaskGate; index: number } | null {
  const gates = task.gates ?? [task.gate];
  const index = gates.findIndex((g) => g.kind !== "acquire" || g.lock?.available !== false);
  return index < 0 ? null : { gate: gates[index]!, index };
}

/** Where a parked gate is, as a key shared by the tasks parked at the same point. */
function siteOf(gate: TaskGate): string {
  if (gate.site !== undefined) return gate.site;
  const at = gate.where === undefined ? "" : `${gate.where.file}:${gate.where.line}:${gate.where.column}`;
  return `${gate.kind}${gate.lock === undefined ? "" : ` ${gate.lock.location}`} ${at}`;
}
