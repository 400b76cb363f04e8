/**
 * One exploration attempt over task threads: setup, a run under a strategy, the invariant, teardown;
 * the failure, if any, classified for a counterexample (`settle.ts`). Shared by explore, replay and
 * shrinking.
 *
 * @module
 */
import { namedByState } from "./state-paths.js";
import { ScenarioError } from "../errors.js";
import type { Failure } from "../engine/counterexample.js";
import { TaskExploreRun, type ExploreStep } from "../engine/task-explore.js";
import type { Strategy } from "../strategies/index.js";
import { runTaskPolicy } from "../tasks/run-tasks.js";
import { AccessLog } from "../tasks/access-log.js";
import { runHook, settle, type Invariant } from "./settle.js";

/** A task thread of an exploration. */
export interface NamedThread<S> {
  name: string;
  fn: (state: S) => unknown;
}

/** What one attempt needs of the explore options. */
export interface AttemptOptions<S> {
  setup?: () => S | Promise<S>;
  invariant?: Invariant<S>;
  teardown?: (state: S) => void | Promise<void>;
  maxSteps: number;
  timeoutMs: number;
  /** Aborting it ends the attempt in progress with `E_INTERRUPTED`. */
  signal?: AbortSignal;
}

export interface Attempt<S> {
  steps: readonly ExploreStep[];
  failure: Failure | null;
  state: S;
}

/**
 * One attempt: setup, run under the strategy, invariant, teardown.
 *
 * @param recordAccesses - Record each step's shared accesses (for DPOR, which is told them, and
 *   for explanations, which show them).
 */
export async function attempt<S>(
  options: AttemptOptions<S>,
  threads: ReadonlyArray<NamedThread<S>>,
  strategy: Strategy,
  recordAccesses = false,
): Promise<Attempt<S>> {
  const state = (await runHook("setup", () => options.setup?.())) as S;
  const accesses = recordAccesses ? new AccessLog() : undefined;
  const policy = new TaskExploreRun(strategy, options.maxSteps, accesses ? namedByState(accesses, state) : null);
  const run = () =>
    runTaskPolicy(threads.map((t) => ({ name: t.name, fn: t.fn as (state: unknown) => unknown })), state, policy, {
      timeoutMs: options.timeoutMs,
      ...(accesses ? { accesses } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
      .then((outcome) => Object.freeze(outcome.results))
      .finally(() => policy.finish());
  const failure = await settle(run, state, options);
  return { steps: policy.steps, failure, state };
}

export function normalizeThreads<S>(threads: ReadonlyArray<(state: S) => unknown> | Readonly<Record<string, (state: S) => unknown>>): Array<NamedThread<S>> {
  const entries = Array.isArray(threads)
    ? (threads as ReadonlyArray<(state: S) => unknown>).map((fn, i) => [`t${i + 1}`, fn] as const)
    : Object.entries(threads as Readonly<Record<string, (state: S) => unknown>>);
  if (entries.length === 0) throw new ScenarioError("explore() needs at least one thread.");
  for (const [name, fn] of entries) {
    if (typeof fn !== "function") throw new ScenarioError(`Thread "${name}" must be a function (state) => …, got ${typeof fn}.`);
  }
  return entries.map(([name, fn]) => ({ name, fn }));
}

