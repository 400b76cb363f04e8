/**
 * node-redis (`redis`, `@redis/client` 5.x): the commands traced code sends as Redis key accesses,
 * with the classifier and location names of the ioredis driver (`redis.ts`), so a node-redis client
 * and an ioredis client on one server conflict on one key.
 *
 * Recognised by identity (every loaded copy of `@redis/client`, from Node's module cache). node-redis
 * builds a client class per configuration, its command methods (`get`, `GET`, `hSet`…) on that
 * class's prototype: they are found from the receiver, the method's name being the command's name
 * in node-redis's command table, whose own `parseCommand` gives the arguments sent. Registered when
 * the copy is found, the base class's `sendCommand([...])`, `SELECT`, `WATCH`/`UNWATCH`,
 * subscriptions and `MULTI`: its commands are queued and recorded together when `exec()` or
 * `execAsPipeline()` sends them, in that step (an EXEC that WATCH aborts counts as run); `connect`,
 * `quit`, `disconnect`, `close`, `destroy`, `duplicate` write the server's endpoint, as ioredis's.
 * Scripts of `createClient({ scripts })` are the EVALSHA they send. `createClient` makes no access
 * (no I/O before `connect()`). A command sent in a step completes before the next decision: node-redis
 * writes from a `setImmediate`, pending work of the task, then the write keeps it busy until the reply.
 *
 * The database lives in a private field: it is followed from the SELECTs recorded (`select`,
 * `sendCommand(["SELECT", n])`, a transaction's), from the `database` option on.
 *
 * Not modelled (a write of the outside world, origin `@redis/client`): what `classifyRedis` cannot
 * classify (a script with no declared key, FLUSHALL, unknown commands), keyless admin commands,
 * module and function namespaces (`client.json.get`), `monitor`, `reset`, scan iterators, Cluster,
 * Sentinel and pool objects, any other method of a client or transaction.
 */
import { EventEmitter } from "node:events";
import { markModelledClass } from "../../access/callees.js";
import { classifySession } from "../net.js";
import { classifyRedis, type RedisArg } from "../redis/index.js";
import { emitAccesses, emitEffect, emitWorld, own, type DriverOp, type Emit } from "./common.js";
import { loadedExports, pathOfExports, type Wanted } from "./packages.js";

const ORIGIN = "@redis/client";
const LIB = "/@redis/client/dist/lib/";

/** A command as sent: its name, then its arguments. */
type Sent = RedisArg[];
type Register = (fn: Function, op: DriverOp) => void;

interface Command { parseCommand(parser: Parser, ...args: unknown[]): void }
interface Script extends Command { SHA1?: unknown; NUMBER_OF_KEYS?: unknown; IS_READ_ONLY?: unknown }
interface Parser { push(...args: unknown[]): void; readonly redisArgs: unknown[] }
interface Options { socket?: { host?: string; port?: number | string; path?: string }; database?: number; scripts?: Record<string, Script> }

/** One loaded copy of `@redis/client`. */
interface Copy {
  Client: Function;
  Multi: Function | null;
  Parser: (new () => Parser) | null;
  commands: Record<string, Command>;
  /** Cluster, Sentinel, pool classes: not modelled. */
  others: Function[];
  /** node-redis's own `options` getter: the options live in a private field. */
  options: ((this: unknown) => unknown) | undefined;
}

type Kind = "client" | "multi" | "namespace" | "other";

/** Base-class methods that write the server's endpoint (they open or close the connection). */
const LIFECYCLE = new Set(["connect", "QUIT", "disconnect", "close", "destroy", "duplicate"]);
/** Base-class methods that only make a local object or flag: no access. */
const LOCAL = new Set(["ref", "unref", "withCommandOptions", "withTypeMapping", "withAbortSignal", "asap", "legacy"]);
const CHANNELS = new Set(["SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE"]);
const EXECS = new Set(["exec", "execTyped", "execAsPipeline", "execAsPipelineTyped"]);

