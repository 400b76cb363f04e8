// Task threads under forced marker schedules. This file runs in the "tasks" vitest project, whose
// config adds the interlace/vitest plugin: fixtures/tasks/* are instrumented at load time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { Schedule, TraceExecutor, defineScenario, thread, type RunResult } from "interlace";
import { Counter } from "../../fixtures/tasks/counter.js";
import { Counter as JsCounter } from "../../fixtures/tasks/counter.mjs";
import { LockedCounter } from "../../fixtures/tasks/locked-counter.js";
import { Memoizer } from "../../fixtures/tasks/memoizer.js";
import { depositFile, depositRow } from "../../fixtures/tasks/io-account.js";
import { KvClient } from "../../fixtures/tasks/kv-client.js";
import { createServer, type AddressInfo } from "node:net";

const LOST_UPDATE = "task1:read_value task2:read_value task1:write_value task2:write_value";
const SERIAL = "task1:read_value task1:write_value task2:read_value task2:write_value";

/** Every interleaving of two tasks passing markers `a` then `b` each (6 schedules). */
function allMarkerSchedules(a: string, b: string): string[] {
  const out: string[] = [];
  const walk = (i1: number, i2: number, steps: string[]) => {
    if (i1 === 2 && i2 === 2) return void out.push(steps.join(" "));
    if (i1 < 2) walk(i1 + 1, i2, [...steps, `task1:${[a, b][i1]}`]);
    if (i2 < 2) walk(i1, i2 + 1, [...steps, `task2:${[a, b][i2]}`]);
  };
  walk(0, 0, []);
  return out;
}

