// Two processes deposit 50 each into a SQLite account holding 100; the balance must end at 200.
//
//   npx interlace run examples/bank-sqlite/scenario.ts \
//     --schedule "p1:read_balance p2:read_balance p1:write_balance p2:write_balance"
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { defineScenario, thread } from "interlace";

const account = new URL("./account.ts", import.meta.url);

function balanceOf(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT balance FROM accounts WHERE id = 1").get() as { balance: number }).balance;
  } finally {
    db.close();
  }
}

export default defineScenario({
  setup: () => {
    const dir = mkdtempSync(join(tmpdir(), "interlace-bank-"));
    const dbPath = join(dir, "bank.db");
    const db = new Database(dbPath);
    db.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
    db.prepare("INSERT INTO accounts (id, balance) VALUES (1, 100)").run();
    db.close();
    return { dir, dbPath };
  },
  threads: {
    p1: thread.process(account, "deposit", [50]),
    p2: thread.process(account, "deposit", [50]),
  },
  invariant: ({ dbPath }) => {
    const balance = balanceOf(dbPath);
    if (balance !== 200) throw new Error(`balance is ${balance}, expected 200`);
  },
  teardown: ({ dir }) => rmSync(dir, { recursive: true, force: true }),
});
