// Process threads over a real PostgreSQL server (a private cluster on a random 127.0.0.1 port,
// test/helpers/postgres.ts): each process has a pg Client of its own, and its queries are the SQL
// row accesses of the pg driver (src/io/drivers/pg.ts), wrapped in the process by its io hooks
// (src/io/drivers/patch.ts). Its own file: the server outlives every test, so the per-test leak
// check of io-processes.test.ts would count it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineScenario, explore, thread } from "interlace";
import { pgProcessScenarios } from "../../fixtures/io/processes/pg-scenarios.mjs";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;
/** Seeds of the random and PCT sweeps: `npm run test:sweeps` runs 20. */
const SEEDS = process.env.INTERLACE_FULL_SWEEPS === "1" ? 20 : 3;

describe("process threads over PostgreSQL (a pg Client per process, a private cluster)", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());
  const scenario = (fn: "deposit" | "increment" | "depositLocked" | "lockBoth" | "depositAdvisory" | "checkThenInsert" | "onConflict") => pgProcessScenarios({ defineScenario, thread }, server.url)[fn]();

  it("lost update: DPOR finds it at io granularity, explained on the SQL row with the statements", async () => {
    const result = await explore(scenario("deposit"), { strategy: "dpor", granularity: "io", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("SQL row account(id=1)");
    expect(result.explanation).toContain("UPDATE account SET balance = $1 WHERE id = $2");
  });

  it("the UPDATE … SET balance = balance + $1 twin holds; DPOR's search is complete", async () => {
    const result = await explore(scenario("increment"), { strategy: "dpor", granularity: "io" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
  });

  it("lost update: random and PCT find it on every seed within 200 attempts", async () => {
    for (const strategy of ["random", "pct"] as const) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const result = await explore(scenario("deposit"), { strategy, seed, maxAttempts: 200, ...quick });
        expect(result.propertyHolds, `${strategy} seed ${seed}`).toBe(false);
      }
    }
  }, 240_000);

  it("check-then-insert (SELECT by email, then INSERT): DPOR finds the duplicate, explained on the table; the ON CONFLICT twin is complete", async () => {
    const found = await explore(scenario("checkThenInsert"), { strategy: "dpor", ...quick });
    expect(found.propertyHolds).toBe(false);
    expect(found.explanation).toMatch(/SQL table member/);
    expect(found.explanation).toContain("INSERT INTO member (email) VALUES ($1)");
    const twin = await explore(scenario("onConflict"), { strategy: "dpor" });
    expect(twin).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [] });
  }, 120_000);

  // A process whose statement waits for a row lock another (parked) process's transaction holds
  // stops at the statement's lock gate; the holder runs. Without the gate, the waiter never came
  // back to a decision (its reply could not come): E_TIMEOUT.
  it("the SELECT … FOR UPDATE twin holds; DPOR's search is complete, and the waiter is held at its lock gate (io and statement granularity)", async () => {
    for (const granularity of ["io", "statements"] as const) {
      const result = await explore(scenario("depositLocked"), { strategy: "dpor", granularity, timeout: 5000 });
      expect(result, granularity).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [] });
      expect(result.numExplored, granularity).toBeGreaterThan(1);
    }
  }, 120_000);

  it("the FOR UPDATE twin: random and PCT run every attempt to the end (no E_TIMEOUT) on every seed", async () => {
    for (const strategy of ["random", "pct"] as const) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const result = await explore(scenario("depositLocked"), { strategy, seed, maxAttempts: 10, granularity: "io", timeout: 5000 });
        expect(result.propertyHolds, `${strategy} seed ${seed}`).toBe(true);
        expect(result.numExplored, `${strategy} seed ${seed}`).toBe(10);
      }
    }
  }, 240_000);

  // interlaceIoLockGate's `wanted` local was not used after its `debugger` statement; late in a long
  // search (after ~150 runs of the reused processes) the controller read it as undefined, the lock
  // gate became a plain gate, and the exhaustive search stopped with "exploration diverged". This
  // search failed so on every try before the fix (bench/io-dpor.mjs found it).
  it("a long exhaustive search of the FOR UPDATE twin (250 runs of the reused processes) never diverges: every lock gate stays one", async () => {
    const result = await explore(scenario("depositLocked"), { strategy: "exhaustive", maxAttempts: 250, granularity: "io", timeout: 5000 });
    expect(result).toMatchObject({ propertyHolds: true, numExplored: 250, unmodelled: [] });
  }, 240_000);

  it("lock-order deadlock between two processes through SELECT … FOR UPDATE: reported with its wait-for cycle", async () => {
    const result = await explore(scenario("lockBoth"), { strategy: "dpor", granularity: "io", timeout: 5000, ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample!.failure.kind).toBe("deadlock");
    expect(result.counterexample!.failure.message).toMatch(/Cycle: p[12] waits for SQL row account\(id=[12]\) \(held by p[12]\), p[12] waits for SQL row account\(id=[12]\) \(held by p[12]\)/);
  }, 120_000);

  // A wait interlace does not model (a session advisory lock): the waiting process answers no pause
  // request for 1 s while the holder waits at a decision, so it counts as blocked and the holder
  // runs (the stall rule). Before, the exploration ended in E_TIMEOUT.
  it("a session advisory lock (not modelled): the waiter stalls, the holder runs; holds, never complete, the stall named", async () => {
    // 22 executions to the end (12 stalls); the first 6 show it.
    const result = await explore(scenario("depositAdvisory"), { strategy: "dpor", granularity: "io", timeout: 10_000, maxExecutions: 6 });
    expect(result.propertyHolds).toBe(true);
    expect(result.numExplored).toBe(6);
    expect(result.complete).toBe(false);
    const waits = result.unmodelled.find((e) => e.origin === "external wait");
    expect(waits?.examples.join("\n")).toMatch(/p[12] made no progress for 1000 ms while p[12] waited/);
  }, 180_000);
});
