/**
 * pg: `Client#query`, `Pool#query` (and so `PoolClient#query`), with `(text, values, callback)`
 * or a config object `{ text, values }`; the database is `host:port/database` of the connection.
 * A query is classified when it is made: interlace decides only at quiet points, when no I/O is
 * pending, so a query sent in a step has completed before the next decision.
 *
 * Effects beyond a statement's text come from the catalog (triggers, rules, views, inheritance
 * and partitions, foreign-key actions, primary and unique keys), queried on a connection of
 * interlace's own: a worker thread holds it and answers synchronously (the caller waits on a
 * SharedArrayBuffer), so no I/O of the program's is added to the step. It is read again in every
 * run (once, at the first query of each database). When it cannot be read, every statement is
 * recorded with its accesses plus a write of the outside world: never a complete search.
 *
 * `Client#connect`/`#end` write the server's endpoint; `Pool#connect`, `#end` and a pool client's
 * `release()` write the pool (`pg-pool:<database>`).
 */
import { dirname, join } from "node:path";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { classifySession } from "../net.js";
import { emitAccesses, emitEffect, emitWorld, type DriverOp, type Emit, type Transactions, own } from "./common.js";
import { loadedExports, pathOfExports } from "./packages.js";
import type { LockTable } from "./locks.js";
import { emptySchema, recordSql, type Schema } from "./sql-record.js";

const ORIGIN = "pg";

interface Params {
  host?: string;
  port?: number | string;
  database?: string;
  user?: string;
  password?: unknown;
}

