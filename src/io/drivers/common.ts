/**
 * What the drivers share: how an operation's resource accesses become recorded {@link Access}es
 * (with the statement or call as their value), the write of the outside world an operation
 * interlace cannot classify records instead, and the transactions of one connection.
 */
import { WORLD, type Access } from "../../strategies/access.js";
import type { ResourceAccess, ResourceEffect } from "../resource.js";
import { displayText } from "../resource.js";

/** Receives the accesses of one operation (the task access log's sink). */
export type Emit = (access: Access) => void;

/**
 * Called after the operation returned (`error` false, with its result) or threw (`error` true);
 * returns what the caller gets (the result, or a promise derived from it).
 */
export type Finish = (result: unknown, error: boolean) => unknown;

/**
 * One driver operation: records the accesses of calling it on `receiver` with `args` (before it
 * runs; `args` is the call's own array and may be edited, e.g. to follow a callback), and may
 * return a {@link Finish}.
 */
export type DriverOp = (receiver: unknown, args: unknown[], emit: Emit) => Finish | void;

/** What the drivers need from the access runtime. */
export interface DriverContext {
  /** A name of `o` that is the same in every run (the task policy's numbering: `Database#3`). */
  identity(o: object): string;
  /**
   * The drivers run in a worker or process thread with lock gates (`patch.ts`): SQLite's database
   * write lock is then a lock too (asked for at the statement's gate, kept by a transaction until
   * it ends), as a row lock is for PostgreSQL. Task threads cannot wait for it: better-sqlite3 is
   * synchronous, its busy wait blocks the whole process.
   */
  sqliteLocks?: boolean;
}

/** Length of the statement or call text shown as an access's value. */
const VALUE_TEXT = 80;

/** Emits resource accesses, each with `text` (shortened) as its value. */
export function emitAccesses(accesses: readonly ResourceAccess[], text: string, emit: Emit): void {
  const value = displayText(text, VALUE_TEXT);
  for (const a of accesses) {
    const access: Access = { op: a.op, location: a.location, label: a.label, value };
    if (a.within !== undefined) access.within = a.within;
    emit(access);
  }
}

/**
 * The write of the outside world that stands for an operation whose effects are not (all)
 * modelled: `origin` is the driver (`better-sqlite3`, `pg`, `node:fs`), `why` says what was not
 * modelled (`SQL not modelled`), `text` the operation.
 */
export function emitWorld(origin: string, why: string, text: string, emit: Emit): void {
  emit({ op: "write", location: WORLD, label: `untraced ${origin}: ${why}: ${displayText(text, VALUE_TEXT)}`, origin });
}

/** Emits an effect: its accesses when it is modelled, else a write of the outside world. */
export function emitEffect(effect: ResourceEffect, origin: string, what: string, emit: Emit): void {
  if (effect.modelled) emitAccesses(effect.accesses, effect.text, emit);
  else emitWorld(origin, `${what} not modelled`, effect.text, emit);
}

interface Open {
  /** Writes made on the connection since its transaction began (any task's). */
  written: Map<string, Access>;
}

/**
 * Open transactions per connection. A COMMIT publishes, and a ROLLBACK undoes, every write made
 * on the connection since BEGIN — by whichever task made it (a connection shared by two tasks
 * shares its transaction) — so each is recorded as writing those locations again: its order
 * against another task's access to one of them matters.
 */
export class Transactions {
  #open = new WeakMap<object, Open>();

  /** Forgets every transaction (a new run). */
  reset(): void {
    this.#open = new WeakMap();
  }

  isOpen(connection: object): boolean {
    return this.#open.has(connection);
  }

  begin(connection: object): void {
    if (!this.#open.has(connection)) this.#open.set(connection, { written: new Map() });
  }

  /** Notes the writes of a statement run on `connection` inside its transaction. */
  wrote(connection: object, accesses: readonly Access[]): void {
    const open = this.#open.get(connection);
    if (open === undefined) return;
    for (const a of accesses) if (a.op === "write" && !open.written.has(a.location)) open.written.set(a.location, a);
  }

  /** A COMMIT, ROLLBACK (`end`) or savepoint operation: writes what the transaction wrote. */
  settle(connection: object, statement: string, end: boolean, emit: Emit): void {
    const open = this.#open.get(connection);
    if (open === undefined) return;
    const value = displayText(statement, VALUE_TEXT);
    for (const a of open.written.values()) {
      const access: Access = { op: "write", location: a.location, value };
      if (a.label !== undefined) access.label = a.label;
      if (a.within !== undefined) access.within = a.within;
      emit(access);
    }
    if (end) this.#open.delete(connection);
  }

  /** The connection is known to be outside any transaction (the driver says so). */
  closed(connection: object): void {
    this.#open.delete(connection);
  }
}

/** An own data property of `o` (no getter runs), or undefined. */
export function own(o: unknown, key: PropertyKey): unknown {
  if (o === null || (typeof o !== "object" && typeof o !== "function")) return undefined;
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d !== undefined && "value" in d ? d.value : undefined;
}
