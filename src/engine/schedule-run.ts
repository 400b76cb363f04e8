/**
 * The pure state machine of one schedule-driven run (no I/O, no clock, no CDP).
 *
 * The controller reports what threads do (`ready`, `paused`, `finished`); the run answers with the
 * actions to take. Semantics (the Python original's, made stricter):
 * - while steps remain, at most one thread runs; every other live thread is paused;
 * - a thread paused at a marker passes it only when `(thread, marker)` is the next step, and each
 *   pass consumes that step;
 * - when no thread runs, the next step's thread runs: resumed past its marker if it is paused at the
 *   step's marker, or started if it has not reached any marker yet;
 * - when the steps run out, every thread is released and runs freely to completion;
 * - when no thread can take the next step, the run fails at once (no timeout needed).
 */
import { DeterminismLostError, InterlaceError, ScheduleStallError, StepThreadFinishedError } from "../errors.js";
import type { Schedule, Step } from "./schedule.js";

/** A position in original source, as the controller wants it shown. */
export interface Where {
  /** File path as displayed (relative to the working directory where possible). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 0-based column. */
  column: number;
  /** Trimmed source text of the line, when known. */
  text?: string;
}

/** Lifecycle of a thread within a run. */
export type ThreadPhase = "starting" | "at-start" | "running" | "at-marker" | "blocked" | "free" | "finished";

/** A read-only view of one thread. */
export interface ThreadView {
  readonly name: string;
  readonly phase: ThreadPhase;
  /** The marker the thread is paused at (phase `at-marker`). */
  readonly marker: string | undefined;
  readonly where: Where | undefined;
}

/** What the controller must do next. */
export type Action =
  /** Resume this paused thread. */
  | { kind: "resume"; thread: string }
  /** The thread used up its steps: disarm its breakpoints and resume it; it runs freely to its end. */
  | { kind: "free"; thread: string }
  /** The schedule is exhausted: disarm markers in every live thread and resume the listed paused ones. */
  | { kind: "release"; threads: string[] }
  /** Every thread finished. */
  | { kind: "complete" }
  /** The run cannot continue. */
  | { kind: "fail"; error: InterlaceError }
  /** Nothing runs until `actions` settles; then do them (an interactive chooser answers later: `interlace debug`). */
  | { kind: "defer"; actions: Promise<Action[]> };

/** One consumed step, with where the thread was when it passed the marker. */
export interface TraceEntry {
  /** 0-based index of the step in the schedule. */
  index: number;
  step: Step;
  where: Where | undefined;
}

interface ThreadState {
  name: string;
  phase: ThreadPhase;
  marker: string | undefined;
  where: Where | undefined;
}

/** One run of a schedule over a fixed set of threads. */
export class ScheduleRun {
  readonly #schedule: Schedule;
  readonly #threads = new Map<string, ThreadState>();
  readonly #trace: TraceEntry[] = [];
  #next = 0;
  #running: string | null = null;
  #released = false;
  #started = false;
  #done = false;

  constructor(schedule: Schedule, threads: readonly string[]) {
    this.#schedule = schedule;
    for (const name of threads) this.#threads.set(name, { name, phase: "starting", marker: undefined, where: undefined });
  }

  /** Steps consumed so far, in order. */
  get trace(): readonly TraceEntry[] {
    return this.#trace;
  }

  /** Index of the next step to consume (equals the schedule length once exhausted). */
  get nextStepIndex(): number {
    return this.#next;
  }

  /** The thread allowed to run while steps remain, if any. */
  get runningThread(): string | null {
    return this.#running;
  }

  /** True once every step was consumed and threads were released. */
  get released(): boolean {
    return this.#released;
  }

