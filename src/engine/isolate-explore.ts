/**
 * The pure decision core of one exploration run over worker or process threads, at marker
 * granularity: whenever no thread runs (each live one is paused at its start or at a marker), the
 * strategy picks which one resumes; it runs until its next marker or its end. Same controller
 * interface as `ScheduleRun` (ready / start / paused / finished → actions).
 */
import { DeterminismLostError, type InterlaceError } from "../errors.js";
import type { Action, ThreadPhase, ThreadView, TraceEntry, Where } from "./schedule-run.js";
import type { Chooser, ExploreStep } from "./task-explore.js";

interface ThreadState {
  name: string;
  phase: ThreadPhase;
  marker: string | undefined;
  where: Where | undefined;
}

/** One exploration run over isolate threads. */
export class IsolateExploreRun {
  readonly #chooser: Chooser;
  readonly #threads = new Map<string, ThreadState>();
  readonly #steps: ExploreStep[] = [];
  #previous: string | null = null;
  #running: string | null = null;
  #started = false;
  #done = false;

  constructor(chooser: Chooser, threads: readonly string[]) {
    this.#chooser = chooser;
    for (const name of threads) this.#threads.set(name, { name, phase: "starting", marker: undefined, where: undefined });
  }

  /** The decisions taken, in order. */
  get steps(): readonly ExploreStep[] {
    return this.#steps;
  }

  /** Exploration has no schedule steps to trace. */
  get trace(): readonly TraceEntry[] {
    return [];
  }

  /** Threads are never released wholesale: every marker stays a decision. */
  get released(): boolean {
    return false;
  }

  get runningThread(): string | null {
    return this.#running;
  }

  threads(): ThreadView[] {
    return [...this.#threads.values()].map((t) => ({ ...t }));
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
    if (t.phase !== "running") return [this.#fail(new DeterminismLostError(`Thread "${thread}" paused at "${marker}" while ${t.phase}: another debugger is attached?`))];
    t.phase = "at-marker";
    t.marker = marker;
    t.where = where;
    this.#running = null;
    return this.#decide();
  }

  finished(thread: string): Action[] {
    const t = this.#get(thread);
    t.phase = "finished";
    t.marker = undefined;
    if (this.#running === thread) this.#running = null;
    return this.#started ? this.#decide() : [];
  }

  #decide(): Action[] {
    if (this.#done || this.#running !== null) return [];
    const waiting = [...this.#threads.values()].filter((t) => t.phase === "at-start" || t.phase === "at-marker");
    if (waiting.length === 0) {
      if ([...this.#threads.values()].every((t) => t.phase === "finished")) {
        this.#done = true;
        return [{ kind: "complete" }];
      }
      return [];
    }
    const runnable = waiting.map((t) => t.name);
    const chosen = this.#chooser.choose({
      step: this.#steps.length,
      runnable,
      atMarker: waiting.map((t) => t.phase === "at-marker"),
      previous: this.#previous,
    });
    const t = waiting.find((w) => w.name === chosen);
    if (t === undefined) throw new Error(`the strategy chose "${chosen}", which is not runnable (${runnable.join(", ")})`);
    const step: ExploreStep = {
      task: chosen,
      gate: t.phase === "at-marker" ? "marker" : "start",
      preemption: this.#previous !== null && this.#previous !== chosen && runnable.includes(this.#previous),
    };
    if (t.marker !== undefined) step.marker = t.marker;
    if (t.phase === "at-marker" && t.where !== undefined) step.where = t.where;
    this.#steps.push(step);
    this.#previous = chosen;
    t.phase = "running";
    t.marker = undefined;
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
