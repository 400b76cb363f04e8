/**
 * From a statement's syntax tree (sql-parser-cst) to its {@link Plan}: which tables it reads and
 * writes, refined to rows where the WHERE clause (or the VALUES list) pins the primary key.
 *
 * The rule throughout: a construct this file does not know makes the statement unmodelled (the
 * caller then records a write of the outside world). Clauses are matched by type against lists
 * of those understood; an unknown clause, statement or function call is never skipped silently.
 */
import { lazyRequire } from "../load.js";
import type { AccessPlan, Dialect, Plan, StatementPlan, TransactionControl, ValueRef } from "./plan.js";
import { columnName, keyValue, tableName } from "./values.js";
import { isPureFunction } from "./functions.js";

/** A syntax tree node, read loosely: the analysis checks `type` before it uses any field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type N = { type: string; range?: [number, number]; [field: string]: any };

export interface AnalyzeOptions {
  dialect: Dialect;
  /** Primary-key columns per table location name (default `["id"]`). */
  primaryKeys?: Record<string, string[]>;
  /** Other unique keys per table: an INSERT into such a table also reads the whole table. */
  uniqueKeys?: Record<string, string[][]>;
}

type Parse = (sql: string, options: Record<string, unknown>) => N;
let parseFn: Parse | undefined;

function parser(): Parse {
  parseFn ??= lazyRequire<{ parse: Parse }>("sql-parser-cst").parse;
  return parseFn;
}

const PARSER_DIALECT: Record<Dialect, string> = { sqlite: "sqlite", postgres: "postgresql", mysql: "mysql" };
const PARAM_TYPES: Record<Dialect, string[]> = {
  sqlite: ["?", "?nr", ":name", "@name", "$name"],
  postgres: ["$nr"],
  mysql: ["?", ":name"],
};

/** Parses `sql` and plans each statement; null when it does not parse. */
export function analyzeSql(sql: string, options: AnalyzeOptions): Plan | null {
  let program: N;
  try {
    // Source ranges cost ~50% more parse time: needed only to order anonymous `?` placeholders
    // and to cut the text of each statement of a multi-statement string.
    const includeRange = sql.includes("?") || sql.includes(";");
    program = parser()(sql, { dialect: PARSER_DIALECT[options.dialect], includeRange, paramTypes: PARAM_TYPES[options.dialect] });
  } catch {
    return null;
  }
  const params = numberParameters(program, options.dialect);
  const statements: StatementPlan[] = [];
  for (const stmt of program.statements as N[]) {
    if (stmt.type === "empty") continue;
    const text = stmt.range ? sql.slice(stmt.range[0], stmt.range[1]) : sql;
    const ctx = new Ctx(options, params);
    try {
      ctx.statement(stmt, new Set());
    } catch (error) {
      if (!(error instanceof Unmodelled)) throw error;
      ctx.modelled = false;
    }
    statements.push(ctx.plan(text));
  }
  return { statements, source: "parser" };
}

/** Thrown inside the analysis for a construct it does not model. */
class Unmodelled extends Error {}

function unmodelled(what: string): never {
  throw new Unmodelled(what);
}

/** Numbers placeholders in source order, as the drivers bind them. */
function numberParameters(program: N, dialect: Dialect): Map<N, ValueRef> {
  const found: N[] = [];
  visit(program, (n) => {
    if (n.type === "parameter") found.push(n);
  });
  found.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
  const refs = new Map<N, ValueRef>();
  let next = 0;
  for (const p of found) {
    const text = String(p.text);
    if (text === "?") refs.set(p, { kind: "positional", index: next++ });
    else if (/^[$?]\d+$/.test(text)) {
      const n = Number(text.slice(1));
      refs.set(p, { kind: "positional", index: n - 1 });
      if (dialect === "sqlite") next = Math.max(next, n);
    } else if (/^[:@$]/.test(text)) refs.set(p, { kind: "named", name: text.slice(1) });
    else refs.set(p, { kind: "unknown" });
  }
  return refs;
}

