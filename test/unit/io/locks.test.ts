// The lock table of io/drivers/locks.ts: which statement waits for which transaction's lock, when
// the wait ends, and what is recorded for DPOR (acquire/release of precise locks).
import { afterEach, describe, expect, it } from "vitest";
import { LockTable, isPreciseLock, setLockWaits, type LockWait } from "../../../src/io/drivers/locks.js";
import type { Access } from "../../../src/strategies/access.js";
import type { ResourceAccess } from "../../../src/io/resource.js";

const row = (id: number, op: "read" | "write" = "write"): ResourceAccess => ({ op, location: `sql:db/account(id=${id})`, within: "sql:db/account", label: `SQL row account(id=${id})` });
const table: ResourceAccess = { op: "write", location: "sql:db/account", label: "SQL table account" };

/** Events of one simulated run: `as(task, fn)` runs fn as that task. */
function events() {
  let task: string | undefined;
  const waits: Array<[string, LockWait]> = [];
  const granted: string[] = [];
  setLockWaits({ task: () => task, wait: (t, w) => waits.push([t, w]), granted: (t) => granted.push(t) });
  const as = <T>(name: string, fn: () => T): T => {
    task = name;
    try {
      return fn();
    } finally {
      task = undefined;
    }
  };
  return { waits, granted, as };
}

afterEach(() => void setLockWaits(null));

describe("LockTable", () => {
  it("a write lock held by another connection's transaction makes the statement wait; COMMIT grants it", () => {
    const locks = new LockTable();
    const { waits, granted, as } = events();
    const [c1, c2] = [{}, {}];
    const emitted: Access[] = [];
    as("t1", () => locks.request(c1, [row(1)], true, "SELECT … FOR UPDATE", (a) => emitted.push(a)));
    expect(waits).toEqual([]);
    as("t2", () => locks.request(c2, [row(1)], true, "SELECT … FOR UPDATE", (a) => emitted.push(a)));
    expect(waits).toEqual([["t2", { location: "sql:db/account(id=1)", label: "SQL row account(id=1)", holder: "t1", statement: "SELECT … FOR UPDATE" }]]);
    as("t1", () => locks.release(c1, "COMMIT", (a) => emitted.push(a)));
    expect(granted).toEqual(["t2"]);
    expect(emitted.map((a) => `${a.op} ${a.location}`)).toEqual(["acquire lock:sql:db/account(id=1)", "acquire lock:sql:db/account(id=1)", "release lock:sql:db/account(id=1)"]);
    // t2 now holds it (its transaction is open): t1 again would wait for t2.
    as("t1", () => locks.request(c1, [row(1)], false, "UPDATE", () => {}));
    expect(waits[1]?.[1].holder).toBe("t2");
  });

  it("shared locks do not wait for each other; a write waits for a shared one", () => {
    const locks = new LockTable();
    const { waits, as } = events();
    const [c1, c2, c3] = [{}, {}, {}];
    as("t1", () => locks.request(c1, [row(1, "read")], true, "FOR SHARE", () => {}));
    as("t2", () => locks.request(c2, [row(1, "read")], true, "FOR SHARE", () => {}));
    expect(waits).toEqual([]);
    as("t3", () => locks.request(c3, [row(1)], false, "UPDATE", () => {}));
    expect(waits.map(([t, w]) => `${t} ${w.holder}`)).toEqual(["t3 t1"]);
  });

  it("different rows never wait; a connection never waits for itself; autocommit keeps no lock", () => {
    const locks = new LockTable();
    const { waits, as } = events();
    const [c1, c2] = [{}, {}];
    as("t1", () => locks.request(c1, [row(1)], true, "UPDATE 1", () => {}));
    as("t1", () => locks.request(c1, [row(1)], true, "UPDATE 1 again", () => {}));
    as("t2", () => locks.request(c2, [row(2)], false, "UPDATE 2", () => {}));
    as("t2", () => locks.request(c2, [row(3)], false, "UPDATE 3 (autocommit)", () => {}));
    as("t1", () => locks.request(c1, [row(3)], false, "UPDATE 3", () => {}));
    expect(waits).toEqual([]);
  });

  it("a lock that is not precise (a table, rows a condition selects) never makes a wait, and is recorded as a write of what it covers", () => {
    const locks = new LockTable();
    const { waits, as } = events();
    const [c1, c2] = [{}, {}];
    const emitted: Access[] = [];
    as("t1", () => locks.request(c1, [table], true, "UPDATE account SET … WHERE balance > 0", (a) => emitted.push(a)));
    as("t2", () => locks.request(c2, [table], true, "UPDATE account SET … WHERE balance > 0", () => {}));
    expect(waits).toEqual([]);
    expect(emitted).toEqual([{ op: "write", location: "sql:db/account", label: "SQL table account", value: "UPDATE account SET … WHERE balance > 0" }]);
    expect(isPreciseLock(table)).toBe(false);
    expect(isPreciseLock({ op: "write", location: "sql:db/advisory(42)", label: "PostgreSQL advisory lock 42" })).toBe(true);
  });

  it("ROLLBACK of a waiter's own transaction drops its wait; reset forgets every lock", () => {
    const locks = new LockTable();
    const { waits, granted, as } = events();
    const [c1, c2] = [{}, {}];
    as("t1", () => locks.request(c1, [row(1)], true, "FOR UPDATE", () => {}));
    as("t2", () => locks.request(c2, [row(1)], true, "FOR UPDATE", () => {}));
    as("t2", () => locks.release(c2, "ROLLBACK", () => {}));
    as("t1", () => locks.release(c1, "COMMIT", () => {}));
    expect(granted).toEqual([]);
    as("t1", () => locks.request(c1, [row(2)], true, "FOR UPDATE", () => {}));
    locks.reset();
    as("t2", () => locks.request(c2, [row(2)], true, "FOR UPDATE", () => {}));
    expect(waits).toHaveLength(1);
  });
});
