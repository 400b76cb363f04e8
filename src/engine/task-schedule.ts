/**
 * The pure decision core of a marker-schedule run over cooperative tasks (no I/O, no clock).
 *
 * The task runtime calls {@link TaskScheduleRun.decide} whenever the isolate is quiet: no task code
 * runs and no task has timers or I/O pending. Each task is then in one of four phases:
 * - `parked`: stopped at a gate (its start, an `await`, or a marker) until released;
 * - `blocked`: suspended on something no timer or I/O will settle (another task's lock, a promise
 *   nobody resolves yet);
 * - `finished`;
 * - `running` never appears at a decision (quiet means nothing runs).
 *
 * Semantics, shared with the worker/process kinds (`schedule-run.ts`):
 * - while steps remain, one task holds the turn and runs (through its awaits) until it parks at a
 *   marker, finishes or blocks;
 * - the next step's task takes the turn: past its marker if it is parked at the step's marker
 *   (consuming the step), or from its start or an await gate otherwise;
 * - if that task is blocked, another task parked at a start or await gate (in declaration order)
 *   runs, since only another task can unblock it;
 * - when the steps run out, every task is set free and runs to completion;
 * - a decision that cannot be made fails the run at once: stall, finished step thread, deadlock.
 */
import { DeadlockError, InterlaceError, ScheduleStallError, StepThreadFinishedError } from "../errors.js";
import type { Schedule } from "./schedule.js";
import type { TraceEntry, Where } from "./schedule-run.js";

/** Where a parked task stopped. */
export interface TaskGate {
  /**
   * `acquire`: about to take a lock (the task `Mutex` of `interlace/sync`), only while exploring;
   * `callback`: a callback the task's traced code scheduled (`setImmediate(cb)`, `p.then(cb)`, an
   * event listener), about to run.
   */
  kind: "start" | "await" | "marker" | "acquire" | "callback";
  /** Kind `callback`: what scheduled it (`setImmediate`, `then`, `listener of "data"`). */
  callback?: string;
  /** Kind `start`: a key shared by the threads that run the same code (else their position says where they are). */
  site?: string;
  /** Marker name (kind `marker`). */
  marker?: string;
  where?: Where;
  /** Kind `acquire`: the lock wanted. */
  lock?: LockGate;
}

/** The lock a task parked at an `acquire` gate wants, as of the quiet point. */
export interface LockGate {
  /** Its location for partial-order reduction, e.g. `lock:Mutex#1`. */
  location: string;
  /** Its name for people, e.g. `Mutex#1` or the name it was given. */
  label: string;
  /** Whether it is free now: a task waiting for a held lock cannot run. */
  available: boolean;
  /** The task holding it, if a task of this run does. */
  holder?: string;
}

/** A task as the runtime sees it at a quiet point. */
export type TaskSnapshot =
  | {
      name: string;
      phase: "parked";
      /** The oldest gate the task is parked at. */
      gate: TaskGate;
      /** Every gate it is parked at, oldest first, when it has several strands (`Promise.all` inside a task). */
      gates?: readonly TaskGate[];
    }
  | {
      name: string;
      phase: "blocked";
      where?: Where;
      /** Set when it waits outside the heap (a database lock): for the deadlock report. */
      waitingFor?: ExternalWait;
    }
  | { name: string; phase: "finished" };

/** What a blocked task waits for outside the heap. */
export interface ExternalWait {
  /** `SQL row account(id=1)`, `a TCP reply`. */
  label: string;
  /** The task holding it, when a task of the run does. */
  holder?: string;
  /** A modelled lock (the wait ends only when the holder releases it), or a stalled reply. */
  modelled: boolean;
}

/** What the runtime must do next. */
export type TaskAction =
  /** Open a gate the task is parked at (its oldest, or `gates[gate]`) and give it the turn. */
  | { kind: "release"; task: string; gate?: number }
  /** The schedule is exhausted: open every gate now and from now on. */
  | { kind: "free" }
  /** This task used up its decisions: open its gates now and from now on. */
  | { kind: "free-task"; task: string }
  /** Every task finished. */
  | { kind: "complete" }
  /**
   * The run cannot continue. With `unlessProgress`, the failure rests on tasks waiting for each
   * other: the runtime may wait a grace period for code outside the tasks (a timer set before the
   * run, an event) to settle something, and decide again; the run is not over yet.
   */
  | { kind: "fail"; error: InterlaceError; unlessProgress?: true };

/** One marker-schedule run over named tasks. */
export class TaskScheduleRun {
  readonly #schedule: Schedule;
  readonly #trace: TraceEntry[] = [];
  #next = 0;
  #free = false;
  #done = false;

  constructor(schedule: Schedule) {
    this.#schedule = schedule;
  }

  /** Steps consumed so far. */
  get trace(): readonly TraceEntry[] {
    return this.#trace;
  }

  /** True once the steps ran out and tasks run freely. */
  get free(): boolean {
    return this.#free;
  }

  /** Whether an `await` gate reached by the task holding the turn lets it through without a decision. */
  passesAwait(): boolean {
    return true;
  }

