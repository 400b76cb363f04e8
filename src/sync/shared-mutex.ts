/**
 * A mutex for worker threads: one Int32 cell of a SharedArrayBuffer, so it travels in scenario
 * state and every worker locks the same memory.
 *
 * Outside interlace it is a plain Atomics lock (compare-and-swap, `Atomics.wait` while another
 * thread holds it, `Atomics.notify` on release when someone waits). In a worker that interlace
 * records (its launch has an access ring), taking and giving it back are reported as
 * `acquire`/`release` of `lock:sab#<id>@<byteOffset>` (its own Atomics operations on the cell are
 * not data accesses), so DPOR orders critical sections by the lock and explores only the orders in
 * which threads take it; and when the controller turned lock gates on, `lock()` first stops at
 * `interlaceLockGate` (LOCK_GATE_FUNCTION) with the lock it wants in the ring header: the thread
 * is resumed only when the lock is free, so waiting for a held lock is simply not being runnable.
 *
 * The owner is the thread (`worker_threads.threadId`): a thread that locks it twice, or unlocks a
 * lock another thread holds, gets a UsageError (`E_USAGE`). It is not reentrant, and async code
 * of one thread cannot hold it in turns.
 *
 * ```ts
 * // setup(): return { lock: new SharedMutex("account"), balance: new Int32Array(new SharedArrayBuffer(4)) };
 * // in a worker:
 * const lock = SharedMutex.from(state.lock);
 * lock.withLock(() => { state.balance[0] += 10; });
 * ```
 */
import { threadId } from "node:worker_threads";
import { markModelledClass } from "../access/callees.js";
import { UsageError } from "../errors.js";
import { SHARED_MEMORY_HOOK } from "../protocol/messages.js";

/** A lock as the runtime knows it (runtime/lock-hooks.mjs). */
interface LockHandle {
  readonly id: number;
  readonly byteOffset: number;
}

/** The runtime hook of a recorded worker (runtime/lock-hooks.mjs). */
interface SharedMemoryHook {
  lockOf(buffer: SharedArrayBuffer, byteOffset: number): LockHandle | null;
  gate(handle: LockHandle): void;
  acquired(handle: LockHandle): void;
  released(handle: LockHandle): void;
}

/** Lock word: 0 free, else the owner's tag, with this bit set once another thread waits. */
const CONTENDED = 1 << 30;
const OWNER = threadId + 1;
const HOOK_KEY = Symbol.for(SHARED_MEMORY_HOOK);

function hook(): SharedMemoryHook | undefined {
  return (globalThis as unknown as Record<symbol, SharedMemoryHook | undefined>)[HOOK_KEY];
}

/** What {@link SharedMutex.from} accepts. */
export type SharedMutexLike =
  | SharedMutex
  | SharedArrayBuffer
  | Int32Array
  | { readonly buffer: SharedArrayBuffer; readonly byteOffset: number; readonly name?: string | undefined };

/** A lock over one Int32 cell of a SharedArrayBuffer, for worker threads. */
export class SharedMutex {
  /** How reports call this lock (else its path in the state, e.g. `accounts[1].lock`). */
  readonly name: string | undefined;
  /** The memory of the lock word. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the lock word in {@link buffer} (a multiple of 4). */
  readonly byteOffset: number;
  readonly #cell: Int32Array;

