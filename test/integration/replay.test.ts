/**
 * Determinism, proven by replaying: each forced interleaving of the bank examples gives the same
 * outcome and the same trace on every replay (`npm test`: 20 for a racy schedule of workers, 10 of
 * processes; `npm run test:sweeps`: 50 and 30; fewer for serial ones), for worker threads
 * (TypeScript through tsx, a SharedArrayBuffer) and for child processes (a real SQLite file
 * through better-sqlite3).
 */
import { describe, expect, it } from "vitest";
import { TraceExecutor, defineScenario, type RunResult } from "interlace";
import Database from "better-sqlite3";
import bankWorkers from "../../examples/bank/scenario.js";
import bankProcesses from "../../examples/bank-sqlite/scenario.js";

/**
 * Replays of each racy schedule; the serial ones, which fail in no interleaving, get fewer, and
 * child processes (a fresh pair and a SQLite file per run, ~1 s) fewer than workers.
 */
const FULL = process.env.INTERLACE_FULL_SWEEPS === "1";
const RUNS = FULL ? 50 : 20;
const SERIAL_RUNS = FULL ? 20 : 8;
const PROCESS_RUNS = FULL ? 30 : 10;
const PROCESS_SERIAL_RUNS = FULL ? 10 : 5;

/** Everything observable about a run except timings. */
function fingerprint(result: RunResult, outcome: unknown): string {
  return JSON.stringify({
    holds: result.invariantHolds,
    failure: result.invariantFailure,
    outcome,
    trace: result.trace.map((t) => [t.index, String(t.step), t.where?.file, t.where?.line, t.where?.column]),
    warnings: result.warnings,
  });
}

describe("bank with worker threads (examples/bank)", () => {
  it.each([
    ["lost update", "t1:read_balance t2:read_balance t1:write_balance t2:write_balance", 150, false, RUNS],
    ["serial", "t1:read_balance t1:write_balance t2:read_balance t2:write_balance", 200, true, SERIAL_RUNS],
    ["serial, t2 first", "t2:read_balance t2:write_balance t1:read_balance t1:write_balance", 200, true, SERIAL_RUNS],
  ])(`%s replays identically (all runs alike)`, async (_name, schedule, balance, holds, runs) => {
    const prints = new Set<string>();
    for (let i = 0; i < runs; i++) {
      const result = await new TraceExecutor(schedule).run(bankWorkers);
      expect(result.state.balance[0]).toBe(balance);
      expect(result.invariantHolds).toBe(holds);
      prints.add(fingerprint(result, result.state.balance[0]));
    }
    expect(prints.size).toBe(1);
  }, 180_000);
});

describe("bank with child processes and SQLite (examples/bank-sqlite)", () => {
  /** The example's scenario, with the final balance captured before teardown deletes the file. */
  function withBalance() {
    const seen: number[] = [];
    const scenario = defineScenario({
      ...bankProcesses,
      invariant: (s) => {
        const db = new Database(s.dbPath, { readonly: true });
        seen.push((db.prepare("SELECT balance FROM accounts WHERE id = 1").get() as { balance: number }).balance);
        db.close();
        return bankProcesses.invariant!(s, {});
      },
    });
    return { scenario, seen };
  }

  it.each([
    ["lost update", "p1:read_balance p2:read_balance p1:write_balance p2:write_balance", 150, false, PROCESS_RUNS],
    ["serial", "p1:read_balance p1:write_balance p2:read_balance p2:write_balance", 200, true, PROCESS_SERIAL_RUNS],
  ])(`%s replays identically (all runs alike)`, async (_name, schedule, balance, holds, runs) => {
    const { scenario, seen } = withBalance();
    const prints = new Set<string>();
    for (let i = 0; i < runs; i++) {
      const result = await new TraceExecutor(schedule).run(scenario);
      expect(seen[i]).toBe(balance);
      expect(result.invariantHolds).toBe(holds);
      prints.add(fingerprint(result, seen[i]));
    }
    expect(prints.size).toBe(1);
    expect(seen).toHaveLength(runs);
  }, 180_000);
});
