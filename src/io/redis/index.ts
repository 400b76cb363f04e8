/**
 * Redis commands as resource accesses: `classifyRedis(command, args, { server, db })`.
 *
 * Resource = key (`redis:<server>/<db>:<key>`, `within` its database `redis:<server>/<db>`).
 * Whether a command reads or writes, and which arguments are keys, come from the command table
 * of `@ioredis/commands` (the flags `readonly`/`write`, subcommands, and `getKeyIndexes` for the
 * commands whose keys move). Only what that table cannot say is decided here:
 *
 * - EVAL/EVALSHA/FCALL: a write of every declared key (a read for the `_RO` forms). A script can
 *   reach keys it does not declare (Redis only forbids it in a cluster): when it declares none, or
 *   `numkeys` is not a count, the call is unmodelled.
 * - WATCH: a read of its keys (the table gives it no flag). MULTI/EXEC/DISCARD/UNWATCH: no access,
 *   grouping a transaction is the caller's.
 * - Keyless commands: `readonly` ones that look at the keyspace (KEYS, SCAN, DBSIZE, RANDOMKEY)
 *   read the database; FLUSHDB writes it; FLUSHALL, SWAPDB and other keyless writes (FUNCTION
 *   LOAD, …) and admin commands (CONFIG SET, SHUTDOWN, SCRIPT FLUSH, CLIENT KILL) are unmodelled,
 *   as they reach every database, code or connection. Others (PING, INFO, CLIENT GETNAME, SELECT)
 *   make no access. SELECT changes the connection's database: the caller passes `db`.
 * - Pub/sub: PUBLISH/SPUBLISH write `redis:<server>/channel:<name>`, (S)SUBSCRIBE and
 *   (S)UNSUBSCRIBE read it; pattern subscriptions are unmodelled.
 * - A keyed command with neither flag is taken as a write. An unknown command is unmodelled.
 */
import type { ResourceAccess, ResourceEffect } from "../resource.js";
import { displayText } from "../resource.js";
import { lazyRequire } from "../load.js";

export interface RedisOptions {
  /** Names the server in locations, e.g. `127.0.0.1:6379`. */
  server: string;
  /** The connection's database (default 0). */
  db?: number;
}

export type RedisArg = string | number | Uint8Array | boolean | null | undefined | readonly RedisArg[];

interface CommandInfo {
  flags: string[];
  keyStart: number;
  keyStop: number;
  step: number;
  subcommands?: Record<string, CommandInfo>;
}

interface CommandsModule {
  getKeyIndexes(name: string, args: (string | number | Uint8Array)[]): number[];
}

let table: Record<string, CommandInfo> | undefined;
let commands: CommandsModule | undefined;

