/**
 * Database locks held by open transactions, so that a task whose statement waits for a lock another
 * task holds is not counted as busy (a database reply pending) but as blocked on that lock, and the
 * holder runs. Without it, a task parked at a gate while holding a row lock (idle in transaction)
 * and another task waiting for that row made every decision wait for a reply that could not come:
 * the search ended in `E_TIMEOUT`.
 *
 * Only locks the statement pins precisely are modelled: a row (`sql:<db>/<table>(id=1)`, within
 * its table) and a PostgreSQL transaction-level advisory lock (`…/advisory(<key>)`). A lock of a
 * whole table, or of rows a condition selects, is not: the task stays busy, and a wait that makes
 * no progress is handled by the task runtime's stall rule (`tasks/run-tasks.ts`), which never lets
 * a search be complete. Modes: `read` (FOR SHARE / KEY SHARE) is compatible with `read`; `write`
 * (FOR UPDATE, UPDATE, DELETE, INSERT of a key) with nothing.
 *
 * For DPOR, a lock a transaction keeps is recorded: an `acquire` of `lock:<location>` when the
 * statement takes it (two acquisitions of one lock conflict: which transaction gets it first is a
 * choice to explore, even when both statements only read, as `SELECT … FOR UPDATE` does), a
 * `release` at COMMIT or ROLLBACK; a lock that is not precise is recorded as a write of what it
 * covers. Without this, a lock-order deadlock between two `FOR UPDATE` transactions was "holds,
 * complete" after 2 executions.
 *
 * A statement outside a transaction (autocommit) waits like any other but keeps no lock after it.
 * COMMIT and ROLLBACK release the connection's locks when they are sent: the database grants the
 * waiter then, and from then on its reply counts as pending again, so the next decision waits for it.
 */
import type { ResourceAccess } from "../resource.js";
import type { Emit } from "./common.js";

/** Where the lock-wait events go while a task run is in progress (`setLockWaits`). */
export interface LockWaits {
  /** The task whose code runs now, if any. */
  task(): string | undefined;
  /** `task` sent a statement that waits for `wait` (held by another task's transaction). */
  wait(task: string, wait: LockWait): void;
  /** `task`'s wait ended: the holder released the lock. */
  granted(task: string): void;
}

/** A task waiting for a lock. */
export interface LockWait {
  /** The lock's location (`sql:<db>/account(id=1)`). */
  location: string;
  /** For people: `SQL row account(id=1)`. */
  label: string;
  /** The task holding it, when a task of the run does. */
  holder?: string;
  /** The statement that waits. */
  statement: string;
}

let current: LockWaits | null = null;
/** Called when a receiver is installed: a new run, whose drivers forget the previous run's transactions and locks. */
const newRun = new Set<() => void>();

/**
 * Installs (or, with null, removes) the receiver of lock-wait events: a task run does, recorded or
 * not (the drivers then follow pg statements even without an access sink). Returns the previous one.
 */
export function setLockWaits(waits: LockWaits | null): LockWaits | null {
  const previous = current;
  current = waits;
  if (waits !== null) for (const reset of newRun) reset();
  return previous;
}

/** Told the precise locks of each statement as it is about to be sent (see {@link onLockRequest}). */
let requests: ((locks: readonly ResourceAccess[]) => void) | null = null;

/**
 * Installs (or, with null, removes) the listener told the precise locks each statement needs,
 * whether or not it keeps them: the io hooks of a worker or process thread, whose statement then
 * stops at a lock gate and runs only once no other thread holds them (what this table cannot know
 * there: the holders are other isolates). Returns the previous listener.
 */
export function onLockRequest(listener: ((locks: readonly ResourceAccess[]) => void) | null): ((locks: readonly ResourceAccess[]) => void) | null {
  const previous = requests;
  requests = listener;
  return previous;
}

/** Tells the lock-request listener (a worker's or process's lock gate) of locks a statement needs that no `LockTable` follows (SQLite's write lock). */
export function requestLocks(locks: readonly ResourceAccess[]): void {
  if (locks.length > 0) requests?.(locks);
}

/** Whether a task run receives lock waits now. */
export function lockWaitsActive(): boolean {
  return current !== null;
}

/** `reset` runs whenever a run starts receiving lock waits. */
export function onLockWaitsRun(reset: () => void): void {
  newRun.add(reset);
}

