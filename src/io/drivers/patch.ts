/**
 * The io hooks of worker and process threads: in a thread's own isolate, the functions through
 * which it can reach anything outside its heap are wrapped, so every call — from the thread's
 * code or from a package it uses, traced or not — records its resource accesses and, at `io`
 * granularity, stops at an io gate first (a decision of the exploration). Task threads need none
 * of this: they share the controller's process, where the access runtime sees their calls.
 *
 * Wrapped, with what they record:
 * - `fs`, `fs.promises` (sync, callback and promise forms) and FileHandle methods: the `Files`
 *   driver's accesses (paths and directory entries, `fs/`); `ReadStream#_read`,
 *   `WriteStream#_write/_writev`: a read/write of the stream's path, in the step where the data moves;
 * - client connections (`net.connect`, `Socket#connect`, `tls.connect`, `http(s).request/get`,
 *   `fetch`): a write of the endpoint; `Socket#write` (what a client interlace does not model
 *   sends): a write of the peer's endpoint — conservative, the server's state is behind it; the
 *   sockets of modelled clients record nothing more (`patch-sockets.ts`);
 * - not modelled, a write of the outside world: `child_process` functions, `new Worker`,
 *   `process.kill`, UDP datagrams (`dgram` `Socket#send`), and every function of a native addon
 *   loaded after the hooks (`process.dlopen`).
 *
 * Calls made while another wrapped call runs (Node's own `fs` calling itself) record nothing more.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";
import { WORLD, type Access } from "../../strategies/access.js";
import { emitEffect, emitWorld, own, type DriverOp, type Emit, type Finish } from "./common.js";
import { Files } from "./fs.js";
import { installFsPhases } from "./patch-fs-phases.js";
import { Drivers, recordCall } from "./index.js";
import { onLockRequest } from "./locks.js";
import { audibly, calls, quietly, resetSessions, takeSession } from "./patch-depth.js";
import { patchDrivers } from "./patch-drivers.js";
import { patchNativeAddons } from "./patch-native.js";
import { patchSockets, sessionConnect } from "./patch-sockets.js";
import { registerNet } from "./net.js";

// The modules' CommonJS objects (an ES namespace is read-only); `syncBuiltinESMExports` then
// carries the wrappers to every ES import of them.
const require = createRequire(import.meta.url);
const fs = require("node:fs") as typeof import("node:fs");
const net = require("node:net") as typeof import("node:net");
const tls = require("node:tls") as typeof import("node:tls");
const http = require("node:http") as typeof import("node:http");
const https = require("node:https") as typeof import("node:https");
const childProcess = require("node:child_process") as typeof import("node:child_process");
const workerThreads = require("node:worker_threads") as typeof import("node:worker_threads");
const dgram = require("node:dgram") as typeof import("node:dgram");

/** What the hooks report to. */
export interface IoHooks {
  /** A resource access of the running step. */
  emit: Emit;
  /** Called before each operation: the io gate (a no-op unless the thread stops at operations). */
  gate: () => void;
  /**
   * Called instead of `gate` before a statement that needs database locks (its precise row and
   * advisory locks, `lock:<location>`): the lock gate, where the controller holds the thread while
   * another thread's transaction keeps one of them. Without it, `gate` is called.
   */
  lockGate?: (wanted: readonly LockIntent[]) => void;
}

/** A lock a statement is about to wait for and take (the engine's `WantedLock`, with its mode). */
export interface LockIntent {
  location: string;
  label: string;
  mode: "read" | "write";
}

/** Runs one operation of the thread: its gate, its accesses (`op`), the call itself (`run`). */
export type Operation = (op: DriverOp, receiver: unknown, args: unknown[], run: () => unknown) => unknown;

/** Installed hooks: forget per-run bookkeeping with `reset()`. */
export interface InstalledIo {
  reset(): void;
}

let installed: InstalledIo | null = null;

