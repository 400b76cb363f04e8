import { describe, expect, it } from "vitest";
import { Exhaustive } from "../../../src/strategies/exhaustive.js";
import { allInterleavings, explore, preemptions, runOnce, uniform } from "./model.js";
import { ExplorationDivergedError } from "../../../src/errors.js";

const key = (decisions: readonly string[]): string => decisions.join("");
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe("Exhaustive", () => {
  it.each([
    [2, 2, 6],
    [2, 3, 20],
    [3, 2, 90],
  ])("%d threads × %d steps: enumerates all %d interleavings, each once, then stops", (threads, steps, count) => {
    const model = uniform(threads, steps);
    const strategy = new Exhaustive();
    const runs = explore(strategy, model).map((r) => key(r.decisions));
    expect(runs).toHaveLength(count);
    expect(new Set(runs).size).toBe(count);
    expect(new Set(runs)).toEqual(new Set(allInterleavings(model).map((r) => key(r.decisions))));
    expect(strategy.beginRun(count + 1)).toBe(false);
  });

  it("tries the schedule without preemptions first, then fewer preemptions before more at each depth", () => {
    const model = uniform(2, 2);
    const runs = explore(new Exhaustive(), model).map((r) => key(r.decisions));
    expect(runs[0]).toBe("AABB");
    expect(runs).toEqual(["AABB", "ABBA", "ABAB", "BBAA", "BAAB", "BABA"]);
  });

  it.each([
    [2, 3],
    [3, 2],
    [3, 3],
  ])("%d threads × %d steps, preemption bound 0: each thread runs to completion, k! runs", (threads, steps) => {
    const model = uniform(threads, steps);
    const runs = explore(new Exhaustive({ preemptionBound: 0 }), model);
    expect(runs).toHaveLength(factorial(threads));
    for (const run of runs) expect(preemptions(model, run.decisions)).toBe(0);
  });

  it.each([
    [2, 3, 1],
    [3, 2, 1],
    [3, 3, 1],
    [3, 3, 2],
  ])("%d threads × %d steps, preemption bound %d: exactly the interleavings within the bound (brute force)", (threads, steps, bound) => {
    const model = uniform(threads, steps);
    const expected = allInterleavings(model)
      .filter((r) => preemptions(model, r.decisions) <= bound)
      .map((r) => key(r.decisions));
    const runs = explore(new Exhaustive({ preemptionBound: bound }), model).map((r) => key(r.decisions));
    expect(runs).toHaveLength(expected.length);
    expect(new Set(runs)).toEqual(new Set(expected));
  });

  it("rejects a negative or fractional preemption bound", () => {
    expect(() => new Exhaustive({ preemptionBound: -1 })).toThrow(RangeError);
    expect(() => new Exhaustive({ preemptionBound: 0.5 })).toThrow(RangeError);
  });

  it("throws when a replayed prefix meets a different runnable set", () => {
    const strategy = new Exhaustive();
    runOnce(strategy, uniform(2, 2), 0); // A A B B; backtracks to step 1
    expect(strategy.beginRun(1)).toBe(true);
    expect(strategy.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null })).toBe("A");
    expect(() => strategy.choose({ step: 1, runnable: ["B"], atMarker: [true], previous: "A" })).toThrow(
      "exploration diverged at step 1: runnable was [A, B], now [B]; the program is not deterministic under interlace's control",
    );
    // The search is over: ending the run is quiet, and there is no next run.
    expect(() => strategy.endRun(true)).not.toThrow();
    expect(strategy.beginRun(2)).toBe(false);
  });

  it("throws when a replayed prefix meets threads parked elsewhere (marker vs gate)", () => {
    const strategy = new Exhaustive();
    runOnce(strategy, uniform(2, 2), 0);
    strategy.beginRun(1);
    expect(() => strategy.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, false], previous: null })).toThrow(
      "exploration diverged at step 0: threads were parked at [A@marker, B@marker], now at [A@marker, B@gate]",
    );
  });

  it("throws when a replayed run ends before the recorded decisions", () => {
    const strategy = new Exhaustive();
    runOnce(strategy, uniform(2, 2), 0);
    strategy.beginRun(1);
    strategy.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null });
    expect(() => strategy.endRun(false)).toThrow(/exploration diverged at step 1: runnable was \[A, B\], now \[\] \(the run ended\)/);
  });

  it("a divergence is a typed error (E_NOT_DETERMINISTIC) that says what to do", () => {
    const strategy = new Exhaustive();
    runOnce(strategy, uniform(2, 2), 0);
    strategy.beginRun(1);
    strategy.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null });
    let thrown: unknown;
    try {
      strategy.endRun(false);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ExplorationDivergedError);
    expect(thrown).toMatchObject({ code: "E_NOT_DETERMINISTIC", category: "fault" });
    expect((thrown as Error).message).toMatch(/Make setup reset every shared resource/);
  });

  it("throws on decisions out of order or outside a run", () => {
    const strategy = new Exhaustive();
    expect(() => strategy.choose({ step: 0, runnable: ["A"], atMarker: [true], previous: null })).toThrow(/outside a run/);
    strategy.beginRun(0);
    expect(() => strategy.choose({ step: 3, runnable: ["A"], atMarker: [true], previous: null })).toThrow(/step 3 out of order; expected step 0/);
  });

  it("a run abandoned without endRun is ended by the next beginRun", () => {
    const strategy = new Exhaustive();
    strategy.beginRun(0);
    strategy.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null });
    strategy.choose({ step: 1, runnable: ["B"], atMarker: [true], previous: "A" });
    expect(strategy.beginRun(1)).toBe(true);
    expect(strategy.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null })).toBe("B");
  });
});
