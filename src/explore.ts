/**
 * `explore()`: finds the interleaving you did not know. Runs the threads again and again, letting a
 * strategy pick the next thread at every scheduling point, and checks the invariant after every
 * run; the first failing run becomes a replayable counterexample.
 *
 * ```ts
 * const result = await explore({
 *   setup: () => new Counter(),
 *   threads: [(c) => c.increment(), (c) => c.increment()],
 *   invariant: (c) => c.value === 2,
 *   strategy: "pct", seed: 42, maxAttempts: 200,
 * });
 * result.assertHolds();
 * ```
 *
 * Task threads (async functions in this isolate) are scheduled at every await and marker; worker
 * and process threads of a scenario at every statement of traced code.
 */
import { InterlaceError, ScenarioError } from "./errors.js";
import type { ExploreStep } from "./engine/task-explore.js";
import type { Counterexample, Failure, FailureKind } from "./engine/counterexample.js";
import { SEARCH_ORDERS, STRATEGY_NAMES, Replay, createStrategy, type SearchOrder, type Strategy, type StrategyName } from "./strategies/index.js";
import { accessInstrumentedFiles } from "./access/runtime.js";
import { attempt, normalizeThreads, type Attempt, type AttemptOptions } from "./explore-attempt.js";
import { countPreemptions, shrink } from "./shrink.js";
import { checkSources, hashSources } from "./tasks/source-hash.js";
import { explain } from "./report/explanation.js";
import { clock } from "./controller/clock.js";
import { isScenario, threadsKind, type Scenario, type ScenarioDefinition } from "./scenario.js";
import { isolateSubject, type IsolateAttemptOptions } from "./explore-isolates.js";
import type { Writable } from "node:stream";

export type { Counterexample, Failure, FailureKind };

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

/** What `explore()` and `replay()` take. */
export interface ExploreOptions<S = unknown> {
  /** Runs before every attempt; its result is each thread's argument. */
  setup?: () => S | Promise<S>;
  /** The threads: async functions (named `t1`, `t2`, … when given as an array). */
  threads: ReadonlyArray<(state: S) => unknown> | Readonly<Record<string, (state: S) => unknown>>;
  /** Checked after every attempt; returning `false` or throwing means it does not hold. */
  invariant?: (state: S) => boolean | void | Promise<boolean | void>;
  /** Runs after every attempt. */
  teardown?: (state: S) => void | Promise<void>;
  /**
   * How the next thread is picked (default `"dpor"` where it applies — task threads whose code
   * records shared accesses, worker threads — else `"random"`): `random` walk, `pct` (probabilistic
   * concurrency testing), `exhaustive` (every interleaving, fewest preemptions first), `markers`
   * (every interleaving of marker points), `dpor` (one execution per class of equivalent
   * interleavings; task and worker threads).
   */
  strategy?: StrategyName;
  /** PRNG seed of `random` and `pct` (default: drawn at random, and reported in the result). */
  seed?: number;
  /** Attempts before concluding the property holds (default 200). */
  maxAttempts?: number;
  /** `dpor`'s name for {@link maxAttempts}: executions before stopping (give one or the other). */
  maxExecutions?: number;
  /** Stop at the first failing attempt (default true). With false, the search goes on to the end of the budget (or of the search) and the first failure is reported. */
  stopOnFirst?: boolean;
  /** `dpor`: `dfs` (default) or `diverse` (reverse the earliest races first: different runs sooner, for small budgets). */
  searchOrder?: SearchOrder;
  /** Scheduling decisions per thread and attempt; a thread past it runs freely to its end (default 1000). */
  maxSteps?: number;
  /** PCT bug depth (default 3). */
  pctDepth?: number;
  /** Most preemptions per run for `exhaustive` and `dpor` (default: no bound). */
  preemptionBound?: number;
  /** Replays of a counterexample to report how reliably it fails (default 10). */
  reproduceOnFailure?: number;
  /** Milliseconds an attempt may run without reaching a quiet point (default 10 000). */
  timeout?: number;
  /** Runs spent looking for a failing interleaving with fewer preemptions (default 200; 0 turns shrinking off). */
  shrinkBudget?: number;
  /** Name recorded in counterexamples (default `"explore"`). */
  name?: string;
  /** Worker/process scenarios: packages under node_modules whose markers count too. */
  tracePackages?: readonly string[];
  /** Worker/process scenarios: where the threads' stdout and stderr go (default: this process's). */
  stdout?: Writable;
  stderr?: Writable;
  /** Called after every attempt (progress bars). */
  onAttempt?: (progress: ExploreProgress) => void;
}

