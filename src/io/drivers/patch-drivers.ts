/**
 * The database drivers of a worker or process thread, wrapped by its io hooks (`patch.ts`) once
 * their package is loaded: the same driver operations as for task threads (`index.ts`: SQL rows
 * and tables, transactions, the locks a transaction keeps, Redis keys), found in the CommonJS
 * module cache (`packages.ts`) after every load, so each copy a program loads is wrapped before
 * its first use.
 *
 * - pg: `Client#query/connect/end`, `Pool#query/connect/end`.
 * - better-sqlite3: `Statement#run/get/all/iterate` (the SQL of the statement, parameters from the
 *   call or `bind()`), `Database#exec/pragma`, the functions `Database#transaction` returns (the
 *   statements inside record one by one; BEGIN and COMMIT as the transaction's bookkeeping);
 *   `prepare` is no operation (it reads nothing shared). `backup`, `serialize`, `loadExtension`
 *   are not modelled (a write of the outside world). The native addon's own functions record
 *   nothing: they are reached through these (see `MODELLED_ADDONS`).
 * - ioredis: every command method, `call`, `sendCommand`, pipelines and `multi`/`exec`, the
 *   connection's lifecycle.
 * - node-redis (`redis`, `@redis/client`): every method of the client and transaction base
 *   classes (`connect`, `sendCommand`, `MULTI`, `WATCH`, `close`…; the internal `_executeCommand`
 *   and the like are writes of the outside world when reached by themselves), and the command
 *   methods of each per-configuration class, wrapped when a client or transaction of that class
 *   first calls a base method or is returned by one (`connect()`, `multi()`, `duplicate()`).
 *
 * A modelled driver's sockets are session sockets: what the client writes on them later by itself
 * (node-redis from a `setImmediate`, ioredis's offline queue) records nothing, since the commands
 * were recorded when called (`patch-sockets.ts`).
 */
import { createRequire } from "node:module";
import { emitWorld, own, type DriverOp } from "./common.js";
import { Drivers, recordCall } from "./index.js";
import { loadedExports } from "./packages.js";
import { announceSession, audibly, calls, quietly } from "./patch-depth.js";
import type { IoHooks, Operation } from "./patch.js";
import { asDriver } from "./patch-sockets.js";

const require_ = createRequire(import.meta.url);
// Required here, never from `scan` (which runs inside every module load: it would recurse).
const Module = require_("node:module") as { _load: (...a: unknown[]) => unknown };
const EventEmitter = require_("node:events") as { prototype: object };

type Wrap = (fn: Function, op: DriverOp) => Function;

/** Native addons whose every use goes through a wrapped JavaScript layer: their functions are not stand-ins. */
export const MODELLED_ADDONS = [/[\\/]better-sqlite3[\\/].*better_sqlite3\.node$/];

const STATEMENT_RUNS = new Set(["run", "get", "all", "iterate"]);

/** Wraps the loaded drivers now and after every module load; returns their registry. */
export function patchDrivers(wrapIo: Wrap, operation: Operation, hooks: IoHooks): Drivers {
  const drivers = new Drivers({ identity: () => "?", sqliteLocks: hooks.lockGate !== undefined });
  // A driver operation's socket connects make session sockets.
  const wrap: Wrap = (fn, op) => {
    const inner = wrapIo(fn, op);
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return asDriver(() => Reflect.apply(inner, this, args));
    };
    Object.defineProperty(wrapped, "name", { value: fn.name });
    return wrapped;
  };
  const done = new Set<object>();
  const once = (o: object): boolean => !done.has(o) && (done.add(o), true);
  const scan = (): void => {
    patchPg(drivers, wrap, once);
    for (const D of loadedExports("/better-sqlite3/lib/database.js")) if (typeof D === "function" && once(D.prototype as object)) patchSqlite(D, drivers, wrap, operation);
    patchIoredis(drivers, wrap, once);
    patchNodeRedis(drivers, wrap, once);
  };
  scan();
  const load = Module._load;
  Module._load = function (this: unknown, ...args: unknown[]) {
    const exports = Reflect.apply(load, this, args);
    scan();
    return exports;
  };
  return drivers;
}