  /** Decides at a quiet point. `tasks` is in declaration order. */
  decide(tasks: readonly TaskSnapshot[]): TaskAction {
    if (this.#done) throw new Error("decide() after the run ended");
    const live = tasks.filter((t) => t.phase !== "finished");
    if (live.length === 0 && (this.#free || this.#next === this.#schedule.length)) return this.#end({ kind: "complete" });
    if (this.#free || this.#next === this.#schedule.length) return this.#decideFree(tasks);

    const step = this.#schedule.steps[this.#next]!;
    const task = tasks.find((t) => t.name === step.thread);
    if (task === undefined) throw new Error(`unknown task ${step.thread}`);
    switch (task.phase) {
      case "finished":
        return this.#fail(new StepThreadFinishedError(
          `${this.#stepLabel(true)} cannot be taken: task "${task.name}" has already finished` +
            ` without reaching marker "${step.marker}" again.${positions(tasks)}`,
        ));
      case "parked":
        if (task.gate.kind !== "marker") return { kind: "release", task: task.name };
        if (task.gate.marker === step.marker) return this.#consume(task, 0);
        {
          // Another strand of the task may be parked at the step's marker.
          const other = task.gates?.findIndex((g) => g.kind === "marker" && g.marker === step.marker) ?? -1;
          if (other > 0) return this.#consume(task, other);
        }
        return this.#fail(new ScheduleStallError(
          `Schedule stalled at ${this.#stepLabel()}: task "${task.name}" is parked at marker "${task.gate.marker}", ` +
            `which it may pass only as a step of its own, so it can never reach "${step.marker}".${positions(tasks)}`,
        ));
      case "blocked": {
        const helper = tasks.find((t) => t.phase === "parked" && t.gate.kind !== "marker");
        if (helper) return { kind: "release", task: helper.name };
        if (tasks.every((t) => t.phase !== "parked")) return this.#deadlock(tasks);
        return {
          kind: "fail",
          unlessProgress: true,
          error: new ScheduleStallError(
            `Schedule stalled at ${this.#stepLabel()}: task "${task.name}" is waiting for something only another task ` +
              `can do, and every other task is parked at a marker it may pass only as a later step, or finished.` +
              positions(tasks),
          ),
        };
      }
    }
  }

  #decideFree(tasks: readonly TaskSnapshot[]): TaskAction {
    if (!this.#free) {
      this.#free = true;
      return { kind: "free" };
    }
    const parked = tasks.find((t) => t.phase === "parked");
    if (parked) return { kind: "release", task: parked.name };
    return this.#deadlock(tasks);
  }

  #consume(task: TaskSnapshot & { phase: "parked" }, gate: number): TaskAction {
    const where = gate === 0 ? task.gate.where : task.gates?.[gate]?.where;
    this.#trace.push({ index: this.#next, step: this.#schedule.steps[this.#next]!, where });
    this.#next += 1;
    return gate === 0 ? { kind: "release", task: task.name } : { kind: "release", task: task.name, gate };
  }

  #deadlock(tasks: readonly TaskSnapshot[]): TaskAction {
    const waiting = tasks.filter((t) => t.phase === "blocked").map((t) => ({ thread: t.name, at: whereText(t.where) }));
    const lines = waiting.map((w) => `  ${w.thread}: waiting at ${w.at}`);
    const context = this.#free || this.#next === this.#schedule.length ? "" : ` (before ${this.#stepLabel()})`;
    return {
      kind: "fail",
      unlessProgress: true,
      error: new DeadlockError(
        `Deadlock${context}: every live task is waiting for something only another task could do ` +
          `(a lock held by a waiting task, a promise nobody will settle):\n${lines.join("\n")}${positions(tasks, "blocked")}`,
        waiting,
      ),
    };
  }

  #fail(error: InterlaceError): TaskAction {
    return this.#end({ kind: "fail", error });
  }

  #end(action: TaskAction): TaskAction {
    this.#done = true;
    return action;
  }

  #stepLabel(capital = false): string {
    const step = this.#schedule.steps[this.#next]!;
    return `${capital ? "Step" : "step"} ${this.#next + 1} of ${this.#schedule.length} (${step})`;
  }
}

function whereText(where: Where | undefined): string {
  if (!where) return "an unknown position";
  return `${where.file}:${where.line}:${where.column + 1}${where.text ? `  ${where.text}` : ""}`;
}

/** Lists every task's phase (except those of `skip` phase) for error messages. */
function positions(tasks: readonly TaskSnapshot[], skip?: TaskSnapshot["phase"]): string {
  const shown = tasks.filter((t) => t.phase !== skip);
  if (shown.length === 0) return "";
  return `\nTasks:\n${shown.map((t) => `  ${t.name}: ${describeTask(t)}`).join("\n")}`;
}

function describeTask(t: TaskSnapshot): string {
  switch (t.phase) {
    case "finished":
      return "finished";
    case "blocked":
      return `waiting at ${whereText(t.where)}`;
    case "parked": {
      const at = t.gate.where ? ` (${t.gate.where.file}:${t.gate.where.line})` : "";
      if (t.gate.kind === "marker") return `parked at marker "${t.gate.marker}"${at}`;
      if (t.gate.kind === "acquire") return `about to take ${t.gate.lock?.label ?? "a lock"}${at}`;
      if (t.gate.kind === "callback") return `with a ${t.gate.callback ?? "callback"} callback about to run${at}`;
      return t.gate.kind === "start" ? "not started yet" : `parked after an await${at}`;
    }
  }
}
