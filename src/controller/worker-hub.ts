/**
 * One in-process inspector session per process, shared by every run, that reaches worker_threads
 * through Node's NodeWorker domain (~0.2 ms per pause/resume; no port is opened). Workers are
 * matched to their owner by the unique `name` given to `new Worker`; any other worker (tsx's
 * esbuild service, loader-hook threads, user workers) is ignored and never waits.
 */
import { Session } from "node:inspector";
import { InspectorError } from "../errors.js";
import type { Transport } from "../cdp/transport.js";
import type { AttachedToWorkerEvent, DetachedFromWorkerEvent, ReceivedMessageFromWorkerEvent } from "../protocol/node-worker.js";

interface Expectation {
  resolve: (transport: Transport) => void;
}

/** A transport to one worker's inspector, multiplexed over the hub's session. */
class WorkerTransport implements Transport {
  onmessage?: ((message: string) => void) | undefined;
  onclose?: ((reason?: Error) => void) | undefined;
  readonly #hub: WorkerHub;
  readonly #sessionId: string;
  #closed = false;

  constructor(hub: WorkerHub, sessionId: string) {
    this.#hub = hub;
    this.#sessionId = sessionId;
  }

  send(message: string): void {
    if (!this.#closed) this.#hub.post("NodeWorker.sendMessageToWorker", { sessionId: this.#sessionId, message });
  }

  /**
   * Stops using the worker's session. No NodeWorker.detach is sent: interlace closes a session only
   * once its worker has exited, and detaching an exited worker's session goes through the same
   * MainThreadInterface::Post that aborts the process (see worker-entry.mjs). Node detaches the
   * sessions of exiting workers itself.
   */
  close(): void {
    this.closed();
  }

  /** The hub saw the worker detach (it exited). */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.forget(this.#sessionId);
    this.onclose?.();
  }
}

/** The process-wide NodeWorker session. Use {@link WorkerHub.acquire} / {@link WorkerHub.release}. */
export class WorkerHub {
  static #instance: WorkerHub | null = null;
  static #users = 0;

  readonly #session = new Session();
  readonly #expected = new Map<string, Expectation>();
  readonly #transports = new Map<string, WorkerTransport>();
  #queue: (() => void)[] = [];
  #ready: Promise<void>;

  private constructor() {
    this.#session.connect();
    this.#session.on("NodeWorker.attachedToWorker", (m: { params: AttachedToWorkerEvent }) => this.#defer(() => this.#attached(m.params)));
    this.#session.on("NodeWorker.detachedFromWorker", (m: { params: DetachedFromWorkerEvent }) =>
      this.#defer(() => this.#transports.get(m.params.sessionId)?.closed()),
    );
    this.#session.on("NodeWorker.receivedMessageFromWorker", (m: { params: ReceivedMessageFromWorkerEvent }) =>
      this.#defer(() => this.#transports.get(m.params.sessionId)?.onmessage?.(m.params.message)),
    );
    this.#ready = new Promise((resolve, reject) => {
      this.#session.post("NodeWorker.enable", { waitForDebuggerOnStart: false }, (error) =>
        error ? reject(new InspectorError(`Cannot enable the NodeWorker inspector domain: ${error.message}`)) : resolve(),
      );
    });
  }

  /**
   * Node delivers in-process inspector events from V8 interrupts, in the middle of whatever
   * JavaScript the main thread runs, Node's own timer code included (nodejs/node#65028). Running
   * the controller there re-enters it and can corrupt the timer list. So events are only queued
   * here, and handled, in order, from a microtask: at a point where no other JavaScript is midway.
   */
  #defer(handle: () => void): void {
    this.#queue.push(handle);
    if (this.#queue.length === 1) queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    // Handlers may queue more (a drain is then already scheduled by the first push after this one).
    const batch = this.#queue;
    this.#queue = [];
    for (const handle of batch) handle();
  }

  /** Takes a reference to the shared hub, creating it on first use. */
  static async acquire(): Promise<WorkerHub> {
    WorkerHub.#users += 1;
    WorkerHub.#instance ??= new WorkerHub();
    await WorkerHub.#instance.#ready;
    return WorkerHub.#instance;
  }

  /** Drops a reference; the last one disconnects the session. */
  static release(): void {
    WorkerHub.#users -= 1;
    if (WorkerHub.#users === 0 && WorkerHub.#instance) {
      WorkerHub.#instance.#session.disconnect();
      WorkerHub.#instance = null;
    }
  }

  /** True while a hub session is connected (tests use it to prove nothing is left behind). */
  static get active(): boolean {
    return WorkerHub.#instance !== null;
  }

  /** Resolves with a transport when the worker created with `name` attaches. Register before creating it. */
  expect(name: string): { transport: Promise<Transport>; cancel: () => void } {
    let resolve!: (t: Transport) => void;
    const transport = new Promise<Transport>((r) => (resolve = r));
    this.#expected.set(name, { resolve });
    return { transport, cancel: () => this.#expected.delete(name) };
  }

  /** @internal */
  post(method: string, params: object): void {
    this.#session.post(method, params, () => {});
  }

  /** @internal */
  forget(sessionId: string): void {
    this.#transports.delete(sessionId);
  }

  #attached(event: AttachedToWorkerEvent): void {
    const name = event.workerInfo.title.replace(/^\[worker \d+\] /, "");
    const expectation = this.#expected.get(name);
    // Someone else's worker (tsx's loader thread, user code): left alone. It never waits for us
    // (waitForDebuggerOnStart is off) and Node detaches it when it exits; detaching it here could
    // race with that exit.
    if (!expectation) return;
    this.#expected.delete(name);
    const transport = new WorkerTransport(this, event.sessionId);
    this.#transports.set(event.sessionId, transport);
    expectation.resolve(transport);
  }
}