function load(): { table: Record<string, CommandInfo>; commands: CommandsModule } {
  table ??= lazyRequire<Record<string, CommandInfo>>("@ioredis/commands/built/commands.json");
  commands ??= lazyRequire<CommandsModule>("@ioredis/commands");
  return { table, commands };
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A key or argument as text: Buffers decoded as UTF-8 (else `\xNN` escapes). */
export function argText(a: unknown): string {
  if (typeof a === "string") return a;
  if (a instanceof Uint8Array) {
    try {
      return decoder.decode(a);
    } catch {
      return Array.from(a, (b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
    }
  }
  return String(a);
}

function flatten(args: readonly RedisArg[]): (string | number | Uint8Array)[] {
  const out: (string | number | Uint8Array)[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...flatten(a));
    else if (typeof a === "string" || typeof a === "number" || a instanceof Uint8Array) out.push(a as string | number | Uint8Array);
    else out.push(String(a));
  }
  return out;
}

const KEYSPACE_READS = new Set(["keys", "scan", "dbsize", "randomkey"]);
const NO_ACCESS = new Set(["multi", "exec", "discard", "unwatch"]);
const SUBSCRIBE = new Set(["subscribe", "unsubscribe", "ssubscribe", "sunsubscribe"]);
const PUBLISH = new Set(["publish", "spublish"]);
const SCRIPTS = new Set(["eval", "evalsha", "fcall", "eval_ro", "evalsha_ro", "fcall_ro"]);

/** Classifies one command sent to a Redis server. */
export function classifyRedis(command: string, args: readonly RedisArg[], options: RedisOptions): ResourceEffect {
  const name = String(command).toLowerCase();
  const flat = flatten(args);
  const db = `redis:${options.server}/${options.db ?? 0}`;
  const text = displayText([name.toUpperCase(), ...flat.map((a) => shorten(argText(a)))].join(" "));
  const { table, commands } = load();
  const top = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!top) return { accesses: [], modelled: false, text };
  let info: CommandInfo = top;
  // Subcommands (OBJECT ENCODING, XGROUP CREATE, …) carry their own flags.
  for (let i = 0; i < flat.length && info.subcommands; i++) {
    const sub: CommandInfo | undefined = info.subcommands[argText(flat[i]).toLowerCase()];
    if (!sub) break;
    info = sub;
  }
  const writes = info.flags.includes("write");
  const reads = info.flags.includes("readonly");
  const key = (op: "read" | "write", k: unknown): ResourceAccess => {
    const t = argText(k);
    return { op, location: `${db}:${t}`, within: db, label: `Redis key ${t}` };
  };

  if (NO_ACCESS.has(name)) return { accesses: [], modelled: true, text };
  if (SCRIPTS.has(name)) {
    const n = Number(argText(flat[1] ?? ""));
    if (!Number.isInteger(n) || n <= 0 || n > flat.length - 2) return { accesses: [], modelled: false, text };
    const op = name.endsWith("_ro") ? "read" : "write";
    return { accesses: flat.slice(2, 2 + n).map((k) => key(op, k)), modelled: true, text };
  }
  if (PUBLISH.has(name) || SUBSCRIBE.has(name)) {
    const channels = PUBLISH.has(name) ? flat.slice(0, 1) : flat;
    const op = PUBLISH.has(name) ? "write" : "read";
    const accesses = channels.map((c): ResourceAccess => {
      const t = argText(c);
      return { op, location: `redis:${options.server}/channel:${t}`, label: `Redis channel ${t}` };
    });
    return { accesses, modelled: true, text };
  }
  if (name === "psubscribe" || name === "punsubscribe") return { accesses: [], modelled: false, text };

  let indexes: number[];
  try {
    indexes = commands.getKeyIndexes(name, flat);
  } catch {
    return { accesses: [], modelled: false, text };
  }
  if (indexes.some((i) => i < 0 || i >= flat.length)) return { accesses: [], modelled: false, text };
  if (indexes.length === 0) {
    if (name === "flushdb") return { accesses: [{ op: "write", location: db, label: `Redis database ${options.db ?? 0}` }], modelled: true, text };
    if (KEYSPACE_READS.has(name)) return { accesses: [{ op: "read", location: db, label: `Redis database ${options.db ?? 0}` }], modelled: true, text };
    // Keyless writes reach every key; admin commands (CONFIG SET, SHUTDOWN, SCRIPT FLUSH, DEBUG,
    // CLIENT KILL) change the server under every connection: neither is modelled.
    const scriptFlush = name === "script" && argText(flat[0] ?? "").toLowerCase() === "flush";
    if (writes || scriptFlush || info.flags.includes("movablekeys") || info.flags.includes("admin")) return { accesses: [], modelled: false, text };
    return { accesses: [], modelled: true, text };
  }
  const op = name === "watch" ? "read" : reads && !writes ? "read" : "write";
  const seen = new Set<string>();
  const accesses: ResourceAccess[] = [];
  for (const i of indexes) {
    const a = key(op, flat[i]);
    if (!seen.has(a.location)) {
      seen.add(a.location);
      accesses.push(a);
    }
  }
  return { accesses, modelled: true, text };
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
