/**
 * better-sqlite3 (synchronous, native): `Statement#run/get/all/iterate` (SQL text from
 * `stmt.source`, parameters as the call gives them or as `bind()` fixed them), `Database#exec`,
 * `#pragma`, `#prepare` (touches nothing), and the functions `Database#transaction(fn)` returns
 * (the statements inside are calls of their own; BEGIN/COMMIT are bookkept per connection).
 *
 * The database is the file (`db.name` resolved to an absolute path); an in-memory or anonymous
 * database is named by its object (`memory:Database#3`). The schema is read with the same
 * connection, again whenever `PRAGMA schema_version` changed: primary keys and unique indexes
 * (for row refinement and inserts), triggers and views (a statement on them is not modelled),
 * foreign keys (their checks and cascades as table accesses).
 */
import { resolve } from "node:path";
import { walkState } from "../../access/state-walk.js";
import { type DriverContext, type DriverOp, type Emit, type Transactions, own } from "./common.js";
import { loadedExports } from "./packages.js";
import { requestLocks } from "./locks.js";
import { emptySchema, recordSql, type Schema } from "./sql-record.js";
import type { SqlEffect } from "../sql/index.js";

const ORIGIN = "better-sqlite3";

interface Db {
  readonly name: string;
  readonly memory: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): Stmt;
}

interface Stmt {
  run(...a: unknown[]): unknown;
  get(...a: unknown[]): unknown;
  all(...a: unknown[]): unknown[];
  pluck(on?: boolean): Stmt;
}

interface Connection {
  file: string | null;
  version?: Stmt;
  schemaVersion?: unknown;
  schema?: Schema | null;
}

const RUNS = new Set(["run", "get", "all", "iterate"]);

/** The drivers of every loaded copy of better-sqlite3. */
export class Sqlite {
  readonly #ctx: DriverContext;
  readonly #transactions: Transactions;
  readonly #connections = new WeakMap<object, Connection>();
  /** Parameters fixed by `stmt.bind(…)` made from traced code. */
  readonly #bound = new WeakMap<object, unknown[]>();
  /** Database classes already registered. */
  readonly #classes = new Set<Function>();
  /**
   * This run's names of the databases reachable from the state (`sqlite#1`, by the order of a
   * fixed walk), by file, or by object for in-memory ones: a temporary file per attempt has
   * another path in every run, and DPOR compares a replayed step's accesses with an earlier run's.
   */
  #names = new Map<string | object, string>();

  /** Marks an operation that may wait for SQLite's write lock (with `ctx.sqliteLocks`). */
  readonly #locking: (op: DriverOp) => void;
  /** Connections whose open transaction holds the database write lock (with `ctx.sqliteLocks`). */
  #holding = new WeakSet<object>();

  constructor(ctx: DriverContext, transactions: Transactions, locking: (op: DriverOp) => void = () => {}) {
    this.#ctx = ctx;
    this.#transactions = transactions;
    this.#locking = locking;
  }

  /** A new run: no connection holds the write lock. */
  reset(): void {
    this.#holding = new WeakSet();
  }

