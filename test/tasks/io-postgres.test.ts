// pg queries of task threads as SQL row and table accesses, against a private PostgreSQL cluster
// (test/helpers/postgres.ts, as test/tasks/postgres.test.ts uses it). The catalog (triggers, keys)
// is read on interlace's own connection, from a worker thread, outside the program's I/O.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explore } from "interlace";
import * as fixtures from "../../fixtures/io/pg.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

let server: PostgresServer;
let clients: fixtures.Pg;
const state = (): fixtures.Pg => clients;
const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

beforeAll(async () => {
  server = await startPostgres();
  clients = { c1: new pg.Client(server.url), c2: new pg.Client(server.url) };
  await Promise.all([clients.c1.connect(), clients.c2.connect()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([clients?.c1.end().catch(() => {}), clients?.c2.end().catch(() => {})]);
  server?.stop();
});

describe("pg in task threads (two Clients, one real server)", () => {
  it("lost update: found by DPOR, explained on the row with the statement", async () => {
    const result = await explore({ ...fixtures.lostUpdate(state), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 1 });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("SQL row account(id=1)");
    expect(result.explanation).toContain("UPDATE account SET balance = $1 WHERE id = $2");
  });

  it("lost update: the portfolio finds it on 20/20 seeds within 200 attempts", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore({ ...fixtures.lostUpdate(state), ...quick, seed, maxAttempts: 200 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
    }
  });

  it("check-then-insert: found by DPOR; the ON CONFLICT DO NOTHING twin holds and DPOR's search is complete", async () => {
    const bug = await explore({ ...fixtures.checkThenInsert(state), strategy: "dpor", ...quick });
    expect(bug.propertyHolds).toBe(false);
    const twin = await explore({ ...fixtures.onConflict(state), strategy: "dpor" });
    expect(twin.propertyHolds).toBe(true);
    expect(twin.unmodelled).toEqual([]);
    expect(twin.complete).toBe(true);
    expect(twin.numExplored).toBe(2);
  });

  it("two tasks updating different rows: 1 execution, complete (the catalog read changes nothing in the steps)", async () => {
    const result = await explore({ ...fixtures.differentRows(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(1);
  });

  it("a trigger on a that writes b, the race on b: DPOR finds it and names the trigger as not modelled", async () => {
    const result = await explore({ ...fixtures.trigger(state), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.unmodelled.flatMap((e) => e.examples).join("\n")).toContain("trigger a_counts on a not modelled");
  });

  it("an unparseable statement (NOTIFY) is a write of the outside world: never complete", async () => {
    const result = await explore({ ...fixtures.unparseable(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(false);
    expect(result.unmodelled.map((e) => e.origin)).toContain("pg");
  });
  it("SELECT … FOR UPDATE twin: t2 waiting for the row lock t1 holds (parked, idle in transaction) is blocked, t1 runs; holds, DPOR complete", async () => {
    const result = await explore({ ...fixtures.forUpdate(state, 10_000), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBeGreaterThanOrEqual(2);
  });

  it("SELECT … FOR UPDATE twin: random and PCT explore it to the end on 20/20 seeds (no E_TIMEOUT), the property holds", async () => {
    for (const strategy of ["random", "pct"] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const result = await explore({ ...fixtures.forUpdate(state, 10_000), strategy, seed, maxAttempts: 10 });
        expect(result.propertyHolds, `${strategy} seed ${seed}`).toBe(true);
        expect(result.numExplored, `${strategy} seed ${seed}`).toBe(10);
      }
    }
  }, 180_000);

  it("lock-order deadlock through SELECT … FOR UPDATE: reported with its wait-for cycle", async () => {
    const result = await explore({ ...fixtures.lockOrder(state), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample!.failure.kind).toBe("deadlock");
    expect(result.counterexample!.failure.message).toMatch(/Cycle: t[12] waits for SQL row account\(id=[12]\) \(held by t[12]\), t[12] waits for SQL row account\(id=[12]\) \(held by t[12]\)/);
    // The next test starts at once: the ended runs waited for PostgreSQL's own deadlock check to
    // end their transactions (run-tasks.ts, LOCK_SETTLE_MS); the same scenario explores the same again.
    const again = await explore({ ...fixtures.lockOrder(state), strategy: "dpor", ...quick });
    expect(again.numExplored).toBe(result.numExplored);
  });

  it("a session advisory lock (not modelled): t2's wait stalls while t1 is parked, t1 runs (the stall rule); holds, never complete", async () => {
    const result = await explore({ ...fixtures.sessionAdvisory(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(false);
    const waits = result.unmodelled.find((e) => e.origin === "external wait");
    expect(waits?.examples.join("\n")).toMatch(/waited 1000 ms for a TCP reply while another task was parked/);
  }, 120_000);
});