/** What {@link ExploreOptions.onAttempt} receives. */
export interface ExploreProgress {
  /** Attempts run so far. */
  numExplored: number;
  maxAttempts: number;
  /** Milliseconds since the exploration started. */
  elapsedMs: number;
  /** Whether this attempt violated the property. */
  failed: boolean;
  /** Scheduling decisions of this attempt. */
  decisions: number;
}

/** The outcome of an exploration. */
export interface ExploreResult<S = unknown> {
  /** True when no attempt violated the property. */
  propertyHolds: boolean;
  /** Attempts run (for `dpor`: executions). */
  numExplored: number;
  /** Attempts that violated the property (more than 1 only with `stopOnFirst: false`). */
  numFailed: number;
  /** True when the strategy ran out of interleavings to try (`exhaustive`, `markers`, `dpor`) before the budget: nothing was left unexplored. */
  complete: boolean;
  /** The first failing attempt, replayable with {@link replay}. */
  counterexample: Counterexample | null;
  /** Human-readable account of the counterexample: what failed, the interleaving, the reproduction figure. */
  explanation: string | null;
  /** How many of `reproduceOnFailure` replays failed the same way. */
  reproduced: { failures: number; attempts: number } | null;
  /** The state after the failing attempt (or the last one). */
  state: S | undefined;
  seed: number;
  strategy: StrategyName;
  /** Throws an {@link PropertyViolatedError} carrying the explanation unless the property holds. */
  assertHolds(messagePrefix?: string): void;
}

/** A replay met a decision it could not follow: the counterexample does not fit this program. */
export class ReplayDivergedError extends InterlaceError {
  constructor(detail: string) {
    super(
      "E_REPLAY_DIVERGED",
      "input",
      `The counterexample does not fit this program: ${detail}. It was recorded for other threads or other code ` +
        "(untraced code may have changed); explore again to find a fresh counterexample.",
    );
  }
}

/** `dpor` was asked for task threads whose code does not record its shared accesses. */
export class AccessesNotRecordedError extends InterlaceError {
  constructor() {
    super(
      "E_ACCESSES_NOT_RECORDED",
      "input",
      "strategy \"dpor\" needs to see the shared accesses of the task threads, but no code loaded in this process records them. " +
        "Load the code under test through `node --import interlace/register`, the `interlace/vitest` plugin or `interlace explore`, " +
        "without INTERLACE_ACCESSES=0 (or accesses: false), or pick another strategy (random, pct, exhaustive).",
    );
  }
}

/** Thrown by {@link ExploreResult.assertHolds}. */
export class PropertyViolatedError extends InterlaceError {
  readonly counterexample: Counterexample;
  constructor(message: string, counterexample: Counterexample) {
    super("E_PROPERTY_VIOLATED", "fault", message);
    this.counterexample = counterexample;
  }
}

const DEFAULTS = { maxAttempts: 200, maxSteps: 1000, reproduceOnFailure: 10, timeout: 10_000, shrinkBudget: 200 };

/** What is explored: named threads, and one attempt under a strategy. */
interface Subject<S> {
  kind: Counterexample["kind"];
  names: string[];
  /** Isolates: where decisions are taken. */
  granularity?: "statements" | "markers";
  /** One attempt; `record`: record each step's shared accesses. */
  run(strategy: Strategy, record?: boolean): Promise<Attempt<S>>;
  /** Throws when shared accesses cannot be recorded (for `dpor`). */
  checkAccesses?(): void;
  /** Releases what attempts keep between them (isolates). */
  close?(): Promise<void>;
}

type MoreOptions<S> = Omit<ExploreOptions<S>, "threads" | "setup" | "invariant" | "teardown">;

/** Explores interleavings of the threads until the invariant fails or the budget is spent. */
export async function explore<S>(options: ExploreOptions<S>): Promise<ExploreResult<S>>;
/**
 * Explores a scenario made with `defineScenario`: task threads at every await and marker, worker
 * and process threads at every statement of traced code (at markers only with the `markers`
 * strategy), in isolates launched once and reused by every attempt.
 */
