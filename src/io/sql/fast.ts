/**
 * The fast path: the statements most programs repeat, planned without the parser — one table, an
 * AND of `column = value`, placeholders — in a few microseconds, and without loading the parser
 * at all. Anything else (or anything doubtful: comments, functions, parentheses outside the
 * VALUES and column lists, keywords as names) returns null and goes to the parser.
 *
 *   SELECT cols FROM t [WHERE c = v [AND …]] [ORDER BY c [ASC|DESC]] [LIMIT n] [FOR UPDATE|SHARE]
 *   UPDATE t SET c = term [op term …], … WHERE c = v [AND …] [RETURNING cols]
 *   DELETE FROM t WHERE c = v [AND …] [RETURNING cols]
 *   INSERT INTO t (c, …) VALUES (v, …) [RETURNING cols]
 *   BEGIN / COMMIT / ROLLBACK (and the dialect's spellings)
 *
 * Its plans are the parser's for the same text (`test/unit/io/sql-fast.test.ts` checks both).
 */
import type { AccessPlan, Dialect, Plan, StatementPlan, TransactionControl, ValueRef } from "./plan.js";
import type { AnalyzeOptions } from "./analyze.js";
import { columnName, keyValue, tableName } from "./values.js";

type Tok =
  | { t: "word"; v: string; quoted: boolean }
  | { t: "num"; v: string }
  | { t: "str"; v: string }
  | { t: "param"; v: string }
  | { t: "op"; v: string };

const TOKEN = /\s+|'(?:[^']|'')*'|"(?:[^"]|"")+"|`[^`]+`|\d+(?:\.\d+)?|[A-Za-z_][\w$]*|\$\d+|\?\d*|[:@$][A-Za-z_]\w*|<>|!=|<=|>=|==|\|\||[=,();*+\-/.<>]/y;

const RESERVED = new Set(
  "SELECT FROM WHERE AND OR NOT NULL IN IS LIKE GLOB LIMIT OFFSET ORDER BY GROUP HAVING UNION INTERSECT EXCEPT JOIN ON USING AS SET VALUES INTO RETURNING FOR UPDATE DELETE INSERT REPLACE DEFAULT CASE WHEN THEN ELSE END EXISTS BETWEEN DISTINCT ALL WITH TABLE ASC DESC COLLATE ESCAPE CAST TRUE FALSE SHARE LOCK".split(
    " ",
  ),
);

function tokenize(sql: string, dialect: Dialect): Tok[] | null {
  if (sql.includes("--") || sql.includes("/*") || (dialect === "mysql" && (sql.includes("#") || sql.includes("\\")))) return null;
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < sql.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(sql);
    if (!m) return null;
    const s = m[0];
    const c = s[0]!;
    if (/\s/.test(c)) continue;
    if (c === "'") out.push({ t: "str", v: s.slice(1, -1).replace(/''/g, "'") });
    else if (c === '"') {
      if (dialect === "mysql") return null;
      out.push({ t: "word", v: s.slice(1, -1).replace(/""/g, '"'), quoted: true });
    } else if (c === "`") {
      if (dialect !== "mysql") return null;
      out.push({ t: "word", v: s.slice(1, -1), quoted: true });
    } else if (/\d/.test(c)) out.push({ t: "num", v: s });
    else if (/[A-Za-z_]/.test(c)) out.push({ t: "word", v: s, quoted: false });
    else if (c === "$" || c === "?" || c === ":" || c === "@") {
      if (!paramAllowed(s, dialect)) return null;
      out.push({ t: "param", v: s });
    } else out.push({ t: "op", v: s });
    if (TOKEN.lastIndex === start) return null;
  }
  return out;
}

function paramAllowed(p: string, dialect: Dialect): boolean {
  if (dialect === "postgres") return /^\$\d+$/.test(p);
  if (dialect === "mysql") return p === "?" || /^:[A-Za-z_]/.test(p);
  return /^(\?\d*|[:@$][A-Za-z_]\w*)$/.test(p);
}

