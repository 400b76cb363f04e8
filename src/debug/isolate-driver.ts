/**
 * Worker and process threads under `interlace debug`: one {@link IsolateGroup} for the whole
 * session (isolates launched once; every later run, `back` and `goto` included, reuses them), one
 * {@link IsolateExploreRun} per run with a {@link HeldRun} as its chooser. `print` evaluates on the
 * top frame of the stopped thread (`Debugger.evaluateOnCallFrame` with `throwOnSideEffect`); `where`
 * maps its call frames to original sources.
 *
 * @module
 */
import { DeadlockError, DebugCommandError, InterlaceError, ThreadError } from "../errors.js";
import { counterexampleFailure, type Failure } from "../engine/counterexample.js";
import { IsolateExploreRun } from "../engine/isolate-explore.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { IsolateGroup } from "../controller/isolate-group.js";
import { OutputSink } from "../controller/output.js";
import type { Granularity } from "../controller/thread-driver.js";
import { prepare } from "../explore/prepare.js";
import { invariantFailure, runHook } from "../explore/settle.js";
import { packageRootOf } from "../explore/source-root.js";
import type { IsolateThreadSpec, ScenarioDefinition } from "../scenario.js";
import type { FrameLine, RunDriver, RunVerdict, ThreadStatus } from "./driver.js";
import { endHeldRun, HeldRun, type Position } from "./held-run.js";
import { evaluateInFrame, evaluationText } from "./remote-value.js";

/** Options of the isolate driver. */
export interface IsolateDriverOptions {
  granularity: Granularity;
  timeoutMs: number;
  maxSteps: number;
  tracePackages: readonly string[];
}

interface Current {
  held: HeldRun;
  engine: IsolateExploreRun;
  state: unknown;
  done: Promise<void>;
}

/** Creates the driver of a worker/process scenario. */
export function isolateDriver(scenario: ScenarioDefinition, options: IsolateDriverOptions): RunDriver {
  const names = Object.keys(scenario.threads);
  const specs = names.map((name) => [name, scenario.threads[name] as IsolateThreadSpec] as const);
  let group: IsolateGroup | null = null;
  let current: Current | null = null;

  /** Lets the run in progress end by itself and tears it down. */
  async function leave(): Promise<void> {
    const run = current;
    current = null;
    await endHeldRun(run, scenario.teardown);
  }

  function need(): Current {
    if (current === null) throw new Error("no run in progress");
    return current;
  }

  function stopped(thread: string) {
    const at = group?.driver(thread)?.stoppedAt ?? null;
    if (at === null) {
      const status = need().engine.threads().find((t) => t.name === thread);
      const why = status?.phase === "finished" ? "it finished" : status?.phase === "at-start" ? "it has not started (it is at its ready point)" : `it is ${status?.phase ?? "not running"}`;
      throw new DebugCommandError("E_DEBUG_NOT_PAUSED", `Thread "${thread}" is not stopped at a statement or marker: ${why}.`);
    }
    return { ...at, driver: group!.driver(thread)! };
  }

  return {
    kind: "isolate",
    granularity: options.granularity,
    names,
    async start(prefix) {
      await leave();
      const state = await runHook("setup", () => scenario.setup?.());
      const threads = specs.map(([name, spec]) => prepare(name, spec, state));
      group ??= new IsolateGroup(threads, {
        timeoutMs: options.timeoutMs,
        output: new OutputSink(process.stdout, process.stderr),
        tracePackages: options.tracePackages,
        granularity: options.granularity,
        recordAccesses: options.granularity === "statements",
      });
      const g = group;
      const held = new HeldRun(prefix);
      const recording = options.granularity === "statements";
      const engine = new IsolateExploreRun(held, names, options.maxSteps, recording ? { drain: () => g.drainAccesses() } : null);
      const run = g.run(state, engine).finally(() => engine.finish());
      held.watch(run.then(() => undefined));
      current = { held, engine, state, done: run.then(() => undefined, () => undefined) };
      return held.next();
    },
    take(thread): Promise<Position> {
      return need().held.take(thread);
    },
    runnable: () => need().held.held?.runnable ?? null,
    steps: (): readonly ExploreStep[] => need().engine.steps,
    threads(): ThreadStatus[] {
      return need().engine.threads().map((t): ThreadStatus => {
        const where = t.where === undefined ? {} : { where: t.where };
        switch (t.phase) {
          case "starting":
            return { name: t.name, state: "starting", detail: "" };
          case "at-start":
            return { name: t.name, state: "at start", detail: "", ...where };
          case "at-marker":
            return { name: t.name, state: "stopped", detail: t.marker ? `marker ${t.marker}` : t.where === undefined ? "lock gate" : "statement", ...where };
          case "blocked":
            return { name: t.name, state: "blocked", detail: "Atomics.wait", ...where };
          case "finished":
            return { name: t.name, state: "finished", detail: "" };
          default:
            return { name: t.name, state: "running", detail: t.phase === "free" ? "past --max-steps, runs freely" : "", ...where };
        }
      });
    },
    verdict(): RunVerdict | null {
      const end = need().held.end;
      if (end === null) return null;
      return verdictOf(end.error);
    },
    async evaluate(thread, expression) {
      const { session, pause, driver } = stopped(thread);
      // At an io gate the top frame is interlace's gate: evaluate in the thread's own code.
      const top = driver.userFrame(pause);
      if (top === undefined) throw new DebugCommandError("E_DEBUG_NOT_PAUSED", `Thread "${thread}" has no call frame to evaluate in.`);
      const answer = await evaluateInFrame(session, top.callFrameId, expression);
      return evaluationText(expression, answer.result, answer.exceptionDetails);
    },
    async stack(thread): Promise<FrameLine[]> {
      const { pause, driver } = stopped(thread);
      return pause.callFrames.map((frame) => {
        const where = driver.originalWhere(frame.location);
        const raw = `${frame.url || `script ${frame.location.scriptId}`}:${frame.location.lineNumber + 1}:${(frame.location.columnNumber ?? 0) + 1}`;
        return where === null ? { functionName: frame.functionName, where: null, raw } : { functionName: frame.functionName, where };
      });
    },
    state: () => need().state,
    async invariant(): Promise<Failure | null> {
      const run = need();
      return invariantFailure(scenario.invariant, run.state);
    },
    root: () => packageRootOf(specs[0]![1].module),
    threadDriver: (thread) => group?.driver(thread) ?? null,
    async close() {
      try {
        await leave();
      } finally {
        await group?.close();
        group = null;
      }
    },
  };
}

/** How a run's end reads: a failure a counterexample can record, or a fault. */
export function verdictOf(error: unknown): RunVerdict {
  if (error === null || error === undefined) return { failure: null, fault: null };
  if (error instanceof DeadlockError) return { failure: counterexampleFailure("deadlock", error.message), fault: null };
  if (error instanceof ThreadError) return { failure: counterexampleFailure("exception", error.message), fault: null };
  if (error instanceof InterlaceError) return { failure: null, fault: `${error.code}: ${error.message}` };
  return { failure: null, fault: error instanceof Error ? error.message : String(error) };
}
