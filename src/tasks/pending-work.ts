/**
 * Which tasks are waiting on the outside world: timers, file system requests, DNS, connects,
 * socket writes and the reply to them. Counted with async_hooks, per owner (the task whose async
 * context created the resource), so the task runtime can tell "still busy, wait for it" from
 * "waiting for another task" without looking at the clock.
 *
 * A resource is pending from its `init` until its callback first runs (`before`) or it is
 * destroyed. Long-lived handles (sockets, pipes, TTYs, message ports, file handles, intervals) are
 * not pending work by themselves: they would never complete. Nor is a timer that was `unref()`ed
 * (a background timer: Node would not wait for it either), checked whenever the count is read and
 * whenever a timer is unref'ed. Where each timer was armed is kept for the timeout message. A write to a TCP socket, however,
 * makes the socket pending for its writer until the socket next delivers data, so a task awaiting
 * a database reply counts as busy, not blocked. Writes are seen by wrapping `net.Socket#write`
 * while enabled: a small write completes synchronously and creates no async resource at all.
 *
 * @module
 */
import { createHook, type AsyncHook } from "node:async_hooks";
import { Socket } from "node:net";
import { markModelled, markStandIn } from "../access/callees.js";
import { outsidePosition } from "./dispatcher.js";

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
  /** Timers: the Timeout object (asked `hasRef()`), and where it was armed. */
  timer?: { hasRef?: () => boolean };
  armedAt?: string;
}


/** The prototype of Node's Timeout objects (their `unref` is watched while enabled). */
const TimeoutPrototype = (() => {
  const timer = setTimeout(() => {}, 0);
  clearTimeout(timer);
  return Object.getPrototypeOf(timer) as { unref(): unknown };
})();

/** Pending work per owner. */
export class PendingWork<T extends object> {
  readonly #hook: AsyncHook;
  readonly #entries = new Map<number, Entry<T>>();
  readonly #counts = new Map<T, number>();
  readonly #onSettled: () => void;
  readonly #ownerOf: () => T | undefined;
  #socketWrite: Socket["write"] | undefined;
  #unref: (() => unknown) | undefined;
  /** Items added and not completed, unref'ed timers included (see {@link total}). */
  #total = 0;
  /** Owners waiting for a lock: their database replies are not pending work (see {@link hold}). */
  readonly #held = new Set<T>();
  /** Called when a reply of a held owner arrives anyway. */
  onHeldReply: ((owner: T) => void) | undefined;

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
        const entry: Entry<T> = { owner, type };
        if (type === "Timeout") {
          entry.timer = resource as Entry<T>["timer"] & object;
          const armedAt = armingSite();
          if (armedAt !== undefined) entry.armedAt = armedAt;
        }
        this.#add(id, entry);
      },
      before: (id) => this.#complete(id),
      destroy: (id) => this.#complete(id),
    });
  }

  enable(): void {
    this.#hook.enable();
    const unref = TimeoutPrototype.unref;
    const onUnref = () => {
      if (this.#total > 0 && this.total === 0) this.#onSettled();
    };
    this.#unref = unref;
    TimeoutPrototype.unref = function (this: unknown) {
      const result = unref.call(this);
      onUnref();
      return result;
    };
    markModelled(TimeoutPrototype.unref);
    const write = Socket.prototype.write;
    const onWrite = (socket: Socket) => this.#awaitReply(socket);
    this.#socketWrite = write;
    Socket.prototype.write = function (this: Socket, ...args: Parameters<Socket["write"]>) {
      onWrite(this);
      return write.apply(this, args);
    } as Socket["write"];
    // The stand-in only watches: a call of it is judged as a call of Node's own write.
    markStandIn(Socket.prototype.write, write);
  }

  disable(): void {
    this.#hook.disable();
    if (this.#unref) TimeoutPrototype.unref = this.#unref;
    this.#unref = undefined;
    if (this.#socketWrite) Socket.prototype.write = this.#socketWrite;
    this.#socketWrite = undefined;
    this.#entries.clear();
    this.#counts.clear();
    this.#held.clear();
    this.#total = 0;
  }

  /**
   * The owner waits for something no reply will settle soon (a lock another owner holds): its
   * TCP replies, sent or to come, stop counting as pending work until {@link unhold}, or until one
   * arrives ({@link onHeldReply} is told).
   */
  hold(owner: T): void {
    this.#held.add(owner);
    if (this.#total > 0 && this.total === 0) this.#onSettled();
  }

  unhold(owner: T): void {
    this.#held.delete(owner);
  }

  isHeld(owner: T): boolean {
    return this.#held.has(owner);
  }

  /** Pending items of all owners (background timers and held replies not counted). */
  get total(): number {
    if (this.#total === 0) return 0;
    let background = 0;
    for (const entry of this.#entries.values()) if (this.#ignored(entry)) background += 1;
    return this.#total - background;
  }

  /** Pending items of one owner (background timers and held replies not counted). */
  count(owner: T): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.owner === owner && !this.#ignored(entry)) n += 1;
    return n;
  }

  /** Whether every pending item of the owner is a TCP reply (and it has some). */
  onlyReplies(owner: T): boolean {
    let replies = 0;
    for (const entry of this.#entries.values()) {
      if (entry.owner !== owner || this.#ignored(entry)) continue;
      if (entry.type !== "TCP reply") return false;
      replies += 1;
    }
    return replies > 0;
  }

  #ignored(entry: Entry<T>): boolean {
    return isBackground(entry) || (entry.type === "TCP reply" && this.#held.has(entry.owner));
  }

  /** One owner's pending items, e.g. `["a timer armed at src/app.ts:12:5", "FSREQPROMISE"]` (for messages). */
  describe(owner: T): string[] {
    const items = new Set<string>();
    for (const entry of this.#entries.values()) {
      if (entry.owner !== owner || isBackground(entry)) continue;
      items.add(entry.type === "Timeout" ? `a timer${entry.armedAt ? ` armed at ${entry.armedAt}` : ""}` : entry.type);
    }
    return [...items];
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
    if (entry.type === "TCP reply" && this.#held.has(entry.owner)) {
      this.#held.delete(entry.owner);
      this.onHeldReply?.(entry.owner);
    }
    if (this.total === 0) this.#onSettled();
  }
}

/** A timer nothing waits for: `unref()`ed. */
function isBackground(entry: Entry<unknown>): boolean {
  return entry.timer !== undefined && entry.timer.hasRef?.() === false;
}

/** Where a timer was armed: the first frame outside Node's own code and interlace's. */
function armingSite(): string | undefined {
  return outsidePosition(armingSite);
}