class Reader {
  i = 0;
  next = 0; // the next anonymous placeholder's index
  constructor(
    readonly toks: Tok[],
    readonly dialect: Dialect,
  ) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  done(): boolean {
    if (this.peek()?.v === ";") this.i++;
    return this.i === this.toks.length;
  }
  /** Consumes the keyword(s) if they come next. */
  kw(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const t = this.toks[this.i + k];
      if (!t || t.t !== "word" || t.quoted || t.v.toUpperCase() !== words[k]) return false;
    }
    this.i += words.length;
    return true;
  }
  op(v: string): boolean {
    const t = this.peek();
    if (t?.t === "op" && t.v === v) {
      this.i++;
      return true;
    }
    return false;
  }
  name(): { name: string; quoted: boolean } | null {
    const t = this.peek();
    if (t?.t !== "word" || (!t.quoted && RESERVED.has(t.v.toUpperCase()))) return null;
    this.i++;
    return { name: t.v, quoted: t.quoted };
  }
  table(): string | null {
    const first = this.name();
    if (!first) return null;
    const parts = [first];
    if (this.op(".")) {
      const second = this.name();
      if (!second) return null;
      parts.push(second);
    }
    return tableName(parts, this.dialect);
  }
  column(): string | null {
    const n = this.name();
    return n ? columnName(n.name, n.quoted, this.dialect) : null;
  }
  param(t: Tok & { t: "param" }): ValueRef {
    if (t.v === "?") return { kind: "positional", index: this.next++ };
    if (/^[$?]\d+$/.test(t.v)) {
      const n = Number(t.v.slice(1));
      if (this.dialect === "sqlite") this.next = Math.max(this.next, n);
      return { kind: "positional", index: n - 1 };
    }
    return { kind: "named", name: t.v.slice(1) };
  }
  /** A literal or placeholder; `null` when something else comes. */
  value(): ValueRef | null {
    let t = this.peek();
    let sign = "";
    if (t?.t === "op" && (t.v === "-" || t.v === "+") && this.toks[this.i + 1]?.t === "num") {
      sign = t.v;
      this.i++;
      t = this.peek();
    }
    if (!t) return null;
    if (t.t === "num" || t.t === "str") {
      this.i++;
      const k = keyValue(t.t === "num" ? sign + t.v : t.v);
      return k === null ? null : { kind: "literal", key: k };
    }
    if (t.t === "param") {
      this.i++;
      return this.param(t);
    }
    return null;
  }
  /** `c = v [AND c = v …]`: the first value per column. */
  conds(): Map<string, ValueRef> | null {
    const pins = new Map<string, ValueRef>();
    do {
      const col = this.column();
      if (!col || !(this.op("=") || this.op("=="))) return null;
      const v = this.value();
      if (!v) return null;
      if (!pins.has(col)) pins.set(col, v);
    } while (this.kw("AND"));
    return pins;
  }
  /** `*` or `a, t.b, c AS d`. */
  columns(): boolean {
    do {
      if (this.op("*")) continue;
      if (!this.name()) return false;
      if (this.op(".") && !this.op("*") && !this.name()) return false;
      if (this.kw("AS")) {
        if (!this.name()) return false;
      }
    } while (this.op(","));
    return true;
  }
  returning(): boolean {
    return !this.kw("RETURNING") || (this.dialect !== "mysql" && this.columns());
  }
}

/** Plans `sql` if it has one of the fast-path shapes, else null. */
export function fastPlan(sql: string, options: AnalyzeOptions): Plan | null {
  const toks = tokenize(sql, options.dialect);
  if (!toks || toks.length === 0) return null;
  const r = new Reader(toks, options.dialect);
  const stmt = statement(r, sql.trim().replace(/;\s*$/, ""), options);
  return stmt && r.done() ? { statements: [stmt], source: "fast" } : null;
}

