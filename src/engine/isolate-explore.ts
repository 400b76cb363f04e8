/**
 * The pure decision core of one exploration run over worker or process threads. Whenever no
 * thread runs (each live one is paused at its start, a marker or — at statement granularity — a
 * statement), the strategy picks which one resumes; it runs until its next stop, its end, or an
 * untimed `Atomics.wait` that blocks it.
 *
 * Blocked threads are tracked without timing anything: the controller tells how many waiters
 * `Atomics.notify` has woken so far; that many blocked threads must report back (paused, blocked
 * again, or finished) before the next decision, so the set of threads to choose from is the same
 * on every replay. When no thread can run and some are blocked, the run is a deadlock.
 *
 * Same controller interface as `ScheduleRun` (ready / start / paused / finished → actions).
 */
import { DeadlockError, DeterminismLostError, type InterlaceError } from "../errors.js";
import type { Action, ThreadPhase, ThreadView, TraceEntry, Where } from "./schedule-run.js";
import type { Chooser, ExploreStep } from "./task-explore.js";

interface ThreadState {
  name: string;
  phase: ThreadPhase;
  marker: string | undefined;
  where: Where | undefined;
  /** Decisions that resumed this thread. */
  chosen: number;
  /** What it waits on while blocked, e.g. `Int32Array(8)[1]`. */
  on: string;
}

/** One exploration run over isolate threads. */
export class IsolateExploreRun {
  readonly #chooser: Chooser;
  readonly #maxSteps: number;
  readonly #threads = new Map<string, ThreadState>();
  readonly #steps: ExploreStep[] = [];
  #previous: string | null = null;
  #running: string | null = null;
  #started = false;
  #done = false;
  /** Waiters woken by notify so far, and how many of them have reported back. */
  #woken = 0;
  #reported = 0;

  /**
   * @param chooser - Picks the next thread at each decision.
   * @param threads - Thread names.
   * @param maxSteps - Decisions per thread; a thread chosen that often runs freely from then on.
   */
  constructor(chooser: Chooser, threads: readonly string[], maxSteps = Number.POSITIVE_INFINITY) {
    this.#chooser = chooser;
    this.#maxSteps = maxSteps;
    for (const name of threads) this.#threads.set(name, { name, phase: "starting", marker: undefined, where: undefined, chosen: 0, on: "" });
  }

  /** The decisions taken, in order. */
  get steps(): readonly ExploreStep[] {
    return this.#steps;
  }

  /** Exploration has no schedule steps to trace. */
  get trace(): readonly TraceEntry[] {
    return [];
  }

  /** Threads are never released wholesale: every stop stays a decision. */
  get released(): boolean {
    return false;
  }

  get runningThread(): string | null {
    return this.#running;
  }