const flat = (a: unknown): RedisArg[] => (Array.isArray(a) ? (a as RedisArg[]) : [a as RedisArg]);
const textOf = (c: Sent): string => c.map((a) => String(a)).join(" ");
const world = (what: string, text: string): DriverOp => (_r, _a, emit) => emitWorld(ORIGIN, what, text, emit);

export class NodeRedis {
  readonly #copies: Copy[] = [];
  readonly #seen = new Set<unknown>();
  readonly #ops = new WeakMap<Function, DriverOp>();
  /** Method name of each function on an object of a client's prototype chain (built once per object). */
  readonly #names = new WeakMap<object, Map<Function, string>>();
  /** The client (`_self`) a transaction object of `multi()` sends through. */
  readonly #owner = new WeakMap<object, object>();
  /** Database each client's connection has selected, as recorded (kept across runs: so is the connection). */
  readonly #db = new WeakMap<object, number>();
  /** Commands queued on a transaction object in this run. */
  #queues = new WeakMap<object, Sent[]>();
  /** Clients in a MULTI sent directly (`sendCommand(["MULTI"])`): the commands Redis queued. */
  #multi = new WeakMap<object, Sent[]>();

  reset(): void {
    this.#queues = new WeakMap();
    this.#multi = new WeakMap();
  }

