/**
 * The subject of an exploration: named threads and one attempt of them under a strategy, whatever
 * their kind — task threads in this isolate (`task-attempt.ts`) or worker and process threads in
 * isolates kept for the whole exploration (`isolate-subject.ts`). Everything after it (the attempt
 * loop, the report, replays, shrinking) sees only this interface.
 *
 * @module
 */
import type { Granularity } from "../controller/thread-driver.js";
import { InterlaceError, ScenarioError } from "../errors.js";
import type { Counterexample } from "../engine/counterexample.js";
import type { Strategy } from "../strategies/index.js";
import { accessInstrumentedFiles } from "../access/runtime.js";
import { isScenario, threadsKind, type Scenario, type ScenarioDefinition } from "../scenario.js";
import { functionFile, packageRootOf } from "./source-root.js";
import { testSignal } from "./test-signal.js";
import { attempt, normalizeThreads, type Attempt, type AttemptOptions } from "./task-attempt.js";
import { isolateSubject, type IsolateAttemptOptions } from "./isolate-subject.js";
import { AccessesNotRecordedError, DEFAULTS, positive, type ExploreOptions, type MoreOptions } from "./options.js";

/**
 * The explore options of a scenario whose threads are all tasks (`thread.task`), as plain
 * functions. Throws a {@link ScenarioError} for worker or process threads: pass such a scenario to
 * `explore(scenario, options)` itself, which explores them at their markers.
 */
export function scenarioExploreOptions(scenario: ScenarioDefinition<unknown>, name: string): ExploreOptions<unknown> {
  const threads: Record<string, (state: unknown) => unknown> = {};
  for (const [thread, spec] of Object.entries(scenario.threads)) {
    if (spec.kind !== "task") {
      throw new ScenarioError(
        `Thread "${thread}" is a ${spec.kind} thread: it cannot become a plain function. ` +
          "Pass the scenario itself to explore(scenario, options) or replay(scenario, counterexample).",
      );
    }
    threads[thread] = spec.fn as (state: unknown) => unknown;
  }
  const options: ExploreOptions<unknown> = { threads, name };
  if (scenario.setup) options.setup = scenario.setup;
  if (scenario.invariant) options.invariant = scenario.invariant;
  if (scenario.teardown) options.teardown = scenario.teardown;
  return options;
}

/** What is explored: named threads, and one attempt under a strategy. */
export interface Subject<S> {
  kind: Counterexample["kind"];
  names: string[];
  /** Isolates: where decisions are taken. */
  granularity?: Granularity;
  /** One attempt; `record`: record each step's shared accesses. */
  run(strategy: Strategy, record?: boolean): Promise<Attempt<S>>;
  /** Throws when shared accesses cannot be recorded (for `dpor`). */
  checkAccesses?(): void;
  /** Releases what attempts keep between them (isolates). */
  close?(): Promise<void>;
  /** The package root of the threads' code: where counterexample source paths are relative to (`source-root.ts`). */
  root(): string;
}

/** The subject and the effective options of an explore/replay call. */
export function subjectOf<S>(
  first: ExploreOptions<S> | Scenario<S>,
  more: MoreOptions<S>,
  granularity: Granularity,
): { subject: Subject<S>; options: MoreOptions<S> } {
  // No signal of its own: the test runner's, for the test in progress (a timeout stops it).
  const own = "signal" in more ? more.signal : isScenario(first) ? undefined : (first as ExploreOptions<S>).signal;
  const ambient = own === undefined ? testSignal() : undefined;
  if (ambient !== undefined) more = { ...more, signal: ambient };
  if (isScenario(first) && threadsKind(first.threads) === "isolate") {
    const options = { ...more, name: more.name ?? "scenario" };
    return { subject: isolateSubject(first as unknown as ScenarioDefinition<S>, isolateOptions(options, granularity)), options };
  }
  const options = isScenario(first)
    ? ({ ...scenarioExploreOptions(first as Scenario<unknown>, more.name ?? "scenario"), ...more } as ExploreOptions<S>)
    : ({ ...(first as ExploreOptions<S>), ...more } as ExploreOptions<S>);
  const threads = normalizeThreads(options.threads);
  const perAttempt = attemptOptions(options);
  const subject: Subject<S> = {
    kind: "task",
    names: threads.map((t) => t.name),
    run: (strategy, record) => attempt(perAttempt, threads, strategy, record),
    root: () => packageRootOf(threads[0] === undefined ? null : functionFile(threads[0].fn)),
    checkAccesses: () => {
      if (accessInstrumentedFiles().size === 0) throw new AccessesNotRecordedError();
    },
  };
  return { subject, options };
}

function isolateOptions<S>(options: MoreOptions<S>, granularity: Granularity): IsolateAttemptOptions {
  return {
    timeoutMs: positive("timeout", options.timeout ?? DEFAULTS.timeout),
    maxSteps: positive("maxSteps", options.maxSteps ?? DEFAULTS.maxSteps),
    granularity,
    tracePackages: options.tracePackages ?? [],
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
  };
}

/** The per-attempt options, defaults applied and checked. */
function attemptOptions<S>(options: ExploreOptions<S>): AttemptOptions<S> {
  const out: AttemptOptions<S> = {
    maxSteps: positive("maxSteps", options.maxSteps ?? DEFAULTS.maxSteps),
    timeoutMs: positive("timeout", options.timeout ?? DEFAULTS.timeout),
  };
  if (options.setup) out.setup = options.setup;
  if (options.invariant) out.invariant = options.invariant;
  if (options.teardown) out.teardown = options.teardown;
  if (options.signal) out.signal = options.signal;
  return out;
}

/**
 * Whether the threads' shared accesses can be recorded (task threads whose code records them,
 * worker threads); not for process threads, nor task code loaded with INTERLACE_ACCESSES=0.
 */
export function accessesRecordable<S>(subject: Subject<S>): boolean {
  try {
    subject.checkAccesses?.();
    return true;
  } catch (error) {
    if (error instanceof InterlaceError) return false;
    throw error;
  }
}

