// Worker and process isolates are launched once per exploration and reused by every attempt; a
// failing attempt (threads left midway) gets fresh ones. maxSteps bounds statement stepping.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineScenario, explore, thread } from "interlace";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

const IDENTITY = new URL("../../fixtures/explore/workers/identity.mjs", import.meta.url);

interface Shared {
  cells: Int32Array;
}

/** Scenario over `report`; every state made is kept so the test can read what each attempt saw. */
function identity(kind: "worker" | "process", throwOn: (attempt: number) => boolean = () => false) {
  const states: Shared[] = [];
  const make = kind === "worker" ? thread.worker : thread.process;
  const scenario = defineScenario<Shared>({
    setup: () => {
      // Processes get a copy of the state; their reports come back through the log below.
      const cells = kind === "worker" ? new Int32Array(new SharedArrayBuffer(32)) : new Int32Array(8);
      cells[6] = throwOn(states.length) ? 1 : 0; // thread a throws
      const state = { cells };
      states.push(state);
      return state;
    },
    threads: { a: make(IDENTITY, "report", [0]), b: make(IDENTITY, "report", [1]) },
  });
  return { scenario, states };
}

describe("isolate reuse across attempts", () => {
  it("workers: 30 attempts run in the same two workers; module state persists between them", async () => {
    const { scenario, states } = identity("worker");
    const result = await explore(scenario, { strategy: "random", seed: 3, maxAttempts: 30 });
    expect(result).toMatchObject({ propertyHolds: true, numExplored: 30 });
    expect(states).toHaveLength(30);
    const threadIds = new Set(states.flatMap((s) => [s.cells[0], s.cells[1]]));
    expect(threadIds.size).toBe(2);
    expect(threadIds.has(0)).toBe(false);
    // The nth attempt is the nth call in each worker.
    expect(states.map((s) => [s.cells[4], s.cells[5]])).toEqual(states.map((_, i) => [i + 1, i + 1]));
  });

  it("workers: an attempt whose thread throws is a failure, and the next attempt gets fresh workers", async () => {
    // Attempt 3 throws; explore() stops at it and replays it (reproduceOnFailure) in fresh workers each time.
    const { scenario, states } = identity("worker", (attempt) => attempt >= 2);
    const result = await explore(scenario, { strategy: "random", seed: 3, maxAttempts: 30, reproduceOnFailure: 3, shrinkBudget: 0 });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample!.failure.kind).toBe("exception");
    expect(result.reproduced).toEqual({ failures: 3, attempts: 3 });
    // Thread a (the one that throws): the same worker for attempts 1–3, then a new one each time.
    const ids = states.map((s) => s.cells[0]);
    expect(states).toHaveLength(6);
    expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]]);
    expect(new Set(ids.slice(2)).size).toBe(4);
    expect(states.map((s) => s.cells[4])).toEqual([1, 2, 3, 1, 1, 1]);
  });

  it("processes: 15 attempts run in the same two child processes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "interlace-reuse-"));
    try {
      const logPath = join(dir, "calls.log");
      const scenario = defineScenario({
        setup: () => ({ cells: new Int32Array(8), logPath }),
        threads: { a: thread.process(IDENTITY, "report", [0]), b: thread.process(IDENTITY, "report", [1]) },
      });
      const result = await explore(scenario, { strategy: "random", seed: 5, maxAttempts: 15 });
      expect(result).toMatchObject({ propertyHolds: true, numExplored: 15 });
      const calls = readFileSync(logPath, "utf8").trim().split("\n").map((line) => line.split(" ").map(Number) as [number, number]);
      expect(calls).toHaveLength(30);
      const pids = [...new Set(calls.map(([pid]) => pid))];
      expect(pids).toHaveLength(2);
      expect(pids).not.toContain(process.pid);
      for (const pid of pids) expect(calls.filter(([p]) => p === pid).map(([, n]) => n)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("statement stepping", () => {
  it("maxSteps bounds the decisions per thread; past it the thread runs freely to its end", async () => {
    const decisions: number[] = [];
    const scenario = defineScenario<Shared>({
      setup: () => ({ cells: new Int32Array(new SharedArrayBuffer(32)) }),
      threads: { a: thread.worker(IDENTITY, "spin", [200]) },
      invariant: (s) => s.cells[0] === 200,
    });
    const bounded = await explore(scenario, { strategy: "random", seed: 1, maxAttempts: 3, maxSteps: 25, onAttempt: (p) => decisions.push(p.decisions) });
    expect(bounded.propertyHolds).toBe(true);
    expect(decisions).toEqual([25, 25, 25]);
    decisions.length = 0;
    const full = await explore(scenario, { strategy: "random", seed: 1, maxAttempts: 1, onAttempt: (p) => decisions.push(p.decisions) });
    expect(full.propertyHolds).toBe(true);
    expect(decisions[0]).toBeGreaterThan(400);
  });
});
