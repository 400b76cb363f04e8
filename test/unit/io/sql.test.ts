import { describe, expect, it } from "vitest";
import { classifySql, type SqlOptions, type SqlParams } from "../../../src/io/sql/index.js";

const lite: SqlOptions = { dialect: "sqlite", database: "app.db" };
const pg: SqlOptions = { dialect: "postgres", database: "pg" };
const my: SqlOptions = { dialect: "mysql", database: "my" };

/** `op location` for each access, the `sql:<db>/` prefix dropped. */
function acc(sql: string, params: SqlParams = [], o: SqlOptions = lite): string[] {
  const e = classifySql(sql, params, o);
  expect(e.modelled, `${sql} should be modelled`).toBe(true);
  return e.accesses.map((a) => `${a.op} ${a.location.replace(`sql:${o.database}/`, "")}`);
}
function locks(sql: string, params: SqlParams = [], o: SqlOptions = pg): string[] {
  return classifySql(sql, params, o).locks.map((a) => `${a.op} ${a.location.replace(`sql:${o.database}`, "")}`);
}
function modelled(sql: string, o: SqlOptions = lite): boolean {
  return classifySql(sql, [], o).modelled;
}

describe("classifySql: rows and tables", () => {
  it.each<[string, SqlParams, string[]]>([
    ["SELECT n FROM c WHERE id = 1", [], ["read c(id=1)"]],
    ["SELECT n FROM c WHERE id = ?", [1], ["read c(id=1)"]],
    ["SELECT n FROM c WHERE id = ?", ["1"], ["read c(id=1)"]],
    ["SELECT n FROM c WHERE id = ?1", [5], ["read c(id=5)"]],
    ["SELECT n FROM c WHERE id = :id", { id: 2 }, ["read c(id=2)"]],
    ["SELECT n FROM c WHERE id = @id", [{ id: 3 }], ["read c(id=3)"]],
    ["SELECT n FROM c WHERE id = $id", { id: 4 }, ["read c(id=4)"]],
    ["SELECT n FROM c WHERE x = ? AND id = :id", [{ id: 4 }, 9], ["read c(id=4)"]],
    ["SELECT n FROM c WHERE id = 1 AND n > 2", [], ["read c(id=1)"]],
    ["SELECT n FROM c WHERE n > 2 AND (id = 1)", [], ["read c(id=1)"]],
    ["SELECT n FROM c WHERE id = 1 AND (x = 2 OR y = 3)", [], ["read c(id=1)"]],
    ["SELECT n FROM c WHERE id = 1 OR id = 2", [], ["read c"]],
    ["SELECT n FROM c WHERE id > 1", [], ["read c"]],
    ["SELECT n FROM c WHERE id BETWEEN 1 AND 2", [], ["read c"]],
    ["SELECT n FROM c", [], ["read c"]],
    ["SELECT n FROM c WHERE name = 'x'", [], ["read c"]],
    ["SELECT n FROM c WHERE id IN (1, 2)", [], ["read c(id=1)", "read c(id=2)"]],
    ["SELECT n FROM c WHERE id IN (?, ?)", [3, 3], ["read c(id=3)"]],
    ["SELECT n FROM c WHERE id NOT IN (1, 2)", [], ["read c"]],
    ["SELECT n FROM c WHERE id = ?", [null], ["read c"]],
    ["SELECT n FROM c WHERE id = ?", [], ["read c"]],
    ["SELECT n FROM c WHERE id = 'abc'", [], ["read c(id='abc')"]],
    ["SELECT n FROM c WHERE id = -1", [], ["read c(id=-1)"]],
    ["SELECT n FROM Main.C WHERE ID = 1", [], ["read c(id=1)"]],
    ["UPDATE c SET n = ? WHERE id = ?", [5, 1], ["write c(id=1)"]],
    ["UPDATE c SET n = n + 1 WHERE id = 1", [], ["read c(id=1)", "write c(id=1)"]],
    ["UPDATE c SET n = 1", [], ["write c"]],
    ["UPDATE c SET id = 2 WHERE id = 1", [], ["write c"]],
    ["DELETE FROM c WHERE id = ?", [8], ["write c(id=8)"]],
    ["DELETE FROM c WHERE id IN (1, 2, 3)", [], ["write c(id=1)", "write c(id=2)", "write c(id=3)"]],
    ["DELETE FROM c", [], ["write c"]],
    ["INSERT INTO c (id, n) VALUES (?, ?)", [7, 0], ["write c(id=7)"]],
    ["INSERT INTO c (id, n) VALUES (1, 0), (2, 0)", [], ["write c(id=1)", "write c(id=2)"]],
    ["INSERT INTO c (n) VALUES (1)", [], ["write c"]],
    ["INSERT INTO c VALUES (1, 2)", [], ["write c"]],
    ["INSERT INTO c DEFAULT VALUES", [], ["write c"]],
    ["INSERT INTO c (id, n) SELECT id, n FROM d", [], ["read d", "write c"]],
    ["INSERT OR REPLACE INTO c (id, n) VALUES (1, 2)", [], ["write c(id=1)"]],
    ["INSERT INTO c (id, n) VALUES (?, 1) ON CONFLICT(id) DO UPDATE SET n = n + 1", [3], ["read c(id=3)", "write c(id=3)"]],
    ["INSERT INTO c (id, n) VALUES (?, 1) ON CONFLICT(id) DO NOTHING", [3], ["write c(id=3)"]],
    ["INSERT INTO c (id, email) VALUES (3, 'a') ON CONFLICT(email) DO UPDATE SET n = 1", [], ["read c", "write c"]],
    ["INSERT INTO c (id, email) VALUES (3, 'a') ON CONFLICT(email) DO NOTHING", [], ["read c", "write c(id=3)"]],
    ["CREATE TABLE IF NOT EXISTS c (id INTEGER PRIMARY KEY, n INTEGER)", [], ["write c"]],
    ["DROP TABLE c", [], ["write c"]],
    ["ALTER TABLE c ADD COLUMN z", [], ["write c"]],
    ["ALTER TABLE c RENAME TO d", [], ["write c", "write d"]],
    ["CREATE INDEX i ON c (n)", [], ["write c"]],
    ["CREATE VIEW v AS SELECT * FROM c", [], ["read c", "write v"]],
  ])("%s %j", (sql, params, expected) => {
    expect(acc(sql, params).sort()).toEqual([...expected].sort());
  });

  it("labels and within", () => {
    const e = classifySql("UPDATE accounts SET balance = 50 WHERE id = 1", [], lite);
    expect(e.accesses).toEqual([{ op: "write", location: "sql:app.db/accounts(id=1)", within: "sql:app.db/accounts", label: "SQL row accounts(id=1)" }]);
    expect(classifySql("SELECT * FROM accounts", [], lite).accesses[0]).toEqual({ op: "read", location: "sql:app.db/accounts", label: "SQL table accounts" });
    expect(e.text).toBe("UPDATE accounts SET balance = 50 WHERE id = 1");
  });

  it("key values are normalised: number 1, string '1', bigint 1n, '01' name one row", () => {
    const loc = (p: unknown) => classifySql("SELECT * FROM c WHERE id = ?", [p], lite).accesses[0]!.location;
    expect(new Set([loc(1), loc("1"), loc(1n), loc("01"), loc(" 1 "), loc(1.0)])).toEqual(new Set(["sql:app.db/c(id=1)"]));
    expect(loc("a'b")).toBe("sql:app.db/c(id='a''b')");
    expect(loc({})).toBe("sql:app.db/c");
  });

  it("primaryKeys: another column, and composite keys (a row only when every column is pinned)", () => {
    const o: SqlOptions = { ...lite, primaryKeys: { c: ["code"], m: ["a", "b"] } };
    expect(acc("SELECT * FROM c WHERE code = 'x'", [], o)).toEqual(["read c(code='x')"]);
    expect(acc("SELECT * FROM c WHERE id = 1", [], o)).toEqual(["read c"]);
    expect(acc("SELECT * FROM m WHERE b = 2 AND a = 1", [], o)).toEqual(["read m(a=1,b=2)"]);
    expect(acc("SELECT * FROM m WHERE a = 1", [], o)).toEqual(["read m"]);
    expect(acc("SELECT * FROM m WHERE a IN (1, 2) AND b = 3", [], o)).toEqual(["read m(a=1,b=3)", "read m(a=2,b=3)"]);
    expect(acc("INSERT INTO m (b, a) VALUES (2, 1)", [], o)).toEqual(["write m(a=1,b=2)"]);
  });

  it("uniqueKeys: inserts also read the table", () => {
    const o: SqlOptions = { ...lite, uniqueKeys: { users: [["email"]] } };
    expect(acc("INSERT INTO users (id, email) VALUES (1, 'a')", [], o).sort()).toEqual(["read users", "write users(id=1)"]);
  });

  it("joins, subqueries and CTEs read every table they name", () => {
    expect(acc("SELECT * FROM a JOIN b ON a.id = b.aid WHERE a.id = 1").sort()).toEqual(["read a(id=1)", "read b"]);
    expect(acc("SELECT * FROM a x LEFT JOIN b y ON x.id = y.aid WHERE y.id = 2").sort()).toEqual(["read a", "read b(id=2)"]);
    expect(acc("SELECT * FROM a, b WHERE id = 1").sort()).toEqual(["read a", "read b"]);
    expect(acc("SELECT * FROM a WHERE id = (SELECT max(id) FROM b)").sort()).toEqual(["read a", "read b"]);
    expect(acc("SELECT * FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.id = 3)").sort()).toEqual(["read a", "read b(id=3)"]);
    expect(acc("SELECT (SELECT count(*) FROM b) AS n FROM a").sort()).toEqual(["read a", "read b"]);
    expect(acc("SELECT * FROM (SELECT * FROM a) AS s").sort()).toEqual(["read a"]);
    expect(acc("WITH t AS (SELECT id FROM a WHERE x > 1) SELECT * FROM b JOIN t ON b.id = t.id").sort()).toEqual(["read a", "read b"]);
    expect(acc("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t")).toEqual([]);
    expect(acc("SELECT id FROM a UNION SELECT id FROM b").sort()).toEqual(["read a", "read b"]);
    expect(acc("UPDATE a SET n = (SELECT n FROM b WHERE id = 1) WHERE id = 2").sort()).toEqual(["read a(id=2)", "read b(id=1)", "write a(id=2)"]);
    expect(acc("DELETE FROM a WHERE id IN (SELECT aid FROM b)").sort()).toEqual(["read b", "write a"]);
  });

  it("postgres: $n, casts, ANY($1), schemas, quoted names, FROM/USING", () => {
    expect(acc("UPDATE c SET n = $1 WHERE id = $2", [5, 9], pg)).toEqual(["write c(id=9)"]);
    expect(acc("SELECT * FROM c WHERE id = $1::int", ["4"], pg)).toEqual(["read c(id=4)"]);
    expect(acc("SELECT * FROM c WHERE id = CAST($1 AS int)", [4], pg)).toEqual(["read c(id=4)"]);
    expect(acc("SELECT * FROM c WHERE id = ANY($1)", [[1, 2]], pg)).toEqual(["read c(id=1)", "read c(id=2)"]);
    expect(acc("SELECT * FROM c WHERE id = ANY($1)", [5], pg)).toEqual(["read c"]);
    expect(acc('SELECT * FROM "public"."Users" WHERE "id" = $1', [1], pg)).toEqual(["read Users(id=1)"]);
    expect(acc("SELECT * FROM public.users WHERE id = 1", [], pg)).toEqual(["read users(id=1)"]);
    expect(acc("SELECT * FROM audit.log", [], pg)).toEqual(["read audit.log"]);
    expect(acc("UPDATE a SET x = b.x FROM b WHERE a.id = b.id AND a.id = 3", [], pg).sort()).toEqual(["read a(id=3)", "read b", "write a(id=3)"]);
    expect(acc("DELETE FROM a USING b WHERE a.id = b.id AND a.id = 4", [], pg).sort()).toEqual(["read b", "write a(id=4)"]);
    expect(acc("WITH t AS (UPDATE a SET x = 1 WHERE id = 2 RETURNING *) SELECT * FROM t", [], pg)).toEqual(["write a(id=2)"]);
    expect(acc("INSERT INTO users (id, email) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING *", [1, "a"], pg).sort()).toEqual(["read users(id=1)", "write users(id=1)"]);
    expect(acc("TRUNCATE a, b", [], pg)).toEqual(["write a", "write b"]);
    expect(acc("SELECT nextval('order_seq')", [], pg)).toEqual(["write sequence:order_seq"]);
    expect(acc("SELECT now(), count(*)::int FROM a", [], pg)).toEqual(["read a"]);
  });

  it("mysql: ?, backticks, ON DUPLICATE KEY UPDATE, REPLACE, table-name case kept", () => {
    expect(acc("SELECT `n` FROM `Accounts` WHERE `id` = ?", [1], my)).toEqual(["read Accounts(id=1)"]);
    expect(acc("INSERT INTO c (id, n) VALUES (1, 2) ON DUPLICATE KEY UPDATE n = n + 1", [], my).sort()).toEqual(["read c(id=1)", "write c(id=1)"]);
    expect(acc("REPLACE INTO c (id, n) VALUES (?, 2)", [6], my)).toEqual(["write c(id=6)"]);
    expect(acc("UPDATE c SET n = n + 1 WHERE id = ? LIMIT 1", [2], my)).toEqual(["read c(id=2)", "write c(id=2)"]);
  });

  it("multiple statements: the union, per-statement entries, the transaction state at the end", () => {
    const e = classifySql("BEGIN; UPDATE a SET x = 1 WHERE id = 1; SELECT * FROM b; COMMIT", [], lite);
    expect(e.modelled).toBe(true);
    expect(e.accesses.map((a) => a.location)).toEqual(["sql:app.db/a(id=1)", "sql:app.db/b"]);
    expect(e.transaction).toBe("commit");
    expect(e.statements.map((s) => s.transaction)).toEqual(["begin", null, null, "commit"]);
    expect(classifySql("SELECT 1; SELEC nonsense", [], lite).modelled).toBe(false);
    expect(classifySql("SELECT * FROM a; SELECT my_udf()", [], lite).modelled).toBe(false);
  });
});

