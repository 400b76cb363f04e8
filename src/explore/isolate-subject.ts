/**
 * Exploration of worker and process threads. One {@link IsolateGroup} serves every attempt of an
 * exploration: the isolates are launched once and each attempt sends them a fresh state (after a
 * failing attempt they are launched anew). Whenever no thread runs, the strategy picks the one to
 * resume (`engine/isolate-explore.ts`), at every statement of traced code or at markers only.
 */
import { namedByState } from "./state-paths.js";
import type { Writable } from "node:stream";
import { packageRootOf } from "./source-root.js";
import { IsolateExploreRun } from "../engine/isolate-explore.js";
import { OutputSink } from "../controller/output.js";
import { IsolateGroup } from "../controller/isolate-group.js";
import type { Granularity } from "../controller/thread-driver.js";
import { checkScenario, checkThreadModules, type IsolateThreadSpec, type ScenarioDefinition } from "../scenario.js";
import type { Strategy } from "../strategies/index.js";
import { prepare } from "./prepare.js";
import { runHook, settle } from "./settle.js";
import type { Attempt } from "./task-attempt.js";
import { InterlaceError } from "../errors.js";

/** `dpor` was asked for isolates at a granularity where their accesses are not recorded (markers). */
export class DporUnsupportedError extends InterlaceError {
  constructor(_processes: readonly string[], granularity: Granularity) {
    super(
      "E_DPOR_UNSUPPORTED",
      "input",
      `strategy "dpor" needs each step's accesses, which worker and process threads record at granularity "statements" or "io", not "${granularity}". ` +
        "Leave the granularity out (statements), choose io, or use --strategy random, pct or exhaustive.",
    );
  }
}

/** Options of isolate attempts. */
export interface IsolateAttemptOptions {
  timeoutMs: number;
  tracePackages: readonly string[];
  /** Decisions per thread and attempt; past it a thread runs freely to its end. */
  maxSteps: number;
  granularity: Granularity;
  /** Aborting it ends the attempt in progress with `E_INTERRUPTED`. */
  signal?: AbortSignal;
  stdout?: Writable;
  stderr?: Writable;
}

/** The explore subject of a worker/process scenario. Call `close()` when done with it. */
export interface IsolateSubject<S> {
  kind: "isolate";
  names: string[];
  granularity: Granularity;
  /** One attempt; `record`: record each step's shared accesses (worker threads at statement granularity). */
  run(strategy: Strategy, record?: boolean): Promise<Attempt<S>>;
  /** Throws unless every thread's shared accesses can be recorded (for `dpor`). */
  checkAccesses(): void;
  /** Ends the isolates kept for the next attempt. */
  close(): Promise<void>;
  /** The package root of the first thread's module (`source-root.ts`). */
  root(): string;
}

export function isolateSubject<S>(scenario: ScenarioDefinition<S>, options: IsolateAttemptOptions): IsolateSubject<S> {
  const definition: unknown = scenario;
  checkScenario(definition);
  checkThreadModules(scenario.threads);
  const names = Object.keys(scenario.threads);
  const output = new OutputSink(options.stdout, options.stderr);
  // Worker threads stepped statement by statement can record their shared accesses (for DPOR and
  // for explanations). That loads the access transform into each worker at launch, which costs
  // start-up time, so attempts that do not record run in isolates without it: an exploration
  // keeps up to two groups, and a random exploration only launches the recording one to replay
  // the counterexample it found. Marker-level exploration never records, like `interlace run`.
  // Process threads record their resource accesses through the io hooks (io/drivers/patch.ts), at
  // statement and io granularity alike: what processes share is outside their heaps.
  const canRecord = options.granularity === "statements" || options.granularity === "io";
  const groups: { plain: IsolateGroup | null; recording: IsolateGroup | null } = { plain: null, recording: null };
  const processes = names.filter((name) => (scenario.threads[name] as IsolateThreadSpec).kind === "process");
  const groupOf = (which: "plain" | "recording", state: S): IsolateGroup => {
    // Checks this attempt's state can travel to the isolates (it is sent afresh each time).
    const threads = names.map((name) => prepare(name, scenario.threads[name] as IsolateThreadSpec, state));
    return (groups[which] ??= new IsolateGroup(threads, {
      timeoutMs: options.timeoutMs,
      output,
      tracePackages: options.tracePackages,
      granularity: options.granularity,
      recordAccesses: which === "recording",
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  };
  return {
    kind: "isolate",
    names,
    granularity: options.granularity,
    checkAccesses() {
      if (!canRecord) throw new DporUnsupportedError(processes, options.granularity);
    },
    async run(strategy, record = false) {
      // Process threads always record when they can: their database lock gates need the holders,
      // which the engine knows from the recorded acquires and releases (a random or PCT run would
      // otherwise wait for a row lock a parked process holds until E_TIMEOUT).
      const recording = (record || processes.length > 0) && canRecord;
      const which = recording ? "recording" : "plain";
      const state = (await runHook("setup", () => scenario.setup?.())) as S;
      const source = recording ? namedByState({ drain: () => groups.recording?.drainAccesses() ?? [] }, state) : null;
      const engine = new IsolateExploreRun(strategy, names, options.maxSteps, source);
      const failure = await settle(
        async () => {
          const group = groupOf(which, state);
          try {
            await group.run(state, engine);
          } finally {
            engine.finish();
          }
        },
        state,
        { ...(scenario.invariant ? { invariant: scenario.invariant } : {}), ...(scenario.teardown ? { teardown: scenario.teardown } : {}) },
      );
      return { steps: engine.steps, failure, state };
    },
    async close() {
      await Promise.all([groups.plain?.close(), groups.recording?.close()]);
    },
    root: () => packageRootOf((scenario.threads[names[0]!] as IsolateThreadSpec).module),
  };
}