function patchPg(drivers: Drivers, wrap: Wrap, once: (o: object) => boolean): void {
  for (const file of ["/pg/lib/client.js", "/pg-pool/index.js"] as const) {
    for (const C of loadedExports(file)) {
      const proto = typeof C === "function" ? (C.prototype as object | undefined) : undefined;
      if (proto === undefined || !once(proto)) continue;
      for (const key of ["query", "connect", "end"]) {
        const fn = own(proto, key);
        if (typeof fn !== "function") continue;
        const op = drivers.find(fn, undefined, () => (file === "/pg/lib/client.js" ? "pg" : "pg-pool"));
        if (op !== null) (proto as Record<string, unknown>)[key] = wrap(fn, op);
      }
    }
  }
}

function patchSqlite(D: Function, drivers: Drivers, wrap: Wrap, operation: Operation): void {
  const proto = D.prototype as Record<string, unknown>;
  const find = (fn: Function, receiver?: unknown) => drivers.find(fn, receiver, () => "better-sqlite3");
  for (const key of ["exec", "pragma"]) {
    const fn = own(proto, key);
    const op = typeof fn === "function" ? find(fn) : null;
    if (op !== null) proto[key] = wrap(fn as Function, op);
  }
  for (const key of ["backup", "serialize", "loadExtension"]) {
    const fn = own(proto, key);
    if (typeof fn === "function") proto[key] = wrap(fn, (_db, _args, emit) => emitWorld("better-sqlite3", "database method not modelled", `Database#${key}`, emit));
  }
  const statements = new Set<object>();
  const prepare = own(proto, "prepare");
  if (typeof prepare === "function") {
    proto["prepare"] = function (this: unknown, ...args: unknown[]): unknown {
      const stmt = quietly(() => Reflect.apply(prepare, this, args));
      const sp = stmt !== null && typeof stmt === "object" ? (Object.getPrototypeOf(stmt) as object | null) : null;
      if (sp !== null && !statements.has(sp)) {
        statements.add(sp);
        patchStatements(sp, stmt as object, find, wrap);
      }
      return stmt;
    };
  }
  const transaction = own(proto, "transaction");
  if (typeof transaction === "function") {
    proto["transaction"] = function (this: unknown, fn: unknown, ...rest: unknown[]): unknown {
      // The body is the thread's code (its statements record); BEGIN, COMMIT and ROLLBACK are the
      // transaction function's own statements (quiet), bookkept by the driver's transaction op.
      const body = typeof fn === "function" ? function (this: unknown, ...a: unknown[]) { return audibly(() => Reflect.apply(fn, this, a)); } : fn;
      const tx = Reflect.apply(transaction, this, [body, ...rest]) as Record<string, unknown> & Function;
      return transactionFunctions(tx, drivers, operation);
    };
  }
}

/** The Statement class's methods, from its first statement: the runs record the SQL, `bind` fixes parameters. */
function patchStatements(proto: object, stmt: object, find: (fn: Function, receiver?: unknown) => DriverOp | null, wrap: Wrap): void {
  const holder = proto as Record<string, unknown>;
  for (const key of Reflect.ownKeys(proto)) {
    if (typeof key !== "string" || key === "constructor") continue;
    const fn = own(proto, key);
    if (typeof fn !== "function") continue;
    const op = find(fn, stmt);
    if (op === null) continue;
    if (STATEMENT_RUNS.has(key)) holder[key] = wrap(fn, op);
    else if (key === "bind") {
      holder[key] = function (this: unknown, ...args: unknown[]): unknown {
        op(this, args, () => {});
        return Reflect.apply(fn, this, args);
      };
    }
  }
}

/**
 * A transaction function and its `deferred`/`immediate`/`exclusive` forms, each an operation: the
 * driver's transaction op (an `immediate` or `exclusive` one takes SQLite's write lock at BEGIN).
 */
function transactionFunctions(tx: Record<string, unknown> & Function, drivers: Drivers, operation: Operation): Function {
  const wrapOne = (variant: Function, begin: string): Function => {
    const op = drivers.find(variant, { begin }, () => "better-sqlite3");
    if (op === null) return variant;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      if (calls.depth > 0) return Reflect.apply(variant, this, args);
      return operation(op, variant, args, () => quietly(() => Reflect.apply(variant, this, args)));
    };
    Object.defineProperty(wrapped, "name", { value: variant.name });
    return wrapped;
  };
  const forms: Record<string, Function> = {};
  for (const key of ["default", "deferred", "immediate", "exclusive"]) {
    const variant = tx[key];
    if (typeof variant === "function") forms[key] = wrapOne(variant, key);
  }
  const main = forms["default"] ?? wrapOne(tx, "default");
  for (const f of new Set([main, ...Object.values(forms)])) {
    for (const [key, value] of Object.entries(forms)) Object.defineProperty(f, key, { value });
    Object.defineProperty(f, "database", { value: tx["database"], enumerable: true });
  }
  return main;
}

