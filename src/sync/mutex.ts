/**
 * A mutex for task threads (async functions in one isolate) that interlace's scheduler knows.
 *
 * Outside interlace it is an ordinary fair async mutex: `await lock()` takes it or queues, and
 * `unlock()` hands it to the first waiter. Inside an exploration, taking it is a scheduling point
 * of its own: the task stops before taking it, and the scheduler lets it go on only when the lock
 * is free. So a task waiting for a held lock is simply not runnable, taking the lock is one step,
 * a lock-order deadlock is reported with its cycle (who holds what, who waits for what), and DPOR
 * records `acquire`/`release` (see `strategies/access.ts`): critical sections of one lock are
 * ordered by it, and only the orders in which tasks take the lock are explored.
 *
 * Locks made by other libraries (`async-mutex`, …) are not seen as locks: the tasks they block
 * are waiting on a promise, and their critical sections look like plain shared accesses.
 *
 * ```ts
 * import { Mutex } from "interlace/sync";
 * const lock = new Mutex("account");
 * await lock.withLock(async () => { balance = (await read()) + 1; });
 * ```
 */
import { markModelledClass } from "../access/callees.js";
import { UsageError } from "../errors.js";
import { callerPosition } from "../tasks/dispatcher.js";
import { getGates, SCHEDULABLE_LOCK, type SchedulableLock } from "../tasks/gates.js";

export class Mutex implements SchedulableLock {
  /** Marks it as a lock for the scheduler (found in the scenario's state before each run). */
  declare readonly [SCHEDULABLE_LOCK]: true;
  readonly name: string | undefined;
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  /** @param name - How reports call this lock (default `Mutex#n`, numbered in the order a run first meets its locks). */
  constructor(name?: string) {
    if (name !== undefined && (typeof name !== "string" || name === "")) throw new UsageError(`new Mutex(name): the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    this.name = name;
  }

  /** Whether some task holds it. */
  get isLocked(): boolean {
    return this.#locked;
  }

  /** Takes the lock, waiting for it as long as another task holds it. */
  async lock(): Promise<void> {
    const run = getGates().run;
    const gate = run?.l?.(this, callerPosition(Mutex.prototype.lock));
    if (gate !== undefined) await gate;
    if (this.#locked) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    // Free, or handed over by unlock(): either way it is ours now.
    this.#locked = true;
    getGates().run?.r?.("acquire", this);
  }

  /** Takes the lock if it is free; returns whether it did. Not a scheduling point. */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    getGates().run?.r?.("acquire", this);
    return true;
  }

  /** Gives the lock back, to the first waiter if any. Throws a UsageError (`E_USAGE`) when it is not held. */
  unlock(): void {
    if (!this.#locked) throw new UsageError(`${this.name ?? "Mutex"}.unlock(): the lock is not held. Call unlock() once per lock().`);
    getGates().run?.r?.("release", this);
    const next = this.#waiters.shift();
    // Handed over: it stays locked, and the waiter takes it when it resumes.
    if (next !== undefined) next();
    else this.#locked = false;
  }

  /** Runs `fn` holding the lock, and gives it back however `fn` ends. */
  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.lock();
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }
}

Object.defineProperty(Mutex.prototype, SCHEDULABLE_LOCK, { value: true });

// The lock records its own operations (acquire, release) and gates: calling it is no untraced effect.
markModelledClass(Mutex);