function visit(node: unknown, fn: (n: N) => void): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const x of node) visit(x, fn);
    return;
  }
  const n = node as N;
  if (typeof n.type === "string") fn(n);
  for (const key in n) if (key !== "range" && key !== "type") visit(n[key], fn);
}

/** A table named in a FROM list (or as the target of a statement), with the name it is referred to by. */
interface TableRef {
  table: string;
  alias: string;
}

function kw(node: unknown): string | undefined {
  if (node && typeof node === "object" && !Array.isArray(node) && (node as N).type === "keyword") return String((node as N).name).toUpperCase();
  return undefined;
}

function kws(node: unknown): string {
  if (Array.isArray(node)) return node.map(kw).join(" ");
  return kw(node) ?? "";
}

function isQuoted(ident: N): boolean {
  const c = String(ident.text ?? "")[0];
  return c === '"' || c === "`" || c === "[";
}

/** The parts of a (possibly qualified) name: `a`, `s.a`. Null when it is not a plain name. */
function nameParts(node: N): { name: string; quoted: boolean }[] | null {
  if (node.type === "identifier") return [{ name: String(node.name), quoted: isQuoted(node) }];
  if (node.type === "keyword") return [{ name: String(node.text), quoted: false }];
  if (node.type === "member_expr" && node.property?.type === "identifier") {
    const head = nameParts(node.object as N);
    return head ? [...head, { name: String(node.property.name), quoted: isQuoted(node.property) }] : null;
  }
  return null;
}

const SELECT_CLAUSES = new Set([
  "select_clause",
  "from_clause",
  "where_clause",
  "group_by_clause",
  "having_clause",
  "order_by_clause",
  "limit_clause",
  "offset_clause",
  "fetch_clause",
  "window_clause",
  "qualify_clause",
]);

class Ctx {
  modelled = true;
  transaction: TransactionControl | null = null;
  readonly accesses: AccessPlan[] = [];
  readonly locks: AccessPlan[] = [];
  readonly dialect: Dialect;

  constructor(
    readonly options: AnalyzeOptions,
    readonly params: Map<N, ValueRef>,
  ) {
    this.dialect = options.dialect;
  }

  plan(text: string): StatementPlan {
    return { text, transaction: this.transaction, modelled: this.modelled, accesses: this.accesses, locks: this.locks };
  }

  primaryKey(table: string): string[] {
    return this.options.primaryKeys?.[table] ?? ["id"];
  }

  tableOf(node: N): string {
    const parts = nameParts(node);
    if (!parts) unmodelled(`table ${node.type}`);
    return tableName(parts, this.dialect);
  }

  /** A write statement's lock: SQLite takes the database write lock whatever the rows. */
  writeLock(plan: AccessPlan): void {
    if (this.dialect === "sqlite") this.locks.push({ op: "write", suffix: "", label: "SQLite database write lock" });
    else this.locks.push(plan);
  }

  write(plan: AccessPlan): void {
    this.accesses.push(plan);
    this.writeLock(plan);
  }

