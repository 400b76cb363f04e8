/**
 * Task threads under `interlace debug`, in the isolate they run in: each run is `runTaskPolicy`
 * with a {@link TaskExploreRun} whose chooser is a {@link HeldRun}, so the task loop awaits the
 * user's choice at every quiet point (every await, marker, lock and callback gate is a decision).
 * The debug command runs this driver inside the task host (`task-host/host.ts`, a worker isolate),
 * never in interlace's own isolate; `task-host/remote-driver.ts` is the session's side.
 *
 * `evaluate` here is the fallback of `print`: against the scenario state (its properties as names,
 * and `state`, `result` — the task's resolved value once it finished —, `results`, `thread`),
 * through an inspector session on this isolate with `throwOnSideEffect`. The task's own frame is
 * read by the session's side, stopped in the closure its gate was given ({@link LocalTaskDriver.peek}).
 * `where` shows the gate the task is parked at.
 *
 * @module
 */
import { createRequire } from "node:module";
import { DebugCommandError } from "../errors.js";
import type { Failure } from "../engine/counterexample.js";
import { TaskExploreRun, type ExploreStep } from "../engine/task-explore.js";
import type { TaskSnapshot } from "../engine/task-schedule.js";
import { runTaskPolicy, type TaskPolicy } from "../tasks/run-tasks.js";
import { AccessLog } from "../tasks/access-log.js";
import { invariantFailure, runHook } from "../explore/settle.js";
import { functionFile, packageRootOf } from "../explore/source-root.js";
import type { ScenarioDefinition, TaskThreadSpec } from "../scenario.js";
import type { FrameLine, RunDriver, ThreadStatus } from "./driver.js";
import { endHeldRun, HeldRun } from "./held-run.js";
import { verdictOf } from "./isolate-driver.js";
import { evaluationText } from "./remote-value.js";
import type { Protocol } from "../protocol/cdp.js";

type Session = import("node:inspector").Session;

/** Options of the task driver. */
export interface TaskDriverOptions {
  timeoutMs: number;
  maxSteps: number;
}

interface Current {
  /** The run's frame closures (`TaskRun.peekOf`), once the run exists. */
  peeks: { peekOf(name: string): (() => void) | undefined } | null;
  held: HeldRun;
  engine: TaskExploreRun;
  state: unknown;
  snapshot: readonly TaskSnapshot[];
  done: Promise<void>;
}

const SCOPE_KEY = "__interlaceDebugScope";

/** The task driver as the task host uses it: also hands out the closure of a parked task's frame. */
export interface LocalTaskDriver extends RunDriver {
  /** The closure of the frame `thread` is parked in (code instrumented with `peek`), if any. */
  peek(thread: string): (() => void) | undefined;
  state(): unknown;
}