  discover(fn: Function, receiver: unknown, register: Register): DriverOp | null {
    this.#load((f, op) => {
      this.#ops.set(f, op);
      register(f, op);
    });
    const known = this.#ops.get(fn);
    if (known !== undefined) return known;
    const found = this.#copyOf(receiver);
    if (found === null) return null;
    const [copy, kind] = found;
    const name = this.#nameOf(receiver as object, fn, copy);
    if (kind === "other") return world("Redis client not modelled", `${name ?? "method"}(…)`);
    if (kind === "namespace") return world("Redis module command not modelled", `${name ?? "command"}(…)`);
    if (name === undefined) return null;
    const op = this.#methodOp(copy, name);
    this.#ops.set(fn, op);
    return op;
  }

  /** A command method of a per-configuration class: a command of the table, a script, or not modelled. */
  #methodOp(copy: Copy, name: string): DriverOp {
    const command = Object.hasOwn(copy.commands, name) ? copy.commands[name] : undefined;
    if (command !== undefined) return (r, args, emit) => this.#call(copy, r, this.#parse(copy, command, [], args), name, emit);
    return (r, args, emit) => {
      // Scripts are the client's options': looked up per call (a transaction's client is known once `multi()` was recorded).
      const kind = this.#copyOf(r)?.[1];
      const scripts = this.#options(copy, kind === "multi" ? this.#owner.get(r as object) : r)?.scripts;
      const script = scripts !== undefined && Object.hasOwn(scripts, name) ? scripts[name] : undefined;
      if (script === undefined || typeof script.SHA1 !== "string") return emitWorld(ORIGIN, "Redis client method not modelled", name, emit);
      const keys = script.NUMBER_OF_KEYS === undefined ? [] : [String(script.NUMBER_OF_KEYS)];
      // The client sends EVALSHA(_RO); a transaction EVALSHA or EVAL with the script: the same keys.
      const prefix = [kind === "client" && script.IS_READ_ONLY === true ? "EVALSHA_RO" : "EVALSHA", script.SHA1, ...keys];
      this.#call(copy, r, this.#parse(copy, script, prefix, args), name, emit);
    };
  }

  /** The method name of `fn` on the receiver's prototype chain (node-redis's classes only). */
  #nameOf(receiver: object, fn: Function, copy: Copy): string | undefined {
    for (let p: object | null = receiver; p !== null && p !== Object.prototype && p !== EventEmitter.prototype; p = Object.getPrototypeOf(p) as object | null) {
      if (p === copy.Client.prototype || p === copy.Multi?.prototype) return undefined; // registered at load
      let names = this.#names.get(p);
      if (names === undefined) {
        names = new Map();
        for (const key of Object.getOwnPropertyNames(p)) {
          const v = own(p, key); // never a getter: the module namespaces are getters
          if (typeof v === "function" && !names.has(v)) names.set(v, key);
        }
        this.#names.set(p, names);
      }
      const name = names.get(fn);
      if (name !== undefined) return name;
    }
    return undefined;
  }

  /** The arguments node-redis sends for a command (its own parser), or null when it would throw. */
  #parse(copy: Copy, command: Command, prefix: unknown[], args: unknown[]): Sent | null {
    if (copy.Parser === null) return null;
    try {
      const parser = new copy.Parser();
      if (prefix.length > 0) parser.push(...prefix);
      command.parseCommand(parser, ...args);
      return [...parser.redisArgs] as Sent;
    } catch {
      return null;
    }
  }

  /** A command called on a client (sent now) or a transaction object (queued). */
  #call(copy: Copy, r: unknown, sent: Sent | null, what: string, emit: Emit): void {
    if (sent === null || sent.length === 0) return emitWorld(ORIGIN, "Redis command not modelled", `${what}(…)`, emit);
    const found = this.#copyOf(r);
    if (found?.[1] === "multi") {
      const q = this.#queues.get(r as object);
      if (q !== undefined && this.#owner.has(r as object)) return void q.push(sent);
      return emitWorld(ORIGIN, "Redis transaction not modelled", textOf(sent), emit);
    }
    const client = selfOf(r, copy);
    if (client === null) return emitWorld(ORIGIN, "Redis client not modelled", textOf(sent), emit);
    this.#send(copy, client, [sent], emit);
  }

  /** Finds the loaded copies of `@redis/client` not seen yet and registers their operations. */
  #load(register: Register): void {
    for (const exports of loadedExports(`${LIB}client/index.js`)) {
      if (this.#seen.has(exports)) continue;
      this.#seen.add(exports);
      const Client = own(exports, "default");
      if (typeof Client !== "function") continue;
      const path = pathOfExports(exports)?.replace(/\\/g, "/") ?? "";
      const dir = path.slice(0, path.length - "client/index.js".length);
      const sibling = (file: Wanted, name: string): unknown => {
        for (const e of loadedExports(file)) if (pathOfExports(e)?.replace(/\\/g, "/") === dir + file.slice(LIB.length)) return own(e, name);
        return undefined;
      };
      const fnOr = (v: unknown): Function | null => (typeof v === "function" ? v : null);
      const commands = sibling(`${LIB}commands/index.js`, "default");
      const others = [sibling(`${LIB}cluster/index.js`, "default"), sibling(`${LIB}sentinel/index.js`, "default"), sibling(`${LIB}client/pool.js`, "RedisClientPool")].flatMap((c) => fnOr(c) ?? []);
      const getter = Object.getOwnPropertyDescriptor(Client.prototype, "options")?.get;
      const Multi = fnOr(sibling(`${LIB}client/multi-command.js`, "default"));
      const Parser = fnOr(sibling(`${LIB}client/parser.js`, "BasicCommandParser")) as Copy["Parser"];
      const copy: Copy = { Client, Multi, Parser, commands: commands !== null && typeof commands === "object" ? (commands as Copy["commands"]) : {}, others, options: getter };
      // A script's own `parseCommand` (traced code) calls the parser, which only builds one call's arguments.
      if (copy.Parser !== null) markModelledClass(copy.Parser);
      this.#copies.push(copy);
      this.#register(copy, register);
    }
    for (const exports of loadedExports("/node_modules/redis/dist/index.js")) {
      if (this.#seen.has(exports)) continue;
      this.#seen.add(exports);
      const create = own(exports, "createClient");
      if (typeof create === "function") register(create, () => {}); // a client does no I/O before connect()
      for (const key of ["createCluster", "createSentinel", "createClientPool"]) {
        const fn = own(exports, key);
        if (typeof fn === "function") register(fn, world("Redis client not modelled", key));
      }
    }
  }

  #register(copy: Copy, register: Register): void {
    const create = own(copy.Client, "create");
    if (typeof create === "function") register(create, () => {}); // a client does no I/O before connect()
    for (const C of copy.others) {
      const fn = own(C, "create");
      if (typeof fn === "function") register(fn, world("Redis client not modelled", `${C.name}.create`));
    }
    for (const [C, op] of [[copy.Client, (key: string) => this.#clientOp(copy, key)], [copy.Multi, (key: string) => this.#multiOp(copy, key)]] as const) {
      const proto = (C?.prototype ?? null) as object | null;
      for (const key of proto === null ? [] : Object.getOwnPropertyNames(proto)) {
        const fn = own(proto, key);
        if (key !== "constructor" && typeof fn === "function") register(fn, op(key));
      }
    }
  }

  /** What a method of node-redis's client base class does. */
  #clientOp(copy: Copy, key: string): DriverOp {
    if (LOCAL.has(key)) return () => {};
    if (LIFECYCLE.has(key)) return (r, _a, emit) => this.#endpoint(copy, r, key, emit);
    const send = (sent: (args: unknown[]) => Sent | null): DriverOp => (r, args, emit) => this.#call(copy, r, sent(args), key, emit);
    if (key === "sendCommand") return send((args) => (Array.isArray(args[0]) ? ([...args[0]] as Sent) : null));
    if (key === "SELECT") return send((args) => ["SELECT", String(args[0])]);
    if (key === "WATCH") return send((args) => ["WATCH", ...flat(args[0])]);
    if (key === "UNWATCH") return send(() => ["UNWATCH"]);
    if (CHANNELS.has(key)) return send((args) => [key, ...flat(args[0])]);
    if (key === "MULTI") {
      return (r, _a) => (result, error) => {
        const client = selfOf(r, copy);
        if (!error && client !== null && result !== null && typeof result === "object") {
          this.#owner.set(result, client);
          this.#queues.set(result, []);
        }
        return result;
      };
    }
    return world("Redis client method not modelled", `RedisClient.${key}`);
  }

  /** What a method of node-redis's transaction base class does (`multi()`'s result). */
  #multiOp(copy: Copy, key: string): DriverOp {
    if (key === "addCommand" || key === "sendCommand") return (m, args, emit) => this.#call(copy, m, Array.isArray(args[0]) ? ([...args[0]] as Sent) : null, key, emit);
    if (key === "SELECT") return (m, args, emit) => this.#call(copy, m, ["SELECT", String(args[0])], key, emit);
    if (EXECS.has(key)) return (m, _a, emit) => this.#exec(copy, m as object, emit);
    return world("Redis transaction method not modelled", key);
  }

  /** A transaction object's `exec()` (or `execAsPipeline()`): its queued commands, sent now. */
  #exec(copy: Copy, m: object, emit: Emit): void {
    const client = this.#owner.get(m);
    const queued = this.#queues.get(m);
    this.#queues.delete(m);
    if (client === undefined || queued === undefined) return emitWorld(ORIGIN, "Redis transaction not modelled", "exec()", emit);
    this.#send(copy, client, queued, emit);
  }

  /** Commands reaching a client's connection in order: recorded, or queued by a MULTI it is in. */
  #send(copy: Copy, client: object, commands: readonly Sent[], emit: Emit): void {
    for (const c of commands) {
      const name = String(c[0]).toLowerCase();
      const inMulti = this.#multi.get(client);
      if (inMulti !== undefined) {
        if (name === "exec") {
          this.#multi.delete(client);
          this.#record(copy, client, inMulti, emit);
        } else if (name === "discard") this.#multi.delete(client);
        else if (name !== "multi") inMulti.push(c);
      } else if (name === "multi") this.#multi.set(client, []);
      else this.#record(copy, client, [c], emit);
    }
  }

  /** Records commands that take effect now, in order, following SELECT. */
  #record(copy: Copy, client: object, commands: readonly Sent[], emit: Emit): void {
    const options = this.#options(copy, client);
    // Without its options the server is unknown: naming it by a guess could miss a conflict.
    if (options === null) return commands.forEach((c) => emitWorld(ORIGIN, "Redis client not modelled", textOf(c), emit));
    const server = serverOf(options);
    for (const c of commands) {
      const name = String(c[0]).toLowerCase();
      const args = c.slice(1);
      const db = this.#db.get(client) ?? (typeof options.database === "number" ? options.database : 0);
      if (name === "select") {
        const to = Number(String(args[0]));
        if (!Number.isInteger(to) || to < 0) emitWorld(ORIGIN, "Redis command not modelled", textOf(c), emit);
        else if (to !== db) {
          // Every key access in either database conflicts with the switch.
          emitAccesses([db, to].map((n) => ({ op: "write" as const, location: `redis:${server}/${n}`, label: `Redis database ${n}` })), `SELECT ${to}`, emit);
          this.#db.set(client, to);
        }
        continue;
      }
      if (name === "quit") {
        this.#endpoint(copy, client, "QUIT", emit);
        continue;
      }
      const effect = classifyRedis(name, args, { server, db });
      // The classifier leaves keyless admin commands unmodelled; RESET (not flagged admin) resets the connection's state.
      if (name === "reset") this.#db.delete(client);
      if (name === "reset") emitWorld(ORIGIN, "Redis command not modelled", effect.text, emit);
      else emitEffect(effect, ORIGIN, "Redis command", emit);
    }
  }

  /** connect, quit, disconnect, close, destroy, duplicate: a read of the server's endpoint (a session, `classifySession`). */
  #endpoint(copy: Copy, r: unknown, what: string, emit: Emit): void {
    const options = this.#options(copy, selfOf(r, copy));
    if (options === null) return emitWorld(ORIGIN, "Redis connection not modelled", what, emit);
    const socket = options.socket ?? {};
    const target = typeof socket.path === "string" ? { path: socket.path } : { host: socket.host ?? "localhost", port: socket.port ?? 6379 };
    emitEffect(classifySession(target), ORIGIN, `Redis connection (${what})`, emit);
  }

  /** The client's options, through node-redis's own getter (they live in a private field); null when unreadable. */
  #options(copy: Copy, client: unknown): Options | null {
    try {
      const o: unknown = client === null || client === undefined ? undefined : copy.options?.call(client);
      return o !== null && typeof o === "object" ? (o as Options) : null;
    } catch {
      return null;
    }
  }

  #copyOf(o: unknown): [Copy, Kind] | null {
    if (o === null || typeof o !== "object") return null;
    for (const c of this.#copies) {
      if (o instanceof c.Client) return [c, "client"];
      if (c.Multi !== null && o instanceof c.Multi) return [c, "multi"];
      if (c.others.some((C) => o instanceof C)) return [c, "other"];
      const self = own(o, "_self"); // a module or function namespace (`client.json`): its `_self` is the client
      if (self instanceof c.Client || (c.Multi !== null && self instanceof c.Multi)) return [c, "namespace"];
    }
    return null;
  }
}

/** The client object itself (`_self`): `createClient` returns an object inheriting from it, as do `withTypeMapping(…)` and the like. */
function selfOf(o: unknown, copy: Copy): object | null {
  for (let p = o; p !== null && typeof p === "object"; p = Object.getPrototypeOf(p)) {
    const self = own(p, "_self");
    if (self !== undefined) return self instanceof copy.Client ? (self as object) : null;
  }
  return null;
}

/** `host:port` or `unix:<path>`, as the ioredis driver names the server in locations. */
function serverOf(options: Options): string {
  const socket = options.socket ?? {};
  if (typeof socket.path === "string") return `unix:${socket.path}`;
  return `${socket.host ?? "localhost"}:${String(socket.port ?? 6379)}`;
}
