// Stopping an exploration early (issue "Robust under faults", cancellation): an AbortSignal or a
// time budget ends the search after the attempt in progress; the result says why, is never
// complete, keeps a counterexample already found, and the isolate is free for the next run.
// Runs in the "tasks" project (the plugin instruments this file).
import { describe, expect, it } from "vitest";
import { explore, type ExploreOptions } from "interlace";

/** Two increments with an await between read and write: a lost update. */
function counter(racy: boolean): ExploreOptions<{ n: number }> {
  const bump = async (s: { n: number }) => {
    const seen = s.n;
    await Promise.resolve();
    if (racy) s.n = seen + 1;
    else s.n += 1;
  };
  return { setup: () => ({ n: 0 }), threads: [bump, bump, bump], invariant: (s) => s.n === 3 };
}

describe("explore({ signal, timeBudget })", () => {
  it("stops when the signal is aborted, after the attempt in progress, and says so", async () => {
    const controller = new AbortController();
    const result = await explore({
      ...counter(false),
      strategy: "random",
      seed: 7,
      maxAttempts: 1000,
      signal: controller.signal,
      onAttempt: (p) => {
        if (p.numExplored === 3) controller.abort();
      },
    });

    expect(result).toMatchObject({ propertyHolds: true, numExplored: 3, interrupted: "aborted", complete: false });
  });

  it("an exhaustive search cut short is not complete (the false green the budget would hide)", async () => {
    const controller = new AbortController();
    const result = await explore({
      ...counter(false),
      strategy: "exhaustive",
      maxAttempts: 10_000,
      signal: controller.signal,
      onAttempt: (p) => {
        if (p.numExplored === 2) controller.abort();
      },
    });
    const whole = await explore({ ...counter(false), strategy: "exhaustive", maxAttempts: 10_000 });

    expect(result).toMatchObject({ numExplored: 2, interrupted: "aborted", complete: false, exhausted: false });
    expect(whole).toMatchObject({ interrupted: null, complete: true });
    expect(whole.numExplored).toBeGreaterThan(2);
  });

  it("an already aborted signal explores nothing and claims nothing", async () => {
    const result = await explore({ ...counter(true), strategy: "pct", seed: 1, signal: AbortSignal.abort() });

    expect(result).toMatchObject({ propertyHolds: true, numExplored: 0, interrupted: "aborted", complete: false });
  });

  it("stops when the time budget is spent", async () => {
    const result = await explore({ ...counter(false), strategy: "random", seed: 3, maxAttempts: 1_000_000, timeBudget: 300 });

    expect(result.interrupted).toBe("time budget");
    expect(result.complete).toBe(false);
    expect(result.numExplored).toBeGreaterThan(0);
    expect(result.numExplored).toBeLessThan(1_000_000);
  });

  it("keeps a counterexample found before the abort, reported as found (no shrinking, no replays)", async () => {
    const controller = new AbortController();
    const result = await explore({
      ...counter(true),
      strategy: "random",
      seed: 1,
      signal: controller.signal,
      onAttempt: (p) => {
        if (p.failed) controller.abort();
      },
    });

    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample).not.toBeNull();
    expect(result.counterexample?.shrunkFrom).toBeUndefined();
    expect(result.reproduced).toBeNull();
    expect(result.explanation).toContain("Not replayed: the exploration was interrupted (aborted).");
    // The isolate is free: the next exploration runs at once.
    const next = await explore({ ...counter(true), strategy: "random", seed: 1, reproduceOnFailure: 2 });
    expect(next.propertyHolds).toBe(false);
    expect(next.interrupted).toBeNull();
  });

  it("rejects a signal that is not an AbortSignal", async () => {
    await expect(explore({ ...counter(false), signal: {} as AbortSignal })).rejects.toMatchObject({ code: "E_SCENARIO_INVALID" });
  });
});
