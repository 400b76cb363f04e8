/**
 * How an attempt is judged, for every kind of thread: a deadlock or an exception in a thread is the
 * failure, else the invariant's verdict; `setup()` and `teardown()` faults are typed errors.
 *
 * @module
 */
import { DeadlockError, ScenarioHookError, ThreadError, describeError, userStack } from "../errors.js";
import { counterexampleFailure, type Failure } from "../engine/counterexample.js";
import type { AttemptOptions } from "./task-attempt.js";

/** What the invariant gets as its second argument: each thread's result by name. */
export type ThreadResults = Readonly<Record<string, unknown>>;

/** The invariant's type, for every kind of thread. */
export type Invariant<S> = (state: S, results: ThreadResults) => boolean | void | Promise<boolean | void>;

/**
 * Runs an attempt's threads, then judges it: a deadlock or an exception in a thread is the failure,
 * else the invariant's verdict; teardown runs in every case. Any other error (a fault of the run
 * itself) is rethrown after teardown.
 *
 * @param run - Runs the threads; resolves with their results by thread name (task threads), or
 *   with nothing (the invariant then gets an empty object).
 */
export async function settle<S>(
  run: () => Promise<ThreadResults | void>,
  state: S,
  hooks: Pick<AttemptOptions<S>, "invariant" | "teardown">,
): Promise<Failure | null> {
  let failure: Failure | null = null;
  let results: ThreadResults = Object.freeze({});
  try {
    results = (await run()) ?? results;
  } catch (error) {
    if (error instanceof DeadlockError) failure = counterexampleFailure("deadlock", error.message);
    else if (error instanceof ThreadError) failure = counterexampleFailure("exception", error.message);
    else {
      await runHook("teardown", () => hooks.teardown?.(state)).catch(() => {});
      throw error;
    }
  }
  failure ??= await invariantFailure(hooks.invariant, state, results);
  await runHook("teardown", () => hooks.teardown?.(state));
  return failure;
}

/** The invariant's verdict as a failure: `false` or a throw means it does not hold. */
export async function invariantFailure<S>(invariant: Invariant<S> | undefined, state: S, results: ThreadResults = Object.freeze({})): Promise<Failure | null> {
  if (!invariant) return null;
  try {
    return (await invariant(state, results)) === false ? counterexampleFailure("invariant", "invariant returned false") : null;
  } catch (error) {
    const stack = userStack(error, 3);
    return counterexampleFailure("invariant", `invariant threw ${describeError(error)}${stack === "" ? "" : `\n${stack}`}`);
  }
}

export async function runHook<T>(hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new ScenarioHookError(hook, error);
  }
}
