// Process threads over a real PostgreSQL server (a private cluster on a random 127.0.0.1 port,
// test/helpers/postgres.ts): each process has a pg Client of its own, and its queries are the SQL
// row accesses of the pg driver (src/io/drivers/pg.ts), wrapped in the process by its io hooks
// (src/io/drivers/patch.ts). Its own file: the server outlives every test, so the per-test leak
// check of io-processes.test.ts would count it.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineScenario, explore, thread } from "interlace";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

const quick = { reproduceOnFailure: 0, shrinkBudget: 0 } as const;

describe("process threads over PostgreSQL (a pg Client per process, a private cluster)", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());
  const module = new URL("../../fixtures/io/processes/pg-deposit.mjs", import.meta.url);
  const scenario = (fn: "deposit" | "increment") =>
    defineScenario({
      setup: async () => {
        const c = new pg.Client(server.url);
        await c.connect();
        await c.query("DROP TABLE IF EXISTS account; CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL); INSERT INTO account VALUES (1, 100)");
        await c.end();
        return { url: server.url };
      },
      threads: { p1: thread.process(module, fn, [10]), p2: thread.process(module, fn, [20]) },
      invariant: async (s: { url: string }) => {
        const c = new pg.Client(s.url);
        await c.connect();
        const { rows } = await c.query<{ balance: number }>("SELECT balance FROM account WHERE id = 1");
        await c.end();
        return rows[0]!.balance === 130;
      },
    });

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
});