  statement(stmt: N, cte: Set<string>): void {
    switch (stmt.type) {
      case "select_stmt":
        return this.select(stmt, cte);
      case "compound_select_stmt":
      case "paren_expr":
        return this.expr(stmt, cte);
      case "insert_stmt":
        return this.insert(stmt, cte);
      case "update_stmt":
        return this.update(stmt, cte);
      case "delete_stmt":
        return this.delete(stmt, cte);
      case "start_transaction_stmt": {
        this.transaction = "begin";
        const behavior = kw(stmt.behaviorKw);
        if (this.dialect === "sqlite" && (behavior === "IMMEDIATE" || behavior === "EXCLUSIVE")) this.writeLock({ op: "write", suffix: "", label: "" });
        return;
      }
      case "commit_transaction_stmt":
        this.transaction = "commit";
        return;
      case "rollback_transaction_stmt":
        this.transaction = stmt.savepoint ? "savepoint" : "rollback";
        return;
      case "savepoint_stmt":
      case "release_savepoint_stmt":
        this.transaction = "savepoint";
        return;
      case "create_table_stmt":
        this.write({ op: "write", table: this.tableOf(stmt.name) });
        for (const c of (stmt.clauses ?? []) as N[]) {
          if (c.type === "as_clause") this.expr(c.expr, cte);
          else unmodelled(c.type);
        }
        return;
      case "drop_table_stmt":
      case "truncate_stmt":
      case "drop_view_stmt":
        for (const t of listItems(stmt.tables ?? stmt.views)) this.write({ op: "write", table: this.tableOf(t) });
        return;
      case "alter_table_stmt":
        this.write({ op: "write", table: this.tableOf(stmt.table) });
        for (const action of listItems(stmt.actions)) {
          if (action.type === "alter_action_rename" && action.newName) this.write({ op: "write", table: this.tableOf(action.newName) });
        }
        return;
      case "create_index_stmt":
        this.write({ op: "write", table: this.tableOf(stmt.table) });
        return;
      case "create_view_stmt":
        this.write({ op: "write", table: this.tableOf(stmt.name) });
        for (const c of (stmt.clauses ?? []) as N[]) {
          if (c.type === "as_clause") this.expr(c.expr, cte);
          else unmodelled(c.type);
        }
        return;
      case "analyze_stmt": {
        const tables = listItems(stmt.tables);
        if (tables.length === 0) unmodelled("ANALYZE of every table");
        for (const t of tables) this.accesses.push({ op: "read", table: this.tableOf(t) });
        return;
      }
      case "explain_stmt":
        // EXPLAIN ANALYZE runs the statement: count it as run (a superset otherwise).
        return this.statement(stmt.statement, cte);
      case "pragma_stmt":
        return this.pragma(stmt);
      case "set_stmt":
      case "set_parameter_stmt":
      case "reset_parameter_stmt":
      case "show_parameter_stmt":
      case "set_time_zone_parameter_stmt": {
        // Session settings touch no shared data, except autocommit, which changes what a transaction is.
        let autocommit = false;
        visit(stmt, (n) => {
          if (n.type === "identifier" && String(n.name).toLowerCase() === "autocommit") autocommit = true;
        });
        if (autocommit) unmodelled("autocommit");
        return;
      }
      default:
        unmodelled(stmt.type);
    }
  }

