/**
 * The task host as the controller holds it: the worker (started with the scenario's path), a
 * request/answer channel on its port, and a debugger session on its isolate through the
 * {@link WorkerHub}. A pause the controller did not ask for (a `debugger` statement in the user's
 * code) is resumed at once; {@link HostConnection.stopIn} asks the host to stop in a task's frame.
 *
 * @module
 */
import { MessageChannel, Worker } from "node:worker_threads";
import { resolve } from "node:path";
import { CdpSession } from "../../cdp/session.js";
import { WorkerHub } from "../../controller/worker-hub.js";
import { TSX_ENV, isolateExecArgv } from "../../controller/isolate-options.js";
import { waitAtMost } from "../../controller/clock.js";
import { InterlaceError, TargetExitedError, type ErrorCategory } from "../../errors.js";
import type { Protocol } from "../../protocol/cdp.js";
import type { HostAnswer, HostData, HostError, HostReady, HostRequest } from "./protocol.js";

const HOST_ENTRY = new URL("./host.js", import.meta.url);
/** How long the host may take to end its run and teardown, then to stop esbuild, when the session closes. */
export const CLOSE_GRACE_MS = 5000;
let serial = 0;

/** Options of the task host. */
export interface TaskHostOptions {
  timeoutMs: number;
  maxSteps: number;
  tracePackages: readonly string[];
}

/** A request without its id. */
export type Request = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A started task host. */
export interface HostConnection {
  readonly names: string[];
  readonly root: string;
  readonly session: CdpSession;
  readonly parsedScripts: readonly Protocol.Debugger.ScriptParsedEvent[];
  readonly exited: boolean;
  /** Sends a request; resolves with its answer (rejects with the host's error, or when the host is gone). */
  call(request: Request): Promise<unknown>;
  /**
   * Asks the host to call `thread`'s frame closure: resolves with the pause it stopped at (the host
   * stays stopped until `Debugger.resume`, and `answered` settles after it), or null when the task
   * has no closure (`answered` has settled then).
   */
  stopIn(thread: string): Promise<{ pause: Protocol.Debugger.PausedEvent | null; answered: Promise<unknown> }>;
  /** Stops esbuild, terminates the worker, closes the session. Idempotent. */
  dispose(): Promise<void>;
}

function toError(error: HostError): Error {
  if (error.code !== undefined && error.category !== undefined) return new InterlaceError(error.code, error.category as ErrorCategory, error.message);
  const out = new Error(error.message);
  out.name = error.name;
  return out;
}

/** Starts the task host for `scenarioPath` and resolves once its scenario loaded. */
export async function connectTaskHost(scenarioPath: string, options: TaskHostOptions): Promise<HostConnection> {
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

  return {
    names: first.names,
    root: first.root,
    session,
    parsedScripts,
    get exited() {
      return exited;
    },
    call,
    async stopIn(thread) {
      const stop = new Promise<Protocol.Debugger.PausedEvent>((done) => (peeking = done));
      const answered = call({ op: "peek", thread });
      try {
        const pause = await Promise.race([stop, answered.then(() => null)]);
        return { pause, answered };
      } finally {
        peeking = null;
      }
    },
    dispose,
  };
}
