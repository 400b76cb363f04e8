/**
 * Recording one SQL call of a driver: the classifier's accesses, the effects the statement has
 * beyond its text (triggers, views, foreign keys — from the database's schema, read by the
 * driver), and the transaction bookkeeping of its connection.
 */
import type { Access } from "../../strategies/access.js";
import { classifySql, type SqlEffect, type SqlOptions, type SqlParams } from "../sql/index.js";
import { emitAccesses, emitWorld, type Emit, type Transactions } from "./common.js";

/** What a database's schema says about effects a statement's text does not show. */
export interface Schema {
  primaryKeys: Record<string, string[]>;
  uniqueKeys: Record<string, string[][]>;
  /** Tables (location names) with triggers, and the triggers' names. */
  triggers: Map<string, string[]>;
  /** Views (and, for PostgreSQL, tables with rewrite rules or inheritance): what they touch is not known. */
  opaque: Map<string, string>;
  /** For a referenced (parent) table: the tables referencing it, and whether a change of the parent writes them (cascade, set null/default) or only checks them. */
  children: Map<string, Array<{ table: string; op: "read" | "write" }>>;
  /** For a referencing (child) table: the tables its foreign keys check. */
  parents: Map<string, string[]>;
}

export function emptySchema(): Schema {
  return { primaryKeys: {}, uniqueKeys: {}, triggers: new Map(), opaque: new Map(), children: new Map(), parents: new Map() };
}

export interface SqlCall {
  /** The connection object (transactions are per connection). */
  connection: object;
  dialect: SqlOptions["dialect"];
  database: string;
  sql: string;
  params: SqlParams;
  /** null: the schema could not be read, so effects beyond the text are unknown. */
  schema: Schema | null;
  /** `better-sqlite3`, `pg`. */
  origin: string;
}

/** The table a location names (`sql:<db>/accounts`, `sql:<db>/accounts(id=1)` → `accounts`), or null (the database lock, a sequence…). */
function tableOf(a: { location: string; within?: string }, prefix: string): string | null {
  const loc = a.within ?? a.location;
  if (!loc.startsWith(prefix)) return null;
  const name = loc.slice(prefix.length);
  return name === "" || name.includes(":") || name.endsWith(")") ? null : name;
}

/** Records one call; returns the classification. */
export function recordSql(call: SqlCall, transactions: Transactions, emit: Emit): SqlEffect {
  const { schema } = call;
  const options: SqlOptions = { dialect: call.dialect, database: call.database };
  if (schema !== null) {
    options.primaryKeys = schema.primaryKeys;
    options.uniqueKeys = schema.uniqueKeys;
  }
  const effect = classifySql(call.sql, call.params, options);
  if (!effect.modelled) {
    emitWorld(call.origin, "SQL not modelled", effect.text, emit);
    return effect;
  }
  const emitted: Access[] = [];
  const collect: Emit = (a) => {
    emitted.push(a);
    emit(a);
  };
  emitAccesses(effect.accesses, effect.text, collect);
  if (schema === null) {
    if (effect.accesses.length > 0) emitWorld(call.origin, "schema unknown (triggers, views, foreign keys not checked)", effect.text, emit);
  } else {
    beyondText(call, schema, effect, collect, emit);
  }
  const t = effect.transaction;
  if (t === "begin") transactions.begin(call.connection);
  transactions.wrote(call.connection, emitted);
  if (t === "commit" || t === "rollback") transactions.settle(call.connection, effect.text, true, emit);
  else if (t === "savepoint") transactions.settle(call.connection, effect.text, false, emit);
  return effect;
}

/**
 * The accesses a statement makes through the schema: a write of a table with triggers, or any
 * access of a view, is not modelled (a write of the outside world besides its own accesses); a
 * write of a referencing table reads the tables it references; a write of a referenced table reads
 * (or, with a cascading action, writes) the tables referencing it, and so on through cascades.
 */
function beyondText(call: SqlCall, schema: Schema, effect: SqlEffect, collect: Emit, emit: Emit): void {
  const prefix = `sql:${call.database}/`;
  const written: string[] = [];
  const extra = new Map<string, "read" | "write">();
  const opaque = new Set<string>();
  for (const a of effect.accesses) {
    const table = tableOf(a, prefix);
    if (table === null) continue;
    if (schema.opaque.has(table)) opaque.add(table);
    if (a.op === "write") written.push(table);
  }
  const seen = new Set<string>();
  while (written.length > 0) {
    const table = written.pop()!;
    if (seen.has(table)) continue;
    seen.add(table);
    if (schema.triggers.has(table) || schema.opaque.has(table)) opaque.add(table);
    for (const parent of schema.parents.get(table) ?? []) if (!extra.has(parent)) extra.set(parent, "read");
    for (const child of schema.children.get(table) ?? []) {
      if (child.op === "write") {
        extra.set(child.table, "write");
        written.push(child.table);
      } else if (!extra.has(child.table)) extra.set(child.table, "read");
    }
  }
  const label = (t: string) => `SQL table ${t}`;
  emitAccesses(
    [...extra].map(([table, op]) => ({ op, location: `${prefix}${table}`, label: label(table) })),
    `${effect.text} (foreign key)`,
    collect,
  );
  for (const table of opaque) {
    const why = schema.triggers.has(table) ? `trigger ${schema.triggers.get(table)!.join(", ")} on ${table} not modelled` : `${schema.opaque.get(table)} not modelled`;
    emitWorld(call.origin, why, effect.text, emit);
  }
}
