// DPOR over worker threads explores exactly one execution per Mazurkiewicz trace: SharedArrayBuffer
// elements are locations, interlace's SharedMutex is a lock. The counts are checked under every
// search order, as for task threads (test/tasks/dpor-exactness.test.ts).
import { describe, expect, it } from "vitest";
import { defineScenario, explore, SEARCH_ORDERS, thread, type ExploreResult } from "../../src/index.js";
import { SharedMutex } from "../../src/sync/index.js";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";
import { workerRaces } from "../../fixtures/explore/workers/races.mjs";

checkNothingLeftAfterEachTest();

const PROGRAMS = new URL("../../fixtures/dpor/workers/programs.mjs", import.meta.url);

interface Shared {
  cells: Int32Array;
  lock: SharedMutex;
  other: SharedMutex;
}

const setup = (): Shared => ({ cells: new Int32Array(new SharedArrayBuffer(64)), lock: new SharedMutex("lock"), other: new SharedMutex("other") });

async function dpor(threads: Record<string, ReturnType<typeof thread.worker>>, searchOrder: (typeof SEARCH_ORDERS)[number]): Promise<ExploreResult<Shared>> {
  const result = await explore(defineScenario({ setup, threads }), { strategy: "dpor", searchOrder, maxExecutions: 1000, reproduceOnFailure: 0 });
  expect(result.explanation).toBeNull();
  expect(result.propertyHolds).toBe(true);
  expect(result.complete).toBe(true);
  return result;
}

const workers = (n: number, fn: string, args: (i: number) => unknown[]) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i + 1}`, thread.worker(PROGRAMS, fn, args(i))]));
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe.each(SEARCH_ORDERS)("dpor over workers, search order %s", (order) => {
  for (const n of [1, 2, 3, 4, 5]) {
    it(`${n} workers writing independent cells: 1 execution`, async () => {
      expect((await dpor(workers(n, "writeOwn", (i) => [i]), order)).numExplored).toBe(1);
    });
  }

  for (const n of [1, 2, 3, 4]) {
    it(`two workers racing on ${n} shared cells: ${2 ** n} executions`, async () => {
      expect((await dpor(workers(2, "writeAll", (i) => [n, i + 1]), order)).numExplored).toBe(2 ** n);
    });
  }

  for (const n of [1, 2, 3, 4]) {
    it(`${n} workers serialised by one SharedMutex: ${factorial(n)} executions`, async () => {
      const result = await dpor(workers(n, "lockedIncrement", () => []), order);
      expect(result.numExplored).toBe(factorial(n));
      expect(result.state?.cells[0]).toBe(n);
    });
  }

  for (const n of [1, 2, 3, 4]) {
    it(`two workers racing on ${n} cells under one SharedMutex: 2 executions`, async () => {
      expect((await dpor(workers(2, "lockedWriteAll", (i) => [n, i + 1]), order)).numExplored).toBe(2);
    });
  }
});

describe("dpor over workers: failures", () => {
  it("finds the lock-order deadlock of two SharedMutexes and reports the wait-for cycle; the counterexample replays", async () => {
    const scenario = defineScenario({
      setup,
      threads: { a: thread.worker(PROGRAMS, "lockBoth", ["lock", "other"]), b: thread.worker(PROGRAMS, "lockBoth", ["other", "lock"]) },
    });
    const result = await explore(scenario, { strategy: "dpor", reproduceOnFailure: 3 });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample?.failure.kind).toBe("deadlock");
    expect(result.explanation).toMatch(/Cycle: (a waits for other \(held by b\), b waits for lock \(held by a\)|b waits for lock \(held by a\), a waits for other \(held by b\))\./);
    expect(result.explanation).toContain("waits for other, held by b, at fixtures/dpor/workers/programs.mjs:47:5  b.lock();");
    expect(result.explanation).toContain("takes lock: ");
    expect(result.explanation).toContain("[acquire lock]");
    expect(result.reproduced).toEqual({ failures: 3, attempts: 3 });
  });

  it("is part of the default (portfolio) for worker and process threads (a process writing only its own memory: 1 DPOR execution, complete)", async () => {
    // 2 classes: DPOR's runs are runs 1 and 5 of D R P R, and the search is complete there.
    const workersOnly = await explore(defineScenario({ setup, threads: workers(2, "writeAll", (i) => [1, i + 1]) }), { maxAttempts: 50, seed: 1 });
    expect(workersOnly).toMatchObject({ strategy: "portfolio", numExplored: 5, complete: true, portfolio: { dporExecutions: 2, dporComplete: true } });
    // A process's heap is its own: what it shares goes through the io hooks, and this one does no io.
    // (At statement granularity: at io, the default for processes only, it has no decision at all.)
    const withProcess = await explore(defineScenario({ setup: () => ({ cells: [0, 0] }), threads: { p: thread.process(PROGRAMS, "writeOwn", [0]) } }), { granularity: "statements", maxAttempts: 2, reproduceOnFailure: 0, shrinkBudget: 0 });
    expect(withProcess).toMatchObject({ strategy: "portfolio", complete: true, portfolio: { dporExecutions: 1, dporComplete: true } });
  });

  it("rejects dpor at marker granularity (no accesses are recorded there) with E_DPOR_UNSUPPORTED before launching anything", async () => {
    const scenario = defineScenario({ setup: () => ({}), threads: { p: thread.process(PROGRAMS, "writeOwn", [0]) } });
    await expect(explore(scenario, { strategy: "dpor", granularity: "markers" })).rejects.toMatchObject({ code: "E_DPOR_UNSUPPORTED" });
  });
});

describe("explanations of worker races under every strategy: values, conflicts, classification", () => {
  const races = workerRaces({ defineScenario, thread });
  const withdraw = races.find((r) => r.name === "check-then-withdraw")!;
  const counter = races.find((r) => r.name.startsWith("counter"))!;
  it.each(["random", "pct", "exhaustive", "dpor"] as const)("%s: check-then-withdraw is a check-then-act, the counter a lost update", async (strategy) => {
    const a = await explore(withdraw.make("mjs", false), { strategy, seed: 3, reproduceOnFailure: 2 });
    expect(a.explanation).toMatch(/Classification: check-then-act\. [ab] checked cells\[0\]/);
    expect(a.explanation).toContain("[read cells[0] = 100]");
    expect(a.explanation).toMatch(/Write-write conflict: threads [ab] and [ab] both wrote cells\[0\]/);
    const b = await explore(counter.make("mjs", false), { strategy, seed: 3, reproduceOnFailure: 2 });
    expect(b.explanation).toMatch(/Classification: lost update\. [ab] read cells\[0\]/);
    expect(b.explanation).toContain("Reproduced 2/2 times.");
  });
});
