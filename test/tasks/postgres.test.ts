// Task threads whose I/O is a real PostgreSQL server (a private cluster started for this file).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TraceExecutor } from "interlace";
import { deposit } from "../../fixtures/tasks/pg-account.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

let server: PostgresServer;
let clients: pg.Client[] = [];

beforeAll(async () => {
  server = await startPostgres();
  clients = [new pg.Client(server.url), new pg.Client(server.url)];
  await Promise.all(clients.map((c) => c.connect()));
  await clients[0]!.query("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  server?.stop();
});

async function balanceAfter(schedule: string): Promise<number> {
  const [c1, c2] = clients as [pg.Client, pg.Client];
  await c1.query("DELETE FROM account; INSERT INTO account VALUES (1, 100)");
  await new TraceExecutor(schedule).run({ t1: () => deposit(c1, 10), t2: () => deposit(c2, 20) });
  const { rows } = await c1.query<{ balance: number }>("SELECT balance FROM account WHERE id = 1");
  return rows[0]!.balance;
}

describe("task threads over real PostgreSQL queries (two connections)", () => {
  it("forces the lost update, and the serial order keeps both deposits, 100/100 each", async () => {
    const lost = new Set<number>();
    const serial = new Set<number>();
    for (let i = 0; i < 100; i++) {
      lost.add(await balanceAfter("t1:pg_read t2:pg_read t1:pg_write t2:pg_write"));
      serial.add(await balanceAfter("t1:pg_read t1:pg_write t2:pg_read t2:pg_write"));
    }
    expect([...lost]).toEqual([120]);
    expect([...serial]).toEqual([130]);
  });
});
