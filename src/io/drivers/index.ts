/**
 * Driver operations of task threads as resource accesses: which functions are operations on
 * external resources (better-sqlite3, pg, ioredis, node-redis, `fs`/`fs/promises`, client connections), and what each
 * call of them touches (through the classifiers of `io/`). The access runtime asks {@link
 * Drivers.find} about every call traced code makes into untraced code while a sink is set; an
 * operation found records its accesses instead of a write of the outside world (see README.md
 * beside `io/`). The drivers are recognised by identity, from the modules a program has loaded
 * (`packages.ts`): nothing is loaded or patched.
 */
import { WORLD } from "../../strategies/access.js";
import { Transactions, type DriverContext, type DriverOp, type Emit, type Finish } from "./common.js";
import { Files } from "./fs.js";
import { LockTable, onLockWaitsRun } from "./locks.js";
import { registerNet } from "./net.js";
import { NodeRedis } from "./node-redis.js";
import { Postgres } from "./pg.js";
import { Redis } from "./redis.js";
import { Sqlite } from "./sqlite.js";

export type { DriverContext, DriverOp, Emit, Finish } from "./common.js";

/** Where code of a driver's functions comes from (`callees.ts` origins): only those are looked at further. */
const DRIVER_ORIGINS = new Set(["native", "better-sqlite3", "pg", "pg-pool", "ioredis", "@redis/client", "redis"]);

export class Drivers {
  readonly #ops = new WeakMap<Function, DriverOp>();
  /** Functions known to be no driver operation whatever their receiver. */
  readonly #not = new WeakSet<Function>();
  readonly #transactions = new Transactions();
  readonly #locks = new LockTable();
  readonly #files: Files;
  readonly #sqlite: Sqlite;
  readonly #pg: Postgres;
  readonly #redis = new Redis();
  readonly #nodeRedis = new NodeRedis();
  /** Operations that take database locks: followed in every task run, recorded or not (`locks.ts`). */
  readonly #locking = new WeakSet<DriverOp>();

  constructor(ctx: DriverContext) {
    const register = (fn: Function, op: DriverOp) => this.#ops.set(fn, op);
    this.#files = new Files(register);
    registerNet(register);
    this.#sqlite = new Sqlite(ctx, this.#transactions, (op) => this.#locking.add(op));
    this.#pg = new Postgres(this.#transactions, this.#locks, (op) => this.#locking.add(op));
    onLockWaitsRun(() => this.reset());
  }

  /** Whether the operation takes database locks (so it runs even when nothing is recorded). */
  locking(op: DriverOp): boolean {
    return this.#locking.has(op);
  }

  /** Names the resources reachable from a run's state the same way in every run (SQLite databases). */
  name(state: unknown): void {
    this.#sqlite.name(state, (f, o) => this.#ops.set(f, o));
  }

  /** A new run: open transactions, descriptors and catalogs are this run's. */
  reset(): void {
    this.#transactions.reset();
    this.#locks.reset();
    this.#files.reset();
    this.#pg.reset();
    this.#sqlite.reset();
    this.#redis.reset();
    this.#nodeRedis.reset();
  }

  /**
   * The operation calling `fn` on `receiver` is, or null. `origin` is where `callees.ts` says the
   * code of `fn` comes from (asked only when `fn` is not known yet).
   */
  find(fn: Function, receiver: unknown, origin: () => string | null): DriverOp | null {
    const op = this.#ops.get(fn);
    if (op !== undefined) return op;
    if (this.#not.has(fn)) return null;
    const from = origin();
    if (from === null || !DRIVER_ORIGINS.has(from)) {
      this.#not.add(fn);
      return null;
    }
    const register = (f: Function, o: DriverOp) => this.#ops.set(f, o);
    const found = this.#sqlite.discover(fn, receiver, register) ?? this.#pg.discover(fn, receiver, register) ?? this.#redis.discover(fn, receiver, register) ??
      this.#nodeRedis.discover(fn, receiver, register);
    if (found !== null) {
      this.#ops.set(fn, found);
      return found;
    }
    const registered = this.#ops.get(fn);
    if (registered !== undefined) return registered;
    this.#not.add(fn);
    return null;
  }
}

/**
 * Runs a driver operation's recording for one call (`emit` its accesses), then the call itself
 * (`run`), then its {@link Finish}. A recording that fails records a write of the outside world.
 */
export function recordCall(op: DriverOp, receiver: unknown, args: unknown[], emit: Emit | null, run: () => unknown): unknown {
  let finish: Finish | void = undefined;
  if (emit !== null) {
    try {
      finish = op(receiver, args, emit);
    } catch (e) {
      emit({ op: "write", location: WORLD, label: `untraced interlace: resource recording failed: ${String((e as Error)?.message ?? e)}`, origin: "interlace" });
    }
  }
  if (finish === undefined) return run();
  let result: unknown;
  try {
    result = run();
  } catch (e) {
    finish(undefined, true);
    throw e;
  }
  return finish(result, false);
}
