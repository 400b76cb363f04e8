/**
 * What `explore()` and `replay()` take and give back, their defaults, and the errors they raise
 * about their input.
 *
 * @module
 */
import type { Writable } from "node:stream";
import { InterlaceError, ScenarioError } from "../errors.js";
import type { Counterexample } from "../engine/counterexample.js";
import type { ExploreStep } from "../engine/task-explore.js";
import type { PortfolioMember, SearchOrder, StrategyName } from "../strategies/index.js";
import type { UnmodelledEffect } from "./unmodelled.js";
import type { Interruption } from "./interrupt.js";
import type { ReportOption } from "../report/html/write.js";

/** What `explore()` and `replay()` take. */
export interface ExploreOptions<S = unknown> {
  /** Runs before every attempt; its result is each thread's argument. */
  setup?: () => S | Promise<S>;
  /** The threads: async functions (named `t1`, `t2`, … when given as an array). */
  threads: ReadonlyArray<(state: S) => unknown> | Readonly<Record<string, (state: S) => unknown>>;
  /**
   * Checked after every attempt; returning `false` or throwing means it does not hold. `results`
   * maps each thread's name to the value its function resolved to (every thread finished when the
   * invariant runs: an attempt where one threw fails before it).
   */
  invariant?: (state: S, results: Readonly<Record<string, unknown>>) => boolean | void | Promise<boolean | void>;
  /** Runs after every attempt. */
  teardown?: (state: S) => void | Promise<void>;
  /**
   * How the next thread is picked (default `"portfolio"`): `portfolio` (runs dealt out to DPOR, the
   * random walk and PCT in turn; DPOR only where shared accesses are recorded — task threads whose
   * code records them, worker threads), `random` walk, `pct` (probabilistic concurrency testing),
   * `exhaustive` (every interleaving, fewest preemptions first), `markers` (every interleaving of
   * marker points), `dpor` (one execution per class of equivalent interleavings; task and worker
   * threads).
   */
  strategy?: StrategyName;
  /** PRNG seed of `portfolio`, `random` and `pct` (default: drawn at random, and reported in the result). */
  seed?: number;
  /** Attempts before concluding the property holds (default 200). */
  maxAttempts?: number;
  /** `dpor`'s name for {@link maxAttempts}: executions before stopping (give one or the other). */
  maxExecutions?: number;
  /** Stop at the first failing attempt (default true). With false, the search goes on to the end of the budget (or of the search) and the first failure is reported. */
  stopOnFirst?: boolean;
  /** `dpor` (and the portfolio's DPOR): `dfs` (default) or `diverse` (reverse the earliest races first: different runs sooner, for small budgets). */
  searchOrder?: SearchOrder;
  /** Scheduling decisions per thread and attempt; a thread past it runs freely to its end (default 1000). */
  maxSteps?: number;
  /** PCT bug depth (default 3). */
  pctDepth?: number;
  /** Most preemptions per run for `exhaustive` and `dpor` (and the portfolio's DPOR) (default: no bound). */
  preemptionBound?: number;
  /** Replays of a counterexample to report how reliably it fails (default 10). */
  reproduceOnFailure?: number;
  /** Milliseconds an attempt may run without reaching a quiet point (default 10 000). */
  timeout?: number;
  /** Runs spent looking for a failing interleaving with fewer preemptions (default 200; 0 turns shrinking off). */
  shrinkBudget?: number;
  /** Name recorded in counterexamples (default `"explore"`). */
  name?: string;
  /**
   * Worker/process scenarios: where the threads stop for decisions — `statements` (every statement
   * of traced code; the default when a worker thread takes part), `io` (markers and every operation
   * on files, connections, databases, child processes and native addons, from any code, packages
   * included; the default when every thread is a process), `markers` (markers only; the `markers`
   * strategy's and the only one it takes).
   */
  granularity?: "statements" | "io" | "markers";
  /** Worker/process scenarios: packages under node_modules whose markers count too. */
  tracePackages?: readonly string[];
  /** Worker/process scenarios: where the threads' stdout and stderr go (default: this process's). */
  stdout?: Writable;
  stderr?: Writable;
  /**
   * Stops the exploration when aborted (e.g. vitest's `({ signal }) =>` test context, or
   * `AbortSignal.timeout(ms)`): it ends after the attempt in progress, runs teardown, and resolves
   * with what it explored so far ({@link ExploreResult.interrupted} says why; never complete).
   */
  signal?: AbortSignal;
  /** Milliseconds the whole exploration may take (search, shrinking, replays); past it, it stops as on {@link signal}. */
  timeBudget?: number;
  /** Called after every attempt (progress bars). */
  onAttempt?: (progress: ExploreProgress) => void;
  /**
   * Writes a self-contained HTML report there (e.g. `"race.html"`): the timeline of the
   * counterexample, or a summary of the search when the property holds. The folder is created; a
   * path that cannot be written is `E_REPORT_PATH` before anything runs. The object form also names
   * the file the counterexample was saved to, for the replay command the report shows.
   */
  report?: ReportOption;
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
  /** `portfolio` only: which member's run found the counterexample, how many runs DPOR had, whether it ran every class, and why it stopped early. */
  portfolio?: { foundBy: PortfolioMember | null; dporExecutions: number; dporComplete: boolean; dporStopped: string | null };
  /** Attempts that violated the property (more than 1 only with `stopOnFirst: false`). */
  numFailed: number;
  /**
   * True when the strategy ran out of interleavings to try (`exhaustive`, `markers`, `dpor`,
   * `portfolio` once its DPOR ran every class) before the budget, and every effect of every step
   * was observed: nothing was left unexplored. False whenever {@link unmodelled} is not empty.
   */
  complete: boolean;
  /**
   * True when the strategy ran out of interleavings to try, whether or not every effect was
   * observed ({@link complete} also needs that).
   */
  exhausted: boolean;
  /**
   * What was not modelled: calls into untraced code (packages, Node's modules, native code) whose
   * effects were not observed, by origin. Recorded by the strategies that can end a search (dpor,
   * portfolio, exhaustive, markers); empty for the others.
   */
  unmodelled: UnmodelledEffect[];
  /** Why the exploration stopped before its budget or its search ended (`signal` aborted, `timeBudget` spent), else null. */
  interrupted: Interruption | null;
  /**
   * Worker/process scenarios: where the threads stopped for decisions, and whether interlace chose
   * it (`chosen`: no granularity was asked; `io` when every thread is a process, else `statements`).
   */
  granularity?: { value: "statements" | "io" | "markers"; chosen: boolean };
  /** The first failing attempt, replayable with {@link replay}. */
  counterexample: Counterexample | null;
  /**
   * The counterexample's steps as last run (a reproduction replay when there was one): thread, gate,
   * source position and, where recorded, each step's shared accesses. Null without a counterexample.
   */
  steps: readonly ExploreStep[] | null;
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

/** Everything but the threads and hooks: what `explore(scenario, options)` takes beside a scenario. */
export type MoreOptions<S> = Omit<ExploreOptions<S>, "threads" | "setup" | "invariant" | "teardown">;

export const DEFAULTS = { maxAttempts: 200, maxSteps: 1000, reproduceOnFailure: 10, timeout: 10_000, shrinkBudget: 200 };

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

/** The run budget: `maxAttempts` or `maxExecutions` (the same thing under `dpor`'s name). */
export function budget<S>(options: MoreOptions<S>): number {
  const { maxAttempts, maxExecutions } = options;
  if (maxAttempts !== undefined && maxExecutions !== undefined && maxAttempts !== maxExecutions) {
    throw new ScenarioError(`maxAttempts (${maxAttempts}) and maxExecutions (${maxExecutions}) name the same budget; give one of them.`);
  }
  const given = maxExecutions ?? maxAttempts;
  return positive(maxExecutions !== undefined ? "maxExecutions" : "maxAttempts", given ?? DEFAULTS.maxAttempts);
}

export function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ScenarioError(`${name} must be a positive integer, got ${String(value)}.`);
  return value;
}