/** Installs the hooks in this isolate (once; later calls return the first installation). */
export function installIoHooks(hooks: IoHooks): InstalledIo {
  if (installed !== null) return installed;
  hooks = { ...hooks, emit: withoutPackageReads(hooks.emit) };
  const ops = new Map<Function, DriverOp>();
  const register = (fn: Function, op: DriverOp): void => void ops.set(fn, op);
  const files = new Files(register);
  // A socket connect a modelled client announced (ioredis, a tick after its `connect()`) is its session's.
  // Its socket is then a session socket: what the client writes on it was recorded by its commands (`patch-sockets.ts`).
  registerNet((fn, op) =>
    register(fn, (r, args, emit) => {
      let session = false;
      const finish = op(r, args, (a) => {
        session ||= a.op === "write" && takeSession(a.location);
        emit(session && a.op === "write" ? { ...a, op: "read", label: `${a.label ?? a.location} (a client session)` } : a);
      });
      return session ? sessionConnect(r, finish) : finish;
    }),
  );
  // The registry of database drivers, known once `patchDrivers` returned (before any call of a wrapper).
  let lockingOps: Drivers | null = null;
  /** One operation: its gate (a lock gate when it may wait for database locks), its accesses, the call. */
  const operation: Operation = (op, receiver, args, run) => {
    if (hooks.lockGate !== undefined && lockingOps?.locking(op) === true) return lockGated(op, receiver, args, hooks, run);
    hooks.gate();
    return recordCall(op, receiver, args, hooks.emit, run);
  };
  const wrap = (fn: Function, op: DriverOp, quietWhen?: (args: unknown[]) => boolean): Function => {
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      if (calls.depth > 0) return Reflect.apply(fn, this, args);
      return quietly(() => {
        if (quietWhen?.(args) === true) return Reflect.apply(fn, this, args);
        return operation(op, this, args, () => Reflect.apply(fn, this, args));
      });
    };
    Object.defineProperty(wrapped, "name", { value: fn.name });
    return wrapped;
  };
  const patch = (holder: object, key: string, op?: DriverOp): void => {
    const fn = own(holder, key);
    if (typeof fn !== "function") return;
    const chosen = op ?? ops.get(fn);
    if (chosen === undefined) return;
    const quiet = (holder === fs || holder === fs.promises) && PACKAGE_READS.has(key) ? readsPackage : undefined;
    (holder as Record<string, unknown>)[key] = wrap(fn, chosen, quiet);
  };
  for (const holder of [fs, fs.promises]) for (const key of Object.keys(holder)) patch(holder, key);
  installFsPhases(fs); // writeFile, appendFile, copyFile: open, write(s), close as steps of their own
  patchFileHandles(ops, patch);
  patchStreams(patch);
  for (const key of ["connect", "createConnection"]) patch(net, key);
  patch(net.Socket.prototype, "connect");
  patch(tls, "connect");
  for (const mod of [http, https]) for (const key of ["request", "get"]) patch(mod, key);
  if (typeof globalThis.fetch === "function") patch(globalThis, "fetch");
  patchSockets(wrap);
  for (const key of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) patch(childProcess, key, world("node:child_process", "child process", key));
  patch(process, "kill", world("process", "signal", "process.kill"));
  patch(dgram.Socket.prototype, "send", world("node:dgram", "datagram", "socket.send"));
  patchWorker(hooks);
  patchNativeAddons(hooks);
  quietModuleLoader();
  const drivers = patchDrivers(wrap, operation, hooks);
  lockingOps = drivers;
  syncBuiltinESMExports();
  installed = {
    reset: () => {
      files.reset();
      drivers.reset();
      resetSessions();
    },
  };
  return installed;
}

/**
 * A statement that may wait for database locks: its accesses are worked out first (they depend
 * only on the statement and its connection's transaction), so that the locks it needs are known
 * at its gate; they are emitted after the gate, in the step that sends it.
 */
function lockGated(op: DriverOp, receiver: unknown, args: unknown[], hooks: IoHooks, run: () => unknown): unknown {
  const accesses: Access[] = [];
  const wanted: LockIntent[] = [];
  const previous = onLockRequest((locks) => {
    for (const l of locks) wanted.push({ location: `lock:${l.location}`, label: l.label ?? l.location, mode: l.op === "write" ? "write" : "read" });
  });
  let finish: Finish | void = undefined;
  // Held back until the gate is passed; what the call's finish records (a COMMIT's release) goes straight out.
  let sink: Emit = (a) => accesses.push(a);
  try {
    finish = op(receiver, args, (a) => sink(a));
  } catch (e) {
    emitWorld("interlace", "resource recording failed", String((e as Error)?.message ?? e), (a) => accesses.push(a));
  } finally {
    onLockRequest(previous);
  }
  if (wanted.length > 0) hooks.lockGate!(wanted);
  else hooks.gate();
  for (const a of accesses) hooks.emit(a);
  sink = hooks.emit;
  return recordCall(() => finish, receiver, args, hooks.emit, run);
}

/** The fs functions that only read the path they are given (with `readsPackage`: no gate, nothing recorded under node_modules). */
const PACKAGE_READS = new Set([
  "existsSync", "exists", "statSync", "stat", "lstatSync", "lstat", "accessSync", "access", "readFileSync", "readFile",
  "readdirSync", "readdir", "realpathSync", "realpath", "readlinkSync", "readlink",
]);

