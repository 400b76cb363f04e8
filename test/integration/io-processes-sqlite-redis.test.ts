// Process threads over a real SQLite file (better-sqlite3) and a real Redis server (ioredis, a
// private redis-server on a random 127.0.0.1 port, test/helpers/redis.ts): each process opens a
// connection of its own, and its statements and commands are the SQL row and Redis key accesses
// of the task drivers (src/io/drivers/sqlite.ts, redis.ts), wrapped in the process by its io hooks
// (src/io/drivers/patch-drivers.ts). Process threads run at io granularity by default. Its own
// file: the Redis server outlives every test, so the per-test leak check of io-processes.test.ts
// would count it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineScenario, explore, thread } from "interlace";
import { sqliteProcessScenarios } from "../../fixtures/io/processes/sqlite-scenarios.mjs";
import { redisProcessScenarios } from "../../fixtures/io/processes/redis-scenarios.mjs";
import { startRedis, type RedisServer } from "../helpers/redis.js";

const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;
/** Seeds of the random and PCT sweeps: `npm run test:sweeps` runs 20. */
const SEEDS = process.env.INTERLACE_FULL_SWEEPS === "1" ? 20 : 3;

/** Random and PCT find the bug on every seed within 200 attempts; returns the attempts each needed. */
async function sweep(make: () => Parameters<typeof explore>[0]): Promise<Record<string, number[]>> {
  const attempts: Record<string, number[]> = { random: [], pct: [] };
  for (const strategy of ["random", "pct"] as const) {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await explore(make(), { strategy, seed, maxAttempts: 200, ...quick });
      expect(result.propertyHolds, `${strategy} seed ${seed}`).toBe(false);
      attempts[strategy]!.push(result.numExplored);
    }
  }
  return attempts;
}

describe("process threads over one SQLite file (better-sqlite3, a connection per process)", () => {
  const scenario = (fn: "bump" | "increment" | "ownRows" | "backup" | "transaction" | "holdingLock" | "initOnce") => sqliteProcessScenarios({ defineScenario, thread })[fn]();

  it("lost update (SELECT, await, UPDATE from the value read): DPOR finds it in 2 executions, explained on the SQL row with the statements", async () => {
    const result = await explore(scenario("bump"), { strategy: "dpor", ...quick });
    expect(result.granularity).toEqual({ value: "io", chosen: true });
    expect(result.propertyHolds).toBe(false);
    expect(result.numExplored).toBe(2);
    expect(result.explanation).toContain("lost update");
    expect(result.explanation).toContain("SQL row counter(id=1)");
    expect(result.explanation).toContain("UPDATE counter SET n = ? WHERE id = ?");
    // A connection's own settings (PRAGMA busy_timeout) are no conflict.
    expect(result.explanation).not.toContain("SQLite PRAGMA busy_timeout");
  });

  it("the UPDATE … SET n = n + 1 twin holds: complete, 2 executions (the two orders of the row's writes)", async () => {
    const result = await explore(scenario("increment"), { strategy: "dpor" });
    expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [], numExplored: 2 });
  });

  // SQLite's write lock is a lock for process threads: a statement that needs it while the other
  // process's transaction keeps it waits at its lock gate, and the holder runs. Without the gate,
  // the waiter sat in better-sqlite3's busy wait, the stall rule let the holder run, and the search
  // was never complete.
  it("the db.transaction(…).immediate() twin holds: complete, the second BEGIN IMMEDIATE held at its lock gate", async () => {
    const result = await explore(scenario("transaction"), { strategy: "dpor" });
    expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [] });
  });

  it("BEGIN IMMEDIATE … await … COMMIT (the write lock kept across an await): holds, complete, no stall", async () => {
    for (const strategy of ["dpor", "random"] as const) {
      const result = await explore(scenario("holdingLock"), { strategy, seed: 1, maxAttempts: 10 });
      expect(result, strategy).toMatchObject({ propertyHolds: true, unmodelled: [] });
      if (strategy === "dpor") expect(result.complete).toBe(true);
    }
  }, 120_000);

  it("exactness: two processes bumping different rows of one table → 1 execution, complete", async () => {
    const result = await explore(scenario("ownRows"), { strategy: "dpor" });
    expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [], numExplored: 1 });
  });

  it("db.backup(…) is not modelled: DPOR orders it against everything and never calls the search complete", async () => {
    const result = await explore(scenario("backup"), { strategy: "dpor", maxExecutions: 50 });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(false);
    expect(result.numExplored).toBeGreaterThan(1);
    expect(result.unmodelled.map((e) => e.origin)).toContain("better-sqlite3");
    expect(result.unmodelled.flatMap((e) => e.examples).join("\n")).toContain("Database#backup");
  }, 120_000);

  // Opening a database file that does not exist creates it: a write of the file. Without it, the
  // other process's existsSync was independent of the open, and DPOR said "holds, complete" in 1.
  it("create on first use (existsSync, then new Database + CREATE TABLE): DPOR finds the second CREATE failing", async () => {
    const result = await explore(scenario("initOnce"), { strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample!.failure.kind).toBe("exception");
    expect(result.counterexample!.failure.message).toContain("already exists");
  });

  it("lost update: random and PCT find it on every seed within 200 attempts", async () => {
    const attempts = await sweep(() => scenario("bump"));
    console.log("attempts to find the SQLite lost update:", JSON.stringify(attempts));
  }, 240_000);
});

