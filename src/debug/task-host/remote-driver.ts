/**
 * Task threads under `interlace debug`, run in a worker isolate (the task host, `host.ts`) rather
 * than in interlace's own: the session's {@link RunDriver} here forwards every move to the host and
 * keeps the view each move answers with, and the controller holds a debugger session on the
 * host's isolate (through the {@link WorkerHub}, as for worker threads).
 *
 * `print <task> <expression>` is evaluated in the task's own frame: the host calls the closure the
 * task's gate was given (`PEEK_CLOSURE`), which stops at its `debugger` statement with the
 * awaiting function's variables in scope, and the expression is evaluated there with
 * `throwOnSideEffect`; then the host is resumed. A name the frame does not have (the state's
 * properties, `state` in a method, `results`) is looked up in the scenario state as before.
 *
 * @module
 */
import { MessageChannel, Worker } from "node:worker_threads";
import { resolve } from "node:path";
import { CdpSession } from "../../cdp/session.js";
import { WorkerHub } from "../../controller/worker-hub.js";
import { TSX_ENV, isolateExecArgv } from "../../controller/isolate-options.js";
import { clock } from "../../controller/clock.js";
import { DebugCommandError, InterlaceError, TargetExitedError, type ErrorCategory } from "../../errors.js";
import type { Failure } from "../../engine/counterexample.js";
import type { ExploreStep } from "../../engine/task-explore.js";
import type { Protocol } from "../../protocol/cdp.js";
import type { FrameLine, InspectTarget, RunDriver, RunVerdict, ThreadStatus } from "../driver.js";
import type { Position } from "../held-run.js";
import { evaluationText } from "../remote-value.js";
import type { HostAnswer, HostData, HostError, HostReady, HostRequest, MoveView } from "./protocol.js";

const HOST_ENTRY = new URL("./host.js", import.meta.url);
/** How long the host may take to end its run and teardown, then to stop esbuild, when the session closes. */
const CLOSE_GRACE_MS = 5000;
let serial = 0;

/** Options of the task host. */
export interface TaskHostOptions {
  timeoutMs: number;
  maxSteps: number;
  tracePackages: readonly string[];
}

type Request = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A task thread as a DevTools target: the host's debugger session, stopped in this task's frame while it is shown. */
export interface TaskInspectTarget extends InspectTarget {
  /** A client looks at this task: stop the host in its frame (if it has one) and keep stopping there after moves. */
  show(): Promise<void>;
  /** Its last client left. */
  forget(): void;
}

/** A {@link RunDriver} of task threads running in a task host. */
export interface RemoteTaskDriver extends RunDriver {
  inspectTarget(thread: string): TaskInspectTarget;
  /** Calls `listener` when the task the host is stopped in changes outside a move (a `print`, a client's look). */
  onFocus(listener: () => void): () => void;
}

function toError(error: HostError): Error {
  if (error.code !== undefined && error.category !== undefined) return new InterlaceError(error.code, error.category as ErrorCategory, error.message);
  const out = new Error(error.message);
  out.name = error.name;
  return out;
}

async function waitAtMost(ms: number, ...events: Promise<unknown>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((done) => (timer = clock.setTimeout(done, ms)));
  await Promise.race([limit, ...events]);
  clock.clearTimeout(timer);
}

