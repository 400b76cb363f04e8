/**
 * `TraceExecutor`: forces one interleaving, given as a {@link Schedule} of marker steps, on the
 * threads of a scenario, then checks the invariant. Mirrors the Python original's
 * `TraceExecutor(schedule).run(...)`:
 *
 * ```ts
 * const result = await new TraceExecutor("t1:read t2:read t1:write t2:write").run(scenario);
 * // or, thread by thread:
 * const executor = new TraceExecutor(schedule);
 * executor.run("t1", thread.worker(url, "transfer", [50]));
 * executor.run("t2", thread.worker(url, "transfer", [50]));
 * const result = await executor.wait({ setup, invariant });
 * ```
 */
import type { Writable } from "node:stream";
import { DuplicateThreadError, ScenarioError, ScenarioHookError, UnknownThreadError, describeError } from "../errors.js";
import { Schedule, type StepLike } from "../engine/schedule.js";
import type { TraceEntry } from "../engine/schedule-run.js";
import { OutputSink } from "../controller/output.js";
import { clock } from "../controller/clock.js";
import { runSchedule } from "../controller/schedule-controller.js";
import { checkScenario, checkThread, checkThreadModules, thread, threadsKind, type IsolateThreadSpec, type ScenarioDefinition, type ThreadSpec } from "../scenario.js";
import { runTasks } from "../tasks/run-tasks.js";
import { prepare } from "./prepare.js";

/** Options of a {@link TraceExecutor}. */
export interface TraceExecutorOptions {
  /** Milliseconds a thread may run without reaching its next marker or finishing (default 10 000). */
  timeout?: number;
  /** Packages under node_modules whose markers count too (picomatch globs on package names). */
  tracePackages?: readonly string[];
  /** Where threads' stdout goes (default: this process's stdout). */
  stdout?: Writable;
  /** Where threads' stderr goes (default: this process's stderr). */
  stderr?: Writable;
  /** Aborting it stops the run: it rejects with `E_INTERRUPTED` after teardown, every thread stopped. */
  signal?: AbortSignal;
}

/** The outcome of one forced interleaving. */
export interface RunResult<S = unknown> {
  /** True when the invariant held (or the scenario has none). */
  invariantHolds: boolean;
  /** Why it did not hold: `"invariant returned false"` or the message the invariant threw. */
  invariantFailure: string | undefined;
  /** The state after the run (SharedArrayBuffers reflect the workers' writes). */
  state: S;
  schedule: Schedule;
  /** Each step taken, with the original source position of its marker. */
  trace: TraceEntry[];
  /** Marker problems that did not stop the run. */
  warnings: string[];
  timings: { setupMs: number; startupMs: number; scheduleMs: number; totalMs: number };
}

/** Hooks for the thread-by-thread form ({@link TraceExecutor.wait}). */
export type WaitHooks<S> = Omit<ScenarioDefinition<S>, "threads">;

const DEFAULT_TIMEOUT_MS = 10_000;

/** Runs threads under one schedule. */
export class TraceExecutor {
  readonly schedule: Schedule;
  readonly #options: TraceExecutorOptions;
  readonly #threads = new Map<string, ThreadSpec>();

