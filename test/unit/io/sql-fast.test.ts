import { describe, expect, it } from "vitest";
import { analyzeSql, type AnalyzeOptions } from "../../../src/io/sql/analyze.js";
import { fastPlan } from "../../../src/io/sql/fast.js";
import { classifySql, clearSqlCache, sqlPlanSource } from "../../../src/io/sql/index.js";

const lite: AnalyzeOptions = { dialect: "sqlite" };
const pg: AnalyzeOptions = { dialect: "postgres" };
const my: AnalyzeOptions = { dialect: "mysql" };

/** Statements the fast path takes: its plan must be the parser's, field for field. */
const FAST: [string, AnalyzeOptions][] = [
  ["SELECT n FROM c WHERE id = ?", lite],
  ["SELECT * FROM c WHERE id = 1", lite],
  ["select n, m as k from c where id = :id and x = 'a''b'", lite],
  ["SELECT c.n FROM main.c WHERE id = ?3", lite],
  ['SELECT * FROM "Counters" WHERE "id" = ?', lite],
  ["SELECT * FROM c", lite],
  ["SELECT * FROM c WHERE x = 1 ORDER BY id DESC LIMIT 1", lite],
  ["SELECT n FROM c WHERE id = $1 FOR UPDATE", pg],
  ["SELECT n FROM c WHERE id = $1 FOR SHARE", pg],
  ['SELECT * FROM "public"."Users" WHERE "id" = $1', pg],
  ["SELECT n FROM `c` WHERE `id` = ? FOR UPDATE", my],
  ["UPDATE c SET n = ? WHERE id = ?", lite],
  ["UPDATE c SET n = n + 1 WHERE id = ?;", lite],
  ["UPDATE c SET n = n - ?, m = 'x' WHERE id = ? AND v = ?", lite],
  ["UPDATE c SET id = 2 WHERE id = 1", lite],
  ["UPDATE c SET n = $1 WHERE id = $2 RETURNING n", pg],
  ["UPDATE c SET n = ? WHERE id = ?", my],
  ["DELETE FROM c WHERE id = ?", lite],
  ["DELETE FROM c WHERE id = $1 RETURNING *", pg],
  ["INSERT INTO c (id, n) VALUES (?, ?)", lite],
  ["INSERT INTO c (n) VALUES (?)", lite],
  ["INSERT INTO c (id, n) VALUES ($1, NULL) RETURNING id", pg],
  ["INSERT INTO c (id, n) VALUES (-1, 2.5)", my],
  ["BEGIN", lite],
  ["BEGIN IMMEDIATE", lite],
  ["BEGIN DEFERRED TRANSACTION", lite],
  ["COMMIT", lite],
  ["END TRANSACTION", lite],
  ["ROLLBACK", pg],
  ["START TRANSACTION", my],
  ["COMMIT", my],
];

/** Statements it must leave to the parser. */
const SLOW: [string, AnalyzeOptions][] = [
  ["SELECT n FROM c WHERE id = 1 OR id = 2", lite],
  ["SELECT count(*) FROM c", lite],
  ["SELECT n FROM c WHERE id IN (1, 2)", lite],
  ["SELECT n FROM c JOIN d ON c.id = d.id", lite],
  ["SELECT n FROM c WHERE id = 1 -- comment", lite],
  ["SELECT n FROM c WHERE id = 1 FOR UPDATE", lite],
  ["UPDATE c SET n = (SELECT 1) WHERE id = 1", lite],
  ["UPDATE c SET n = 1", lite],
  ["INSERT INTO c (id) VALUES (1), (2)", lite],
  ["INSERT INTO c (id) VALUES (1) ON CONFLICT DO NOTHING", lite],
  ["SELECT * FROM select WHERE id = 1", lite],
  ['SELECT * FROM c WHERE id = "x"', my],
  ["START TRANSACTION", lite],
  ["SELECT 1; SELECT 2", lite],
];

describe("the SQL fast path", () => {
  it.each(FAST)("%s: fast, and the same plan as the parser's", (sql, o) => {
    const fast = fastPlan(sql, o);
    const parsed = analyzeSql(sql, o);
    expect(fast, "fast path").not.toBeNull();
    expect(parsed, "parser").not.toBeNull();
    const strip = (p: typeof fast) => p!.statements.map((s) => ({ ...s, text: s.text.replace(/;\s*$/, "") }));
    expect(strip(fast)).toEqual(strip(parsed));
  });

  it.each(SLOW)("%s: left to the parser", (sql, o) => {
    expect(fastPlan(sql, o)).toBeNull();
  });

  it("sqlPlanSource tells which path planned a statement", () => {
    expect(sqlPlanSource("SELECT * FROM c WHERE id = ?", lite)).toBe("fast");
    expect(sqlPlanSource("SELECT count(*) FROM c", lite)).toBe("parser");
    expect(sqlPlanSource("SELEC", lite)).toBeNull();
  });

  it("a cached plan is bound afresh to each call's parameters", () => {
    clearSqlCache();
    const o = { dialect: "postgres" as const, database: "d" };
    const sql = "SELECT * FROM c WHERE id = ANY($1) AND n > 0";
    expect(classifySql(sql, [[1]], o).accesses.map((a) => a.location)).toEqual(["sql:d/c(id=1)"]);
    expect(classifySql(sql, [[2, 3]], o).accesses.map((a) => a.location)).toEqual(["sql:d/c(id=2)", "sql:d/c(id=3)"]);
    expect(classifySql(sql, [[2]], { ...o, database: "e" }).accesses.map((a) => a.location)).toEqual(["sql:e/c(id=2)"]);
    // primaryKeys take part in the cache key
    expect(classifySql(sql, [[2]], { ...o, primaryKeys: { c: ["code"] } }).accesses.map((a) => a.location)).toEqual(["sql:d/c"]);
  });
});