  /**
   * The operation `fn` is, called on `receiver`, or null. Registers (through `register`) the
   * methods of every Database class loaded, and a Statement class once a statement is seen.
   */
  /** Names the databases reachable from a run's state (see {@link #names}). */
  name(state: unknown, register: (fn: Function, op: DriverOp) => void): void {
    this.#names = new Map();
    this.#loadClasses(register);
    if (this.#classes.size === 0 || state === undefined) return;
    let n = 0;
    walkState(state, (o) => {
      if (!this.#isDb(o)) return;
      const key = this.#connection(o as Db).file ?? o;
      if (!this.#names.has(key)) this.#names.set(key, `sqlite#${++n}`);
    });
  }

  discover(fn: Function, receiver: unknown, register: (fn: Function, op: DriverOp) => void): DriverOp | null {
    this.#loadClasses(register);
    const owner = own(fn, "database");
    if (fn.name === "sqliteTransaction" && this.#isDb(owner)) {
      // The io hooks say which form of the transaction function this is (`{ begin: "immediate" }`).
      const begin = own(receiver, "begin");
      return this.#lockingOp(this.#transactionOp(owner as Db, begin === "immediate" || begin === "exclusive"));
    }
    const database = own(receiver, "database");
    if (this.#isDb(database)) {
      const proto = Object.getPrototypeOf(receiver) as object | null;
      if (proto !== null && typeof own(receiver, "source") === "string") {
        for (const key of Reflect.ownKeys(proto)) {
          const f = own(proto, key);
          if (typeof f !== "function" || key === "constructor" || typeof key !== "string") continue;
          register(f, this.#statementOp(key));
        }
      }
    }
    return null;
  }

  #loadClasses(register: (fn: Function, op: DriverOp) => void): void {
    for (const D of loadedExports("/better-sqlite3/lib/database.js")) {
      if (typeof D !== "function" || this.#classes.has(D)) continue;
      this.#classes.add(D);
      const proto = D.prototype as Record<string, unknown>;
      const method = (name: string, op: DriverOp) => {
        const f = own(proto, name);
        if (typeof f === "function") register(f, op);
      };
      method("prepare", () => {});
      method("transaction", () => {});
      method("exec", this.#lockingOp((db, args, emit) => this.#record(db as Db, args[0], [], emit)));
      method("pragma", (db, args, emit) => this.#record(db as Db, typeof args[0] === "string" ? `PRAGMA ${args[0]}` : args[0], [], emit));
    }
  }

  /** Whether `o` is an instance of a loaded better-sqlite3 Database class. */
  #isDb(o: unknown): boolean {
    if (o === null || typeof o !== "object") return false;
    for (const D of this.#classes) if (o instanceof (D as new () => object)) return true;
    return false;
  }

  #statementOp(method: string): DriverOp {
    if (method === "bind") return (stmt, args) => void (typeof stmt === "object" && stmt !== null && this.#bound.set(stmt, [...args]));
    if (!RUNS.has(method)) return () => {};
    return this.#lockingOp((stmt, args, emit) => {
      const db = own(stmt, "database");
      const source = own(stmt, "source");
      const params = args.length > 0 ? args : (this.#bound.get(stmt as object) ?? []);
      this.#record(db as Db, source, params, emit);
    });
  }

  #lockingOp(op: DriverOp): DriverOp {
    if (this.#ctx.sqliteLocks === true) this.#locking(op);
    return op;
  }

  /** A transaction function's call; `locks`: its BEGIN takes the write lock (IMMEDIATE, EXCLUSIVE). */
  #transactionOp(db: Db, locks: boolean): DriverOp {
    return (_fn, _args, emit) => {
      const nested = db.inTransaction;
      if (!nested) this.#transactions.begin(db);
      if (!nested && locks && this.#ctx.sqliteLocks === true && !this.#holding.has(db)) {
        const location = this.#databaseOf(db);
        requestLocks([{ op: "write", location, label: "SQLite database write lock" }]);
        this.#holding.add(db);
        emit({ op: "acquire", location: `lock:${location}`, label: "lock of SQLite database write lock", value: "BEGIN IMMEDIATE (transaction function)" });
      }
      return (result, error) => {
        if (!nested) this.#releaseWriteLock(db, error ? "ROLLBACK" : "COMMIT", emit);
        if (!nested) this.#transactions.settle(db, error ? "ROLLBACK" : "COMMIT", true, emit);
        else if (error) this.#transactions.settle(db, "ROLLBACK TO", false, emit);
        return result;
      };
    };
  }

  #record(db: Db, sql: unknown, params: unknown[], emit: Emit): void {
    const connection = this.#connection(db);
    const database = this.#names.get(connection.file ?? db) ?? connection.file ?? `memory:${this.#ctx.identity(db)}`;
    const schema = this.#schema(db, connection);
    if (!db.inTransaction) this.#transactions.closed(db);
    const inTransaction = db.inTransaction;
    const effect = recordSql({ connection: db, dialect: "sqlite", database, sql: typeof sql === "string" ? sql : String(sql), params, schema, origin: ORIGIN }, this.#transactions, emit);
    if (this.#ctx.sqliteLocks === true) this.#writeLock(db, effect, inTransaction, emit);
  }

  /**
   * SQLite's database write lock, in a worker or process thread: a statement that writes (or
   * `BEGIN IMMEDIATE/EXCLUSIVE`) asks for it at its gate, and waits there while another thread's
   * transaction keeps it; a transaction keeps it from its first write to its end (`acquire` and
   * `release` of `lock:sql:<db>`). An autocommit write takes and leaves it within its own step.
   * What SQLite also blocks on and this does not model (a reader's shared lock holding up a
   * COMMIT in rollback-journal mode) is left to the stall rule.
   */
  #writeLock(db: Db, effect: SqlEffect, inTransaction: boolean, emit: Emit): void {
    if (effect.transaction === "commit" || effect.transaction === "rollback") return this.#releaseWriteLock(db, effect.text, emit);
    const location = this.#databaseOf(db);
    const lock = effect.locks.find((l) => l.location === location);
    if (lock === undefined || this.#holding.has(db)) return;
    requestLocks([lock]);
    const keeps = inTransaction || effect.transaction === "begin";
    if (!keeps) return;
    this.#holding.add(db);
    emit({ op: "acquire", location: `lock:${lock.location}`, label: `lock of ${lock.label ?? lock.location}`, value: effect.text });
  }

  #releaseWriteLock(db: Db, statement: string, emit: Emit): void {
    if (!this.#holding.has(db)) return;
    this.#holding.delete(db);
    emit({ op: "release", location: `lock:${this.#databaseOf(db)}`, value: statement });
  }

  #databaseOf(db: Db): string {
    const connection = this.#connection(db);
    return `sql:${this.#names.get(connection.file ?? db) ?? connection.file ?? `memory:${this.#ctx.identity(db)}`}`;
  }

  #connection(db: Db): Connection {
    let c = this.#connections.get(db);
    if (c === undefined) {
      let file: string | null = null;
      try {
        const name = db.name;
        if (!db.memory && typeof name === "string" && name !== "" && name !== ":memory:") file = name.startsWith("file:") ? name : resolve(name);
      } catch {
        file = null;
      }
      this.#connections.set(db, (c = { file }));
    }
    return c;
  }

  /** The schema, read again when its version changed; null when it cannot be read (a busy connection). */
  #schema(db: Db, c: Connection): Schema | null {
    try {
      c.version ??= db.prepare("PRAGMA schema_version").pluck();
      const version = c.version.get();
      if (c.schema !== undefined && c.schemaVersion === version) return c.schema;
      c.schema = readSchema(db);
      c.schemaVersion = version;
      return c.schema;
    } catch {
      return null;
    }
  }
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Reads what `Schema` needs from `sqlite_master` and the table PRAGMAs. */
export function readSchema(db: Db): Schema {
  const s = emptySchema();
  const rows = db
    .prepare("SELECT type, name, tbl_name AS tbl FROM sqlite_master UNION ALL SELECT type, name, tbl_name FROM sqlite_temp_master")
    .all() as Array<{ type: string; name: string; tbl: string }>;
  const lower = (n: string) => n.toLowerCase();
  for (const row of rows) {
    if (row.type === "view") s.opaque.set(lower(row.name), `view ${row.name}`);
    else if (row.type === "trigger") {
      const t = lower(row.tbl);
      s.triggers.set(t, [...(s.triggers.get(t) ?? []), row.name]);
    }
  }
  for (const row of rows) {
    if (row.type !== "table" || row.name.startsWith("sqlite_")) continue;
    const table = lower(row.name);
    const info = db.prepare(`PRAGMA table_info(${quote(row.name)})`).all() as Array<{ name: string; pk: number }>;
    const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => lower(c.name));
    s.primaryKeys[table] = pk.length > 0 ? pk : ["rowid"];
    const indexes = db.prepare(`PRAGMA index_list(${quote(row.name)})`).all() as Array<{ name: string; unique: number; origin: string }>;
    for (const index of indexes) {
      if (!index.unique || index.origin === "pk") continue;
      const cols = db.prepare(`PRAGMA index_info(${quote(index.name)})`).all() as Array<{ name: string | null }>;
      (s.uniqueKeys[table] ??= []).push(cols.map((c) => (c.name === null ? "<expression>" : lower(c.name))));
    }
    const fks = db.prepare(`PRAGMA foreign_key_list(${quote(row.name)})`).all() as Array<{ table: string; on_update: string; on_delete: string }>;
    for (const fk of fks) {
      const parent = lower(fk.table);
      const acts = [fk.on_update, fk.on_delete].some((a) => /CASCADE|SET NULL|SET DEFAULT/i.test(a));
      s.parents.set(table, [...(s.parents.get(table) ?? []), parent]);
      s.children.set(parent, [...(s.children.get(parent) ?? []), { table, op: acts ? "write" : "read" }]);
    }
  }
  return s;
}
