/**
 * Which tasks are waiting on the outside world: timers, file system requests, DNS, connects,
 * socket writes and the reply to them. Counted with async_hooks, per owner (the task whose async
 * context created the resource), so the task runtime can tell "still busy, wait for it" from
 * "waiting for another task" without looking at the clock.
 *
 * A resource is pending from its `init` until its callback first runs (`before`) or it is
 * destroyed. Long-lived handles (sockets, pipes, TTYs, message ports, file handles, intervals) are
 * not pending work by themselves: they would never complete. A write to a TCP socket, however,
 * makes the socket pending for its writer until the socket next delivers data, so a task awaiting
 * a database reply counts as busy, not blocked. Writes are seen by wrapping `net.Socket#write`
 * while enabled: a small write completes synchronously and creates no async resource at all.
 *
 * @module
 */
import { createHook, type AsyncHook } from "node:async_hooks";
import { Socket } from "node:net";

/** Resource types that never count as pending work. */
const LONG_LIVED = new Set([
  "PROMISE", "TickObject", "Microtask", "TCPWRAP", "TCPSERVERWRAP", "PIPEWRAP", "PIPESERVERWRAP", "TTYWRAP",
  "UDPWRAP", "SIGNALWRAP", "FSEVENTWRAP", "STATWATCHER", "MESSAGEPORT", "WORKER", "HTTPINCOMINGMESSAGE",
  "HTTPCLIENTREQUEST", "JSSTREAM", "JSUDPWRAP", "ELDHISTOGRAM", "DNSCHANNEL", "FILEHANDLE", "STREAMPIPE",
  "HEAPSNAPSHOT", "INSPECTORJSBINDING", "SIGINTWATCHDOG", "BLOBREADER",
]);

interface Entry<T> {
  owner: T;
  type: string;
}

/** Pending work per owner. */
export class PendingWork<T extends object> {
  readonly #hook: AsyncHook;
  readonly #entries = new Map<number, Entry<T>>();
  readonly #counts = new Map<T, number>();
  readonly #onSettled: () => void;
  readonly #ownerOf: () => T | undefined;
  #socketWrite: Socket["write"] | undefined;
  #total = 0;

  /**
   * @param ownerOf - The owner of the code running now (`undefined` outside every owner).
   * @param onSettled - Called (synchronously, inside the hook) when an owner's last pending item completes.
   */
  constructor(ownerOf: () => T | undefined, onSettled: () => void) {
    this.#onSettled = onSettled;
    this.#ownerOf = ownerOf;
    this.#hook = createHook({
      init: (id, type, _trigger, resource) => {
        if (LONG_LIVED.has(type)) return;
        const owner = ownerOf();
        if (owner === undefined) return;
        if (type === "Timeout" && (resource as { _repeat?: unknown })._repeat) return;
        this.#add(id, { owner, type });
      },
      before: (id) => this.#complete(id),
      destroy: (id) => this.#complete(id),
    });
  }

  enable(): void {
    this.#hook.enable();
    const write = Socket.prototype.write;
    const onWrite = (socket: Socket) => this.#awaitReply(socket);
    this.#socketWrite = write;
    Socket.prototype.write = function (this: Socket, ...args: Parameters<Socket["write"]>) {
      onWrite(this);
      return write.apply(this, args);
    } as Socket["write"];
  }

  disable(): void {
    this.#hook.disable();
    if (this.#socketWrite) Socket.prototype.write = this.#socketWrite;
    this.#socketWrite = undefined;
    this.#entries.clear();
    this.#counts.clear();
    this.#total = 0;
  }

  /** Pending items of all owners. */
  get total(): number {
    return this.#total;
  }

  /** Pending items of one owner. */
  count(owner: T): number {
    return this.#counts.get(owner) ?? 0;
  }

  /** Types of one owner's pending items, e.g. `["Timeout", "FSREQPROMISE"]` (for messages). */
  describe(owner: T): string[] {
    const types = new Set<string>();
    for (const entry of this.#entries.values()) if (entry.owner === owner) types.add(entry.type);
    return [...types];
  }

  /** A task writes on a TCP or TLS socket: the socket's next data (its `before` hook) settles the reply. */
  #awaitReply(socket: Socket): void {
    const owner = this.#ownerOf();
    if (owner === undefined) return;
    const handle = (socket as unknown as { _handle?: { constructor?: { name?: string }; getAsyncId?: () => number } })._handle;
    const kind = handle?.constructor?.name;
    if ((kind !== "TCP" && kind !== "TLSWrap") || typeof handle?.getAsyncId !== "function") return;
    const socketId = handle.getAsyncId();
    if (!this.#entries.has(socketId)) this.#add(socketId, { owner, type: "TCP reply" });
  }

  #add(id: number, entry: Entry<T>): void {
    this.#entries.set(id, entry);
    this.#counts.set(entry.owner, (this.#counts.get(entry.owner) ?? 0) + 1);
    this.#total += 1;
  }

  #complete(id: number): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    const left = (this.#counts.get(entry.owner) ?? 1) - 1;
    this.#counts.set(entry.owner, left);
    this.#total -= 1;
    if (this.#total === 0) this.#onSettled();
  }
}
