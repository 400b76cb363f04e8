import { describe, expect, it } from "vitest";
import { PCT } from "../../../src/strategies/pct.js";
import { Prng } from "../../../src/strategies/prng.js";
import { RandomWalk } from "../../../src/strategies/random.js";
import type { Strategy } from "../../../src/strategies/strategy.js";
import { allInterleavings, explore, lostUpdate, preemptions, uniform } from "./model.js";

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

const makers: [string, (prng: Prng) => Strategy][] = [
  ["RandomWalk", (prng) => new RandomWalk(prng)],
  ["PCT", (prng) => new PCT(prng, { depth: 3 })],
];

describe.each(makers)("%s determinism", (_name, make) => {
  const model = uniform(3, 3);
  const decisions = (seed: number): string[] => explore(make(new Prng(seed)), model, { maxRuns: 30 }).map((r) => r.decisions.join(""));

  it("seed 42: two fresh instances make the same decisions, run after run", () => {
    expect(decisions(42)).toEqual(decisions(42));
  });

  it("seeds 42 and 43: different seeds explore differently", () => {
    expect(decisions(42)).not.toEqual(decisions(43));
  });

  it("seed 1: never runs out of runs, and does not advance the caller's PRNG (it works on a clone)", () => {
    const prng = new Prng(1);
    const expected = prng.clone().nextUint32();
    const strategy = make(prng);
    expect(explore(strategy, model, { maxRuns: 50 })).toHaveLength(50);
    expect(strategy.beginRun(10_000)).toBe(true);
    expect(prng.nextUint32()).toBe(expected);
  });
});

describe("RandomWalk", () => {
  // Random walk hits the lost update (both reads before both writes) with probability exactly 1/2
  // per run with no padding and 0.2734 with 3 padding steps (computed below by brute force), so
  // 200 runs miss it with probability below 1e-27 per seed.
  it.each([0, 3])("seeds 1-20, lost update with %d padding steps: found within 200 runs on every seed", (padding) => {
    const { threads, bug } = lostUpdate(padding);
    const odds = allInterleavings(threads)
      .filter((r) => bug(r.decisions))
      .reduce((sum, r) => sum + r.probability, 0);
    expect((1 - odds) ** 200).toBeLessThan(1e-27);
    for (const seed of SEEDS) {
      const runs = explore(new RandomWalk(new Prng(seed)), threads, { maxRuns: 200, bug, stopOnBug: true });
      expect(runs.at(-1)?.failed, `seed ${seed}`).toBe(true);
    }
  });

  it("bySite, seed 9: a point first, then a thread there: one reader against 9 writers at one point is picked half the time", () => {
    const walk = new RandomWalk(new Prng(9), { bySite: true });
    const runnable = ["reader", ...Array.from({ length: 9 }, (_, i) => `w${i}`)];
    const sites = ["read:3", ...Array.from({ length: 9 }, () => "write:7")];
    let reader = 0;
    walk.beginRun(0);
    for (let step = 0; step < 4000; step++) if (walk.choose({ step, runnable, atMarker: runnable.map(() => false), previous: null, sites }) === "reader") reader += 1;
    // Binomial(4000, 1/2): 2000 ± 150 is more than 9 standard deviations (σ ≈ 31.6).
    expect(Math.abs(reader - 2000)).toBeLessThan(150);
    // Without sites (or uniform), 1 in 10.
    const plain = new RandomWalk(new Prng(9));
    let alone = 0;
    for (let step = 0; step < 4000; step++) if (plain.choose({ step, runnable, atMarker: runnable.map(() => false), previous: null }) === "reader") alone += 1;
    expect(Math.abs(alone - 400)).toBeLessThan(100); // σ ≈ 19
  });

  it("seed 4: every interleaving of 2 threads × 2 steps shows up in 200 runs (each has probability ≥ 1/8)", () => {
    // Miss odds: at most 6 · (7/8)^200 < 1e-11.
    const seen = new Set(explore(new RandomWalk(new Prng(4)), uniform(2, 2), { maxRuns: 200 }).map((r) => r.decisions.join("")));
    expect(seen.size).toBe(6);
  });
});

describe("PCT", () => {
  it.each([0, 3])(
    "seeds 1-20, depth 2, lost update with %d padding steps: found within 200 runs on every seed",
    (padding) => {
      // The lost update has depth 2. PCT's guarantee per run is ≥ 1/(n·k) with n = 2 threads and
      // k = 4 + 2·padding steps (k = 20 in the first run): 1/8 or 1/20. 200 runs miss it with
      // probability ≤ (7/8)^199 < 3e-12 or (19/20)^199 < 4e-5 per seed, under 1e-3 for all 20.
      const { threads, bug } = lostUpdate(padding);
      for (const seed of SEEDS) {
        const runs = explore(new PCT(new Prng(seed), { depth: 2 }), threads, { maxRuns: 200, bug, stopOnBug: true });
        expect(runs.at(-1)?.failed, `seed ${seed}`).toBe(true);
      }
    },
  );

  it("seed 8, depth 1: no change point, so the highest-priority thread always runs to completion", () => {
    const model = uniform(3, 3);
    const runs = explore(new PCT(new Prng(8), { depth: 1 }), model, { maxRuns: 60 });
    for (const run of runs) expect(preemptions(model, run.decisions)).toBe(0);
    // The initial priorities are random: several of the 3! thread orders appear (odds of seeing only
    // one order in 60 runs: 6 · (1/6)^60, nil).
    expect(new Set(runs.map((r) => r.decisions.join(""))).size).toBeGreaterThan(1);
  });

  it.each([2, 3, 4])("seed 8, depth %d: at most depth − 1 preemptions per run, and that many do occur", (depth) => {
    const model = uniform(3, 3);
    const counts = explore(new PCT(new Prng(8), { depth, maxSteps: 9 }), model, { maxRuns: 300 }).map((r) => preemptions(model, r.decisions));
    expect(Math.max(...counts)).toBe(depth - 1);
  });

  it("seeds 1-20, maxSteps 1, depth 2: the change point is step 1, so the first thread is always preempted there", () => {
    const model = uniform(2, 2);
    for (const seed of SEEDS) {
      for (const { decisions } of explore(new PCT(new Prng(seed), { depth: 2, maxSteps: 1 }), model, { maxRuns: 5 })) {
        expect(decisions[1]).not.toBe(decisions[0]);
        expect(preemptions(model, decisions)).toBe(1);
      }
    }
  });

  it("seed 6: without maxSteps, k is learned from earlier runs (20 at first, then the longest run)", () => {
    // 2 threads × 2 steps: a run has 4 decisions; with depth 2 it preempts only when the change point
    // is 1, i.e. with probability 1/k. Once k = 4 is learned, 2000 runs give a binomial(2000, 1/4):
    // mean 500, standard deviation 19.4, so [400, 600] holds but for odds below 1e-6; with k stuck at
    // 20 the mean would be 100.
    const model = uniform(2, 2);
    const runs = explore(new PCT(new Prng(6), { depth: 2 }), model, { maxRuns: 2001 }).slice(1);
    const preempted = runs.filter((r) => preemptions(model, r.decisions) > 0).length;
    expect(preempted).toBeGreaterThan(400);
    expect(preempted).toBeLessThan(600);
  });

  it("rejects a depth or maxSteps that is not a positive integer", () => {
    expect(() => new PCT(new Prng(0), { depth: 0 })).toThrow(RangeError);
    expect(() => new PCT(new Prng(0), { depth: 1.5 })).toThrow(RangeError);
    expect(() => new PCT(new Prng(0), { maxSteps: 0 })).toThrow(RangeError);
  });
});