  /** The running thread; else woken threads not yet back; else threads running freely. */
  awaited(): string[] {
    if (this.#running !== null) return [this.#running];
    const all = [...this.#threads.values()];
    if (this.#woken > this.#reported) return all.filter((t) => t.phase === "blocked").map((t) => t.name);
    return all.filter((t) => t.phase === "free").map((t) => t.name);
  }

  threads(): ThreadView[] {
    return [...this.#threads.values()].map(({ name, phase, marker, where }) => ({ name, phase, marker, where }));
  }

  wakes(total: number): void {
    this.#woken = total;
  }

  ready(thread: string, where?: Where): Action[] {
    const t = this.#get(thread);
    t.phase = "at-start";
    t.where = where;
    return this.#started ? this.#decide() : [];
  }

  start(): Action[] {
    this.#started = true;
    return this.#decide();
  }

  paused(thread: string, marker: string, where?: Where): Action[] {
    const t = this.#get(thread);
    if (t.phase === "blocked") this.#reported += 1;
    else if (t.phase !== "running") {
      return [this.#fail(new DeterminismLostError(`Thread "${thread}" paused at ${marker ? `"${marker}"` : "a statement"} while ${t.phase}: another debugger is attached?`))];
    }
    t.phase = "at-marker";
    t.marker = marker;
    t.where = where;
    if (this.#running === thread) this.#running = null;
    return this.#decide();
  }

  blocked(thread: string, where: Where | undefined, on = ""): Action[] {
    const t = this.#get(thread);
    // Woken, then blocked again before its next stop (a wait in untraced code): reported back.
    if (t.phase === "blocked") this.#reported += 1;
    // A thread running freely blocks outside the schedule, and one still loading outside the run:
    // their wake-ups are not ours to wait for.
    if (t.phase === "free" || t.phase === "starting") return [];
    t.phase = "blocked";
    t.marker = undefined;
    t.where = where;
    t.on = on;
    if (this.#running === thread) this.#running = null;
    return this.#decide();
  }

  finished(thread: string): Action[] {
    const t = this.#get(thread);
    if (t.phase === "blocked") this.#reported += 1;
    t.phase = "finished";
    t.marker = undefined;
    if (this.#running === thread) this.#running = null;
    return this.#started ? this.#decide() : [];
  }

  #decide(): Action[] {
    if (this.#done || this.#running !== null || this.#woken > this.#reported) return [];
    const all = [...this.#threads.values()];
    const waiting = all.filter((t) => t.phase === "at-start" || t.phase === "at-marker");
    if (waiting.length === 0) {
      if (all.every((t) => t.phase === "finished")) {
        this.#done = true;
        return [{ kind: "complete" }];
      }
      const blocked = all.filter((t) => t.phase === "blocked");
      if (blocked.length > 0 && !all.some((t) => t.phase === "free")) return [this.#fail(deadlock(blocked, all))];
      return [];
    }
    const runnable = waiting.map((t) => t.name);
    const chosen = this.#chooser.choose({
      step: this.#steps.length,
      runnable,
      atMarker: waiting.map((t) => t.phase === "at-marker" && t.marker !== ""),
      previous: this.#previous,
    });
    const t = waiting.find((w) => w.name === chosen);
    if (t === undefined) throw new Error(`the strategy chose "${chosen}", which is not runnable (${runnable.join(", ")})`);
    const step: ExploreStep = {
      task: chosen,
      gate: t.phase === "at-start" ? "start" : t.marker ? "marker" : "statement",
      preemption: this.#previous !== null && this.#previous !== chosen && runnable.includes(this.#previous),
    };
    if (t.marker) step.marker = t.marker;
    if (t.phase === "at-marker" && t.where !== undefined) step.where = t.where;
    this.#steps.push(step);
    this.#previous = chosen;
    t.marker = undefined;
    t.chosen += 1;
    if (t.chosen >= this.#maxSteps) {
      // Out of steps: it runs on without stops, beside the others; nothing waits for it but its end.
      t.phase = "free";
      return [{ kind: "free", thread: chosen }, ...this.#decide()];
    }
    t.phase = "running";
    this.#running = chosen;
    return [{ kind: "resume", thread: chosen }];
  }

  #fail(error: InterlaceError): Action {
    this.#done = true;
    return { kind: "fail", error };
  }

  #get(name: string): ThreadState {
    const t = this.#threads.get(name);
    if (!t) throw new Error(`unknown thread ${name}`);
    return t;
  }
}

/** The deadlock report: every blocked thread, where it waits, and what the others are doing. */
function deadlock(blocked: readonly ThreadState[], all: readonly ThreadState[]): DeadlockError {
  const waiting = blocked.map((t) => ({ thread: t.name, at: t.where ? `${t.where.file}:${t.where.line}:${t.where.column + 1}` : "(unknown position)" }));
  const lines = blocked.map((t) => {
    const at = waiting.find((w) => w.thread === t.name)!.at;
    const on = t.on ? ` on ${t.on}` : "";
    return `  ${t.name}: waits in Atomics.wait${on} at ${at}${t.where?.text ? `  ${t.where.text}` : ""}`;
  });
  const finished = all.filter((t) => t.phase === "finished").map((t) => t.name);
  const tail = finished.length > 0 ? `\n  finished: ${finished.join(", ")}` : "";
  const what = finished.length > 0 ? "no thread can run: every live thread waits for a notify that no running thread can send" : "every thread waits for another";
  return new DeadlockError(`Deadlock: ${what}.\n${lines.join("\n")}${tail}`, waiting);
}
