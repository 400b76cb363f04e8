/**
 * ioredis: the commands traced code sends as Redis key accesses (`classifyRedis`), the server
 * `host:port` of the client's options, the database the connection has selected (ioredis keeps it
 * in `condition.select`; SELECTs inside a pipeline or transaction are followed).
 *
 * Recognised, by identity (every loaded copy of ioredis, from Node's module cache): the command
 * methods (`get`, `set`, `getBuffer`, …, `call`/`callBuffer`/`send_command`, `sendCommand(cmd)`)
 * on a client or a pipeline, commands added with `addBuiltinCommand`, scripts of `defineCommand`
 * (as the EVALSHA they send), `pipeline()`, `multi()` (with or without `{ pipeline: false }`),
 * `addBatch`, `exec`/`execBuffer`, and the client's `connect`, `disconnect`/`end`, `quit` and
 * `duplicate`, which write the server's endpoint, as pg's connects do. Arguments are normalised by
 * ioredis's own `Command` class when they need it (`keyPrefix`, `mset({ … })`, `hset(k, Map)`), so
 * the keys recorded are the keys sent.
 *
 * A command is recorded when it is sent, a queued one when the queue is: the commands of a
 * pipeline or of MULTI … EXEC when `exec()` is called, together, as part of that step (a
 * transaction takes effect at EXEC). An EXEC that WATCH aborts is recorded as if it ran (its writes
 * included): more conflicts, never fewer. WATCH reads its keys when sent, so a transaction's order
 * against another connection's writes between WATCH and EXEC is explored. SELECT writes both the
 * database left and the one selected (every key access in either then conflicts with it).
 *
 * Like pg, this relies on interlace deciding only at quiet points: a command written in a step has
 * its reply (the socket's next data) pending, so it has completed before the next decision. That
 * holds with ioredis's defaults and with `enableAutoPipelining` (the batch is written in a
 * `process.nextTick`, before the quiet point's `setImmediate`); a command queued offline (the client
 * not connected yet) is written once the connection is up, which is a pending connect.
 *
 * Not modelled (a write of the outside world, origin `ioredis`): a command `classifyRedis` cannot
 * classify (a script without declared keys, FLUSHALL, an unknown command), keyless admin commands
 * (CONFIG SET, SHUTDOWN, DEBUG, RESET, …), Cluster clients, `monitor`, the scan streams, and any other
 * method of the client.
 */
import { EventEmitter } from "node:events";
import { classifySession, type ConnectTarget } from "../net.js";
import { classifyRedis, type RedisArg } from "../redis/index.js";
import { lazyRequire } from "../load.js";
import { emitAccesses, emitEffect, emitWorld, own, type DriverOp, type Emit } from "./common.js";
import { loadedExports, pathOfExports } from "./packages.js";

const ORIGIN = "ioredis";

interface Queued {
  /** As the program gave it (ioredis looks up argument transformers by this spelling). */
  name: string;
  args: RedisArg[];
}

type CommandClass = new (name: string, args: unknown[], options: { keyPrefix?: unknown }) => { args?: unknown };

/** One loaded copy of ioredis. */
interface Copy {
  Redis: Function;
  Pipeline: Function | null;
  Command: CommandClass | null;
}

interface Options {
  host?: string;
  port?: number | string;
  path?: string;
  db?: number;
  keyPrefix?: unknown;
  sentinels?: unknown;
  name?: string;
}

/** Commands whose arguments ioredis rewrites before sending (objects and Maps to pairs). */
const TRANSFORMED = new Set(["mset", "msetnx", "hset", "hmset"]);
/** Client methods that open or close the connection (writes of the server's endpoint). */
const LIFECYCLE = ["connect", "disconnect", "end", "duplicate"];

interface CommandInfo {
  flags: string[];
  subcommands?: Record<string, CommandInfo>;
}

let table: Record<string, CommandInfo> | undefined;

