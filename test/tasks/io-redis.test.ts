// ioredis commands of task threads as Redis key accesses (src/io/drivers/redis.ts), against a private
// redis-server (test/helpers/redis.ts): DPOR finds the GET/SET lost update and proves its INCR and
// WATCH/MULTI/EXEC twins, prunes different keys, and never calls a search complete when a script
// reaches keys it does not declare.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explore } from "interlace";
import { unmodelledAdvice } from "../../src/explore/unmodelled.js";
import * as fixtures from "../../fixtures/io/redis.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

let server: RedisServer | undefined;
let clients: fixtures.Clients | undefined;
/** Clients with `enableAutoPipelining` (commands of one tick written together, from a `process.nextTick`). */
let pipelining: fixtures.Clients | undefined;
/** Clients made by a setup, never connected before the tasks' first commands. */
const fresh: Redis[] = [];
const state = (): fixtures.Clients => clients!;
const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

beforeAll(async () => {
  server = await startRedis();
  const options = { host: "127.0.0.1", port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 };
  clients = { r1: new Redis(options), r2: new Redis(options) };
  pipelining = { r1: new Redis({ ...options, enableAutoPipelining: true }), r2: new Redis({ ...options, enableAutoPipelining: true }) };
  await Promise.all([clients, pipelining].flatMap((c) => [c.r1.connect(), c.r2.connect()]));
}, 30_000);

afterAll(async () => {
  for (const c of [clients, pipelining]) {
    c?.r1.disconnect();
    c?.r2.disconnect();
  }
  for (const r of fresh) r.disconnect();
  server?.stop();
});

describe("ioredis in task threads (one real redis-server)", () => {
  it("GET/SET lost update: found by DPOR, explained on the key with the command, reproduced 5/5", async () => {
    const result = await explore({ ...fixtures.lostUpdate(state), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 5 });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("Classification: lost update");
    expect(result.explanation).toContain("Read-write conflict: thread t1 read Redis key stock:42 (step 1: GET stock:42)");
    expect(result.explanation).toContain("SET stock:42 1");
    expect(result.explanation).toContain("Reproduced 5/5 times");
  });

  it("GET then SET of one key by both tasks: DPOR explores exactly 4 executions (the two GETs commute) and is complete", async () => {
    const result = await explore({ ...fixtures.lostUpdateAll(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(4);
  });

  it("GET/SET lost update on one shared client: found by DPOR", async () => {
    const result = await explore({ ...fixtures.lostUpdate(state, true), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
  });

  it("GET/SET lost update: the portfolio finds it on 20/20 seeds within 200 attempts", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore({ ...fixtures.lostUpdate(state), ...quick, seed, maxAttempts: 200 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
      expect(result.numExplored, `seed ${seed}`).toBeLessThanOrEqual(10); // 2–5 attempts on seeds 1–20 when written
    }
  });

  it("the INCR twin holds and DPOR's search is complete: 2 executions (one key written by both)", async () => {
    const result = await explore({ ...fixtures.incremented(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("the WATCH/MULTI/EXEC twin (retried while EXEC is aborted) holds and DPOR's search is complete: 6 executions", async () => {
    const result = await explore({ ...fixtures.watchMulti(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(6);
  });

  it("INCR in a pipeline, recorded at exec(): holds, complete, 2 executions", async () => {
    const result = await explore({ ...fixtures.pipeline(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("two tasks on different keys: 1 execution, complete (setup's FLUSHDB is not a step)", async () => {
    const result = await explore({ ...fixtures.differentKeys(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(1);
  });

  it("MULTI sent on the connection (multi({ pipeline: false })), INCR queued, EXEC: holds, complete, 2 executions", async () => {
    const result = await explore({ ...fixtures.multiOnConnection(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("SELECT: one key name in databases 0 and 1 holds, complete (SELECT writes both databases: 3 executions, not 1)", async () => {
    const result = await explore({ ...fixtures.otherDatabase(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(3);
  });

  it("enableAutoPipelining: every command still completes within its step (lost update found, INCR twin complete in 2 executions)", async () => {
    const auto = (): fixtures.Clients => pipelining!;
    const bug = await explore({ ...fixtures.lostUpdate(auto), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 3 });
    expect(bug.propertyHolds).toBe(false);
    expect(bug.explanation).toContain("Reproduced 3/3 times");
    const twin = await explore({ ...fixtures.incremented(auto), strategy: "dpor" });
    expect(twin.propertyHolds).toBe(true);
    expect(twin.complete).toBe(true);
    expect(twin.numExplored).toBe(2);
  });

  it("clients not connected yet (ioredis's offline queue, connected by the first command): the lost update is found", async () => {
    const make = (): fixtures.Clients => {
      const options = { host: "127.0.0.1", port: server!.port, maxRetriesPerRequest: 1 };
      const s = { r1: new Redis(options), r2: new Redis(options) };
      fresh.push(s.r1, s.r2);
      return s;
    };
    const reset = async (): Promise<void> => {
      await clients!.r1.flushdb();
      await clients!.r1.set(fixtures.KEY, 0);
    };
    const result = await explore({ ...fixtures.lazyClients(make, reset), strategy: "dpor" });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("Classification: lost update");
  });

  it("keyPrefix and mset({ … }): recorded as the key sent (app:stock:42, the key another client increments): 2 executions", async () => {
    const prefixed = new Redis({ host: "127.0.0.1", port: server!.port, keyPrefix: "app:" });
    fresh.push(prefixed);
    const result = await explore({ ...fixtures.prefixedKey(() => ({ r1: prefixed, r2: clients!.r2 })), strategy: "dpor" });
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("a Lua script that increments a key it does not declare (EVAL … 0): the race is found, the search never complete, the advice names no package to trace", async () => {
    const result = await explore({ ...fixtures.undeclared(state), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.complete).toBe(false);
    expect(result.unmodelled[0]).toMatchObject({ origin: "ioredis", resource: true });
    expect(result.unmodelled[0]!.examples[0]).toMatch(/^Redis command not modelled: EVAL/);
    expect(unmodelledAdvice(result.unmodelled)).toContain("could not be modelled");
    expect(unmodelledAdvice(result.unmodelled)).not.toContain("trace");
  });

  it("the same script with its key declared (EVAL … 1 stock:42): a write of the key, the race found with the search's accesses all modelled", async () => {
    const result = await explore({ ...fixtures.declared(state), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.unmodelled).toEqual([]);
  });
});