/** Whether the call's path (its first argument) is inside an installed package. */
function readsPackage(args: unknown[]): boolean {
  const path = args[0];
  const text = typeof path === "string" ? path : path instanceof URL ? path.pathname : Buffer.isBuffer(path) ? path.toString() : "";
  return /[\\/]node_modules(?:[\\/]|$)/.test(text);
}

/**
 * Reads of installed packages' files (a path with a `node_modules` segment) are not shared state:
 * packages are treated as read-only (writes into them are still recorded). A package probing its
 * own files the first time it is used (`bindings` looking for a native addon) did so only in the
 * first run of a reused isolate, and made DPOR's replays diverge. The read-only fs calls on such
 * paths are not even gates (`readsPackage`); this filter catches the other forms (a FileHandle).
 */
function withoutPackageReads(emit: Emit): Emit {
  return (access) => {
    if (access.op === "read" && /^(?:file|dir):.*[\\/]node_modules(?:[\\/]|$)/.test(access.location)) return;
    emit(access);
  };
}

/**
 * The CommonJS loader's own file system calls — resolving a specifier, reading a module's source
 * — are not operations of the thread: a lazy `require` makes them only in the first run of a
 * reused isolate (later runs find the module cached). They record nothing, while the loaded
 * module's top-level code records as usual.
 */
function quietModuleLoader(): void {
  const Module = require("node:module") as unknown as {
    _resolveFilename?: Function;
    _extensions?: Record<string, Function>;
    prototype: { _compile?: Function };
  };
  const quiet = (holder: Record<string, unknown>, key: string): void => {
    const fn = holder[key];
    if (typeof fn !== "function") return;
    holder[key] = function (this: unknown, ...args: unknown[]): unknown {
      return quietly(() => Reflect.apply(fn, this, args));
    };
  };
  quiet(Module as unknown as Record<string, unknown>, "_resolveFilename");
  for (const ext of Object.keys(Module._extensions ?? {})) quiet(Module._extensions as Record<string, unknown>, ext);
  const compile = Module.prototype._compile;
  if (typeof compile !== "function") return;
  Module.prototype._compile = function (this: unknown, ...args: unknown[]): unknown {
    return audibly(() => Reflect.apply(compile, this, args));
  };
}

/** An operation interlace does not model: a write of the outside world. */
function world(origin: string, what: string, name: string): DriverOp {
  return (_receiver, _args, emit) => emitWorld(origin, `${what} not modelled`, name, emit);
}

/** FileHandle methods: patched on the prototype once the first handle shows it (the `Files` driver registers them then). */
function patchFileHandles(ops: Map<Function, DriverOp>, patch: (holder: object, key: string, op?: DriverOp) => void): void {
  const open = own(fs.promises, "open");
  if (typeof open !== "function") return;
  let done = false;
  fs.promises.open = async function (this: unknown, ...args: unknown[]) {
    const handle = (await Reflect.apply(open, this, args)) as object;
    if (!done && handle !== null && typeof handle === "object") {
      done = true;
      const proto = Object.getPrototypeOf(handle) as object;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const fn = own(proto, key);
        if (typeof fn === "function" && ops.has(fn)) patch(proto, key);
      }
    }
    return handle;
  } as typeof fs.promises.open;
}

/** Streams move data in later steps than the one that created them: each chunk is an access of the path. */
function patchStreams(patch: (holder: object, key: string, op?: DriverOp) => void): void {
  const onPath = (op: "read" | "write"): DriverOp => (stream, _args, emit) => {
    const path = (stream as { path?: unknown }).path;
    if (typeof path === "string") emitEffect({ accesses: [{ op, location: `file:${path}`, label: `file ${path}` }], modelled: true, text: `${op} stream ${path}` }, "node:fs", "stream", emit);
    else emitWorld("node:fs", "stream", `${op} of a stream on a descriptor`, emit);
  };
  patch(fs.ReadStream.prototype, "_read", onPath("read"));
  patch(fs.WriteStream.prototype, "_write", onPath("write"));
  patch(fs.WriteStream.prototype, "_writev", onPath("write"));
}

/** `new Worker(…)`: what a thread's own worker does is not watched. */
function patchWorker(hooks: IoHooks): void {
  const Original = workerThreads.Worker;
  class Worker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      // A worker a wrapped call starts for itself (pg's catalog reader) is not the thread's.
      if (calls.depth > 0) {
        super(...args);
        return;
      }
      hooks.gate();
      hooks.emit({ op: "write", location: WORLD, origin: "node:worker_threads", label: "untraced node:worker_threads: worker not modelled: new Worker(…)" } satisfies Access);
      super(...args);
    }
  }
  (workerThreads as { Worker: unknown }).Worker = Worker;
}