/** Keyless commands that change the server or the connection in ways no key access describes. */
function isAdmin(name: string, args: readonly RedisArg[]): boolean {
  if (name === "reset") return true;
  table ??= lazyRequire<Record<string, CommandInfo>>("@ioredis/commands/built/commands.json");
  let info = Object.hasOwn(table, name) ? table[name] : undefined;
  if (info?.subcommands !== undefined && args.length > 0) info = info.subcommands[String(args[0]).toLowerCase()] ?? info;
  return info?.flags.includes("admin") === true;
}

function isPlain(a: unknown): boolean {
  return typeof a === "string" || typeof a === "number" || a instanceof Uint8Array;
}

function withoutCallback(args: readonly unknown[]): unknown[] {
  return typeof args[args.length - 1] === "function" ? args.slice(0, -1) : [...args];
}

export class Redis {
  readonly #copies: Copy[] = [];
  readonly #seen = new Set<unknown>();
  /** Commands queued on a pipeline (or a `multi()` transaction) in this run, sent by its `exec()`. */
  #queues = new WeakMap<object, Queued[]>();
  /** Clients in a MULTI sent directly (`multi({ pipeline: false })`, `call("MULTI")`): the commands Redis queued. */
  #multi = new WeakMap<object, Queued[]>();

  reset(): void {
    this.#queues = new WeakMap();
    this.#multi = new WeakMap();
  }

  /** The operations registered for the copies' shared functions. */
  readonly #ops = new WeakMap<Function, DriverOp>();