export async function explore<S>(scenario: Scenario<S>, options?: MoreOptions<S>): Promise<ExploreResult<S>>;
export async function explore<S>(first: ExploreOptions<S> | Scenario<S>, more: MoreOptions<S> = {}): Promise<ExploreResult<S>> {
  const asked = more.strategy ?? (isScenario(first) ? undefined : (first as ExploreOptions<S>).strategy);
  if (asked !== undefined && !STRATEGY_NAMES.includes(asked)) {
    throw new ScenarioError(`strategy must be one of ${STRATEGY_NAMES.join(", ")}, got ${JSON.stringify(asked)}.`);
  }
  // Marker-level search steps isolates at markers only; every other strategy at every statement.
  const { subject, options } = subjectOf(first, more, asked === "markers" ? "markers" : "statements");
  try {
    return await exploreSubject(subject, options, asked ?? defaultStrategy(subject));
  } finally {
    await subject.close?.();
  }
}

async function exploreSubject<S>(subject: Subject<S>, options: MoreOptions<S>, strategyName: StrategyName): Promise<ExploreResult<S>> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const maxAttempts = budget(options);
  if (options.searchOrder !== undefined && !SEARCH_ORDERS.includes(options.searchOrder)) {
    throw new ScenarioError(`searchOrder must be one of ${SEARCH_ORDERS.join(", ")}, got ${JSON.stringify(options.searchOrder)}.`);
  }
  const strategy = createStrategy(strategyName, {
    seed,
    ...(options.pctDepth === undefined ? {} : { pctDepth: options.pctDepth }),
    ...(options.preemptionBound === undefined ? {} : { preemptionBound: options.preemptionBound }),
    ...(options.searchOrder === undefined ? {} : { searchOrder: options.searchOrder }),
  });
  const record = strategyName === "dpor";
  if (record) subject.checkAccesses?.();
  const stopOnFirst = options.stopOnFirst ?? true;

  let numExplored = 0;
  let numFailed = 0;
  let complete = false;
  let last: Attempt<S> | undefined;
  let found: { attempt: Attempt<S>; run: number } | undefined;
  const started = clock.now();
  for (let run = 0; run < maxAttempts; run++) {
    if (!strategy.beginRun(run)) {
      complete = true;
      break;
    }
    last = await subject.run(strategy, record);
    strategy.endRun(last.failure !== null);
    numExplored += 1;
    options.onAttempt?.({ numExplored, maxAttempts, elapsedMs: clock.now() - started, failed: last.failure !== null, decisions: last.steps.length });
    if (last.failure !== null) {
      numFailed += 1;
      found ??= { attempt: last, run };
      if (stopOnFirst) break;
    }
  }
  // A search that ended with its last run is complete too.
  if (!complete && found === undefined && numExplored === maxAttempts && !strategy.beginRun(numExplored)) complete = true;
  const counts = { numExplored, numFailed, complete };
  if (found === undefined) return result(true, counts, null, null, null, last?.state, seed, strategyName);
  const report = await reportFailure(subject, options, strategyName, seed, found);
  return result(false, counts, report.counterexample, report.explanation, report.reproduced, report.state, seed, strategyName);
}

/**
 * `dpor` where it can see the threads' shared accesses (task threads whose code records them,
 * worker threads), else `random` (process threads; task code loaded with INTERLACE_ACCESSES=0).
 */
function defaultStrategy<S>(subject: Subject<S>): StrategyName {
  try {
    subject.checkAccesses?.();
    return "dpor";
  } catch (error) {
    if (error instanceof InterlaceError) return "random";
    throw error;
  }
}

/** Shrinks a failing attempt, makes it a counterexample, replays it and explains it. */
async function reportFailure<S>(
  subject: Subject<S>,
  options: MoreOptions<S>,
  strategyName: StrategyName,
  seed: number,
  found: { attempt: Attempt<S>; run: number },
): Promise<{ counterexample: Counterexample; explanation: string; reproduced: { failures: number; attempts: number } | null; state: S }> {
  const original = found.attempt;
  const shrunk = await shrink((s) => subject.run(s), original, options.shrinkBudget ?? DEFAULTS.shrinkBudget);
  const last = shrunk ? shrunk.attempt : original;
  const counterexample: Counterexample = {
    format: "interlace-counterexample",
    version: 1,
    scenario: options.name ?? "explore",
    kind: subject.kind,
    ...(subject.granularity ? { granularity: subject.granularity } : {}),
    threads: subject.names,
    decisions: last.steps.map((s) => s.task),
    strategy: strategyName,
    seed,
    attempt: found.run,
    sources: hashSources(last.steps),
    failure: last.failure!,
    ...(shrunk ? { shrunkFrom: { decisions: original.steps.length, preemptions: countPreemptions(original) } } : {}),
  };
  const times = options.reproduceOnFailure ?? DEFAULTS.reproduceOnFailure;
  const replayed = times > 0 ? await replaySubject(subject, counterexample, times) : null;
  const reproduced = replayed ? { failures: replayed.failures, attempts: replayed.attempts } : null;
  // The replays record accesses, so the explanation can show what each step read and wrote.
  const explanation = explain(counterexample, replayed?.steps ?? last.steps, reproduced);
  return { counterexample, explanation, reproduced, state: last.state };
}

