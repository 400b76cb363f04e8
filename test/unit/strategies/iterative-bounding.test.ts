import { describe, expect, it } from "vitest";
import { IterativeBounding } from "../../../src/strategies/iterative-bounding.js";
import { allInterleavings, explore, preemptions, runOnce, uniform, type ModelThread } from "./model.js";

const key = (decisions: readonly string[]): string => decisions.join("");

describe("IterativeBounding (exhaustive without a bound)", () => {
  it.each([
    [2, 2, 6],
    [2, 3, 20],
    [3, 2, 90],
    [2, 5, 252],
  ])("%d threads × %d steps: runs all %d interleavings, each exactly once, then stops", (threads, steps, count) => {
    const model = uniform(threads, steps);
    const strategy = new IterativeBounding();
    const runs = explore(strategy, model).map((r) => key(r.decisions));
    expect(runs).toHaveLength(count);
    expect(new Set(runs)).toEqual(new Set(allInterleavings(model).map((r) => key(r.decisions))));
    expect(strategy.beginRun(runs.length)).toBe(false);
  });

  it("threads of different lengths (a thread that finished leaves no preemption to count)", () => {
    const model: ModelThread[] = [
      { name: "A", steps: ["marker"] },
      { name: "B", steps: ["marker", "marker", "marker"] },
      { name: "C", steps: ["await", "marker"] },
    ];
    const runs = explore(new IterativeBounding(), model).map((r) => key(r.decisions));
    expect(runs).toHaveLength(60); // 6! / (1! 3! 2!)
    expect(new Set(runs).size).toBe(60);
  });

  it("runs in order of preemptions: every run with b before any with b + 1", () => {
    const model = uniform(3, 2);
    const counts = explore(new IterativeBounding(), model).map((r) => preemptions(model, r.decisions));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBe(0);
  });

  it("finds a bug needing one preemption within a handful of runs, where depth-first order needs many", () => {
    // The bug: A is preempted right after its first step.
    const model = uniform(2, 8);
    const bug = (d: readonly string[]) => d[0] === "A" && d[1] === "B";
    const runs = explore(new IterativeBounding(), model, { bug, stopOnBug: true });
    expect(runs.at(-1)!.failed).toBe(true);
    expect(runs.length).toBeLessThanOrEqual(4);
  });

  it("reports a program that no longer follows the recorded prefix", () => {
    const model = uniform(2, 2);
    const strategy = new IterativeBounding();
    runOnce(strategy, model, 0); // queues prefixes recorded against this model
    runOnce(strategy, model, 1);
    expect(() => runOnce(strategy, [{ name: "A", steps: ["marker"] }, { name: "C", steps: ["marker"] }], 2)).toThrow(/exploration diverged at step \d+: runnable was/);
  });
});
