/**
 * Launches a thread in a worker_thread and connects to its inspector through the {@link WorkerHub}.
 * The state is structured-cloned into the worker, so SharedArrayBuffers are shared.
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { CdpSession } from "../cdp/session.js";
import { TargetExitedError } from "../errors.js";
import type { ThreadLaunch } from "../protocol/messages.js";
import type { RunnerEvent } from "../protocol/messages.js";
import { WorkerHub } from "./worker-hub.js";
import type { IoAccesses, TargetListener, ThreadTarget } from "./thread-target.js";
import { drainIoChannel } from "../runtime/io-channel.mjs";
import type { OutputSink } from "./output.js";
import { waitAtMost } from "./clock.js";
import { TSX_ENV, isolateExecArgv } from "./isolate-options.js";

const WORKER_ENTRY = new URL("../runtime/worker-entry.mjs", import.meta.url);
const SHUTDOWN_GRACE_MS = 2000;
let serial = 0;

/** A worker_thread running one thread. */
export class WorkerTarget implements ThreadTarget {
  readonly thread: string;
  readonly kind = "worker" as const;
  readonly session: CdpSession;
  readonly #worker: Worker;
  /** Go-aheads for the ready point (see run-thread.mjs). */
  readonly #proceed: MessagePort;
  readonly #exited: Promise<void>;
  /** TypeScript threads: the controller's end of a channel to tsx's compiler hooks (tsx-compiler.mjs). */
  readonly #compiler: MessagePort | null;
  #hasExited = false;
  #disposed = false;
  /** The io channel of `launch.io` (the controller reads it while the worker is paused). */
  #ioChannel: SharedArrayBuffer | null = null;

  private constructor(thread: string, worker: Worker, session: CdpSession, exited: Promise<void>, compiler: MessagePort | null, proceed: MessagePort) {
    this.#compiler = compiler;
    this.#proceed = proceed;
    this.thread = thread;
    this.#worker = worker;
    this.session = session;
    this.#exited = exited;
  }

  /** Starts the worker and resolves once its inspector is attached (before any user code loads). */
  static async launch(launch: ThreadLaunch, state: unknown, listener: TargetListener, output: OutputSink): Promise<WorkerTarget> {
    const hub = await WorkerHub.acquire();
    const name = `interlace:${process.pid}:${++serial}:${launch.thread}`;
    const expected = hub.expect(name);
    let worker: Worker;
    const proceed = new MessageChannel();
    const compiler = launch.useTsx ? new MessageChannel() : null;
    const close = () => {
      proceed.port1.close();
      compiler?.port1.close();
    };
    try {
      worker = new Worker(WORKER_ENTRY, {
        name,
        workerData: { launch, state, proceed: proceed.port2, ...(compiler ? { compiler: compiler.port2 } : {}) },
        transferList: compiler ? [proceed.port2, compiler.port2] : [proceed.port2],
        stdout: true,
        stderr: true,
        execArgv: isolateExecArgv(process.execArgv),
        env: { ...process.env, ...TSX_ENV },
      });
    } catch (error) {
      expected.cancel();
      WorkerHub.release();
      close();
      throw error;
    }
    output.attach(launch.thread, worker.stdout, worker.stderr);
    worker.on("message", (event: RunnerEvent) => listener.runner(event));
    let uncaught: Error | undefined;
    worker.on("error", (error: Error) => {
      uncaught = error;
    });
    let target: WorkerTarget | undefined;
    const exited = new Promise<void>((resolve) => {
      worker.once("exit", (code) => {
        if (target) target.#hasExited = true;
        // The runtime never ends a worker by itself (see worker-entry.mjs): unless dispose() did,
        // an exit is a fault.
        if (!target?.disposed) {
          listener.exit(
            uncaught
              ? { detail: `uncaught ${uncaught.name}: ${uncaught.message}`, stack: uncaught.stack ?? String(uncaught) }
              : { detail: `the worker exited with code ${code} (process.exit() in a worker ends that worker)` },
          );
        }
        resolve();
      });
    });
    const transport = await Promise.race([expected.transport, exited.then(() => null)]);
    if (!transport) {
      close();
      expected.cancel();
      WorkerHub.release();
      throw new TargetExitedError(launch.thread, "the worker exited before interlace could attach to its inspector");
    }
    const session = new CdpSession(transport, `thread "${launch.thread}" (worker)`);
    target = new WorkerTarget(launch.thread, worker, session, exited, compiler?.port1 ?? null, proceed.port1);
    target.#ioChannel = launch.io?.channel ?? null;
    return target;
  }

  /** True once {@link dispose} was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  go(): void {
    this.#worker.postMessage("go");
  }

  takeIoAccesses(): IoAccesses {
    const channel = this.#ioChannel;
    if (channel === null) return { accesses: [], dropped: 0 };
    const { accesses, dropped } = drainIoChannel(channel);
    return { accesses: accesses as IoAccesses["accesses"], dropped };
  }

  /** Asks the compiler hooks to stop esbuild; resolves on their answer, the worker's exit, or after a grace period. */
  async #stopCompiler(): Promise<void> {
    const port = this.#compiler!;
    const stopped = new Promise<void>((resolve) => port.once("message", () => resolve()));
    port.postMessage("stop");
    await waitAtMost(SHUTDOWN_GRACE_MS, stopped, this.#exited);
  }

  proceed(): void {
    this.#proceed.postMessage(true);
  }

  again(state: unknown): void {
    if (this.#ioChannel !== null) drainIoChannel(this.#ioChannel);
    this.#worker.postMessage({ type: "again", state });
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return this.#exited;
    this.#disposed = true;
    if (!this.#hasExited) {
      // First, while the thread stays where it is (paused, blocked or idle), stop tsx's esbuild
      // process from the loader hooks thread, whose event loop must reap it (see tsx-compiler.mjs).
      if (this.#compiler) await this.#stopCompiler();
      // A worker paused at a breakpoint does not terminate: disabling the debugger resumes it (and
      // removes every breakpoint, so it cannot pause again). The message is queued before the
      // termination request and the worker's pause loop handles it. Never message a worker that
      // has exited (see worker-entry.mjs), and never wait for the reply.
      if (!this.#hasExited && !this.session.closed) this.session.post("Debugger.disable");
    }
    await this.#worker.terminate();
    await this.#exited;
    this.#proceed.close();
    this.#compiler?.close();
    this.session.close();
    WorkerHub.release();
  }
}