/** The run budget: `maxAttempts` or `maxExecutions` (the same thing under `dpor`'s name). */
function budget<S>(options: MoreOptions<S>): number {
  const { maxAttempts, maxExecutions } = options;
  if (maxAttempts !== undefined && maxExecutions !== undefined && maxAttempts !== maxExecutions) {
    throw new ScenarioError(`maxAttempts (${maxAttempts}) and maxExecutions (${maxExecutions}) name the same budget; give one of them.`);
  }
  const given = maxExecutions ?? maxAttempts;
  return positive(maxExecutions !== undefined ? "maxExecutions" : "maxAttempts", given ?? DEFAULTS.maxAttempts);
}

/** Replays a counterexample `times` times; resolves with how many runs failed the same way. */
export async function replay<S>(
  target: ExploreOptions<S> | Scenario<S>,
  counterexample: Counterexample,
  times = 1,
  more: MoreOptions<S> = {},
): Promise<{ failures: number; attempts: number; explanation: string }> {
  const { subject } = subjectOf(target, more, counterexample.granularity ?? "markers");
  try {
    if (subject.names.join(",") !== counterexample.threads.join(",")) {
      throw new ScenarioError(`The counterexample was recorded for threads [${counterexample.threads.join(", ")}], but these are [${subject.names.join(", ")}].`);
    }
    if (subject.kind !== counterexample.kind) {
      throw new ScenarioError(`The counterexample was recorded for ${counterexample.kind} threads, but these are ${subject.kind} threads.`);
    }
    checkSources(counterexample);
    const { failures, attempts, steps } = await replaySubject(subject, counterexample, times);
    const { shrunkFrom: _, ...replayed } = counterexample;
    return { failures, attempts, explanation: explain(replayed, steps, { failures, attempts }) };
  } finally {
    await subject.close?.();
  }
}

async function replaySubject<S>(subject: Subject<S>, counterexample: Counterexample, times: number): Promise<{ failures: number; attempts: number; steps: readonly ExploreStep[] }> {
  let failures = 0;
  let steps: readonly ExploreStep[] = [];
  for (let i = 0; i < times; i++) {
    const run = await subject.run(new Replay(counterexample.decisions), true).catch((error: unknown) => {
      if (error instanceof Error && !(error instanceof InterlaceError) && error.message.startsWith("replay diverged")) {
        throw new ReplayDivergedError(error.message);
      }
      throw error;
    });
    steps = run.steps;
    if (run.failure !== null && run.failure.kind === counterexample.failure.kind) failures += 1;
  }
  return { failures, attempts: times, steps };
}

/** The subject and the effective options of an explore/replay call. */
function subjectOf<S>(
  first: ExploreOptions<S> | Scenario<S>,
  more: MoreOptions<S>,
  granularity: "statements" | "markers",
): { subject: Subject<S>; options: MoreOptions<S> } {
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
    checkAccesses: () => {
      if (accessInstrumentedFiles().size === 0) throw new AccessesNotRecordedError();
    },
  };
  return { subject, options };
}

function isolateOptions<S>(options: MoreOptions<S>, granularity: "statements" | "markers"): IsolateAttemptOptions {
  return {
    timeoutMs: positive("timeout", options.timeout ?? DEFAULTS.timeout),
    maxSteps: positive("maxSteps", options.maxSteps ?? DEFAULTS.maxSteps),
    granularity,
    tracePackages: options.tracePackages ?? [],
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
  };
}

function result<S>(
  propertyHolds: boolean,
  counts: { numExplored: number; numFailed: number; complete: boolean },
  counterexample: Counterexample | null,
  explanation: string | null,
  reproduced: { failures: number; attempts: number } | null,
  state: S | undefined,
  seed: number,
  strategy: StrategyName,
): ExploreResult<S> {
  return {
    propertyHolds,
    ...counts,
    counterexample,
    explanation,
    reproduced,
    state,
    seed,
    strategy,
    assertHolds(messagePrefix?: string) {
      if (propertyHolds || counterexample === null) return;
      throw new PropertyViolatedError(`${messagePrefix ? `${messagePrefix}: ` : ""}${explanation ?? "the property does not hold"}`, counterexample);
    },
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
  return out;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ScenarioError(`${name} must be a positive integer, got ${String(value)}.`);
  return value;
}

