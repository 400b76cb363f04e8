/**
 * Exploration of worker and process threads. One {@link IsolateGroup} serves every attempt of an
 * exploration: the isolates are launched once and each attempt sends them a fresh state (after a
 * failing attempt they are launched anew). Whenever no thread runs, the strategy picks the one to
 * resume (`engine/isolate-explore.ts`), at every statement of traced code or at markers only.
 */
import type { Writable } from "node:stream";
import { IsolateExploreRun } from "./engine/isolate-explore.js";
import { OutputSink } from "./controller/output.js";
import { IsolateGroup } from "./controller/isolate-group.js";
import type { Granularity } from "./controller/thread-driver.js";
import { checkScenario, checkThreadModules, type IsolateThreadSpec, type ScenarioDefinition } from "./scenario.js";
import type { Strategy } from "./strategies/index.js";
import { prepare } from "./trace-executor.js";
import { runHook, settle, type Attempt } from "./explore-attempt.js";

/** Options of isolate attempts. */
export interface IsolateAttemptOptions {
  timeoutMs: number;
  tracePackages: readonly string[];
  /** Decisions per thread and attempt; past it a thread runs freely to its end. */
  maxSteps: number;
  granularity: Granularity;
  stdout?: Writable;
  stderr?: Writable;
}

/** The explore subject of a worker/process scenario. Call `close()` when done with it. */
export interface IsolateSubject<S> {
  kind: "isolate";
  names: string[];
  granularity: Granularity;
  run(strategy: Strategy): Promise<Attempt<S>>;
  /** Ends the isolates kept for the next attempt. */
  close(): Promise<void>;
}

export function isolateSubject<S>(scenario: ScenarioDefinition<S>, options: IsolateAttemptOptions): IsolateSubject<S> {
  const definition: unknown = scenario;
  checkScenario(definition);
  checkThreadModules(scenario.threads);
  const names = Object.keys(scenario.threads);
  let group: IsolateGroup | null = null;
  const output = new OutputSink(options.stdout, options.stderr);
  return {
    kind: "isolate",
    names,
    granularity: options.granularity,
    async run(strategy) {
      const state = (await runHook("setup", () => scenario.setup?.())) as S;
      const engine = new IsolateExploreRun(strategy, names, options.maxSteps);
      const failure = await settle(
        async () => {
          // Checks this attempt's state can travel to the isolates (it is sent afresh each time).
          const threads = names.map((name) => prepare(name, scenario.threads[name] as IsolateThreadSpec, state));
          group ??= new IsolateGroup(threads, { timeoutMs: options.timeoutMs, output, tracePackages: options.tracePackages, granularity: options.granularity });
          await group.run(state, engine);
        },
        state,
        { ...(scenario.invariant ? { invariant: scenario.invariant } : {}), ...(scenario.teardown ? { teardown: scenario.teardown } : {}) },
      );
      return { steps: engine.steps, failure, state };
    },
    async close() {
      await group?.close();
    },
  };
}
