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
 *
 * The pipeline: a subject (`subject.ts`: task threads, or worker and process threads) → the
 * attempt loop (`search.ts`) → the report (`report.ts`: counterexample, shrinking, replays,
 * explanation). `replay.ts` follows a counterexample's decisions again.
 */
import { ScenarioError } from "../errors.js";
import { STRATEGY_NAMES } from "../strategies/index.js";
import { releaseFunctionOrigins } from "../access/function-origin.js";
import { isScenario, type Scenario } from "../scenario.js";
import type { ExploreOptions, ExploreResult, MoreOptions } from "./options.js";
import { exploreSubject } from "./search.js";
import { budget } from "./options.js";
import { replaySubject } from "./replay.js";
import { clock } from "../controller/clock.js";
import { reportExploration, reportTarget } from "../report/html/index.js";
import { subjectOf } from "./subject.js";

export type { Counterexample, Failure, FailureKind } from "../engine/counterexample.js";
export {
  AccessesNotRecordedError,
  PropertyViolatedError,
  ReplayDivergedError,
  type ExploreOptions,
  type ExploreProgress,
  type ExploreResult,
} from "./options.js";
export { replay } from "./replay.js";
export { scenarioExploreOptions } from "./subject.js";
export type { UnmodelledEffect } from "./unmodelled.js";
export { NotInstrumentedError } from "./not-instrumented.js";

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
  const askedGranularity = more.granularity ?? (isScenario(first) ? undefined : (first as ExploreOptions<S>).granularity);
  const granularity = granularityOf(asked, askedGranularity, isScenario(first) && onlyProcesses(first));
  const { subject, options } = subjectOf(first, more, granularity);
  try {
    // A report path that cannot be written is refused before anything runs.
    const report = options.report === undefined ? null : reportTarget(options.report);
    const started = clock.now();
    const result = await exploreSubject(subject, options, asked ?? "portfolio");
    if (subject.kind === "isolate") result.granularity = { value: granularity, chosen: askedGranularity === undefined && asked !== "markers" };
    await reportExploration(report, result as ExploreResult<unknown>, {
      scenario: options.name ?? "explore",
      budget: budget(options),
      elapsedMs: clock.now() - started,
      // The steps the explanation was built from; replayed only if the result has none.
      replay: async (counterexample) => result.steps ?? (await replaySubject(subject, counterexample, 1, true)).steps,
    });
    return result;
  } finally {
    releaseFunctionOrigins();
    await subject.close?.();
  }
}

/**
 * Where isolates stop: marker-level search at markers only; other strategies at every statement
 * unless asked otherwise — but at io when every thread is a process: processes share nothing but
 * what is outside their heaps, so a decision at each external operation (and marker) is the grain
 * that matters, and stepping every statement of the packages they use costs hundreds of decisions.
 */
function granularityOf(strategy: string | undefined, asked: string | undefined, processesOnly: boolean): "statements" | "markers" | "io" {
  if (asked !== undefined && asked !== "statements" && asked !== "markers" && asked !== "io") {
    throw new ScenarioError(`granularity must be "statements", "io" or "markers", got ${JSON.stringify(asked)}.`);
  }
  if (strategy === "markers") {
    if (asked !== undefined && asked !== "markers") throw new ScenarioError(`strategy "markers" decides at markers only: it takes no granularity ${JSON.stringify(asked)} (leave it out, or use another strategy).`);
    return "markers";
  }
  return asked ?? (processesOnly ? "io" : "statements");
}

/** Whether every thread of a scenario is a child process. */
function onlyProcesses(scenario: Scenario<unknown>): boolean {
  const threads = Object.values((scenario as { threads?: Record<string, unknown> }).threads ?? {});
  return threads.length > 0 && threads.every((t) => typeof t === "object" && t !== null && (t as { kind?: unknown }).kind === "process");
}