  discover(fn: Function, receiver: unknown, register: (fn: Function, op: DriverOp) => void): DriverOp | null {
    this.#load((f, op) => {
      this.#ops.set(f, op);
      register(f, op);
    });
    const known = this.#ops.get(fn);
    if (known !== undefined) return known;
    const copy = this.#copyOf(receiver);
    if (copy === null) return null;
    // Functions of an instance's own: a transaction's exec, scripts, commands added at run time.
    for (const key of Object.getOwnPropertyNames(receiver as object)) {
      if (own(receiver, key) !== fn) continue;
      if ((key === "exec" || key === "execBuffer") && copy.Pipeline !== null && receiver instanceof copy.Pipeline) return (p, _a, emit) => this.#exec(p as object, emit);
      const base = key.endsWith("Buffer") ? key.slice(0, -"Buffer".length) : key;
      const client = this.#clientOf(receiver, copy);
      const scripts = own(client, "scriptsSet") as Record<string, unknown> | undefined;
      if (scripts !== undefined && Object.hasOwn(scripts, base)) return (r, args, emit) => this.#script(copy, r, base, args, emit);
      const added = own(client, "addedBuiltinSet") as Set<string> | undefined;
      if (added instanceof Set && added.has(base)) return (r, args, emit) => this.#command(copy, r, base, withoutCallback(args), emit, false);
    }
    // Any other method of the client's classes (EventEmitter's excepted: those are Node's code).
    for (const proto of this.#protos(copy)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === "constructor" || own(proto, key) !== fn || own(EventEmitter.prototype, key) === fn) continue;
        return (_r, _a, emit) => emitWorld(ORIGIN, "Redis client method not modelled", `${(proto.constructor as { name?: string })?.name ?? "Redis"}.${key}`, emit);
      }
    }
    return null;
  }

  #protos(copy: Copy): object[] {
    const out: object[] = [];
    for (let p = copy.Redis.prototype as object | null; p !== null && p !== Object.prototype && p !== EventEmitter.prototype; p = Object.getPrototypeOf(p)) out.push(p);
    if (copy.Pipeline !== null) out.push(copy.Pipeline.prototype as object);
    return out;
  }

  /** Finds the loaded copies of ioredis not seen yet and registers their operations. */
  #load(register: (fn: Function, op: DriverOp) => void): void {
    for (const exports of loadedExports("/ioredis/built/Redis.js")) {
      if (this.#seen.has(exports)) continue;
      this.#seen.add(exports);
      const R = own(exports, "default");
      if (typeof R !== "function") continue;
      const path = pathOfExports(exports)?.replace(/\\/g, "/") ?? "";
      const dir = path.slice(0, path.length - "Redis.js".length);
      const sibling = (file: "/ioredis/built/Pipeline.js" | "/ioredis/built/Command.js"): unknown => {
        for (const e of loadedExports(file)) if (pathOfExports(e)?.replace(/\\/g, "/") === dir + file.slice("/ioredis/built/".length)) return own(e, "default");
        return undefined;
      };
      const P = sibling("/ioredis/built/Pipeline.js");
      const C = sibling("/ioredis/built/Command.js");
      const copy: Copy = { Redis: R, Pipeline: typeof P === "function" ? P : null, Command: typeof C === "function" ? (C as CommandClass) : null };
      this.#copies.push(copy);
      this.#register(copy, register);
    }
  }

  #register(copy: Copy, register: (fn: Function, op: DriverOp) => void): void {
    const redisProto = copy.Redis.prototype as object;
    // The command methods live on Commander's prototype (enumerable, one per command and its Buffer form).
    let commander: object | null = redisProto;
    while (commander !== null && own(commander, "call") === undefined) commander = Object.getPrototypeOf(commander) as object | null;
    if (commander !== null) {
      const keys = new Set(Object.keys(commander));
      for (const key of keys) {
        const fn = own(commander, key);
        if (typeof fn !== "function") continue;
        if (key === "call" || key === "callBuffer" || key === "send_command") {
          register(fn, (r, args, emit) => {
            const [name, ...rest] = withoutCallback(args);
            if (typeof name !== "string") return emitWorld(ORIGIN, "Redis command not modelled", `call(${String(name)})`, emit);
            this.#command(copy, r, name, rest, emit, false);
          });
          continue;
        }
        const name = key.endsWith("Buffer") && keys.has(key.slice(0, -"Buffer".length)) ? key.slice(0, -"Buffer".length) : key;
        register(fn, (r, args, emit) => this.#command(copy, r, name, withoutCallback(args), emit, false));
      }
    }
    const sendCommand: DriverOp = (r, args, emit) => {
      const cmd = args[0];
      const name = own(cmd, "name");
      const cmdArgs = own(cmd, "args");
      if (typeof name !== "string" || !Array.isArray(cmdArgs)) return emitWorld(ORIGIN, "Redis command not modelled", "sendCommand(…)", emit);
      this.#command(copy, r, name, cmdArgs as unknown[], emit, true);
    };
    const rs = own(redisProto, "sendCommand");
    if (typeof rs === "function") register(rs, sendCommand);
    for (const key of LIFECYCLE) {
      const fn = own(redisProto, key);
      if (typeof fn === "function") register(fn, (r, _a, emit) => this.#connection(r, key, emit));
    }
    const pipeline = own(redisProto, "pipeline");
    if (typeof pipeline === "function") register(pipeline, (r, args, emit) => this.#newPipeline(copy, r, Array.isArray(args[0]) ? args[0] : null, emit, "pipeline"));
    const multi = own(redisProto, "multi");
    if (typeof multi === "function") {
      register(multi, (r, args, emit) => {
        const [commands, options] = Array.isArray(args[0]) ? [args[0], args[1]] : [null, args[0]];
        if ((options as { pipeline?: unknown } | undefined)?.pipeline === false) return this.#command(copy, r, "multi", [], emit, true);
        return this.#newPipeline(copy, r, commands, emit, "multi");
      });
    }
    const exec = own(redisProto, "exec");
    if (typeof exec === "function") register(exec, (r, _a, emit) => this.#command(copy, r, "exec", [], emit, true));
    if (copy.Pipeline !== null) {
      const proto = copy.Pipeline.prototype as object;
      const ps = own(proto, "sendCommand");
      if (typeof ps === "function") register(ps, sendCommand);
      const pm = own(proto, "multi");
      if (typeof pm === "function") register(pm, (p, _a, emit) => this.#command(copy, p, "multi", [], emit, true));
      const batch = own(proto, "addBatch");
      if (typeof batch === "function") register(batch, (p, args, emit) => this.#batch(copy, p, args[0], emit));
      for (const key of ["exec", "execBuffer"]) {
        const fn = own(proto, key);
        if (typeof fn !== "function") continue;
        register(fn, (p, _a, emit) => {
          // Inside the pipeline's own MULTI, `exec()` only queues the EXEC; the next one sends.
          const transactions = own(p, "_transactions");
          if (typeof transactions === "number" && transactions > 0) return this.#command(copy, p, "exec", [], emit, true);
          this.#exec(p as object, emit);
        });
      }
    }
  }

  #copyOf(o: unknown): Copy | null {
    if (o === null || typeof o !== "object") return null;
    for (const c of this.#copies) if (o instanceof c.Redis || (c.Pipeline !== null && o instanceof c.Pipeline)) return c;
    return null;
  }

  /** The client a receiver sends through: itself, or a pipeline's client. */
  #clientOf(o: unknown, copy: Copy): object | null {
    if (o === null || typeof o !== "object") return null;
    if (o instanceof copy.Redis) return o;
    if (copy.Pipeline !== null && o instanceof copy.Pipeline) {
      const client = own(o, "redis");
      return client instanceof copy.Redis ? client : null;
    }
    return null;
  }

  /** A command called on `r` (a client or a pipeline): recorded now, or queued. */
  #command(copy: Copy, r: unknown, name: string, args: unknown[], emit: Emit, normalised: boolean): void {
    const client = this.#clientOf(r, copy);
    if (client === null) {
      emitWorld(ORIGIN, "Redis client not modelled", [name.toUpperCase(), ...args.map((a) => String(a))].join(" "), emit);
      return;
    }
    const queued = normalised ? { name, args: args as RedisArg[] } : this.#normalise(copy, client, name, args);
    if (client !== r) {
      this.#queue(r as object).push(queued);
      return;
    }
    this.#send(client, [queued], emit);
  }

  #queue(pipeline: object): Queued[] {
    let q = this.#queues.get(pipeline);
    if (q === undefined) this.#queues.set(pipeline, (q = []));
    return q;
  }

  /** `redis.pipeline(commands)`, `redis.multi(commands)`: no access; the commands given are queued on the new pipeline. */
  #newPipeline(copy: Copy, r: unknown, commands: unknown, emit: Emit, what: string): ((result: unknown, error: boolean) => unknown) | void {
    const client = this.#clientOf(r, copy);
    if (client === null) return emitWorld(ORIGIN, "Redis client not modelled", `${what}()`, emit);
    return (result, error) => {
      if (!error && result !== null && typeof result === "object") {
        this.#queue(result);
        if (Array.isArray(commands)) this.#batch(copy, result, commands, emit);
      }
      return result;
    };
  }

  /** `pipeline.addBatch([[name, ...args], …])`. */
  #batch(copy: Copy, p: unknown, commands: unknown, emit: Emit): void {
    if (!Array.isArray(commands)) return;
    for (const c of commands) {
      if (!Array.isArray(c) || typeof c[0] !== "string") {
        emitWorld(ORIGIN, "Redis command not modelled", "addBatch(…)", emit);
        continue;
      }
      this.#command(copy, p, c[0], withoutCallback(c.slice(1)), emit, false);
    }
  }

  /** A pipeline's (or transaction's) `exec()`: its queued commands, sent now. */
  #exec(p: object, emit: Emit): void {
    const copy = this.#copyOf(p);
    const client = copy === null ? null : this.#clientOf(p, copy);
    const queued = this.#queues.get(p) ?? [];
    this.#queues.delete(p);
    if (client === null) return emitWorld(ORIGIN, "Redis client not modelled", "exec()", emit);
    // A pipeline's commands reach the connection as they would one by one (a MULTI sent directly still queues them).
    this.#send(client, queued, emit);
  }

  /** A script of `defineCommand`: the EVALSHA (EVAL on a cache miss) ioredis sends for it. */
  #script(copy: Copy, r: unknown, name: string, args: unknown[], emit: Emit): void {
    const client = this.#clientOf(r, copy);
    const scripts = (own(client, "scriptsSet") ?? {}) as Record<string, unknown>;
    const script = scripts[name];
    const sha = own(script, "sha");
    const numberOfKeys = own(script, "numberOfKeys");
    if (typeof sha !== "string") return emitWorld(ORIGIN, "Redis script not modelled", name, emit);
    const rest = withoutCallback(args);
    const full = typeof numberOfKeys === "number" ? [sha, numberOfKeys, ...rest] : [sha, ...rest];
    this.#command(copy, r, own(script, "readOnly") === true ? "evalsha_ro" : "evalsha", full, emit, false);
  }

  /** The arguments as ioredis sends them (key prefix, argument transformers), when they need it. */
  #normalise(copy: Copy, client: object, name: string, args: unknown[]): Queued {
    const keyPrefix = (own(client, "options") as Options | undefined)?.keyPrefix;
    if (!keyPrefix && !TRANSFORMED.has(name) && args.every(isPlain)) return { name, args: args as RedisArg[] };
    if (copy.Command !== null) {
      try {
        const sent = new copy.Command(name, args, { keyPrefix }).args;
        if (Array.isArray(sent)) return { name, args: sent as RedisArg[] };
      } catch {
        // classified from the arguments as given
      }
    }
    return { name, args: args as RedisArg[] };
  }

  /** Commands reaching a client's connection in order: recorded, or queued by a MULTI it is in. */
  #send(client: object, commands: readonly Queued[], emit: Emit): void {
    for (const c of commands) {
      const name = c.name.toLowerCase();
      const inMulti = this.#multi.get(client);
      if (inMulti !== undefined) {
        if (name === "exec") {
          this.#multi.delete(client);
          this.#record(client, inMulti, emit);
        } else if (name === "discard") this.#multi.delete(client);
        else if (name !== "multi") inMulti.push(c);
        continue;
      }
      if (name === "multi") {
        this.#multi.set(client, []);
        continue;
      }
      this.#record(client, [c], emit);
    }
  }

  /** Records commands that take effect now, in order, following SELECT. */
  #record(client: object, commands: readonly Queued[], emit: Emit): void {
    const options = (own(client, "options") ?? {}) as Options;
    const server = serverOf(options);
    const selected = (own(client, "condition") as { select?: unknown } | null | undefined)?.select;
    let db = typeof selected === "number" ? selected : typeof options.db === "number" ? options.db : 0;
    for (const c of commands) {
      const name = c.name.toLowerCase();
      if (name === "select") {
        const to = Number(String(c.args[0]));
        if (!Number.isInteger(to) || to < 0) {
          emitWorld(ORIGIN, "Redis command not modelled", `SELECT ${String(c.args[0])}`, emit);
          continue;
        }
        if (to !== db) {
          const dbs = [db, to].map((n) => ({ op: "write" as const, location: `redis:${server}/${n}`, label: `Redis database ${n}` }));
          emitAccesses(dbs, `SELECT ${to}`, emit);
          db = to;
        }
        continue;
      }
      if (name === "quit") {
        this.#connection(client, "quit", emit);
        continue;
      }
      const effect = classifyRedis(name, c.args, { server, db });
      if (effect.modelled && effect.accesses.length === 0 && isAdmin(name, c.args)) emitWorld(ORIGIN, "Redis command not modelled", effect.text, emit);
      else emitEffect(effect, ORIGIN, "Redis command", emit);
    }
  }

  /** connect, disconnect, quit, duplicate: a read of the server's endpoint (a session, `classifySession`). */
  #connection(client: unknown, what: string, emit: Emit): void {
    const options = (own(client, "options") ?? {}) as Options;
    let target: ConnectTarget | null = null;
    if (typeof options.path === "string") target = { path: options.path };
    else if (options.sentinels === undefined || options.sentinels === null) target = { host: options.host ?? "localhost", port: options.port ?? 6379 };
    if (target === null) emitWorld(ORIGIN, "Redis connection not modelled", `${what} (sentinel ${options.name ?? ""})`, emit);
    else emitEffect(classifySession(target), ORIGIN, "Redis connection", emit);
  }
}

/** `host:port`, `unix:<path>`, or `sentinel:<name>`: names the server in locations. */
function serverOf(options: Options): string {
  if (typeof options.path === "string") return `unix:${options.path}`;
  if (options.sentinels !== undefined && options.sentinels !== null) return `sentinel:${options.name ?? ""}`;
  return `${options.host ?? "localhost"}:${String(options.port ?? 6379)}`;
}
