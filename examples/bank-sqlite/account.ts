// One server instance handling a deposit: read the balance, add, write it back.
// Run in two child processes at once, this is the classic lost update between two servers.
import Database from "better-sqlite3";

export interface Shared {
  dbPath: string;
}

export function deposit(shared: Shared, amount: number): void {
  const db = new Database(shared.dbPath);
  try {
    const row = db.prepare("SELECT balance FROM accounts WHERE id = 1").get() as { balance: number }; // interlace: read_balance
    const next = row.balance + amount;
    // interlace: write_balance
    db.prepare("UPDATE accounts SET balance = ? WHERE id = 1").run(next);
  } finally {
    db.close();
  }
}