interface Held {
  connection: object;
  mode: "read" | "write";
  task: string | undefined;
}

interface Waiting {
  task: string;
  locks: ResourceAccess[];
  /** Whether the locks are kept once granted (the connection is in a transaction). */
  keep: boolean;
  statement: string;
}

/** Whether a lock location is pinned precisely enough to be modelled as a blocking lock. */
export function isPreciseLock(lock: ResourceAccess): boolean {
  return lock.within !== undefined || /\/advisory\([^)]*\)$/.test(lock.location);
}

const lockLocation = (lock: ResourceAccess): string => `lock:${lock.location}`;

/** The locks held by each connection's open transaction, and the statements waiting for them. */
export class LockTable {
  #held = new Map<string, Held[]>();
  #byConnection = new Map<object, Set<string>>();
  #waiting = new Map<object, Waiting>();

  reset(): void {
    this.#held = new Map();
    this.#byConnection = new Map();
    this.#waiting = new Map();
  }

  /**
   * A statement is sent on `connection` needing `locks`; `keep`: the connection is in a transaction
   * (granted locks last until it ends). Reports a wait when another connection holds one of them.
   */
  request(connection: object, locks: readonly ResourceAccess[], keep: boolean, statement: string, emit: Emit): void {
    if (keep) {
      for (const lock of locks) {
        const label = lock.label ?? lock.location;
        if (isPreciseLock(lock)) emit({ op: "acquire", location: lockLocation(lock), label: `lock of ${label}`, value: statement });
        else emit({ op: "write", location: lock.location, label, value: statement, ...(lock.within === undefined ? {} : { within: lock.within }) });
      }
    }
    const precise = locks.filter(isPreciseLock);
    if (precise.length === 0) return;
    requests?.(precise);
    const task = current?.task();
    const blocker = this.#blocker(connection, precise);
    if (blocker === null || task === undefined) {
      if (keep) this.#hold(connection, precise, task);
      return;
    }
    this.#waiting.set(connection, { task, locks: precise, keep, statement });
    const wait: LockWait = { location: blocker.lock.location, label: blocker.lock.label ?? blocker.lock.location, statement };
    if (blocker.holder.task !== undefined) wait.holder = blocker.holder.task;
    current?.wait(task, wait);
  }

  /** The connection's transaction ended (COMMIT or ROLLBACK sent): its locks go, waiters they blocked are granted. */
  release(connection: object, statement: string, emit: Emit): void {
    this.#waiting.delete(connection);
    const locations = this.#byConnection.get(connection);
    if (locations === undefined) return;
    this.#byConnection.delete(connection);
    for (const location of locations) {
      emit({ op: "release", location: `lock:${location}`, value: statement });
      const left = (this.#held.get(location) ?? []).filter((h) => h.connection !== connection);
      if (left.length === 0) this.#held.delete(location);
      else this.#held.set(location, left);
    }
    for (const [waiter, waiting] of [...this.#waiting]) {
      if (this.#blocker(waiter, waiting.locks) !== null) continue;
      this.#waiting.delete(waiter);
      if (waiting.keep) this.#hold(waiter, waiting.locks, waiting.task);
      current?.granted(waiting.task);
    }
  }

  #hold(connection: object, locks: readonly ResourceAccess[], task: string | undefined): void {
    let mine = this.#byConnection.get(connection);
    if (mine === undefined) this.#byConnection.set(connection, (mine = new Set()));
    for (const lock of locks) {
      const holders = this.#held.get(lock.location) ?? [];
      const own = holders.find((h) => h.connection === connection);
      if (own !== undefined) {
        if (lock.op === "write") own.mode = "write";
      } else holders.push({ connection, mode: lock.op === "write" ? "write" : "read", task });
      this.#held.set(lock.location, holders);
      mine.add(lock.location);
    }
  }

  /** The first lock of `locks` another connection holds in a conflicting mode, or null. */
  #blocker(connection: object, locks: readonly ResourceAccess[]): { lock: ResourceAccess; holder: Held } | null {
    for (const lock of locks) {
      for (const holder of this.#held.get(lock.location) ?? []) {
        if (holder.connection === connection) continue;
        if (lock.op === "write" || holder.mode === "write") return { lock, holder };
      }
    }
    return null;
  }
}