describe("forced schedules over async tasks", () => {
  it("forces the lost update of the issue's example (TS), passing plain functions", async () => {
    const c = new Counter();
    const result = await new TraceExecutor(Schedule.parse(LOST_UPDATE)).run({ task1: () => c.increment(), task2: () => c.increment() });
    expect(c.value).toBe(1);
    expect(result.trace.map((e) => `${e.step} ${e.where?.file}:${e.where?.line}`)).toEqual([
      "task1:read_value fixtures/tasks/counter.ts:15",
      "task2:read_value fixtures/tasks/counter.ts:15",
      "task1:write_value fixtures/tasks/counter.ts:17",
      "task2:write_value fixtures/tasks/counter.ts:17",
    ]);
    expect(result.trace[0]!.where?.text).toBe("const v = await this.get();");
  });

  it("the serial schedule keeps both updates (JS twin, thread.task in a scenario with an invariant)", async () => {
    const scenario = defineScenario({
      setup: () => new JsCounter(),
      threads: { task1: thread.task((c: JsCounter) => c.increment()), task2: thread.task((c: JsCounter) => c.increment()) },
      invariant: (c) => c.value === 2,
    });
    const serial = await new TraceExecutor(SERIAL).run(scenario);
    expect(serial.invariantHolds).toBe(true);
    const lost = await new TraceExecutor(LOST_UPDATE).run(scenario);
    expect(lost.invariantHolds).toBe(false);
    expect(lost.state.value).toBe(1);
  });

  it("check-then-act memoizer computes twice under one schedule and once under another", async () => {
    const run = async (schedule: string) => {
      const memo = new Memoizer(async (key: string) => `${key}!`);
      const results: string[] = [];
      await new TraceExecutor(schedule).run({
        task1: async () => void results.push(await memo.get("k")),
        task2: async () => void results.push(await memo.get("k")),
      });
      return { calls: memo.calls, results };
    };
    expect(await run("task1:check_cache task2:check_cache task1:compute task2:compute")).toEqual({ calls: 2, results: ["k!", "k!"] });
    expect(await run("task1:check_cache task1:compute task2:check_cache")).toEqual({ calls: 1, results: ["k!", "k!"] });
  });

  it("the async-mutex twin never loses an update: every marker interleaving holds or is infeasible", async () => {
    const outcomes: string[] = [];
    for (const schedule of allMarkerSchedules("read_value", "write_value")) {
      const c = new LockedCounter();
      try {
        await new TraceExecutor(schedule).run({ task1: () => c.increment(), task2: () => c.increment() });
        expect(c.value).toBe(2);
        outcomes.push("holds");
      } catch (error) {
        // A schedule that needs both tasks inside the lock at once cannot be followed.
        expect((error as { code?: string }).code).toBe("E_SCHEDULE_STALL");
        expect((error as Error).message).toContain("waiting for something only another task can do");
        outcomes.push("infeasible");
      }
    }
    expect(outcomes.filter((o) => o === "holds")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "infeasible")).toHaveLength(4);
  });

  it("every forced schedule replays identically 100/100", async () => {
    const schedules = [LOST_UPDATE, SERIAL, "task2:read_value task1:read_value task2:write_value task1:write_value"];
    for (const schedule of schedules) {
      const outcomes = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const c = new Counter();
        const order: string[] = [];
        const result = await new TraceExecutor(schedule).run({
          task1: async () => { await c.increment(); order.push("task1"); },
          task2: async () => { await c.increment(); order.push("task2"); },
        });
        outcomes.add(JSON.stringify({ value: c.value, order, trace: result.trace.map((e) => e.step.toString()) }));
      }
      expect([...outcomes], schedule).toHaveLength(1);
    }
  });

  it("replays identically 100/100 when tasks do real I/O: fs.promises, SQLite and timer sleeps of varying length", async () => {
    const dir = mkdtempSync(join(tmpdir(), "interlace-tasks-io-"));
    try {
      const outcomes = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const file = join(dir, "balance.txt");
        writeFileSync(file, "100");
        const db = new Database(join(dir, `bank-${i}.db`));
        db.exec("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER); INSERT INTO account VALUES (1, 100);");
        const audit = join(dir, `audit-${i}.log`);
        // The first task sleeps longer in odd rounds: timing must not change the interleaving.
        const [j1, j2] = i % 2 === 0 ? [1, 6] : [6, 1];
        await new TraceExecutor("t1:read_file t2:read_file t1:write_file t2:write_file t2:read_row t1:read_row t2:write_row t1:write_row").run({
          t1: async () => { await depositFile(file, 10); await depositRow(db, 10, j1, audit); },
          t2: async () => { await depositFile(file, 20); await depositRow(db, 20, j2, audit); },
        });
        const row = db.prepare("SELECT balance FROM account WHERE id = 1").get() as { balance: number };
        db.close();
        outcomes.add(JSON.stringify({ file: readFileSync(file, "utf8"), row: row.balance, audit: readFileSync(audit, "utf8") }));
      }
      // Both lost updates are forced: t2's file write lands last, t1's row write lands last.
      expect([...outcomes]).toEqual([JSON.stringify({ file: "120", row: 110, audit: "deposit 20\ndeposit 10\n" })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replays identically 100/100 when tasks wait for TCP replies that arrive after random delays", async () => {
    let value = 100;
    // A key-value server in this process, outside every task; each reply is delayed 0–4 ms.
    const server = createServer((socket) => {
      let buffer = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
          const [command, arg] = buffer.slice(0, end).split(" ");
          buffer = buffer.slice(end + 1);
          if (command === "SET") value = Number(arg);
          const reply = command === "GET" ? String(value) : "OK";
          setTimeout(() => socket.write(`${reply}\n`), Math.floor(Math.random() * 5));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const [c1, c2] = await Promise.all([KvClient.open(port), KvClient.open(port)]);
    try {
      const outcomes = new Set<number>();
      for (let i = 0; i < 100; i++) {
        value = 100;
        await new TraceExecutor("t1:kv_read t2:kv_read t1:kv_write t2:kv_write").run({ t1: () => c1.deposit(10), t2: () => c2.deposit(20) });
        outcomes.add(value);
      }
      expect([...outcomes]).toEqual([120]);
    } finally {
      c1.close();
      c2.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("returns the same RunResult shape as the isolate kinds", async () => {
    const c = new Counter();
    const result: RunResult<undefined> = await new TraceExecutor(SERIAL).run({ task1: () => c.increment(), task2: () => c.increment() });
    expect(result.invariantHolds).toBe(true);
    expect(result.schedule.toString()).toBe(SERIAL);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.scheduleMs);
  });
});
