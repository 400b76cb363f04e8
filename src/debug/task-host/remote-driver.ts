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
import { DebugCommandError } from "../../errors.js";
import type { Failure } from "../../engine/counterexample.js";
import type { ExploreStep } from "../../engine/task-explore.js";
import type { Protocol } from "../../protocol/cdp.js";
import type { FrameLine, InspectTarget, RunDriver, RunVerdict, ThreadStatus } from "../driver.js";
import type { Position } from "../held-run.js";
import { evaluateInFrame, evaluationText } from "../remote-value.js";
import type { MoveView } from "./protocol.js";
import { CLOSE_GRACE_MS, connectTaskHost, type TaskHostOptions } from "./host-connection.js";
import { waitAtMost } from "../../controller/clock.js";

export type { TaskHostOptions } from "./host-connection.js";

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

/**
 * The closure's frame as the parked task's: the closure's own scope (its parameter) is dropped, and
 * the scope of the function it was made in — the parked function's — is the frame's local scope,
 * named after that function (a DevTools frontend expands the local scope and names the frame).
 */
function taskFrame(frame: Protocol.Debugger.CallFrame): Protocol.Debugger.CallFrame {
  const [own, parked, ...outer] = frame.scopeChain;
  if (own?.type !== "local" || parked === undefined || parked.type !== "closure") return frame;
  return { ...frame, functionName: parked.name ?? frame.functionName, scopeChain: [{ ...parked, type: "local" }, ...outer] };
}

/** Starts the task host for `scenarioPath` and resolves once its scenario loaded. */
export async function remoteTaskDriver(scenarioPath: string, options: TaskHostOptions): Promise<RemoteTaskDriver> {
  const host = await connectTaskHost(scenarioPath, options);
  const { session, parsedScripts, call } = host;
  const first = { names: host.names, root: host.root };

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

  /**
   * The session moves one command at a time, but a DevTools client's look (`show`) can come in the
   * middle of one: every entry point that stops or resumes the host runs after the one before.
   */
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = turn.then(work);
    turn = result.catch(() => undefined);
    return result;
  }

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
    const { pause, answered } = await host.stopIn(thread);
    if (pause === null || pause.callFrames[0] === undefined) {
      if (pause !== null) session.post("Debugger.resume");
      await answered;
      return false;
    }
    // The task's frame is the closure's; what lies under it is the host's message handling.
    focus = { thread, pause: { ...pause, callFrames: [taskFrame(pause.callFrames[0])], asyncStackTrace: undefined }, done: answered };
    return true;
  }

  /** Tells the listeners when the task shown changed since `before` (a pause object is replaced on each stop). */
  function changedSince(before: Protocol.Debugger.PausedEvent | null): void {
    if ((focus?.pause ?? null) !== before) for (const listener of focusListeners) listener();
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
      changedSince(before);
    }
  }

  return {
    kind: "task",
    names: first.names,
    start: (prefix) => exclusive(() => running(async () => keep(await call({ op: "start", prefix: [...prefix] }), true))),
    take: (thread) => exclusive(() => running(async () => keep(await call({ op: "take", thread }), false), thread)),
    runnable: () => view().runnable,
    steps: () => steps,
    threads: (): ThreadStatus[] => view().threads,
    verdict: (): RunVerdict | null => view().verdict,
    evaluate: (thread, expression) => exclusive(async () => {
      const before = focus?.pause ?? null;
      const framed = await show(thread);
      changedSince(before);
      const frame = framed ? focus?.pause.callFrames[0] : undefined;
      if (frame !== undefined) {
        const answer = await evaluateInFrame(session, frame.callFrameId, expression);
        // A name the frame does not have is looked up in the state; one in its temporal dead zone is the frame's.
        const thrown = answer.exceptionDetails?.exception;
        if (!(thrown?.className === "ReferenceError" && /is not defined/.test(thrown.description ?? ""))) {
          return evaluationText(expression, answer.result, answer.exceptionDetails);
        }
      }
      return running(async () => (await call({ op: "evaluate", thread, expression })) as string);
    }),
    async stack(thread): Promise<FrameLine[]> {
      const status = view().threads.find((t) => t.name === thread);
      if (status === undefined || status.state === "finished") throw new DebugCommandError("E_DEBUG_NOT_PAUSED", `Task "${thread}" is not parked at a gate: it ${status?.state ?? "is unknown"}.`);
      return [{ functionName: status.detail || status.state, where: status.where ?? null }];
    },
    async state() {
      const text = (await exclusive(() => running(() => call({ op: "state" })))) as string;
      return { [Symbol.for("nodejs.util.inspect.custom")]: () => text };
    },
    invariant: () => exclusive(() => running(async () => (await call({ op: "invariant" })) as Failure | null)),
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
          show: () =>
            exclusive(async () => {
              const at = watched.indexOf(thread);
              if (at >= 0) watched.splice(at, 1);
              watched.push(thread);
              const before = focus?.pause ?? null;
              await show(thread);
              changedSince(before);
            }),
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
        if (!host.exited) await waitAtMost(CLOSE_GRACE_MS, call({ op: "close" }).catch(() => undefined));
      } finally {
        await host.dispose();
      }
    },
  };
}