  /** Walks an expression: subqueries are analysed as reads, function calls checked. */
  expr(node: unknown, cte: Set<string>): void {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const x of node) this.expr(x, cte);
      return;
    }
    const n = node as N;
    switch (n.type) {
      case "select_stmt":
      case "insert_stmt":
      case "update_stmt":
      case "delete_stmt":
        return this.statement(n, cte);
      case "func_call":
      case "table_func_call":
        this.func(n);
        break;
    }
    for (const key in n) if (key !== "range" && key !== "type" && !(key === "name" && n.type === "func_call")) this.expr(n[key], cte);
  }

  func(call: N): void {
    const parts = nameParts(call.name as N);
    const name = parts ? parts.map((p) => p.name.toLowerCase()).join(".") : "";
    const bare = name.replace(/^pg_catalog\./, "");
    if (isPureFunction(bare, this.dialect)) return;
    const args = listItems(call.args?.expr?.args);
    if (this.dialect === "postgres" && (bare === "nextval" || bare === "setval")) {
      const seq = args[0]?.type === "string_literal" ? String(args[0].value).toLowerCase().replace(/^public\./, "") : null;
      if (seq === null) unmodelled(`${bare} of a computed sequence`);
      this.accesses.push({ op: "write", suffix: `sequence:${seq}`, label: `SQL sequence ${seq}` });
      return;
    }
    if (this.dialect === "postgres" && /^pg_(try_)?advisory_(xact_)?(un)?lock(_shared)?(_all)?$/.test(bare)) {
      const key = args.length > 0 && args.every((a) => a.type === "number_literal") ? args.map((a) => keyValue(String(a.text))).join(",") : null;
      const lock: AccessPlan = key === null ? { op: "write", suffix: "advisory", label: "PostgreSQL advisory locks" } : { op: "write", suffix: `advisory(${key})`, label: `PostgreSQL advisory lock ${key}` };
      this.accesses.push(lock);
      if (bare.includes("xact") && !bare.includes("unlock")) this.locks.push({ ...lock, op: bare.includes("shared") ? "read" : "write" });
      return;
    }
    if (this.dialect === "mysql" && (bare === "get_lock" || bare === "release_lock" || bare === "is_free_lock" || bare === "is_used_lock")) {
      const key = args[0]?.type === "string_literal" ? keyValue(String(args[0].value)) : null;
      this.accesses.push(key === null ? { op: "write", suffix: "named-lock", label: "MySQL named locks" } : { op: "write", suffix: `named-lock(${key})`, label: `MySQL named lock ${key}` });
      return;
    }
    unmodelled(`function ${name || "?"}`);
  }

  /** A value a key column is compared with: a literal, a placeholder, a cast of either. */
  value(node: N | undefined): ValueRef | null {
    if (!node) return null;
    switch (node.type) {
      case "number_literal": {
        const text = String(node.text);
        const k = /^0x/i.test(text) ? keyValue(Number(text)) : keyValue(text);
        return k === null ? null : { kind: "literal", key: k };
      }
      case "string_literal":
      case "boolean_literal": {
        const k = keyValue(node.value);
        return k === null ? null : { kind: "literal", key: k };
      }
      case "prefix_op_expr":
        if ((node.operator === "-" || node.operator === "+") && node.expr?.type === "number_literal") {
          const k = keyValue(`${node.operator}${node.expr.text}`);
          return k === null ? null : { kind: "literal", key: k };
        }
        return null;
      case "parameter":
        return this.params.get(node) ?? { kind: "unknown" };
      case "cast_operator_expr":
        return this.value(node.left);
      case "cast_expr":
        return this.value(node.args?.expr?.expr);
      case "paren_expr":
        return node.expr?.type === "list_expr" ? null : this.value(node.expr);
      default:
        return null;
    }
  }

  /** Which key values each table of the scope is restricted to by a WHERE clause (AND of equalities / INs). */
  pins(where: N | undefined, scope: TableRef[]): Map<TableRef, Map<string, ValueRef[]>> {
    const pins = new Map<TableRef, Map<string, ValueRef[]>>();
    if (!where) return pins;
    const conjuncts: N[] = [];
    const flatten = (e: N): void => {
      if (e.type === "paren_expr" && e.expr && e.expr.type !== "list_expr") return flatten(e.expr);
      if (e.type === "binary_expr" && kw(e.operator) === "AND") {
        flatten(e.left);
        flatten(e.right);
        return;
      }
      conjuncts.push(e);
    };
    flatten(where);
    const record = (col: N, values: ValueRef[]): void => {
      const target = this.column(col, scope);
      if (!target) return;
      let cols = pins.get(target.ref);
      if (!cols) pins.set(target.ref, (cols = new Map()));
      // Any one conjunct bounds the rows matched: keep the first.
      if (!cols.has(target.column)) cols.set(target.column, values);
    };
    for (const c of conjuncts) {
      if (c.type !== "binary_expr") continue;
      const op = typeof c.operator === "string" ? c.operator : kws(c.operator);
      if (op === "=" || op === "==") {
        for (const [col, val] of [
          [c.left, c.right],
          [c.right, c.left],
        ] as [N, N][]) {
          if (col.type !== "identifier" && col.type !== "member_expr") continue;
          if (val.type === "quantifier_expr" && kw(val.quantifierKw) === "ANY") {
            const items = listItems(val.expr?.expr ?? val.expr);
            const inner = items.length === 1 ? this.value(items[0]) : null;
            if (inner && (inner.kind === "positional" || inner.kind === "named")) record(col, [{ kind: "spread", of: inner }]);
            continue;
          }
          const v = this.value(val);
          if (v) record(col, [v]);
        }
      } else if (op === "IN" && c.right?.type === "paren_expr" && c.right.expr?.type === "list_expr") {
        const values = listItems(c.right.expr).map((item) => this.value(item));
        if (values.every((v): v is ValueRef => v !== null)) record(c.left, values);
      } else if (op === "IN" && c.right?.type === "paren_expr") {
        const v = this.value(c.right.expr);
        if (v) record(c.left, [v]);
      }
    }
    return pins;
  }

  /** The table of the scope a column reference names, if it can be told. */
  column(node: N, scope: TableRef[]): { ref: TableRef; column: string } | null {
    if (node.type === "identifier") {
      if (scope.length !== 1) return null;
      return { ref: scope[0]!, column: columnName(String(node.name), isQuoted(node), this.dialect) };
    }
    if (node.type === "member_expr" && node.property?.type === "identifier" && node.object?.type === "identifier") {
      const qualifier = tableName([{ name: String(node.object.name), quoted: isQuoted(node.object) }], this.dialect);
      const matches = scope.filter((r) => r.alias === qualifier);
      if (matches.length !== 1) return null;
      return { ref: matches[0]!, column: columnName(String(node.property.name), isQuoted(node.property), this.dialect) };
    }
    return null;
  }

  /** The access of one table of a scope, refined to rows when the pins cover its primary key. */
  tableAccess(ref: TableRef, op: "read" | "write", pins: Map<TableRef, Map<string, ValueRef[]>>): AccessPlan {
    const key = this.primaryKey(ref.table);
    const cols = pins.get(ref);
    if (!cols || !key.every((k) => cols.has(k))) return { op, table: ref.table };
    let rows: ValueRef[][] = [[]];
    for (const k of key) {
      const next: ValueRef[][] = [];
      for (const r of rows) for (const v of cols.get(k)!) next.push([...r, v]);
      rows = next;
      if (rows.length > 256) return { op, table: ref.table };
    }
    return { op, table: ref.table, key: { columns: key, rows } };
  }

  /** Adds the tables a FROM item names to `scope`; subqueries and functions in it are analysed. */
  fromItem(item: N, scope: TableRef[], cte: Set<string>): void {
    switch (item.type) {
      case "identifier":
      case "member_expr": {
        const table = this.tableOf(item);
        if (cte.has(table)) return; // reads of a CTE are the reads of its body
        scope.push({ table, alias: table.split(".").pop()! });
        return;
      }
      case "alias": {
        const inner = item.expr as N;
        if (inner.type === "identifier" || inner.type === "member_expr") {
          const table = this.tableOf(inner);
          if (cte.has(table)) return;
          scope.push({ table, alias: tableName([{ name: String(item.alias.name), quoted: isQuoted(item.alias) }], this.dialect) });
          return;
        }
        return this.fromItem(inner, scope, cte);
      }
      case "join_expr":
        this.fromItem(item.left, scope, cte);
        this.fromItem(item.right, scope, cte);
        if (item.specification?.type === "join_on_specification") this.expr(item.specification.expr, cte);
        else if (item.specification && item.specification.type !== "join_using_specification") unmodelled(item.specification.type);
        return;
      case "list_expr":
        for (const x of listItems(item)) this.fromItem(x, scope, cte);
        return;
      case "paren_expr":
        if (item.expr?.type === "select_stmt" || item.expr?.type === "compound_select_stmt") return this.expr(item.expr, cte);
        return this.fromItem(item.expr, scope, cte);
      case "func_call":
      case "table_func_call":
        return this.expr(item, cte);
      case "lateral_derived_table":
        return this.expr(item.expr, cte);
      default:
        unmodelled(`FROM ${item.type}`);
    }
  }

  withClause(clause: N, cte: Set<string>): void {
    for (const t of listItems(clause.tables)) {
      if (t.type !== "common_table_expr") unmodelled(t.type);
      cte.add(this.tableOf(t.table));
      this.expr(t.expr, cte);
    }
  }

  select(stmt: N, outer: Set<string>): void {
    const cte = new Set(outer);
    const scope: TableRef[] = [];
    let where: N | undefined;
    let lock: { mode: "read" | "write"; of: string[] | null } | undefined;
    for (const clause of stmt.clauses as N[]) {
      if (clause.type === "with_clause") this.withClause(clause, cte);
      else if (clause.type === "from_clause") this.fromItem(clause.expr, scope, cte);
      else if (clause.type === "where_clause") {
        where = clause.expr;
        this.expr(where, cte);
      } else if (clause.type === "for_clause") {
        const strength = kws(clause.lockStrengthKw);
        const of = clause.tables ? listItems(clause.tables.tables).map((t) => this.tableOf(t)) : null;
        lock = { mode: strength.includes("UPDATE") ? "write" : "read", of };
      } else if (clause.type === "lock_in_share_mode_clause") lock = { mode: "read", of: null };
      else if (SELECT_CLAUSES.has(clause.type)) this.expr(clause, cte);
      else unmodelled(`SELECT ${clause.type}`);
    }
    const pins = this.pins(where, scope);
    for (const ref of scope) {
      this.accesses.push(this.tableAccess(ref, "read", pins));
      if (lock && (lock.of === null || lock.of.includes(ref.alias) || lock.of.includes(ref.table))) {
        const held = this.tableAccess(ref, lock.mode, pins);
        if (this.dialect !== "sqlite") this.locks.push(held);
      }
    }
  }

  insert(stmt: N, outer: Set<string>): void {
    const cte = new Set(outer);
    let target: string | undefined;
    let columns: string[] | null = null;
    let rows: N[][] | null = null; // VALUES tuples; null: rows from a query or defaults
    let conflict: { kind: "nothing" | "update"; target: string[] | null } | undefined;
    for (const clause of stmt.clauses as N[]) {
      switch (clause.type) {
        case "with_clause":
          this.withClause(clause, cte);
          break;
        case "insert_clause": {
          const table = clause.table as N;
          target = this.tableOf(table.type === "alias" ? table.expr : table);
          if (clause.columns) columns = listItems(clause.columns.expr).map((c) => columnName(String(c.name), isQuoted(c), this.dialect));
          break;
        }
        case "values_clause":
          rows = listItems(clause.values).map((r) => (r.type === "paren_expr" ? listItems(r.expr) : [r]));
          this.expr(clause.values, cte);
          break;
        case "default_values":
          break;
        case "select_stmt":
        case "compound_select_stmt":
        case "paren_expr":
          this.expr(clause, cte);
          break;
        case "upsert_clause": {
          const targetCols = clause.conflictTarget
            ? listItems(clause.conflictTarget.expr).map((s) => (s.type === "index_specification" && s.expr?.type === "identifier" ? columnName(String(s.expr.name), isQuoted(s.expr), this.dialect) : "?"))
            : null;
          const kind = clause.action?.type === "upsert_action_update" ? "update" : "nothing";
          if (kind === "update" || !conflict) conflict = { kind, target: targetCols };
          this.expr(clause.action, cte);
          if (clause.where) this.expr(clause.where, cte);
          break;
        }
        case "on_duplicate_key_update_clause":
          conflict = { kind: "update", target: null };
          this.expr(clause.assignments, cte);
          break;
        case "returning_clause":
          this.expr(clause, cte);
          break;
        default:
          unmodelled(`INSERT ${clause.type}`);
      }
    }
    if (target === undefined) unmodelled("INSERT without a table");
    const key = this.primaryKey(target);
    let access: AccessPlan = { op: "write", table: target };
    if (columns && rows && key.every((k) => columns!.includes(k))) {
      const keyRows = rows.map((tuple) => key.map((k) => this.value(tuple[columns!.indexOf(k)]) ?? ({ kind: "unknown" } as ValueRef)));
      access = { op: "write", table: target, key: { columns: key, rows: keyRows } };
    }
    const otherKeys = (this.options.uniqueKeys?.[target]?.length ?? 0) > 0;
    if (conflict) {
      // The row a conflict finds is the inserted key's row only when the conflict is on the
      // primary key: named as the target, or (no target) when no other unique key is declared.
      const target_ = conflict.target;
      const onKey = target_ === null ? !otherKeys : target_.length === key.length && key.every((k) => target_.includes(k));
      if (!onKey) {
        if (conflict.kind === "update") access = { op: "write", table: target };
        this.accesses.push({ op: "read", table: target });
      } else if (conflict.kind === "update") this.accesses.push({ ...access, op: "read" });
    }
    if (this.options.uniqueKeys?.[target]?.length) this.accesses.push({ op: "read", table: target });
    this.write(access);
  }

  update(stmt: N, outer: Set<string>): void {
    const cte = new Set(outer);
    const targets: TableRef[] = [];
    const sources: TableRef[] = [];
    let where: N | undefined;
    const assigned: string[] = [];
    let readsColumns = false;
    for (const clause of stmt.clauses as N[]) {
      switch (clause.type) {
        case "with_clause":
          this.withClause(clause, cte);
          break;
        case "update_clause":
          this.fromItem(clause.tables, targets, cte);
          break;
        case "set_clause":
          for (const a of listItems(clause.assignments)) {
            if (a.type !== "column_assignment") unmodelled(`SET ${a.type}`);
            const cols = a.column?.type === "paren_expr" ? listItems(a.column.expr) : [a.column];
            for (const c of cols) {
              const p = c.type === "member_expr" ? c.property : c;
              assigned.push(columnName(String(p?.name), isQuoted(p ?? {}), this.dialect));
            }
            visit(a.expr, (n) => {
              if (n.type === "identifier" || n.type === "member_expr") readsColumns = true;
            });
            this.expr(a.expr, cte);
          }
          break;
        case "from_clause":
          this.fromItem(clause.expr, sources, cte);
          break;
        case "where_clause":
          where = clause.expr;
          this.expr(where, cte);
          break;
        case "returning_clause":
        case "order_by_clause":
        case "limit_clause":
          this.expr(clause, cte);
          break;
        default:
          unmodelled(`UPDATE ${clause.type}`);
      }
    }
    const pins = this.pins(where, [...targets, ...sources]);
    for (const ref of sources) this.accesses.push(this.tableAccess(ref, "read", pins));
    for (const ref of targets) {
      const key = this.primaryKey(ref.table);
      const moves = assigned.some((c) => key.includes(c)) || targets.length > 1;
      const access = moves ? ({ op: "write", table: ref.table } as AccessPlan) : this.tableAccess(ref, "write", pins);
      if (readsColumns) this.accesses.push({ ...access, op: "read" });
      this.write(access);
    }
  }

  delete(stmt: N, outer: Set<string>): void {
    const cte = new Set(outer);
    let named: N[] = [];
    const sources: TableRef[] = [];
    let where: N | undefined;
    for (const clause of stmt.clauses as N[]) {
      switch (clause.type) {
        case "with_clause":
          this.withClause(clause, cte);
          break;
        case "delete_clause":
          named = listItems(clause.tables);
          break;
        case "from_clause":
          this.fromItem(clause.expr, sources, cte);
          break;
        case "where_clause":
          where = clause.expr;
          this.expr(where, cte);
          break;
        case "returning_clause":
        case "order_by_clause":
        case "limit_clause":
          this.expr(clause, cte);
          break;
        default:
          unmodelled(`DELETE ${clause.type}`);
      }
    }
    const targets: TableRef[] = [];
    for (const t of named) {
      const scoped: TableRef[] = [];
      this.fromItem(t, scoped, cte);
      for (const ref of scoped) {
        // MySQL `DELETE a FROM a JOIN b …`: the target names a table of the FROM list.
        const fromSource = this.dialect === "mysql" ? sources.find((s) => s.alias === ref.alias) : undefined;
        targets.push(fromSource ?? ref);
      }
    }
    const scope = [...targets, ...sources.filter((s) => !targets.includes(s))];
    const pins = this.pins(where, scope);
    for (const ref of sources) if (!targets.includes(ref)) this.accesses.push(this.tableAccess(ref, "read", pins));
    for (const ref of targets) this.write(this.tableAccess(ref, "write", pins));
  }

  pragma(stmt: N): void {
    const p = stmt.pragma as N;
    const parts = nameParts(p.type === "identifier" || p.type === "member_expr" ? p : (p.name as N));
    if (!parts) unmodelled("PRAGMA");
    const name = parts[parts.length - 1]!.name.toLowerCase();
    if (TABLE_PRAGMAS.has(name)) {
      const arg = p.args?.expr as N | undefined;
      if (!arg) unmodelled(`PRAGMA ${name}`);
      const table = arg.type === "string_literal" ? String(arg.value).toLowerCase() : this.tableOf(arg);
      this.accesses.push({ op: "read", table });
      return;
    }
    // A setting of this connection only (or of the library): nothing another connection shares.
    if (CONNECTION_PRAGMAS.has(name)) return;
    if (SETTING_PRAGMAS.has(name)) {
      const op = p.type === "pragma_assignment" || p.type === "pragma_func_call" ? "write" : "read";
      this.accesses.push({ op, suffix: `pragma:${name}`, label: `SQLite PRAGMA ${name}` });
      return;
    }
    unmodelled(`PRAGMA ${name}`);
  }
}