/** Starts the task host for `scenarioPath` and resolves once its scenario loaded. */
export async function remoteTaskDriver(scenarioPath: string, options: TaskHostOptions): Promise<RemoteTaskDriver> {
  const hub = await WorkerHub.acquire();
  const name = `interlace:${process.pid}:debug-tasks:${++serial}`;
  const expected = hub.expect(name);
  const compiler = new MessageChannel();
  const data: HostData = { scenario: resolve(scenarioPath), tracePackages: [...options.tracePackages], timeoutMs: options.timeoutMs, maxSteps: options.maxSteps };
  let worker: Worker;
  try {
    worker = new Worker(HOST_ENTRY, {
      name,
      workerData: { ...data, compiler: compiler.port2 },
      transferList: [compiler.port2],
      execArgv: isolateExecArgv(process.execArgv),
      env: { ...process.env, ...TSX_ENV },
    });
  } catch (error) {
    expected.cancel();
    WorkerHub.release();
    compiler.port1.close();
    throw error;
  }
  let exited = false;
  let uncaught: Error | null = null;
  const exit = new Promise<void>((done) => worker.once("exit", () => ((exited = true), done())));
  worker.on("error", (error: Error) => (uncaught = error));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let ids = 0;
  let readyAnswer: ((ready: HostReady) => void) | null = null;
  const ready = new Promise<HostReady>((done) => (readyAnswer = done));
  worker.on("message", (message: HostReady | HostAnswer) => {
    if ("type" in message) return readyAnswer?.(message);
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) call?.resolve(message.value);
    else call?.reject(toError(message.error));
  });
  const gone = (): Error => new TargetExitedError("task host", uncaught ? `uncaught ${uncaught.name}: ${uncaught.message}` : "the task threads' worker exited");
  void exit.then(() => {
    for (const call of pending.values()) call.reject(gone());
    pending.clear();
  });

  const transport = await Promise.race([expected.transport, exit.then(() => null)]);
  if (transport === null) {
    expected.cancel();
    WorkerHub.release();
    compiler.port1.close();
    throw gone();
  }
  const session = new CdpSession(transport, "task threads (worker)");
  const parsedScripts: Protocol.Debugger.ScriptParsedEvent[] = [];
  session.on("Debugger.scriptParsed", (script) => parsedScripts.push(script));
  /** Set while a peek is expected to stop the host; any other pause (a `debugger` statement in the user's code) is resumed at once. */
  let peeking: ((pause: Protocol.Debugger.PausedEvent) => void) | null = null;
  let paused: Protocol.Debugger.PausedEvent | null = null;
  session.on("Debugger.paused", (pause) => {
    paused = pause;
    const expected = peeking;
    peeking = null;
    if (expected !== null) expected(pause);
    else session.post("Debugger.resume");
  });
  session.on("Debugger.resumed", () => (paused = null));
  await session.send("Debugger.enable", {});

  let disposed = false;
  async function dispose(): Promise<void> {
    if (disposed) return exit;
    disposed = true;
    if (!exited) {
      if (paused !== null) session.post("Debugger.resume");
      const stopped = new Promise<void>((done) => compiler.port1.once("message", () => done()));
      compiler.port1.postMessage("stop");
      await waitAtMost(CLOSE_GRACE_MS, stopped, exit);
    }
    await worker.terminate();
    await exit;
    compiler.port1.close();
    session.close();
    WorkerHub.release();
  }

  const first = await Promise.race([ready, exit.then(() => null)]);
  if (first === null || first.type === "failed") {
    await dispose();
    throw first === null ? gone() : toError(first.error);
  }

  function call(request: Request): Promise<unknown> {
    if (exited) return Promise.reject(gone());
    const id = ++ids;
    return new Promise((done, fail) => {
      pending.set(id, { resolve: done, reject: fail });
      worker.postMessage({ ...request, id });
    });
  }

  let moved: MoveView | null = null;
  let steps: ExploreStep[] = [];
  function view(): MoveView {
    if (moved === null) throw new Error("no run in progress");
    return moved;
  }
  function keep(answer: unknown, fresh: boolean): Position {
    const next = answer as MoveView;
    steps = fresh ? [...next.newSteps] : [...steps, ...next.newSteps];
    moved = next;
    return next.position;
  }

  /**
   * The task the host is stopped in, if any: a task's frame can be looked at only while the host
   * is stopped in its closure, so one task at a time is "shown" (for `print` and the DevTools
   * clients of `--inspect`). Every other request resumes the host first.
   */
  let focus: { thread: string; pause: Protocol.Debugger.PausedEvent; done: Promise<unknown> } | null = null;
  /** Task threads a DevTools client looks at, the latest last: after a move the host stops in one of them. */
  const watched: string[] = [];
  const focusListeners = new Set<() => void>();
  const targets = new Map<string, TaskInspectTarget>();

  async function release(): Promise<void> {
    const shown = focus;
    if (shown === null) return;
    focus = null;
    session.post("Debugger.resume");
    await shown.done.catch(() => undefined);
  }

  /** Stops the host in `thread`'s frame; false when it has none (its start, a lock or callback gate, finished). */
  async function show(thread: string): Promise<boolean> {
    if (focus?.thread === thread) return true;
    await release();
    if (moved?.runnable === null) return false;
    const stop = new Promise<Protocol.Debugger.PausedEvent>((done) => (peeking = done));
    const asked = call({ op: "peek", thread });
    try {
      const pause = await Promise.race([stop, asked.then(() => null)]);
      if (pause === null || pause.callFrames[0] === undefined) {
        await asked;
        return false;
      }
      // The task's frame is the closure's; what lies under it is the host's message handling.
      focus = { thread, pause: { ...pause, callFrames: [pause.callFrames[0]], asyncStackTrace: undefined }, done: asked };
      return true;
    } finally {
      peeking = null;
    }
  }

  /** After a request or a move: stop in a watched task again (the one that moved, if watched). */
  async function restore(preferred: string | null): Promise<void> {
    const order = preferred !== null && watched.includes(preferred) ? [preferred, ...[...watched].reverse()] : [...watched].reverse();
    for (const thread of order) if (await show(thread)) return;
  }

  /** A request that needs the host running: released first, then stopped where it was (or in a watched task). */
  async function running<T>(request: () => Promise<T>, preferred: string | null = focus?.thread ?? null): Promise<T> {
    const before = focus?.pause ?? null;
    await release();
    try {
      return await request();
    } finally {
      await restore(preferred).catch(() => undefined);
      if ((focus?.pause ?? null) !== before) for (const listener of focusListeners) listener();
    }
  }

  return {
    kind: "task",
    names: first.names,
    start: (prefix) => running(async () => keep(await call({ op: "start", prefix: [...prefix] }), true)),
    take: (thread) => running(async () => keep(await call({ op: "take", thread }), false), thread),
    runnable: () => view().runnable,
    steps: () => steps,
    threads: (): ThreadStatus[] => view().threads,
    verdict: (): RunVerdict | null => view().verdict,
    async evaluate(thread, expression) {
      const before = focus?.pause ?? null;
      const framed = await show(thread);
      if (focus?.pause !== before) for (const listener of focusListeners) listener();
      const frame = framed ? focus?.pause.callFrames[0] : undefined;
      if (frame !== undefined) {
        try {
          const answer = await session.send("Debugger.evaluateOnCallFrame", {
            callFrameId: frame.callFrameId,
            expression,
            throwOnSideEffect: true,
            generatePreview: true,
            silent: true,
            objectGroup: "interlace-debug",
          });
          // A name the frame does not have is looked up in the state; one in its temporal dead zone is the frame's.
          const thrown = answer.exceptionDetails?.exception;
          if (!(thrown?.className === "ReferenceError" && /is not defined/.test(thrown.description ?? ""))) {
            return evaluationText(expression, answer.result, answer.exceptionDetails);
          }
        } finally {
          session.post("Runtime.releaseObjectGroup", { objectGroup: "interlace-debug" });
        }
      }
      return running(async () => (await call({ op: "evaluate", thread, expression })) as string);
    },
    async stack(thread): Promise<FrameLine[]> {
      const status = view().threads.find((t) => t.name === thread);
      if (status === undefined || status.state === "finished") throw new DebugCommandError("E_DEBUG_NOT_PAUSED", `Task "${thread}" is not parked at a gate: it ${status?.state ?? "is unknown"}.`);
      return [{ functionName: status.detail || status.state, where: status.where ?? null }];
    },
    async state() {
      const text = (await running(() => call({ op: "state" }))) as string;
      return { [Symbol.for("nodejs.util.inspect.custom")]: () => text };
    },
    invariant: () => running(async () => (await call({ op: "invariant" })) as Failure | null),
    root: () => first.root,
    inspectTarget(thread) {
      let target = targets.get(thread);
      if (target === undefined) {
        target = {
          cdpSession: session,
          parsedScripts,
          get stoppedAt() {
            return focus?.thread === thread ? { pause: focus.pause } : null;
          },
          async show() {
            const at = watched.indexOf(thread);
            if (at >= 0) watched.splice(at, 1);
            watched.push(thread);
            const before = focus?.pause ?? null;
            await show(thread);
            if ((focus?.pause ?? null) !== before) for (const listener of focusListeners) listener();
          },
          forget() {
            const at = watched.indexOf(thread);
            if (at >= 0) watched.splice(at, 1);
          },
        };
        targets.set(thread, target);
      }
      return target;
    },
    onFocus(listener) {
      focusListeners.add(listener);
      return () => focusListeners.delete(listener);
    },
    async close() {
      try {
        await release();
        if (!exited) await waitAtMost(CLOSE_GRACE_MS, call({ op: "close" }).catch(() => undefined));
      } finally {
        await dispose();
      }
    },
  };
}