function statement(r: Reader, text: string, options: AnalyzeOptions): StatementPlan | null {
  const { dialect } = options;
  const key = (table: string): string[] => options.primaryKeys?.[table] ?? ["id"];
  const plan = (accesses: AccessPlan[], locks: AccessPlan[], transaction: TransactionControl | null = null): StatementPlan => ({
    text,
    transaction,
    modelled: true,
    accesses,
    locks,
  });
  const access = (op: "read" | "write", table: string, pins: Map<string, ValueRef> | null): AccessPlan => {
    const cols = key(table);
    if (!pins || !cols.every((c) => pins.has(c))) return { op, table };
    return { op, table, key: { columns: cols, rows: [cols.map((c) => pins.get(c)!)] } };
  };
  const writeLocks = (a: AccessPlan): AccessPlan[] => (dialect === "sqlite" ? [{ op: "write", suffix: "", label: "SQLite database write lock" }] : [a]);

  if (r.kw("SELECT")) {
    if (!r.columns() || !r.kw("FROM")) return null;
    const table = r.table();
    if (!table) return null;
    let pins: Map<string, ValueRef> | null = null;
    if (r.kw("WHERE")) {
      pins = r.conds();
      if (!pins) return null;
    }
    if (r.kw("ORDER", "BY")) {
      if (!r.column()) return null;
      if (!r.kw("ASC")) r.kw("DESC");
    }
    if (r.kw("LIMIT")) {
      const t = r.peek();
      if (t?.t !== "num") return null;
      r.i++;
    }
    let lock: "read" | "write" | null = null;
    if (dialect !== "sqlite" && r.kw("FOR", "UPDATE")) lock = "write";
    else if (dialect !== "sqlite" && r.kw("FOR", "SHARE")) lock = "read";
    const read = access("read", table, pins);
    return plan([read], lock ? [{ ...read, op: lock }] : []);
  }
  if (r.kw("UPDATE")) {
    const table = r.table();
    if (!table || !r.kw("SET")) return null;
    const assigned: string[] = [];
    let readsColumns = false;
    do {
      const col = r.column();
      if (!col || !r.op("=")) return null;
      assigned.push(col);
      for (;;) {
        const t = r.peek();
        if (t?.t === "word") {
          if (!r.column()) return null;
          readsColumns = true;
        } else if (!r.value()) return null;
        if (!(r.op("+") || r.op("-") || r.op("*") || r.op("/") || r.op("||"))) break;
      }
    } while (r.op(","));
    if (!r.kw("WHERE")) return null;
    const pins = r.conds();
    if (!pins || !r.returning()) return null;
    const moves = assigned.some((c) => key(table).includes(c));
    const write = moves ? ({ op: "write", table } as AccessPlan) : access("write", table, pins);
    return plan(readsColumns ? [{ ...write, op: "read" }, write] : [write], writeLocks(write));
  }
  if (r.kw("DELETE", "FROM")) {
    const table = r.table();
    if (!table || !r.kw("WHERE")) return null;
    const pins = r.conds();
    if (!pins || !r.returning()) return null;
    const write = access("write", table, pins);
    return plan([write], writeLocks(write));
  }
  if (r.kw("INSERT", "INTO")) {
    const table = r.table();
    if (!table || !r.op("(")) return null;
    const cols: string[] = [];
    do {
      const c = r.column();
      if (!c) return null;
      cols.push(c);
    } while (r.op(","));
    if (!r.op(")") || !r.kw("VALUES") || !r.op("(")) return null;
    const values: ValueRef[] = [];
    do {
      const v = r.kw("NULL") ? ({ kind: "unknown" } as ValueRef) : r.value();
      if (!v) return null;
      values.push(v);
    } while (r.op(","));
    if (!r.op(")") || values.length !== cols.length || !r.returning()) return null;
    if ((options.uniqueKeys?.[table]?.length ?? 0) > 0) return null;
    const k = key(table);
    const write: AccessPlan = k.every((c) => cols.includes(c)) ? { op: "write", table, key: { columns: k, rows: [k.map((c) => values[cols.indexOf(c)]!)] } } : { op: "write", table };
    return plan([write], writeLocks(write));
  }
  return transaction(r, dialect, plan);
}

function transaction(
  r: Reader,
  dialect: Dialect,
  plan: (a: AccessPlan[], l: AccessPlan[], t: TransactionControl | null) => StatementPlan,
): StatementPlan | null {
  if (r.kw("BEGIN")) {
    let lock = false;
    if (dialect === "sqlite") {
      if (r.kw("IMMEDIATE") || r.kw("EXCLUSIVE")) lock = true;
      else r.kw("DEFERRED");
    }
    if (dialect !== "mysql") r.kw("TRANSACTION");
    else r.kw("WORK");
    return plan([], lock ? [{ op: "write", suffix: "", label: "SQLite database write lock" }] : [], "begin");
  }
  if (dialect !== "sqlite" && r.kw("START", "TRANSACTION")) return plan([], [], "begin");
  if (r.kw("COMMIT") || (dialect !== "mysql" && r.kw("END"))) {
    if (!r.kw("TRANSACTION")) r.kw("WORK");
    return plan([], [], "commit");
  }
  if (r.kw("ROLLBACK")) {
    if (!r.kw("TRANSACTION")) r.kw("WORK");
    return plan([], [], "rollback");
  }
  return null;
}
