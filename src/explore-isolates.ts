/**
 * Exploration of worker and process threads at marker granularity: each attempt launches the
 * scenario's isolates afresh, and whenever every live thread is paused (at its start or at a
 * marker) the strategy picks the one to resume (`engine/isolate-explore.ts`).
 */
import type { Writable } from "node:stream";
import { ThreadError } from "./errors.js";
import { counterexampleFailure, type Failure } from "./engine/counterexample.js";
import { IsolateExploreRun } from "./engine/isolate-explore.js";
import { Schedule } from "./engine/schedule.js";
import { OutputSink } from "./controller/output.js";
import { runSchedule } from "./controller/schedule-controller.js";
import { checkScenario, checkThreadModules, type IsolateThreadSpec, type ScenarioDefinition } from "./scenario.js";
import type { Strategy } from "./strategies/index.js";
import { prepare } from "./trace-executor.js";
import { invariantFailure, runHook, type Attempt } from "./explore-attempt.js";

/** Options of an isolate attempt. */
export interface IsolateAttemptOptions {
  timeoutMs: number;
  tracePackages: readonly string[];
  stdout?: Writable;
  stderr?: Writable;
}

const EMPTY = new Schedule([]);

/** The explore subject of a worker/process scenario. */
export function isolateSubject<S>(scenario: ScenarioDefinition<S>, options: IsolateAttemptOptions): {
  kind: "isolate";
  names: string[];
  run(strategy: Strategy): Promise<Attempt<S>>;
} {
  const definition: unknown = scenario;
  checkScenario(definition);
  checkThreadModules(scenario.threads);
  const names = Object.keys(scenario.threads);
  return { kind: "isolate", names, run: (strategy) => isolateAttempt(scenario, names, strategy, options) };
}

async function isolateAttempt<S>(scenario: ScenarioDefinition<S>, names: readonly string[], strategy: Strategy, options: IsolateAttemptOptions): Promise<Attempt<S>> {
  const state = (await runHook("setup", () => scenario.setup?.())) as S;
  const engine = new IsolateExploreRun(strategy, names);
  let failure: Failure | null = null;
  try {
    const threads = names.map((name) => prepare(name, scenario.threads[name] as IsolateThreadSpec, state));
    await runSchedule(threads, state, EMPTY, {
      timeoutMs: options.timeoutMs,
      output: new OutputSink(options.stdout, options.stderr),
      tracePackages: options.tracePackages,
      engine,
    });
  } catch (error) {
    if (error instanceof ThreadError) failure = counterexampleFailure("exception", error.message);
    else {
      await runHook("teardown", () => scenario.teardown?.(state)).catch(() => {});
      throw error;
    }
  }
  failure ??= await invariantFailure(scenario.invariant, state);
  await runHook("teardown", () => scenario.teardown?.(state));
  return { steps: engine.steps, failure, state };
}