  /**
   * A new lock in a SharedArrayBuffer of its own, or over the Int32 cell at `byteOffset` of
   * `buffer` (which must be 0 until the lock is used).
   */
  constructor(name?: string, buffer?: SharedArrayBuffer, byteOffset = 0) {
    if (name !== undefined && (typeof name !== "string" || name === "")) throw new UsageError(`new SharedMutex(name): the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    if (buffer !== undefined && !(buffer instanceof SharedArrayBuffer)) throw new UsageError("new SharedMutex(name, buffer): buffer must be a SharedArrayBuffer.");
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0) {
      throw new UsageError(`new SharedMutex(name, buffer, byteOffset): byteOffset must be a non-negative multiple of 4, got ${byteOffset}.`);
    }
    this.name = name;
    this.buffer = buffer ?? new SharedArrayBuffer(4);
    this.byteOffset = byteOffset;
    if (byteOffset + 4 > this.buffer.byteLength) throw new UsageError(`new SharedMutex(): byteOffset ${byteOffset} is past the end of a ${this.buffer.byteLength}-byte buffer.`);
    this.#cell = new Int32Array(this.buffer, byteOffset, 1);
  }

  /**
   * The lock `value` stands for: a SharedMutex itself, its structured clone (what a worker finds
   * in its state), its SharedArrayBuffer (cell at byte 0), or an Int32Array whose first element is the cell.
   */
  static from(value: SharedMutexLike): SharedMutex {
    if (value instanceof SharedMutex) return value;
    if (value instanceof SharedArrayBuffer) return new SharedMutex(undefined, value, 0);
    if (value instanceof Int32Array && value.buffer instanceof SharedArrayBuffer) return new SharedMutex(undefined, value.buffer, value.byteOffset);
    const clone = value as { buffer?: unknown; byteOffset?: unknown; name?: unknown } | null;
    if (typeof clone === "object" && clone !== null && clone.buffer instanceof SharedArrayBuffer && typeof clone.byteOffset === "number") {
      return new SharedMutex(clone.name === undefined ? undefined : String(clone.name), clone.buffer, clone.byteOffset);
    }
    throw new UsageError("SharedMutex.from(value): expected a SharedMutex, its structured clone, a SharedArrayBuffer or an Int32Array over one.");
  }

  /** Whether some thread holds it. */
  get isLocked(): boolean {
    return Atomics.load(this.#cell, 0) !== 0;
  }

  /** Takes the lock, waiting (`Atomics.wait`) as long as another thread holds it. */
  lock(): void {
    const runtime = hook();
    const handle = runtime?.lockOf(this.buffer, this.byteOffset) ?? null;
    this.#notMine("lock");
    if (handle !== null) runtime!.gate(handle);
    const cell = this.#cell;
    let word = Atomics.compareExchange(cell, 0, 0, OWNER);
    while (word !== 0) {
      // Mark the word contended (so that the holder notifies), then sleep while it stays so.
      const contended = word | CONTENDED;
      if (word === contended || Atomics.compareExchange(cell, 0, word, contended) === word) Atomics.wait(cell, 0, contended);
      // Taken as contended: others may still sleep, and our unlock must wake one.
      word = Atomics.compareExchange(cell, 0, 0, OWNER | CONTENDED);
    }
    if (handle !== null) runtime!.acquired(handle);
  }

  /** Takes the lock if it is free; returns whether it did. Never waits, never stops at a lock gate. */
  tryLock(): boolean {
    const runtime = hook();
    const handle = runtime?.lockOf(this.buffer, this.byteOffset) ?? null;
    if (Atomics.compareExchange(this.#cell, 0, 0, OWNER) !== 0) return false;
    if (handle !== null) runtime!.acquired(handle);
    return true;
  }

  /** Gives the lock back, waking one waiting thread. Throws a UsageError (`E_USAGE`) unless this thread holds it. */
  unlock(): void {
    const word = Atomics.load(this.#cell, 0);
    if ((word & ~CONTENDED) !== OWNER) {
      const state = word === 0 ? "it is not held" : "another thread holds it";
      throw new UsageError(`${this.#describe()}.unlock(): ${state}. Call unlock() once per lock(), in the thread that locked it.`);
    }
    const runtime = hook();
    const handle = runtime?.lockOf(this.buffer, this.byteOffset) ?? null;
    if (handle !== null) runtime!.released(handle);
    if ((Atomics.exchange(this.#cell, 0, 0) & CONTENDED) !== 0) Atomics.notify(this.#cell, 0, 1);
  }

  /** Runs `fn` holding the lock and gives it back however `fn` ends (when a returned promise settles). */
  withLock<T>(fn: () => T): T {
    this.lock();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.unlock();
      throw error;
    }
    if (isThenable(result)) return Promise.resolve(result).finally(() => this.unlock()) as unknown as T;
    this.unlock();
    return result;
  }

  #notMine(method: string): void {
    if ((Atomics.load(this.#cell, 0) & ~CONTENDED) === OWNER) {
      throw new UsageError(`${this.#describe()}.${method}(): this thread already holds it (a SharedMutex is not reentrant).`);
    }
  }

  #describe(): string {
    return this.name === undefined ? "SharedMutex" : `SharedMutex "${this.name}"`;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

// The lock records its own operations and gates (through the worker's runtime): no untraced effect.
markModelledClass(SharedMutex);
