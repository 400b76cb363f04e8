/**
 * SQL statements as resource accesses: `classifySql(sql, params, options)`.
 *
 * Resource = table (`sql:<database>/<table>`), refined to rows (`sql:<database>/<table>(id=1)`,
 * `within` the table) where the statement pins the primary key. See `../README.md` for what is
 * modelled, and `values.ts` for how names and key values are normalised.
 *
 * Cost: a statement text is planned once — by the fast path (`fast.ts`) or the parser
 * (`analyze.ts`, sql-parser-cst, loaded on first need) — and the plan cached by text; each call
 * then only binds its parameters.
 */
import type { ResourceAccess, ResourceEffect } from "../resource.js";
import { displayText } from "../resource.js";
import { analyzeSql } from "./analyze.js";
import { fastPlan } from "./fast.js";
import type { BoundStatement, Dialect, Plan, SqlParams, TransactionControl } from "./plan.js";
import { bindStatement } from "./plan.js";

export type { BoundStatement, Dialect, SqlParams, TransactionControl } from "./plan.js";
export { keyValue, tableName } from "./values.js";

export interface SqlOptions {
  dialect: Dialect;
  /** Names the database in locations: a file path for SQLite, `host:port/dbname` for a server. */
  database: string;
  /** Primary-key columns per table (location name: lower case, default schema dropped); default `["id"]`. */
  primaryKeys?: Record<string, string[]>;
  /**
   * Unique keys other than the primary key, per table. An INSERT into such a table (and an upsert
   * whose conflict target is not the primary key) also reads the whole table: another row with
   * the same unique value changes its outcome. Without it, inserts of different keys are taken
   * as independent.
   */
  uniqueKeys?: Record<string, string[][]>;
}

export interface SqlEffect extends ResourceEffect {
  /**
   * The transaction control the string performs: for one statement its kind; for several, the
   * last one's (`BEGIN; UPDATE …` leaves a transaction open: "begin"). `savepoint` covers
   * SAVEPOINT, RELEASE and ROLLBACK TO.
   */
  transaction: TransactionControl | null;
  /**
   * What a transaction holds after the statement (`write` = exclusive, `read` = shared): rows or
   * tables of `SELECT … FOR UPDATE/FOR SHARE` and of writes (PostgreSQL, MySQL), the database
   * write lock (`sql:<database>`) for SQLite writes and `BEGIN IMMEDIATE/EXCLUSIVE`, advisory locks
   * taken for the transaction.
   */
  locks: ResourceAccess[];
  /** Each statement of the string on its own (one entry for a single statement). */
  statements: BoundStatement[];
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, Plan | null>();
let optionIds = new WeakMap<object, number>();
let nextOptionId = 1;

function optionKey(o: object | undefined): number {
  if (o === undefined) return 0;
  let id = optionIds.get(o);
  if (id === undefined) optionIds.set(o, (id = nextOptionId++));
  return id;
}

/** The cached plan of a statement text (computed on a miss). */
function planOf(sql: string, options: SqlOptions): Plan | null {
  const key = `${options.dialect}\0${optionKey(options.primaryKeys)}\0${optionKey(options.uniqueKeys)}\0${sql}`;
  const hit = cache.get(key);
  if (hit !== undefined || cache.has(key)) return hit ?? null;
  const analyze = { dialect: options.dialect, primaryKeys: options.primaryKeys, uniqueKeys: options.uniqueKeys };
  const plan = fastPlan(sql, analyze) ?? analyzeSql(sql, analyze);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, plan);
  return plan;
}

/** Classifies one call: `sql` as the driver received it, `params` as bound. */
export function classifySql(sql: string, params: SqlParams, options: SqlOptions): SqlEffect {
  const plan = typeof sql === "string" ? planOf(sql, options) : null;
  if (plan === null || plan.statements.length === 0) {
    return { accesses: [], modelled: plan !== null, text: displayText(String(sql)), transaction: null, locks: [], statements: [] };
  }
  if (plan.statements.length === 1) {
    const s = bindStatement(plan.statements[0]!, options.dialect, options.database, params);
    return { accesses: s.accesses, modelled: s.modelled, text: s.text, transaction: s.transaction, locks: s.locks, statements: [s] };
  }
  const statements = plan.statements.map((s) => bindStatement(s, options.dialect, options.database, params));
  let transaction: TransactionControl | null = null;
  for (const s of statements) if (s.transaction !== null) transaction = s.transaction;
  const seen = new Set<string>();
  const union = (list: ResourceAccess[]): ResourceAccess[] =>
    list.filter((a) => {
      const k = `${a.op} ${a.location}`;
      return !seen.has(k) && (seen.add(k), true);
    });
  const accesses = union(statements.flatMap((s) => s.accesses));
  seen.clear();
  const locks = union(statements.flatMap((s) => s.locks));
  return { accesses, modelled: statements.every((s) => s.modelled), text: displayText(sql), transaction, locks, statements };
}

/** Where the plan of a statement would come from: the fast path, the parser, or neither (unparseable). For tests and the benchmark. */
export function sqlPlanSource(sql: string, options: Pick<SqlOptions, "dialect" | "primaryKeys" | "uniqueKeys">): "fast" | "parser" | null {
  return (fastPlan(sql, options) ?? analyzeSql(sql, options))?.source ?? null;
}

/** Empties the plan cache (for the benchmark's cold measurements and for tests). */
export function clearSqlCache(): void {
  cache.clear();
  optionIds = new WeakMap();
}