/** Creates the driver of a task scenario, running its tasks in this isolate (the task host's, under `interlace debug`). */
export function taskDriver(scenario: ScenarioDefinition, options: TaskDriverOptions): LocalTaskDriver {
  const names = Object.keys(scenario.threads);
  const threads = names.map((name) => ({ name, fn: (scenario.threads[name] as TaskThreadSpec<unknown>).fn as (state: unknown) => unknown }));
  let current: Current | null = null;
  let session: Session | null = null;

  async function leave(): Promise<void> {
    const run = current;
    current = null;
    await endHeldRun(run, scenario.teardown);
  }

  function need(): Current {
    if (current === null) throw new Error("no run in progress");
    return current;
  }

  function snapshotOf(thread: string): TaskSnapshot | undefined {
    return need().snapshot.find((t) => t.name === thread);
  }

  return {
    kind: "task",
    names,
    async start(prefix) {
      await leave();
      const state = await runHook("setup", () => scenario.setup?.());
      const held = new HeldRun(prefix);
      const accesses = new AccessLog();
      const engine = new TaskExploreRun(held, options.maxSteps, accesses);
      const run: Current = { peeks: null, held, engine, state, snapshot: threads.map((t) => ({ name: t.name, phase: "blocked" as const })), done: Promise.resolve() };
      const policy: TaskPolicy = {
        decide(tasks) {
          run.snapshot = tasks;
          return engine.decideLater(tasks);
        },
        passesAwait: () => false,
      };
      const outcome = runTaskPolicy(threads, state, policy, { timeoutMs: options.timeoutMs, accesses, onRun: (peeks) => (run.peeks = peeks) }).finally(() => engine.finish());
      held.watch(outcome.then((o) => Object.freeze(o.results)));
      run.done = outcome.then(() => undefined, () => undefined);
      current = run;
      return held.next();
    },
    take: (thread) => need().held.take(thread),
    runnable: () => need().held.held?.runnable ?? null,
    steps: (): readonly ExploreStep[] => need().engine.steps,
    threads(): ThreadStatus[] {
      return need().snapshot.map((t): ThreadStatus => {
        if (t.phase === "finished") return { name: t.name, state: "finished", detail: "" };
        if (t.phase === "blocked") return { name: t.name, state: "blocked", detail: "waits for another task", ...(t.where ? { where: t.where } : {}) };
        const gate = t.gate;
        const where = gate.where ? { where: gate.where } : {};
        if (gate.kind === "start") return { name: t.name, state: "at start", detail: "", ...where };
        const detail =
          gate.kind === "marker" ? `marker ${gate.marker ?? ""}`
          : gate.kind === "acquire" ? `lock ${gate.lock?.label ?? ""}${gate.lock?.available === false ? ` (held${gate.lock.holder ? ` by ${gate.lock.holder}` : ""})` : ""}`
          : gate.kind === "callback" ? `${gate.callback ?? ""} callback`
          : "await";
        return { name: t.name, state: "stopped", detail, ...where };
      });
    },
    verdict() {
      const end = need().held.end;
      return end === null ? null : verdictOf(end.error);
    },
    async evaluate(thread, expression) {
      const run = need();
      const results = run.held.end?.results ?? {};
      const snapshot = snapshotOf(thread);
      const scope = { state: run.state, results, thread, result: snapshot?.phase === "finished" ? results[thread] : undefined };
      session ??= connect();
      const target = globalThis as unknown as Record<string, unknown>;
      target[SCOPE_KEY] = scope;
      const inner = run.state !== null && typeof run.state === "object" ? `with (globalThis.${SCOPE_KEY}.state) ` : "";
      try {
        const answer = post(session, `with (globalThis.${SCOPE_KEY}) ${inner}(\n${expression}\n)`);
        return evaluationText(expression, answer.result, answer.exceptionDetails);
      } finally {
        delete target[SCOPE_KEY];
        session.post("Runtime.releaseObjectGroup", { objectGroup: "interlace-debug" });
      }
    },
    async stack(thread): Promise<FrameLine[]> {
      const status = this.threads().find((t) => t.name === thread);
      if (status === undefined || status.state === "finished") throw new DebugCommandError("E_DEBUG_NOT_PAUSED", `Task "${thread}" is not parked at a gate: it ${status?.state ?? "is unknown"}.`);
      return [{ functionName: status.detail || status.state, where: status.where ?? null }];
    },
    state: () => need().state,
    peek: (thread) => (current?.held.held === null ? undefined : current?.peeks?.peekOf(thread)),
    async invariant(): Promise<Failure | null> {
      const run = need();
      return invariantFailure(scenario.invariant, run.state, run.held.end?.results ?? Object.freeze({}));
    },
    root: () => packageRootOf(threads[0] === undefined ? null : functionFile(threads[0].fn)),
    async close() {
      try {
        await leave();
      } finally {
        session?.disconnect();
        session = null;
      }
    },
  };
}

function connect(): Session {
  // Required lazily: `node:inspector` is absent from Node builds without an inspector.
  const { Session: InspectorSession } = createRequire(import.meta.url)("node:inspector") as typeof import("node:inspector");
  const session = new InspectorSession();
  session.connect();
  return session;
}

/** `Runtime.evaluate` on this isolate: answered synchronously by an in-process session. */
function post(session: Session, expression: string): Protocol.Runtime.EvaluateResponse {
  let answer: Protocol.Runtime.EvaluateResponse | undefined;
  let failure: Error | null = null;
  session.post("Runtime.evaluate", { expression, throwOnSideEffect: true, generatePreview: true, silent: true, objectGroup: "interlace-debug" }, (error, result) => {
    failure = error;
    // node:inspector's types are looser versions of the protocol's (strings for enums).
    answer = result as unknown as Protocol.Runtime.EvaluateResponse;
  });
  if (failure !== null || answer === undefined) throw new DebugCommandError("E_DEBUG_EVAL", `The inspector could not evaluate it: ${String(failure ?? "no answer")}`);
  return answer;
}