/** PRAGMAs that read a table's schema. */
const TABLE_PRAGMAS = new Set(["table_info", "table_xinfo", "index_list", "foreign_key_list", "index_info", "index_xinfo"]);

/**
 * PRAGMAs whose setting belongs to the connection that runs them (or to the SQLite library), never
 * stored in the database file: no access. Two processes each setting their `busy_timeout` do not
 * conflict. (`foreign_keys` changes what this connection's later statements check: those record
 * the parent tables themselves.)
 */
const CONNECTION_PRAGMAS = new Set([
  "busy_timeout",
  "foreign_keys",
  "synchronous",
  "cache_size",
  "temp_store",
  "mmap_size",
  "locking_mode",
  "wal_autocheckpoint",
  "journal_size_limit",
  "recursive_triggers",
  "case_sensitive_like",
  "defer_foreign_keys",
  "query_only",
  "read_uncommitted",
  "trusted_schema",
  "automatic_index",
  "cell_size_check",
  "reverse_unordered_selects",
  "compile_options",
  "function_list",
  "pragma_list",
  "module_list",
]);

/**
 * PRAGMAs that read or set a setting of the database file, or read its catalog, and touch no
 * table data: a read or write of a location of their own. Others (`wal_checkpoint`, `optimize`,
 * `integrity_check`, `writable_schema`, …) are not modelled.
 */
const SETTING_PRAGMAS = new Set([
  "journal_mode",
  "user_version",
  "application_id",
  "page_size",
  "encoding",
  "auto_vacuum",
  "schema_version",
  "data_version",
  "database_list",
  "table_list",
]);

function listItems(node: unknown): N[] {
  if (!node || typeof node !== "object") return [];
  const n = node as N;
  if (n.type === "list_expr") return n.items as N[];
  if (n.type === "paren_expr" && n.expr?.type === "list_expr") return n.expr.items as N[];
  return [n];
}
