// node-redis (`redis`, `createClient`) commands of task threads as Redis key accesses
// (src/io/drivers/node-redis.ts), against a private redis-server (test/helpers/redis.ts): DPOR finds
// the GET/SET lost update and proves its INCR and WATCH/MULTI/EXEC twins, prunes different keys, never
// calls a search complete when a command reaches what it does not declare, and an ioredis client and
// a node-redis client conflict on one key.
import { createClient, defineScript, type CommandParser } from "redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explore } from "interlace";
import { unmodelledAdvice } from "../../src/explore/unmodelled.js";
import * as fixtures from "../../fixtures/io/node-redis.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

let server: RedisServer | undefined;
let clients: fixtures.Clients | undefined;
let io: Redis | undefined;
const state = (): fixtures.Clients => clients!;
const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

function client(url: string): fixtures.NodeRedis {
  const c = createClient({ url });
  c.on("error", () => {}); // a connection error fails the command awaiting it, not the process
  return c;
}

beforeAll(async () => {
  server = await startRedis();
  clients = { r1: client(server.url), r2: client(server.url) };
  io = new Redis({ host: "127.0.0.1", port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await Promise.all([clients.r1.connect(), clients.r2.connect(), io.connect()]);
}, 30_000);

afterAll(async () => {
  for (const c of [clients?.r1, clients?.r2]) if (c?.isOpen) c.destroy();
  io?.disconnect();
  server?.stop();
});

describe("node-redis in task threads (one real redis-server)", () => {
  it("GET/SET lost update: found by DPOR, explained on the key with the command, reproduced 5/5", async () => {
    const result = await explore({ ...fixtures.lostUpdate(state), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 5 });
    expect(result.propertyHolds).toBe(false);
    expect(result.explanation).toContain("Classification: lost update");
    expect(result.explanation).toContain("Read-write conflict: thread t1 read Redis key stock:42 (step 1: GET stock:42)");
    expect(result.explanation).toContain("SET stock:42 1");
    expect(result.explanation).toContain("Reproduced 5/5 times");
  });

  it("not a false green: the lost update is found by DPOR and its INCR twin is complete in 2 executions (recording nothing would give 'holds, complete, 1' on both)", async () => {
    const bug = await explore({ ...fixtures.lostUpdate(state), strategy: "dpor", ...quick });
    expect(bug.propertyHolds).toBe(false);
    expect(bug.unmodelled).toEqual([]);
    const twin = await explore({ ...fixtures.incremented(state), strategy: "dpor" });
    expect(twin.propertyHolds).toBe(true);
    expect(twin.unmodelled).toEqual([]);
    expect(twin.complete).toBe(true);
    expect(twin.numExplored).toBe(2);
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
    expect(result.unmodelled).toEqual([]);
  });

  it("GET/SET lost update: the portfolio finds it on 20/20 seeds within 200 attempts (2–5 attempts each)", async () => {
    const counts: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore({ ...fixtures.lostUpdate(state), ...quick, seed, maxAttempts: 200 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
      counts.push(result.numExplored);
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(10); // 2–5 attempts on seeds 1–20 when written
  });

  it("the INCR twin holds and DPOR's search is complete: 2 executions (one key written by both)", async () => {
    const result = await explore({ ...fixtures.incremented(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("INCR as sendCommand([...]): holds, complete, 2 executions", async () => {
    const result = await explore({ ...fixtures.sendCommand(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("the WATCH/MULTI/EXEC twin (retried while EXEC is aborted by WATCH) holds and DPOR's search is complete: 6 executions", async () => {
    const result = await explore({ ...fixtures.watchMulti(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(6);
  });

  it("INCR in multi()…execAsPipeline(), recorded when sent: holds, complete, 2 executions", async () => {
    const result = await explore({ ...fixtures.pipeline(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(2);
  });

  it("two tasks on different keys: 1 execution, complete (setup's FLUSHDB is not a step)", async () => {
    const result = await explore({ ...fixtures.differentKeys(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.unmodelled).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(1);
  });

  it("SELECT: one key name in databases 0 and 1 holds, complete (SELECT writes both databases: 3 executions, not 1)", async () => {
    const result = await explore({ ...fixtures.otherDatabase(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(true);
    expect(result.numExplored).toBe(3);
  });

  it("a script of createClient({ scripts }) declaring its key (EVALSHA … 1 stock:42): holds, complete, 2 executions", async () => {
    const scripts = {
      incrKey: defineScript({
        SCRIPT: "return redis.call('INCR', KEYS[1])",
        NUMBER_OF_KEYS: 1,
        parseCommand: (parser: CommandParser, key: string) => parser.pushKey(key),
        transformReply: (reply: unknown) => reply as number,
      }),
    };
    const made = [createClient({ url: server!.url, scripts }), createClient({ url: server!.url, scripts })];
    try {
      await Promise.all(made.map((c) => c.connect()));
      const pair = { r1: made[0], r2: made[1] } as unknown as fixtures.Clients;
      const result = await explore({ ...fixtures.script(() => pair), strategy: "dpor" });
      expect(result.propertyHolds).toBe(true);
      expect(result.unmodelled).toEqual([]);
      expect(result.complete).toBe(true);
      expect(result.numExplored).toBe(2);
    } finally {
      for (const c of made) if (c.isOpen) c.destroy();
    }
  });

  it("a Lua script that increments a key it does not declare (EVAL … 0): the race is found, the search never complete, unmodelled names @redis/client", async () => {
    const result = await explore({ ...fixtures.undeclared(state), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.complete).toBe(false);
    expect(result.unmodelled[0]).toMatchObject({ origin: "@redis/client", resource: true });
    expect(result.unmodelled[0]!.examples[0]).toMatch(/^Redis command not modelled: EVAL/);
    expect(unmodelledAdvice(result.unmodelled)).toContain("could not be modelled");
    expect(unmodelledAdvice(result.unmodelled)).not.toContain("trace");
  });

  it("the same script with its key declared (eval(…, { keys: [stock:42] })): a write of the key, the race found with every access modelled", async () => {
    const result = await explore({ ...fixtures.declared(state), strategy: "dpor", ...quick });
    expect(result.propertyHolds).toBe(false);
    expect(result.unmodelled).toEqual([]);
  });

  it("FLUSHALL against INCR: never complete (2 executions explored), unmodelled names @redis/client", async () => {
    const result = await explore({ ...fixtures.flushed(state), strategy: "dpor" });
    expect(result.propertyHolds).toBe(true);
    expect(result.complete).toBe(false);
    expect(result.numExplored).toBe(2);
    expect(result.unmodelled).toMatchObject([{ origin: "@redis/client", resource: true, examples: ["Redis command not modelled: FLUSHALL"] }]);
  });

  it("an ioredis client and a node-redis client on one key: the lost update is found by DPOR, both drivers naming Redis key stock:42", async () => {
    const result = await explore({ ...fixtures.mixedLostUpdate(() => ({ io: io!, nr: clients!.r2 })), strategy: "dpor", shrinkBudget: 0, reproduceOnFailure: 3 });
    expect(result.propertyHolds).toBe(false);
    expect(result.unmodelled).toEqual([]);
    expect(result.explanation).toContain("Classification: lost update");
    expect(result.explanation).toMatch(/Read-write conflict: thread (io|nr) read Redis key stock:42 \(step \d+: GET stock:42\) and thread (io|nr) wrote it/);
    expect(result.explanation).toContain("Reproduced 3/3 times");
  });
});
