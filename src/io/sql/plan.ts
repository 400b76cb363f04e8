/**
 * A statement's effect before its parameters are bound: what the parser (or the fast path) found,
 * cached by statement text, and bound to each call's parameters by {@link bindPlan}.
 */
import type { ResourceAccess } from "../resource.js";
import { displayText } from "../resource.js";
import { keyValue } from "./values.js";

export type Dialect = "sqlite" | "postgres" | "mysql";
export type TransactionControl = "begin" | "commit" | "rollback" | "savepoint";

/** A value in the statement: a literal (already normalised), a placeholder, or something else. */
export type ValueRef =
  | { kind: "literal"; key: string }
  | { kind: "positional"; index: number }
  | { kind: "named"; name: string }
  /** `= ANY($1)`: every element of the bound array. */
  | { kind: "spread"; of: ValueRef }
  | { kind: "unknown" };

/** One access of a statement: a table (refined to rows when `rows` is set), or a fixed location. */
export type AccessPlan =
  | {
      op: "read" | "write";
      table: string;
      /** Primary-key columns and, per matched row, one value per column; absent: the whole table. */
      key?: { columns: string[]; rows: ValueRef[][] };
    }
  | { op: "read" | "write"; suffix: string; label: string };

export interface StatementPlan {
  text: string;
  /** `text` shortened for display, computed on first use. */
  display?: string;
  transaction: TransactionControl | null;
  modelled: boolean;
  accesses: AccessPlan[];
  /** Rows/tables (or fixed locations) the statement locks, `write` = exclusive, `read` = shared. */
  locks: AccessPlan[];
}

export interface Plan {
  statements: StatementPlan[];
  /** Where the plan came from, for the benchmark and tests. */
  source: "fast" | "parser";
}

/** Parameters as drivers pass them: positional (pg, mysql2, better-sqlite3 `run(1, 2)`) or named (better-sqlite3 `run({ id: 1 })`). */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>> | undefined;

/** The bound form of one statement. */
export interface BoundStatement {
  text: string;
  transaction: TransactionControl | null;
  modelled: boolean;
  accesses: ResourceAccess[];
  locks: ResourceAccess[];
}

/** More rows than this in one access is recorded as the whole table (an `IN` list of thousands). */
const MAX_ROWS = 256;

interface Bindings {
  positional: readonly unknown[];
  named: Readonly<Record<string, unknown>> | undefined;
}

function bindings(params: SqlParams, dialect: Dialect): Bindings {
  if (params === undefined || params === null) return { positional: [], named: undefined };
  if (!Array.isArray(params)) return { positional: [], named: params as Record<string, unknown> };
  // better-sqlite3 binds `run({ id: 1 })` and `run({ id: 1 }, 2, 3)`: the first plain object binds
  // names, the other values the anonymous placeholders. pg and mysql2 arrays are only positional
  // (a plain object there is a JSON value).
  if (dialect !== "sqlite") return { positional: params, named: undefined };
  const positional: unknown[] = [];
  let named: Record<string, unknown> | undefined;
  for (const p of params as unknown[]) {
    if (named === undefined && isPlainObject(p)) named = p as Record<string, unknown>;
    else positional.push(p);
  }
  return { positional, named };
}

function isPlainObject(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const MISSING = Symbol("missing");

function lookup(b: Bindings, ref: ValueRef): unknown {
  if (ref.kind === "positional") return ref.index < b.positional.length ? b.positional[ref.index] : MISSING;
  if (ref.kind === "named") {
    if (b.named === undefined) return MISSING;
    if (Object.hasOwn(b.named, ref.name)) return b.named[ref.name];
    return MISSING;
  }
  return MISSING;
}

/** The normalised key texts a value stands for, or null when it cannot be known. */
function resolve(b: Bindings, ref: ValueRef): string[] | null {
  switch (ref.kind) {
    case "literal":
      return [ref.key];
    case "positional":
    case "named": {
      const v = lookup(b, ref);
      if (v === MISSING) return null;
      const k = keyValue(v);
      return k === null ? null : [k];
    }
    case "spread": {
      const v = ref.of.kind === "literal" || ref.of.kind === "unknown" ? MISSING : lookup(b, ref.of);
      if (!Array.isArray(v)) return null;
      const out: string[] = [];
      for (const e of v) {
        const k = keyValue(e);
        if (k === null) return null;
        out.push(k);
      }
      return out;
    }
    default:
      return null;
  }
}

/** Quotes an identifier for a label only when it needs it. */
function showName(name: string): string {
  return /^[A-Za-z_][\w$.]*$/.test(name) ? name : JSON.stringify(name);
}

function bindAccess(plan: AccessPlan, database: string, b: Bindings, out: ResourceAccess[]): void {
  if ("suffix" in plan) {
    // An empty suffix is the database itself (SQLite's database write lock).
    const location = plan.suffix === "" ? `sql:${database}` : `sql:${database}/${plan.suffix}`;
    out.push({ op: plan.op, location, label: plan.label || `SQL database ${database}` });
    return;
  }
  const table = `sql:${database}/${plan.table}`;
  const tableAccess = (): void => {
    out.push({ op: plan.op, location: table, label: `SQL table ${showName(plan.table)}` });
  };
  if (plan.key === undefined) return tableAccess();
  const { columns, rows } = plan.key;
  const ids: string[] = [];
  for (const row of rows) {
    let combos: string[][] = [[]];
    for (const ref of row) {
      const keys = resolve(b, ref);
      if (keys === null) return tableAccess();
      const next: string[][] = [];
      for (const c of combos) for (const k of keys) next.push([...c, k]);
      combos = next;
      if (combos.length > MAX_ROWS) return tableAccess();
    }
    for (const c of combos) ids.push(columns.map((col, i) => `${col}=${c[i]}`).join(","));
    if (ids.length > MAX_ROWS) return tableAccess();
  }
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const row = `${showName(plan.table)}(${id})`;
    out.push({ op: plan.op, location: `sql:${database}/${plan.table}(${id})`, within: table, label: `SQL row ${row}` });
  }
}

/** Drops repeated accesses (same op and location), keeping the first. */
function dedupe(accesses: ResourceAccess[]): ResourceAccess[] {
  const seen = new Set<string>();
  return accesses.filter((a) => {
    const k = `${a.op} ${a.location}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Binds one statement's plan to a call's parameters. */
export function bindStatement(plan: StatementPlan, dialect: Dialect, database: string, params: SqlParams): BoundStatement {
  const b = bindings(params, dialect);
  const accesses: ResourceAccess[] = [];
  const locks: ResourceAccess[] = [];
  for (const a of plan.accesses) bindAccess(a, database, b, accesses);
  for (const l of plan.locks) bindAccess(l, database, b, locks);
  plan.display ??= displayText(plan.text);
  return { text: plan.display, transaction: plan.transaction, modelled: plan.modelled, accesses: dedupe(accesses), locks: dedupe(locks) };
}