const CATALOG: Record<string, string> = {
  keys: `SELECT n.nspname AS schema, c.relname AS table, i.indisprimary AS primary,
      array_agg(coalesce(a.attname::text, '<expression>') ORDER BY k.ord) AS cols
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE i.indisunique AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
    GROUP BY n.nspname, c.relname, i.indexrelid, i.indisprimary`,
  triggers: `SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal`,
  rules: `SELECT schemaname AS schema, tablename AS table, rulename AS name FROM pg_rules`,
  kinds: `SELECT n.nspname AS schema, c.relname AS table, c.relkind::text AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm', 'f', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
  inherits: `SELECT pn.nspname AS schema, pc.relname AS table, cn.nspname AS child_schema, cc.relname AS child
    FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
    JOIN pg_class cc ON cc.oid = h.inhrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace`,
  fks: `SELECT cn.nspname AS schema, cc.relname AS table, pn.nspname AS parent_schema, pc.relname AS parent,
      con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete
    FROM pg_constraint con JOIN pg_class cc ON cc.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
    JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE con.contype = 'f'`,
};

/** The worker's side: one pg Client per database, the catalog queries on request. */
const WORKER = `
const { workerData } = require("node:worker_threads");
const { port, flag, queries } = workerData;
const clients = new Map();
port.on("message", async ({ key, config, pgPath }) => {
  let reply;
  try {
    const pg = require(pgPath);
    let client = clients.get(key);
    if (client === undefined) {
      client = new pg.Client(config);
      client.on("error", () => clients.delete(key));
      await client.connect();
      clients.set(key, client);
    }
    const rows = {};
    for (const [name, sql] of Object.entries(queries)) rows[name] = (await client.query(sql)).rows;
    reply = { rows };
  } catch (e) {
    clients.delete(key);
    reply = { error: String((e && e.message) || e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

const WAIT_MS = 10_000;

/** A synchronous catalog reader: a worker thread with its own connections. */
class CatalogReader {
  #worker: Worker | null = null;
  #port: MessagePort | null = null;
  #flag: Int32Array | null = null;
  #broken = false;

  read(key: string, config: Params, pgPath: string): Record<string, Array<Record<string, unknown>>> | null {
    if (this.#broken) return null;
    if (this.#worker === null) {
      const { port1, port2 } = new MessageChannel();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(WORKER, { eval: true, workerData: { port: port2, flag, queries: CATALOG }, transferList: [port2], execArgv: [], stdout: true, stderr: true });
      worker.on("error", () => (this.#broken = true));
      worker.unref();
      port1.unref();
      this.#worker = worker;
      this.#port = port1;
      this.#flag = flag;
    }
    const flag = this.#flag!;
    Atomics.store(flag, 0, 0);
    this.#port!.postMessage({ key, config, pgPath });
    if (Atomics.wait(flag, 0, 0, WAIT_MS) === "timed-out") {
      this.#broken = true;
      return null;
    }
    const reply = receiveMessageOnPort(this.#port!)?.message as { rows?: Record<string, Array<Record<string, unknown>>>; error?: string } | undefined;
    return reply?.rows ?? null;
  }
}

const nameOf = (schema: unknown, table: unknown): string => (schema === "public" ? String(table) : `${String(schema)}.${String(table)}`);

function schemaFrom(rows: Record<string, Array<Record<string, unknown>>>): Schema {
  const s = emptySchema();
  for (const r of rows.keys ?? []) {
    const table = nameOf(r.schema, r.table);
    const cols = (Array.isArray(r.cols) ? r.cols : String(r.cols).replace(/^\{|\}$/g, "").split(",")).map(String);
    if (r.primary === true) s.primaryKeys[table] = cols;
    else (s.uniqueKeys[table] ??= []).push(cols);
  }
  for (const r of rows.triggers ?? []) {
    const table = nameOf(r.schema, r.table);
    s.triggers.set(table, [...(s.triggers.get(table) ?? []), String(r.name)]);
  }
  for (const r of rows.rules ?? []) s.opaque.set(nameOf(r.schema, r.table), `rule ${String(r.name)}`);
  const kinds: Record<string, string> = { v: "view", m: "materialized view", f: "foreign table", p: "partitioned table" };
  for (const r of rows.kinds ?? []) s.opaque.set(nameOf(r.schema, r.table), `${kinds[String(r.kind)] ?? "relation"} ${String(r.table)}`);
  for (const r of rows.inherits ?? []) {
    s.opaque.set(nameOf(r.schema, r.table), `inheritance of ${String(r.table)}`);
    s.opaque.set(nameOf(r.child_schema, r.child), `inheritance of ${String(r.child)}`);
  }
  for (const r of rows.fks ?? []) {
    const child = nameOf(r.schema, r.table);
    const parent = nameOf(r.parent_schema, r.parent);
    const acts = [r.on_update, r.on_delete].some((a) => a === "c" || a === "n" || a === "d");
    s.parents.set(child, [...(s.parents.get(child) ?? []), parent]);
    s.children.set(parent, [...(s.children.get(parent) ?? []), { table: child, op: acts ? "write" : "read" }]);
  }
  // A table without a primary key: rows cannot be told apart (an impossible key column keeps it table-level).
  return s;
}

export class Postgres {
  readonly #transactions: Transactions;
  readonly #locks: LockTable;
  readonly #reader = new CatalogReader();
  /** Catalogs read in this run, by database. */
  #schemas = new Map<string, Schema | null>();
  readonly #clients = new Set<Function>();
  readonly #pools = new Set<Function>();

  readonly #locking: (op: DriverOp) => void;

  constructor(transactions: Transactions, locks: LockTable, locking: (op: DriverOp) => void) {
    this.#transactions = transactions;
    this.#locks = locks;
    this.#locking = locking;
  }

  reset(): void {
    this.#schemas = new Map();
  }

  discover(fn: Function, receiver: unknown, register: (fn: Function, op: DriverOp) => void): DriverOp | null {
    for (const C of loadedExports("/pg/lib/client.js")) {
      if (typeof C !== "function" || this.#clients.has(C)) continue;
      this.#clients.add(C);
      const proto = C.prototype as object;
      const pgPath = join(dirname(pathOfExports(C) ?? ""), "index.js");
      const query = own(proto, "query");
      if (typeof query === "function") {
        const op: DriverOp = (client, args, emit) => this.#query(client as object, clientParams(client), args, pgPath, emit, true);
        this.#locking(op);
        register(query, op);
      }
      const connect = own(proto, "connect");
      if (typeof connect === "function") register(connect, (client, _args, emit) => emitEffect(classifySession(clientParams(client)), ORIGIN, "connection", emit));
      const end = own(proto, "end");
      if (typeof end === "function") {
        register(end, (client, _args, emit) => {
          emitEffect(classifySession(clientParams(client)), ORIGIN, "connection", emit);
          // The server rolls back an open transaction of a closed connection: its writes are undone, its locks go.
          this.#transactions.settle(client as object, "ROLLBACK (connection closed)", true, emit);
          this.#locks.release(client as object, "end()", emit);
        });
      }
    }
    for (const P of loadedExports("/pg-pool/index.js")) {
      if (typeof P !== "function" || this.#pools.has(P)) continue;
      this.#pools.add(P);
      const proto = P.prototype as object;
      const query = own(proto, "query");
      const pgPath = this.#pgPath();
      if (typeof query === "function") {
        const op: DriverOp = (pool, args, emit) => this.#query({}, poolParams(pool), args, pgPath, emit, false);
        this.#locking(op);
        register(query, op);
      }
      for (const name of ["connect", "end"]) {
        const f = own(proto, name);
        if (typeof f === "function") register(f, (pool, _args, emit) => poolAccess(poolParams(pool), emit));
      }
    }
    // A pool client's `release` (a closure of pg-pool's, own property of the client).
    if (own(receiver, "release") === fn && this.#isClient(receiver)) return (client, _args, emit) => poolAccess(clientParams(client), emit);
    return null;
  }

  #pgPath(): string {
    for (const C of this.#clients) {
      const p = pathOfExports(C);
      if (p !== undefined) return join(dirname(p), "index.js");
    }
    return "pg";
  }

  #isClient(o: unknown): boolean {
    if (o === null || typeof o !== "object") return false;
    for (const C of this.#clients) if (o instanceof (C as new () => object)) return true;
    return false;
  }

  #query(connection: object, params: Params, args: unknown[], pgPath: string, emit: Emit, transactions: boolean): void {
    const [config, values] = args;
    let sql: unknown;
    let bound: unknown = Array.isArray(values) ? values : undefined;
    if (typeof config === "string") sql = config;
    else if (config !== null && typeof config === "object") {
      sql = (config as { text?: unknown }).text;
      const v = (config as { values?: unknown }).values;
      if (bound === undefined && Array.isArray(v)) bound = v;
    }
    const database = `${params.host ?? "localhost"}:${String(params.port ?? 5432)}/${params.database ?? ""}`;
    if (typeof sql !== "string") {
      emitWorld(ORIGIN, "query not modelled", typeof config === "object" && config !== null ? (config.constructor?.name ?? "query object") : String(config), emit);
      return;
    }
    const schema = this.#schema(database, params, pgPath);
    const txns = transactions ? this.#transactions : null;
    const sink = txns ?? noTransactions;
    const effect = recordSql({ connection, dialect: "postgres", database, sql, params: (bound as unknown[] | undefined) ?? [], schema, origin: ORIGIN }, sink, emit);
    // Row and advisory locks: a statement waiting for one another task's transaction holds blocks its task (locks.ts).
    if (effect.transaction === "commit" || effect.transaction === "rollback") this.#locks.release(connection, effect.text, emit);
    else if (effect.modelled) this.#locks.request(connection, effect.locks, sink.isOpen(connection), effect.text, emit);
  }

  #schema(database: string, params: Params, pgPath: string): Schema | null {
    if (this.#schemas.has(database)) return this.#schemas.get(database)!;
    let schema: Schema | null = null;
    if (typeof params.password !== "function") {
      const config = { host: params.host, port: params.port, database: params.database, user: params.user, password: params.password ?? undefined };
      const rows = this.#reader.read(database, config, pgPath);
      if (rows !== null) schema = schemaFrom(rows);
    }
    this.#schemas.set(database, schema);
    return schema;
  }
}

/** Transactions of pool queries are not followed (each may run on another connection). */
const noTransactions = {
  begin() {},
  wrote() {},
  settle() {},
  closed() {},
  isOpen: () => false,
  reset() {},
} as unknown as Transactions;

function clientParams(client: unknown): Params {
  const p = own(client, "connectionParameters") as Params | undefined;
  const c = client as Params;
  return { host: c.host ?? p?.host, port: c.port ?? p?.port, database: c.database ?? p?.database, user: p?.user ?? c.user, password: p?.password };
}

/** A pool's connection parameters, as its clients will have them (pg's own defaults and environment). */
function poolParams(pool: unknown): Params {
  const options = (own(pool, "options") ?? {}) as Record<string, unknown>;
  for (const CP of loadedExports("/pg/lib/connection-parameters.js")) {
    if (typeof CP !== "function") continue;
    try {
      const p = new (CP as new (o: unknown) => Params)(options);
      return { host: p.host, port: p.port, database: p.database, user: p.user, password: p.password };
    } catch {
      break;
    }
  }
  return { host: options.host as string, port: options.port as number, database: options.database as string, user: options.user as string, password: options.password };
}

function poolAccess(params: Params, emit: Emit): void {
  const database = `${params.host ?? "localhost"}:${String(params.port ?? 5432)}/${params.database ?? ""}`;
  emitAccesses([{ op: "write", location: `pg-pool:${database}`, label: `pg pool ${database}` }], "pool", emit);
}