describe("classifySql: transactions and locks", () => {
  it.each<[string, SqlOptions, string | null]>([
    ["BEGIN", lite, "begin"],
    ["BEGIN IMMEDIATE", lite, "begin"],
    ["BEGIN TRANSACTION", lite, "begin"],
    ["START TRANSACTION", my, "begin"],
    ["BEGIN ISOLATION LEVEL SERIALIZABLE", pg, "begin"],
    ["COMMIT", pg, "commit"],
    ["END", lite, "commit"],
    ["ROLLBACK", pg, "rollback"],
    ["SAVEPOINT sp", pg, "savepoint"],
    ["RELEASE SAVEPOINT sp", pg, "savepoint"],
    ["ROLLBACK TO SAVEPOINT sp", pg, "savepoint"],
    ["SELECT 1", pg, null],
  ])("%s → %s", (sql, o, tx) => {
    const e = classifySql(sql, [], o);
    expect(e.modelled).toBe(true);
    expect(e.transaction).toBe(tx);
  });

  it("SELECT … FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE lock what they read", () => {
    expect(locks("SELECT * FROM c WHERE id = $1 FOR UPDATE", [3])).toEqual(["write /c(id=3)"]);
    expect(locks("SELECT * FROM c WHERE id = 1 FOR SHARE")).toEqual(["read /c(id=1)"]);
    expect(locks("SELECT * FROM c WHERE id = 1 FOR NO KEY UPDATE")).toEqual(["write /c(id=1)"]);
    expect(locks("SELECT * FROM jobs WHERE status = 'queued' LIMIT 1 FOR UPDATE SKIP LOCKED")).toEqual(["write /jobs"]);
    expect(locks("SELECT * FROM a JOIN b ON a.id = b.aid WHERE a.id = 1 FOR UPDATE OF a")).toEqual(["write /a(id=1)"]);
    expect(locks("SELECT * FROM c WHERE id = ? LOCK IN SHARE MODE", [2], my)).toEqual(["read /c(id=2)"]);
    expect(locks("SELECT * FROM c WHERE id = 1")).toEqual([]);
    expect(classifySql("SELECT * FROM c WHERE id = 1 FOR UPDATE", [], pg).accesses.map((a) => a.op)).toEqual(["read"]);
  });

  it("writes lock their rows (PostgreSQL, MySQL) or the database (SQLite)", () => {
    expect(locks("UPDATE c SET n = 1 WHERE id = 1")).toEqual(["write /c(id=1)"]);
    expect(locks("DELETE FROM c WHERE n = 0")).toEqual(["write /c"]);
    expect(locks("INSERT INTO c (id) VALUES (4)", [], my)).toEqual(["write /c(id=4)"]);
    expect(locks("UPDATE c SET n = 1 WHERE id = 1", [], lite)).toEqual(["write "]);
    expect(classifySql("UPDATE c SET n = 1 WHERE id = 1", [], lite).locks[0]!.location).toBe("sql:app.db");
    expect(locks("BEGIN IMMEDIATE", [], lite)).toEqual(["write "]);
    expect(locks("BEGIN", [], lite)).toEqual([]);
    expect(locks("SELECT * FROM c", [], lite)).toEqual([]);
  });

  it("advisory locks: a write of their location; the transaction-scoped ones are held", () => {
    const e = classifySql("SELECT pg_advisory_xact_lock(42)", [], pg);
    expect(e.accesses.map((a) => a.location)).toEqual(["sql:pg/advisory(42)"]);
    expect(e.locks.map((a) => a.location)).toEqual(["sql:pg/advisory(42)"]);
    expect(classifySql("SELECT pg_advisory_lock(hashtext($1))", ["k"], pg).accesses.map((a) => a.location)).toEqual(["sql:pg/advisory"]);
    expect(classifySql("SELECT pg_advisory_unlock(42)", [], pg).locks).toEqual([]);
  });
});

