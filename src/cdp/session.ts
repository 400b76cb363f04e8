/**
 * A typed CDP session over any {@link Transport}: `send("Debugger.setBreakpoint", {...})` is checked
 * against devtools-protocol's types, and `on("Debugger.paused", ...)` receives typed events.
 * Knows nothing about scheduling.
 */
import { InspectorError } from "../errors.js";
import type { CommandName, CommandParams, CommandResult, EventName, EventParams, WireMessage } from "../protocol/cdp.js";
import { CallRegistry } from "./call-registry.js";
import type { Transport } from "./transport.js";

type Handler = (params: never) => void;

/** One CDP session to one isolate. */
export class CdpSession {
  readonly label: string;
  readonly #transport: Transport;
  readonly #calls = new CallRegistry();
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #closeHandlers = new Set<(reason?: Error) => void>();
  #closed = false;

  /** @param label names the target in error messages, e.g. `thread "t1"`. */
  constructor(transport: Transport, label: string) {
    this.label = label;
    this.#transport = transport;
    transport.onmessage = (message) => this.#dispatch(message);
    transport.onclose = (reason) => this.#onClose(reason);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a command and resolves with its result; rejects with an {@link InspectorError}. */
  send<M extends CommandName>(
    method: M,
    ...params: undefined extends CommandParams<M> ? [params?: CommandParams<M>] : [params: CommandParams<M>]
  ): Promise<CommandResult<M>> {
    if (this.#closed) return Promise.reject(new InspectorError(`${this.label}: ${method} sent after the inspector session closed`));
    const { id, promise } = this.#calls.create(method, this.label);
    this.#transport.send(JSON.stringify(params[0] === undefined ? { id, method } : { id, method, params: params[0] }));
    return promise as Promise<CommandResult<M>>;
  }

  /**
   * Sends a command without waiting for its reply (which is dropped, error or not): no pending
   * call, no error object. For the hot path (`Debugger.resume`) and for teardown. A no-op once
   * the session is closed.
   */
  post<M extends CommandName>(
    method: M,
    ...params: undefined extends CommandParams<M> ? [params?: CommandParams<M>] : [params: CommandParams<M>]
  ): void {
    if (this.#closed) return;
    const id = this.#calls.unregisteredId();
    this.#transport.send(JSON.stringify(params[0] === undefined ? { id, method } : { id, method, params: params[0] }));
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, handler: (params: EventParams<E>) => void): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  /** Called once when the session closes. */
  onClose(handler: (reason?: Error) => void): () => void {
    this.#closeHandlers.add(handler);
    return () => this.#closeHandlers.delete(handler);
  }

  /** Closes the transport; pending calls reject. */
  close(): void {
    this.#transport.close();
    this.#onClose();
  }

  #dispatch(raw: string): void {
    let message: WireMessage;
    try {
      message = JSON.parse(raw) as WireMessage;
    } catch {
      return;
    }
    if (message.id !== undefined) {
      this.#calls.settle(message.id, message.result, message.error);
      return;
    }
    if (message.method === undefined) return;
    const set = this.#handlers.get(message.method);
    if (!set) return;
    for (const handler of set) (handler as (p: unknown) => void)(message.params);
  }

  #onClose(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#calls.rejectAll(reason ? `inspector session closed (${reason.message})` : "inspector session closed");
    for (const handler of this.#closeHandlers) handler(reason);
    this.#closeHandlers.clear();
  }
}