  constructor(schedule: Schedule | string | Iterable<StepLike>, options: TraceExecutorOptions = {}) {
    this.schedule = schedule instanceof Schedule ? schedule : typeof schedule === "string" ? Schedule.parse(schedule) : new Schedule(schedule);
    if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0)) {
      throw new ScenarioError(`timeout must be a positive number of milliseconds, got ${String(options.timeout)}.`);
    }
    this.#options = options;
  }

  /** Runs a whole scenario under the schedule. */
  run<S>(scenario: ScenarioDefinition<S>): Promise<RunResult<S>>;
  /** Runs async functions as tasks in this isolate: `run({ task1: () => c.increment(), task2: ... })`. */
  run(tasks: Readonly<Record<string, () => unknown>>): Promise<RunResult<undefined>>;
  /** Registers one thread (Python style); start them all with {@link wait}. A function is a task. */
  run(name: string, spec: ThreadSpec | (() => unknown)): this;
  run<S>(
    scenarioOrName: ScenarioDefinition<S> | Readonly<Record<string, () => unknown>> | string,
    spec?: ThreadSpec | (() => unknown),
  ): Promise<RunResult<S>> | Promise<RunResult<undefined>> | this {
    if (typeof scenarioOrName === "string") {
      const threadSpec = typeof spec === "function" ? thread.task(spec) : spec;
      checkThread(scenarioOrName, threadSpec);
      if (this.#threads.has(scenarioOrName)) throw new DuplicateThreadError(scenarioOrName);
      this.#threads.set(scenarioOrName, threadSpec);
      return this;
    }
    if (isTaskRecord(scenarioOrName)) {
      const threads = Object.fromEntries(Object.entries(scenarioOrName).map(([name, fn]) => [name, thread.task(fn)]));
      return this.#execute<undefined>({ threads });
    }
    return this.#execute(scenarioOrName as ScenarioDefinition<S>);
  }

  /** Runs the threads registered with `run(name, spec)`. */
  wait<S>(hooks: WaitHooks<S> = {}): Promise<RunResult<S>> {
    return this.#execute({ ...hooks, threads: Object.fromEntries(this.#threads) });
  }

  async #execute<S>(scenario: ScenarioDefinition<S>): Promise<RunResult<S>> {
    const t0 = clock.now();
    checkScenario(scenario);
    const names = Object.keys(scenario.threads);
    for (const step of this.schedule.steps) {
      // Own names only: `toString`, `constructor`, `__proto__` are not threads.
      if (!Object.hasOwn(scenario.threads, step.thread)) throw new UnknownThreadError(step.thread, names, "The schedule");
    }
    const kind = threadsKind(scenario.threads);
    checkThreadModules(scenario.threads);

    const state = await runHook("setup", () => scenario.setup?.()) as S;
    let failed = false;
    try {
      const t1 = clock.now();
      const timeoutMs = this.#options.timeout ?? DEFAULT_TIMEOUT_MS;
      const outcome =
        kind === "task"
          ? await runTasks(names.map((name) => ({ name, fn: (scenario.threads[name] as { fn: (state: unknown) => unknown }).fn })), state, this.schedule, {
              timeoutMs,
              ...(this.#options.signal === undefined ? {} : { signal: this.#options.signal }),
            })
          : await runSchedule(names.map((name) => prepare(name, scenario.threads[name] as IsolateThreadSpec, state)), state, this.schedule, {
              timeoutMs,
              output: new OutputSink(this.#options.stdout, this.#options.stderr),
              tracePackages: this.#options.tracePackages ?? [],
              ...(this.#options.signal === undefined ? {} : { signal: this.#options.signal }),
            });
      // Task threads' results reach the invariant; worker and process threads give none (an empty object).
      const verdict = await checkInvariant(scenario, state, "results" in outcome ? Object.freeze(outcome.results) : Object.freeze({}));
      return {
        ...verdict,
        state,
        schedule: this.schedule,
        trace: outcome.trace,
        warnings: outcome.warnings,
        timings: { setupMs: t1 - t0, startupMs: outcome.startupMs, scheduleMs: outcome.scheduleMs, totalMs: clock.now() - t0 },
      };
    } catch (error) {
      failed = true;
      if (scenario.teardown) await teardownAfterFailure(scenario.teardown, state, error);
      throw error;
    } finally {
      if (!failed && scenario.teardown) await runHook("teardown", () => scenario.teardown!(state));
    }
  }
}

/** A record whose values are all functions (and that is not a scenario definition). */
function isTaskRecord(value: unknown): value is Readonly<Record<string, () => unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => typeof v === "function");
}

async function checkInvariant<S>(
  scenario: ScenarioDefinition<S>,
  state: S,
  results: Readonly<Record<string, unknown>>,
): Promise<{ invariantHolds: boolean; invariantFailure: string | undefined }> {
  if (!scenario.invariant) return { invariantHolds: true, invariantFailure: undefined };
  try {
    const verdict = await scenario.invariant(state, results);
    return verdict === false
      ? { invariantHolds: false, invariantFailure: "invariant returned false" }
      : { invariantHolds: true, invariantFailure: undefined };
  } catch (error) {
    return { invariantHolds: false, invariantFailure: `invariant threw ${describeError(error)}` };
  }
}

/** Runs teardown after a failed run; if it throws too, the run's error stays the one reported. */
async function teardownAfterFailure<S>(teardown: (state: S) => void | Promise<void>, state: S, runError: unknown): Promise<void> {
  try {
    await teardown(state);
  } catch (error) {
    if (runError instanceof Error) runError.message += `\n(The scenario's teardown() also threw: ${describeError(error)})`;
  }
}

async function runHook<T>(hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new ScenarioHookError(hook, error);
  }
}