  threads(): ThreadView[] {
    return [...this.#threads.values()].map((t) => ({ ...t }));
  }

  thread(name: string): ThreadView {
    return { ...this.#get(name) };
  }

  /** A thread has loaded and is paused before calling its function. */
  ready(thread: string, where?: Where): Action[] {
    const t = this.#get(thread);
    if (t.phase !== "starting") return [this.#lost(thread, `reported ready while ${t.phase}`)];
    t.phase = "at-start";
    t.where = where;
    return this.#started ? this.#decide() : [];
  }

  /** Begins scheduling; call once every thread is ready. */
  start(): Action[] {
    const waiting = [...this.#threads.values()].filter((t) => t.phase === "starting");
    if (waiting.length) throw new Error(`start() before ${waiting.map((t) => t.name).join(", ")} were ready`);
    this.#started = true;
    if (this.#schedule.length === 0) return this.#release();
    return this.#decide();
  }

  /** A running thread paused at a marker. */
  paused(thread: string, marker: string, where?: Where): Action[] {
    const t = this.#get(thread);
    if (this.#released) return [{ kind: "resume", thread }];
    if (t.phase !== "running") return [this.#lost(thread, `paused at "${marker}" while it should have been ${t.phase}`)];
    t.phase = "at-marker";
    t.marker = marker;
    t.where = where;
    this.#running = null;
    return this.#decide();
  }

  /** A thread's function returned. */
  finished(thread: string): Action[] {
    const t = this.#get(thread);
    t.phase = "finished";
    t.marker = undefined;
    if (this.#running === thread) this.#running = null;
    if (!this.#started) return [];
    return this.#decide();
  }

  #decide(): Action[] {
    if (this.#done) return [];
    if (this.#released) {
      if ([...this.#threads.values()].some((t) => t.phase !== "finished")) return [];
      this.#done = true;
      return [{ kind: "complete" }];
    }
    if (this.#running !== null) return [];
    // Steps remain (otherwise the run would be released): the next one decides, even when every
    // thread has finished.

    const step = this.#schedule.steps[this.#next]!;
    const t = this.#get(step.thread);
    switch (t.phase) {
      case "finished":
        return [this.#fail(new StepThreadFinishedError(
          `${capitalize(this.#stepLabel())} cannot be taken: thread "${t.name}" has already finished` +
            ` without reaching marker "${step.marker}" again.${this.#positions()}`,
        ))];
      case "at-start":
        return this.#run(t);
      case "at-marker":
        if (t.marker === step.marker) return this.#consume(t, step);
        return [this.#fail(new ScheduleStallError(
          `Schedule stalled at ${this.#stepLabel()}: thread "${t.name}" is paused at marker "${t.marker}", ` +
            `which it may pass only as a step of its own, so it can never reach "${step.marker}".${this.#positions()}`,
        ))];
      default:
        throw new Error(`thread ${t.name} is ${t.phase} while no thread runs`);
    }
  }

  #consume(t: ThreadState, step: Step): Action[] {
    this.#trace.push({ index: this.#next, step, where: t.where });
    this.#next += 1;
    t.marker = undefined;
    if (this.#next === this.#schedule.length) return this.#release();
    return this.#run(t);
  }

  #run(t: ThreadState): Action[] {
    t.phase = "running";
    this.#running = t.name;
    return [{ kind: "resume", thread: t.name }];
  }

  #release(): Action[] {
    this.#released = true;
    const resumed: string[] = [];
    for (const t of this.#threads.values()) {
      if (t.phase === "at-start" || t.phase === "at-marker") {
        t.phase = "running";
        t.marker = undefined;
        resumed.push(t.name);
      }
    }
    this.#running = null;
    const actions: Action[] = [{ kind: "release", threads: resumed }];
    return actions.concat(this.#decide());
  }

  #fail(error: InterlaceError): Action {
    this.#done = true;
    return { kind: "fail", error };
  }

  #lost(thread: string, what: string): Action {
    return this.#fail(new DeterminismLostError(
      `Thread "${thread}" ${what}. Something other than interlace resumed or paused it (a second debugger attached?), ` +
        "so this run no longer follows the schedule. Detach other debuggers and run again.",
    ));
  }

  #stepLabel(): string {
    const step = this.#schedule.steps[this.#next]!;
    return `step ${this.#next + 1} of ${this.#schedule.length} (${step})`;
  }

  #positions(): string {
    const lines = [...this.#threads.values()].map((t) => `  ${t.name}: ${describePhase(t)}`);
    return `\nThreads:\n${lines.join("\n")}`;
  }

  #get(name: string): ThreadState {
    const t = this.#threads.get(name);
    if (!t) throw new Error(`unknown thread ${name}`);
    return t;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One line describing where a thread is, for error messages. */
export function describePhase(t: ThreadView): string {
  const at = t.where ? ` (${t.where.file}:${t.where.line})` : "";
  switch (t.phase) {
    case "starting":
      return "loading";
    case "at-start":
      return `not started yet${at}`;
    case "running":
      return "running";
    case "at-marker":
      return `paused at marker "${t.marker}"${at}`;
    case "blocked":
      return `blocked in Atomics.wait${at}`;
    case "free":
      return "running freely";
    case "finished":
      return "finished";
  }
}