// node-redis sends its commands from a `setImmediate`, after the command method returned: before
// its process classes were wrapped, only the socket carried them, and `Socket#write` (inherited
// from `stream.Writable`) was never wrapped, so DPOR saw two connects and called the lost update
// "holds, complete" after 2 executions. The same scenarios run with either client.
for (const client of ["ioredis", "node-redis"] as const) {
  describe(`process threads over one Redis server (${client}, a client per process, a private redis-server)`, () => {
    let server: RedisServer;
    beforeAll(async () => {
      server = await startRedis();
    }, 30_000);
    afterAll(() => server?.stop());
    const scenario = (fn: "bump" | "increment" | "watched" | "ownKeys") => redisProcessScenarios({ defineScenario, thread }, server.url, client)[fn]();

    it("GET/SET lost update: DPOR finds it in 2 executions, explained on the Redis key with the commands", async () => {
      const result = await explore(scenario("bump"), { strategy: "dpor", ...quick });
      expect(result.propertyHolds).toBe(false);
      expect(result.numExplored).toBe(2);
      expect(result.unmodelled).toEqual([]);
      expect(result.explanation).toContain("Redis key stock:42");
      expect(result.explanation).toContain("GET stock:42");
      expect(result.explanation).toContain("SET stock:42 1");
      // Two clients connecting are sessions (reads of the endpoint), not a conflict.
      expect(result.explanation).not.toMatch(/conflict: threads p[12] and p[12] both wrote endpoint/);
    });

    it("the INCR twin holds: complete, 2 executions (the client's own socket writes record nothing more)", async () => {
      const result = await explore(scenario("increment"), { strategy: "dpor" });
      expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [], numExplored: 2 });
    });

    it("the WATCH/MULTI/EXEC twin holds (EXEC aborted and retried where the other process wrote): complete, 6 executions", async () => {
      const result = await explore(scenario("watched"), { strategy: "dpor" });
      expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [], numExplored: 6 });
    }, 120_000);

    it("exactness: two processes incrementing different keys → 1 execution, complete", async () => {
      const result = await explore(scenario("ownKeys"), { strategy: "dpor" });
      expect(result).toMatchObject({ propertyHolds: true, complete: true, unmodelled: [], numExplored: 1 });
    });

    it("lost update: random and PCT find it on every seed within 200 attempts", async () => {
      const attempts = await sweep(() => scenario("bump"));
      console.log(`attempts to find the ${client} lost update:`, JSON.stringify(attempts));
    }, 240_000);

    // A client interlace does not model: RESP on a plain socket. Its writes are writes of the
    // server's endpoint, so the commands of the two processes are ordered both ways.
    if (client === "node-redis") {
      it("a hand-written client (RESP on net.Socket#write): DPOR still finds the lost update, ordering the socket writes", async () => {
        const result = await explore(redisProcessScenarios({ defineScenario, thread }, server.url, "raw").bump(), { strategy: "dpor", ...quick });
        expect(result.propertyHolds).toBe(false);
        expect(result.explanation).toMatch(/write to 127\.0\.0\.1:\d+: "\*2\\r\\n\$3\\r\\nGET/);
      });

      it("the hand-written client's socket, opened while an ioredis client's announced connect is pending, is not taken for that session", async () => {
        const result = await explore(redisProcessScenarios({ defineScenario, thread }, server.url, "raw").bumpBesideClient(), { strategy: "dpor", ...quick });
        expect(result.propertyHolds).toBe(false);
        expect(result.explanation).toMatch(/write to 127\.0\.0\.1:\d+: "\*2\\r\\n\$3\\r\\nGET/);
      });
    }
  });
}