function patchIoredis(drivers: Drivers, wrap: Wrap, once: (o: object) => boolean): void {
  const clients = loadedExports("/ioredis/built/Redis.js");
  // A copy still loading (its exports not filled yet) would be registered without its class.
  if (clients.length === 0 || clients.some((e) => typeof own(e, "default") !== "function")) return;
  const classes = [...clients, ...loadedExports("/ioredis/built/Pipeline.js")].map((e) => own(e, "default")).filter((c): c is Function => typeof c === "function");
  for (const C of classes) {
    for (let p = C.prototype as object | null; p !== null && p !== Object.prototype && p !== EventEmitter.prototype; p = Object.getPrototypeOf(p) as object | null) {
      if (!once(p)) continue;
      for (const key of Object.getOwnPropertyNames(p)) {
        if (key === "constructor") continue;
        const d = Object.getOwnPropertyDescriptor(p, key);
        if (d === undefined || typeof d.value !== "function" || !d.writable) continue;
        const op = drivers.find(d.value as Function, undefined, () => "ioredis");
        if (op !== null) (p as Record<string, unknown>)[key] = wrap(d.value as Function, announcing(op, "ioredis"));
      }
    }
  }
}

/** A Redis client operation (of package `pkg`) whose session reads of an endpoint announce the socket connect that follows. */
function announcing(op: DriverOp, pkg: string): DriverOp {
  return (r, args, emit) =>
    op(r, args, (a) => {
      if (a.op === "read" && a.location.startsWith("net:")) announceSession(a.location, pkg);
      emit(a);
    });
}

/** node-redis: the base classes' methods now, each per-configuration class's once an object of it shows. */
function patchNodeRedis(drivers: Drivers, wrap: Wrap, once: (o: object) => boolean): void {
  const clients = loadedExports("/@redis/client/dist/lib/client/index.js").map((e) => own(e, "default"));
  const multis = loadedExports("/@redis/client/dist/lib/client/multi-command.js").map((e) => own(e, "default"));
  // A copy still loading (its exports not filled yet) would be registered without its class.
  if (clients.length === 0 || clients.some((C) => typeof C !== "function")) return;
  const bases = [...clients, ...multis].filter((C): C is Function => typeof C === "function").map((C) => C.prototype as object);
  const origin = (): string => "@redis/client";
  const isBase = (p: object): boolean => bases.includes(p);
  /** Wraps the command methods of `o`'s per-configuration classes (up to a base class). */
  const adopt = (o: unknown): void => {
    if (o === null || typeof o !== "object" || !bases.some((b) => b.isPrototypeOf(o))) return;
    for (let p = Object.getPrototypeOf(o) as object | null; p !== null && !isBase(p); p = Object.getPrototypeOf(p) as object | null) {
      // A class's prototype: a client object itself holds aliases of base methods (`watch = this.WATCH`), wrapped already.
      if (Object.hasOwn(p, "constructor") && once(p)) wrapMethods(p, (fn) => drivers.find(fn, o, origin));
    }
  };
  const wrapAdopting = (fn: Function, op: DriverOp): Function => {
    const inner = wrap(fn, announcing(op, "@redis/client"));
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      adopt(this);
      const result = Reflect.apply(inner, this, args);
      adopt(result);
      return result;
    };
    Object.defineProperty(wrapped, "name", { value: fn.name });
    return wrapped;
  };
  const wrapMethods = (p: object, find: (fn: Function) => DriverOp | null): void => {
    for (const key of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      // Getters (the module namespaces, `client.json`) are left alone: their commands reach a base method.
      if (key === "constructor" || d === undefined || typeof d.value !== "function" || !d.writable || isClass(d.value as Function)) continue;
      const op = find(d.value as Function);
      if (op !== null) (p as Record<string, unknown>)[key] = wrapAdopting(d.value as Function, op);
    }
  };
  for (const p of bases) if (once(p)) wrapMethods(p, (fn) => drivers.find(fn, undefined, origin));
}

/** Whether `fn` is a class (the `Multi` class a per-configuration client class carries): not a method. */
function isClass(fn: Function): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn));
}
