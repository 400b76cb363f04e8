// explore() over worker threads: the SharedArrayBuffer counter at statement granularity (random, PCT,
// exhaustive) and at marker granularity (markers), and its Atomics twin.
import { describe, expect, it } from "vitest";
import { explore, parseCounterexample, replay, type StrategyName } from "interlace";
import { fixture, sabCounter } from "../helpers/scenarios.js";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

const counter = () => {
  const scenario = sabCounter(fixture("counter/counter.mjs"), "increment");
  return { ...scenario, invariant: (s: { cells: Int32Array }) => s.cells[0] === 2 } as typeof scenario;
};

describe("explore() over worker threads", () => {
  it.each(["random", "pct"] as StrategyName[])("%s finds the lost update between two workers on 20/20 seeds", async (strategy) => {
    const attempts: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const result = await explore(counter(), { strategy, seed, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0 });
      expect(result.propertyHolds, `seed ${seed}`).toBe(false);
      attempts.push(result.numExplored);
    }
    expect(Math.max(...attempts)).toBeLessThanOrEqual(200);
  });

  it.each(["exhaustive", "markers"] as StrategyName[])("%s search finds it, and the counterexample round-trips and replays 5/5", async (strategy) => {
    const result = await explore(counter(), { strategy, name: "sab-counter", reproduceOnFailure: 3 });
    expect(result.propertyHolds).toBe(false);
    expect(result.reproduced).toEqual({ failures: 3, attempts: 3 });
    expect(result.explanation).toMatch(/fixtures\/counter\/counter\.mjs:\d+ +\[read\]/);
    const saved = parseCounterexample(JSON.stringify(result.counterexample), "ce.json");
    expect(saved.kind).toBe("isolate");
    const again = await replay(counter(), saved, 5);
    expect(again.failures).toBe(5);
  });

  it("the Atomics twin holds over every interleaving (exhaustive search completes) and 30 random ones", async () => {
    const safe = () => {
      const scenario = sabCounter(new URL("../../fixtures/explore/workers/atomic-counter.mjs", import.meta.url), "increment");
      return { ...scenario, invariant: (s: { cells: Int32Array }) => s.cells[0] === 2 } as typeof scenario;
    };
    const decisions = new Set<number>();
    const exhaustive = await explore(safe(), { strategy: "exhaustive", maxAttempts: 5000, onAttempt: (p) => decisions.add(p.decisions) });
    expect(exhaustive.propertyHolds).toBe(true);
    // Two identical threads of s stops each (their start included): C(2s, s) interleavings, each once.
    expect(decisions.size).toBe(1);
    const [total] = [...decisions];
    const binomial = (n: number, k: number): number => (k === 0 ? 1 : (binomial(n - 1, k - 1) * n) / k);
    expect(exhaustive.numExplored).toBe(binomial(total!, total! / 2));
    const markers = await explore(safe(), { strategy: "markers" });
    expect(markers.propertyHolds).toBe(true);
    expect(markers.numExplored).toBe(6); // C(4, 2): the orders of two threads passing two markers each
    const random = await explore(safe(), { strategy: "random", seed: 7, maxAttempts: 30 });
    expect(random).toMatchObject({ propertyHolds: true, numExplored: 30 });
  });
});