describe("classifySql: conservative cases (modelled: false → the caller writes WORLD)", () => {
  it.each<[string, SqlOptions]>([
    ["SELEC nonsense", lite],
    ["this is not sql", pg],
    ["SELECT * FROM a WHERE", lite],
    ["SELECT my_udf(n) FROM a", lite],
    ["SELECT * FROM a WHERE x = compute_something(1)", pg],
    ["CALL do_things()", my],
    ["DO $$ BEGIN PERFORM 1; END $$", pg],
    ["LOCK TABLE a IN EXCLUSIVE MODE", pg],
    ["VACUUM", lite],
    ["ANALYZE", lite],
    ["PRAGMA wal_checkpoint(TRUNCATE)", lite],
    ["PRAGMA writable_schema = 1", lite],
    ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; END", lite],
    ["ATTACH DATABASE 'x.db' AS x", lite],
    ["DROP INDEX i", lite],
    ["SET autocommit = 0", my],
    ["MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN UPDATE SET n = b.n", pg],
  ])("%s", (sql, o) => {
    const e = classifySql(sql, [], o);
    expect(e.modelled).toBe(false);
    expect(e.text.length).toBeGreaterThan(0);
  });

  it("PRAGMA and ANALYZE decided conservatively but modelled where they touch one thing", () => {
    expect(acc("PRAGMA journal_mode = WAL")).toEqual(["write pragma:journal_mode"]);
    expect(acc("PRAGMA user_version")).toEqual(["read pragma:user_version"]);
    expect(acc("PRAGMA table_info(accounts)")).toEqual(["read accounts"]);
    // A connection's own settings are nothing another connection shares.
    expect(acc("PRAGMA busy_timeout = 5000")).toEqual([]);
    expect(acc("PRAGMA foreign_keys = ON")).toEqual([]);
    expect(classifySql("PRAGMA busy_timeout = 5000", [], lite).modelled).toBe(true);
    expect(acc("ANALYZE accounts")).toEqual(["read accounts"]);
    expect(acc("SET LOCAL statement_timeout = 1000", [], pg)).toEqual([]);
    expect(acc("SHOW search_path", [], pg)).toEqual([]);
    expect(acc("EXPLAIN QUERY PLAN SELECT * FROM a WHERE id = 1")).toEqual(["read a(id=1)"]);
  });

  it("an IN list too long for rows is the table", () => {
    const ids = Array.from({ length: 300 }, (_, i) => i);
    expect(acc(`SELECT * FROM c WHERE id IN (${ids.join(",")})`)).toEqual(["read c"]);
  });

  it("an empty string or a lone ; is modelled with no access", () => {
    expect(classifySql("", [], lite)).toMatchObject({ modelled: true, accesses: [] });
    expect(classifySql(" ; ", [], lite)).toMatchObject({ modelled: true, accesses: [] });
  });
});
