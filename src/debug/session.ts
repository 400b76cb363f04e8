/**
 * The debug session: where the walk through one interleaving stands, and every command as a
 * method (`step`, `run`, `next`, `goto`, `back`, `print`, `where`, `state`, `save`, `invariant`),
 * so that the line REPL (`repl.ts`) and, later, a CDP relay drive the same object.
 *
 * The walk keeps a *plan*: the decisions recorded in the counterexample, or those the user took.
 * Like a browser's history: `goto`/`back` move along it (replaying the run from its start when going
 * back), and choosing another thread than the plan's at some step cuts the plan there.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { DebugCommandError, DebugUnknownThreadError } from "../errors.js";
import type { Counterexample, Failure } from "../engine/counterexample.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { hashSources } from "../tasks/source-hash.js";
import type { InspectTarget } from "./driver.js";
import type { FrameLine, RunDriver, RunVerdict, ThreadStatus } from "./driver.js";

/** A thread as the view shows it. */
export interface ThreadRow extends ThreadStatus {
  runnable: boolean;
  /** The plan's next decision is this thread. */
  planned: boolean;
}

/** Where the session stands, for a renderer. */
export interface SessionView {
  /** Decisions taken in the current run. */
  step: number;
  /** Length of the plan (recorded or walked decisions). */
  planned: number;
  threads: ThreadRow[];
  steps: readonly ExploreStep[];
  /** Once the run is over: how it ended before the invariant. */
  ended: RunVerdict | null;
}

/** What the session was opened with. */
export interface SessionOptions {
  /** The scenario as given on the command line (recorded in saved counterexamples). */
  scenario: string;
  /** The counterexample to follow, if any. */
  counterexample: Counterexample | null;
  tracePackages: readonly string[];
  maxSteps: number;
}

/** Most steps `run <thread>` takes looking for a marker. */
const RUN_LIMIT = 10_000;

/** One interactive walk through a scenario's interleavings. */
export class DebugSession {
  readonly #driver: RunDriver;
  readonly #options: SessionOptions;
  #plan: string[];
  /** The invariant's verdict, once evaluated in this run (null: it held). */
  #invariant: Failure | null | undefined = undefined;
  /** The command in progress: {@link serial} chains the next one after it. */
  #busy: Promise<unknown> = Promise.resolve();
  readonly #moved = new Set<() => void>();

  private constructor(driver: RunDriver, options: SessionOptions) {
    this.#driver = driver;
    this.#options = options;
    this.#plan = [...(options.counterexample?.decisions ?? [])];
    // Task threads: the task shown with its frame changed (a `print`, a client's look): clients follow it as after a move.
    driver.onFocus?.(() => this.#notifyMoved());
  }

  /** Starts the first run, held at decision `at` (default 0). */
  static async open(driver: RunDriver, options: SessionOptions, at = 0): Promise<DebugSession> {
    const session = new DebugSession(driver, options);
    if (at > session.#plan.length) {
      await driver.close();
      throw new DebugCommandError("E_DEBUG_STEP_RANGE", `--at ${at} is past the end: ${session.#describePlan()}.`);
    }
    await session.#restart(at);
    return session;
  }

  get names(): readonly string[] {
    return this.#driver.names;
  }

  get kind(): RunDriver["kind"] {
    return this.#driver.kind;
  }

  /** Decisions taken in the current run. */
  get step(): number {
    return this.#driver.steps().length;
  }

  /** The invariant's last verdict in this run: undefined when not evaluated, null when it held. */
  get invariantVerdict(): Failure | null | undefined {
    return this.#invariant;
  }

  /**
   * Runs `command` after the one in progress, so that two front ends (the prompt and a DevTools
   * client of `--inspect`) never move the run at once.
   */
  serial<T>(command: () => Promise<T>): Promise<T> {
    const result = this.#busy.then(command);
    this.#busy = result.catch(() => undefined);
    return result;
  }

  /** Calls `listener` after every move of the run (a step taken, a run restarted); returns the unsubscribe function. */
  onMove(listener: () => void): () => void {
    this.#moved.add(listener);
    return () => this.#moved.delete(listener);
  }

  /** A thread as a DevTools target: its isolate's debugger (worker/process threads, null before launch), or its view of the task host. */
  threadDriver(thread: string): InspectTarget | null {
    return this.#driver.inspectTarget?.(thread) ?? this.#driver.threadDriver?.(thread) ?? null;
  }

  view(): SessionView {
    const runnable = this.#driver.runnable() ?? [];
    const next = this.#plan[this.step];
    return {
      step: this.step,
      planned: this.#plan.length,
      threads: this.#driver.threads().map((t) => ({ ...t, runnable: runnable.includes(t.name), planned: t.name === next })),
      steps: this.#driver.steps(),
      ended: this.#driver.verdict(),
    };
  }

  /** Runs `thread` one step (a statement or marker of a worker/process, a gate of a task). */
  async stepThread(thread: string): Promise<void> {
    this.#checkRunnable(thread);
    const at = this.step;
    if (this.#plan[at] !== thread) this.#plan = [...this.#plan.slice(0, at), thread];
    await this.#take(thread);
  }

  /** Runs `thread` until it stops at a marker, finishes or cannot run. */
  async runThread(thread: string): Promise<void> {
    await this.stepThread(thread);
    for (let i = 0; i < RUN_LIMIT; i++) {
      const status = this.#driver.threads().find((t) => t.name === thread);
      const runnable = this.#driver.runnable() ?? [];
      if (!runnable.includes(thread) || status === undefined || status.detail.startsWith("marker ")) return;
      await this.stepThread(thread);
    }
  }

  /** Takes the plan's next decision. */
  async next(): Promise<void> {
    const thread = this.#plan[this.step];
    if (thread === undefined) {
      throw new DebugCommandError(
        "E_DEBUG_NO_NEXT",
        `No recorded decision after step ${this.step}: ${this.#describePlan()}. Choose one with \`step <thread>\`${this.#runnableHint()}.`,
      );
    }
    this.#checkRunnable(thread, `the recorded decision at step ${this.step + 1}`);
    await this.#take(thread);
  }

  /** Goes to step `n` of the plan: forward by taking its decisions, backward by replaying from the start. */
  async goto(n: number): Promise<void> {
    if (!Number.isSafeInteger(n) || n < 0) throw new DebugCommandError("E_DEBUG_STEP_RANGE", `goto takes a step number ≥ 0, got ${n}.`);
    if (n > this.#plan.length) throw new DebugCommandError("E_DEBUG_STEP_RANGE", `Step ${n} is past the end: ${this.#describePlan()}.`);
    if (n < this.step) return this.#restart(n);
    while (this.step < n && this.#driver.runnable() !== null) await this.next();
  }

  /** One step back: replays the run from its start to the step before. */
  async back(): Promise<void> {
    if (this.step === 0) throw new DebugCommandError("E_DEBUG_STEP_RANGE", "At step 0: there is no step to go back to.");
    await this.#restart(this.step - 1);
  }

  /** `expression` evaluated where `thread` is stopped, without side effects. */
  async print(thread: string, expression: string): Promise<string> {
    this.#checkKnown(thread);
    return this.#driver.evaluate(thread, expression);
  }

  /** The source-mapped stack of a stopped thread. */
  async where(thread: string): Promise<FrameLine[]> {
    this.#checkKnown(thread);
    return this.#driver.stack(thread);
  }

  /** The scenario state of the current run (live: shared memory shows the threads' writes). */
  async state(): Promise<unknown> {
    return await this.#driver.state();
  }

  /** The invariant's verdict: only once every thread finished. */
  async invariant(): Promise<Failure | null> {
    const ended = this.#driver.verdict();
    if (ended === null) {
      const live = this.#driver.threads().filter((t) => t.state !== "finished").map((t) => t.name);
      throw new DebugCommandError("E_DEBUG_NOT_FINISHED", `The invariant is checked once every thread finished; ${live.join(", ")} ${live.length === 1 ? "has" : "have"} not. Walk on (next, step, run, goto ${this.#plan.length}).`);
    }
    if (ended.fault !== null) throw new DebugCommandError("E_DEBUG_NOT_FINISHED", `The run did not finish: ${ended.fault}`);
    if (ended.failure !== null) {
      throw new DebugCommandError("E_DEBUG_NOT_FINISHED", `The run ended with a ${ended.failure.kind} before the invariant could be checked: ${ended.failure.message.split("\n")[0]}`);
    }
    this.#invariant ??= await this.#driver.invariant();
    return this.#invariant;
  }

  /**
   * Writes the decisions taken so far as a counterexample `interlace replay` accepts. Its failure is
   * the run's (a deadlock, an exception, the invariant's verdict) when the run is over; before that,
   * an invariant failure is assumed and `note` says so.
   */
  async save(file: string): Promise<{ file: string; decisions: number; note: string | null }> {
    const { failure, note } = await this.#failureToSave();
    const driver = this.#driver;
    const counterexample: Counterexample = {
      format: "interlace-counterexample",
      version: 1,
      scenario: this.#options.scenario,
      kind: driver.kind,
      ...(driver.granularity ? { granularity: driver.granularity } : {}),
      threads: [...driver.names],
      decisions: driver.steps().map((s) => s.task),
      strategy: "debug",
      seed: 0,
      attempt: 0,
      sources: hashSources(driver.steps(), driver.root()),
      sourceRoot: "package",
      failure,
      config: { tracePackages: [...this.#options.tracePackages], maxSteps: this.#options.maxSteps },
    };
    try {
      writeFileSync(file, `${JSON.stringify(counterexample, null, 2)}\n`);
    } catch (error) {
      throw new DebugCommandError("E_DEBUG_SAVE", `Cannot write ${file}: ${(error as Error).message}`);
    }
    return { file, decisions: counterexample.decisions.length, note };
  }

  /** Ends the run and disposes every isolate. */
  async quit(): Promise<void> {
    await this.#driver.close();
  }

  async #failureToSave(): Promise<{ failure: Failure; note: string | null }> {
    const ended = this.#driver.verdict();
    if (ended === null) {
      return {
        failure: { kind: "invariant", message: `saved by interlace debug after ${this.step} decisions, before the run ended` },
        note: "the run is not over: the counterexample expects an invariant failure, and a replay continues past these decisions on its own (the previous thread while it can run).",
      };
    }
    if (ended.failure !== null) return { failure: ended.failure, note: null };
    if (ended.fault !== null) return { failure: { kind: "exception", message: ended.fault }, note: "the run ended with a fault, recorded as an exception." };
    const verdict = await this.invariant();
    if (verdict !== null) return { failure: verdict, note: null };
    return { failure: { kind: "invariant", message: "the invariant held in this run (saved by interlace debug)" }, note: "the invariant held in this run: replaying it will report that the failure did not reproduce." };
  }

  async #restart(at: number): Promise<void> {
    this.#invariant = undefined;
    try {
      await this.#driver.start(this.#plan.slice(0, at));
    } finally {
      this.#notifyMoved();
    }
  }

  async #take(thread: string): Promise<void> {
    try {
      await this.#driver.take(thread);
    } finally {
      this.#notifyMoved();
    }
  }

  #notifyMoved(): void {
    for (const listener of this.#moved) listener();
  }

  #checkKnown(thread: string): void {
    if (!this.#driver.names.includes(thread)) throw new DebugUnknownThreadError(thread, this.#driver.names, this.#driver.runnable() ?? []);
  }

  #checkRunnable(thread: string, what = `thread "${thread}"`): void {
    this.#checkKnown(thread);
    const runnable = this.#driver.runnable();
    if (runnable === null) {
      const ended = this.#driver.verdict();
      const how = ended?.fault ? `it ended: ${ended.fault.split("\n")[0]}` : ended?.failure ? `it ended with a ${ended.failure.kind}` : "every thread finished";
      throw new DebugCommandError("E_DEBUG_NOT_RUNNABLE", `The run is over (${how}): ${what} cannot run. Use back or goto <n> to walk again.`);
    }
    if (!runnable.includes(thread)) {
      const status = this.#driver.threads().find((t) => t.name === thread);
      const why = status === undefined ? "" : status.state === "finished" ? "it finished" : status.state === "blocked" ? `it is blocked (${status.detail})` : status.detail.startsWith("lock") ? `it waits for ${status.detail}` : `it is ${status.state}`;
      const who = what === `thread "${thread}"` ? `Thread "${thread}"` : `${what[0]!.toUpperCase()}${what.slice(1)} (${thread})`;
      throw new DebugCommandError("E_DEBUG_NOT_RUNNABLE", `${who} cannot run now${why ? `: ${why}` : ""}. Runnable: ${runnable.join(", ") || "none"}.`);
    }
  }

  #describePlan(): string {
    const n = this.#plan.length;
    const what = this.#options.counterexample !== null ? "the interleaving (recorded, then walked)" : "the interleaving walked so far";
    return `${what} has ${n} decision${n === 1 ? "" : "s"}`;
  }

  #runnableHint(): string {
    const runnable = this.#driver.runnable();
    return runnable === null ? " (the run is over)" : ` (runnable: ${runnable.join(", ")})`;
  }
}
